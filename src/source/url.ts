/** Jekyll's URL for a page (`Jekyll::Page#url`), without baseurl. */
import { posix } from 'node:path';

/**
 * Computes a page's URL from its source path, its `permalink` front matter and the site's
 * permalink style, as Jekyll 3 and 4 do for pages (not posts).
 */
export function pageUrl(source: string, permalink: string | undefined, style: string): string {
  const dir = posix.dirname(source) === '.' ? '' : posix.dirname(source);
  const ext = posix.extname(source);
  const basename = posix.basename(source, ext);
  if (permalink) {
    const filled = permalink
      .replaceAll(':path', dir)
      .replaceAll(':basename', basename)
      .replaceAll(':output_ext', '.html')
      .replaceAll(':title', basename);
    return normaliseUrl(filled);
  }
  if (basename === 'index') return normaliseUrl(`/${dir}/`);
  return normaliseUrl(`/${dir}/${basename}${permalinkSuffix(style)}`);
}

/** `Jekyll::Utils.add_permalink_suffix` for a page template. */
function permalinkSuffix(style: string): string {
  if (style === 'pretty' || style.endsWith('/')) return '/';
  if (style.endsWith(':output_ext')) return '.html';
  if (['date', 'none', 'ordinal', 'weekdate'].includes(style) || style === '') return '.html';
  return '';
}

/** Collapses repeated slashes and makes sure a URL starts with one. */
export function normaliseUrl(url: string): string {
  const u = `/${url}`.replace(/\/{2,}/g, '/');
  return u;
}

/**
 * The keys under which a URL is known, so `/a/b`, `/a/b/`, `/a/b.html` and `/a/b/index.html`
 * all find the same page (GitHub Pages serves them all).
 */
export function urlKeys(url: string): string[] {
  let u = safeDecode(url.split('#')[0]?.split('?')[0] ?? '');
  if (!u.startsWith('/')) u = `/${u}`;
  u = u.replace(/\/{2,}/g, '/');
  u = u.replace(/\/index\.html?$/, '/');
  u = u.replace(/\.html?$/, '');
  u = u.replace(/\/$/, '');
  return [u === '' ? '/' : u];
}

function safeDecode(s: string): string {
  try {
    return decodeURI(s);
  } catch {
    return s;
  }
}

/** What Jekyll's URL placeholders of a collection document are computed from. */
export interface DocumentUrlInput {
  /** The collection's label. */
  readonly label: string;
  /** Jekyll's `relative_path` of the document (`_label/sub/name.md`). */
  readonly relativePath: string;
  /** The document's own `permalink` front matter. */
  readonly permalink?: string;
  /** The document's `slug` front matter. */
  readonly slug?: string;
}

/**
 * Jekyll's URL for a collection document (`Jekyll::Document#url`): its own `permalink`, else
 * the collection's `permalink` template, else `/:collection/:path` with the ending of the
 * site's permalink style (`.html` for the default `date` style, `/` for `pretty`).
 */
export function documentUrl(doc: DocumentUrlInput, template: string | undefined, style: string): string {
  const ext = posix.extname(doc.relativePath);
  const basename = posix.basename(doc.relativePath, ext);
  const placeholders: Record<string, string> = {
    collection: doc.label,
    path: doc.relativePath
      .slice(0, doc.relativePath.length - ext.length)
      .replace(`_${doc.label}`, '')
      .replace(/\.+$/, ''),
    name: slugify(basename, false),
    title: slugify(doc.slug ?? basename, true, true),
    slug: slugify(doc.slug ?? basename, false),
    output_ext: '.html',
    categories: '',
  };
  const chosen = doc.permalink || template || `/:collection/:path${documentSuffix(style)}`;
  const filled = chosen.replace(/:([a-z_]+)/g, (match, name: string) => {
    const key = name in placeholders ? name : name.replace(/_$/, '');
    return placeholders[key] ?? match;
  });
  // `Jekyll::URL#sanitize_url`.
  return `/${filled}`
    .replaceAll('..', '/')
    .replaceAll('./', '')
    .replace(/\/{2,}/g, '/');
}

/** `Jekyll::Utils.add_permalink_suffix` for a collection's default template. */
function documentSuffix(style: string): string {
  if (style === 'pretty') return '/';
  if (style === 'date' || style === 'ordinal' || style === 'none') return ':output_ext';
  if (style.endsWith('/')) return '/';
  return style.endsWith(':output_ext') ? ':output_ext' : '';
}

/** `Jekyll::Utils.slugify` in its default mode, or `pretty` mode (which keeps `._~!$&'()+,;=@`). */
function slugify(text: string, pretty: boolean, cased = false): string {
  const re = pretty ? /[^\p{M}\p{L}\p{Nd}._~!$&'()+,;=@]+/gu : /[^\p{M}\p{L}\p{Nd}]+/gu;
  const slug = text.replace(re, '-').replace(/^-|-$/g, '');
  return cased ? slug : slug.toLowerCase();
}
