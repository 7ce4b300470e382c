/**
 * Formulas on paper: KaTeX's own HTML layout in KaTeX's fonts, set again from the TeX each
 * MathML formula keeps in its annotation. Chromium's MathML falls short of LaTeX in print: it
 * centres each line of an `aligned` derivation instead of aligning it on its `=`, raises primes
 * away from their letter, puts the limits of an inline `\sum` underneath, and never breaks an
 * inline formula, so the lines next to one are stretched. KaTeX's HTML sets all of these as TeX
 * does and breaks inline formulas after relations and operators. The book's model keeps MathML
 * (the EPUB's math); only the print page (and the HTML book) is set this way.
 */
import type * as Katex from 'katex';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { KATEX_FONT_PATH, katexDist, katexFonts } from '../../fonts/katex.js';

const require = createRequire(import.meta.url);
let loaded: typeof Katex | undefined;
function katex(): typeof Katex {
  loaded ??= require('katex') as typeof Katex;
  return loaded;
}

// KaTeX's MathML comes in its `<span class="katex">`, which the HTML replaces with its own.
// The text right after it (a comma, a closing parenthesis) stays on its line: see `NOBR`.
const MATH = /(<span class="katex">)?<math\b([^>]*)>([\s\S]*?)<\/math>(<\/span>)?([^\s<]*)/g;
const TEX = /<annotation\b[^>]*\bencoding="application\/x-tex"[^>]*>([\s\S]*?)<\/annotation>/;

/**
 * An inline formula with the text that follows it (a comma, a closing parenthesis) kept on its
 * line. Chromium breaks a line after any of KaTeX's boxes (inline-blocks), whatever follows, and
 * the `white-space` that stops it is the box's parent's: the text joins the formula's last box in
 * one unbreakable span, set in the book's font again.
 */
function withText(set: string, text: string): string {
  const last = set.lastIndexOf('<span class="base">');
  const end = '</span></span>';
  if (last === -1 || !set.endsWith(end)) return set + text;
  const base = set.slice(last, set.length - end.length);
  return `${set.slice(0, last)}<span class="bb-math-nobr">${base}<span class="bb-math-text">${text}</span></span>${end}`;
}

/** The part of KaTeX's HTML tree this module reads: a box with classes and children. */
interface TreeNode {
  classes: string[];
  children: TreeNode[];
  toMarkup(): string;
}

/** KaTeX's HTML tree builder (exported by KaTeX, outside its typed API). */
type TreeBuilder = (tex: string, options: Katex.KatexOptions) => TreeNode;

/**
 * TeX never breaks a line between two relations (`A \perp\!\!\!\perp B`, `a := b`); KaTeX's HTML
 * starts a new box (a break opportunity) after every relation, whatever follows, and the first
 * relation is then left at a line end with the negative space after it, in the margin. Each box
 * that ends with a relation (and its spacing) is joined to the next when that one opens with a
 * relation.
 */
export function joinRelations(tree: TreeNode): TreeNode {
  if (tree.classes.includes('katex-html')) {
    const first = (b: TreeNode): TreeNode | undefined =>
      b.children.find((c) => !c.classes.includes('strut') && !c.classes.includes('mspace'));
    const last = (b: TreeNode): TreeNode | undefined =>
      b.children.findLast((c) => !c.classes.includes('mspace'));
    const out: TreeNode[] = [];
    for (const child of tree.children) {
      const before = out.at(-1);
      if (
        before?.classes.includes('base') &&
        child.classes.includes('base') &&
        last(before)?.classes.includes('mrel') &&
        first(child)?.classes.includes('mrel')
      ) {
        before.children.push(...child.children);
        continue;
      }
      out.push(child);
    }
    tree.children = out;
    return tree;
  }
  for (const child of tree.children ?? []) joinRelations(child);
  return tree;
}

/**
 * The formulas of one chapter's HTML set as KaTeX HTML. Each `<math>` with a TeX annotation is
 * rendered again, in order and with one macro table, so that a `\newcommand` of an earlier
 * formula of the chapter applies as it did when the MathML was made. A formula without TeX (raw
 * MathML written in the page) stays MathML.
 */
export function katexHtml(html: string): string {
  if (!html.includes('<math')) return html;
  const macros: NonNullable<Katex.KatexOptions['macros']> = {};
  return html.replace(
    MATH,
    (all, open?: string, attrs: string = '', inner: string = '', close?: string, text: string = '') => {
      const tex = TEX.exec(inner)?.[1];
      if (tex === undefined) return all;
      // A closing tag that is not the wrapper's belongs to the text after the formula.
      const after = close !== undefined && open === undefined ? close : '';
      const display = /\bdisplay="block"/.test(attrs);
      try {
        const build = (katex() as unknown as { __renderToHTMLTree: TreeBuilder }).__renderToHTMLTree;
        const tree = build(unescapeXml(tex), {
          displayMode: display,
          output: 'html',
          throwOnError: true,
          strict: 'ignore',
          trust: false,
          macros,
          globalGroup: true,
        });
        const set = joinRelations(tree).toMarkup() + after;
        return display || after !== '' || text === '' ? set + text : withText(set, text);
      } catch {
        // It was read once already (the MathML came from it); whatever fails here keeps its MathML.
        return all;
      }
    },
  );
}

function unescapeXml(s: string): string {
  return s.replace(/&(?:#(\d+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));/g, (_, dec, hex, name) => {
    if (dec !== undefined) return String.fromCodePoint(Number(dec));
    if (hex !== undefined) return String.fromCodePoint(Number.parseInt(hex as string, 16));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[name as 'amp'];
  });
}

/**
 * How bookbinder sets KaTeX's output on the page. A display formula's box does not scroll (on
 * paper that only cuts it); one too wide is scaled down before printing (see `layout.ts`).
 */
const OWN_CSS = `
.math-display { overflow: visible; }
.math-display > .katex-display { margin: 0; }
.katex-display > .katex > .katex-html { white-space: nowrap; }
.bb-math-nobr { white-space: nowrap; }
.katex .bb-math-text { font-family: var(--bb-font); font-size: calc(1em / 1.21); }
`;

let css: string | undefined;

/**
 * KaTeX's stylesheet for the print page: its fonts from the sandbox (WOFF2 only), and the book's
 * text fonts, never the machine's, for characters KaTeX's fonts do not have (`\text{日本}`).
 */
export function katexCss(): string {
  css ??=
    readFileSync(join(katexDist(), 'katex.css'), 'utf8')
      .replace(
        /src:\s*url\(fonts\/(KaTeX_[\w-]+\.woff2)\)[^;}]*/g,
        `src: url(${KATEX_FONT_PATH}$1) format("woff2")`,
      )
      .replace(
        /(font(?:-family)?:[^;}"]*?KaTeX_\w+)(?:,\s*Times New Roman,\s*serif)?(\s*[;}])/g,
        '$1, var(--bb-font)$2',
      ) + OWN_CSS;
  return css;
}

/**
 * What a document with KaTeX formulas needs in its head: the stylesheet, and its fonts preloaded
 * (the print page skips its screen layout, which would have fetched them); nothing otherwise.
 */
export function katexHead(html: string): string {
  if (!html.includes('class="katex')) return '';
  const preloads = katexFonts()
    .map((f) => `<link rel="preload" href="${KATEX_FONT_PATH}${f}" as="font" type="font/woff2" crossorigin>`)
    .join('');
  return `<style>${katexCss()}</style>${preloads}`;
}
