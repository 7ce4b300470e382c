/**
 * Makes a parsed chapter valid XHTML5 content for an EPUB: what a browser forgives in a web page
 * (a `<pre>` inside a `<span>`, text straight inside a `<ul>`, unknown tags, `width="50%"`,
 * scripts) an e-reader's validator does not. Each repair keeps the text and the look close.
 */
import {
  append,
  createElement,
  createText,
  type Element,
  elements,
  type Fragment,
  getAttr,
  isElement,
  isXmlName,
  NAMESPACES,
  type Node,
  rename,
  replaceWith,
  removeAttr,
  setAttr,
  textOf,
} from './dom.js';

/** HTML elements that may only hold phrasing content. */
const PHRASING_ONLY = new Set([
  'p',
  'span',
  'em',
  'strong',
  'b',
  'i',
  'u',
  's',
  'small',
  'code',
  'sub',
  'sup',
  'mark',
  'abbr',
  'cite',
  'q',
  'dfn',
  'kbd',
  'samp',
  'var',
  'time',
  'label',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'pre',
  'dt',
  'legend',
  'summary',
  'button',
  'caption',
]);

/** Elements that become a `div` when they hold blocks (the others have their blocks made inline). */
const BECOME_DIV = new Set(['p', 'span', 'label', 'small']);

const PHRASING = new Set([
  'a',
  'abbr',
  'audio',
  'b',
  'bdi',
  'bdo',
  'br',
  'button',
  'canvas',
  'cite',
  'code',
  'data',
  'del',
  'dfn',
  'em',
  'embed',
  'i',
  'iframe',
  'img',
  'input',
  'ins',
  'kbd',
  'label',
  'map',
  'mark',
  'meter',
  'object',
  'output',
  'picture',
  'progress',
  'q',
  'ruby',
  'rp',
  'rt',
  's',
  'samp',
  'select',
  'small',
  'span',
  'strong',
  'sub',
  'sup',
  'svg',
  'math',
  'textarea',
  'time',
  'u',
  'var',
  'video',
  'wbr',
]);

const FLOW = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'details',
  'dialog',
  'div',
  'dl',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hgroup',
  'hr',
  'main',
  'menu',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'ul',
  'summary',
  'dd',
  'dt',
  'li',
  'tbody',
  'thead',
  'tfoot',
  'tr',
  'td',
  'th',
  'caption',
  'colgroup',
  'col',
  'legend',
  'option',
  'optgroup',
  'source',
  'track',
  'area',
  'param',
  'style',
  'template',
]);

/** Obsolete presentational elements and what they become. */
const OBSOLETE: Readonly<Record<string, string>> = {
  center: 'div',
  font: 'span',
  big: 'span',
  tt: 'code',
  strike: 's',
  acronym: 'abbr',
  blink: 'span',
  marquee: 'div',
  nobr: 'span',
  listing: 'pre',
  xmp: 'pre',
  plaintext: 'pre',
  dir: 'ul',
};

/** Elements that cannot work in a static e-book: removed with their content. */
const DROP = new Set(['script', 'noscript', 'template', 'link', 'meta', 'base', 'param', 'title']);

/** Attributes any HTML element may carry (with `aria-*` and `data-*`), RDFa's included. */
const GLOBAL_ATTRS = new Set([
  'id',
  'class',
  'style',
  'title',
  'lang',
  'dir',
  'hidden',
  'tabindex',
  'accesskey',
  'translate',
  'spellcheck',
  'contenteditable',
  'draggable',
  'role',
  'epub:type',
  'about',
  'content',
  'datatype',
  'inlist',
  'prefix',
  'property',
  'rel',
  'resource',
  'rev',
  'typeof',
  'vocab',
]);

/** The further attributes HTML5 allows per element (only for elements a page plausibly holds). */
const ELEMENT_ATTRS: Readonly<Record<string, readonly string[]>> = {
  a: ['href', 'target', 'download', 'hreflang', 'type', 'referrerpolicy'],
  img: ['src', 'alt', 'width', 'height', 'usemap', 'ismap', 'crossorigin', 'decoding', 'referrerpolicy'],
  ol: ['start', 'reversed', 'type'],
  li: ['value'],
  td: ['colspan', 'rowspan', 'headers'],
  th: ['colspan', 'rowspan', 'headers', 'scope', 'abbr'],
  col: ['span'],
  colgroup: ['span'],
  blockquote: ['cite'],
  q: ['cite'],
  del: ['cite', 'datetime'],
  ins: ['cite', 'datetime'],
  time: ['datetime'],
  data: ['value'],
  meter: ['value', 'min', 'max', 'low', 'high', 'optimum'],
  progress: ['value', 'max'],
  details: ['open'],
  dialog: ['open'],
  map: ['name'],
  area: ['alt', 'coords', 'shape', 'href', 'target', 'download', 'hreflang', 'type'],
  label: ['for', 'form'],
  output: ['for', 'form', 'name'],
  input: [
    'type',
    'name',
    'value',
    'checked',
    'disabled',
    'readonly',
    'placeholder',
    'size',
    'min',
    'max',
    'step',
  ],
  button: ['type', 'name', 'value', 'disabled'],
  select: ['name', 'multiple', 'disabled', 'size'],
  option: ['value', 'selected', 'disabled', 'label'],
  optgroup: ['label', 'disabled'],
  textarea: ['name', 'rows', 'cols', 'disabled', 'readonly', 'placeholder', 'wrap'],
  fieldset: ['name', 'disabled'],
  canvas: ['width', 'height'],
};

const isHtml = (el: Element): boolean => el.namespaceURI === NAMESPACES.html;

function isBlock(n: Node): boolean {
  return isElement(n) && isHtml(n) && FLOW.has(n.tagName) && !PHRASING.has(n.tagName);
}

function known(tag: string): boolean {
  return PHRASING.has(tag) || FLOW.has(tag) || ['br', 'img', 'hr', 'tr', 'li'].includes(tag);
}

/** Repairs a whole chapter tree in place. */
export function repairTree(root: Fragment): void {
  for (const el of elements(root)) {
    if (!isHtml(el)) {
      cleanForeignAttrs(el);
      continue;
    }
    if (DROP.has(el.tagName)) {
      replaceWith(el);
      continue;
    }
    const replacement = OBSOLETE[el.tagName];
    if (replacement) rename(el, replacement);
    else if (!known(el.tagName)) rename(el, el.childNodes.some(isBlock) ? 'div' : 'span');
    cleanAttrs(el);
  }
  // Bottom-up, so a `p` turned `div` is seen by the `span` around it.
  for (const el of elements(root).reverse()) {
    if (!isHtml(el) || el.parentNode === null) continue;
    fixContentModel(el);
  }
}

/**
 * The attributes SVG 1.1 requires (epubcheck validates SVG against it: RSC-005), with the values
 * SVG 2, which readers implement, gives them when they are left out: the shape draws the same.
 * `auto` is SVG 2's own keyword (an image keeps its own size); SVG 1.1's schema takes it.
 */
const SVG_REQUIRED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  rect: { width: 'auto', height: 'auto' },
  image: { width: 'auto', height: 'auto' },
  ellipse: { rx: 'auto', ry: 'auto' },
  circle: { r: '0' },
  path: { d: '' },
  polygon: { points: '' },
  polyline: { points: '' },
};

function cleanForeignAttrs(el: Element): void {
  el.attrs = el.attrs.filter((a) => !/^on/i.test(a.name));
  if (el.namespaceURI !== NAMESPACES.svg) return;
  for (const [name, value] of Object.entries(SVG_REQUIRED[el.tagName] ?? {}))
    if (getAttr(el, name) === undefined) setAttr(el, name, value);
  if (el.tagName === 'a') titleSvgLink(el);
}

/**
 * A link inside an SVG drawing is announced by its `<title>` (EPUB accessibility, ACC-011): one
 * without it gets its own text, or its address, as title.
 */
function titleSvgLink(el: Element): void {
  const titled = el.childNodes.some(
    (c) => isElement(c) && c.tagName === 'title' && c.namespaceURI === NAMESPACES.svg,
  );
  if (titled || el.attrs.some((a) => a.prefix === 'xlink' && a.name === 'title')) return;
  const xlinkHref = el.attrs.find((a) => a.prefix === 'xlink' && a.name === 'href')?.value;
  const label = textOf(el).replace(/\s+/g, ' ').trim() || getAttr(el, 'href') || xlinkHref || 'link';
  const title = { ...createElement('title'), namespaceURI: NAMESPACES.svg };
  append(title, createText(label));
  title.parentNode = el;
  el.childNodes.unshift(title);
}

function cleanAttrs(el: Element): void {
  const style: string[] = [];
  for (const dim of ['width', 'height']) {
    const v = getAttr(el, dim);
    if (v === undefined) continue;
    const px = /^\s*(\d+)(?:\.\d+)?\s*(px)?\s*$/i.exec(v);
    if (px && ['img', 'video', 'canvas', 'embed', 'object', 'iframe', 'input'].includes(el.tagName))
      setAttr(el, dim, px[1]!);
    else {
      removeAttr(el, dim);
      // A percentage height depends on the reader's page and would distort the image: dropped.
      if (dim === 'height' && v.trim().endsWith('%')) continue;
      if (/^\s*\d+(\.\d+)?(%|px|em|rem)?\s*$/.test(v))
        style.push(`${dim}:${/\d$/.test(v.trim()) ? `${v.trim()}px` : v.trim()}`);
    }
  }
  const align = getAttr(el, 'align');
  if (align && /^(left|right|center|justify)$/i.test(align))
    style.push(
      el.tagName === 'img' || el.tagName === 'table'
        ? align.toLowerCase() === 'center'
          ? 'display:block;margin-left:auto;margin-right:auto'
          : `float:${align.toLowerCase()}`
        : `text-align:${align.toLowerCase()}`,
    );
  if (getAttr(el, 'name') !== undefined && el.tagName === 'a') {
    if (getAttr(el, 'id') === undefined) setAttr(el, 'id', getAttr(el, 'name')!);
    removeAttr(el, 'name');
  }
  const own = ELEMENT_ATTRS[el.tagName] ?? [];
  el.attrs = el.attrs.filter(
    (a) =>
      (GLOBAL_ATTRS.has(a.name) ||
        own.includes(a.name) ||
        (/^(aria|data)-/.test(a.name) && isXmlName(a.name))) &&
      !(a.name === 'id' && !/^\S+$/.test(a.value)) &&
      !(el.tagName === 'ol' && a.name === 'type' && !/^[1aAiI]$/.test(a.value)),
  );
  if (style.length > 0) {
    const old = getAttr(el, 'style');
    setAttr(el, 'style', [old?.replace(/;?\s*$/, ''), ...style].filter(Boolean).join(';'));
  }
}

function fixContentModel(el: Element): void {
  const tag = el.tagName;
  if (PHRASING_ONLY.has(tag) && el.childNodes.some(isBlock)) {
    if (BECOME_DIV.has(tag)) rename(el, 'div');
    else for (const c of el.childNodes) if (isBlock(c) && isElement(c)) inlineBlock(c);
  }
  if (tag === 'ul' || tag === 'ol') wrapRuns(el, (n) => isElement(n) && n.tagName === 'li', 'li');
  if (tag === 'dl') wrapRuns(el, (n) => isElement(n) && ['dt', 'dd', 'div'].includes(n.tagName), 'dd');
  if (tag === 'li' && !['ul', 'ol', 'menu'].includes(parentTag(el))) rename(el, 'div');
  if ((tag === 'dt' || tag === 'dd') && !['dl', 'div'].includes(parentTag(el))) rename(el, 'div');
  if (tag === 'table') fixTable(el);
  if (tag === 'a' && hasAncestor(el, 'a')) rename(el, 'span');
}

/** Turns a block and the blocks nested in it into phrasing (its own stack: nesting may be deep). */
function inlineBlock(top: Element): void {
  const stack = [top];
  for (let el = stack.pop(); el !== undefined; el = stack.pop()) {
    const blocks = ['pre', 'blockquote'].includes(el.tagName) ? 'code' : 'span';
    rename(el, el.tagName === 'br' ? 'br' : blocks);
    for (const c of el.childNodes) if (isElement(c) && isBlock(c)) stack.push(c);
  }
}

function parentTag(el: Element): string {
  const p = el.parentNode;
  return p && isElement(p) ? p.tagName : '';
}

function hasAncestor(el: Element, tag: string): boolean {
  for (let p = el.parentNode; p && isElement(p); p = p.parentNode) if (p.tagName === tag) return true;
  return false;
}

/** Wraps runs of children that a list may not hold directly into `wrapper` elements. */
function wrapRuns(el: Element, allowed: (n: Node) => boolean, wrapper: string): void {
  const out: Node[] = [];
  let run: Element | undefined;
  for (const c of el.childNodes) {
    const blank = c.nodeName === '#text' && textOf(c).trim() === '';
    if (allowed(c) || (blank && !run)) {
      run = undefined;
      if (!blank) out.push(c);
      continue;
    }
    if (!run) {
      run = createElement(wrapper);
      run.parentNode = el;
      out.push(run);
    }
    c.parentNode = run;
    run.childNodes.push(c);
  }
  el.childNodes = out;
}

/** A `thead` after the body rows (tables assembled by hand) becomes another body. */
function fixTable(table: Element): void {
  let seenBody = false;
  for (const c of table.childNodes) {
    if (!isElement(c)) continue;
    if (c.tagName === 'tbody' || c.tagName === 'tr' || c.tagName === 'tfoot') seenBody = true;
    else if (c.tagName === 'thead' && seenBody) rename(c, 'tbody');
  }
  const theads = table.childNodes.filter((c) => isElement(c) && c.tagName === 'thead');
  for (const extra of theads.slice(1)) if (isElement(extra)) rename(extra, 'tbody');
}
