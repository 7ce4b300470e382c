/**
 * The print preflight's checks: pure functions of a PDF's text layer, fonts, outline and ink,
 * each returning problems with a stable code and the page they are on. What a printer's
 * preflight or a book designer reading the proofs would reject.
 */
import type { Box, Line, OutlineEntry, PdfFontRow, TextPage } from './parse.js';

/** What the preflight reports, each with a stable code. */
export type PreflightCode =
  | 'preflight/outside-text-block'
  | 'preflight/type3-font'
  | 'preflight/font-not-bundled'
  | 'preflight/single-line-page'
  | 'preflight/hyphen-page-turn'
  | 'preflight/half-empty-page';

/** One problem found in the PDF. */
export interface PreflightProblem {
  readonly code: PreflightCode;
  /** 1-based page index in the file; 0 for the whole document (fonts). */
  readonly page: number;
  readonly message: string;
}

/** The margins of the book's pages, in points, as bookbinder's `pdf:` settings give them. */
export interface PageGeometry {
  readonly top: number;
  readonly bottom: number;
  /** Binding side when two-sided; the left margin otherwise. */
  readonly inner: number;
  /** Away from the binding when two-sided; the right margin otherwise. */
  readonly outer: number;
  /** Odd pages are right-hand pages, their inner margin on the left; even pages mirror them. */
  readonly twoSided: boolean;
}

/** The text block of a page: the page box less its margins. */
export function textBlock(page: Pick<TextPage, 'index' | 'width' | 'height'>, g: PageGeometry): Box {
  const leftHand = g.twoSided && page.index % 2 === 0;
  const left = leftHand ? g.outer : g.inner;
  const right = leftHand ? g.inner : g.outer;
  return { xMin: left, yMin: g.top, xMax: page.width - right, yMax: page.height - g.bottom };
}

/** Tolerances in points: justified lines end exactly at the edge, glyph boxes overshoot a little. */
const SIDE_SLACK = 2;
const HEIGHT_SLACK = 4;

/** True when a box lies wholly in the top or bottom margin: a running head or a folio. */
function inHeadOrFoot(b: Box, block: Box): boolean {
  const across = b.xMin >= block.xMin - SIDE_SLACK && b.xMax <= block.xMax + SIDE_SLACK;
  return across && (b.yMax <= block.yMin + HEIGHT_SLACK || b.yMin >= block.yMax - HEIGHT_SLACK);
}

/** The lines of a page that belong to the text block (running heads and folios left out). */
export function bodyLines(page: TextPage, block: Box): Line[] {
  return page.lines.filter((l) => !inHeadOrFoot(l, block));
}

/**
 * Lines that share a baseline band (columns, a label beside its text, table cells) counted as
 * one row, since a reader sees one line of type there.
 */
export function visualRows(lines: readonly Line[]): Box[] {
  const sorted = [...lines].sort((a, b) => a.yMin - b.yMin || a.xMin - b.xMin);
  const rows: { xMin: number; yMin: number; xMax: number; yMax: number }[] = [];
  for (const l of sorted) {
    const last = rows[rows.length - 1];
    const overlap = last ? Math.min(last.yMax, l.yMax) - Math.max(last.yMin, l.yMin) : 0;
    if (last && overlap > 0.5 * Math.min(last.yMax - last.yMin, l.yMax - l.yMin)) {
      last.xMin = Math.min(last.xMin, l.xMin);
      last.xMax = Math.max(last.xMax, l.xMax);
      last.yMin = Math.min(last.yMin, l.yMin);
      last.yMax = Math.max(last.yMax, l.yMax);
    } else rows.push({ xMin: l.xMin, yMin: l.yMin, xMax: l.xMax, yMax: l.yMax });
  }
  return rows;
}

const round = (n: number): number => Math.round(n * 10) / 10;

/**
 * Words that reach outside the text block (not the running head or the folio). `inkIn` tells
 * whether the page has ink in a band of it, when the caller can render it.
 */
export function checkOutside(
  page: TextPage,
  g: PageGeometry,
  inkIn?: (band: Box) => boolean,
): PreflightProblem[] {
  const block = textBlock(page, g);
  const out = bodyLines(page, block)
    .flatMap((l) => l.words)
    .filter((w) => {
      if (w.xMin < block.xMin - SIDE_SLACK || w.xMax > block.xMax + SIDE_SLACK) return true;
      const above = w.yMin < block.yMin - HEIGHT_SLACK;
      const below = w.yMax > block.yMax + HEIGHT_SLACK;
      if (!above && !below) return false;
      // A word's height is its font's ascent and descent, not its glyphs: a big operator (∏, ∫)
      // of a formula at the top of a page has a font box far taller than its ink. Where the
      // page can be looked at, only ink past the block counts.
      if (!inkIn) return true;
      return (
        (above && inkIn({ xMin: w.xMin, xMax: w.xMax, yMin: w.yMin, yMax: block.yMin })) ||
        (below && inkIn({ xMin: w.xMin, xMax: w.xMax, yMin: block.yMax, yMax: w.yMax }))
      );
    });
  if (out.length === 0) return [];
  const far = Math.max(...out.map((w) => Math.max(block.xMin - w.xMin, w.xMax - block.xMax, 0)));
  const sample = out
    .slice(0, 3)
    .map((w) => JSON.stringify(w.text))
    .join(', ');
  return [
    {
      code: 'preflight/outside-text-block',
      page: page.index,
      message: `${out.length} word${out.length === 1 ? '' : 's'} outside the text block (${sample}${out.length > 3 ? ', …' : ''}${far > 0 ? `; up to ${round(far)}pt into the margin` : ''})`,
    },
  ];
}

/** Where ink is in a page's text block, in points from the top of the page; undefined when blank. */
export type Ink = { readonly top: number; readonly bottom: number } | undefined;

/**
 * A page whose text block holds one line of text and nothing else: a widow or an orphan the
 * layout failed to keep with its paragraph. A line beside a picture or a diagram (ink well
 * beyond the line) is a caption, not a stranded line, and a page a chapter opens with only its
 * title (a part's title page) is designed so.
 */
export function checkSingleLine(
  page: TextPage,
  g: PageGeometry,
  ink?: Ink,
  opensChapter = false,
): PreflightProblem[] {
  if (opensChapter) return [];
  const rows = visualRows(bodyLines(page, textBlock(page, g)));
  const row = rows[0];
  if (rows.length !== 1 || !row) return [];
  const h = row.yMax - row.yMin;
  if (ink && (ink.top < row.yMin - 2 * h || ink.bottom > row.yMax + 2 * h)) return [];
  const text = page.lines
    .filter((l) => l.yMin >= row.yMin && l.yMax <= row.yMax)
    .flatMap((l) => l.words.map((w) => w.text))
    .join(' ');
  return [
    {
      code: 'preflight/single-line-page',
      page: page.index,
      message: `the page holds a single line of text: ${JSON.stringify(text.length > 70 ? `${text.slice(0, 69)}…` : text)}`,
    },
  ];
}

/** The last word of the last row of a page and the first word of the first row. */
function edgeWords(page: TextPage, g: PageGeometry): { first?: string; last?: string } {
  const lines = bodyLines(page, textBlock(page, g));
  if (lines.length === 0) return {};
  const byTop = [...lines].sort((a, b) => a.yMin - b.yMin || a.xMin - b.xMin);
  const byBottom = [...lines].sort((a, b) => b.yMax - a.yMax || b.xMax - a.xMax);
  return { first: byTop[0]!.words[0]?.text, last: byBottom[0]!.words.at(-1)?.text };
}

const LETTER = /\p{L}/u;
/** A hyphen the layout may have put at a line end: ASCII, U+2010 or the soft hyphen's glyph. */
const TRAILING_HYPHEN = /[-\u2010\u00ad]$/u;

/**
 * Words hyphenated across a page turn: the last word of a page ends with a hyphen after a
 * letter and the next page goes on with a letter. A real compound broken at its own hyphen
 * ("just-the-" / "docs") is told apart by the book itself: when the book spells the joined
 * word with the hyphen elsewhere and never without it, the hyphen is the word's.
 */
export function checkHyphenTurns(
  pages: readonly TextPage[],
  g: PageGeometry,
  wordsOfBook: ReadonlySet<string>,
): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  const edges = pages.map((p) => edgeWords(p, g));
  for (let i = 0; i + 1 < pages.length; i++) {
    const last = edges[i]!.last;
    // A blank page between is a chapter turn, which no word crosses.
    const first = edges[i + 1]!.first;
    if (!last || !first || !TRAILING_HYPHEN.test(last)) continue;
    if (!LETTER.test(last.slice(-2, -1)) || !LETTER.test(first[0] ?? '')) continue;
    const head = last.slice(0, -1);
    const tail = first.replace(/[^\p{L}\p{N}'’-]+$/u, '');
    const key = (s: string): string => s.toLowerCase();
    const compound = wordsOfBook.has(key(`${head}-${tail}`)) && !wordsOfBook.has(key(`${head}${tail}`));
    if (compound) continue;
    problems.push({
      code: 'preflight/hyphen-page-turn',
      page: pages[i]!.index,
      message: `"${last}" is hyphenated across the page turn ("${last}" / "${first}")`,
    });
  }
  return problems;
}

/**
 * The words of the book as written, for telling compounds from hyphenation: every word not at
 * a line end, lower-cased, with surrounding punctuation stripped.
 */
export function bookWords(pages: readonly TextPage[]): Set<string> {
  const set = new Set<string>();
  for (const p of pages)
    for (const l of p.lines)
      for (let i = 0; i < l.words.length - 1; i++) {
        const w = l.words[i]!.text.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
        if (w) set.add(w.toLowerCase());
      }
  return set;
}

/**
 * The pages chapters open on: bookmarks that point at the very top of their page (bookmarks
 * of sections inside a chapter point lower down, at their heading). A bookmark without a
 * position counts as a chapter start.
 */
export function chapterStarts(outline: readonly OutlineEntry[], pages: readonly TextPage[]): Set<number> {
  const height = new Map(pages.map((p) => [p.index, p.height]));
  return new Set(
    outline.filter((o) => o.top === undefined || o.top >= (height.get(o.page) ?? 0) - 1).map((o) => o.page),
  );
}

/**
 * Pages whose text block is more than half empty although the chapter goes on: the layout
 * pushed something unbreakable (a long code block, a table, a figure kept with its lead-in) to
 * the next page. The last page of a chapter (the next page with anything on it opens a
 * chapter), the last page of the book, blank pages and the front matter before the first
 * bookmark are left alone.
 */
export function checkHalfEmpty(
  pages: readonly TextPage[],
  g: PageGeometry,
  starts: ReadonlySet<number>,
  ink: readonly Ink[],
): PreflightProblem[] {
  if (starts.size === 0) return [];
  const firstChapter = Math.min(...starts);
  const filled = pages.map((p, i) => {
    const block = textBlock(p, g);
    const rows = visualRows(bodyLines(p, block));
    const textBottom = rows.length > 0 ? Math.max(...rows.map((r) => r.yMax)) : undefined;
    const inkBottom = ink[i]?.bottom;
    const bottom = Math.max(textBottom ?? -Infinity, inkBottom ?? -Infinity);
    return Number.isFinite(bottom) ? (bottom - block.yMin) / (block.yMax - block.yMin) : undefined;
  });
  const problems: PreflightProblem[] = [];
  for (let i = 0; i < pages.length; i++) {
    const page = pages[i]!;
    const fill = filled[i];
    if (page.index < firstChapter || fill === undefined || fill >= 0.5) continue;
    let next = i + 1;
    while (next < pages.length && filled[next] === undefined) next++;
    if (next >= pages.length || starts.has(pages[next]!.index)) continue;
    problems.push({
      code: 'preflight/half-empty-page',
      page: page.index,
      message: `the text block is ${Math.round((1 - fill) * 100)}% empty but the chapter goes on overleaf`,
    });
  }
  return problems;
}

/** A font family name as bookbinder's bundled fonts are named, to compare loosely. */
export function familyKey(name: string): string {
  return name
    .replace(/^[A-Z]{6}\+/, '')
    .replace(/[-,].*$/, '')
    .replace(/(Regular|Bold|Italic|Medium|SemiBold|Light|Thin|Black)+$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** Type 3 fonts (rejected by print preflights) and fonts bookbinder does not bundle. */
export function checkFonts(fonts: readonly PdfFontRow[], bundled: ReadonlySet<string>): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  const seen = new Set<string>();
  for (const f of fonts) {
    const id = `${f.name}\0${f.type}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (f.type === 'Type 3')
      problems.push({
        code: 'preflight/type3-font',
        page: 0,
        message: `font ${f.name} is a Type 3 font (a synthesized face); print preflights reject it`,
      });
    else if (!bundled.has(familyKey(f.name)))
      problems.push({
        code: 'preflight/font-not-bundled',
        page: 0,
        message: `font ${f.name} (${f.type}${f.embedded ? '' : ', not embedded'}) is not one bookbinder bundles: it came from the machine or the document`,
      });
  }
  return problems;
}
