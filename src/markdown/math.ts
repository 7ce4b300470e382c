/**
 * kramdown math: `$$…$$` inside a paragraph is inline math, a paragraph that is only `$$…$$`
 * (in a list item or a quote too) is display math; kramdown has no single-dollar math. KaTeX renders both at build time to MathML, which Chromium and EPUB 3 readers
 * show without any script.
 */
import type * as Katex from 'katex';
import type { MarkdownIt, StateBlock, StateInline, Token } from 'markdown-it';
import { createRequire } from 'node:module';
import { warnAt } from './env.js';

/** Environment fields this plugin keeps: `\newcommand`s carry over within one page. */
interface MathEnv {
  mathMacros?: NonNullable<Katex.KatexOptions['macros']>;
}

// KaTeX is half a megabyte of code: loaded at the first formula, so books without math skip it.
const require = createRequire(import.meta.url);
let loaded: typeof Katex | undefined;
function katex(): typeof Katex {
  loaded ??= require('katex') as typeof Katex;
  return loaded;
}

/** Registers the inline and block `$$` rules and their renderers. */
export function mathPlugin(md: MarkdownIt): void {
  md.inline.ruler.before('escape', 'kramdown_math_inline', mathInline);
  md.inline.ruler.before('escape', 'mathjax_environment', mathEnvironment);
  // Not in `alt: ['paragraph']`: in kramdown a `$$` line inside a paragraph is inline math.
  md.block.ruler.before('fence', 'kramdown_math_block', mathBlock, {
    alt: ['reference', 'blockquote', 'list'],
  });
  md.core.ruler.after('inline', 'kramdown_math_lines', (state) => {
    for (const block of state.tokens) {
      for (const t of block.children ?? [])
        if (t.type === 'math_inline' || t.type === 'math_environment') t.meta = { line: block.map?.[0] ?? 0 };
    }
  });
  md.renderer.rules.math_inline = (tokens, i, _o, env) => renderMath(tokens[i]!, false, env);
  md.renderer.rules.math_environment = (tokens, i, _o, env) =>
    `<span class="math-display">${renderMath(tokens[i]!, true, env)}</span>`;
  md.renderer.rules.math_block = (tokens, i, _o, env, self) => {
    // A block IAL after the formula (`{: .cls}`) lands on its box, as kramdown's `<div>`.
    const t = tokens[i]!;
    const cls = t.attrGet('class');
    t.attrSet('class', cls ? `math-display ${cls}` : 'math-display');
    return `<div${self.renderAttrs(t)}>${renderMath(t, true, env)}</div>\n`;
  };
}

function mathInline(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  if (!src.startsWith('$$', start)) return false;
  if (start > 0 && src[start - 1] === '\\') return false;
  let end = start + 2;
  for (;;) {
    end = src.indexOf('$$', end);
    if (end === -1) return false;
    if (src[end - 1] !== '\\') break;
    end += 2;
  }
  const tex = src.slice(start + 2, end);
  // `$$$$` is empty math (kramdown writes an empty formula): its dollars must not open the next one.
  if (!silent) {
    const t = state.push('math_inline', 'math', 0);
    t.content = tex;
    t.markup = '$$';
  }
  state.pos = end + 2;
  return true;
}

/**
 * The AMS environments MathJax typesets wherever it finds them in the text (its
 * `processEnvironments`, on by default) and KaTeX can read: `\begin{align}…\end{align}` written
 * in a paragraph without `$$` is a displayed formula on the live site.
 */
const ENVIRONMENT = /^\\begin\{(equation|align|alignat|gather)(\*?)\}/;

function mathEnvironment(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  if (src.charCodeAt(start) !== 0x5c /* \ */ || (start > 0 && src[start - 1] === '\\')) return false;
  const open = ENVIRONMENT.exec(src.slice(start, start + 24));
  if (!open) return false;
  const endTag = `\\end{${open[1]}${open[2]}}`;
  const end = src.indexOf(endTag, start + open[0].length);
  if (end === -1) return false;
  if (!silent) {
    const t = state.push('math_environment', 'math', 0);
    t.content = src.slice(start, end + endTag.length);
    t.markup = '\\begin';
  }
  state.pos = end + endTag.length;
  return true;
}

/**
 * kramdown's block math: `$$` opens at a block boundary (the start of the page or of a container,
 * or after a blank line), the content runs to the next `$$` (across blank lines too), and the
 * closing line ends there and is followed by a blank line, the end of the container or an IAL.
 * Anything else is a paragraph, whose `$$…$$` are inline math: a paragraph is never interrupted.
 */
function mathBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  // Every line start of the book comes here: most are turned away without slicing the line.
  const open = state.bMarks[startLine]! + state.tShift[startLine]!;
  if (state.src.charCodeAt(open) !== 0x24 /* $ */ || state.src.charCodeAt(open + 1) !== 0x24) return false;
  if (!afterBoundary(state, startLine)) return false;
  const lineText = (n: number) => state.src.slice(state.bMarks[n]! + state.tShift[n]!, state.eMarks[n]);
  const lines: string[] = [];
  let last = -1;
  for (let n = startLine; n < endLine; n++) {
    const text = lineText(n);
    if (n > startLine && text.trim() !== '' && state.sCount[n]! < state.blkIndent) return false;
    const close = text.indexOf('$$', n === startLine ? 2 : 0);
    if (close === -1) {
      lines.push(text);
      continue;
    }
    if (text.slice(close + 2).trim() !== '') return false;
    lines.push(text.slice(0, close));
    last = n;
    break;
  }
  if (last === -1 || !beforeBoundary(state, last + 1, endLine)) return false;
  if (silent) return true;
  const t = state.push('math_block', 'math', 0);
  t.block = true;
  t.content = lines.join('\n').slice(2).trim();
  t.markup = '$$';
  t.map = [startLine, last + 1];
  state.line = last + 1;
  return true;
}

/** kramdown's `after_block_boundary?`: the first block of its container, or after a blank line. */
function afterBoundary(state: StateBlock, line: number): boolean {
  const prev = state.tokens[state.tokens.length - 1];
  return !prev || prev.nesting === 1 || line === 0 || state.isEmpty(line - 1);
}

/** kramdown's `before_block_boundary?`: a blank line, the end of the container, or an IAL. */
function beforeBoundary(state: StateBlock, line: number, endLine: number): boolean {
  if (line >= endLine || state.isEmpty(line)) return true;
  if (state.sCount[line]! < state.blkIndent) return true;
  return state.src.startsWith('{:', state.bMarks[line]! + state.tShift[line]!);
}

function renderMath(token: Token, display: boolean, env: unknown): string {
  const e = (env ?? {}) as MathEnv;
  e.mathMacros ??= {};
  try {
    return fixTokenElements(
      katex().renderToString(token.content, {
        displayMode: display,
        output: 'mathml',
        throwOnError: true,
        strict: 'ignore',
        trust: false,
        macros: e.mathMacros,
        globalGroup: true,
      }),
    );
  } catch (err) {
    if (!(err instanceof katex().ParseError)) throw err;
    const line = token.map?.[0] ?? (token.meta as { line?: number } | null)?.line ?? 0;
    warnAt(env, 'math/invalid', `math that KaTeX cannot read is shown as TeX: ${err.message}`, line);
    const tag = display ? 'pre' : 'code';
    return `<${tag} class="math-error">${escape(token.content)}</${tag}>`;
  }
}

const TOKEN_ELEMENTS = new Set(['mi', 'mn', 'mo', 'mtext', 'ms']);

/**
 * MathML token elements (`mi`, `mo`, …) hold text only, but KaTeX sometimes wraps markup in one
 * (`\underset{y}{\text{argmax}}` gives `<mi><munder>…`), which EPUB validators reject: such an
 * element becomes an `mrow`, which renders the same.
 */
export function fixTokenElements(mathml: string): string {
  const parts = mathml.split(/(<\/?[A-Za-z][\w:-]*[^>]*>)/);
  const stack: { name: string; index: number }[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const m = /^<(\/?)([A-Za-z][\w:-]*)([^>]*?)(\/?)>$/.exec(part);
    if (!m) continue;
    const [, closing, name, , selfClosing] = m;
    const parent = stack[stack.length - 1];
    if (!closing && parent && TOKEN_ELEMENTS.has(parent.name) && name !== 'mglyph' && name !== 'malignmark') {
      parts[parent.index] = parts[parent.index]!.replace(`<${parent.name}`, '<mrow');
      parent.name = 'mrow';
    }
    if (closing) {
      const open = stack.pop();
      if (open) parts[i] = `</${open.name}>`;
    } else if (!selfClosing) stack.push({ name: name!, index: i });
  }
  return parts.join('');
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
