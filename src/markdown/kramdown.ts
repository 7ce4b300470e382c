/**
 * kramdown block syntax markdown-it does not know: block attribute lists (`{: .note}` before or
 * after a block, ending a paragraph), attribute list definitions, header ids (`{#id}`), and
 * `{:toc}` lists (replaced by a marker the renderer fills). Span IALs are in span-ial.ts.
 */
import type { MarkdownIt, StateCore, StateInline, Token } from 'markdown-it';
import {
  ALD_LINE,
  type AttributeList,
  applyAttributes,
  BLOCK_IAL_LINE,
  mergeAttributes,
  parseAttributeList,
} from './attributes.js';
import { spanIalRule } from './span-ial.js';

/** The marker a `{:toc}` list becomes; replaced by the chapter's own contents list. */
export const TOC_MARKER = '<!--bb:toc-->';

type Defs = Map<string, AttributeList>;

/** Registers the kramdown block and span attribute rules. */
export function kramdownPlugin(md: MarkdownIt): void {
  md.core.ruler.after('block', 'kramdown_split_ial', splitAtIalRule);
  md.core.ruler.after('kramdown_split_ial', 'kramdown_block_ial', blockIalRule);
  md.core.ruler.after('inline', 'kramdown_span_ial', spanIalRule);
  md.inline.ruler.before('escape', 'kramdown_line_break', lineBreakRule);
}

/**
 * kramdown's second hard line break: `\\` at the end of a line is a `<br />` (CommonMark reads
 * an escaped backslash there). `$$…$$` math is parsed before, so its `\\` rows stay TeX.
 */
function lineBreakRule(state: StateInline, silent: boolean): boolean {
  const pos = state.pos;
  const src = state.src;
  if (src.charCodeAt(pos) !== 0x5c || src.charCodeAt(pos + 1) !== 0x5c || src.charCodeAt(pos + 2) !== 0x0a)
    return false;
  if (!silent) {
    state.pending = state.pending.replace(/ +$/, '');
    state.push('hardbreak', 'br', 0);
  }
  let next = pos + 3;
  while (src.charCodeAt(next) === 0x20 || src.charCodeAt(next) === 0x09) next++;
  state.pos = next;
  return true;
}

function resolveRefs(list: AttributeList, defs: Defs): AttributeList {
  let out: AttributeList = { ...list, refs: [] };
  for (const ref of list.refs) {
    const def = defs.get(ref);
    if (def) out = mergeAttributes(def, out);
    else out.refs.push(ref);
  }
  return out;
}

/**
 * kramdown ends a paragraph at a block IAL line: `One\n{: .a}\nTwo\n{: .b}` is two paragraphs,
 * each with its class. markdown-it sees one paragraph; split it after each interior IAL line.
 */
function splitAtIalRule(state: StateCore): void {
  const out: Token[] = [];
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const open = tokens[i - 1];
    const close = tokens[i + 1];
    if (t.type !== 'inline' || open?.type !== 'paragraph_open' || close?.type !== 'paragraph_close') {
      out.push(t);
      continue;
    }
    const lines = t.content.split('\n');
    const cuts: number[] = [];
    for (let k = 1; k < lines.length - 1; k++) {
      if (BLOCK_IAL_LINE.test(lines[k]!) && !BLOCK_IAL_LINE.test(lines[k + 1]!)) cuts.push(k + 1);
    }
    if (cuts.length === 0) {
      out.push(t);
      continue;
    }
    out.pop();
    let from = 0;
    const base = t.map?.[0] ?? 0;
    for (const to of [...cuts, lines.length]) {
      const o = new state.Token('paragraph_open', 'p', 1);
      const inl = new state.Token('inline', '', 0);
      const c = new state.Token('paragraph_close', 'p', -1);
      o.block = c.block = true;
      o.level = c.level = open.level;
      inl.level = t.level;
      inl.content = lines.slice(from, to).join('\n');
      inl.children = [];
      o.map = inl.map = [base + from, base + to];
      out.push(o, inl, c);
      from = to;
    }
    i++;
  }
  state.tokens = out;
}

/** Index of the opening token of the block that ends at `closeIndex` (or the token itself). */
function openerOf(tokens: Token[], closeIndex: number): number {
  const close = tokens[closeIndex];
  if (!close || close.nesting !== -1) return closeIndex;
  for (let i = closeIndex - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (t.level === close.level && t.nesting === 1) return i;
  }
  return closeIndex;
}

/** Index just after the block that starts at `openIndex`. */
function closerOf(tokens: Token[], openIndex: number): number {
  const open = tokens[openIndex];
  if (open?.nesting !== 1) return openIndex;
  for (let i = openIndex + 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.level === open.level && t.nesting === -1) return i;
  }
  return tokens.length - 1;
}

function sourceLine(state: StateCore, line: number): string {
  return state.src.split('\n', line + 1)[line] ?? '';
}

interface Pending {
  target: number;
  attrs: AttributeList;
}

function blockIalRule(state: StateCore): void {
  const tokens = state.tokens;
  const defs: Defs = new Map();
  const pending: Pending[] = [];
  const removals = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === 'heading_open') headerId(t, tokens[i + 1]);
    if (t.type !== 'inline' || tokens[i - 1]?.type !== 'paragraph_open') continue;
    const lines = t.content.split('\n');
    const originalCount = lines.length;
    const leading: AttributeList[] = [];
    while (lines.length > 1) {
      const ald = ALD_LINE.exec(lines[0]!);
      if (ald) {
        defs.set(ald[1]!, parseAttributeList(ald[2]!));
        lines.shift();
        continue;
      }
      const ial = BLOCK_IAL_LINE.exec(lines[0]!);
      if (!ial) break;
      leading.push(parseAttributeList(ial[1]!));
      lines.shift();
    }
    if (leading.length > 0) {
      // kramdown gives an attribute line to the block it directly follows (`## Title` then
      // `{: .no_toc }` then text on the next line); after a blank line, to the paragraph.
      const before = adjacentBlockBefore(state, i - 1, removals);
      pending.push({
        target: before ?? i - 1,
        attrs: leading.reduce(mergeAttributes, { classes: [], pairs: [], refs: [] }),
      });
    }
    const trailing: AttributeList[] = [];
    while (lines.length > 0) {
      const last = lines[lines.length - 1]!;
      const ald = ALD_LINE.exec(last);
      if (ald) {
        defs.set(ald[1]!, parseAttributeList(ald[2]!));
        lines.pop();
        continue;
      }
      const ial = BLOCK_IAL_LINE.exec(last);
      if (!ial) break;
      trailing.unshift(parseAttributeList(ial[1]!));
      lines.pop();
    }
    if (trailing.length === 0) {
      if (lines.length === 0)
        removals
          .add(i - 1)
          .add(i)
          .add(i + 1);
      else if (lines.length !== originalCount) t.content = lines.join('\n');
      continue;
    }
    const attrs = trailing.reduce(mergeAttributes, { classes: [], pairs: [], refs: [] });
    const open = i - 1;
    const close = i + 1;
    if (lines.length > 0) {
      t.content = lines.join('\n');
      const ialLine = (t.map?.[1] ?? 1) - 1;
      pending.push({ target: lazyTarget(state, open, ialLine), attrs });
      continue;
    }
    // The paragraph was only attribute lists: they belong to the block before or after it.
    removals.add(open).add(i).add(close);
    const next = close + 1;
    const before = adjacentBlockBefore(state, open, removals);
    if (before !== undefined) {
      pending.push({ target: before, attrs });
    } else if (tokens[next] && tokens[next].level === tokens[open]!.level) {
      pending.push({ target: next, attrs });
    }
  }
  for (const p of pending) {
    const resolved = resolveRefs(p.attrs, defs);
    const target = tokens[p.target];
    if (!target) continue;
    if (resolved.refs.includes('toc') && /^(bullet|ordered)_list_open$/.test(target.type)) {
      const end = closerOf(tokens, p.target);
      for (let k = p.target; k <= end; k++) removals.add(k);
      const marker = new state.Token('html_block', '', 0);
      marker.content = `${TOC_MARKER}\n`;
      marker.level = target.level;
      tokens.splice(p.target, 0, marker);
      shiftRemovals(removals, p.target);
      shiftPending(pending, p.target);
      continue;
    }
    applyAttributes(target, resolved);
  }
  state.tokens = tokens.filter((_, k) => !removals.has(k));
}

/**
 * The opening token of the block that ends on the line just before the paragraph opened at
 * `open`, when no blank line separates them (kramdown's "IAL after a block"), else undefined.
 */
function adjacentBlockBefore(state: StateCore, open: number, removals: Set<number>): number | undefined {
  const tokens = state.tokens;
  const prev = open - 1;
  const prevTok = tokens[prev];
  if (!prevTok || prevTok.level !== tokens[open]!.level || removals.has(prev)) return undefined;
  const startLine = tokens[open]!.map?.[0] ?? -1;
  const prevEnd = tokens[openerOf(tokens, prev)]!.map?.[1] ?? -2;
  // markdown-it counts the blank line after a list in the list; kramdown does not: after a
  // blank line the attribute list waits for the next block (a callout's quote).
  const adjacent =
    prevEnd === startLine && startLine > 0 && sourceLine(state, startLine - 1).replace(/^[\s>]*/, '') !== '';
  return adjacent ? openerOf(tokens, prev) : undefined;
}

function shiftRemovals(set: Set<number>, from: number): void {
  const moved = [...set].map((k) => (k >= from ? k + 1 : k));
  set.clear();
  for (const k of moved) set.add(k);
}

function shiftPending(pending: Pending[], from: number): void {
  for (const p of pending) if (p.target > from) p.target += 1;
}

/**
 * A trailing attribute line of a paragraph is kramdown's IAL for the paragraph — unless it is
 * a lazy line after a list or blockquote (not indented, no `>`), where it belongs to that list or
 * quote (`1. TOC` + `{:toc}`).
 */
function lazyTarget(state: StateCore, paragraphOpen: number, ialLine: number): number {
  const tokens = state.tokens;
  const raw = sourceLine(state, ialLine);
  const indented = /^(\s|>)/.test(raw);
  if (indented) return paragraphOpen;
  for (let i = paragraphOpen - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (t.nesting === 1 && t.level < tokens[paragraphOpen]!.level) {
      if (t.type === 'list_item_open') continue;
      if (/^(bullet|ordered)_list_open$|^blockquote_open$/.test(t.type)) {
        // Keep walking outwards: the outermost list or quote the lazy line ends.
        let outer = i;
        for (let j = i - 1; j >= 0; j--) {
          const u = tokens[j]!;
          if (
            u.nesting === 1 &&
            u.level < t.level &&
            /^(bullet|ordered)_list_open$|^blockquote_open$/.test(u.type)
          )
            outer = j;
          if (u.level === 0 && u.nesting === 1) break;
        }
        return outer;
      }
      return paragraphOpen;
    }
  }
  return paragraphOpen;
}

/** `## Title {#id}` and `## Title {: .class}` at the end of a heading line. */
function headerId(open: Token, inline: Token | undefined): void {
  if (inline?.type !== 'inline') return;
  const m = /\s*\{(#[\w:-]+|:[^}]*)\}\s*$/.exec(inline.content);
  if (!m?.[1]) return;
  const inner = m[1].startsWith('#') ? m[1] : m[1].slice(1);
  applyAttributes(open, parseAttributeList(inner));
  inline.content = inline.content.slice(0, m.index);
}
