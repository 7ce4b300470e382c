/**
 * An HTML comment that is never closed keeps its text, as kramdown keeps it: markdown-it (and
 * a browser) would read everything after a lone `<!--` as the comment, silently dropping the
 * rest of the page. The opening line becomes plain text, with a warning at its line.
 */
import type { MarkdownIt, StateBlock } from 'markdown-it';
import { warnAt } from './env.js';

/** Registers the rule, ahead of markdown-it's raw HTML blocks. */
export function unclosedCommentPlugin(md: MarkdownIt): void {
  md.block.ruler.before('html_block', 'unclosed_comment', unclosedComment, {
    alt: ['paragraph', 'reference', 'blockquote'],
  });
}

function unclosedComment(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  const from = state.bMarks[startLine]! + state.tShift[startLine]!;
  if (!state.src.startsWith('<!--', from)) return false;
  const end = state.eMarks[endLine - 1] ?? state.src.length;
  const close = state.src.indexOf('-->', from + 4);
  if (close !== -1 && close < end) return false;
  // A paragraph interrupted here would swallow the line as its text anyway.
  if (silent) return false;
  warnAt(
    state.env,
    'markdown/unclosed-comment',
    '`<!--` opens an HTML comment that is never closed; it is kept as text, as kramdown keeps it',
    startLine,
  );
  let line = startLine + 1;
  while (line < endLine && !state.isEmpty(line) && state.sCount[line]! - state.blkIndent < 4) line++;
  const text = state.getLines(startLine, line, state.blkIndent, false).trim();
  state.push('paragraph_open', 'p', 1).map = [startLine, line];
  const inline = state.push('inline', '', 0);
  // `&lt;` is read back as `<` in text, and can no longer open a comment or a tag.
  inline.content = `&lt;${text.slice(1)}`;
  inline.map = [startLine, line];
  inline.children = [];
  state.push('paragraph_close', 'p', -1);
  state.line = line;
  return true;
}
