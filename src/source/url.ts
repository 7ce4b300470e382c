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
