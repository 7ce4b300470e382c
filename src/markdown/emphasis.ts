/**
 * kramdown's emphasis rules (`kramdown/parser/kramdown/emphasis.rb`) in markdown-it's delimiter
 * scan: a `*` or `_` run opens unless a space follows, and closes unless a space precedes it;
 * punctuation around it does not matter (`*Offenders,*14(4)` is emphasis, where CommonMark's
 * flanking rules leave the stars as text). `_` stays out of words as in kramdown: it does not
 * open after a letter (`snake_case`), nor close before a letter or digit.
 */
import type { MarkdownIt, StateInline } from 'markdown-it';

const STAR = 0x2a;
const UNDERSCORE = 0x5f;
const SPACE = /\s/u;
/** kramdown: `_` does not open after a word (`[[:alpha:]]-?[[:alpha:]]*\z`): a letter, or letter and `-`. */
const WORD_BEFORE = /\p{L}-?$/u;
const ALNUM = /[\p{L}\p{N}]/u;

/** Replaces the scan of markdown-it's emphasis rule; its pairing stays as it is. */
export function kramdownEmphasisPlugin(md: MarkdownIt): void {
  md.inline.ruler.at('emphasis', kramdownEmphasis);
}

function kramdownEmphasis(state: StateInline, silent: boolean): boolean {
  const start = state.pos;
  const marker = state.src.charCodeAt(start);
  if (silent || (marker !== STAR && marker !== UNDERSCORE)) return false;
  let end = start;
  while (end < state.posMax && state.src.charCodeAt(end) === marker) end++;
  const before = state.src.slice(0, start);
  const prev = before.slice(-1);
  const next = end < state.posMax ? state.src.slice(end, end + 1) : ' ';
  let open = !SPACE.test(next);
  let close = start > 0 && !SPACE.test(prev);
  if (marker === UNDERSCORE) {
    open &&= !WORD_BEFORE.test(before.slice(-4));
    close &&= !ALNUM.test(next);
  }
  for (let i = start; i < end; i++) {
    const token = state.push('text', '', 0);
    token.content = String.fromCharCode(marker);
    state.delimiters.push({
      marker,
      length: end - start,
      token: state.tokens.length - 1,
      end: -1,
      open,
      close,
    });
  }
  state.pos = end;
  return true;
}
