/**
 * The layout check of the print page, run in Chromium just before a document is printed: display
 * formulas wider than the text block are set smaller to fit (down to a floor, below which they
 * may break after a relation or an operator), and whatever still runs past the text block (a
 * formula, a table, code, an image) is reported at its file and line (`layout/overflow`). On
 * paper nothing scrolls: a box wider than its column is cut off at the page edge or runs into
 * the margin, and an author cannot read 300 pages to find it.
 */
import type { Page } from 'puppeteer';
import type { PdfConfig } from '../../config/pdf.js';
import type { Diagnostics } from '../../diagnostics.js';

/** The smallest size a display formula is set at to fit, as a share of its own size. */
export const FORMULA_FLOOR = 0.6;

/** The smallest size a table is set at to fit (its cells stay readable), as a share of its own. */
export const TABLE_FLOOR = 0.7;

/**
 * Chromium prints a document whose content is wider than the page smaller, all of it: one table
 * 300 pt too wide set every page of its chunk at two thirds of the size. A chapter clips what
 * runs past the text block instead (`clip` is no scroll container, so the chapter still breaks
 * across pages), and the layout check reports it.
 */
export const NO_SHRINK_CSS = '@media print{section.chapter{overflow-x:clip}}';

/** What runs past the text block. */
export type OverflowKind = 'formula' | 'table' | 'code' | 'image';

/** A box that runs past the text block, where its source is. */
export interface Overflow {
  readonly kind: OverflowKind;
  /** The page's file (the chapter's `data-source`), or empty when unknown. */
  readonly file: string;
  /** The line of the block it is in (`data-line`), or 0 when unknown. */
  readonly line: number;
  /** How far it runs past the text block, in CSS pixels. */
  readonly excess: number;
}

/** A formula set smaller (or broken into lines) to fit the text block or its line. */
export interface Fitted {
  readonly file: string;
  readonly line: number;
  /** Its size now, as a share of its own (at least the floor). */
  readonly scale: number;
  /** It is still too wide at the floor and may break into lines. */
  readonly broken: boolean;
  /** A display formula (else one in a line of text, or a table). */
  readonly display: boolean;
  /** A table (too many columns for the page) rather than a formula. */
  readonly table?: boolean;
}

/**
 * A figure (an image, a drawing) tall enough that, pushed to the next page, it may leave most
 * of its page empty. Every figure of a document is numbered (`data-bb-fig`, in document order)
 * and a tall one made a link target, so that the printed PDF tells where it landed.
 */
export interface TallFigure {
  /** Its number in the document (`data-bb-fig`). */
  readonly n: number;
  /** The id its named destination has. */
  readonly id: string;
  /** Its width and height as laid out, in CSS pixels, before any scale the document sets on it. */
  readonly width: number;
  readonly height: number;
  readonly file: string;
  readonly line: number;
}

/** What the layout check found in one document. */
export interface LayoutReport {
  readonly overflows: readonly Overflow[];
  readonly fitted: readonly Fitted[];
  readonly tall: readonly TallFigure[];
}

/** The figures of a document that are numbered (`data-bb-fig`): images and drawings, not a formula's. */
export const FIGURES = 'section.chapter :is(img, svg):not(svg *, .katex *, .katex)';

/** A figure at least this share of the text block's height is tall ({@link TallFigure}). */
export const TALL_FIGURE = 0.3;

/** Ids given to tall figures without one of their own (left out of the finished PDF's names). */
export const FIGURE_ID_PREFIX = 'bb-fig-';

/** The width of the text block in CSS pixels: the page less its inner and outer margins. */
export function textBlockWidth(cfg: PdfConfig): number {
  return ((cfg.width.pt - cfg.inner.pt - cfg.outer.pt) * 4) / 3;
}

/** The height of the text block in CSS pixels: the page less its top and bottom margins. */
export function textBlockHeight(cfg: PdfConfig): number {
  return ((cfg.height.pt - cfg.top.pt - cfg.bottom.pt) * 4) / 3;
}

/**
 * Lays the document out as it prints (print media, the text block's width), fits its display
 * formulas, measures what overflows and numbers its figures (tall ones, of at least `tallPx`,
 * become link targets); then turns the print media back off, so that the page is not laid out
 * for the screen again (the print lays it out once more, at its page size).
 */
export async function checkLayout(
  page: Page,
  width: number,
  tallPx = Number.POSITIVE_INFINITY,
  floor = FORMULA_FLOOR,
): Promise<LayoutReport> {
  await page.setViewport({ width: Math.floor(width), height: 1000 });
  await page.emulateMediaType('print');
  try {
    return await page.evaluate(fitAndMeasure, floor, TABLE_FLOOR, {
      selector: FIGURES,
      tallPx,
      prefix: FIGURE_ID_PREFIX,
    });
  } finally {
    await page.emulateMediaType();
  }
}

/**
 * Runs in the page (serialised by puppeteer: it may use nothing from this module). Scripts are
 * off in the print page; this runs as the debugger's evaluation, which they do not stop.
 */
async function fitAndMeasure(
  floor: number,
  tableFloor: number,
  figures: { selector: string; tallPx: number; prefix: string },
): Promise<LayoutReport> {
  // No scroll bar may take width from the layout while it is measured.
  const noBars = document.createElement('style');
  noBars.textContent = 'html{scrollbar-width:none}';
  document.head.append(noBars);
  await document.fonts.ready;
  const where = (el: Element): { file: string; line: number } => ({
    file: el.closest('section.chapter[data-source]')?.getAttribute('data-source') ?? '',
    line: Number(el.closest('[data-line]')?.getAttribute('data-line') ?? 0),
  });
  const fitted: Fitted[] = [];
  /** The block an element lies in (its nearest ancestor not inline) and that block's content width. */
  const blockOf = (el: Element): { block: HTMLElement; avail: number } | undefined => {
    let block = el.parentElement;
    while (block && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
    if (!block) return undefined;
    const style = getComputedStyle(block);
    const avail =
      block.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight);
    return avail > 0 ? { block, avail } : undefined;
  };
  /**
   * Sets `k` smaller until `width()` fits `avail`, never below the floor; a few rounds, since
   * Chromium's smallest font size keeps deep scripts from shrinking with the rest. Returns the
   * scale, or undefined when it fitted already.
   */
  const shrink = (k: HTMLElement, avail: number, width: () => number, least = floor): number | undefined => {
    const size = Number.parseFloat(getComputedStyle(k).fontSize);
    let scale = 1;
    for (let round = 0; round < 4; round++) {
      const need = width();
      if (need <= avail + 0.5 || scale <= least) break;
      // A hair smaller than the exact ratio: widths are rounded to layout units.
      scale = Math.max(least, scale * (avail / need) * 0.995);
      k.style.fontSize = `${size * scale}px`;
    }
    return scale === 1 ? undefined : scale;
  };
  for (const k of Array.from(document.querySelectorAll<HTMLElement>('.katex-display > .katex'))) {
    const avail = k.clientWidth;
    if (avail === 0) continue;
    const scale = shrink(k, avail, () => k.scrollWidth);
    if (scale === undefined) continue;
    const broken = k.scrollWidth > avail + 0.5;
    if (broken) {
      // Below the floor, the formula may break where KaTeX allows it (after = and +).
      k.style.whiteSpace = 'normal';
      k.querySelector<HTMLElement>('.katex-html')?.style.setProperty('white-space', 'normal');
    }
    fitted.push({ ...where(k), scale, broken, display: true });
  }
  // An inline formula breaks after its relations and operators; a piece between two such breaks
  // that is wider than its line is set smaller too (never below the floor). A paragraph with a
  // piece wider than a third of its line is set ragged right: justified, the line before such a
  // piece, which cannot take it, is stretched into rivers.
  for (const k of Array.from(document.querySelectorAll<HTMLElement>('section.chapter .katex'))) {
    if (k.parentElement?.classList.contains('katex-display')) continue;
    const pieces = Array.from(k.querySelectorAll(':scope > .katex-html > :is(.base, .bb-math-nobr)'));
    const widest = (): number => Math.max(0, ...pieces.map((p) => p.getBoundingClientRect().width));
    const box = blockOf(k);
    if (!box) continue;
    const { block, avail } = box;
    if (widest() > avail / 3 && getComputedStyle(block).textAlign === 'justify')
      block.style.textAlign = 'left';
    const scale = shrink(k, avail, widest);
    if (scale !== undefined) fitted.push({ ...where(k), scale, broken: false, display: false });
  }
  // A table with more columns than the page is wide for is set smaller (its padding, in em,
  // with it), never below its floor: on paper nothing scrolls, and a cut-off column is lost.
  for (const t of Array.from(document.querySelectorAll<HTMLElement>('section.chapter table'))) {
    if (t.parentElement?.closest('table')) continue;
    const avail = blockOf(t)?.avail;
    if (avail === undefined) continue;
    const scale = shrink(
      t,
      avail,
      () => Math.max(t.getBoundingClientRect().width, t.scrollWidth),
      tableFloor,
    );
    if (scale !== undefined) fitted.push({ ...where(t), scale, broken: false, display: false, table: true });
  }
  const body = document.body.getBoundingClientRect();
  const kinds: [string, OverflowKind][] = [
    ['.katex', 'formula'],
    ['table', 'table'],
    ['pre, code', 'code'],
    ['img, svg, video, iframe, canvas, object, embed', 'image'],
  ];
  const selector = kinds.map(([s]) => s).join(', ');
  const overflows: Overflow[] = [];
  const reported: Element[] = [];
  for (const el of Array.from(document.querySelectorAll(`section.chapter :is(${selector})`))) {
    if (reported.some((r) => r.contains(el))) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    // A block's content may run past its own box (a formula's line, a table in a narrow box).
    const right = box.left + Math.max(box.width, el instanceof HTMLElement ? el.scrollWidth : 0);
    const excess = Math.max(right - body.right, body.left - box.left);
    if (excess <= 0.5) continue;
    reported.push(el);
    const kind = kinds.find(([s]) => el.matches(s))?.[1] ?? 'image';
    overflows.push({ kind, ...where(el), excess });
  }
  // Figures are measured before they are numbered: a scale the document sets on a numbered
  // figure (a figure set smaller to fit its page) then applies to the print only.
  const tall: TallFigure[] = [];
  const numbered = Array.from(document.querySelectorAll<Element>(figures.selector)).map((el, n) => {
    const { width, height } = el.getBoundingClientRect();
    if (height >= figures.tallPx) {
      el.id ||= `${figures.prefix}${n}`;
      tall.push({ n, id: el.id, width, height, ...where(el) });
    }
    return el;
  });
  numbered.forEach((el, n) => el.setAttribute('data-bb-fig', String(n)));
  if (tall.length > 0) {
    // Chromium writes a named destination for each link target: where the figure was printed.
    let nav = document.querySelector('nav.bb-destinations');
    if (!nav) {
      nav = document.createElement('nav');
      nav.className = 'bb-destinations';
      nav.setAttribute('hidden', '');
      document.body.prepend(nav);
    }
    for (const f of tall) {
      const a = document.createElement('a');
      a.setAttribute('href', `#${f.id}`);
      nav.append(a);
    }
  }
  noBars.remove();
  return { overflows, fitted, tall };
}

const NAMES: Readonly<Record<OverflowKind, string>> = {
  formula: 'a formula',
  table: 'a table',
  code: 'code',
  image: 'an image',
};

/**
 * Reports what the layout check found: each box past the text block as a `layout/overflow`
 * warning at its file and line, and how many display formulas were set smaller or broken.
 */
export function reportLayout(reports: readonly LayoutReport[], diags: Diagnostics): void {
  for (const r of reports) {
    for (const o of r.overflows) {
      const pt = Math.round(o.excess * 0.75);
      diags.warn(
        'layout/overflow',
        `${NAMES[o.kind]} runs ${pt} pt past the text block and is cut off on paper`,
        o.file,
        o.line,
      );
    }
  }
  const all = reports.flatMap((r) => r.fitted);
  const tables = all.filter((f) => f.table === true);
  if (tables.length > 0)
    diags.info(
      'layout/table-scaled',
      `${tables.length} table(s) wider than the text block were set smaller to fit (down to ${Math.floor(Math.min(...tables.map((f) => f.scale)) * 100)}%)`,
    );
  const fitted = all.filter((f) => f.table !== true);
  const broken = fitted.filter((f) => f.broken);
  for (const display of [true, false]) {
    const scaled = fitted.filter((f) => !f.broken && f.display === display);
    if (scaled.length === 0) continue;
    const smallest = Math.min(...scaled.map((f) => f.scale));
    diags.info(
      'layout/formula-scaled',
      `${scaled.length} ${display ? 'display formula(s) wider than the text block' : 'inline formula(s) with a part wider than the line'} were set smaller to fit (down to ${Math.floor(smallest * 100)}%)`,
    );
  }
  for (const f of broken)
    diags.info(
      'layout/formula-broken',
      `a display formula is too wide even at ${Math.round(f.scale * 100)}% and is broken into lines after its relations and operators`,
      f.file,
      f.line,
    );
}
