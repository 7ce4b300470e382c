/**
 * References inside the EPUB: images are packed (or, when remote, turned into a link, since an
 * EPUB may not load images from the web), links between pages point at an existing file and id,
 * links leaving the book are absolute, and links to nothing are unwrapped to their text.
 */
import { MISSING_IMAGE } from '../../compose/finalize.js';
import type { Diagnostics } from '../../diagnostics.js';
import {
  append,
  type Attribute,
  createElement,
  createText,
  type Element,
  elements,
  type Fragment,
  getAttr,
  NAMESPACES,
  namespaceDeclarations,
  parentNamespace,
  removeAttr,
  replaceWith,
  serializeAttrList,
  setAttr,
  unwrap,
} from './dom.js';
import type { ImageStore } from './images.js';

/** The prefix the EPUB's reference style gives asset URLs, resolved here. */
export const ASSET_PREFIX = 'bb-epub-asset:';

/** What image handling needs to know about one chapter. */
export interface ImageContext {
  readonly store: ImageStore;
  /** Source path → absolute path of the chapter's assets. */
  readonly assets: ReadonlyMap<string, string>;
  readonly diags: Diagnostics;
  /** The chapter's source file and a line finder, for diagnostics. */
  readonly file: string;
  readonly lineOf: (needle: string) => number;
}

const REMOTE = /^(https?:)?\/\//i;

/** Packs or replaces every image and embedded media element of a chapter. */
export function packImages(root: Fragment, ctx: ImageContext): void {
  for (const el of elements(root)) {
    if (el.namespaceURI === NAMESPACES.svg && el.tagName === 'image') packSvgImage(el, ctx);
    if (el.namespaceURI !== NAMESPACES.html) continue;
    if (el.tagName === 'img') packImg(el, ctx);
    else if (el.tagName === 'source' || el.tagName === 'track') replaceWith(el);
    else if (['iframe', 'video', 'audio', 'embed', 'object'].includes(el.tagName)) linkInstead(el, ctx);
    else if (el.tagName === 'picture') unwrap(el);
  }
}

function packImg(img: Element, ctx: ImageContext): void {
  removeAttr(img, 'srcset');
  removeAttr(img, 'sizes');
  removeAttr(img, 'loading');
  const src = getAttr(img, 'src') ?? '';
  const alt = getAttr(img, 'alt');
  if (alt === undefined) {
    const title = getAttr(img, 'title');
    setAttr(img, 'alt', title ?? '');
    if (title === undefined)
      ctx.diags.warn(
        'image/no-alt',
        `image ${shortSrc(src)} has no alternative text; it is marked decorative in the EPUB (write ![text](…) or alt="…")`,
        ctx.file,
        ctx.lineOf(lastSegment(src)),
      );
  }
  const href = imageHref(src, ctx);
  if (href !== undefined) {
    setAttr(img, 'src', href);
    return;
  }
  // Remote or unusable: the reader still gets the alt text, and a link when there is a target.
  const text = getAttr(img, 'alt') || 'image';
  const replacement =
    REMOTE.test(src) && !insideLink(img)
      ? createElement('a', { href: src.startsWith('//') ? `https:${src}` : src, class: 'remote-image' })
      : createElement('span', { class: 'missing-image' });
  append(replacement, createText(`[${text}]`));
  replaceWith(img, replacement);
}

function insideLink(el: Element): boolean {
  for (let p = el.parentNode; p && 'tagName' in p; p = p.parentNode) if (p.tagName === 'a') return true;
  return false;
}

function packSvgImage(el: Element, ctx: ImageContext): void {
  const attr = el.attrs.find((a) => a.name === 'href');
  if (!attr) return;
  const href = imageHref(attr.value, ctx);
  if (href === undefined) replaceWith(el);
  else attr.value = href;
}

/** The packed file an image source becomes, or undefined when it cannot be packed. */
function imageHref(src: string, ctx: ImageContext): string | undefined {
  if (src.startsWith(ASSET_PREFIX)) {
    const source = src.slice(ASSET_PREFIX.length);
    const abs = ctx.assets.get(source);
    const image = abs ? ctx.store.addFile(abs, source) : 'unreadable';
    if (typeof image !== 'string') return image.href;
    ctx.diags.warn(
      'epub/image-format',
      image === 'unknown-format'
        ? `image ${source} is not a PNG, JPEG, GIF, WebP or SVG file; it is left out of the EPUB`
        : `image ${source} could not be read; it is left out of the EPUB`,
      ctx.file,
      ctx.lineOf(lastSegment(source)),
    );
    return undefined;
  }
  if (src === MISSING_IMAGE || src.startsWith('data:')) {
    const bytes = dataUri(src);
    const image = bytes
      ? ctx.store.addBytes(bytes, src === MISSING_IMAGE ? 'missing-image' : 'inline-image')
      : undefined;
    return image && typeof image !== 'string' ? image.href : undefined;
  }
  return undefined;
}

function dataUri(uri: string): Uint8Array | undefined {
  const m = /^data:([^,;]*)((?:;[^,;]*)*),(.*)$/s.exec(uri);
  if (!m) return undefined;
  const base64 = (m[2] ?? '').includes(';base64');
  try {
    return base64 ? Buffer.from(m[3]!, 'base64') : Buffer.from(decodeURIComponent(m[3]!), 'utf8');
  } catch {
    return undefined;
  }
}

function linkInstead(el: Element, ctx: ImageContext): void {
  const src = getAttr(el, 'src') ?? getAttr(el, 'data') ?? '';
  const label = getAttr(el, 'title') ?? getAttr(el, 'aria-label') ?? `embedded ${el.tagName}`;
  if (REMOTE.test(src)) {
    const a = createElement('a', { href: src.startsWith('//') ? `https:${src}` : src, class: 'embed-link' });
    append(a, createText(label));
    const p = createElement(el.tagName === 'iframe' || el.tagName === 'video' ? 'span' : 'span');
    append(p, a);
    replaceWith(el, p);
  } else replaceWith(el, ...el.childNodes.filter((c) => c.nodeName !== 'source' && c.nodeName !== 'track'));
  ctx.diags.info(
    'epub/embed-replaced',
    `<${el.tagName}> cannot play inside an EPUB; it is replaced by a link to ${shortSrc(src) || 'its source'}`,
    ctx.file,
    ctx.lineOf(lastSegment(src)),
  );
}

function shortSrc(src: string): string {
  return src.startsWith(ASSET_PREFIX)
    ? src.slice(ASSET_PREFIX.length)
    : src.length > 80
      ? `${src.slice(0, 77)}…`
      : src;
}

function lastSegment(src: string): string {
  const clean = src.replace(ASSET_PREFIX, '').split(/[?#]/)[0] ?? '';
  return clean.slice(clean.lastIndexOf('/') + 1);
}

/** What link rewriting needs to know about the whole book. */
export interface LinkContext {
  /** The file of this document. */
  readonly file: string;
  /** Ids defined in each file of the book. */
  readonly idsByFile: ReadonlyMap<string, ReadonlySet<string>>;
  /** `url` + `baseurl` of the site, to make other references absolute ('' when unknown). */
  readonly siteBase: string;
  /** The page's site URL, to resolve relative leftovers against. */
  readonly pageUrl: string;
  /** Where to report a link whose fragment names no id of the book. */
  readonly report?: (fragment: string) => void;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** A link of a prepared document: what its tags are made of. */
export interface LinkTag {
  /** Namespace declarations the element needs where it stands ('' nearly always). */
  readonly namespaces: string;
  readonly attrs: readonly Attribute[];
  /** True when the element has no content at all. */
  readonly empty: boolean;
}

/** Describes an `<a href>` of a parsed document for {@link linkTags}. */
export function linkTagOf(a: Element): LinkTag {
  return {
    namespaces: namespaceDeclarations(a, parentNamespace(a)),
    attrs: [...a.attrs],
    empty: a.childNodes.length === 0,
  };
}

/**
 * The start and end tags of each link of one document, so that it points at something that
 * exists: links to nothing lose their `href` (and become a `<span>`; an empty one goes).
 */
export function linkTags(links: readonly LinkTag[], ctx: LinkContext): { start: string; end: string }[] {
  const fileOf = (id: string): string | undefined => {
    if (ctx.idsByFile.get(ctx.file)?.has(id)) return ctx.file;
    for (const [file, ids] of ctx.idsByFile) if (ids.has(id)) return file;
    return undefined;
  };
  return links.map((link) => {
    const href = link.attrs.find((a) => a.name === 'href' && !a.prefix)?.value ?? '';
    const fixed = fixHref(href.trim(), ctx, fileOf);
    if (fixed === undefined) {
      if (link.empty) return { start: '', end: '' };
      const kept = link.attrs.filter((a) => a.prefix || (a.name !== 'href' && a.name !== 'target'));
      return { start: `<span${link.namespaces}${serializeAttrList(kept)}>`, end: '</span>' };
    }
    const attrs = link.attrs.map((a) => (a.name === 'href' && !a.prefix ? { ...a, value: fixed } : a));
    return { start: `<a${link.namespaces}${serializeAttrList(attrs)}>`, end: '</a>' };
  });
}

function fixHref(
  href: string,
  ctx: LinkContext,
  fileOf: (id: string) => string | undefined,
): string | undefined {
  // Unrendered template code (`{{ site.url }}`) or prose is no address, relative or not.
  if (href === '' || href === '#' || /[\s{}<>"]/.test(href)) return undefined;
  if (SCHEME.test(href)) return validUrl(href);
  const hash = href.indexOf('#');
  const path = hash === -1 ? href : href.slice(0, hash);
  const fragment = hash === -1 ? '' : decodeSafe(href.slice(hash + 1));
  if (path === '' || ctx.idsByFile.has(path)) {
    const file = path || ctx.file;
    if (fragment === '') return path === '' ? undefined : file;
    const where = ctx.idsByFile.get(file)?.has(fragment) ? file : fileOf(fragment);
    if (where) return `${where}#${encodeFragment(fragment)}`;
    ctx.report?.(fragment);
    return path === '' ? undefined : file;
  }
  if (!ctx.siteBase) return undefined;
  try {
    const base = new URL(`${ctx.siteBase}${ctx.pageUrl}`);
    return validUrl(new URL(href, base).href);
  } catch {
    return undefined;
  }
}

function validUrl(href: string): string | undefined {
  if (/\s|\{|\}/.test(href)) return undefined;
  try {
    return new URL(href).href === '' ? undefined : href;
  } catch {
    return undefined;
  }
}

/** Percent-encodes what an IRI fragment may not hold, and nothing else. */
function encodeFragment(s: string): string {
  return s.replace(/[^\p{L}\p{N}\-._~!$&'()*+,;=:@/?]/gu, (c) => encodeURIComponent(c));
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
