/**
 * Jekyll collections: which ones the site defines (`collections:`, `collections_dir`), which
 * ones just-the-docs lists in its navigation (`just_the_docs: collections:`), and their
 * documents, read as Jekyll reads them (`Jekyll::Collection#read`, `Jekyll::Document`).
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Diagnostics } from '../diagnostics.js';
import type { Page, SiteConfig } from '../model.js';
import { matchesJekyllPattern, readMarkdownFile } from './load.js';
import { documentUrl } from './url.js';

const MARKDOWN_EXT = /\.(md|markdown|mkdown|mkdn|mkd)$/i;

/** One collection of the site, with what Jekyll and just-the-docs say about it. */
export interface Collection {
  /** The key under `collections:` (or under `just_the_docs: collections:`). */
  readonly label: string;
  /** Its folder relative to the source folder: `collections_dir/_label`. */
  readonly folder: string;
  /** Defined in Jekyll's `collections:` (an undefined one has no documents). */
  readonly defined: boolean;
  /** Jekyll's `output`: whether it writes a page for each document (default false). */
  readonly output: boolean;
  /** The collection's `permalink` template, if it sets one. */
  readonly permalink?: string;
  /** Present when just-the-docs lists it in the navigation (`just_the_docs: collections:`). */
  readonly nav?: {
    /** The heading just-the-docs shows above its documents. */
    readonly name: string;
    readonly navExclude: boolean;
    readonly navFold: boolean;
    /** The line of its key in `_config.yml`, for diagnostics. */
    readonly line: number;
  };
}

/** A collection with its documents (in path order, as Jekyll sorts them). */
export interface LoadedCollection extends Collection {
  /** The folder, absolute. */
  readonly absFolder: string;
  readonly docs: readonly Page[];
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** The 1-based line of `key:` in `_config.yml` after line `after` (1 when it is not found). */
function keyLine(lines: readonly string[], key: string, after = 0): number {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^\\s*(?:- )?["']?${escaped}["']?\\s*:`);
  const at = lines.findIndex((l, i) => i >= after && re.test(l));
  return at === -1 ? Math.max(after, 1) : at + 1;
}

/**
 * Reads the collections the site defines and the ones just-the-docs lists, in the order of
 * `just_the_docs: collections:` first (the navigation's order), then the others.
 */
export function readCollections(root: string, site: SiteConfig, diags: Diagnostics): Collection[] {
  // Lines are found in the text the config stage read: the file is not read again.
  const lines = (site.configText ?? '').split(/\r?\n/);
  const defined = new Map<string, Record<string, unknown>>();
  const raw = site.data.collections;
  if (Array.isArray(raw)) for (const c of raw) if (typeof c === 'string') defined.set(c, {});
  for (const [label, meta] of Object.entries(record(raw) ?? {})) defined.set(label, record(meta) ?? {});
  // `posts` is always a collection, with its own dated URLs; bookbinder does not read posts.
  defined.delete('posts');
  const dirSetting = site.data.collections_dir;
  const dir = typeof dirSetting === 'string' ? dirSetting.replace(/^\/+|\/+$/g, '') : '';
  const folderOf = (label: string): string => {
    // `Jekyll::Collection#sanitize_label`.
    const name = `_${label.replace(/[^a-z0-9_\-.]/gi, '')}`;
    return dir === '' ? name : `${dir}/${name}`;
  };
  const jtd = record(site.data.just_the_docs)?.collections;
  const jtdAt = keyLine(lines, 'just_the_docs');
  if (jtd !== undefined && jtd !== null && !record(jtd)) {
    diags.warn(
      'collection/invalid-config',
      '`just_the_docs: collections:` must map collection labels to settings (`name`, `nav_fold`, `nav_exclude`); it is ignored',
      '_config.yml',
      keyLine(lines, 'collections', jtdAt - 1),
    );
  }
  const out: Collection[] = [];
  const listed = new Set<string>();
  for (const [label, value] of Object.entries(record(jtd) ?? {})) {
    listed.add(label);
    const settings = record(value) ?? {};
    const meta = defined.get(label);
    const name = settings.name;
    out.push({
      label,
      folder: folderOf(label),
      defined: meta !== undefined,
      output: meta?.output === true,
      ...(typeof meta?.permalink === 'string' && { permalink: meta.permalink }),
      nav: {
        name: typeof name === 'string' || typeof name === 'number' ? String(name) : label,
        navExclude: settings.nav_exclude === true,
        navFold: settings.nav_fold === true,
        line: keyLine(lines, label, jtdAt),
      },
    });
  }
  for (const [label, meta] of defined) {
    if (listed.has(label)) continue;
    out.push({
      label,
      folder: folderOf(label),
      defined: true,
      output: meta.output === true,
      ...(typeof meta.permalink === 'string' && { permalink: meta.permalink }),
    });
  }
  return out;
}

/** Lists a collection's files as Jekyll's entry filter keeps them (`Collection#filtered_entries`). */
function collectionEntries(root: string, c: Collection, site: SiteConfig): string[] {
  const found: string[] = [];
  const walk = (rel: string): void => {
    const abs = join(root, c.folder, rel);
    const entries = readdirSync(abs, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (e.isFile() || e.isSymbolicLink()) found.push(path);
    }
  };
  walk('');
  const relDir = posix.basename(c.folder);
  return found.filter((entry) => {
    const base = posix.basename(entry);
    const included = site.include.some(
      (p) => matchesJekyllPattern(entry, p) || matchesJekyllPattern(base, p),
    );
    if (!included && site.exclude.some((p) => matchesJekyllPattern(`${relDir}/${entry}`, p))) return false;
    if (included) return true;
    return !/^[._#~]/.test(entry) && !/^[._#~]/.test(base) && !entry.endsWith('~');
  });
}

/** True when a file starts with a front matter line (`Jekyll::Utils.has_yaml_header?`). */
function hasYamlHeader(abs: string): boolean {
  const buf = Buffer.alloc(5);
  let fd: number | undefined;
  try {
    fd = openSync(abs, 'r');
    const n = readSync(fd, buf, 0, 5, 0);
    return /^---\r?\n/.test(buf.subarray(0, n).toString('latin1'));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** `Jekyll::Document#populate_title`: a document without a title is titled by its file name. */
export function titleFromFileName(relativePath: string): string {
  const dated = /^(?:.+\/)*?(\d{2,4}-\d{1,2}-\d{1,2})-([^/]*)(\.[^.]+)$/.exec(relativePath);
  const plain = /^(?:.+\/)*(.*)(\.[^.]+)$/.exec(relativePath);
  const slug = (dated?.[2] ?? plain?.[1] ?? posix.basename(relativePath)).replace(/\.+$/, '');
  const words = slug.split('-');
  while (words.length > 0 && words[words.length - 1] === '') words.pop();
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join(' ');
}

/** Reads one document; `undefined` when it is not one or is left out (with a diagnostic). */
function readDocument(root: string, c: Collection, entry: string, site: SiteConfig, diags: Diagnostics) {
  const source = `${c.folder}/${entry}`;
  const abs = join(root, source);
  if (!hasYamlHeader(abs)) return undefined; // a static file of the collection
  if (!MARKDOWN_EXT.test(entry)) {
    diags.warn(
      'collection/not-markdown',
      `a document of the collection "${c.label}" that is not Markdown; bookbinder renders only Markdown, so it is not in the book`,
      source,
      1,
    );
    return undefined;
  }
  const read = readMarkdownFile(root, source, diags);
  if (!read) return undefined;
  if (read.front.data.published === false) {
    diags.info(
      'collection/unpublished',
      '`published: false`: Jekyll does not read this document; it is not in the book',
      source,
      read.front.lines.published ?? 1,
    );
    return undefined;
  }
  const relativePath = `${posix.basename(c.folder)}/${entry}`;
  const rawTitle = read.front.data.title;
  // Jekyll gives every document a title (`data["title"] ||= titleize_slug(slug)`).
  const front =
    read.front.title === undefined && (rawTitle === undefined || rawTitle === null)
      ? {
          ...read.front,
          title: titleFromFileName(relativePath),
          data: { ...read.front.data, title: titleFromFileName(relativePath) },
        }
      : read.front;
  const slug = front.data.slug;
  const page: Page = {
    source,
    absPath: abs,
    ...read,
    front,
    url: documentUrl(
      {
        label: c.label,
        relativePath,
        ...(front.permalink !== undefined && { permalink: front.permalink }),
        ...((typeof slug === 'string' || typeof slug === 'number') && { slug: String(slug) }),
      },
      c.permalink,
      site.permalink,
    ),
    collection: { label: c.label, relativePath },
  };
  return page;
}

/**
 * Loads the documents of every collection, reporting collections the navigation names but
 * Jekyll does not define, and documents bookbinder cannot place.
 */
export function loadCollections(
  root: string,
  collections: readonly Collection[],
  site: SiteConfig,
  diags: Diagnostics,
): LoadedCollection[] {
  return collections.map((c) => {
    const abs = join(root, c.folder);
    const exists = existsSync(abs) && statSync(abs).isDirectory();
    if (!c.defined) {
      if (c.nav && !c.nav.navExclude)
        diags.warn(
          'collection/undefined',
          `just-the-docs lists the collection "${c.label}", but \`collections:\` does not define it, so Jekyll reads no documents for it${exists ? ` (the files in ${c.folder}/ are not in the book)` : ''}`,
          '_config.yml',
          c.nav.line,
        );
      return { ...c, absFolder: abs, docs: [] };
    }
    if (!exists) {
      if (c.nav && !c.nav.navExclude)
        diags.warn(
          'collection/missing-folder',
          `the collection "${c.label}" has no folder ${c.folder}/, so it has no documents`,
          '_config.yml',
          c.nav.line,
        );
      return { ...c, absFolder: abs, docs: [] };
    }
    const docs: Page[] = [];
    for (const entry of collectionEntries(root, c, site)) {
      const doc = readDocument(root, c, entry, site, diags);
      if (doc) docs.push(doc);
    }
    return { ...c, absFolder: abs, docs };
  });
}
