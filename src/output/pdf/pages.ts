/**
 * What each page of the book is (title, front matter, body, blank; its label; its chapter), and
 * the names of the destinations that tell where chapters start: Chromium writes a named
 * destination for every link target, and the stitched book links every chapter and heading.
 */

/** A PDF name's text: `#xx` escapes are bytes of its UTF-8 encoding (as Chromium writes ids). */
export function decodePdfName(name: string): string {
  const bytes: number[] = [];
  const raw = name.replace(/^\//, '');
  for (let i = 0; i < raw.length; i++) {
    const hex = raw[i] === '#' ? /^[0-9a-fA-F]{2}/.exec(raw.slice(i + 1, i + 3)) : null;
    if (hex) {
      bytes.push(Number.parseInt(hex[0], 16));
      i += 2;
    } else bytes.push(raw.charCodeAt(i) & 0xff);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return String.fromCharCode(...bytes);
  }
}

/** What a page is, for page numbers, running heads and labels. */
export interface PageInfo {
  readonly kind: 'title' | 'front' | 'body' | 'blank';
  /** The number printed on it (lower-case roman in the front matter, arabic in the body). */
  readonly label: string;
  /** Index into the book's chapters of the chapter the page belongs to (body pages). */
  readonly chapter?: number;
  /** The page a chapter opens on: no running head. */
  readonly opening: boolean;
}

/** Lower-case roman numerals, for the front matter. */
export function roman(n: number): string {
  const table: [number, string][] = [
    [1000, 'm'],
    [900, 'cm'],
    [500, 'd'],
    [400, 'cd'],
    [100, 'c'],
    [90, 'xc'],
    [50, 'l'],
    [40, 'xl'],
    [10, 'x'],
    [9, 'ix'],
    [5, 'v'],
    [4, 'iv'],
    [1, 'i'],
  ];
  let out = '';
  for (const [v, s] of table) {
    while (n >= v) {
      out += s;
      n -= v;
    }
  }
  return out;
}

/**
 * Plans every page: the front matter is everything before the first chapter (the title page
 * first), numbered i, ii, …; the body is numbered from 1. `starts` holds each chapter's first
 * page in book order (undefined when it was not found); `blankBefore` the chapters that have a
 * blank page inserted before them; `titleVerso` says the title page's back (page 2) is left
 * blank, so that the contents open on a right-hand page.
 */
export function planPages(
  pageCount: number,
  starts: readonly (number | undefined)[],
  blankBefore: ReadonlySet<number> = new Set(),
  titleVerso = false,
): PageInfo[] {
  const firstBody = starts.find((s) => s !== undefined) ?? pageCount + 1;
  const frontCount = firstBody - 1;
  const opening = new Map<number, number>();
  starts.forEach((s, i) => {
    if (s !== undefined) opening.set(s, i);
  });
  const blanks = new Set([...blankBefore].map((i) => (starts[i] ?? 0) - 1).filter((p) => p >= 1));
  const out: PageInfo[] = [];
  let chapter: number | undefined;
  for (let p = 1; p <= pageCount; p++) {
    const opens = opening.get(p);
    if (opens !== undefined) chapter = opens;
    if (p <= frontCount) {
      const verso = titleVerso && p === 2;
      const kind = p === 1 ? 'title' : blanks.has(p) || verso ? 'blank' : 'front';
      out.push({ kind, label: roman(p), opening: p === (titleVerso ? 3 : 2) });
    } else {
      out.push({
        kind: blanks.has(p) ? 'blank' : 'body',
        label: String(p - frontCount),
        ...(chapter !== undefined && { chapter }),
        opening: opens !== undefined,
      });
    }
  }
  return out;
}
