/**
 * Makes page CSS inert: the hoisted `<style>` blocks and `style` attributes a page wrote may
 * only reference `data:` URLs and in-document fragments. `@import`, `url()` and `image-set()`
 * to anything else, and the old script hooks (`expression()`, `behavior`, `-moz-binding`) are
 * removed, so neither the PDF renderer nor a reader's browser fetches anything for them.
 */
import postcss, { type ChildNode, type Root } from 'postcss';

/** What was removed from one piece of CSS. */
export interface CssReport {
  /** The references and constructs that were removed, as written (shortened). */
  readonly removed: string[];
}

/** Cleaned CSS and what was removed from it (shared between callers: read, do not change). */
export type Cleaned = Readonly<{ css: string } & CssReport>;

// Sites repeat the same `<style>` block and `style` attributes on every page: each distinct
// text is parsed once per process (callers only read the results; the caches are bounded).
const sheets = new Map<string, Cleaned>();
const attributes = new Map<string, Cleaned>();
const REMEMBERED = 2_000;

function remembered(cache: Map<string, Cleaned>, text: string, clean: (text: string) => Cleaned): Cleaned {
  let r = cache.get(text);
  if (r === undefined) {
    r = clean(text);
    if (cache.size >= REMEMBERED) cache.clear();
    cache.set(text, r);
  }
  return r;
}

const SCRIPT_HOOKS = /expression\s*\(|javascript:|vbscript:|-moz-binding|\bbehavior\s*:/i;
const URL_FN = /\b(?:url|image-set|image|src|cross-fade|element)\s*\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))/gi;

/** Resolves CSS escapes (`\75 rl(` is `url(`), so the checks see what a browser would. */
export function unescapeCss(s: string): string {
  return s
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\\([0-9a-fA-F]{1,6})\s?/g, (_, hex: string) => {
      const code = Number.parseInt(hex, 16);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
    })
    .replace(/\\(.)/g, '$1');
}

/**
 * True when a URL written in CSS stays inside the document: a fragment, or inline data (CSS
 * loads it as an image or a font, which neither runs scripts nor fetches anything).
 */
function inertUrl(url: string): boolean {
  const u = url.trim();
  return u === '' || u.startsWith('#') || /^data:/i.test(u);
}

/** The unsafe part of one declaration value or at-rule prelude, or undefined when it is safe. */
function unsafePart(value: string): string | undefined {
  const plain = unescapeCss(value);
  if (SCRIPT_HOOKS.test(plain)) return plain;
  for (const m of plain.matchAll(URL_FN)) {
    const url = m[1] ?? m[2] ?? m[3] ?? '';
    if (!inertUrl(url)) return m[0];
  }
  // A bare string after @import or in image-set() is a URL too; any remaining `url` is unclear.
  return /\burl\s*\(/i.test(plain.replace(URL_FN, '')) ? plain : undefined;
}

function clean(root: Root, removed: string[]): void {
  root.walk((node: ChildNode) => {
    if (node.type === 'atrule') {
      const name = unescapeCss(node.name).toLowerCase();
      if (name === 'import' || name === 'namespace' || name === 'document' || name === '-moz-document') {
        removed.push(`@${name} ${node.params}`);
        node.remove();
        return;
      }
      const bad = unsafePart(node.params);
      if (bad !== undefined) {
        removed.push(bad);
        node.remove();
      }
    } else if (node.type === 'decl') {
      const prop = unescapeCss(node.prop).toLowerCase();
      const bad = prop === 'behavior' || prop === '-moz-binding' ? prop : unsafePart(node.value);
      if (bad !== undefined) {
        removed.push(bad);
        node.remove();
      }
    } else if (node.type === 'rule') {
      const bad = SCRIPT_HOOKS.test(unescapeCss(node.selector)) ? node.selector : undefined;
      if (bad !== undefined) {
        removed.push(bad);
        node.remove();
      }
    }
  });
}

function short(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 80 ? `${one.slice(0, 77)}...` : one;
}

/** Cleans a style sheet (a hoisted `<style>` block). Unparseable CSS is dropped whole. */
export function sanitizeStyleSheet(css: string): Cleaned {
  return remembered(sheets, css, cleanSheet);
}

function cleanSheet(css: string): { css: string } & CssReport {
  const removed: string[] = [];
  let root: Root;
  try {
    root = postcss.parse(css);
  } catch {
    return { css: '', removed: ['the whole style block (it is not valid CSS)'] };
  }
  clean(root, removed);
  const out = root.toString();
  // A style element ends at the first `</style`; never let a sheet close it early.
  return { css: out.replace(/<\/(style)/gi, '<\\/$1'), removed: removed.map(short) };
}

/** Cleans a `style` attribute's declarations. */
export function sanitizeStyleAttribute(style: string): Cleaned {
  return remembered(attributes, style, cleanAttribute);
}

function cleanAttribute(style: string): { css: string } & CssReport {
  const removed: string[] = [];
  let root: Root;
  try {
    root = postcss.parse(`x{${style}}`);
  } catch {
    return { css: '', removed: [short(style)] };
  }
  clean(root, removed);
  const rule = root.first;
  const css =
    rule && rule.type === 'rule'
      ? rule.nodes
          .filter((n) => n.type === 'decl')
          .map((n) => n.toString())
          .join('; ')
      : '';
  return { css, removed: removed.map(short) };
}
