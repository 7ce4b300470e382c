/**
 * Finds a site's pages: every `.md`/`.markdown` file that Jekyll would render as a page, read
 * once, decoded strictly, with front matter split off and validated.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Diagnostics } from '../diagnostics.js';
import type { FrontMatter, Page, SiteConfig } from '../model.js';
import { readFrontMatter, splitFrontMatter } from './front-matter.js';
import { describeProblem, findSiteFile } from './site-files.js';
import { pageUrl } from './url.js';

const MARKDOWN_EXT = /\.(md|markdown|mkdown|mkdn|mkd)$/i;
/** Folders Jekyll never reads (or that only hold tooling), whatever `_config.yml` says. */
const ALWAYS_SKIPPED = new Set(['_site', 'node_modules', 'vendor', '.git', '.jekyll-cache', '.sass-cache']);

/**
 * Lists the Markdown files under `root` that Jekyll would consider, sorted by path. Entries with
 * a Markdown name that are neither files nor links (a FIFO, a socket, a device) are never read:
 * reading a FIFO would wait forever. They are reported to `notFiles` when it is given.
 */
export function findMarkdownFiles(root: string, site: SiteConfig, notFiles?: string[]): string[] {
  const found: string[] = [];
  const walk = (rel: string): void => {
    const entries = readdirSync(join(root, rel), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (isSkipped(path, entry.name, entry.isDirectory(), site)) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && MARKDOWN_EXT.test(entry.name)) found.push(path);
      else if (entry.isSymbolicLink() && MARKDOWN_EXT.test(entry.name)) found.push(path);
      else if (MARKDOWN_EXT.test(entry.name)) notFiles?.push(path);
    }
  };
  walk('');
  return found;
}

/** Whether Jekyll leaves `path` (relative to the site) out of the site: `_`/`.` names, `exclude`. */
export function isSkipped(path: string, name: string, isDir: boolean, site: SiteConfig): boolean {
  if (isDir && ALWAYS_SKIPPED.has(name)) return true;
  if (site.include.some((p) => matchesJekyllPattern(path, p))) return false;
  if (/^[_.#~]/.test(name) || name.endsWith('~')) return true;
  return site.exclude.some((p) => matchesJekyllPattern(path, p));
}

/** Jekyll's `exclude`/`include` matching: a path, a folder prefix, or an fnmatch glob. */
export function matchesJekyllPattern(path: string, pattern: string): boolean {
  const p = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
  if (p === '') return false;
  if (path === p || path.startsWith(`${p}/`)) return true;
  if (!/[*?[]/.test(p)) return false;
  const re = new RegExp(
    `^${p
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
  return re.test(path) || re.test(posix.basename(path));
}

/** Reads and decodes one file; reports binary or non-UTF-8 content instead of guessing. */
function readText(root: string, file: string, diags: Diagnostics): string | undefined {
  let bytes: Buffer;
  const found = findSiteFile(root, file);
  if ('problem' in found) {
    // Links are refused before this; a path can still change between the listing and now.
    if (found.problem === 'missing') return undefined;
    const code = found.problem === 'outside' ? 'source/outside-site' : 'source/unreadable';
    diags.error(code, `the file ${describeProblem(found.problem)}; it is left out of the book`, file, 0);
    return undefined;
  }
  try {
    bytes = readFileSync(found.real);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    diags.error('source/unreadable', `cannot read the file (${code}); it is left out of the book`, file, 0);
    return undefined;
  }
  if (bytes.includes(0)) {
    diags.warn(
      'source/binary',
      'the file holds binary data (a NUL byte); it is left out of the book',
      file,
      0,
    );
    return undefined;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const line = firstInvalidUtf8Line(bytes);
    diags.error('source/not-utf8', 'the file is not valid UTF-8; it is left out of the book', file, line);
    return undefined;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return withoutControlCharacters(text.replace(/\r\n?/g, '\n'), file, diags);
}

// Characters XML 1.0 forbids: one of them makes an EPUB document unreadable to e-readers.
const NOT_XML = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const HAS_NOT_XML = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/** Removes characters no XML document may hold (C0 controls, U+FFFE/U+FFFF), with a warning. */
function withoutControlCharacters(text: string, file: string, diags: Diagnostics): string {
  const first = text.search(NOT_XML);
  if (first === -1) return text;
  const line = text.slice(0, first).split('\n').length;
  const count = text.match(NOT_XML)?.length ?? 0;
  diags.warn(
    'source/control-characters',
    `${count} control character${count === 1 ? '' : 's'} (e.g. U+${text.charCodeAt(first).toString(16).toUpperCase().padStart(4, '0')}) removed: no output format can hold them`,
    file,
    line,
  );
  return text.replace(NOT_XML, '');
}

function firstInvalidUtf8Line(bytes: Buffer): number {
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
  }
  return 1;
}

/**
 * `title: ""` is a title to just-the-docs (it lists the page, with an empty link), so the page
 * stays in the book under its first heading, or else its file name. A page with no title at all
 * (or `title:` with no value, which is nil) stays out, as in just-the-docs' navigation.
 */
function withFallbackTitle(front: FrontMatter, body: string, file: string, diags: Diagnostics): FrontMatter {
  if (front.title !== undefined && HAS_NOT_XML.test(front.title)) {
    // A YAML escape ("\u0002") can put in a title what the file itself could not hold.
    diags.warn(
      'source/control-characters',
      'control characters removed from the title',
      file,
      front.lines.title ?? 1,
    );
    return { ...front, title: front.title.replace(NOT_XML, '') };
  }
  if (front.title !== undefined || typeof front.data.title !== 'string') return front;
  const heading = /^ {0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/m.exec(body)?.[1];
  const clean = heading
    ?.replace(/\s*\{:?[^}]*\}\s*$/, '')
    .replace(/[*_`]/g, '')
    .trim();
  const title = clean || posix.basename(file).replace(/\.[^.]+$/, '');
  diags.warn(
    'front-matter/empty-title',
    `\`title\` is empty; the page is titled "${title}" (its ${clean ? 'first heading' : 'file name'})`,
    file,
    front.lines.title ?? 1,
  );
  return { ...front, title };
}

/** A Markdown file read as Jekyll reads a page or a document: front matter split off and checked. */
export interface ReadFile {
  readonly front: FrontMatter;
  readonly body: string;
  readonly bodyLine: number;
}

/**
 * Reads one Markdown file of the site (path relative to `root`). Symbolic links, unreadable
 * files and files without front matter give `undefined`, with a diagnostic where one is due.
 */
export function readMarkdownFile(root: string, file: string, diags: Diagnostics): ReadFile | undefined {
  const absPath = join(root, file);
  try {
    if (lstatSync(absPath).isSymbolicLink()) {
      diags.warn('source/symlink', 'the file is a symbolic link; it is not followed', file, 0);
      return undefined;
    }
  } catch {
    return undefined;
  }
  const text = readText(root, file, diags);
  if (text === undefined) return undefined;
  const split = splitFrontMatter(text);
  if (split.kind === 'not-a-page') {
    if (split.reason === 'not-yaml') {
      diags.info(
        'front-matter/not-yaml',
        `the file opens with \`${text.split('\n', 1)[0]!.slice(0, 20)}\`, which Jekyll does not read as front matter (it is never run); the file is not a page`,
        file,
        1,
      );
    }
    if (split.reason === 'unclosed') {
      diags.warn(
        'front-matter/unclosed',
        'front matter opens with `---` but never closes; Jekyll does not render this file as a page',
        file,
        1,
      );
    }
    return undefined;
  }
  if (split.kind === 'invalid') {
    diags.error(split.code, `${split.message}; the page is left out of the book`, file, split.line);
    return undefined;
  }
  const read = readFrontMatter(split.data, split.titleSource, split.keyLines, file, diags);
  const front = withFallbackTitle(read, split.body, file, diags);
  return { front, body: split.body, bodyLine: split.bodyLine };
}

/** Loads every page of the site under `root`. Files without front matter are not pages. */
export function loadPages(root: string, site: SiteConfig, diags: Diagnostics): Page[] {
  const pages: Page[] = [];
  const notFiles: string[] = [];
  const files = findMarkdownFiles(root, site, notFiles);
  for (const file of notFiles)
    diags.info('source/not-a-file', 'not a regular file (a FIFO, socket or device); it is not read', file, 0);
  for (const file of files) {
    const read = readMarkdownFile(root, file, diags);
    if (!read) continue;
    pages.push({
      source: file,
      absPath: join(root, file),
      ...read,
      url: pageUrl(file, read.front.permalink, site.permalink),
    });
  }
  return pages;
}
