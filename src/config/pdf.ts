/**
 * Page settings of the print PDF, read from `_config.yml` under `bookbinder: pdf:`. One typed
 * function with defaults, so the later config schema can fold it in as it is.
 */
import type { Diagnostics } from '../diagnostics.js';

/** A CSS length kept both as written (for CSS) and in PDF points (for drawing). */
export interface Length {
  readonly css: string;
  readonly pt: number;
}

/** Where the page number is printed. */
export type PageNumberPlace = 'bottom-center' | 'bottom-outer' | 'top-outer' | 'none';

/** The resolved PDF page settings. */
export interface PdfConfig {
  /** A CSS `size` value: `A4`, `letter`, `A5`, `B5` or `6in 9in`. */
  readonly size: string;
  readonly width: Length;
  readonly height: Length;
  readonly top: Length;
  readonly bottom: Length;
  /** Binding side in two-sided printing; the left margin otherwise. */
  readonly inner: Length;
  /** Away from the binding in two-sided printing; the right margin otherwise. */
  readonly outer: Length;
  readonly twoSided: boolean;
  /** Top-level chapters open on a right-hand (odd) page; a blank page is inserted when needed. */
  readonly chaptersOnRight: boolean;
  /** How many navigation levels the contents lists (1 = top-level pages only). */
  readonly tocDepth: number;
  /** Print an external link's URL after its text. */
  readonly printUrls: boolean;
  /** Chapter titles (and the book title on left pages when two-sided) at the top of pages. */
  readonly runningHeads: boolean;
  readonly pageNumbers: PageNumberPlace;
  /** Hyphenate justified text at build time in the book's language. */
  readonly hyphenate: boolean;
  /** Shown on the title page under the title. */
  readonly subtitle: string;
  /** The date on the title page: a fixed text, or `undefined` for the build date. */
  readonly date?: string;
  /** No date on the title page. */
  readonly noDate: boolean;
}

const PAPER: Record<string, readonly [number, number]> = {
  a4: [210, 297],
  a5: [148, 210],
  b5: [176, 250],
  letter: [215.9, 279.4],
  legal: [215.9, 355.6],
};

const PT_PER: Record<string, number> = { mm: 72 / 25.4, cm: 72 / 2.54, in: 72, pt: 1, px: 0.75, pc: 12 };

/** Parses a CSS absolute length (`20mm`, `0.75in`, `54pt`); undefined when it is not one. */
export function parseLength(v: unknown): Length | undefined {
  if (typeof v === 'number' && v === 0) return { css: '0', pt: 0 };
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(mm|cm|in|pt|px|pc)\s*$/i.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  return { css: `${n}${unit}`, pt: n * PT_PER[unit]! };
}

function mm(n: number): Length {
  return { css: `${n}mm`, pt: n * PT_PER.mm! };
}

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * The line of `_config.yml` on which a key under `pdf:` is written (1 when it cannot be found),
 * so a bad value is reported where it is.
 */
export function pdfKeyLine(configText: string, key: string): number {
  const lines = configText.split(/\r?\n/);
  const pdfAt = lines.findIndex((l) => /^\s+pdf\s*:/.test(l));
  const name = key.split('.').pop() ?? key;
  const at = lines.findIndex(
    (l, i) => i > pdfAt && pdfAt >= 0 && new RegExp(`^\\s*(- )?${name}\\s*:|[{,]\\s*${name}\\s*:`).test(l),
  );
  return at === -1 ? (pdfAt === -1 ? 1 : pdfAt + 1) : at + 1;
}

/**
 * Reads `bookbinder: pdf:` from the site's `_config.yml` data; bad values warn (at their line
 * when the file's text is given) and fall back to the defaults.
 */
export function readPdfConfig(
  data: Readonly<Record<string, unknown>>,
  diags: Diagnostics,
  configText = '',
): PdfConfig {
  const bookbinder = record(data.bookbinder);
  const pdf = record(bookbinder.pdf);
  const bad = (key: string, value: unknown, expected: string): void =>
    diags.warn(
      'config/pdf-invalid',
      `bookbinder.pdf.${key} is ${JSON.stringify(value)}; expected ${expected}. The default is used`,
      '_config.yml',
      pdfKeyLine(configText, key),
    );
  const bool = (key: string, d: boolean): boolean => {
    const v = pdf[key];
    if (v === undefined) return d;
    if (typeof v === 'boolean') return v;
    bad(key, v, 'true or false');
    return d;
  };
  const { size, width, height } = pageSize(pdf.size, bad);
  const margins = record(pdf.margins);
  const margin = (key: string, d: Length): Length => {
    const v =
      margins[key] ??
      pdf[`margin_${key}`] ??
      (typeof pdf.margin === 'string' || pdf.margin === 0 ? pdf.margin : undefined);
    if (v === undefined) return d;
    const l = parseLength(v);
    if (!l) bad(`margins.${key}`, v, 'a length such as 20mm, 0.75in or 54pt');
    return l ?? d;
  };
  const twoSided = bool('two_sided', false);
  const tocDepth = pdf.toc_depth;
  const place = pdf.page_numbers;
  const places: readonly PageNumberPlace[] = ['bottom-center', 'bottom-outer', 'top-outer', 'none'];
  if (place !== undefined && !places.includes(place as PageNumberPlace))
    bad('page_numbers', place, places.join(', '));
  const date = pdf.date;
  return {
    size,
    width,
    height,
    top: margin('top', mm(22)),
    bottom: margin('bottom', mm(22)),
    inner: margin('inner', mm(twoSided ? 24 : 20)),
    outer: margin('outer', mm(twoSided ? 18 : 20)),
    twoSided,
    chaptersOnRight: bool('chapters_on_right', twoSided),
    tocDepth:
      tocDepth === undefined
        ? 3
        : typeof tocDepth === 'number' && Number.isInteger(tocDepth) && tocDepth >= 1
          ? tocDepth
          : (bad('toc_depth', tocDepth, 'a whole number from 1'), 3),
    printUrls: bool('print_urls', false),
    runningHeads: bool('running_heads', true),
    pageNumbers: places.includes(place as PageNumberPlace)
      ? (place as PageNumberPlace)
      : twoSided
        ? 'bottom-outer'
        : 'bottom-center',
    hyphenate: bool('hyphenate', true),
    subtitle: typeof bookbinder.subtitle === 'string' ? bookbinder.subtitle : '',
    ...(typeof date === 'string' && { date }),
    noDate: date === false,
  };
}

function pageSize(
  v: unknown,
  bad: (key: string, value: unknown, expected: string) => void,
): { size: string; width: Length; height: Length } {
  const fallback = { size: 'A4', width: mm(210), height: mm(297) };
  if (v === undefined) return fallback;
  if (typeof v === 'string') {
    const paper = PAPER[v.trim().toLowerCase()];
    if (paper) return { size: v.trim(), width: mm(paper[0]), height: mm(paper[1]) };
    // As the schema writes it (`schema.ts`): a space may stand between a number and its unit.
    const len = String.raw`(?:\d+(?:\.\d+)?|\.\d+)\s*(?:mm|cm|in|pt|px|pc)`;
    const m = new RegExp(String.raw`^\s*(${len})\s*(?:[x×]\s*|\s+)(${len})\s*$`, 'i').exec(v);
    const [w, h] = [m?.[1], m?.[2]].map(parseLength);
    if (w && h) return { size: `${w.css} ${h.css}`, width: w, height: h };
  }
  bad('size', v, 'A4, Letter, A5, B5, Legal or a trim size such as "6in x 9in"');
  return fallback;
}
