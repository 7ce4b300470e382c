/**
 * kramdown's tables (`kramdown/parser/kramdown/table.rb`), in place of markdown-it's GFM ones:
 * any run of lines with an unescaped `|` after a block boundary is a table; no `|---|` line is
 * needed; the first separator line (`|---|`, `|:--+--:|`) ends the header and sets the
 * alignment, later ones start a new body, and `|===|` starts the footer. A `|` inside a code span
 * does not split a cell. Like kramdown, a table does not interrupt a paragraph.
 */
import type { MarkdownIt, StateBlock } from 'markdown-it';
import { BLOCK_IAL_LINE } from './attributes.js';

/** A line with a `|` that is not escaped (kramdown's TABLE_LINE). */
const TABLE_LINE = /^(?:\||.*?[^\\]\|)/;
/** A separator line: dashes, with `|`, `+`, `:` and spaces. */
const SEP_LINE = /^([+|: \t-]*?-[+|: \t-]*?)[ \t]*$/;
/** A footer separator line: `=`, with `|`, `+`, `:` and spaces. */
const FOOT_LINE = /^[+|: \t=]*?=[+|: \t=]*?[ \t]*$/;
/** One column's alignment in the header separator. */
const ALIGN = /[ \t]?(:?)-+(:?)[ \t]?/g;
/** A setext underline: kramdown reads the line above as a heading before it tries a table. */
const SETEXT = /^ {0,3}(?:-+|=+)[ \t]*$/;
/** kramdown's end-of-block marker. */
const EOB = /^\^\s*$/;

type Align = 'left' | 'right' | 'center' | '';
type Section = 'thead' | 'tbody' | 'tfoot';
interface Row {
  cells: string[];
  line: number;
}
interface Part {
  kind: Section;
  rows: Row[];
}

/** Replaces markdown-it's table rule with kramdown's. */
export function kramdownTablesPlugin(md: MarkdownIt): void {
  md.block.ruler.disable('table');
  // After the rules kramdown tries first (lists, quotes, HTML, headings), before paragraphs;
  // as a paragraph terminator only after a block attribute list, kramdown's other boundary.
  md.block.ruler.before('lheading', 'kramdown_table', kramdownTable, { alt: ['paragraph'] });
}

function lineText(state: StateBlock, line: number): string {
  return state.src.slice(state.bMarks[line]! + state.tShift[line]!, state.eMarks[line]);
}

/** kramdown's `after_block_boundary?`: a blank line, a container's start, or a block IAL. */
function afterBoundary(state: StateBlock, startLine: number, silent: boolean): boolean {
  let prev = startLine - 1;
  const raw = (line: number) => state.src.slice(state.bMarks[line], state.eMarks[line]);
  if (silent) {
    // Inside a paragraph: only attribute lists that stand after a blank line (they wait for
    // the next block; after a paragraph they are its own and end no paragraph).
    if (prev < 0 || !BLOCK_IAL_LINE.test(raw(prev))) return false;
    while (prev >= 0 && BLOCK_IAL_LINE.test(raw(prev))) prev--;
    return prev < 0 || state.isEmpty(prev);
  }
  if (prev >= 0 && BLOCK_IAL_LINE.test(raw(prev))) return true;
  if (prev < 0 || state.isEmpty(prev)) return true;
  const last = state.tokens[state.tokens.length - 1];
  // Raw HTML just above is no boundary (kramdown); the start tag of a `markdown="1"` element is
  // taken as one, so its content reads the same however the element is written.
  if (last?.type === 'html_block') return /\smarkdown\s*=/.test(raw(prev));
  return last === undefined || last.nesting === 1;
}

/** Splits a row into cells as kramdown does: not at `\|`, not inside code spans or `<code>`. */
export function splitRow(text: string): string[] {
  const cells: string[] = [];
  const add = (s: string, split: boolean): void => {
    const parts = split ? s.split(/(?<!\\)\|/).map((p) => p.replace(/\\\|/g, '|')) : [s];
    if (cells.length === 0) cells.push(parts[0]!);
    else cells[cells.length - 1] += parts[0]!;
    cells.push(...parts.slice(1));
  };
  for (const [k, piece] of text.split(/(<code.*?>.*?<\/code>)/).entries()) {
    if (k % 2 === 1) {
      add(piece, false);
      continue;
    }
    for (const [isCode, s] of codeSpans(piece)) add(s, !isCode);
  }
  return cells;
}

/** Text and code spans, as kramdown's code span parser finds them (`[isCode, text]` pairs). */
function codeSpans(text: string): [boolean, string][] {
  const out: [boolean, string][] = [];
  let plain = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '`') {
      plain += text[i++];
      continue;
    }
    let j = i;
    while (text[j] === '`') j++;
    const delim = text.slice(i, j);
    // A lone backtick between spaces is text.
    const close =
      delim.length === 1 && /(^|\s)$/.test(text.slice(0, i)) && /\s/.test(text[j] ?? '')
        ? -1
        : text.indexOf(delim, j);
    if (close === -1) {
      plain += delim;
      i = j;
      continue;
    }
    if (plain) out.push([false, plain]);
    plain = '';
    out.push([true, text.slice(i, close + delim.length)]);
    i = close + delim.length;
  }
  if (plain) out.push([false, plain]);
  return out;
}

/** True when the line has a `|` outside its code spans (kramdown rejects a table otherwise). */
function pipeOutsideCode(text: string): boolean {
  return codeSpans(text.replace(/<code.*?>.*?<\/code>/g, '')).some(
    ([isCode, s]) => !isCode && TABLE_LINE.test(s),
  );
}

function alignments(sep: string): Align[] {
  return [...sep.matchAll(ALIGN)].map(([, l, r]) => (l && r ? 'center' : l ? 'left' : r ? 'right' : ''));
}

function kramdownTable(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  const first = lineText(state, startLine);
  if (!TABLE_LINE.test(first) || !afterBoundary(state, startLine, silent)) return false;
  if (startLine + 1 < endLine && SETEXT.test(lineText(state, startLine + 1))) return false;

  const leadingPipe = first.startsWith('|');
  const parts: Part[] = [];
  let rows: Row[] = [];
  let align: Align[] | null = null;
  let hasFooter = false;
  let columns = 0;
  const close = (kind: Section, force: boolean): void => {
    if (!hasFooter || kind !== 'tbody' || force) {
      parts.push({ kind, rows });
      rows = [];
    }
  };

  let line = startLine;
  if (SEP_LINE.test(first)) line++;
  for (; line < endLine; line++) {
    if (state.sCount[line]! < state.blkIndent) break;
    const text = lineText(state, line);
    if (!TABLE_LINE.test(text)) break;
    const sep = SEP_LINE.exec(text);
    if (sep) {
      if (rows.length === 0) continue;
      if (align === null && !hasFooter) {
        close('thead', false);
        align = alignments(sep[1]!);
      } else close('tbody', false);
    } else if (FOOT_LINE.test(text)) {
      if (rows.length > 0) close('tbody', true);
      hasFooter = true;
    } else {
      if (!pipeOutsideCode(text)) return false;
      const cells = splitRow(text.replace(/[ \t]+$/, ''));
      if (leadingPipe && cells[0]?.trim() === '') cells.shift();
      if (cells.length > 0 && cells[cells.length - 1]!.trim() === '') cells.pop();
      columns = Math.max(columns, cells.length);
      rows.push({ cells: cells.map((c) => c.trim()), line });
    }
  }
  // kramdown's `before_block_boundary?`: a blank line, a block IAL, `^`, or the end.
  if (line < endLine && state.sCount[line]! >= state.blkIndent) {
    const next = lineText(state, line);
    if (!state.isEmpty(line) && !BLOCK_IAL_LINE.test(next) && !EOB.test(next)) return false;
  }
  if (rows.length > 0) close(hasFooter ? 'tfoot' : 'tbody', false);
  if (!parts.some((p) => p.kind === 'tbody')) return false;
  if (silent) return true;

  const aligns: Align[] = [...(align ?? [])].slice(0, columns);
  while (aligns.length < columns) aligns.push('');
  emit(state, parts, aligns, columns, [startLine, line]);
  state.line = line;
  return true;
}

function emit(
  state: StateBlock,
  parts: Part[],
  aligns: Align[],
  columns: number,
  map: [number, number],
): void {
  const open = state.push('table_open', 'table', 1);
  open.map = map;
  for (const part of parts) {
    state.push(`${part.kind}_open`, part.kind, 1);
    const cell = part.kind === 'thead' ? 'th' : 'td';
    for (const row of part.rows) {
      state.push('tr_open', 'tr', 1).map = [row.line, row.line + 1];
      for (let c = 0; c < columns; c++) {
        const o = state.push(`${cell}_open`, cell, 1);
        if (aligns[c]) o.attrSet('style', `text-align: ${aligns[c]}`);
        const text = row.cells[c];
        if (text !== undefined && text !== '') {
          const inline = state.push('inline', '', 0);
          inline.content = text;
          inline.map = [row.line, row.line + 1];
          inline.children = [];
        }
        state.push(`${cell}_close`, cell, -1);
      }
      state.push('tr_close', 'tr', -1);
    }
    state.push(`${part.kind}_close`, part.kind, -1);
  }
  state.push('table_close', 'table', -1);
}
