/**
 * One chapter as an EPUB content document: parsed as HTML5, repaired into valid XHTML content,
 * footnotes made EPUB 3 notes, images packed, stray `<style>` blocks hoisted out of the body,
 * heading levels made consecutive, and the ids it defines collected for link checking.
 */
import type { Diagnostics } from '../../diagnostics.js';
import {
  type Element,
  elements,
  type Fragment,
  getAttr,
  NAMESPACES,
  parseHtml,
  rename,
  replaceWith,
  serializeXhtml,
  textOf,
} from './dom.js';
import type { ImageStore } from './images.js';
import { epubFootnotes } from './notes.js';
import { fixLinks, type LinkContext, packImages } from './refs.js';
import { repairTree } from './repair.js';

/** A chapter on its way into the EPUB. */
export interface ChapterDoc {
  readonly file: string;
  readonly tree: Fragment;
  /** Ids the document defines. */
  readonly ids: ReadonlySet<string>;
  /** `<style>` blocks found in the body, to go into the shared stylesheet. */
  readonly styles: readonly string[];
}

/** What preparing a chapter needs. */
export interface PrepareInput {
  readonly file: string;
  readonly html: string;
  readonly store: ImageStore;
  readonly assets: ReadonlyMap<string, string>;
  readonly diags: Diagnostics;
  /** The page's source path and body (for diagnostics' line numbers). */
  readonly source: string;
  readonly body: string;
  readonly bodyLine: number;
}

/** Parses and repairs one chapter; links are fixed later, once every document's ids are known. */
export function prepareChapter(input: PrepareInput): ChapterDoc {
  const tree = parseHtml(input.html);
  const styles: string[] = [];
  for (const el of elements(tree)) {
    if (el.tagName !== 'style' || el.namespaceURI !== NAMESPACES.html) continue;
    const css = textOf(el).trim();
    if (css) styles.push(css);
    replaceWith(el);
  }
  repairTree(tree);
  epubFootnotes(tree);
  const lines = input.body.split('\n');
  const lineOf = (needle: string): number => {
    const i = needle ? lines.findIndex((l) => l.includes(needle)) : -1;
    return i === -1 ? input.bodyLine : input.bodyLine + i;
  };
  packImages(tree, {
    store: input.store,
    assets: input.assets,
    diags: input.diags,
    file: input.source,
    lineOf,
  });
  orderHeadings(tree);
  const ids = new Set<string>();
  for (const el of elements(tree)) {
    const id = getAttr(el, 'id');
    if (id !== undefined) ids.add(id);
  }
  return { file: input.file, tree, ids, styles };
}

const HEADING = /^h([1-6])$/;

/** No heading skips a level (an `h4` straight after an `h2` becomes an `h3`), as readers navigate by level. */
export function orderHeadings(tree: Fragment): void {
  let previous = 0;
  for (const el of elements(tree)) {
    const m = el.namespaceURI === NAMESPACES.html ? HEADING.exec(el.tagName) : null;
    if (!m) continue;
    const level = Math.min(Number(m[1]), previous + 1);
    if (level !== Number(m[1])) rename(el, `h${level}`);
    previous = level;
  }
}

/** Fixes the links of a prepared chapter and serialises its body as XHTML. */
export function finishChapter(doc: ChapterDoc, links: LinkContext): { xhtml: string; properties: string[] } {
  fixLinks(doc.tree, links);
  const all: Element[] = elements(doc.tree);
  const properties: string[] = [];
  if (all.some((e) => e.namespaceURI === NAMESPACES.mathml)) properties.push('mathml');
  if (all.some((e) => e.namespaceURI === NAMESPACES.svg)) properties.push('svg');
  return { xhtml: serializeXhtml(doc.tree.childNodes), properties };
}
