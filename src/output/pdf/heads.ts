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
import { PDFDocument, type PDFFont } from 'pdf-lib';
import type { PdfConfig } from '../../config/pdf.js';
import { type FontProblem, type FontSlice, sliceCovers, sliceFor, sliceSfnt } from '../../fonts/bundled.js';
import { ticker } from '../../ticker.js';
import type { PageInfo } from './pages.js';

const SIZE = 8.5;
/** Families tried in order for each character of a head (scripts drawn without shaping). */
const FALLBACK = [
  'Noto Sans',
  'Noto Sans Symbols 2',
  'Noto Sans Georgian',
  'Noto Sans Armenian',
  'Noto Sans Ethiopic',
  'Noto Emoji',
  'Noto Sans SC',
  'Noto Sans KR',
] as const;

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
  private readonly fonts = new Map<string, Promise<PDFFont | undefined>>();
  constructor(
    private readonly doc: PDFDocument,
    private readonly problem?: FontProblem,
  ) {
    doc.registerFontkit(fontkit);
  }
  /** The embedded slice; undefined when pdf-lib cannot embed it (its characters are left out). */
  get(slice: FontSlice): Promise<PDFFont | undefined> {
    let f = this.fonts.get(slice.file);
    if (!f) {
      const tag = createHash('sha256')
        .update(slice.file)
        .digest()
        .subarray(0, 6)
        .reduce((s, b) => s + String.fromCharCode(65 + (b % 26)), '');
      f = Promise.resolve()
        .then(() =>
          this.doc.embedFont(sliceSfnt(slice), {
            subset: true,
            customName: `${tag}+${slice.family.replace(/\s+/g, '')}`,
          }),
        )
        .catch((e: unknown) => {
          this.problem?.(`${slice.pkg}/${slice.file}.woff`, e instanceof Error ? e.message : String(e));
          return undefined;
        });
      this.fonts.set(slice.file, f);
    }
    return f;
  }
}

/** The slice of the first fallback family that has a character (looked up once per character). */
const slices = new Map<number, FontSlice | undefined>();
function sliceOf(cp: number): FontSlice | undefined {
  if (!slices.has(cp))
    slices.set(
      cp,
      FALLBACK.map((f) => sliceFor(f, 400, cp)).find((s) => s !== undefined),
    );
  return slices.get(cp);
}

async function runsOf(text: string, fonts: FontCache): Promise<Run[]> {
  const runs: Run[] = [];
  let current: { slice: FontSlice; text: string } | undefined;
  const flush = async (): Promise<void> => {
    const font = current && (await fonts.get(current.slice));
    if (current && font) runs.push({ font, text: current.text });
  };
  for (const ch of text.replace(/\s+/g, ' ')) {
    const cp = ch.codePointAt(0)!;
    const slice = current && sliceCovers(current.slice, cp) ? current.slice : sliceOf(cp);
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

function widthOf(runs: readonly Run[]): number {
  return runs.reduce((w, r) => w + textWidth(r.font, r.text), 0);
}

/**
 * Folios: digits and roman numerals, which form no ligature, so a folio's glyphs and width are
 * those of its characters. A book has a folio per page, and laying each out whole (fontkit, once
 * to measure and once to encode) was most of the heads' cost.
 */
const FOLIO = /^[0-9ivxlcdm]+$/;
const charWidths = new WeakMap<PDFFont, Map<string, number>>();
const charGlyphs = new WeakMap<PDFFont, Map<string, string>>();

/** `make()` for a font and a key (a character, a text), computed once. */
function perFont<T>(cache: WeakMap<PDFFont, Map<string, T>>, font: PDFFont, key: string, make: () => T): T {
  let m = cache.get(font);
  if (!m) {
    m = new Map();
    cache.set(font, m);
  }
  let v = m.get(key);
  if (v === undefined) {
    v = make();
    m.set(key, v);
  }
  return v;
}

function textWidth(font: PDFFont, text: string): number {
  if (!FOLIO.test(text)) return font.widthOfTextAtSize(text, SIZE);
  let w = 0;
  for (const ch of text) w += perFont(charWidths, font, ch, () => font.widthOfTextAtSize(ch, SIZE));
  return w;
}

/** The glyphs of `text` as a hex string (`<…>`). */
function glyphsOf(font: PDFFont, text: string): string {
  if (!FOLIO.test(text)) return font.encodeText(text).toString();
  let hex = '';
  for (const ch of text)
    hex += perFont(charGlyphs, font, ch, () => font.encodeText(ch).toString().slice(1, -1));
  return `<${hex}>`;
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
function drawOps(
  runs: readonly Run[],
  glyphs: readonly string[],
  x: number,
  y: number,
  fontName: (f: PDFFont) => string,
): string {
  let at = x;
  let ops = '/Artifact BMC\nBT\n0.36 0.35 0.38 rg\n';
  for (const [i, r] of runs.entries()) {
    ops += `/${fontName(r.font)} ${SIZE} Tf\n1 0 0 1 ${at.toFixed(3)} ${y.toFixed(3)} Tm\n${glyphs[i]} Tj\n`;
    at += textWidth(r.font, r.text);
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
 * repeats a few titles on thousands of pages, so each text is laid out once; and as laying out
 * is most of the cost (fonts parsed, titles fitted), {@link RunningHeads.warm} does it for every
 * title while the pages still print, before the page plan is known.
 */
export class RunningHeads {
  private readonly doc: Promise<PDFDocument>;
  private readonly fonts: Promise<FontCache>;
  private readonly names = new Map<PDFFont, string>();
  private readonly encoded = new WeakMap<PDFFont, Map<string, string>>();
  private readonly folioOf: (label: string) => Promise<{ runs: Run[]; width: number }>;
  private readonly headOf: (key: string) => Promise<{ runs: Run[]; width: number }>;
  private readonly opsOf = new Map<string, string>();

  constructor(
    private readonly text: HeadText,
    private readonly cfg: PdfConfig,
    problem?: FontProblem,
  ) {
    this.doc = PDFDocument.create({ updateMetadata: false });
    this.fonts = this.doc.then((d) => new FontCache(d, problem));
    this.folioOf = memo(async (label) => {
      const runs = await runsOf(label, await this.fonts);
      return { runs, width: widthOf(runs) };
    });
    this.headOf = memo(async (key) => {
      const [max = '0', title = ''] = key.split('\u0000');
      const runs = await fitted(title, Number(max), await this.fonts);
      return { runs, width: widthOf(runs) };
    });
  }

  /** The width heads are fitted to on a page of this width (and folio width, for top-outer folios). */
  private headWidth(width: number, folioWidth: number): number {
    const { cfg } = this;
    return (
      width - cfg.inner.pt - cfg.outer.pt - (cfg.pageNumbers === 'top-outer' ? 2 * (folioWidth + 12) : 0)
    );
  }

  /** Lays out every title and the folios' characters for pages `width` wide (as far as they are known). */
  async warm(width: number): Promise<void> {
    const tick = ticker();
    await this.folioOf('0123456789ivxlcdm');
    if (!this.cfg.runningHeads) return;
    const folio = (await this.folioOf('0')).width;
    for (const title of new Set([this.text.bookTitle, ...this.text.chapterTitles].filter(drawableHead))) {
      this.encode((await this.headOf(`${this.headWidth(width, folio)}\u0000${title}`)).runs);
      await tick();
    }
  }

  private fontName(f: PDFFont): string {
    let n = this.names.get(f);
    if (n === undefined) {
      n = `BBH${this.names.size}`;
      this.names.set(f, n);
    }
    return n;
  }

  /** Glyph strings of runs, each encoded once (encoding lays the text out again). */
  private encode(runs: readonly Run[]): string[] {
    return runs.map((r) => perFont(this.encoded, r.font, r.text, () => glyphsOf(r.font, r.text)));
  }

  private ops(runs: readonly Run[], x: number, y: number): string {
    const key = `${x}\u0000${y}\u0000${runs.map((r) => r.text).join('\u0001')}`;
    let o = this.opsOf.get(key);
    if (o === undefined) {
      o = drawOps(runs, this.encode(runs), x, y, (f) => this.fontName(f));
      this.opsOf.set(key, o);
    }
    return o;
  }

  /** The heads and folios of every page of the plan, pages of the given sizes. */
  async layer(sizes: readonly (readonly [number, number])[], plan: readonly PageInfo[]): Promise<HeadsLayer> {
    const { cfg, text } = this;
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
      const { runs: folio, width: folioWidth } = await this.folioOf(info.label);
      const outerX = left ? boxLeft : boxLeft + boxWidth - folioWidth;
      let page = '';
      if (cfg.pageNumbers === 'bottom-center')
        page += this.ops(folio, boxLeft + (boxWidth - folioWidth) / 2, footY);
      else if (cfg.pageNumbers === 'bottom-outer') page += this.ops(folio, outerX, footY);
      else if (cfg.pageNumbers === 'top-outer' && !info.opening) page += this.ops(folio, outerX, headY);
      if (cfg.runningHeads && info.kind === 'body' && !info.opening && info.chapter !== undefined) {
        const chapterTitle = text.chapterTitles[info.chapter] ?? '';
        const title = left || !drawableHead(chapterTitle) ? text.bookTitle : chapterTitle;
        if (drawableHead(title)) {
          const head = await this.headOf(`${this.headWidth(width, folioWidth)}\u0000${title}`);
          page += this.ops(head.runs, boxLeft + (boxWidth - head.width) / 2, headY);
        }
      }
      if (page !== '') streams[i] = page;
    }
    const bytes = await (
      await this.doc
    ).save({
      useObjectStreams: false,
      updateFieldAppearances: false,
      objectsPerTick: Number.POSITIVE_INFINITY,
    });
    const fontRefs = new Map([...this.names].map(([f, n]) => [n, f.ref.objectNumber]));
    return { fonts: bytes, fontRefs, streams };
  }
}
