/**
 * Joins PDFs that Chromium printed separately (the front matter and the chunks of one book) into
 * one document that is still a tagged PDF. Pages, named destinations and structure trees are
 * copied with one object copier per part, so every reference stays consistent; the structure
 * trees are joined under one root, their parent-tree keys renumbered and their element ids
 * (`/ID`, `/IDTree`, table `/Headers`) made unique per part. Blank pages can be put between
 * parts. Outlines are not copied: the book's outline is written from its own tree afterwards.
 * Links one part made to another part's content are rewritten to real destinations by
 * {@link resolveCrossLinks}.
 */
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  type PDFObject,
  PDFObjectCopier,
  PDFPage,
  PDFPageLeaf,
  PDFRef,
  PDFString,
} from 'pdf-lib';
import type { Destination } from './pages.js';

const N = (s: string): PDFName => PDFName.of(s);

/** One part of the merged document: a laid-out PDF, or a blank page of a size in points. */
export type MergePart = { readonly doc: PDFDocument } | { readonly blank: readonly [number, number] };

/** Where links to another part's content point before the merge resolves them. */
export const CROSS_LINK_PREFIX = 'https://link.bookbinder.invalid/#';

/** Flattens a number tree (`/Nums` and `/Kids`) into key/value pairs. */
function numberTreeEntries(doc: PDFDocument, node: PDFObject | undefined): [number, PDFObject][] {
  const dict = node instanceof PDFRef ? doc.context.lookup(node) : node;
  if (!(dict instanceof PDFDict)) return [];
  const out: [number, PDFObject][] = [];
  const nums = dict.lookup(N('Nums'));
  if (nums instanceof PDFArray) {
    for (let i = 0; i + 1 < nums.size(); i += 2) {
      const key = nums.get(i);
      if (key instanceof PDFNumber) out.push([key.asNumber(), nums.get(i + 1)]);
    }
  }
  const kids = dict.lookup(N('Kids'));
  if (kids instanceof PDFArray)
    for (let i = 0; i < kids.size(); i++) out.push(...numberTreeEntries(doc, kids.get(i)));
  return out;
}

/** Flattens a name tree (`/Names` and `/Kids`) into key/value pairs. */
function nameTreeEntries(doc: PDFDocument, node: PDFObject | undefined): [string, PDFObject][] {
  const dict = node instanceof PDFRef ? doc.context.lookup(node) : node;
  if (!(dict instanceof PDFDict)) return [];
  const out: [string, PDFObject][] = [];
  const names = dict.lookup(N('Names'));
  if (names instanceof PDFArray) {
    for (let i = 0; i + 1 < names.size(); i += 2) {
      const key = names.get(i);
      if (key instanceof PDFString || key instanceof PDFHexString)
        out.push([key.decodeText(), names.get(i + 1)]);
    }
  }
  const kids = dict.lookup(N('Kids'));
  if (kids instanceof PDFArray)
    for (let i = 0; i < kids.size(); i++) out.push(...nameTreeEntries(doc, kids.get(i)));
  return out;
}

function asArray(obj: PDFObject | undefined): PDFObject[] {
  if (obj === undefined) return [];
  if (obj instanceof PDFArray) return obj.asArray();
  return [obj];
}

function shiftKey(dict: PDFDict, key: string, offset: number): void {
  const v = dict.get(N(key));
  if (v instanceof PDFNumber) dict.set(N(key), PDFNumber.of(v.asNumber() + offset));
}

/** Chromium's structure element ids (`node00000330`), unique only within one print. */
const NODE_ID = /^node(\d+)$/;

/**
 * Gives the structure element ids of part `part` a prefix of its own (`node0002` + `00000330`):
 * in the elements' `/ID` and their table attributes' `/Headers`; the id tree's keys are renamed
 * with the returned function.
 */
function prefixStructureIds(doc: PDFDocument, part: number): (id: string) => string {
  const prefix = `node${String(part).padStart(4, '0')}`;
  const renamed = (id: string): string => {
    const m = NODE_ID.exec(id);
    return m ? prefix + m[1]! : id;
  };
  const renameIn = (obj: PDFObject | undefined): PDFObject | undefined => {
    if (obj instanceof PDFString || obj instanceof PDFHexString)
      return PDFString.of(renamed(obj.decodeText()));
    if (obj instanceof PDFArray)
      for (let i = 0; i < obj.size(); i++) obj.set(i, renameIn(obj.get(i)) ?? obj.get(i));
    return obj;
  };
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFDict) || !obj.has(N('S'))) continue;
    const id = obj.get(N('ID'));
    if (id) obj.set(N('ID'), renameIn(id)!);
    for (const attrs of asArray(obj.get(N('A')))) {
      const dict = attrs instanceof PDFRef ? doc.context.lookup(attrs) : attrs;
      if (dict instanceof PDFDict && dict.has(N('Headers'))) renameIn(dict.lookup(N('Headers')));
    }
  }
  return renamed;
}

/** Merges the parts, in order, into a new document (see the module comment). */
export async function mergeParts(parts: readonly MergePart[]): Promise<PDFDocument> {
  const out = await PDFDocument.create({ updateMetadata: false });
  const rootKids: PDFObject[] = [];
  const parentNums: PDFObject[] = [];
  const idNames: [string, PDFObject][] = [];
  const dests = out.context.obj({});
  const roleMap = out.context.obj({});
  let keyOffset = 0;
  const structRootRef = out.context.nextRef();
  let tagged = false;
  let lang: PDFObject | undefined;

  for (const [index, part] of parts.entries()) {
    if ('blank' in part) {
      out.addPage([part.blank[0], part.blank[1]]);
      continue;
    }
    const src = part.doc;
    lang ??= src.catalog.get(N('Lang'));
    const renamed = prefixStructureIds(src, index);
    const copier = PDFObjectCopier.for(src.context, out.context);
    const srcRoot = src.catalog.lookup(N('StructTreeRoot'));
    const entries = srcRoot instanceof PDFDict ? numberTreeEntries(src, srcRoot.get(N('ParentTree'))) : [];
    const maxKey = entries.reduce((m, [k]) => Math.max(m, k), -1);

    for (const page of src.getPages()) {
      const newRef = copier.copy(page.ref);
      const leaf = out.context.lookup(newRef);
      if (!(leaf instanceof PDFPageLeaf)) throw new Error('pdf merge: a copied page is not a page');
      if (keyOffset > 0) {
        shiftKey(leaf, 'StructParents', keyOffset);
        const annots = leaf.lookup(N('Annots'));
        if (annots instanceof PDFArray) {
          for (let i = 0; i < annots.size(); i++) {
            const a = annots.lookup(i);
            if (a instanceof PDFDict) shiftKey(a, 'StructParent', keyOffset);
          }
        }
      }
      out.addPage(PDFPage.of(leaf, newRef, out));
    }

    const srcDests = src.catalog.lookup(N('Dests'));
    if (srcDests instanceof PDFDict) {
      for (const [name, value] of srcDests.entries()) dests.set(name, copier.copy(value));
    }

    if (srcRoot instanceof PDFDict) {
      tagged = true;
      for (const kid of asArray(srcRoot.get(N('K')))) {
        // Cut the link to the part's own root first, or the copier would copy that root too.
        const srcElem = kid instanceof PDFRef ? src.context.lookup(kid) : kid;
        if (srcElem instanceof PDFDict) srcElem.delete(N('P'));
        const copied = copier.copy(kid);
        const elem = copied instanceof PDFRef ? out.context.lookup(copied) : copied;
        if (elem instanceof PDFDict) elem.set(N('P'), structRootRef);
        rootKids.push(copied);
      }
      for (const [key, value] of entries) parentNums.push(PDFNumber.of(key + keyOffset), copier.copy(value));
      for (const [name, value] of nameTreeEntries(src, srcRoot.get(N('IDTree'))))
        idNames.push([renamed(name), copier.copy(value)]);
      const srcRoles = srcRoot.lookup(N('RoleMap'));
      if (srcRoles instanceof PDFDict)
        for (const [k, v] of srcRoles.entries()) roleMap.set(k, copier.copy(v));
      keyOffset += maxKey + 1;
    }
  }

  out.catalog.set(N('Dests'), out.context.register(dests));
  if (lang) out.catalog.set(N('Lang'), lang);
  if (tagged) {
    const root = out.context.obj({
      Type: 'StructTreeRoot',
      K: out.context.obj(rootKids),
      ParentTree: out.context.register(out.context.obj({ Nums: out.context.obj(parentNums) })),
      ParentTreeNextKey: keyOffset,
    });
    if (idNames.length > 0) {
      idNames.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const names = out.context.obj(idNames.flatMap(([k, v]) => [PDFString.of(k), v]));
      root.set(N('IDTree'), out.context.register(out.context.obj({ Names: names })));
    }
    if (roleMap.entries().length > 0) root.set(N('RoleMap'), roleMap);
    out.context.assign(structRootRef, root);
    out.catalog.set(N('StructTreeRoot'), structRootRef);
    out.catalog.set(N('MarkInfo'), out.context.obj({ Marked: true }));
  }
  return out;
}

/**
 * Turns the links one part made to another part's content (URIs under
 * {@link CROSS_LINK_PREFIX}) into links to the destination in the merged document. Returns the
 * ids no destination was found for (those links are left pointing nowhere, as a dead link).
 */
export function resolveCrossLinks(doc: PDFDocument, dests: ReadonlyMap<string, Destination>): string[] {
  const missing: string[] = [];
  for (const page of doc.getPages()) {
    const annots = page.node.lookup(N('Annots'));
    if (!(annots instanceof PDFArray)) continue;
    for (let i = 0; i < annots.size(); i++) {
      const annot = annots.lookup(i);
      if (!(annot instanceof PDFDict)) continue;
      const action = annot.lookup(N('A'));
      if (!(action instanceof PDFDict)) continue;
      const uri = action.lookup(N('URI'));
      if (!(uri instanceof PDFString || uri instanceof PDFHexString)) continue;
      const text = uri.decodeText();
      if (!text.startsWith(CROSS_LINK_PREFIX)) continue;
      const id = safeDecode(text.slice(CROSS_LINK_PREFIX.length));
      const dest = dests.get(id);
      annot.delete(N('A'));
      if (dest) annot.set(N('Dest'), dest.array.clone(doc.context));
      else missing.push(id);
    }
  }
  return missing;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
