/**
 * Where the words of the generated cover go: the title broken into lines (greedy, at the
 * largest size that fits; scripts written without spaces break between characters), the
 * yellow rule under it, the authors at the foot. Pure: widths come from a measuring function,
 * so the layout is tested without fonts and drawn with the fonts that measured it.
 */

/** Width and height of a generated cover, in pixels (2:3, as e-book stores ask). */
export const COVER_SIZE = { width: 1200, height: 1800 } as const;

/** The cover's colours and spacing (the look of the page Chromium used to draw). */
export const COVER_STYLE = {
  background: '#2b2257',
  text: '#ffffff',
  rule: '#f7d12e',
  top: 180,
  side: 120,
  bottom: 160,
  ruleWidth: 240,
  ruleHeight: 8,
  ruleMargin: 64,
  titleSizes: [112, 100, 88, 80, 72, 64, 56],
  titleLineHeight: 1.1,
  /** A title of more lines than this takes the next smaller size (the last size takes any). */
  titleMaxLines: 5,
  authorSizes: [56, 48, 40],
  authorGap: 16,
  /** Space kept free between the rule and the first author. */
  minGap: 96,
} as const;

/** One piece of text that is never broken inside, and whether a space comes before it. */
export interface Unit {
  readonly text: string;
  readonly space: boolean;
}

/** Width in pixels of a text at a font size. */
export type Measure = (text: string, size: number) => number;

/** Ascent and descent of a face, in em. */
export interface FaceMetrics {
  readonly ascent: number;
  readonly descent: number;
}

/** One line of text placed on the cover: `x` is where it starts (`anchor: 'end'`: ends). */
export interface PlacedLine {
  readonly text: string;
  readonly x: number;
  /** The baseline. */
  readonly y: number;
  readonly size: number;
  readonly role: 'title' | 'author';
}

/** Everything the cover shows, in place. */
export interface CoverLayout {
  readonly lines: readonly PlacedLine[];
  readonly rule: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  /** Right-to-left titles are set flush right, as their readers expect. */
  readonly anchor: 'start' | 'end';
}

// Han, kana, Hangul syllables are not separated by spaces in Chinese and Japanese; a line may
// break between any two of them (as CSS `line-break: normal` does).
const NO_SPACE = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Bopomofo}\u3000-\u303f\uff00-\uffef]/u;
// Kinsoku: these never start a line (closing marks, small kana, the prolonged sound mark)…
const NO_START =
  /^[、。，．・：；？！ー）」』】〕〉》〙〗〟’”ゝゞヽヾぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ々…‥.,;:!?)\]}]+$/u;
// …and these never end one (opening marks).
const NO_END = /^[（「『【〔〈《〘〖〝‘“([{]+$/u;
const RTL =
  /[\p{sc=Arabic}\p{sc=Hebrew}\p{sc=Syriac}\p{sc=Thaana}\p{sc=Nko}\p{sc=Samaritan}\p{sc=Mandaic}\p{sc=Adlam}]/u;
const STRONG = /\p{L}/u;

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

function split(text: string): string[] {
  return Array.from(graphemes.segment(text), (s) => s.segment);
}

/**
 * The unbreakable units of a text: words between spaces, and inside them each character of a
 * script written without spaces, with kinsoku punctuation kept on the right side of a break.
 */
export function breakUnits(text: string): Unit[] {
  const units: Unit[] = [];
  for (const word of text.trim().split(/\s+/u)) {
    if (word === '') continue;
    const parts: string[] = [];
    let run = '';
    for (const g of split(word)) {
      if (NO_SPACE.test(g)) {
        if (run) parts.push(run);
        run = '';
        parts.push(g);
      } else run += g;
    }
    if (run) parts.push(run);
    const merged: string[] = [];
    let carry = '';
    for (const p of parts) {
      if (NO_START.test(p) && merged.length > 0) merged[merged.length - 1] += carry + p;
      else if (NO_END.test(p)) carry += p;
      else {
        merged.push(carry + p);
        carry = '';
      }
    }
    if (carry) {
      if (merged.length > 0) merged[merged.length - 1] += carry;
      else merged.push(carry);
    }
    merged.forEach((m, i) => units.push({ text: m, space: i === 0 && units.length > 0 }));
  }
  return units;
}

/** Joins units into the text of one line. */
export function joinUnits(units: readonly Unit[]): string {
  return units.map((u, i) => (i > 0 && u.space ? ` ${u.text}` : u.text)).join('');
}

/**
 * Greedy line breaking: each line takes as many units as fit in `width`. A unit wider than a
 * whole line is broken between characters when `breakWords` is set (CSS `overflow-wrap:
 * break-word`); otherwise it sits alone on its line and `overflow` says so.
 */
export function wrapGreedy(
  units: readonly Unit[],
  width: number,
  measure: (text: string) => number,
  breakWords = false,
): { lines: string[]; overflow: boolean } {
  const lines: string[] = [];
  let current: Unit[] = [];
  let overflow = false;
  const flush = () => {
    if (current.length > 0) lines.push(joinUnits(current));
    current = [];
  };
  for (const unit of units) {
    if (measure(joinUnits([...current, unit])) <= width) {
      current.push(unit);
      continue;
    }
    flush();
    if (measure(unit.text) <= width) {
      current.push(unit);
      continue;
    }
    if (!breakWords) {
      overflow = true;
      current.push(unit);
      continue;
    }
    let piece = '';
    for (const g of split(unit.text)) {
      if (piece !== '' && measure(piece + g) > width) {
        lines.push(piece);
        piece = '';
      }
      piece += g;
    }
    current.push({ text: piece, space: false });
  }
  flush();
  return { lines, overflow };
}

/** A block of text set at one size: the lines of each paragraph. */
export interface TextBlock {
  readonly size: number;
  readonly paragraphs: readonly (readonly string[])[];
}

/** How a block may be set. */
export interface FitOptions {
  readonly width: number;
  readonly height: number;
  /** Sizes to try, largest first. */
  readonly sizes: readonly number[];
  /** Line height in multiples of the size. */
  readonly lineHeight: number;
  /** More lines than this move to the next size (the last size allows as many as fit). */
  readonly maxLines?: number;
  /** Extra space after each paragraph, in pixels. */
  readonly gap?: number;
}

/** The height of a block set with these options. */
export function blockHeight(block: TextBlock, opts: Pick<FitOptions, 'lineHeight' | 'gap'>): number {
  const lines = block.paragraphs.reduce((n, p) => n + p.length, 0);
  return lines * block.size * opts.lineHeight + block.paragraphs.length * (opts.gap ?? 0);
}

/**
 * Sets paragraphs at the largest size at which no word overflows and the lines fit; at the
 * smallest size words are broken if need be, and what does not fit ends in an ellipsis.
 */
export function fitText(paragraphs: readonly string[], opts: FitOptions, measure: Measure): TextBlock {
  const setAt = (size: number, breakWords: boolean) => {
    const out: string[][] = [];
    let overflow = false;
    for (const p of paragraphs) {
      const r = wrapGreedy(breakUnits(p), opts.width, (t) => measure(t, size), breakWords);
      out.push(r.lines);
      overflow ||= r.overflow;
    }
    return { block: { size, paragraphs: out }, overflow, count: out.reduce((n, l) => n + l.length, 0) };
  };
  const last = opts.sizes[opts.sizes.length - 1] ?? 16;
  for (const size of opts.sizes) {
    const r = setAt(size, false);
    const tooMany = size !== last && opts.maxLines !== undefined && r.count > opts.maxLines;
    if (!r.overflow && !tooMany && blockHeight(r.block, opts) <= opts.height) return r.block;
  }
  const { block } = setAt(last, true);
  if (blockHeight(block, opts) <= opts.height) return block;
  // Too long even at the smallest size: keep the lines that fit, the last one ending in "…".
  const kept: string[][] = [];
  for (const p of block.paragraphs) {
    const room = Math.floor(
      (opts.height - (kept.length + 1) * (opts.gap ?? 0)) / (last * opts.lineHeight) -
        kept.reduce((n, l) => n + l.length, 0),
    );
    if (room <= 0) break;
    kept.push(p.slice(0, room));
    if (room < p.length) break;
  }
  if (kept.length === 0) kept.push([block.paragraphs[0]?.[0] ?? '']);
  const tailLines = kept[kept.length - 1]!;
  let tail = tailLines[tailLines.length - 1] ?? '';
  while (tail !== '' && measure(`${tail}…`, last) > opts.width)
    tail = split(tail).slice(0, -1).join('').trimEnd();
  tailLines[tailLines.length - 1] = `${tail}…`;
  return { size: last, paragraphs: kept };
}

/** True when the first letter of a text belongs to a script written right to left. */
export function isRtl(text: string): boolean {
  for (const ch of text) if (STRONG.test(ch)) return RTL.test(ch);
  return false;
}

/** Places title, rule and authors on the cover. */
export function layoutCover(
  title: string,
  authors: readonly string[],
  fonts: { readonly title: FaceMetrics; readonly author: FaceMetrics },
  measure: { readonly title: Measure; readonly author: Measure },
): CoverLayout {
  const s = COVER_STYLE;
  const width = COVER_SIZE.width - 2 * s.side;
  const rtl = isRtl(title);
  const x = rtl ? COVER_SIZE.width - s.side : s.side;
  const foot = COVER_SIZE.height - s.bottom;
  // The authors as CSS set them: `line-height: normal` (the face's ascent plus descent).
  const authorOpts = {
    width,
    height: 480,
    sizes: s.authorSizes,
    lineHeight: fonts.author.ascent + fonts.author.descent,
    gap: s.authorGap,
  };
  const people = authors.map((a) => a.trim()).filter((a) => a !== '');
  const byline = fitText(people.length > 4 ? [people.join(', ')] : people, authorOpts, measure.author);
  const bylineTop = foot - blockHeight(byline, authorOpts);
  const titleOpts = {
    width,
    height: bylineTop - s.minGap - (s.ruleMargin * 2 + s.ruleHeight) - s.top,
    sizes: s.titleSizes,
    lineHeight: s.titleLineHeight,
    maxLines: s.titleMaxLines,
  };
  const heading = fitText([title], titleOpts, measure.title);
  const lines: PlacedLine[] = [];
  const step = heading.size * s.titleLineHeight;
  // The baseline sits where CSS puts it: half the leading above the face's ascent.
  const content = (fonts.title.ascent + fonts.title.descent) * heading.size;
  const baseline = (step - content) / 2 + fonts.title.ascent * heading.size;
  const titleLines = heading.paragraphs.flat();
  titleLines.forEach((text, i) =>
    lines.push({ text, x, y: round(s.top + i * step + baseline), size: heading.size, role: 'title' }),
  );
  let y = bylineTop;
  for (const paragraph of byline.paragraphs) {
    for (const text of paragraph) {
      lines.push({
        text,
        x,
        y: round(y + fonts.author.ascent * byline.size),
        size: byline.size,
        role: 'author',
      });
      y += byline.size * authorOpts.lineHeight;
    }
    y += s.authorGap;
  }
  const ruleY = s.top + titleLines.length * step + s.ruleMargin;
  return {
    lines,
    rule: { x: rtl ? x - s.ruleWidth : x, y: round(ruleY), width: s.ruleWidth, height: s.ruleHeight },
    anchor: rtl ? 'end' : 'start',
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
