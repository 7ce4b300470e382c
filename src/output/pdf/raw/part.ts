/**
 * A printed PDF read for joining: where each object's bytes are, and the objects the join
 * edits (catalog, page tree, pages, links, named destinations, structure root and its trees)
 * parsed. Every other object stays bytes until it is copied into the book. Reads what Chromium
 * (Skia) and pdf-lib write: a classic cross-reference table, no object streams.
 */
import { decodePdfName } from '../pages.js';
import { nameOf, type PdfDict, PdfRef, PdfString, type PdfValue, Parser } from './syntax.js';

/** `%XX` sequences decoded as UTF-8; the name as it is when they do not decode. */
function percentDecoded(name: string): string {
  if (!name.includes('%')) return name;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** One page of a part. */
export interface RawPage {
  readonly num: number;
  readonly dict: PdfDict;
}

/** A named destination in a part: its name as written, page (0-based, in the part) and array. */
export interface RawDest {
  readonly name: string;
  readonly page: number;
  readonly array: PdfValue[];
}

/** A part's structure tree, taken apart for the join. */
export interface RawStructure {
  /** The root's kids (references to structure elements). */
  readonly kids: PdfValue[];
  /** The parent tree's entries. */
  readonly parents: [number, PdfValue][];
  /** The keys used: the next part's keys start after them. */
  readonly nextKey: number;
  /** The id tree's entries, by id. */
  readonly ids: [string, PdfValue][];
  readonly roleMap?: PdfDict;
}

/** A PDF ready to be joined to others. */
export interface RawPart {
  readonly bytes: Buffer;
  /** Each object's body (between `obj` and `endobj`), by object number; [0, 0] if none. */
  readonly spans: Int32Array;
  readonly pages: readonly RawPage[];
  /** Objects not copied: catalog, information, page tree nodes, trees rebuilt for the book. */
  readonly dropped: ReadonlySet<number>;
  readonly pageTree: ReadonlySet<number>;
  readonly structRoot?: number;
  readonly structure?: RawStructure;
  /** Named destinations, by id (the name decoded). */
  readonly dests: ReadonlyMap<string, RawDest>;
  /** Objects whose body was replaced (streams rewritten), by number. */
  readonly replaced: Map<number, Buffer>;
}

/** A part's object, parsed. */
export function objectOf(part: Pick<RawPart, 'bytes' | 'spans'>, num: number): PdfValue {
  const from = part.spans[2 * num];
  const to = part.spans[2 * num + 1];
  if (from === undefined || to === undefined || to <= from) throw new Error(`pdf: object ${num} not found`);
  return new Parser(part.bytes.toString('latin1', from, to)).value();
}

/** A value with a reference followed (one level). */
export function resolve(
  part: Pick<RawPart, 'bytes' | 'spans'>,
  v: PdfValue | undefined,
): PdfValue | undefined {
  return v instanceof PdfRef ? objectOf(part, v.num) : v;
}

function dictOf(part: Pick<RawPart, 'bytes' | 'spans'>, v: PdfValue | undefined): PdfDict | undefined {
  const d = resolve(part, v);
  return d instanceof Map ? d : undefined;
}

/** An array, or a reference to one; any other value (a reference to a dictionary, say) alone. */
function arrayOf(part: Pick<RawPart, 'bytes' | 'spans'>, v: PdfValue | undefined): PdfValue[] {
  if (v === undefined) return [];
  const a = resolve(part, v);
  return Array.isArray(a) ? a : [v];
}

const OBJ = Buffer.from('obj', 'latin1');
const ENDOBJ = Buffer.from('endobj', 'latin1');

const digits = (b: Buffer, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + b[i]! - 0x30;
  return n;
};

/**
 * The offsets of a cross-reference table's objects (`from`…`to`, after `xref`), by number; -1
 * for free or missing ones. Entries are read as the fixed 20-byte records the format has; a
 * table that is not so regular is read line by line.
 */
function readXref(bytes: Buffer, from: number, to: number, size: number): Int32Array {
  const offsets = new Int32Array(size).fill(-1);
  let i = from;
  const skipSpace = () => {
    while (i < to && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  };
  const word = (): [number, number] => {
    const start = i;
    while (i < to && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) i++;
    return [start, i];
  };
  for (skipSpace(); i < to; skipSpace()) {
    const [a, b] = word();
    if (bytes[i] !== 0x20) break;
    i++;
    const [c, d] = word();
    if (a === b || c === d) break;
    const first = digits(bytes, a, b);
    const count = digits(bytes, c, d);
    skipSpace();
    for (let k = 0; k < count; k++, i += 20) {
      if (i + 18 > to || bytes[i + 10] !== 0x20 || bytes[i + 16] !== 0x20)
        return readXrefLines(bytes, from, to, size);
      const num = first + k;
      if (bytes[i + 17] === 0x6e && num < size) offsets[num] = digits(bytes, i, i + 10);
    }
  }
  return offsets;
}

function readXrefLines(bytes: Buffer, from: number, to: number, size: number): Int32Array {
  const offsets = new Int32Array(size).fill(-1);
  let next = 0;
  let left = 0;
  for (const line of bytes.toString('latin1', from, to).split(/\r\n|\r|\n/)) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] === '') continue;
    if (left === 0 && parts.length === 2) {
      next = Number(parts[0]);
      left = Number(parts[1]);
      continue;
    }
    if (parts[2] === 'n' && next < size) offsets[next] = Number(parts[0]);
    next++;
    left--;
  }
  return offsets;
}

/** Reads the cross-reference table and trailer; finds each object's body. */
function index(bytes: Buffer): { spans: Int32Array; trailer: PdfDict } {
  const tail = bytes.toString('latin1', Math.max(0, bytes.length - 64));
  const m = /startxref\s+(\d+)/.exec(tail);
  if (!m) throw new Error('pdf: no startxref');
  const at = Number(m[1]);
  const text = (from: number, to: number) => bytes.toString('latin1', from, Math.min(to, bytes.length));
  if (!text(at, at + 4).startsWith('xref')) throw new Error('pdf: the cross-reference table is not a table');
  const trailerAt = bytes.indexOf('trailer', at, 'latin1');
  if (trailerAt === -1) throw new Error('pdf: no trailer');
  const trailer = new Parser(text(trailerAt + 7, trailerAt + 4096)).value();
  if (!(trailer instanceof Map)) throw new Error('pdf: bad trailer');
  const size = Number(trailer.get('Size'));
  const offsets = readXref(bytes, at + 4, trailerAt, size);
  // Each body runs from after `N G obj` to before `endobj`.
  const spans = new Int32Array(2 * size);
  const sorted = [...offsets.keys()]
    .filter((n) => offsets[n]! >= 0)
    .sort((a, b) => offsets[a]! - offsets[b]!);
  sorted.forEach((num, k) => {
    const start = offsets[num]!;
    const head = bytes.indexOf(OBJ, start);
    const limit = k + 1 < sorted.length ? offsets[sorted[k + 1]!]! : at;
    const end = bytes.lastIndexOf(ENDOBJ, limit);
    if (head === -1 || end === -1 || end < head) throw new Error(`pdf: object ${num} is malformed`);
    spans[2 * num] = head + 3;
    spans[2 * num + 1] = end;
  });
  return { spans, trailer };
}

/** Leaves of a page tree, in order; the tree's own nodes go to `nodes`. */
function pageLeaves(
  part: Pick<RawPart, 'bytes' | 'spans'>,
  ref: PdfValue | undefined,
  nodes: Set<number>,
): RawPage[] {
  if (!(ref instanceof PdfRef) || nodes.has(ref.num)) return [];
  const dict = dictOf(part, ref);
  if (!dict) return [];
  if (nameOf(dict.get('Type')) === 'Page') return [{ num: ref.num, dict }];
  nodes.add(ref.num);
  return arrayOf(part, dict.get('Kids')).flatMap((k) => pageLeaves(part, k, nodes));
}

/** Entries of a number or name tree (`/Nums` or `/Names`, and `/Kids`); its nodes go to `nodes`. */
function treeEntries(
  part: Pick<RawPart, 'bytes' | 'spans'>,
  v: PdfValue | undefined,
  key: 'Nums' | 'Names',
  nodes: Set<number>,
): [PdfValue, PdfValue][] {
  if (v instanceof PdfRef) {
    if (nodes.has(v.num)) return [];
    nodes.add(v.num);
  }
  const dict = dictOf(part, v);
  if (!dict) return [];
  const out: [PdfValue, PdfValue][] = [];
  const flat = arrayOf(part, dict.get(key));
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  for (const kid of arrayOf(part, dict.get('Kids'))) out.push(...treeEntries(part, kid, key, nodes));
  return out;
}

/** Reads a printed PDF (see the module comment). */
export function readPart(bytes: Buffer): RawPart {
  const { spans, trailer } = index(bytes);
  const base = { bytes, spans };
  const dropped = new Set<number>();
  const rootRef = trailer.get('Root');
  if (!(rootRef instanceof PdfRef)) throw new Error('pdf: no catalog');
  dropped.add(rootRef.num);
  const info = trailer.get('Info');
  if (info instanceof PdfRef) dropped.add(info.num);
  const catalog = dictOf(base, rootRef);
  if (!catalog) throw new Error('pdf: bad catalog');
  for (const key of ['Metadata', 'Dests', 'Outlines']) {
    const v = catalog.get(key);
    if (v instanceof PdfRef) dropped.add(v.num);
  }
  const pageTree = new Set<number>();
  const pages = pageLeaves(base, catalog.get('Pages'), pageTree);
  const pageIndex = new Map(pages.map((p, i) => [p.num, i]));

  const dests = new Map<string, RawDest>();
  const destDict = dictOf(base, catalog.get('Dests'));
  for (const [key, value] of destDict ?? []) {
    const arr = resolve(base, value);
    if (!Array.isArray(arr)) continue;
    const page = arr[0] instanceof PdfRef ? pageIndex.get(arr[0].num) : undefined;
    if (page === undefined) continue;
    const id = decodePdfName(key);
    dests.set(id, { name: key, page, array: arr });
    // Chromium percent-encodes some characters of a fragment in the name it writes (U+FE0F, the
    // emoji variation selector that kramdown keeps in heading ids, comes out as `%EF%B8%8F`).
    const plain = percentDecoded(id);
    if (plain !== id && !dests.has(plain)) dests.set(plain, { name: key, page, array: arr });
  }

  const rootVal = catalog.get('StructTreeRoot');
  const root = dictOf(base, rootVal);
  let structure: RawStructure | undefined;
  if (root) {
    const treeNodes = new Set<number>();
    const parents = treeEntries(base, root.get('ParentTree'), 'Nums', treeNodes).flatMap(
      ([k, v]): [number, PdfValue][] => (typeof k === 'number' ? [[k, v]] : []),
    );
    const ids = treeEntries(base, root.get('IDTree'), 'Names', treeNodes).flatMap(
      ([k, v]): [string, PdfValue][] => (k instanceof PdfString ? [[k.raw, v]] : []),
    );
    for (const n of treeNodes) dropped.add(n);
    const next = root.get('ParentTreeNextKey');
    const maxKey = parents.reduce((m, [k]) => Math.max(m, k), -1);
    const roleMap = dictOf(base, root.get('RoleMap'));
    structure = {
      kids: arrayOf(base, root.get('K')),
      parents,
      nextKey: Math.max(maxKey + 1, typeof next === 'number' ? next : 0),
      ids,
      ...(roleMap && { roleMap }),
    };
  }
  return {
    bytes,
    spans,
    pages,
    dropped,
    pageTree,
    ...(rootVal instanceof PdfRef && { structRoot: rootVal.num }),
    ...(structure && { structure }),
    dests,
    replaced: new Map(),
  };
}

/** The references a page's `/Contents` holds. */
export function contentRefs(part: RawPart, page: RawPage): PdfRef[] {
  const v = page.dict.get('Contents');
  const arr = v instanceof PdfRef ? resolveContentsArray(part, v) : Array.isArray(v) ? v : [];
  return arr.filter((x): x is PdfRef => x instanceof PdfRef);
}

/** `/Contents 12 0 R` may name one stream or an array of streams. */
function resolveContentsArray(part: RawPart, ref: PdfRef): PdfValue[] {
  const from = part.spans[2 * ref.num]!;
  const head = part.bytes
    .toString('latin1', from, Math.min(from + 16, part.spans[2 * ref.num + 1]!))
    .trimStart();
  return head.startsWith('[') ? (objectOf(part, ref.num) as PdfValue[]) : [ref];
}

/** A page's width and height in points (its media box; A4 when it has none). */
export function pageSize(part: RawPart, page: RawPage): [number, number] {
  const box = resolve(part, page.dict.get('MediaBox'));
  if (Array.isArray(box) && box.length === 4 && box.every((n) => typeof n === 'number')) {
    const [x0, y0, x1, y1] = box;
    return [x1! - x0!, y1! - y0!];
  }
  return [595.28, 841.89];
}

/** True when the page draws nothing: its resources are at most the procedure sets. */
export function isEmptyRawPage(part: RawPart, page: RawPage): boolean {
  const res = dictOf(part, page.dict.get('Resources'));
  return res === undefined || [...res.keys()].every((k) => k === 'ProcSet');
}

/** A stream object's dictionary and data. */
export function streamOf(part: RawPart, num: number): { dict: PdfDict; data: Buffer } | undefined {
  const from = part.spans[2 * num]!;
  const to = part.spans[2 * num + 1]!;
  const p = new Parser(part.bytes.toString('latin1', from, Math.min(to, from + 4096)));
  let dict: PdfValue;
  try {
    dict = p.value();
  } catch {
    return undefined;
  }
  if (!(dict instanceof Map)) return undefined;
  const kw = part.bytes.indexOf('stream', from + p.pos, 'latin1');
  if (kw === -1 || kw > to) return undefined;
  let start = kw + 6;
  if (part.bytes[start] === 0x0d) start++;
  if (part.bytes[start] === 0x0a) start++;
  const length = dict.get('Length');
  const end = typeof length === 'number' ? start + length : part.bytes.lastIndexOf('endstream', to, 'latin1');
  return { dict, data: part.bytes.subarray(start, end) };
}
