/**
 * kramdown extensions: `{::comment}…{:/comment}` (dropped), `{::nomarkdown}…{:/}` (passed through
 * as raw HTML, blank lines and all) and `{::options … /}` (parser switches, meaningless here).
 */
import type { MarkdownIt, StateBlock, StateCore } from 'markdown-it';
import { warnAt } from './env.js';

const KNOWN = new Set(['comment', 'nomarkdown', 'options']);
const START = /^\{::(\w+)((?:[^}"']|"[^"]*"|'[^']*')*?)(\/)?\}/;
/** Span extensions inside a paragraph. */
const SPAN =
  /\{::(comment|nomarkdown|options)\b(?:[^}"']|"[^"]*"|'[^']*')*?(?:\/\}|\}([\s\S]*?)\{:\/(?:\1)?\})/g;

/** A code span, captured whole so `split` keeps it. */
const CODE_SPAN = /((`+)[\s\S]*?[^`]\2(?!`))/;

/** Registers the block rule and the span clean-up. */
export function extensionsPlugin(md: MarkdownIt): void {
  md.block.ruler.before('html_block', 'kramdown_extensions', extensionBlock, {
    alt: ['paragraph', 'reference', 'blockquote', 'list'],
  });
  md.core.ruler.after('block', 'kramdown_span_extensions', spanExtensions);
}

function extensionBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  const from = state.bMarks[startLine]! + state.tShift[startLine]!;
  if (state.src.charCodeAt(from) !== 0x7b /* { */) return false;
  const m = START.exec(state.src.slice(from, state.eMarks[startLine]));
  if (!m) return false;
  const name = m[1]!;
  let line = startLine;
  let content = '';
  if (m[3] === undefined) {
    // Look for the end tag `{:/name}` or `{:/}` on this or a later line.
    const rest = state.src.slice(from + m[0].length, state.eMarks[endLine - 1] ?? state.src.length);
    const end = new RegExp(`\\{:/(?:${name})?\\}`).exec(rest);
    if (!end) {
      // kramdown's words: the tag is kept as text, with a warning.
      if (!silent && KNOWN.has(name))
        warnAt(
          state.env,
          'kramdown/unclosed-extension',
          `no stop tag {:/${name}} for the extension {::${name}}; it is kept as text, as kramdown keeps it`,
          startLine,
        );
      return false;
    }
    content = rest.slice(0, end.index);
    const endPos = from + m[0].length + end.index + end[0].length;
    while (line < endLine - 1 && state.eMarks[line]! < endPos) line++;
    if (state.src.slice(endPos, state.eMarks[line]).trim() !== '') return false;
  } else if (state.src.slice(from + m[0].length, state.eMarks[startLine]).trim() !== '') {
    return false;
  }
  if (silent) return true;
  if (name === 'nomarkdown') {
    const t = state.push('html_block', '', 0);
    t.content = content.replace(/^\n/, '').replace(/\n?$/, '\n');
    t.map = [startLine, line + 1];
  } else if (!KNOWN.has(name)) {
    warnAt(
      state.env,
      'kramdown/unknown-extension',
      `kramdown extension {::${name}} is not known; it is left out`,
      startLine,
    );
  }
  state.line = line + 1;
  return true;
}

function spanExtensions(state: StateCore): void {
  for (const t of state.tokens) {
    if (t.type !== 'inline' || !t.content.includes('{::')) continue;
    // Code spans show extensions as written, so only the text between them is rewritten.
    // split() yields text, code span, its backtick run, text, …
    const parts = t.content.split(CODE_SPAN);
    let out = '';
    for (let k = 0; k < parts.length; k += 3) {
      out += (parts[k] ?? '').replace(SPAN, (_all, name: string, inner?: string) =>
        name === 'nomarkdown' ? (inner ?? '') : '',
      );
      out += parts[k + 1] ?? '';
    }
    t.content = out;
  }
}
