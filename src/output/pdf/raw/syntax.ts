/**
 * Just enough PDF syntax to join Chromium's PDFs without an object graph: a parser for the few
 * objects that are edited (catalog, page tree, pages, links, structure root), a serializer for
 * them, and a scanner that renumbers the references of every other object as it copies its
 * bytes. Text is latin1 (one character per byte), as PDF syntax is.
 */

/** A name, as written after its slash (`#xx` escapes kept). */
export class PdfName {
  constructor(readonly raw: string) {}
}

/** A string token as written, delimiters included: `(…)` or `<…>`. */
export class PdfString {
  constructor(readonly raw: string) {}
}

/** An indirect reference. */
export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
}

/** A dictionary: keys are names as written after their slash. */
export type PdfDict = Map<string, PdfValue>;

/** A direct PDF value. */
export type PdfValue = number | boolean | null | PdfName | PdfString | PdfRef | PdfValue[] | PdfDict;

const WHITE = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) WHITE[c] = 1;
/** White space and delimiters end a token. */
const ENDS = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) ENDS[c] = 1;
for (const ch of '()<>[]{}/%') ENDS[ch.charCodeAt(0)] = 1;

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** Where the literal string opening at `at` (a `(`) ends, one past its `)`. */
function literalEnd(b: Uint8Array, at: number, end: number): number {
  let depth = 0;
  for (let i = at; i < end; i++) {
    const c = b[i]!;
    if (c === 0x5c) i++;
    else if (c === 0x28) depth++;
    else if (c === 0x29 && --depth === 0) return i + 1;
  }
  return end;
}

/** `N G R` at `at`: the reference and where it ends, or undefined. */
function refAt(b: Uint8Array, at: number, end: number): [number, number, number] | undefined {
  let i = at;
  let num = 0;
  while (i < end && isDigit(b[i]!)) num = num * 10 + b[i++]! - 0x30;
  if (i === at || i >= end || !WHITE[b[i]!]) return undefined;
  while (i < end && WHITE[b[i]!]) i++;
  const g = i;
  let gen = 0;
  while (i < end && isDigit(b[i]!)) gen = gen * 10 + b[i++]! - 0x30;
  if (i === g || i >= end || !WHITE[b[i]!]) return undefined;
  while (i < end && WHITE[b[i]!]) i++;
  if (b[i] !== 0x52 || (i + 1 < end && !ENDS[b[i + 1]!])) return undefined;
  return [num, gen, i + 1];
}

/** Parses PDF values from latin1 text. */
export class Parser {
  pos: number;
  constructor(
    private readonly s: string,
    pos = 0,
  ) {
    this.pos = pos;
  }

  private skip(): void {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (WHITE[c] && this.pos < s.length) this.pos++;
      else if (c === 0x25) {
        while (this.pos < s.length && s[this.pos] !== '\n' && s[this.pos] !== '\r') this.pos++;
      } else return;
    }
  }

  private token(): string {
    const start = this.pos;
    while (this.pos < this.s.length && !ENDS[this.s.charCodeAt(this.pos)]) this.pos++;
    return this.s.slice(start, this.pos);
  }

  /** The next value. */
  value(): PdfValue {
    this.skip();
    const s = this.s;
    const c = s[this.pos];
    if (c === undefined) throw new Error('pdf syntax: unexpected end');
    if (c === '/') {
      this.pos++;
      return new PdfName(this.token());
    }
    if (c === '(') {
      const start = this.pos;
      let depth = 0;
      for (; this.pos < s.length; this.pos++) {
        const d = s[this.pos];
        if (d === '\\') this.pos++;
        else if (d === '(') depth++;
        else if (d === ')' && --depth === 0) break;
      }
      this.pos++;
      return new PdfString(s.slice(start, this.pos));
    }
    if (c === '<' && s[this.pos + 1] === '<') {
      this.pos += 2;
      const dict: PdfDict = new Map();
      for (;;) {
        this.skip();
        if (s.startsWith('>>', this.pos)) {
          this.pos += 2;
          return dict;
        }
        const key = this.value();
        if (!(key instanceof PdfName))
          throw new Error(`pdf syntax: a dictionary key at ${this.pos} is not a name`);
        dict.set(key.raw, this.value());
      }
    }
    if (c === '<') {
      const end = s.indexOf('>', this.pos);
      if (end === -1) throw new Error('pdf syntax: unterminated hex string');
      const raw = s.slice(this.pos, end + 1);
      this.pos = end + 1;
      return new PdfString(raw);
    }
    if (c === '[') {
      this.pos++;
      const arr: PdfValue[] = [];
      for (;;) {
        this.skip();
        if (s[this.pos] === ']') {
          this.pos++;
          return arr;
        }
        if (this.pos >= s.length) throw new Error('pdf syntax: unterminated array');
        arr.push(this.value());
      }
    }
    const cc = s.charCodeAt(this.pos);
    if (isDigit(cc)) {
      const m = REF.exec(s.slice(this.pos, this.pos + 40));
      if (m) {
        this.pos += m[0].length;
        return new PdfRef(Number(m[1]), Number(m[2]));
      }
    }
    const word = this.token();
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    const n = Number(word);
    if (word === '' || Number.isNaN(n))
      throw new Error(`pdf syntax: unexpected "${word || s[this.pos]}" at ${this.pos}`);
    return n;
  }
}

const REF = /^(\d+)\s+(\d+)\s+R(?![^\s()<>[\]{}/%])/;

/** Parses one value from latin1 text. */
export function parseValue(s: string): PdfValue {
  return new Parser(s).value();
}

/** A number as PDF writes it: no exponent. */
function num(n: number): string {
  if (Number.isInteger(n)) return String(n);
  const s = String(n);
  return s.includes('e') ? n.toFixed(10).replace(/\.?0+$/, '') : s;
}

/** Serializes a value. */
export function write(v: PdfValue): string {
  if (typeof v === 'number') return num(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null) return 'null';
  if (v instanceof PdfName) return `/${v.raw}`;
  if (v instanceof PdfString) return v.raw;
  if (v instanceof PdfRef) return `${v.num} ${v.gen} R`;
  if (Array.isArray(v)) return `[${v.map(write).join(' ')}]`;
  let out = '<<';
  for (const [k, x] of v) out += `/${k} ${write(x)}\n`;
  return `${out}>>`;
}

/** A copy of `v` with every reference renumbered by `map`. */
export function mapRefs(v: PdfValue, map: (num: number) => number): PdfValue {
  if (v instanceof PdfRef) return new PdfRef(map(v.num), 0);
  if (Array.isArray(v)) return v.map((x) => mapRefs(x, map));
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, mapRefs(x, map)]));
  return v;
}

/** A name's value, or undefined. */
export function nameOf(v: PdfValue | undefined): string | undefined {
  return v instanceof PdfName ? v.raw : undefined;
}

/** The bytes a string token stands for (escapes and hex decoded). */
export function stringBytes(s: PdfString): Buffer {
  const raw = s.raw;
  if (raw.startsWith('<')) {
    const hex = raw.slice(1, -1).replace(/\s+/g, '');
    return Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
  }
  const out: number[] = [];
  const body = raw.slice(1, -1);
  const escapes: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out.push(c.charCodeAt(0) & 0xff);
      continue;
    }
    const d = body[++i];
    if (d === undefined) break;
    if (d in escapes) out.push(escapes[d]!);
    else if (d >= '0' && d <= '7') {
      let oct = d;
      while (oct.length < 3 && body[i + 1]! >= '0' && body[i + 1]! <= '7') oct += body[++i];
      out.push(Number.parseInt(oct, 8) & 0xff);
    } else if (d === '\r') {
      if (body[i + 1] === '\n') i++;
    } else if (d !== '\n') out.push(d.charCodeAt(0) & 0xff);
  }
  return Buffer.from(out);
}

/** A text string's text: UTF-16BE with its byte order mark, else PDFDocEncoding (as latin1). */
export function stringText(s: PdfString): string {
  const b = stringBytes(s);
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return b.subarray(2).swap16().toString('utf16le');
  return b.toString('latin1');
}

/** A text string token for `text`: literal when printable ASCII, else UTF-16BE hex. */
export function textString(text: string): PdfString {
  if (/^[\x20-\x7e]*$/.test(text)) return new PdfString(`(${text.replace(/[\\()]/g, '\\$&')})`);
  const b = Buffer.from(text, 'utf16le').swap16();
  return new PdfString(`<FEFF${b.toString('hex').toUpperCase()}>`);
}

/** A growing output buffer. */
export class Out {
  private buf: Buffer;
  length = 0;
  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, capacity));
  }
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  text(s: string): void {
    this.room(s.length);
    this.length += this.buf.write(s, this.length, 'latin1');
  }
  bytes(src: Uint8Array, from = 0, to = src.length): void {
    this.room(to - from);
    this.buf.set(src.subarray(from, to), this.length);
    this.length += to - from;
  }
  /** The bytes written (a view, not a copy). */
  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/**
 * Copies an object's body (`from`…`to`, between `obj` and `endobj`) to `out`, renumbering its
 * references with `map` and renaming the literal strings `rename` knows (structure element ids).
 * Strings, names and comments are skipped, so `(1 0 R)` in a text stays as written; a stream's
 * data, from its `stream` keyword on, is copied byte for byte. References come out with
 * generation 0, the generation of every object in the joined file.
 */
export function copyBody(
  b: Buffer,
  from: number,
  to: number,
  out: Out,
  map: (num: number) => number,
  rename?: ReadonlyMap<string, string>,
): void {
  let last = from;
  let i = from;
  let depth = 0;
  while (i < to) {
    const c = b[i]!;
    if (c === 0x28) {
      const end = literalEnd(b, i, to);
      if (rename && end - i <= 40 && b[i + 1] === 0x6e) {
        const to2 = rename.get(b.toString('latin1', i + 1, end - 1));
        if (to2 !== undefined) {
          out.bytes(b, last, i);
          out.text(`(${to2})`);
          last = end;
        }
      }
      i = end;
    } else if (c === 0x3c) {
      if (b[i + 1] === 0x3c) {
        depth++;
        i += 2;
      } else {
        const end = b.indexOf(0x3e, i);
        i = end === -1 || end > to ? to : end + 1;
      }
    } else if (c === 0x3e) {
      if (b[i + 1] === 0x3e) depth--;
      i += 2;
    } else if (c === 0x2f) {
      i++;
      while (i < to && !ENDS[b[i]!]) i++;
    } else if (c === 0x25) {
      while (i < to && b[i] !== 0x0a && b[i] !== 0x0d) i++;
    } else if (isDigit(c) && (i === from || ENDS[b[i - 1]!])) {
      const ref = refAt(b, i, to);
      if (ref) {
        out.bytes(b, last, i);
        out.text(`${map(ref[0])} 0 R`);
        last = i = ref[2];
      } else while (i < to && !ENDS[b[i]!]) i++;
    } else if (
      c === 0x73 &&
      depth === 0 &&
      b.toString('latin1', i, i + 6) === 'stream' &&
      (i === from || ENDS[b[i - 1]!] || b[i - 1] === 0x3e)
    ) {
      break;
    } else i++;
  }
  out.bytes(b, last, to);
}
