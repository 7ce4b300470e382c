/**
 * Where things are in a laid-out PDF, and what each page is. Chromium writes a named destination
 * (`/Dests`) for every link target; the stitched book links every chapter and heading, so the
 * destinations tell where each starts. These functions work on any PDFDocument (a whole book or
 * merged chunks), so page discovery stays separate from printing.
 */
import { PDFArray, PDFDict, type PDFDocument, PDFName, PDFNumber, PDFRef } from 'pdf-lib';

/** A named destination: the 1-based page it points at and the destination array itself. */
export interface Destination {
  readonly page: number;
  readonly array: PDFArray;
}

/** Reads `/Dests` into destinations by id. */
export function readDestinations(doc: PDFDocument): Map<string, Destination> {
  const pageIndex = new Map<string, number>();
  doc.getPages().forEach((p, i) => {
    pageIndex.set(p.ref.toString(), i + 1);
  });
  const out = new Map<string, Destination>();
  const dests = doc.catalog.lookup(PDFName.of('Dests'));
  if (!(dests instanceof PDFDict)) return out;
  for (const [key, value] of dests.entries()) {
    const arr = value instanceof PDFRef ? doc.context.lookup(value) : value;
    if (!(arr instanceof PDFArray)) continue;
    const ref = arr.get(0);
    const page = ref instanceof PDFRef ? pageIndex.get(ref.toString()) : undefined;
    if (page !== undefined) out.set(decodePdfName(key.asString()), { page, array: arr });
  }
  return out;
}

/** Reads `/Dests` into 1-based page indices by id. */
export function destinationPages(doc: PDFDocument): Map<string, number> {
  return new Map([...readDestinations(doc)].map(([id, d]) => [id, d.page]));
}

/** A PDF name's text: `#xx` escapes are bytes of its UTF-8 encoding (as Chromium writes ids). */
function decodePdfName(name: string): string {
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
 * blank page inserted before them.
 */
export function planPages(
  pageCount: number,
  starts: readonly (number | undefined)[],
  blankBefore: ReadonlySet<number> = new Set(),
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
      const kind = p === 1 ? 'title' : blanks.has(p) ? 'blank' : 'front';
      out.push({ kind, label: roman(p), opening: p === 2 });
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

/** Writes `/PageLabels`: lower-case roman for the front matter, then arabic from 1. */
export function writePageLabels(doc: PDFDocument, frontCount: number): void {
  const nums = PDFArray.withContext(doc.context);
  const range = (start: number, style: 'r' | 'D'): void => {
    nums.push(PDFNumber.of(start));
    nums.push(doc.context.obj({ S: PDFName.of(style) }));
  };
  if (frontCount > 0) range(0, 'r');
  if (doc.getPageCount() > frontCount) range(frontCount, 'D');
  const labels = doc.context.obj({ Nums: nums });
  doc.catalog.set(PDFName.of('PageLabels'), labels);
}
