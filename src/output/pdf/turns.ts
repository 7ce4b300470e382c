/**
 * Words hyphenated across a page turn, found in a printed part. Chromium has no
 * `hyphenate-limit-last`: a soft hyphen (U+00AD, inserted at build time) may break the last line
 * of a page, so that a reader turns the page in the middle of a word. Chromium writes every soft
 * hyphen as a marked-content span `/ActualText <FEFF00AD>` around a zero-width glyph; one that
 * breaks a line is followed by the hyphen glyph drawn alone, as a text object of its own, at the
 * line's end. A page whose lowest line of text ends so has a word broken across the turn; the
 * glyphs before the span and the first glyphs of the next page, decoded through the fonts'
 * `/ToUnicode` maps, tell which word, so that the renderer can print its chapter again with that
 * word kept whole. A line broken at a hyphen the author wrote ("re-" / "enter") is a word broken
 * across the turn too (TeX's `\brokenpenalty` weighs both alike): its compound is kept whole.
 */
import { inflateSync } from 'node:zlib';
import { brokenCompound, brokenWord } from '../../compose/hyphenate.js';
import { objectOf, pageSize, type RawPart, type RawPage, streamOf } from './raw/part.js';
import { type PdfDict, PdfName, PdfRef } from './raw/syntax.js';

/** A word broken by a soft hyphen at the end of a page's last line. */
export interface HyphenTurn {
  /** The page (0-based, in the part) whose last line ends with the hyphen. */
  readonly page: number;
  /** The letters before the hyphen. */
  readonly head: string;
  /** The letters the next page starts with (empty if they could not be read). */
  readonly tail: string;
  /** Broken at a hyphen the author wrote ("re-" / "enter"), not at a soft hyphen. */
  readonly compound?: boolean;
}

/** The text block's top and bottom margins, in points: the lines of a page are looked for there. */
export interface TextBlockMargins {
  readonly top: number;
  readonly bottom: number;
}

/** A font as far as reading text goes: its code width and its code → text map. */
export interface Font {
  readonly twoByte: boolean;
  readonly unicode: ReadonlyMap<number, string>;
}

/** Glyphs shown by one text-showing operator. */
export interface Run {
  /** The baseline, in points from the top of the page. */
  readonly y: number;
  /** The font size, in points. */
  readonly size: number;
  readonly font: Font | undefined;
  /** Its string: the bytes of a literal string, or where a hex string's digits are. */
  readonly codes: Buffer | { readonly src: Buffer; readonly from: number; readonly to: number };
  /** Shown inside a soft hyphen's span. */
  readonly shy: boolean;
  /** The text object (`BT … ET`) it is in, counted from 0 over the page. */
  readonly obj: number;
}

/** Baselines closer than this (points) are one line. */
const LINE_SLACK = 1;
/**
 * How far below a line's baseline, as a share of its font size, glyphs still belong to it
 * (subscripts, an inline formula's lower parts); the next line is at least a line height lower.
 */
const DROP = 0.5;
/** How far (points) a baseline may sit outside the text block (descenders, rounding). */
const BLOCK_SLACK = 4;
const SOFT_HYPHEN_SPAN = /\/ActualText\s*<\s*feff00ad\s*>/i;
const ACTUAL_TEXT = Buffer.from('/ActualText', 'latin1');
const HYPHEN = /^[-\u2010\u00ad]$/u;
const LEADING_LETTERS = /^[\p{L}\p{M}]+/u;
const TRAILING_LETTERS = /[\p{L}\p{M}]+$/u;

/**
 * Reads a part's pages one after the other (as {@link dropSoftHyphenText} inflates them) and
 * collects the words hyphenated across a page turn. Every page is interpreted: one without a
 * soft hyphen may still end with a compound broken at its own hyphen.
 */
export class HyphenTurnFinder {
  readonly #part: RawPart;
  readonly #block: TextBlockMargins;
  readonly #fonts = new Map<number, Font | undefined>();
  readonly #found: HyphenTurn[] = [];
  /** The page before, when its last line ends with a hyphen: its index and the letters. */
  #open: { page: number; head: string; compound?: boolean } | undefined;

  constructor(part: RawPart, block: TextBlockMargins) {
    this.#part = part;
    this.#block = block;
  }

  /** Takes page `index`'s decoded content streams (before their soft hyphen text is emptied). */
  page(index: number, streams: readonly Buffer[]): void {
    const open = this.#open;
    this.#open = undefined;
    const page = this.#part.pages[index];
    if (!page) return;
    const runs = this.#runs(page, streams);
    if (open) this.#found.push({ ...open, tail: topLetters(runs) });
    const broken = bottomBreak(runs);
    if (broken) this.#open = { page: index, ...broken };
  }

  /** The words found, the last page's included (its word goes on in no page: tail empty). */
  turns(): HyphenTurn[] {
    return this.#open ? [...this.#found, { ...this.#open, tail: '' }] : [...this.#found];
  }

  #runs(page: RawPage, streams: readonly Buffer[]): Run[] {
    const [, height] = pageSize(this.#part, page);
    const fonts = fontResources(this.#part, page);
    const all = textRuns(streams, height, (name) => {
      const ref = fonts.get(name);
      if (ref === undefined) return undefined;
      if (!this.#fonts.has(ref)) this.#fonts.set(ref, readFont(this.#part, ref));
      return this.#fonts.get(ref);
    });
    const top = this.#block.top - BLOCK_SLACK;
    const bottom = height - this.#block.bottom + BLOCK_SLACK;
    return all.filter((r) => r.y >= top && r.y <= bottom);
  }
}

function dictAt(part: RawPart, v: unknown): PdfDict | undefined {
  const d = v instanceof PdfRef ? objectOf(part, v.num) : v;
  return d instanceof Map ? d : undefined;
}

/** The page's font resources: name → object number. */
function fontResources(part: RawPart, page: RawPage): Map<string, number> {
  const out = new Map<string, number>();
  const fonts = dictAt(part, dictAt(part, page.dict.get('Resources'))?.get('Font'));
  for (const [name, ref] of fonts ?? []) if (ref instanceof PdfRef) out.set(name, ref.num);
  return out;
}

/** A font's code width and its `/ToUnicode` map (undefined when it has none). */
function readFont(part: RawPart, num: number): Font | undefined {
  const dict = dictAt(part, new PdfRef(num, 0));
  const ref = dict?.get('ToUnicode');
  if (!dict || !(ref instanceof PdfRef)) return undefined;
  const stream = streamOf(part, ref.num);
  if (!stream) return undefined;
  const filter = stream.dict.get('Filter');
  let data = stream.data;
  if (filter instanceof PdfName && filter.raw === 'FlateDecode') data = inflateSync(data);
  else if (filter !== undefined) return undefined;
  const subtype = dict.get('Subtype');
  return {
    twoByte: subtype instanceof PdfName && subtype.raw === 'Type0',
    unicode: parseToUnicode(data.toString('latin1')),
  };
}

const utf16 = (hex: string): string => {
  const b = Buffer.from(hex.length % 4 ? hex.padEnd(hex.length + 4 - (hex.length % 4), '0') : hex, 'hex');
  return b.swap16().toString('utf16le');
};

/** A `/ToUnicode` CMap's `bfchar` and `bfrange` entries: code → text. */
export function parseToUnicode(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
    for (const m of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>/g))
      map.set(Number.parseInt(m[1]!, 16), utf16(m[2]!));
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g))
    for (const m of block[1]!.matchAll(
      /<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(?:<([0-9a-fA-F]*)>|\[([^\]]*)\])/g,
    )) {
      const lo = Number.parseInt(m[1]!, 16);
      const hi = Number.parseInt(m[2]!, 16);
      if (hi < lo || hi - lo > 0xffff) continue;
      if (m[3] !== undefined) {
        const base = m[3];
        const last = Number.parseInt(base.slice(-4) || '0', 16);
        for (let c = lo; c <= hi; c++)
          map.set(c, utf16(base.slice(0, -4) + (last + c - lo).toString(16).padStart(4, '0')));
      } else {
        const dsts = [...m[4]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((d) => d[1]!);
        dsts.forEach((d, i) => {
          if (lo + i <= hi) map.set(lo + i, utf16(d));
        });
      }
    }
  return map;
}

/** The text of a run (codes without a mapping give U+FFFD). */
function runText(r: Run): string {
  if (!r.font) return '\ufffd';
  const step = r.font.twoByte ? 2 : 1;
  const codes = Buffer.isBuffer(r.codes) ? r.codes : hexBytes(r.codes.src, r.codes.from, r.codes.to);
  let s = '';
  for (let i = 0; i + step <= codes.length; i += step) {
    const code = step === 2 ? codes.readUInt16BE(i) : codes[i]!;
    s += r.font.unicode.get(code) ?? '\ufffd';
  }
  return s;
}

/** Runs on the line at `y`, soft hyphens left out, in the order they were drawn. */
const lineText = (runs: readonly Run[], y: number, upTo = runs.length): string =>
  runs
    .slice(0, upTo)
    .filter((r) => !r.shy && Math.abs(r.y - y) <= LINE_SLACK)
    .map(runText)
    .join('');

/** A line ending with letters and a hyphen the author wrote ("re-"), spaces after it left out. */
const COMPOUND_END = /([\p{L}\p{M}]+)[-\u2010]\s*$/u;

/**
 * How the page's lowest line ends, when it breaks a word: the letters before the soft hyphen
 * that breaks it, or else before a hyphen the author wrote that ends it after letters
 * (`compound`: "re-" of "re-enter"). Undefined when that line does not end so.
 */
export function bottomBreak(runs: readonly Run[]): { head: string; compound?: true } | undefined {
  if (runs.length === 0) return undefined;
  const lowest = Math.max(...runs.map((r) => r.y));
  for (let i = runs.length - 2; i >= 0; i--) {
    const r = runs[i]!;
    if (!r.shy || lowest - r.y > DROP * r.size) continue;
    const next = runs[i + 1]!;
    const after = runs[i + 2];
    const alone = next.obj !== r.obj && (after === undefined || after.obj !== next.obj);
    if (!alone || next.shy || Math.abs(next.y - r.y) > LINE_SLACK || !HYPHEN.test(runText(next))) continue;
    return { head: TRAILING_LETTERS.exec(lineText(runs, r.y, i))?.[0] ?? '' };
  }
  // The line's own text, not a subscript below its baseline: the largest glyphs down there.
  const line = runs
    .filter((r) => !r.shy && lowest - r.y <= DROP * r.size)
    .reduce<Run | undefined>((a, b) => (a === undefined || b.size > a.size ? b : a), undefined);
  const head = line && COMPOUND_END.exec(lineText(runs, line.y))?.[1];
  return head ? { head, compound: true } : undefined;
}

/** The letters the page's top line starts with. */
function topLetters(runs: readonly Run[]): string {
  if (runs.length === 0) return '';
  const highest = Math.min(...runs.map((r) => r.y));
  // The line's own text, not a superscript above its baseline: the largest glyphs up there.
  const line = runs.filter((r) => r.y - highest <= DROP * r.size).reduce((a, b) => (b.size > a.size ? b : a));
  return LEADING_LETTERS.exec(lineText(runs, line.y))?.[0] ?? '';
}

type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];
const mul = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[1] * n[2],
  m[0] * n[1] + m[1] * n[3],
  m[2] * n[0] + m[3] * n[2],
  m[2] * n[1] + m[3] * n[3],
  m[4] * n[0] + m[5] * n[2] + n[4],
  m[4] * n[1] + m[5] * n[3] + n[5],
];

const SPACE = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) SPACE[c] = 1;
const DELIM = new Uint8Array(256);
for (const ch of '()<>[]{}/%') DELIM[ch.charCodeAt(0)] = 1;
const ENDS = SPACE.map((v, c) => v | DELIM[c]!);

/** An operator's bytes as a number (operators are at most 3 bytes long). */
const op = (s: string): number => [...s].reduce((k, ch, i) => k | (ch.charCodeAt(0) << (8 * i)), 0);
const OP = {
  q: op('q'),
  Q: op('Q'),
  cm: op('cm'),
  BT: op('BT'),
  Tm: op('Tm'),
  Td: op('Td'),
  TD: op('TD'),
  TL: op('TL'),
  Tstar: op('T*'),
  Tf: op('Tf'),
  quote: op("'"),
  dquote: op('"'),
  Tj: op('Tj'),
  TJ: op('TJ'),
  BDC: op('BDC'),
  BMC: op('BMC'),
  EMC: op('EMC'),
  BI: op('BI'),
  Do: op('Do'),
};

/** Hex digits' values; -1 for other bytes. */
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 16; c++) {
  HEX['0123456789abcdef'.charCodeAt(c)] = c;
  HEX['0123456789ABCDEF'.charCodeAt(c)] = c;
}

/** The bytes of a hex string's digits. */
function hexBytes(b: Buffer, from: number, to: number): Buffer {
  const out = Buffer.allocUnsafe((to - from + 1) >> 1);
  let n = 0;
  let hi = -1;
  for (let i = from; i < to; i++) {
    const v = HEX[b[i]!]!;
    if (v < 0) continue;
    if (hi < 0) hi = v;
    else {
      out[n++] = (hi << 4) | v;
      hi = -1;
    }
  }
  if (hi >= 0) out[n++] = hi << 4;
  return out.subarray(0, n);
}

/**
 * The glyph runs of a page's content streams, with their baselines: a small interpreter of the
 * graphics state (`q`, `Q`, `cm`) and the text operators, and of marked content (a soft
 * hyphen's span). Form XObjects are not entered: Chromium draws the book's text in the page.
 * Every page of a book goes through it, so it reads bytes: no token becomes a string.
 */
export function textRuns(
  streams: readonly Buffer[],
  pageHeight: number,
  fontNamed: (name: string) => Font | undefined,
  draws?: { top: number; bottom: number }[],
): Run[] {
  const runs: Run[] = [];
  const stack: Matrix[] = [];
  let ctm: Matrix = IDENTITY;
  let tm: Matrix = IDENTITY;
  let tlm: Matrix = IDENTITY;
  let leading = 0;
  let font: Font | undefined;
  let fontSize = 0;
  let obj = -1;
  const marks: boolean[] = [];
  let shyDepth = 0;
  const nums = new Float64Array(8);
  for (const b of streams) {
    const end = b.length;
    let n = 0;
    const strings: Run['codes'][] = [];
    // Where the next `/ActualText` is, from which a marked-content span is told to be a soft hyphen.
    let actual = -1;
    let nameFrom = 0;
    let nameTo = 0;
    let depth = 0;
    let operandsAt = 0;
    const num = (k: number): number => nums[(n - k) & 7]!;
    const show = (): void => {
      const y = pageHeight - (tm[4] * ctm[1] + tm[5] * ctm[3] + ctm[5]);
      const a = tm[0] * ctm[0] + tm[1] * ctm[2];
      const bb = tm[0] * ctm[1] + tm[1] * ctm[3];
      const c = tm[2] * ctm[0] + tm[3] * ctm[2];
      const d = tm[2] * ctm[1] + tm[3] * ctm[3];
      const size = Math.abs(fontSize) * Math.sqrt(Math.abs(a * d - bb * c));
      for (const codes of strings) runs.push({ y, size, font, codes, shy: shyDepth > 0, obj });
    };
    const nextLine = (tx: number, ty: number): void => {
      tlm = [
        tlm[0],
        tlm[1],
        tlm[2],
        tlm[3],
        tx * tlm[0] + ty * tlm[2] + tlm[4],
        tx * tlm[1] + ty * tlm[3] + tlm[5],
      ];
      tm = tlm;
    };
    let i = 0;
    while (i < end) {
      const ch = b[i]!;
      if (SPACE[ch]) {
        i++;
        continue;
      }
      if (ch === 0x25) {
        while (i < end && b[i] !== 0x0a && b[i] !== 0x0d) i++;
        continue;
      }
      if (ch === 0x2f) {
        const from = ++i;
        while (i < end && !ENDS[b[i]!]) i++;
        if (depth === 0) {
          nameFrom = from;
          nameTo = i;
        }
        continue;
      }
      if (ch === 0x28) {
        let nest = 0;
        const from = i;
        for (; i < end; i++) {
          const c = b[i]!;
          if (c === 0x5c) i++;
          else if (c === 0x28) nest++;
          else if (c === 0x29 && --nest === 0) break;
        }
        i++;
        if (depth === 0) strings.push(literalBytes(b.subarray(from + 1, i - 1)));
        continue;
      }
      if (ch === 0x3c) {
        if (b[i + 1] === 0x3c) {
          i += 2;
          depth++;
          continue;
        }
        const from = ++i;
        while (i < end && b[i] !== 0x3e) i++;
        if (depth === 0) strings.push({ src: b, from, to: i });
        i++;
        continue;
      }
      if (ch === 0x3e) {
        i += b[i + 1] === 0x3e ? 2 : 1;
        depth = Math.max(0, depth - 1);
        continue;
      }
      if (ch === 0x5b || ch === 0x5d) {
        i++;
        continue;
      }
      if ((ch >= 0x30 && ch <= 0x39) || ch === 0x2d || ch === 0x2b || ch === 0x2e) {
        let sign = 1;
        if (ch === 0x2d || ch === 0x2b) {
          if (ch === 0x2d) sign = -1;
          i++;
        }
        let v = 0;
        while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39) v = v * 10 + b[i++]! - 0x30;
        if (b[i] === 0x2e) {
          i++;
          let scale = 0.1;
          while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39) {
            v += (b[i++]! - 0x30) * scale;
            scale /= 10;
          }
        }
        while (i < end && !ENDS[b[i]!]) i++;
        if (depth === 0) nums[n++ & 7] = sign * v;
        continue;
      }
      const from = i;
      let key = 0;
      for (let k = 0; i < end && !ENDS[b[i]!]; i++, k++) if (k < 3) key |= b[i]! << (8 * k);
      if (i - from > 3) key = -1;
      const six = (): Matrix => [num(6), num(5), num(4), num(3), num(2), num(1)];
      switch (key) {
        case OP.q:
          stack.push(ctm);
          break;
        case OP.Q:
          ctm = stack.pop() ?? IDENTITY;
          break;
        case OP.cm:
          if (n >= 6) ctm = mul(six(), ctm);
          break;
        case OP.BT:
          tm = tlm = IDENTITY;
          obj++;
          break;
        case OP.Tm:
          if (n >= 6) tm = tlm = six();
          break;
        case OP.Td:
          if (n >= 2) nextLine(num(2), num(1));
          break;
        case OP.TD:
          if (n >= 2) {
            leading = -num(1);
            nextLine(num(2), num(1));
          }
          break;
        case OP.TL:
          if (n >= 1) leading = num(1);
          break;
        case OP.Tstar:
          nextLine(0, -leading);
          break;
        case OP.Tf:
          font = fontNamed(b.toString('latin1', nameFrom, nameTo));
          if (n >= 1) fontSize = num(1);
          break;
        case OP.quote:
        case OP.dquote:
          nextLine(0, -leading);
          show();
          break;
        case OP.Tj:
        case OP.TJ:
          show();
          break;
        case OP.BDC: {
          if (actual !== -2 && actual < operandsAt) actual = b.indexOf(ACTUAL_TEXT, operandsAt);
          if (actual === -1) actual = -2;
          const shy =
            actual >= 0 && actual < from && SOFT_HYPHEN_SPAN.test(b.toString('latin1', actual, from));
          marks.push(shy);
          if (shy) shyDepth++;
          break;
        }
        case OP.BMC:
          marks.push(false);
          break;
        case OP.EMC:
          if (marks.pop()) shyDepth--;
          break;
        case OP.Do:
          if (draws) {
            // An XObject (an image, a form) is drawn in the unit square of the current matrix.
            const ys = [ctm[5], ctm[5] + ctm[1], ctm[5] + ctm[3], ctm[5] + ctm[1] + ctm[3]];
            draws.push({ top: pageHeight - Math.max(...ys), bottom: pageHeight - Math.min(...ys) });
          }
          break;
        case OP.BI: {
          // An inline image: its data runs to `EI`.
          const ei = b.indexOf('EI', i, 'latin1');
          i = ei === -1 ? end : ei + 2;
          break;
        }
        default:
          break;
      }
      n = 0;
      if (strings.length > 0) strings.length = 0;
      depth = 0;
      operandsAt = i;
    }
  }
  return runs;
}

/** A literal string's bytes (its escapes decoded). */
function literalBytes(body: Buffer): Buffer {
  if (!body.includes(0x5c)) return Buffer.from(body);
  const out: number[] = [];
  const escapes: Record<number, number> = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== 0x5c) {
      out.push(c);
      continue;
    }
    const d = body[++i];
    if (d === undefined) break;
    if (d in escapes) out.push(escapes[d]!);
    else if (d >= 0x30 && d <= 0x37) {
      let oct = d - 0x30;
      for (let k = 0; k < 2 && body[i + 1]! >= 0x30 && body[i + 1]! <= 0x37; k++)
        oct = oct * 8 + body[++i]! - 0x30;
      out.push(oct & 0xff);
    } else if (d === 0x0d) {
      if (body[i + 1] === 0x0a) i++;
    } else if (d !== 0x0a) out.push(d);
  }
  return Buffer.from(out);
}

/** A word found hyphenated across a page turn, in its chapter's hyphenated HTML. */
export interface TurnWord {
  /** The chapter's index in the book. */
  readonly chapter: number;
  /** Its letters (as written, without soft hyphens). */
  readonly word: string;
  /** The source line of the block it is in (`data-line`), or 1 when unknown. */
  readonly line: number;
  /** The word was found in the HTML (else `word` is only what the PDF reads). */
  readonly found: boolean;
  /** As found in the PDF. */
  readonly turn: HyphenTurn;
}

/**
 * The words of a printed chunk's turns, each in its chapter: the chapter (of those from `from`
 * to `to`, each starting on a new page at `starts`, 1-based) whose pages hold the turn's page,
 * and in its HTML (`html(k)`, hyphenated) the word broken after the turn's letters.
 */
export function turnWords(
  turns: readonly HyphenTurn[],
  chapterIds: readonly string[],
  from: number,
  to: number,
  starts: ReadonlyMap<string, number>,
  html: (chapter: number) => string,
): TurnWord[] {
  const out: TurnWord[] = [];
  for (const turn of turns) {
    let chapter = from;
    for (let k = from; k < to; k++) {
      const start = starts.get(chapterIds[k]!);
      if (start !== undefined && start <= turn.page + 1) chapter = k;
    }
    const text = html(chapter);
    const found = turn.compound
      ? brokenCompound(text, turn.head, turn.tail)
      : brokenWord(text, turn.head, turn.tail);
    if (!found) {
      // A line may end with a hyphen that joins no compound of the chapter (a table's cells,
      // "pre-" of "pre- and post-"): nothing to keep whole, and no word broken.
      if (!turn.compound) out.push({ chapter, word: turn.head + turn.tail, line: 1, found: false, turn });
      continue;
    }
    const attr = text.lastIndexOf(' data-line="', found.at);
    const line = attr === -1 ? 1 : Number.parseInt(text.slice(attr + 12, attr + 22), 10) || 1;
    out.push({ chapter, word: found.word, line, found: true, turn });
  }
  return out;
}
