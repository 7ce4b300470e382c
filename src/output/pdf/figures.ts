/**
 * Figures set a little smaller to fit the rest of their page. Chromium has no floats that move
 * to another page: a figure taller than what is left of its page goes to the next one, its
 * lead-in kept with it, and the page before is left half empty although the chapter goes on.
 * LaTeX would float the figure and fill the page with the text after it; without floats, a book
 * designer sets the figure smaller, within reason. After a chunk is printed, each tall figure
 * (the layout check made it a link target, so its named destination says where it landed) that
 * opens a page after a page of its chapter with much room left is given the scale that fits
 * it into that room, if that scale is not below {@link FIGURE_FLOOR}; the chunk is then printed
 * again.
 */
import type { TallFigure } from './layout.js';
import { pageSize, type RawPart } from './raw/part.js';
import { pageStreams } from './text.js';
import { textRuns, type TextBlockMargins } from './turns.js';

/** The smallest scale a figure is set at to fit the rest of its page. */
export const FIGURE_FLOOR = 0.7;

/** A page before a figure is worth filling when at least this share of its text block is empty. */
export const EMPTY_SHARE = 0.4;

/** At most this share of the text block may come before the figure on its page (its lead-in). */
const LEAD_SHARE = 0.12;

/**
 * Room, in points, kept free around the figure: the margin of its block, the line it sits on
 * (an image is inline: the strut's descent below it), rounding.
 */
const SLACK = 24;

/** A figure set smaller that still went to the next page is set this much smaller again. */
const AGAIN = 0.95;

/** How far below a baseline a line's glyphs go, as a share of the font size. */
const DESCENT = 0.25;

/** A figure to print at a scale of its own natural size. */
export interface FigureScale {
  /** Its number in its document (`data-bb-fig`). */
  readonly n: number;
  /** Its width and height as laid out at full size, in CSS pixels. */
  readonly width: number;
  readonly height: number;
  /** At most 1, at least {@link FIGURE_FLOOR}. */
  readonly scale: number;
  readonly file: string;
  readonly line: number;
}

/**
 * The figures of a printed part that should be set smaller: each tall figure printed near the
 * top of a page whose previous page is of the same chapter (no chapter opens at the figure's
 * page: `opening`, 0-based) and has at least {@link EMPTY_SHARE} of its text block empty, at the
 * scale that fits it, with what comes before it on its page, into that room. `current` holds
 * the scales the part was printed with; a figure gets a new scale only if it is smaller.
 */
export function figureScales(
  part: RawPart,
  tall: readonly TallFigure[],
  block: TextBlockMargins,
  opening: ReadonlySet<number>,
  current: ReadonlyMap<number, FigureScale>,
): FigureScale[] {
  const out: FigureScale[] = [];
  for (const f of tall) {
    const dest = part.dests.get(f.id);
    if (!dest || dest.page === 0 || opening.has(dest.page)) continue;
    const page = part.pages[dest.page]!;
    const before = part.pages[dest.page - 1]!;
    const [, height] = pageSize(part, page);
    const top = dest.array[3];
    if (typeof top !== 'number') continue;
    const blockBottom = height - block.bottom;
    const blockHeight = blockBottom - block.top;
    const was = current.get(f.n)?.scale ?? 1;
    // Its printed height, in points, at the scale it was printed with.
    const printed = f.height * 0.75 * was;
    // What comes before the figure on its page (its lead-in, the end of a paragraph kept with
    // it) is measured to the image drawn at its height there: for an element inside a line,
    // Chromium's destination may point at the line's block, higher up.
    const drawn = drawsOn(part, page).find(
      (d) => Math.abs(d.bottom - d.top - printed) <= Math.max(2, printed * 0.02),
    );
    const lead = Math.max(0, (drawn?.top ?? height - top) - block.top);
    if (lead > LEAD_SHARE * blockHeight) continue;
    const ink = lowestInk(part, before, block);
    if (ink === undefined) continue;
    if (blockBottom - ink < EMPTY_SHARE * blockHeight) continue;
    const room = blockBottom - ink - SLACK - lead;
    const fits = (was * room) / printed;
    const scale = Math.floor(Math.min(fits, was < 1 ? was * AGAIN : fits) * 1000) / 1000;
    if (scale >= was || scale < FIGURE_FLOOR) continue;
    // The layout check measures a figure before its scale applies: its natural size.
    out.push({ n: f.n, width: f.width, height: f.height, scale, file: f.file, line: f.line });
  }
  return out;
}

/** The images and forms a page draws, from its top. */
function drawsOn(part: RawPart, page: RawPart['pages'][number]): { top: number; bottom: number }[] {
  const draws: { top: number; bottom: number }[] = [];
  textRuns(pageStreams(part, page), pageSize(part, page)[1], () => undefined, draws);
  return draws;
}

/**
 * How far down a page (points from its top) its text block has ink: text (its descenders
 * included) and drawn images. Undefined for a page with nothing in its text block.
 */
function lowestInk(
  part: RawPart,
  page: RawPart['pages'][number],
  block: TextBlockMargins,
): number | undefined {
  const [, height] = pageSize(part, page);
  const draws: { top: number; bottom: number }[] = [];
  const runs = textRuns(pageStreams(part, page), height, () => undefined, draws);
  const inBlock = (y: number): boolean => y >= block.top - 1 && y <= height - block.bottom + 4;
  let lowest: number | undefined;
  for (const r of runs) {
    const y = r.y + DESCENT * r.size;
    if (inBlock(r.y) && (lowest === undefined || y > lowest)) lowest = y;
  }
  for (const d of draws) {
    const y = Math.min(d.bottom, height - block.bottom);
    if (inBlock(d.top) && (lowest === undefined || y > lowest)) lowest = y;
  }
  return lowest;
}

/** The style that sets a document's figures at their scales. */
export function figureStyle(scales: Iterable<FigureScale>): string {
  let css = '';
  for (const f of scales) {
    const w = (f.width * f.scale).toFixed(2);
    const h = (f.height * f.scale).toFixed(2);
    css += `[data-bb-fig="${f.n}"]{width:${w}px!important;height:${h}px!important;max-width:none!important}`;
  }
  return css === '' ? '' : `<style>${css}</style>`;
}
