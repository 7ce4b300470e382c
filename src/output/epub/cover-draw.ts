/**
 * Draws the generated cover without a browser. fontkit shapes the text with the book's Noto
 * fonts (the slices holding its characters, in the order of the print font stacks) and bidi-js
 * orders right-to-left runs; the glyph outlines become SVG paths, which resvg (WebAssembly)
 * rasterises. resvg draws paths only: its own text layer falls back between fonts unreliably
 * (Arabic inside a Latin title came out as empty boxes), and measuring and drawing with the
 * same shaper is what makes the line breaks fit.
 */
import type * as Fontkit from '@pdf-lib/fontkit';
import type { Font, GlyphRun } from '@pdf-lib/fontkit';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import type { Bidi } from 'bidi-js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import v8 from 'node:v8';
import { FONT_STACKS, type FontSlice, fontSlices, sliceCovers, sliceWoff } from '../../fonts/bundled.js';
import {
  COVER_SIZE,
  COVER_STYLE,
  type CoverLayout,
  type FaceMetrics,
  isRtl,
  layoutCover,
  type PlacedLine,
} from './cover-layout.js';
import { encodePng } from './png.js';
import { type FontFile, systemFontFiles } from './system-fonts.js';
import { woffToSfnt } from '../../fonts/woff.js';

/** What the generated cover shows. */
export interface CoverText {
  readonly title: string;
  readonly authors: readonly string[];
  readonly lang: string;
}

// Both are big CommonJS files: required, they skip the scan an ES import makes for named
// exports (a quarter of a second for fontkit). bidi-js's module is its factory.
const require = createRequire(import.meta.url);
const fontkit = require('@pdf-lib/fontkit') as typeof Fontkit;
// fontkit's bundle shapes Indic and other complex scripts with generators compiled for Babel's
// runtime, which it expects as a global: without it a Devanagari title threw.
require('regenerator-runtime/runtime');
const bidi = (require('bidi-js') as () => Bidi)();
const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

// fontkit's typings leave out the script, language and direction arguments of `layout`.
type Layout = (
  text: string,
  features: string[],
  script?: string,
  language?: string,
  direction?: string,
) => GlyphRun;

/** A glyph outline placed on a line: `d` in font units, `scale` to em, `x` and `y` in em. */
interface ShapedGlyph {
  readonly d: string;
  readonly scale: number;
  readonly x: number;
  readonly y: number;
}

/** One face of a stack: a slice of a font package. */
interface Face {
  readonly font: Font;
  readonly file: string;
}

const opened = new Map<string, Face>();

function openSlice(slice: FontSlice): Face {
  const file = sliceWoff(slice);
  let face = opened.get(file);
  if (!face) {
    face = { font: fontkit.create(woffToSfnt(readFileSync(file))), file };
    opened.set(file, face);
  }
  return face;
}

function openSystemFont(f: FontFile): Face | undefined {
  const key = `${f.file}#${f.index}`;
  let face = opened.get(key);
  if (!face) {
    try {
      const font = fontkit.create(readFileSync(f.file)) as Font | { fonts: Font[] };
      const one = 'fonts' in font ? font.fonts[f.index] : font;
      if (!one) return undefined;
      face = { font: one, file: key };
    } catch {
      return undefined; // not a font fontkit reads
    }
    opened.set(key, face);
  }
  return face;
}

/** Characters a reader would miss on the cover (not spaces, controls or marks). */
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** The families of a CSS font stack (`"Noto Serif", "Noto Sans SC"`). */
function familiesOf(stack: string): string[] {
  return stack.split(',').map((f) => f.trim().replace(/^"|"$/g, ''));
}

/** The faces a text needs from a font stack at a weight, and how it is shaped with them. */
export class CoverFaces {
  readonly #families: readonly string[];
  readonly #weight: number;
  readonly #byChar = new Map<number, Face | null>();
  readonly #widths = new Map<string, number>();
  /** The stack's first face: its ascent and descent set the line, as in CSS. */
  readonly primary: Face;
  /** Characters of the text that no font has: the cover leaves them out. */
  readonly missing: readonly string[];

  /**
   * The faces of `stack` at `weight` for a text; characters none of them has are looked for in
   * the machine's fonts of the `generic` family.
   */
  constructor(stack: string, weight: number, text = '', generic: 'serif' | 'sans-serif' = 'serif') {
    this.#families = familiesOf(stack);
    this.#weight = weight;
    const primary = this.faceFor('A'.codePointAt(0)!);
    if (!primary) throw new Error(`no face of ${stack} holds Latin letters`);
    this.primary = primary;
    const lacking = new Set<number>();
    for (const { segment } of graphemes.segment(text)) {
      const cp = segment.codePointAt(0)!;
      if (VISIBLE.test(segment) && !this.faceFor(cp)) lacking.add(cp);
    }
    if (lacking.size > 0) {
      const files = systemFontFiles([...lacking], generic, weight >= 600).map(openSystemFont);
      for (const cp of lacking) {
        const face = files.find((f) => f?.font.hasGlyphForCodePoint(cp));
        if (face) {
          this.#byChar.set(cp, face);
          lacking.delete(cp);
        }
      }
    }
    this.missing = [...lacking].map((cp) => String.fromCodePoint(cp));
  }

  /** The primary face's ascent and descent in em. */
  get metrics(): FaceMetrics {
    const f = this.primary.font;
    return { ascent: f.ascent / f.unitsPerEm, descent: -f.descent / f.unitsPerEm };
  }

  /** The first face of the stack that has a glyph for a code point (null: none has). */
  faceFor(cp: number): Face | null {
    const known = this.#byChar.get(cp);
    if (known !== undefined) return known;
    let found: Face | null = null;
    for (const family of this.#families) {
      const slices = fontSlices().filter((s) => s.family === family && s.style === 'normal');
      const weight = nearest(
        slices.map((s) => s.weight),
        this.#weight,
      );
      const slice = slices.find((s) => s.weight === weight && sliceCovers(s, cp));
      if (!slice) continue;
      const face = openSlice(slice);
      if (face.font.hasGlyphForCodePoint(cp)) {
        found = face;
        break;
      }
    }
    this.#byChar.set(cp, found);
    return found;
  }

  /** Width of a line at a font size, in pixels. */
  width(text: string, size: number, rtl: boolean): number {
    const key = `${rtl ? 'r' : 'l'}${text}`;
    let w = this.#widths.get(key);
    if (w === undefined) {
      w = this.shape(text, rtl).width;
      this.#widths.set(key, w);
    }
    return w * size;
  }

  /**
   * Shapes one line: bidi levels, runs of one level and one face, each shaped by fontkit,
   * then put in visual order. Positions are in em, left to right.
   */
  shape(text: string, rtl: boolean): { glyphs: ShapedGlyph[]; width: number } {
    const levels = bidi.getEmbeddingLevels(text, rtl ? 'rtl' : 'ltr');
    const mirrored = bidi.getMirroredCharactersMap(text, levels.levels);
    const runs: { text: string; level: number; face: Face }[] = [];
    for (const { segment, index } of graphemes.segment(text)) {
      const face = this.faceFor(segment.codePointAt(0)!);
      if (!face) continue;
      const level = levels.levels[index] ?? 0;
      const ch = mirrored.get(index) ?? segment;
      const last = runs[runs.length - 1];
      if (last && last.level === level && last.face === face) last.text += ch;
      else runs.push({ text: ch, level, face });
    }
    const glyphs: ShapedGlyph[] = [];
    let pen = 0;
    for (const run of visualOrder(runs)) {
      const { font } = run.face;
      const layout: Layout = font.layout.bind(font);
      const shaped = layout(run.text, [], undefined, undefined, run.level % 2 === 1 ? 'rtl' : 'ltr');
      const scale = 1 / font.unitsPerEm;
      shaped.glyphs.forEach((g, i) => {
        const p = shaped.positions[i]!;
        const d = g.path.toSVG();
        if (d) glyphs.push({ d, scale, x: pen + p.xOffset * scale, y: p.yOffset * scale });
        pen += p.xAdvance * scale;
      });
    }
    return { glyphs, width: pen };
  }
}

function nearest(weights: readonly number[], want: number): number {
  return weights.reduce(
    (best, w) => (Math.abs(w - want) < Math.abs(best - want) ? w : best),
    weights[0] ?? want,
  );
}

/** Unicode's rule L2: from the highest level down, reverse every sequence at that level or above. */
export function visualOrder<T extends { readonly level: number }>(runs: readonly T[]): T[] {
  const out = [...runs];
  const max = Math.max(0, ...out.map((r) => r.level));
  const minOdd = Math.min(...out.map((r) => (r.level % 2 === 1 ? r.level : Infinity)));
  for (let level = max; level >= minOdd && level > 0; level--) {
    for (let i = 0; i < out.length;) {
      if (out[i]!.level < level) {
        i++;
        continue;
      }
      let j = i;
      while (j < out.length && out[j]!.level >= level) j++;
      out.splice(i, j - i, ...out.slice(i, j).reverse());
      i = j;
    }
  }
  return out;
}

/** The cover as SVG: background, the lines as glyph outlines, the rule. */
export function coverSvg(layout: CoverLayout, faces: { title: CoverFaces; author: CoverFaces }): string {
  const s = COVER_STYLE;
  const paths = layout.lines.map((line) => linePaths(line, layout.anchor, faces[line.role])).join('');
  const r = layout.rule;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${COVER_SIZE.width}" height="${COVER_SIZE.height}">` +
    `<rect width="${COVER_SIZE.width}" height="${COVER_SIZE.height}" fill="${s.background}"/>` +
    `<g fill="${s.text}">${paths}</g>` +
    `<rect x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" fill="${s.rule}"/></svg>`
  );
}

function linePaths(line: PlacedLine, anchor: 'start' | 'end', faces: CoverFaces): string {
  const { glyphs, width } = faces.shape(line.text, anchor === 'end');
  const left = anchor === 'end' ? line.x - width * line.size : line.x;
  return glyphs
    .map((g) => {
      const k = g.scale * line.size;
      const x = left + g.x * line.size;
      const y = line.y - g.y * line.size;
      return `<path transform="matrix(${k} 0 0 ${-k} ${x.toFixed(2)} ${y.toFixed(2)})" d="${g.d}"/>`;
    })
    .join('');
}

let wasm: Promise<void> | undefined;

/**
 * Compiles resvg with V8's baseline compiler only. By default V8 also compiles the hot parts of
 * the 2.4 MB module again with its optimising compiler, on background threads: for one picture
 * that costs more (about 0.25 s of processor time, taken from the build beside it) than it saves.
 */
async function loadResvg(): Promise<void> {
  const bytes = readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm'));
  // The flag is the process's: it is set only while this module compiles (the choice stays
  // with the module), unless Node was started with it.
  const given = /--liftoff-only\b/.test([...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' '));
  v8.setFlagsFromString('--liftoff-only');
  try {
    await initWasm(bytes);
  } finally {
    if (!given) v8.setFlagsFromString('--no-liftoff-only');
  }
}

/** A drawn cover: the PNG, and the characters of the text no font had (left out). */
export interface DrawnCover {
  readonly png: Uint8Array;
  readonly missing: readonly string[];
}

/** Draws the cover: a 1200×1800 PNG. */
export async function drawCover(text: CoverText): Promise<DrawnCover> {
  wasm ??= loadResvg();
  const faces = {
    title: new CoverFaces(FONT_STACKS.serif, 700, text.title, 'serif'),
    author: new CoverFaces(FONT_STACKS.sans, 400, text.authors.join(' '), 'sans-serif'),
  };
  // Every line is set in the title's direction, so that all of them share one edge.
  const rtl = isRtl(text.title);
  const layout = layoutCover(
    text.title,
    text.authors,
    { title: faces.title.metrics, author: faces.author.metrics },
    {
      title: (t, size) => faces.title.width(t, size, rtl),
      author: (t, size) => faces.author.width(t, size, rtl),
    },
  );
  const svg = coverSvg(layout, faces);
  await wasm;
  const resvg = new Resvg(svg);
  try {
    const image = resvg.render();
    try {
      const missing = [...new Set([...faces.title.missing, ...faces.author.missing])];
      return { png: encodePng(image.width, image.height, image.pixels), missing };
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}
