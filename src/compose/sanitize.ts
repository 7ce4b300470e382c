/**
 * The sanitising stage: every rendered chapter passes through an allowlist before any output
 * sees it. What Markdown, kramdown and just-the-docs produce stays (classes, ids, tables,
 * footnotes, inline SVG and MathML); scripts, event handlers, `javascript:` URLs, frames,
 * objects, `<meta>`, `<base>`, forms and references that would make a reader's browser (or
 * ours) fetch something from elsewhere are removed, each with a warning at its source line.
 */
import sanitizeHtml from 'sanitize-html';
import type { Diagnostics } from '../diagnostics.js';
import type { Page } from '../model.js';
import { sanitizeStyleAttribute, sanitizeStyleSheet, unescapeCss } from './css.js';

const HTML_TAGS = [
  ...sanitizeHtml.defaults.allowedTags,
  'img',
  'picture',
  'del',
  'ins',
  's',
  'strike',
  'tt',
  'big',
  'center',
  'font',
  'details',
  'summary',
  'input',
  'label',
  'progress',
  'meter',
  'button',
  'colgroup',
];

// SVG painting and structure, without scripting, animation (`<set>`/`<animate>` can write an
// href) or `<foreignObject>` (HTML parsed in another namespace is where sanitisers get fooled).
const SVG_TAGS = [
  'svg',
  'g',
  'defs',
  'symbol',
  'use',
  'title',
  'desc',
  'metadata',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'textpath',
  'image',
  'marker',
  'pattern',
  'mask',
  'clippath',
  'lineargradient',
  'radialgradient',
  'stop',
  'filter',
  'feblend',
  'fecolormatrix',
  'fecomponenttransfer',
  'fecomposite',
  'feconvolvematrix',
  'fediffuselighting',
  'fedisplacementmap',
  'fedistantlight',
  'fedropshadow',
  'feflood',
  'fefunca',
  'fefuncb',
  'fefuncg',
  'fefuncr',
  'fegaussianblur',
  'femerge',
  'femergenode',
  'femorphology',
  'feoffset',
  'fepointlight',
  'fespecularlighting',
  'fespotlight',
  'fetile',
  'feturbulence',
  'switch',
  'view',
];

// Presentation MathML (KaTeX and hand-written formulas); `annotation-xml` can hold HTML, so no.
const MATHML_TAGS = [
  'math',
  'semantics',
  'annotation',
  'mrow',
  'mi',
  'mn',
  'mo',
  'ms',
  'mtext',
  'mspace',
  'mfrac',
  'msqrt',
  'mroot',
  'mstyle',
  'merror',
  'mpadded',
  'mphantom',
  'menclose',
  'msub',
  'msup',
  'msubsup',
  'munder',
  'mover',
  'munderover',
  'mmultiscripts',
  'mprescripts',
  'none',
  'mtable',
  'mtr',
  'mtd',
  'mlabeledtr',
];

/** Attributes never kept, whatever the element: they run code, fetch, or navigate. */
const DENIED_ATTRIBUTE =
  /^(on.*|srcdoc|srcset|imagesrcset|formaction|action|ping|http-equiv|background|lowsrc|dynsrc|data|codebase|classid|archive|xmlns:xlink:.*|attributename)$/i;
/** Elements whose content goes with them (it is code, or another document). */
const DROPPED_WITH_CONTENT = [
  'script',
  'style',
  'textarea',
  'option',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'noscript',
  'noembed',
  'noframes',
  'template',
  'xmp',
  'head',
];
/** Schemes a link may use; `bb*` are the render's own placeholders. */
const LINK_SCHEMES = ['http', 'https', 'mailto', 'tel', 'ftp', 'bbref', 'bbasset', 'bbmissing', 'bbdead'];
/** Elements that load what they point at (an image), as opposed to links a reader follows. */
const LOADS = new Set(['img', 'image', 'use', 'feimage', 'input']);
const LOCAL_REF = /^(bbasset:|bbmissing:|#|data:image\/)/i;
const REMOTE_REF = /^https?:\/\//i;

/** Sanitiser options. */
export interface SanitizeOptions {
  /** Keep http(s) image sources (they are fetched by us, with limits, before any output). */
  readonly allowRemote?: boolean;
}

/** A chapter after sanitising. */
export interface SanitizedChapter {
  readonly html: string;
  readonly styles: string[];
}

type Removal = 'script' | 'handler' | 'url' | 'element' | 'attribute' | 'css' | 'remote' | 'id';

const CODES: Record<Removal, string> = {
  script: 'html/script-removed',
  handler: 'html/event-handler-removed',
  url: 'html/unsafe-url-removed',
  element: 'html/element-removed',
  attribute: 'html/attribute-removed',
  css: 'html/css-url-removed',
  remote: 'image/remote',
  id: 'html/duplicate-id',
};

/** Collects what was removed, to report once per page and kind with the first source line. */
class Removals {
  readonly #items = new Map<Removal, { what: Set<string>; needle: string }>();
  add(kind: Removal, what: string, needle: string): void {
    const entry = this.#items.get(kind) ?? { what: new Set<string>(), needle };
    entry.what.add(what.length > 60 ? `${what.slice(0, 57)}...` : what);
    this.#items.set(kind, entry);
  }
  /** Everything removed, in words. */
  list(): string[] {
    return [...this.#items.values()].flatMap((e) => [...e.what]);
  }
  report(page: Page, diags: Diagnostics): void {
    for (const [kind, { what, needle }] of this.#items) {
      const list = [...what].slice(0, 5).join(', ') + (what.size > 5 ? ', ...' : '');
      const message =
        kind === 'remote'
          ? `remote image ${list} is not included (use --allow-remote to fetch http(s) images)`
          : kind === 'id'
            ? `${list} is used more than once in the page; only the first keeps it`
            : `removed ${list} (content is untrusted: nothing in a page may run code or fetch from elsewhere)`;
      diags.warn(CODES[kind], message, page.source, sourceLine(page, needle));
    }
  }
}

/** The file line of the first place `needle` appears in the page body (or the body's start). */
export function sourceLine(page: Page, needle: string): number {
  const at = needle === '' ? -1 : page.body.toLowerCase().indexOf(needle.toLowerCase());
  if (at < 0) return page.bodyLine;
  let line = page.bodyLine;
  for (let i = page.body.indexOf('\n'); i !== -1 && i < at; i = page.body.indexOf('\n', i + 1)) line++;
  return line;
}

function cleanAttributes(
  tag: string,
  attribs: sanitizeHtml.Attributes,
  removals: Removals,
  options: SanitizeOptions,
  ids: Set<string>,
): sanitizeHtml.Attributes {
  const out: sanitizeHtml.Attributes = {};
  for (const [name, value] of Object.entries(attribs)) {
    if (/^on/i.test(name)) {
      removals.add('handler', `${name} on <${tag}>`, name);
      continue;
    }
    if (DENIED_ATTRIBUTE.test(name)) {
      removals.add('attribute', `${name} on <${tag}>`, name);
      continue;
    }
    if (name === 'id') {
      // An id twice in one chapter makes its EPUB document invalid; the first one keeps it.
      if (ids.has(value)) {
        removals.add('id', `id="${value}"`, `id="${value}"`);
        continue;
      }
      ids.add(value);
    }
    if (fetchingPaint(tag, name, value)) {
      removals.add('css', `${name}="${value.trim()}" on <${tag}>`, value.trim().slice(0, 20));
      continue;
    }
    if (name === 'style') {
      const css = sanitizeStyleAttribute(value);
      for (const r of css.removed) removals.add('css', r, 'url(');
      if (css.css !== '') out.style = css.css;
      continue;
    }
    const isRef = name === 'src' || name === 'href' || name === 'xlink:href';
    // In SVG only `<a>` links; a gradient's, pattern's or text path's href loads what it names,
    // and only a same-document `#id` may stay.
    if (isRef && SVG_SET.has(tag) && !LOADS.has(tag)) {
      if (value.trim().startsWith('#')) out[name] = value;
      else removals.add('url', `${name}="${value.trim()}" on <${tag}>`, value.trim());
      continue;
    }
    if (isRef && LOADS.has(tag)) {
      const ref = value.trim();
      if (REMOTE_REF.test(ref) && options.allowRemote) out[name] = ref;
      else if (REMOTE_REF.test(ref) || ref.startsWith('//')) {
        removals.add('remote', ref, ref);
        out[name] = `bbmissing:${ref}`;
      } else if (LOCAL_REF.test(ref)) out[name] = value;
      else if (ref !== '') removals.add('url', `${name}="${ref}" on <${tag}>`, ref);
      continue;
    }
    // Browsers ignore tabs, newlines and controls inside a scheme (`java\tscript:`).
    const scheme = value.replace(/[\u0000-\u0020]+/g, '');
    if (isRef && /^(javascript|vbscript|data|file|about|blob|filesystem):/i.test(scheme)) {
      removals.add('url', `${scheme.split(':')[0]}: URL on <${tag}>`, value.trim().slice(0, 4));
      continue;
    }
    out[name] = value;
  }
  // In an EPUB (XHTML) an <svg> or <math> without its namespace is an unknown HTML element.
  if (tag === 'svg' && out.xmlns === undefined) out.xmlns = 'http://www.w3.org/2000/svg';
  if (tag === 'math' && out.xmlns === undefined) out.xmlns = 'http://www.w3.org/1998/Math/MathML';
  return out;
}

const SVG_SET = new Set(SVG_TAGS);
/** Presentation attributes whose value may be `url(…)`, on any element. */
const PAINT_ATTRIBUTES = new Set([
  'fill',
  'stroke',
  'filter',
  'mask',
  'clip-path',
  'marker',
  'marker-start',
  'marker-mid',
  'marker-end',
  'cursor',
]);
const CSS_URL = /url\s*\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*))/gi;

/**
 * True when a presentation attribute (`fill="url(http://…)"`, any attribute of an SVG element
 * read as CSS) references anything but a same-document `url(#id)`: the renderer would fetch it.
 */
function fetchingPaint(tag: string, name: string, value: string): boolean {
  const lower = name.toLowerCase();
  if (lower === 'style' || !(PAINT_ATTRIBUTES.has(lower) || SVG_SET.has(tag))) return false;
  const plain = unescapeCss(value);
  if (!/url\s*\(/i.test(plain)) return false;
  for (const m of plain.matchAll(CSS_URL)) {
    const url = (m[1] ?? m[2] ?? m[3] ?? '').trim();
    if (!url.startsWith('#')) return true;
  }
  return false;
}

const MISSING_IMG = /<img\b([^<>]*?)\s*\/?>/g;
const ATTR = /([^\s=]+)="([^"]*)"/g;

/**
 * An image that could not be found becomes a visible box with its alt text, in every output
 * (a reader sees what is missing, and the text stays searchable). The sanitiser's output quotes
 * every attribute, so it can be read back with a simple pattern.
 */
export function missingImagePlaceholders(html: string): string {
  return html.replace(MISSING_IMG, (all, attrs: string) => {
    if (!attrs.includes('src="bbmissing:')) return all;
    const a = Object.fromEntries([...attrs.matchAll(ATTR)].map((m) => [m[1]!, m[2]!]));
    const alt = a.alt ?? '';
    const where = (a.src ?? '').slice('bbmissing:'.length);
    return (
      `<span class="missing-image" role="img" aria-label="${alt}" data-missing="${where}">` +
      `[image not found${alt ? `: ${alt}` : ''}]</span>`
    );
  });
}

/** Hosts whose embedded frames are videos. */
const VIDEO_HOSTS =
  /(^|\.)(youtube(-nocookie)?\.com|youtu\.be|vimeo\.com|dailymotion\.com|twitch\.tv|loom\.com|wistia\.(com|net)|ted\.com)$/i;

/** The address a reader can open for an embedded frame: a video's own page rather than its player. */
export function embedAddress(src: string): string {
  const url = src.startsWith('//') ? `https:${src}` : src;
  const yt = /^https?:\/\/(?:www\.)?youtube(?:-nocookie)?\.com\/embed\/([\w-]+)/i.exec(url);
  if (yt) return `https://www.youtube.com/watch?v=${yt[1]}`;
  const vimeo = /^https?:\/\/player\.vimeo\.com\/video\/(\d+)/i.exec(url);
  if (vimeo) return `https://vimeo.com/${vimeo[1]}`;
  return url;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return '';
  }
}

/**
 * What stands for an `<iframe>` (a video, a game, a map), which cannot play on paper or safely
 * in an e-book: a short note naming it, with its address, instead of a hole in the page.
 */
function embedNote(attribs: sanitizeHtml.Attributes): {
  tagName: string;
  attribs: sanitizeHtml.Attributes;
  text: string;
} {
  const src = (attribs.src ?? '').trim();
  const remote = /^(https?:)?\/\//i.test(src);
  const address = remote ? embedAddress(src) : '';
  const host = remote ? hostOf(address) : '';
  const kind = VIDEO_HOSTS.test(host) ? 'Video' : 'Embedded content';
  const title = (attribs.title ?? attribs['aria-label'] ?? attribs.name ?? '').trim().replace(/\s+/g, ' ');
  const named = title !== '' ? `${kind}: ${title}` : host !== '' ? `${kind} from ${host}` : kind;
  const text = address !== '' ? `${named} — ${address}` : `${named} (not included)`;
  return address !== ''
    ? { tagName: 'a', attribs: { href: address, class: 'bb-embed' }, text }
    : { tagName: 'span', attribs: { class: 'bb-embed' }, text };
}

/** Sanitises one rendered chapter (its HTML and its hoisted `<style>` blocks). */
export function sanitizeChapter(
  page: Page,
  html: string,
  styles: readonly string[],
  diags: Diagnostics,
  options: SanitizeOptions = {},
): SanitizedChapter {
  const removals = new Removals();
  const ids = new Set<string>();
  const allowed = new Set([...HTML_TAGS, ...SVG_TAGS, ...MATHML_TAGS]);
  // `allowedEmptyAttributes` exists since sanitize-html 2.12; its types lag behind.
  const config: sanitizeHtml.IOptions & { allowedEmptyAttributes: string[] } = {
    allowedTags: [...allowed],
    allowedAttributes: false,
    allowedSchemes: LINK_SCHEMES,
    allowedSchemesByTag: {},
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'xlink:href', 'poster'],
    allowProtocolRelative: true,
    allowedEmptyAttributes: ['alt', 'value', 'checked', 'disabled', 'open', 'class'],
    parseStyleAttributes: false,
    disallowedTagsMode: 'discard',
    nonTextTags: DROPPED_WITH_CONTENT,
    allowVulnerableTags: false,
    transformTags: {
      // Runs before '*' (which then cleans the note's attributes); only a tag's own transform may
      // replace its text.
      iframe: (tagName, attribs) => {
        removals.add('element', '<iframe>', `<${tagName}`);
        return embedNote(attribs);
      },
      '*': (tagName, attribs) => {
        const tag = tagName.toLowerCase();
        if (!allowed.has(tag)) {
          const kind = tag === 'script' ? 'script' : 'element';
          removals.add(kind, `<${tag}>`, `<${tagName}`);
          return { tagName: tag, attribs: {} };
        }
        if (tag === 'input' && attribs.type !== 'checkbox') return { tagName: 'span', attribs: {} };

        return { tagName: tag, attribs: cleanAttributes(tag, attribs, removals, options, ids) };
      },
    },
  };
  // An iframe's fallback markup is left as empty tags inside its note (its text is replaced).
  const clean = missingImagePlaceholders(sanitizeHtml(html, config)).replace(
    /(<(a|span) [^>]*class="bb-embed"[^>]*>[^<]*)(?:<[^>]*>)+(<\/\2>)/g,
    '$1$3',
  );
  const cleanStyles = styles.map((s) => {
    const r = sanitizeStyleSheet(s);
    for (const what of r.removed) removals.add('css', what, what.slice(0, 20));
    return r.css;
  });
  removals.report(page, diags);
  return { html: clean, styles: cleanStyles };
}

/** An SVG file after sanitising, and what was removed from it. */
export interface SanitizedSvg {
  readonly svg: string;
  readonly removed: readonly string[];
}

/**
 * Sanitises an SVG image file with the rules of inline SVG, before any output ships it (an
 * image in the HTML book, the EPUB or Chromium's page): elements outside the SVG allowlist go
 * with their content (`<script>`, `<foreignObject>`, `<style>` and its `@import`), and so do
 * event handlers and every reference to anything but the file itself (`href`, `url(…)`).
 */
export function sanitizeSvgFile(text: string): SanitizedSvg {
  const removals = new Removals();
  const removed: string[] = [];
  const config: sanitizeHtml.IOptions = {
    allowedTags: false,
    allowedAttributes: false,
    allowedSchemes: [],
    allowedSchemesAppliedToAttributes: [],
    parser: { xmlMode: true },
    disallowedTagsMode: 'discard',
    // The exclusive filter below drops them, content and all.
    allowVulnerableTags: true,
    exclusiveFilter: (frame) => {
      if (SVG_SET.has(frame.tag.toLowerCase())) return false;
      removed.push(`<${frame.tag}>`);
      return true;
    },
    transformTags: {
      // Runs before '*' (which then cleans the note's attributes); only a tag's own transform may
      // replace its text.
      iframe: (tagName, attribs) => {
        removals.add('element', '<iframe>', `<${tagName}`);
        return embedNote(attribs);
      },
      '*': (tagName, attribs) => {
        const tag = tagName.toLowerCase();
        if (!SVG_SET.has(tag)) return { tagName, attribs: {} };
        const clean = cleanAttributes(tag, attribs, removals, {}, new Set());
        // A file has no book around it: a reference it cannot keep is dropped, not a placeholder.
        for (const [k, v] of Object.entries(clean)) if (/^(bbmissing|bbasset):/.test(v)) delete clean[k];
        return { tagName, attribs: clean };
      },
    },
  };
  const out = sanitizeHtml(text, config);
  // The prolog (declaration, DOCTYPE and its entities) is dropped; only the root element stays.
  const start = out.search(/<svg[\s>]/);
  const end = out.lastIndexOf('</svg>');
  const svg = start === -1 || end < start ? '' : out.slice(start, end + '</svg>'.length);
  return { svg: `${svg}\n`, removed: [...removed, ...removals.list()] };
}
