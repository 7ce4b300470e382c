/**
 * Parsers for what poppler and qpdf print about a PDF: `pdftotext -bbox-layout` (words with
 * their boxes), `pdffonts` (the font table), `qpdf --json` (the outline) and binary PGM images
 * from `pdftoppm -gray` (where the ink is). Pure functions of the tools' output, so the checks
 * are tested on small synthetic inputs without a PDF.
 */

/** A box in PDF points, origin at the top left of the page (pdftotext's convention). */
export interface Box {
  readonly xMin: number;
  readonly yMin: number;
  readonly xMax: number;
  readonly yMax: number;
}

/** One word of the text layer. */
export interface Word extends Box {
  readonly text: string;
}

/** One line of the text layer, its words in reading order. */
export interface Line extends Box {
  readonly words: readonly Word[];
}

/** One page of the text layer. */
export interface TextPage {
  /** 1-based page index in the file. */
  readonly index: number;
  readonly width: number;
  readonly height: number;
  readonly lines: readonly Line[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (all, e: string) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(n) ? String.fromCodePoint(n) : all;
    }
    return ENTITIES[e] ?? all;
  });
}

function attrs(tag: string): Box {
  const n = (name: string): number => Number(new RegExp(`${name}="([-0-9.e]+)"`).exec(tag)?.[1] ?? NaN);
  return { xMin: n('xMin'), yMin: n('yMin'), xMax: n('xMax'), yMax: n('yMax') };
}

/**
 * Reads the XHTML of `pdftotext -bbox-layout` into pages of lines of words. Blocks and flows
 * are dropped: the checks need lines and where they are. Whitespace-only words are skipped.
 */
export function parseBboxLayout(xhtml: string): TextPage[] {
  const pages: TextPage[] = [];
  const pageRe = /<page width="([0-9.]+)" height="([0-9.]+)">([\s\S]*?)<\/page>/g;
  for (const pm of xhtml.matchAll(pageRe)) {
    const lines: Line[] = [];
    for (const lm of pm[3]!.matchAll(/<line ([^>]*)>([\s\S]*?)<\/line>/g)) {
      const words: Word[] = [];
      for (const wm of lm[2]!.matchAll(/<word ([^>]*)>([\s\S]*?)<\/word>/g)) {
        const text = unescapeXml(wm[2]!);
        if (text.trim()) words.push({ ...attrs(wm[1]!), text });
      }
      if (words.length > 0) lines.push({ ...attrs(lm[1]!), words });
    }
    pages.push({ index: pages.length + 1, width: Number(pm[1]), height: Number(pm[2]), lines });
  }
  return pages;
}

/** One row of `pdffonts`. */
export interface PdfFontRow {
  /** The font's name without its subset tag (`NotoSerif-Italic`), or `[none]`. */
  readonly name: string;
  /** The font type as pdffonts names it: `Type 3`, `CID TrueType`, `Type 1C`… */
  readonly type: string;
  readonly embedded: boolean;
}

/**
 * Reads the table `pdffonts` prints. Columns are located from the dashed rule under the
 * header, since names and types both contain spaces.
 */
export function parsePdfFonts(table: string): PdfFontRow[] {
  const lines = table.split(/\r?\n/);
  const ruleAt = lines.findIndex((l) => /^-+ -+/.test(l));
  if (ruleAt < 0) return [];
  const cols: [number, number][] = [];
  for (const m of lines[ruleAt]!.matchAll(/-+/g)) cols.push([m.index, m.index + m[0].length]);
  const cell = (l: string, i: number): string => {
    const c = cols[i];
    return c ? l.slice(c[0], c[1] + 1).trim() : '';
  };
  return lines
    .slice(ruleAt + 1)
    .filter((l) => l.trim())
    .map((l) => ({
      name: cell(l, 0).replace(/^[A-Z]{6}\+/, ''),
      type: cell(l, 1),
      embedded: cell(l, 3) === 'yes',
    }));
}

/** One entry of the PDF outline (bookmarks), flattened in document order. */
export interface OutlineEntry {
  readonly title: string;
  /** 1-based page the bookmark points at. */
  readonly page: number;
  /** 0 for top-level bookmarks. */
  readonly depth: number;
  /** The top of the destination in PDF points from the page's bottom, when the bookmark gives one. */
  readonly top?: number;
}

/** Reads the outline from `qpdf --json` (version 2) output, depth first. */
export function parseQpdfOutline(json: unknown): OutlineEntry[] {
  const out: OutlineEntry[] = [];
  const walk = (list: unknown, depth: number): void => {
    if (!Array.isArray(list)) return;
    for (const item of list as unknown[]) {
      if (item === null || typeof item !== 'object') continue;
      const o = item as { title?: unknown; destpageposfrom1?: unknown; kids?: unknown; dest?: unknown };
      // An /XYZ destination is [page /XYZ left top zoom]; /Fit and friends give no top.
      const dest = Array.isArray(o.dest) ? (o.dest as unknown[]) : [];
      const top = dest[1] === '/XYZ' && typeof dest[3] === 'number' ? dest[3] : undefined;
      if (typeof o.destpageposfrom1 === 'number')
        out.push({
          title: typeof o.title === 'string' ? o.title : '',
          page: o.destpageposfrom1,
          depth,
          ...(top !== undefined && { top }),
        });
      walk(o.kids, depth + 1);
    }
  };
  if (json !== null && typeof json === 'object') walk((json as { outlines?: unknown }).outlines, 0);
  return out;
}

/** A greyscale image: `width × height` bytes, 0 black, `max` white. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly max: number;
  readonly pixels: Uint8Array;
}

/** Reads a binary (P5) PGM with 8-bit samples, as `pdftoppm -gray` writes it. */
export function parsePgm(bytes: Uint8Array): GrayImage {
  // The header is four whitespace-separated tokens (comments allowed) before one whitespace byte.
  const tokens: string[] = [];
  let i = 0;
  while (tokens.length < 4 && i < bytes.length) {
    while (i < bytes.length && /\s/.test(String.fromCharCode(bytes[i]!))) i++;
    if (bytes[i] === 0x23) {
      while (i < bytes.length && bytes[i] !== 0x0a) i++;
      continue;
    }
    let t = '';
    while (i < bytes.length && !/\s/.test(String.fromCharCode(bytes[i]!)))
      t += String.fromCharCode(bytes[i++]!);
    tokens.push(t);
  }
  const [magic, w, h, max] = tokens;
  const width = Number(w);
  const height = Number(h);
  if (magic !== 'P5' || !(width > 0) || !(height > 0) || Number(max) > 255)
    throw new Error(`not an 8-bit binary PGM (header ${tokens.join(' ')})`);
  const start = i + 1;
  if (bytes.length < start + width * height) throw new Error('PGM shorter than its header says');
  return { width, height, max: Number(max), pixels: bytes.subarray(start, start + width * height) };
}

/**
 * The rows of a page image that hold ink inside a box (in points; `scale` pixels per point),
 * as the top and bottom of the inked range in points; undefined when the box is blank.
 * A pixel is ink when it is darker than 85% white, so pale tints (callout backgrounds,
 * code shading) count, as a reader sees them, but scanning noise does not.
 */
export function inkRange(
  img: GrayImage,
  box: Box,
  scale: number,
): { top: number; bottom: number } | undefined {
  const x0 = Math.max(0, Math.floor(box.xMin * scale));
  const x1 = Math.min(img.width, Math.ceil(box.xMax * scale));
  const y0 = Math.max(0, Math.floor(box.yMin * scale));
  const y1 = Math.min(img.height, Math.ceil(box.yMax * scale));
  const limit = img.max * 0.85;
  let top = -1;
  let bottom = -1;
  for (let y = y0; y < y1; y++) {
    const row = y * img.width;
    for (let x = x0; x < x1; x++) {
      if (img.pixels[row + x]! < limit) {
        if (top < 0) top = y;
        bottom = y + 1;
        break;
      }
    }
  }
  return top < 0 ? undefined : { top: top / scale, bottom: bottom / scale };
}
