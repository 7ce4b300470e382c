/**
 * kramdown definition lists may give several terms to one definition (a term per line);
 * markdown-it-deflist takes one, so the extra terms are added to the list it builds.
 */
import type { MarkdownIt, StateBlock } from 'markdown-it';

type BlockRule = (state: StateBlock, startLine: number, endLine: number, silent: boolean) => boolean;

const NOT_A_TERM = /^(?:#|>|[-*+][ \t]|\d+[.)][ \t]|```|~~~|<|\||:[ \t]|\{:)/;

/** The last run of term-like lines found in a block state, and under which conditions. */
interface Run {
  readonly from: number;
  readonly last: number;
  readonly endLine: number;
  readonly blkIndent: number;
  readonly parentType: string;
}

/**
 * Runs already scanned, per block state. Lines each taken by a rule of their own (footnote
 * definitions, `***` between one-line paragraphs) start the scan at every line; without this,
 * a page of N such lines cost N² line tests (8,000 footnotes: seconds).
 */
const runs = new WeakMap<StateBlock, Run>();

/** Registers the rule, after markdown-it-deflist (whose rule it calls for the last term). */
export function definitionTermsPlugin(md: MarkdownIt): void {
  const rules = (md.block.ruler as unknown as { __rules__: { name: string; fn: BlockRule }[] }).__rules__;
  const deflist = rules.find((r) => r.name === 'deflist')?.fn;
  if (!deflist) return;
  md.block.ruler.before('deflist', 'kramdown_definition_terms', (state, startLine, endLine, silent) => {
    if (silent) return false;
    const text = (n: number) => state.src.slice(state.bMarks[n]! + state.tShift[n]!, state.eMarks[n]);
    const isTerm = (n: number) =>
      n < endLine && !state.isEmpty(n) && state.sCount[n]! - state.blkIndent < 4 && !NOT_A_TERM.test(text(n));
    const isMarker = (n: number) =>
      n < endLine && /^:[ \t]/.test(text(n)) && state.sCount[n]! >= state.blkIndent;
    // A line inside a run scanned before ends where that run ends: the same lines follow.
    const known = runs.get(state);
    let last = startLine;
    if (
      known &&
      known.from < startLine &&
      startLine <= known.last &&
      known.endLine === endLine &&
      known.blkIndent === state.blkIndent &&
      known.parentType === state.parentType
    )
      last = known.last;
    else {
      while (isTerm(last + 1)) last++;
      runs.set(state, {
        from: startLine,
        last,
        endLine,
        blkIndent: state.blkIndent,
        parentType: state.parentType,
      });
    }
    if (last === startLine || !isMarker(last + 1)) return false;
    const first = state.tokens.length;
    if (!deflist(state, last, endLine, false)) return false;
    const dl = state.tokens[first];
    if (dl?.type !== 'dl_open') return true;
    const extra = [];
    for (let n = startLine; n < last; n++) {
      const open = new state.Token('dt_open', 'dt', 1);
      const inline = new state.Token('inline', '', 0);
      const close = new state.Token('dt_close', 'dt', -1);
      open.map = inline.map = [n, n + 1];
      open.block = close.block = true;
      open.level = close.level = dl.level + 1;
      inline.level = dl.level + 2;
      inline.content = text(n).trim();
      inline.children = [];
      extra.push(open, inline, close);
    }
    state.tokens.splice(first + 1, 0, ...extra);
    if (dl.map) dl.map = [startLine, dl.map[1]];
    return true;
  });
}
