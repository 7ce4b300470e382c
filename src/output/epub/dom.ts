/**
 * A small toolkit over parse5's tree: parse chapter HTML as a browser would (HTML5 tree
 * construction fixes unclosed tags, stray table cells, nested links), edit it, and serialise it
 * as well-formed XHTML with the SVG, MathML and XLink namespaces declared where they are used.
 */
import { type DefaultTreeAdapterTypes as T, html, parseFragment } from 'parse5';

/** An element of the parsed chapter. */
export type Element = T.Element;
/** Any node of the parsed chapter. */
export type Node = T.ChildNode;
/** A node that has children. */
export type Parent = T.ParentNode;
/** The parsed chapter. */
export type Fragment = T.DocumentFragment;

const NS = html.NS;

/** Parses an HTML fragment (a chapter body) with the HTML5 algorithm. */
export function parseHtml(source: string): Fragment {
  return parseFragment(source);
}

/** True for an element node. */
export function isElement(n: Node | Parent): n is Element {
  return 'tagName' in n;
}

/** The value of an attribute, or undefined. */
export function getAttr(el: Element, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name && !a.prefix)?.value;
}

/** Sets (or adds) an attribute. */
export function setAttr(el: Element, name: string, value: string): void {
  const a = el.attrs.find((x) => x.name === name && !x.prefix);
  if (a) a.value = value;
  else el.attrs.push({ name, value });
}

/** Removes an attribute if present. */
export function removeAttr(el: Element, name: string): void {
  el.attrs = el.attrs.filter((a) => !(a.name === name && !a.prefix));
}

/** True when the element has the class. */
export function hasClass(el: Element, cls: string): boolean {
  return (getAttr(el, 'class') ?? '').split(/\s+/).includes(cls);
}

/** Creates an HTML element (not attached). */
export function createElement(tagName: string, attrs: Record<string, string> = {}): Element {
  return {
    nodeName: tagName,
    tagName,
    attrs: Object.entries(attrs).map(([name, value]) => ({ name, value })),
    namespaceURI: NS.HTML,
    parentNode: null,
    childNodes: [],
  };
}

/** Creates a text node (not attached). */
export function createText(value: string): Node {
  return { nodeName: '#text', value, parentNode: null };
}

/** Appends a node to a parent. */
export function append(parent: Parent, child: Node): void {
  child.parentNode = parent;
  parent.childNodes.push(child);
}

/** Replaces a node by others in its parent. */
export function replaceWith(node: Node, ...others: Node[]): void {
  const parent = node.parentNode;
  if (!parent) return;
  const i = parent.childNodes.indexOf(node);
  for (const o of others) o.parentNode = parent;
  parent.childNodes.splice(i, 1, ...others);
}

/** Removes an element but keeps its children in its place. */
export function unwrap(el: Element): void {
  replaceWith(el, ...el.childNodes);
}

/** Renames an HTML element in place. */
export function rename(el: Element, tagName: string): void {
  el.tagName = tagName;
  el.nodeName = tagName;
}

/**
 * Every element under `root`, in document order (a snapshot: edits during the loop are safe).
 * The walks of this module keep their own stack, never the call stack: a page may nest elements
 * far deeper (tens of thousands) than JavaScript's call stack goes.
 */
export function elements(root: Parent): Element[] {
  const out: Element[] = [];
  const stack: Node[] = [...root.childNodes].reverse();
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    if (!isElement(n)) continue;
    out.push(n);
    for (let i = n.childNodes.length - 1; i >= 0; i--) stack.push(n.childNodes[i]!);
  }
  return out;
}

/** The text content of a node. */
export function textOf(n: Node | Parent): string {
  if (n.nodeName === '#text') return (n as T.TextNode).value;
  if (!('childNodes' in n)) return '';
  let out = '';
  const stack: Node[] = [...n.childNodes].reverse();
  for (let c = stack.pop(); c !== undefined; c = stack.pop()) {
    if (c.nodeName === '#text') out += (c as T.TextNode).value;
    else if ('childNodes' in c)
      for (let i = c.childNodes.length - 1; i >= 0; i--) stack.push(c.childNodes[i]!);
  }
  return out;
}

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const TEXT_SPECIAL = /[&<>]/;
const ATTR_SPECIAL = /[&<>"]/;

/** Escapes text for XML. */
export function escapeXml(s: string): string {
  // Most text needs nothing: one scan then, not three replacements (a book has a million texts).
  return TEXT_SPECIAL.test(s) ? s.replace(/[&<>]/g, (c) => ENTITIES[c]!) : s;
}

function escapeAttrValue(s: string): string {
  return ATTR_SPECIAL.test(s) ? s.replace(/[&<>"]/g, (c) => ENTITIES[c]!) : s;
}

const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

// XML 1.0 forbids most C0 controls, which HTML tolerates; drop them.
function xmlText(s: string): string {
  return s.replace(XML_FORBIDDEN, '');
}

const XML_NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

/** True for a name that is a valid XML name without a prefix (what attributes we keep must be). */
export function isXmlName(name: string): boolean {
  return XML_NAME.test(name);
}

/** An attribute of a parsed element. */
export type Attribute = T.Element['attrs'][number];

/**
 * The namespace declarations an element needs when its namespace differs from its parent's.
 * `xlinkBelow` answers whether an element or one below it has an `xlink:` attribute (by default
 * its subtree is searched; a serialiser of a whole tree passes answers computed once).
 */
export function namespaceDeclarations(
  el: Element,
  parentNs: string,
  xlinkBelow: (el: Element) => boolean = usesXlinkBelow,
): string {
  if (String(el.namespaceURI) === parentNs) return '';
  let out = '';
  if (el.namespaceURI === NS.HTML) out += ` xmlns="${NS.HTML}"`;
  if (el.namespaceURI === NS.SVG) out += ` xmlns="${NS.SVG}"`;
  if (el.namespaceURI === NS.MATHML) out += ` xmlns="${NS.MATHML}"`;
  if (el.namespaceURI === NS.SVG && xlinkBelow(el)) out += ` xmlns:xlink="${NS.XLINK}"`;
  return out;
}

/** Attributes as XHTML writes them (`xmlns` ones are left out: the serialiser declares). */
export function serializeAttrList(attrs: readonly Attribute[]): string {
  let out = '';
  for (const a of attrs) {
    if (a.name === 'xmlns' || a.name.startsWith('xmlns:') || a.prefix === 'xmlns') continue;
    const name = a.prefix ? `${a.prefix}:${a.name}` : a.name;
    out += ` ${name}="${escapeAttrValue(xmlText(a.value))}"`;
  }
  return out;
}

function usesXlinkBelow(el: Element): boolean {
  return [el, ...elements(el)].some(hasXlinkAttr);
}

function hasXlinkAttr(el: Element): boolean {
  return el.attrs.some((a) => a.prefix === 'xlink');
}

/**
 * The elements under `nodes` that have an `xlink:` attribute on themselves or below, found in one
 * pass (children before parents), so that nested SVG roots do not each search their subtree again.
 */
function xlinkHolders(nodes: readonly Node[]): Set<Element> {
  const all: Element[] = [];
  for (const n of nodes) if (isElement(n)) all.push(n, ...elements(n));
  const holders = new Set<Element>();
  for (let i = all.length - 1; i >= 0; i--) {
    const el = all[i]!;
    if (!holders.has(el) && !hasXlinkAttr(el)) continue;
    holders.add(el);
    const p = el.parentNode;
    if (p && isElement(p)) holders.add(p);
  }
  return holders;
}

/** The namespace of the element a node is serialised in (HTML at the top). */
export function parentNamespace(n: Node): string {
  const p = n.parentNode;
  return p && isElement(p) ? String(p.namespaceURI) : NS.HTML;
}

/**
 * Serialises a node list as XHTML (the HTML namespace is the document's default). The tags of
 * elements in `marked` are written as markers, `\u0001N\u0002` and `\u0001/N\u0002`, for a
 * later pass to replace (control characters never survive into text or attributes).
 */
export function serializeXhtml(
  nodes: readonly Node[],
  parentNs: string = NS.HTML,
  marked?: ReadonlyMap<Element, number>,
): string {
  let holders: Set<Element> | undefined;
  const xlinkBelow = (el: Element): boolean => (holders ??= xlinkHolders(nodes)).has(el);
  let out = '';
  // A stack of what is left to write, in reverse: nodes with their parent's namespace, and the
  // closing tags of the elements opened (strings).
  const stack: (string | { node: Node; ns: string })[] = [];
  const pushChildren = (list: readonly Node[], ns: string): void => {
    for (let i = list.length - 1; i >= 0; i--) stack.push({ node: list[i]!, ns });
  };
  pushChildren(nodes, parentNs);
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item === 'string') {
      out += item;
      continue;
    }
    const n = item.node;
    if (n.nodeName === '#text') {
      out += escapeXml(xmlText((n as T.TextNode).value));
      continue;
    }
    if (!isElement(n)) continue; // comments and doctypes are dropped
    const name = n.tagName;
    const children = n.tagName === 'template' ? [] : n.childNodes;
    const mark = marked?.get(n);
    const raw = name === 'style' || name === 'script';
    let open: string;
    let close: string;
    if (mark !== undefined) {
      open = `\u0001${mark}\u0002`;
      close = `\u0001/${mark}\u0002`;
    } else {
      const attrs = namespaceDeclarations(n, item.ns, xlinkBelow) + serializeAttrList(n.attrs);
      if (children.length === 0 && (n.namespaceURI !== NS.HTML || VOID.has(name))) {
        out += `<${name}${attrs}/>`;
        continue;
      }
      open = `<${name}${attrs}>`;
      close = `</${name}>`;
    }
    if (raw) {
      out += `${open}${escapeXml(textOf(n))}${close}`;
      continue;
    }
    out += open;
    stack.push(close);
    pushChildren(children, n.namespaceURI);
  }
  return out;
}

/** The namespaces parse5 places foreign content in. */
export const NAMESPACES = { html: NS.HTML, svg: NS.SVG, mathml: NS.MATHML } as const;
