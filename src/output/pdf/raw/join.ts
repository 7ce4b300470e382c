/**
 * Joins printed parts (the front matter and the chunks of one book) into one tagged PDF, in one
 * pass over their bytes: objects are renumbered as they are copied, never parsed into a graph.
 * Only what the book changes is rebuilt: the catalog, one flat page tree, the structure root
 * with its parent and id trees (keys renumbered, Chromium's run-dependent element ids replaced
 * by stable ones), the named destinations, links between parts (turned into destinations),
 * bookmarks, page labels, document information, and the running heads drawn over the pages.
 * The file identifier is a hash of the bytes, so the same book gives the same file.
 */
import { createHash } from 'node:crypto';
import { safeDecode } from '../../../compose/resolve.js';
import { CROSS_LINK_PREFIX } from '../chunks.js';
import type { PdfMetadata } from '../metadata.js';
import type { OutlineNode } from '../outline.js';
import { contentRefs, objectOf, pageSize, type RawPage, type RawPart, resolve } from './part.js';
import {
  copyBody,
  mapRefs,
  Out,
  type PdfDict,
  PdfName,
  PdfRef,
  PdfString,
  type PdfValue,
  stringText,
  textString,
  write,
} from './syntax.js';

/** One part of the book: a printed PDF, or a blank page of a size in points. */
export type JoinPart = { readonly part: RawPart } | { readonly blank: readonly [number, number] };

/** A page of the joined book. */
export interface JoinedPage {
  /** Index into the parts. */
  readonly part: number;
  /** The part's page, or undefined for a blank page. */
  readonly page?: RawPage;
  readonly width: number;
  readonly height: number;
}

/** A destination in the joined book. */
export interface JoinedDest {
  /** 1-based page index. */
  readonly page: number;
  readonly part: number;
  readonly array: PdfValue[];
}

/** Where everything goes: the pages in order, and every named destination. */
export interface JoinPlan {
  readonly parts: readonly JoinPart[];
  readonly pages: readonly JoinedPage[];
  readonly dests: ReadonlyMap<string, JoinedDest>;
}

/** Document information, and the date of creation and modification. */
export interface JoinInfo extends PdfMetadata {
  readonly date: Date;
}

/** Content drawn over the pages: one content stream per page, over fonts of their own. */
export interface JoinHeads {
  /** A PDF whose objects include the fonts. */
  readonly fonts: RawPart;
  /** Resource name → the font's object number in `fonts`. */
  readonly fontRefs: ReadonlyMap<string, number>;
  /** Per page, its content stream, or undefined. */
  readonly streams: readonly (string | undefined)[];
}

/** What the book adds to its parts. */
export interface JoinExtras {
  /** Running heads and folios, drawn over the pages. */
  readonly heads?: JoinHeads;
  readonly outline: readonly OutlineNode[];
  /** Pages before the body (labelled i, ii, …; the body from 1). */
  readonly frontCount: number;
  readonly info: JoinInfo;
}

/** The joined file, and what could not be resolved. */
export interface Joined {
  readonly pdf: Buffer;
  /** Ids that links pointed at and no destination has. */
  readonly deadLinks: string[];
  /** Bookmark ids with no destination (their children moved up). */
  readonly missingBookmarks: string[];
}

/** Lays the parts end to end: each page's place and each destination's page. */
export function planJoin(parts: readonly JoinPart[]): JoinPlan {
  const pages: JoinedPage[] = [];
  const dests = new Map<string, JoinedDest>();
  parts.forEach((p, index) => {
    if ('blank' in p) {
      pages.push({ part: index, width: p.blank[0], height: p.blank[1] });
      return;
    }
    const first = pages.length;
    for (const page of p.part.pages) {
      const [width, height] = pageSize(p.part, page);
      pages.push({ part: index, page, width, height });
    }
    for (const [id, d] of p.part.dests)
      dests.set(id, { page: first + d.page + 1, part: index, array: d.array });
  });
  return { parts, pages, dests };
}

const STRUCT_ID = /^\(node\d+\)$/;

/** Chromium's element ids (DOM node numbers, different each run) → `node0…` in book order. */
function structureIds(parts: readonly JoinPart[]): Map<string, string>[] {
  const perPart = parts.map((p) =>
    'part' in p
      ? [...new Set((p.part.structure?.ids ?? []).map(([k]) => k).filter((k) => STRUCT_ID.test(k)))].sort()
      : [],
  );
  const total = perPart.reduce((n, ids) => n + ids.length, 0);
  const width = String(total).length;
  let rank = 0;
  return perPart.map(
    (ids) => new Map(ids.map((k) => [k.slice(1, -1), `node${String(rank++).padStart(width, '0')}`])),
  );
}

const D = (entries: [string, PdfValue][]): PdfDict => new Map(entries);
const ref = (num: number): PdfRef => new PdfRef(num, 0);

function pdfDate(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `(D:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z)`;
}

/** Writes the joined book (see the module comment). */
export function writeJoin(plan: JoinPlan, extras: JoinExtras): Joined {
  const { parts, pages } = plan;
  let next = 1;
  const alloc = (): number => next++;
  const CATALOG = alloc();
  const PAGES = alloc();
  const INFO = alloc();
  const DESTS = alloc();
  const tagged = parts.some((p) => 'part' in p && p.part.structure);
  const STRUCT = tagged ? alloc() : 0;
  const PARENTS = tagged ? alloc() : 0;
  const IDS = tagged ? alloc() : 0;
  const heads = extras.heads;
  const SAVE = heads ? alloc() : 0;
  const RESTORE = heads ? alloc() : 0;
  const pageNums = pages.map(() => alloc());
  const headNums = pages.map((_, i) => (heads?.streams[i] === undefined ? 0 : alloc()));

  // Object numbers: each part's kept objects in order; page tree nodes become the one page tree,
  // the structure root the book's.
  const maps = parts.map((p, index) => {
    if (!('part' in p)) return undefined;
    const part = p.part;
    const size = part.spans.length / 2;
    const m = new Int32Array(size);
    pages.forEach((pg, i) => {
      if (pg.part === index && pg.page) m[pg.page.num] = pageNums[i]!;
    });
    for (let n = 1; n < size; n++) {
      if (m[n] !== 0 || part.spans[2 * n + 1]! <= part.spans[2 * n]!) continue;
      if (part.pageTree.has(n)) m[n] = PAGES;
      else if (n === part.structRoot) m[n] = STRUCT || PAGES;
      else if (!part.dropped.has(n)) m[n] = alloc();
    }
    return m;
  });
  const fonts = heads?.fonts;
  const fontMap = fonts ? new Int32Array(fonts.spans.length / 2) : undefined;
  if (fonts && fontMap) {
    for (let n = 1; n < fontMap.length; n++) {
      const none = fonts.spans[2 * n + 1]! <= fonts.spans[2 * n]!;
      if (!none && !fonts.dropped.has(n) && !fonts.pageTree.has(n)) fontMap[n] = alloc();
    }
  }
  const headFonts = D(
    [...(heads?.fontRefs ?? [])].map(([name, num]): [string, PdfValue] => [name, ref(fontMap?.[num] ?? 0)]),
  );
  const mapper = (m: Int32Array) => (n: number) => m[n] || n;

  const destArray = (d: JoinedDest): PdfValue[] => mapRefs(d.array, mapper(maps[d.part]!)) as PdfValue[];

  // Bookmarks: missing targets are left out, their children moved up.
  const missingBookmarks: string[] = [];
  const resolveTree = (nodes: readonly OutlineNode[]): OutlineNode[] =>
    nodes.flatMap((n) => {
      const children = resolveTree(n.children);
      if (plan.dests.has(n.dest)) return [{ ...n, children }];
      missingBookmarks.push(n.dest);
      return children;
    });
  const tree = resolveTree(extras.outline);
  const OUTLINES = alloc();

  const out = new Out(
    parts.reduce((n, p) => n + ('part' in p ? p.part.bytes.length : 0), 0) +
      (fonts?.bytes.length ?? 0) +
      1_000_000,
  );
  const offsets: number[] = [];
  out.text('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
  const object = (num: number, body: string): void => {
    offsets[num] = out.length;
    out.text(`${num} 0 obj\n${body}\nendobj\n`);
  };
  /** Copies object `n` of `part` as object `num`, renumbered by `map` (or its replaced body). */
  const copy = (
    part: RawPart,
    n: number,
    num: number,
    map: (n: number) => number,
    rename?: ReadonlyMap<string, string>,
  ): void => {
    offsets[num] = out.length;
    out.text(`${num} 0 obj`);
    const replaced = part.replaced.get(n);
    if (replaced) out.bytes(replaced);
    else copyBody(part.bytes, part.spans[2 * n]!, part.spans[2 * n + 1]!, out, map, rename);
    out.text('endobj\n');
  };
  const writeOutline = (): void => {
    const items = (
      nodes: readonly OutlineNode[],
      parent: number,
      depth: number,
    ): { nums: number[]; visible: number } => {
      const nums = nodes.map(() => alloc());
      let visible = 0;
      nodes.forEach((n, i) => {
        const kids = items(n.children, nums[i]!, depth + 1);
        const open = depth === 0;
        const dict = D([
          ['Title', textString(n.title)],
          ['Parent', ref(parent)],
          ['Dest', destArray(plan.dests.get(n.dest)!)],
        ]);
        if (i > 0) dict.set('Prev', ref(nums[i - 1]!));
        if (i < nums.length - 1) dict.set('Next', ref(nums[i + 1]!));
        if (kids.nums.length > 0) {
          dict.set('First', ref(kids.nums[0]!));
          dict.set('Last', ref(kids.nums[kids.nums.length - 1]!));
          dict.set('Count', open ? kids.visible : -kids.visible);
        }
        object(nums[i]!, write(dict));
        visible += 1 + (open ? kids.visible : 0);
      });
      return { nums, visible };
    };
    const top = items(tree, OUTLINES, 0);
    const root = D([['Type', new PdfName('Outlines')]]);
    if (top.nums.length > 0) {
      root.set('First', ref(top.nums[0]!));
      root.set('Last', ref(top.nums[top.nums.length - 1]!));
      root.set('Count', top.visible);
    }
    object(OUTLINES, write(root));
  };

  // Catalog, information, page tree.
  const labels: PdfValue[] = [];
  if (extras.frontCount > 0) labels.push(0, D([['S', new PdfName('r')]]));
  if (pages.length > extras.frontCount) labels.push(extras.frontCount, D([['S', new PdfName('D')]]));
  const catalog = D([
    ['Type', new PdfName('Catalog')],
    ['Pages', ref(PAGES)],
    ['Dests', ref(DESTS)],
    ['PageLabels', D([['Nums', labels]])],
    ['Outlines', ref(OUTLINES)],
    ['PageMode', new PdfName('UseOutlines')],
    ['ViewerPreferences', D([['DisplayDocTitle', true]])],
    ['Lang', textString(extras.info.lang)],
  ]);
  if (tagged) {
    catalog.set('StructTreeRoot', ref(STRUCT));
    catalog.set('MarkInfo', D([['Marked', true]]));
  }
  object(CATALOG, write(catalog));
  const { info } = extras;
  const infoDict = D([['Title', textString(info.title)]]);
  if (info.author.length > 0) infoDict.set('Author', textString(info.author.join(', ')));
  if (info.subject) infoDict.set('Subject', textString(info.subject));
  if (info.keywords.length > 0) infoDict.set('Keywords', textString(info.keywords.join(' ')));
  infoDict.set('Producer', textString('bookbinder (Chromium)'));
  infoDict.set('Creator', textString('bookbinder'));
  infoDict.set('CreationDate', new PdfString(pdfDate(info.date)));
  infoDict.set('ModDate', new PdfString(pdfDate(info.date)));
  object(INFO, write(infoDict));
  object(
    PAGES,
    write(
      D([
        ['Type', new PdfName('Pages')],
        ['Kids', pageNums.map(ref)],
        ['Count', pages.length],
      ]),
    ),
  );

  // Named destinations.
  const dests = D([]);
  for (const [id, d] of plan.dests) {
    const p = parts[d.part]!;
    if ('part' in p) dests.set(p.part.dests.get(id)!.name, destArray(d));
  }
  object(DESTS, write(dests));

  // The structure tree.
  const renames = structureIds(parts);
  const keyOffsets: number[] = [];
  if (tagged) {
    const kids: PdfValue[] = [];
    const nums: PdfValue[] = [];
    const idEntries: [string, PdfValue][] = [];
    const roleMap = D([]);
    let offset = 0;
    parts.forEach((p, index) => {
      keyOffsets[index] = offset;
      const s = 'part' in p ? p.part.structure : undefined;
      if (!s) return;
      const map = mapper(maps[index]!);
      kids.push(...s.kids.map((k) => mapRefs(k, map)));
      for (const [k, v] of s.parents) nums.push(k + offset, mapRefs(v, map));
      for (const [k, v] of s.ids) {
        const to = renames[index]!.get(k.slice(1, -1));
        idEntries.push([to === undefined ? k : `(${to})`, mapRefs(v, map)]);
      }
      for (const [k, v] of s.roleMap ?? []) roleMap.set(k, v);
      offset += s.nextKey;
    });
    idEntries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const root = D([
      ['Type', new PdfName('StructTreeRoot')],
      ['K', kids],
      ['ParentTree', ref(PARENTS)],
      ['ParentTreeNextKey', offset],
      ['IDTree', ref(IDS)],
    ]);
    if (roleMap.size > 0) root.set('RoleMap', roleMap);
    object(STRUCT, write(root));
    object(PARENTS, write(D([['Nums', nums]])));
    object(IDS, write(D([['Names', idEntries.flatMap(([k, v]) => [new PdfString(k), v])]])));
  }
  if (heads) {
    object(SAVE, '<</Length 2>> stream\nq\n\nendstream');
    object(RESTORE, '<</Length 2>> stream\nQ\n\nendstream');
  }

  // Pages, their links, and every other object of the parts.
  const deadLinks: string[] = [];
  const editAnnot = (annot: PdfValue, index: number, map: (n: number) => number): PdfValue => {
    if (!(annot instanceof Map)) return mapRefs(annot, map);
    const a = mapRefs(annot, map) as PdfDict;
    const sp = a.get('StructParent');
    if (typeof sp === 'number') a.set('StructParent', sp + (keyOffsets[index] ?? 0));
    const action = a.get('A');
    const uri = action instanceof Map ? action.get('URI') : undefined;
    if (uri instanceof PdfString) {
      const text = stringText(uri);
      if (text.startsWith(CROSS_LINK_PREFIX)) {
        const id = safeDecode(text.slice(CROSS_LINK_PREFIX.length));
        const dest = plan.dests.get(id);
        a.delete('A');
        if (dest) a.set('Dest', destArray(dest));
        else deadLinks.push(id);
      }
    }
    return a;
  };
  const edited = new Map<number, Map<number, PdfValue>>();
  pages.forEach((pg, i) => {
    const part = parts[pg.part]!;
    let dict: PdfDict;
    if (!('part' in part) || !pg.page) {
      dict = D([
        ['Type', new PdfName('Page')],
        ['MediaBox', [0, 0, pg.width, pg.height]],
        ['Resources', D([])],
      ]);
    } else {
      const map = mapper(maps[pg.part]!);
      dict = mapRefs(pg.page.dict, map) as PdfDict;
      const resources = resolve(part.part, pg.page.dict.get('Resources'));
      if (resources instanceof Map) dict.set('Resources', mapRefs(resources, map));
      const sp = dict.get('StructParents');
      if (typeof sp === 'number') dict.set('StructParents', sp + (keyOffsets[pg.part] ?? 0));
      const annots = resolve(part.part, pg.page.dict.get('Annots'));
      if (Array.isArray(annots)) {
        const own = edited.get(pg.part) ?? new Map<number, PdfValue>();
        edited.set(pg.part, own);
        dict.set(
          'Annots',
          annots.map((a) => {
            if (!(a instanceof PdfRef)) return editAnnot(a, pg.part, map);
            own.set(a.num, editAnnot(objectOf(part.part, a.num), pg.part, map));
            return ref(map(a.num));
          }),
        );
      }
    }
    dict.set('Parent', ref(PAGES));
    const head = headNums[i]!;
    if (head !== 0) {
      const mine =
        'part' in part && pg.page
          ? contentRefs(part.part, pg.page).map((r) => ref(mapper(maps[pg.part]!)(r.num)))
          : [];
      dict.set('Contents', mine.length > 0 ? [ref(SAVE), ...mine, ref(RESTORE), ref(head)] : ref(head));
      const res = dict.get('Resources');
      const resources = res instanceof Map ? res : D([]);
      const font = resources.get('Font');
      resources.set('Font', font instanceof Map ? new Map([...font, ...headFonts]) : headFonts);
      dict.set('Resources', resources);
      const stream = heads?.streams[i] ?? '';
      object(head, `<</Length ${stream.length}>> stream\n${stream}\nendstream`);
    }
    object(pageNums[i]!, write(dict));
  });

  parts.forEach((p, index) => {
    if (!('part' in p)) return;
    const part = p.part;
    const m = maps[index]!;
    const map = mapper(m);
    const pageSet = new Set(part.pages.map((pg) => pg.num));
    const annots = edited.get(index);
    const rename = renames[index]!;
    for (let n = 1; n < m.length; n++) {
      const num = m[n]!;
      if (num === 0 || num === PAGES || num === STRUCT || pageSet.has(n)) continue;
      const annot = annots?.get(n);
      if (annot !== undefined) {
        object(num, write(annot));
        continue;
      }
      copy(part, n, num, map, rename.size > 0 ? rename : undefined);
    }
    // Freed as soon as it is written: a book's parts are tens of megabytes.
    edited.delete(index);
  });
  if (fonts && fontMap) {
    const map = mapper(fontMap);
    for (let n = 1; n < fontMap.length; n++) {
      const num = fontMap[n]!;
      if (num !== 0) copy(fonts, n, num, map);
    }
  }
  writeOutline();

  // Cross-reference table and trailer, with the identifier filled in from the bytes.
  const xref = out.length;
  let table = `xref\n0 ${next}\n0000000000 65535 f\r\n`;
  for (let n = 1; n < next; n++) table += `${String(offsets[n]).padStart(10, '0')} 00000 n\r\n`;
  out.text(table);
  const placeholder = `<${'0'.repeat(32)}>`;
  out.text(
    `trailer\n<</Size ${next}\n/Root ${CATALOG} 0 R\n/Info ${INFO} 0 R\n/ID [${placeholder} ${placeholder}]>>\nstartxref\n${xref}\n%%EOF\n`,
  );
  const pdf = out.result();
  const id = Buffer.from(`<${createHash('md5').update(pdf).digest('hex')}>`, 'latin1');
  const at = pdf.lastIndexOf(placeholder, undefined, 'latin1');
  id.copy(pdf, at - placeholder.length - 1);
  id.copy(pdf, at);
  return { pdf, deadLinks, missingBookmarks };
}
