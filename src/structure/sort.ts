/**
 * just-the-docs' sibling order (`_includes/nav/sorted.html` with Jekyll's `sort` filter):
 * numeric `nav_order`, then string `nav_order`, then number titles, then the rest by title.
 */
import type { Page, SiteConfig } from '../model.js';

/** Which of the four runs a page sorts in, and its key there. */
interface SortKey {
  readonly run: 0 | 1 | 2 | 3;
  readonly value: number | string;
}

const INTEGER_LIKE = /^\s*-?\d+\s*$/;
const FLOAT_LIKE = /^\s*-?(?:\d+\.?\d*|\.\d+)\s*$/;

function keyOf(page: Page): SortKey {
  const { navOrder, title = '', titleIsNumber } = page.front;
  if (typeof navOrder === 'number') return { run: 0, value: navOrder };
  if (typeof navOrder === 'string') return { run: 1, value: navOrder };
  if (titleIsNumber) return { run: 2, value: Number(title) };
  return { run: 3, value: title };
}

/** Ruby's byte-wise `String#<=>`. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** ASCII-only case folding, as Liquid's `sort_natural` does (via `casecmp`). */
function foldAscii(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * Jekyll 4's `sort` turns integer- or float-looking strings into numbers first
 * (`parse_sort_input`); number against string falls back to comparing their text.
 */
function compareJekyll4(a: string, b: string): number {
  const na = FLOAT_LIKE.test(a) || INTEGER_LIKE.test(a) ? Number(a) : undefined;
  const nb = FLOAT_LIKE.test(b) || INTEGER_LIKE.test(b) ? Number(b) : undefined;
  if (na !== undefined && nb !== undefined) return na - nb;
  return compareBytes(a.trim(), b.trim());
}

/** Compares two strings the way the site's Jekyll and `nav_sort` setting do. */
export function compareStrings(
  a: string,
  b: string,
  site: Pick<SiteConfig, 'navSort' | 'jekyllVersion'>,
): number {
  if (site.navSort === 'case_insensitive') return compareBytes(foldAscii(a), foldAscii(b));
  return site.jekyllVersion === 4 ? compareJekyll4(a, b) : compareBytes(a, b);
}

function compareKeys(a: SortKey, b: SortKey, site: Pick<SiteConfig, 'navSort' | 'jekyllVersion'>): number {
  if (a.run !== b.run) return a.run - b.run;
  if (typeof a.value === 'number' && typeof b.value === 'number') return a.value - b.value;
  return compareStrings(String(a.value), String(b.value), site);
}

/** A group of siblings whose sort keys are equal (their order is not defined by the theme). */
export interface Tie {
  readonly pages: readonly Page[];
}

/**
 * Sorts siblings as just-the-docs does. Equal keys keep source-path order (the theme leaves it
 * undefined); each such group is returned in `ties` so the caller can warn.
 */
export function sortSiblings(
  pages: readonly Page[],
  site: Pick<SiteConfig, 'navSort' | 'jekyllVersion'>,
): { sorted: Page[]; ties: Tie[] } {
  const keyed = pages.map((page) => ({ page, key: keyOf(page) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key, site) || compareBytes(a.page.source, b.page.source));
  const ties: Tie[] = [];
  for (let i = 0; i < keyed.length;) {
    let j = i + 1;
    while (j < keyed.length && compareKeys(keyed[i]!.key, keyed[j]!.key, site) === 0) j++;
    if (j - i > 1) ties.push({ pages: keyed.slice(i, j).map((k) => k.page) });
    i = j;
  }
  return { sorted: keyed.map((k) => k.page), ties };
}
