/**
 * One chapter as an EPUB content document: parsed as HTML5, repaired into valid XHTML content,
 * footnotes made EPUB 3 notes, images packed, stray `<style>` blocks hoisted out of the body,
 * heading levels made consecutive, and the ids it defines collected for link checking.
 */
import type { Diagnostics } from '../../diagnostics.js';
import {
  append,
  createElement,
  type Element,
  hasClass,
  isElement,
  setAttr,
  elements,
  type Fragment,
  getAttr,
  NAMESPACES,
  parseHtml,
  rename,
  removeAttr,
  replaceWith,
  serializeXhtml,
  textOf,
} from './dom.js';
import type { ImageStore } from './images.js';
import { epubFootnotes } from './notes.js';
import { type LinkContext, type LinkTag, linkTagOf, linkTags, packImages } from './refs.js';
import { repairTree } from './repair.js';

/**
 * A chapter on its way into the EPUB: already serialised (the tree is let go at once, which
 * keeps a big book's memory and garbage collection small), but for the tags of its links.
 */
export interface ChapterDoc {
  readonly file: string;
  /** The XHTML body; each link's tags are markers (see `serializeXhtml`). */
  readonly body: string;
  /** The links, by marker number. */
  readonly links: readonly LinkTag[];
  /** Ids the document defines. */
  readonly ids: ReadonlySet<string>;
  /** `<style>` blocks found in the body, to go into the shared stylesheet. */
  readonly styles: readonly string[];
  /** Package properties of the document (`mathml`, `svg`). */
  readonly properties: readonly string[];
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
  scrollWide(tree);
  labelCheckboxes(tree);
  const ids = new Set<string>();
  const links: LinkTag[] = [];
  const marked = new Map<Element, number>();
  let mathml = false;
  let svg = false;
  for (const el of elements(tree)) {
    // The source line a block came from serves the print's layout diagnostics, not a reader.
    if (el.namespaceURI === NAMESPACES.html) removeAttr(el, 'data-line');
    // Reading systems that cannot toggle a <details> (calibre, Kindle) would hide its body.
    if (el.tagName === 'details' && el.namespaceURI === NAMESPACES.html) setAttr(el, 'open', 'open');
    const id = getAttr(el, 'id');
    if (id !== undefined) ids.add(id);
    mathml ||= el.namespaceURI === NAMESPACES.mathml;
    svg ||= el.namespaceURI === NAMESPACES.svg;
    if (el.tagName === 'a' && el.namespaceURI === NAMESPACES.html && getAttr(el, 'href') !== undefined) {
      marked.set(el, links.length);
      links.push(linkTagOf(el));
    }
  }
  const properties = [...(mathml ? ['mathml'] : []), ...(svg ? ['svg'] : [])];
  const body = serializeXhtml(tree.childNodes, NAMESPACES.html, marked);
  return { file: input.file, body, links, ids, styles, properties };
}

/**
 * Tables and display formulas, which cannot wrap past a point, go in a box that scrolls
 * sideways on a small screen (epub.css) instead of running off it; the box takes keyboard focus,
 * so that it can be scrolled without a pointer.
 */
export function scrollWide(tree: Fragment): void {
  for (const el of elements(tree)) {
    if (el.namespaceURI !== NAMESPACES.html) continue;
    if (el.tagName === 'div' && hasClass(el, 'math-display')) setAttr(el, 'tabindex', '0');
    else if (el.tagName === 'table') {
      const parent = el.parentNode;
      if (parent && isElement(parent) && hasClass(parent, 'table-wrap')) continue;
      // A table of many columns may break its cells anywhere to fit a small screen; one of a
      // few keeps whole words, or a short column (a number, a name) is squeezed letter by letter.
      const wide = columnCount(el) >= 4;
      const wrap = createElement('div', {
        class: wide ? 'table-wrap table-wide' : 'table-wrap',
        tabindex: '0',
      });
      replaceWith(el, wrap);
      append(wrap, el);
    }
  }
}

/**
 * A task list's box is a form control, and a control needs a name (Ace/axe `label`): a box with
 * none, outside a `<label>`, is named by the text of its list item ("Buy milk").
 */
export function labelCheckboxes(tree: Fragment): void {
  for (const el of elements(tree)) {
    if (el.tagName !== 'input' || el.namespaceURI !== NAMESPACES.html) continue;
    if (!['checkbox', 'radio'].includes((getAttr(el, 'type') ?? '').toLowerCase())) continue;
    if (getAttr(el, 'aria-label') || getAttr(el, 'aria-labelledby') || getAttr(el, 'title')) continue;
    let holder = el.parentNode;
    while (holder && isElement(holder) && !['li', 'label', 'p', 'td', 'th', 'div'].includes(holder.tagName))
      holder = holder.parentNode;
    if (holder && isElement(holder) && holder.tagName === 'label') continue;
    const words = holder ? textOf(holder).replace(/\s+/g, ' ').trim() : '';
    const label = words.length > 120 ? `${words.slice(0, 119).replace(/\s+\S*$/, '')}…` : words;
    setAttr(el, 'aria-label', label || (getAttr(el, 'checked') !== undefined ? 'done' : 'not done'));
  }
}

/** The number of cells in the table's widest row (`colspan` counted). */
function columnCount(table: Element): number {
  let most = 0;
  for (const row of elements(table)) {
    if (row.tagName !== 'tr') continue;
    let n = 0;
    for (const cell of row.childNodes)
      if (isElement(cell) && (cell.tagName === 'td' || cell.tagName === 'th'))
        n += Math.max(1, Number(getAttr(cell, 'colspan') ?? 1) || 1);
    most = Math.max(most, n);
  }
  return most;
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

const MARKER = /\u0001(\/?)(\d+)\u0002/g;

/** Fixes the links of a prepared chapter: its final XHTML body. */
export function finishChapter(doc: ChapterDoc, links: LinkContext): { xhtml: string; properties: string[] } {
  const tags = linkTags(doc.links, links);
  const xhtml = doc.body.replace(MARKER, (_all, close: string, n: string) => {
    const tag = tags[Number(n)]!;
    return close ? tag.end : tag.start;
  });
  return { xhtml, properties: [...doc.properties] };
}
