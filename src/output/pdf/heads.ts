/**
 * Running heads and page numbers, drawn over the laid-out pages (fonts embedded by pdf-lib,
 * content streams written here). Chromium has no
 * `string-set`, no `:first` for named pages and no way to restart the page counter, so the
 * heads (chapter title, book title on left pages), the roman/arabic folios and their absence on
 * title, blank and chapter-opening pages are decided here from the page plan. They are marked
 * as artifacts, so the tagged structure and screen readers skip them.
 */
import fontkit from '@pdf-lib/fontkit';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PDFDocument, type PDFFont } from 'pdf-lib';
import type { PdfConfig } from '../../config/pdf.js';
import { type FontSlice, sliceFor, sliceWoff } from './fonts.js';
import type { PageInfo } from './pages.js';

const SIZE = 8.5;
/** Families tried in order for each character of a head. */
const FALLBACK = ['Noto Sans', 'Noto Sans SC'] as const;

/**
 * Scripts that need shaping (joining, reordering) which pdf-lib cannot do: Hebrew, Arabic,
 * Syriac, Thaana, the Indic scripts, Thai, Lao, Tibetan, Myanmar, Khmer. A head in one of them
 * would come out as disjointed letters or empty boxes, so it is left out instead.
 */
const NEEDS_SHAPING =
  /[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff\ufb1d-\ufdff\ufe70-\ufeff]/u;

/** True when pdf-lib can draw the text as a running head. */
export function drawableHead(text: string): boolean {
  return !NEEDS_SHAPING.test(text);
}

/** What the heads need to know about the book. */
export interface HeadText {
  readonly bookTitle: string;
  /** Chapter titles in book order. */
  readonly chapterTitles: readonly string[];
}

/** A run of text in one font slice. */
interface Run {
  readonly font: PDFFont;
  readonly text: string;
}

/** Embeds font slices on demand, once each, with a stable subset tag (pdf-lib's is random). */
class FontCache {
  private readonly fonts = new Map<string, Promise<PDFFont>>();
  constructor(private readonly doc: PDFDocument) {
    doc.registerFontkit(fontkit);
  }
  get(slice: FontSlice): Promise<PDFFont> {
    let f = this.fonts.get(slice.file);
    if (!f) {
      const tag = createHash('sha256')
        .update(slice.file)
        .digest()
        .subarray(0, 6)
        .reduce((s, b) => s + String.fromCharCode(65 + (b % 26)), '');
      f = this.doc.embedFont(readFileSync(sliceWoff(slice)), {
        subset: true,
        customName: `${tag}+${slice.family.replace(/\s+/g, '')}`,
      });
      this.fonts.set(slice.file, f);
    }
    return f;
  }
}

async function runsOf(text: string, fonts: FontCache): Promise<Run[]> {
  const runs: Run[] = [];
  let current: { slice: FontSlice; text: string } | undefined;
  const flush = async (): Promise<void> => {
    if (current) runs.push({ font: await fonts.get(current.slice), text: current.text });
  };
  for (const ch of text.replace(/\s+/g, ' ')) {
    const cp = ch.codePointAt(0)!;
    const slice =
      current && sliceHas(current.slice, cp)
        ? current.slice
        : FALLBACK.map((f) => sliceFor(f, 400, cp)).find((s) => s !== undefined);
    if (!slice) continue;
    if (current?.slice === slice) {
      current.text += ch;
    } else {
      await flush();
      current = { slice, text: ch };
    }
  }
  await flush();
  return runs;
}

function sliceHas(s: FontSlice, cp: number): boolean {
  return s.ranges.length === 0 || s.ranges.some(([a, b]) => cp >= a && cp <= b);
}

function widthOf(runs: readonly Run[]): number {
  return runs.reduce((w, r) => w + r.font.widthOfTextAtSize(r.text, SIZE), 0);
}

/** Shortens a head to fit `max` points, ending it with an ellipsis. */
async function fitted(text: string, max: number, fonts: FontCache): Promise<Run[]> {
  let runs = await runsOf(text, fonts);
  let chars = [...text];
  while (widthOf(runs) > max && chars.length > 1) {
    chars = chars.slice(0, Math.max(1, Math.floor(chars.length * 0.9)));
    runs = await runsOf(`${chars.join('').trimEnd()}…`, fonts);
  }
  return runs;
}

/** The content-stream operators that draw `runs` from (x, y), marked as an artifact. */
function drawOps(runs: readonly Run[], x: number, y: number, fontName: (f: PDFFont) => string): string {
  let at = x;
  let ops = '/Artifact BMC\nBT\n0.36 0.35 0.38 rg\n';
  for (const r of runs) {
    ops += `/${fontName(r.font)} ${SIZE} Tf\n1 0 0 1 ${at.toFixed(3)} ${y.toFixed(3)} Tm\n${r.font.encodeText(r.text).toString()} Tj\n`;
    at += r.font.widthOfTextAtSize(r.text, SIZE);
  }
  return `${ops}ET\nEMC\n`;
}

/** Runs and widths are laid out once per text: a book repeats its titles on hundreds of pages. */
function memo<T>(fn: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const seen = new Map<string, Promise<T>>();
  return (key) => {
    let v = seen.get(key);
    if (!v) {
      v = fn(key);
      seen.set(key, v);
    }
    return v;
  };
}

/** The running heads and folios, ready to be laid over the book's pages. */
export interface HeadsLayer {
  /** A PDF (no pages) holding the fonts the heads use, subset to their characters. */
  readonly fonts: Uint8Array;
  /** Each font's resource name and object number in `fonts`. */
  readonly fontRefs: ReadonlyMap<string, number>;
  /** Per page, the content stream that draws its head and folio (undefined: none). */
  readonly streams: readonly (string | undefined)[];
}

/**
 * Lays out the running heads and folios of every page the plan says carries them: content
 * streams written here, one per page, over fonts that pdf-lib embeds and subsets once. A book
 * repeats a few titles on thousands of pages, so each text is laid out once.
 */
export async function headsLayer(
  sizes: readonly (readonly [number, number])[],
  plan: readonly PageInfo[],
  text: HeadText,
  cfg: PdfConfig,
): Promise<HeadsLayer> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const fonts = new FontCache(doc);
  const names = new Map<PDFFont, string>();
  const fontName = (f: PDFFont): string => {
    let n = names.get(f);
    if (n === undefined) {
      n = `BBH${names.size}`;
      names.set(f, n);
    }
    return n;
  };
  const folioOf = memo(async (label) => {
    const runs = await runsOf(label, fonts);
    return { runs, width: widthOf(runs) };
  });
  const headOf = memo(async (key) => {
    const [max = '0', title = ''] = key.split('\u0000');
    const runs = await fitted(title, Number(max), fonts);
    return { runs, width: widthOf(runs) };
  });
  const opsOf = new Map<string, string>();
  const ops = (runs: readonly Run[], x: number, y: number): string => {
    const key = `${x}\u0000${y}\u0000${runs.map((r) => r.text).join('\u0001')}`;
    let o = opsOf.get(key);
    if (o === undefined) {
      o = drawOps(runs, x, y, fontName);
      opsOf.set(key, o);
    }
    return o;
  };
  const streams: (string | undefined)[] = [];
  for (const [i, info] of plan.entries()) {
    const size = sizes[i];
    streams.push(undefined);
    if (!size || info.kind === 'title' || info.kind === 'blank') continue;
    const [width, height] = size;
    const left = cfg.twoSided && (i + 1) % 2 === 0;
    const leftMargin = left ? cfg.outer.pt : cfg.inner.pt;
    const rightMargin = left ? cfg.inner.pt : cfg.outer.pt;
    const boxLeft = leftMargin;
    const boxWidth = width - leftMargin - rightMargin;
    const headY = height - cfg.top.pt * 0.55;
    const footY = cfg.bottom.pt * 0.45;
    const { runs: folio, width: folioWidth } = await folioOf(info.label);
    const outerX = left ? boxLeft : boxLeft + boxWidth - folioWidth;
    let page = '';
    if (cfg.pageNumbers === 'bottom-center') page += ops(folio, boxLeft + (boxWidth - folioWidth) / 2, footY);
    else if (cfg.pageNumbers === 'bottom-outer') page += ops(folio, outerX, footY);
    else if (cfg.pageNumbers === 'top-outer' && !info.opening) page += ops(folio, outerX, headY);
    if (cfg.runningHeads && info.kind === 'body' && !info.opening && info.chapter !== undefined) {
      const chapterTitle = text.chapterTitles[info.chapter] ?? '';
      const title = left || !drawableHead(chapterTitle) ? text.bookTitle : chapterTitle;
      if (drawableHead(title)) {
        const reserve = cfg.pageNumbers === 'top-outer' ? 2 * (folioWidth + 12) : 0;
        const head = await headOf(`${boxWidth - reserve}\u0000${title}`);
        page += ops(head.runs, boxLeft + (boxWidth - head.width) / 2, headY);
      }
    }
    if (page !== '') streams[i] = page;
  }
  const bytes = await doc.save({
    useObjectStreams: false,
    updateFieldAppearances: false,
    objectsPerTick: Number.POSITIVE_INFINITY,
  });
  const fontRefs = new Map([...names].map(([f, n]) => [n, f.ref.objectNumber]));
  return { fonts: bytes, fontRefs, streams };
}
