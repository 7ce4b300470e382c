/**
 * Resolves the links and images a page wrote — site paths with or without baseurl, paths
 * relative to the page URL, relative `.md` paths, the site's full URL — to chapters of the
 * book (`bbref:ID#fragment`) or assets inside the source folder (`bbasset:path`).
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { posix, relative, resolve as resolvePath, sep } from 'node:path';
import type { Diagnostics } from '../diagnostics.js';
import type { RefResolver } from '../markdown/links.js';
import type { Asset, Chapter, Page, RenderedChapter, SiteConfig } from '../model.js';
import { urlKeys } from '../source/url.js';

/** Book-wide lookup tables for resolving references. */
export interface LinkIndex {
  readonly byUrl: ReadonlyMap<string, Chapter>;
  readonly bySource: ReadonlyMap<string, Chapter>;
  /** Every page of the site (in the book or not), to tell "outside the book" from "nothing". */
  readonly pagesByUrl: ReadonlyMap<string, Page>;
  readonly pagesBySource: ReadonlyMap<string, Page>;
  /** Paths already looked up in the source folder: a book shows the same images on many pages. */
  readonly files: Map<string, string | undefined>;
}

/** Builds the lookup tables from the book's chapters and all pages of the site. */
export function buildLinkIndex(chapters: readonly Chapter[], pages: readonly Page[]): LinkIndex {
  const byUrl = new Map<string, Chapter>();
  const bySource = new Map<string, Chapter>();
  for (const c of chapters) {
    // A collection's heading has no URL: no link can point at it.
    if (c.page.collectionPart !== undefined) continue;
    for (const k of urlKeys(c.page.url)) if (!byUrl.has(k)) byUrl.set(k, c);
    bySource.set(c.page.source, c);
  }
  const pagesByUrl = new Map<string, Page>();
  const pagesBySource = new Map<string, Page>();
  for (const p of pages) {
    for (const k of urlKeys(p.url)) if (!pagesByUrl.has(k)) pagesByUrl.set(k, p);
    pagesBySource.set(p.source, p);
  }
  return { byUrl, bySource, pagesByUrl, pagesBySource, files: new Map() };
}

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
const UNSAFE_SCHEME = /^\s*(javascript|vbscript|data|file):/i;

/** Everything a resolver needs for one chapter. */
export interface ResolveInput {
  readonly chapter: Chapter;
  readonly index: LinkIndex;
  readonly site: SiteConfig;
  readonly root: string;
  readonly diags: Diagnostics;
  /** Collects the assets the chapter uses. */
  readonly assets: Map<string, Asset>;
  /** Collects every `#fragment` pointing into a chapter, checked once all chapters have ids. */
  readonly fragments?: FragmentRef[];
  /** Keep http(s) image URLs (`--allow-remote`); otherwise they become missing images. */
  readonly allowRemote?: boolean;
}

/** A link to a heading or id of a chapter, kept to check that the id exists. */
export interface FragmentRef {
  readonly chapterId: string;
  /** The fragment as written, without `#`, percent-decoded. */
  readonly fragment: string;
  readonly written: string;
  readonly file: string;
  readonly line: number;
}

/** Marks a link whose target is not in the book: outputs keep its text and drop the href. */
export const DEAD_LINK = 'bbdead:';

/** Makes the reference resolver for one chapter. */
export function makeResolver(input: ResolveInput): RefResolver {
  const { chapter, site, diags } = input;
  const page = chapter.page;
  return (kind, raw, line) => {
    const value = raw.trim();
    const fileLine = page.bodyLine + line;
    if (kind === 'src') return resolveSrc(input, value, fileLine);
    const ref = (target: Chapter): string => {
      const fragment = fragmentOf(value);
      if (fragment.length > 1)
        input.fragments?.push({
          chapterId: target.id,
          fragment: safeDecode(fragment.slice(1)),
          written: value,
          file: page.source,
          line: fileLine,
        });
      return `bbref:${target.id}${fragment}`;
    };
    if (value === '' || value.startsWith('#')) return ref(chapter);
    if (UNSAFE_SCHEME.test(value)) {
      diags.warn('link/unsafe', `link to a ${value.split(':')[0]}: URL removed`, page.source, fileLine);
      return '#';
    }
    const sitePath = toSitePath(value, site);
    if (sitePath === undefined) return value.startsWith('//') ? `https:${value}` : value;
    const target = findChapter(input, value, sitePath);
    if (target) return ref(target);
    const outside = findPage(input, value, sitePath);
    if (outside && site.url) return `${site.url}${site.baseurl}${encodeURI(outside.url)}${fragmentOf(value)}`;
    if (outside) {
      diags.warn(
        'link/outside-book',
        `link to ${value} points at a page that is not in this book, and _config.yml has no \`url\` to link to it on the web`,
        page.source,
        fileLine,
      );
      return DEAD_LINK + value;
    }
    const file = staticFile(input, sitePath);
    if (file && site.url) return `${site.url}${site.baseurl}/${encodeURI(file)}${fragmentOf(value)}`;
    if (file) {
      diags.warn(
        'link/outside-book',
        `link to ${value} points at the file ${file}, which is not a page of the book, and _config.yml has no \`url\` to link to it on the web`,
        page.source,
        fileLine,
      );
      return DEAD_LINK + value;
    }
    // A full web address stays a working web link when no page or file of the book matches it
    // (it may be another site on the same host, outside the baseurl).
    if (site.url && (value === site.url || value.startsWith(`${site.url}/`))) return value;
    diags.warn('link/unresolved', `link to ${value} matches no page of the site`, page.source, fileLine);
    return DEAD_LINK + value;
  };
}

function fragmentOf(href: string): string {
  const i = href.indexOf('#');
  return i === -1 ? '' : href.slice(i);
}

/**
 * The site path (`/docs/x/`) a link points at, relative to the current page, or undefined for a
 * link that leaves the site (another host, `mailto:`…).
 */
function toSitePath(value: string, site: SiteConfig): string | undefined {
  let v = value;
  if (site.url && (v === site.url || v.startsWith(`${site.url}/`))) v = v.slice(site.url.length) || '/';
  if (v.startsWith('//') || SCHEME.test(v)) return undefined;
  const path = v.split('#')[0]!.split('?')[0]!;
  if (site.baseurl && (path === site.baseurl || path.startsWith(`${site.baseurl}/`))) {
    return path.slice(site.baseurl.length) || '/';
  }
  return path;
}

/** `decodeURIComponent`, or the text as it is when it is not valid percent-encoding. */
export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function candidates(
  input: ResolveInput,
  value: string,
  sitePath: string,
): { urls: string[]; sources: string[] } {
  const page = input.chapter.page;
  const sourceDir = posix.dirname(page.source);
  if (sitePath === '') return { urls: [page.url], sources: [] };
  // `/x/page.md/` is a slip for `/x/page.md`: its author meant the page, so the book takes it.
  if (sitePath.startsWith('/'))
    return {
      urls: [sitePath],
      sources: [safeDecode(sitePath.slice(1)).replace(/\.(md|markdown)\/$/, '.$1')],
    };
  const fromUrl = new URL(sitePath, `http://site${page.url}`).pathname;
  const fromSource = posix
    .normalize(posix.join(sourceDir, safeDecode(sitePath)))
    .replace(/\.(md|markdown)\/$/, '.$1');
  void value;
  return { urls: [fromUrl], sources: [fromSource] };
}

function findChapter(input: ResolveInput, value: string, sitePath: string): Chapter | undefined {
  const { urls, sources } = candidates(input, value, sitePath);
  for (const s of sources) {
    const c = input.index.bySource.get(s);
    if (c) return c;
  }
  for (const u of urls) {
    for (const k of urlKeys(u)) {
      const c = input.index.byUrl.get(k);
      if (c) return c;
    }
  }
  return undefined;
}

function findPage(input: ResolveInput, value: string, sitePath: string): Page | undefined {
  const { urls, sources } = candidates(input, value, sitePath);
  for (const s of sources) {
    const p = input.index.pagesBySource.get(s);
    if (p) return p;
  }
  for (const u of urls) {
    for (const k of urlKeys(u)) {
      const p = input.index.pagesByUrl.get(k);
      if (p) return p;
    }
  }
  return undefined;
}

/** A file inside the source folder (never outside it, also through symlinks), looked up once. */
function insideRoot(input: ResolveInput, rel: string): string | undefined {
  const files = input.index.files;
  if (!files.has(rel)) files.set(rel, lookUp(input.root, rel));
  return files.get(rel);
}

function lookUp(root: string, rel: string): string | undefined {
  const abs = resolvePath(root, rel);
  const relToRoot = relative(root, abs);
  if (relToRoot.startsWith('..') || relToRoot === '' || resolvePath(relToRoot) === relToRoot)
    return undefined;
  if (!existsSync(abs)) return undefined;
  try {
    const real = realpathSync(abs);
    const realRoot = realpathSync(root);
    if (real !== realRoot && !real.startsWith(realRoot + sep)) return undefined;
    if (!statSync(real).isFile()) return undefined;
  } catch {
    return undefined;
  }
  return relToRoot.split(sep).join('/');
}

/** A file of the site (not a page) a link points at: by site path, page URL or source folder. */
function staticFile(input: ResolveInput, sitePath: string): string | undefined {
  const page = input.chapter.page;
  const tries = sitePath.startsWith('/')
    ? [sitePath.slice(1)]
    : [
        new URL(sitePath, `http://site${page.url}`).pathname.slice(1),
        posix.normalize(posix.join(posix.dirname(page.source), sitePath)),
      ];
  for (const t of tries) {
    const decoded = safeDecode(t);
    if (decoded.startsWith('..')) continue;
    const found = insideRoot(input, decoded);
    if (found) return found;
  }
  return undefined;
}

function resolveSrc(input: ResolveInput, value: string, fileLine: number): string {
  const { chapter, diags, site } = input;
  const page = chapter.page;
  if (value.startsWith('data:image/')) return value;
  if (UNSAFE_SCHEME.test(value)) {
    diags.warn('image/unsafe', `image source ${value.slice(0, 40)} refused`, page.source, fileLine);
    return '';
  }
  const sitePath = toSitePath(value, site);
  if (sitePath === undefined) {
    const url = value.startsWith('//') ? `https:${value}` : value;
    // With --allow-remote we fetch it ourselves (compose/remote.ts); never the EPUB packager.
    if (input.allowRemote && /^https?:/i.test(url)) return url;
    diags.warn(
      'image/remote',
      `remote image ${value} is not included (only files inside the source folder are; --allow-remote fetches http(s) images)`,
      page.source,
      fileLine,
    );
    return `bbmissing:${url}`;
  }
  const tries: string[] = [];
  if (sitePath.startsWith('/')) tries.push(safeDecode(sitePath.slice(1)));
  else {
    tries.push(safeDecode(new URL(sitePath, `http://site${page.url}`).pathname.slice(1)));
    tries.push(posix.normalize(posix.join(posix.dirname(page.source), safeDecode(sitePath))));
    tries.push(posix.normalize(safeDecode(sitePath)));
  }
  for (const t of tries) {
    if (t.startsWith('..')) continue;
    const rel = insideRoot(input, t);
    if (rel) {
      input.assets.set(rel, { source: rel, absPath: resolvePath(input.root, rel) });
      return `bbasset:${rel}`;
    }
  }
  const leaves = sitePath.startsWith('..') || tries.every((t) => t.startsWith('..'));
  diags.warn(
    leaves ? 'image/outside-root' : 'image/missing',
    leaves
      ? `image ${value} is outside the source folder; it is not included`
      : `image ${value} not found in the source folder`,
    page.source,
    fileLine,
  );
  return `bbmissing:${value}`;
}

/**
 * Warns about fragments that name no heading or id of their chapter (the outputs then link to
 * the chapter's start). `#top` means the top of the page in every browser, so it is never wrong.
 */
export function checkFragments(
  refs: readonly FragmentRef[],
  chapters: readonly RenderedChapter[],
  diags: Diagnostics,
): void {
  const byId = new Map(chapters.map((c) => [c.chapter.id, c]));
  for (const r of refs) {
    const target = byId.get(r.chapterId);
    if (!target || r.fragment in target.anchors || r.fragment.toLowerCase() === 'top') continue;
    diags.warn(
      'link/missing-anchor',
      `link to ${r.written}: "${target.chapter.title}" has no heading or id \`${r.fragment}\`; the link goes to the start of that chapter`,
      r.file,
      r.line,
    );
  }
}
