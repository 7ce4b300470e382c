/**
 * kramdown's `markdown` attribute on HTML block elements: `markdown="1"` parses the content as
 * kramdown would for that element (block or span), `"block"` and `"span"` force it, `"0"` keeps
 * it raw. Unlike CommonMark's HTML blocks this holds whatever the blank lines: the whole element,
 * up to its matching end tag, nested elements included.
 */
import type { MarkdownIt, StateBlock, Token } from 'markdown-it';

const OPEN_TAG =
  /^<([A-Za-z][\w-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/;
const MARKDOWN_ATTR = /\s+markdown\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/;

/** Elements whose content kramdown parses as span text under `markdown="1"`. */
const SPAN_CONTENT = new Set(
  'a abbr acronym b bdo big button cite caption del dfn dt em h1 h2 h3 h4 h5 h6 i ins label legend optgroup p q rb rbc rp rt rtc ruby select small span strong sub sup th tt'.split(
    ' ',
  ),
);
/** Elements whose content kramdown never parses. */
const RAW_CONTENT = new Set('script style math option textarea pre code kbd samp var'.split(' '));

/** kramdown's span-level elements: at the start of a line they open a paragraph, not a block. */
const SPAN_ELEMENTS = new Set(
  'a abbr acronym b big bdo br button cite code del dfn em i img input ins kbd label mark option q rb rbc rp rt rtc ruby samp select small span strong sub sup textarea tt var'.split(
    ' ',
  ),
);

type Mode = 'block' | 'span' | 'raw';

function modeOf(tag: string, value: string): Mode {
  const v = value.trim().toLowerCase();
  if (v === '0' || v === 'false') return 'raw';
  if (v === 'span') return 'span';
  if (v === 'block') return 'block';
  if (RAW_CONTENT.has(tag)) return 'raw';
  return SPAN_CONTENT.has(tag) ? 'span' : 'block';
}

/** Registers the rule ahead of CommonMark's own HTML blocks. */
export function htmlMarkdownPlugin(md: MarkdownIt): void {
  md.block.ruler.before('html_block', 'kramdown_html_markdown', htmlMarkdownBlock, {
    alt: ['paragraph', 'reference', 'blockquote'],
  });
}

/** The offset just after the end tag matching an element opened before `from`, or -1. */
function matchingClose(
  src: string,
  tag: string,
  from: number,
  limit: number,
): { start: number; end: number } | null {
  const re = new RegExp(`<(/?)${tag}(?=[\\s/>])[^>]*?(/?)>`, 'gi');
  re.lastIndex = from;
  let depth = 1;
  for (let m = re.exec(src); m && m.index < limit; m = re.exec(src)) {
    if (m[1]) depth--;
    else if (!m[2]) depth++;
    if (depth === 0) return { start: m.index, end: m.index + m[0].length };
  }
  return null;
}

function lineOfOffset(state: StateBlock, offset: number, from: number, endLine: number): number {
  let line = from;
  while (line < endLine - 1 && state.eMarks[line]! < offset) line++;
  return line;
}

function htmlMarkdownBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  const from = state.bMarks[startLine]! + state.tShift[startLine]!;
  if (state.src.charCodeAt(from) !== 0x3c /* < */) return false;
  const open = OPEN_TAG.exec(state.src.slice(from, state.eMarks[startLine]));
  if (!open) return false;
  const attr = MARKDOWN_ATTR.exec(open[2] ?? '');
  const tag = open[1]!.toLowerCase();
  if (SPAN_ELEMENTS.has(tag)) return spanElementParagraph(state, startLine, endLine, silent);
  // A self-closed block element (`<hr/>`) has no content to parse: CommonMark's rule keeps it.
  if (open[3]) return false;
  if (!attr && (silent || CM_RAW.has(tag))) return false;
  const limit = state.eMarks[endLine - 1] ?? state.src.length;
  const close = matchingClose(state.src, tag, from + open[0].length, limit);
  if (!close) return false;
  const closeLine = lineOfOffset(state, close.end, startLine, endLine);
  if (!attr) return rawElement(state, startLine, closeLine, close.end, endLine);
  if (silent) return true;

  const mode = modeOf(tag, attr[1] ?? attr[2] ?? attr[3] ?? '');
  const openHtml = `<${open[1]}${(open[2] ?? '').replace(MARKDOWN_ATTR, '')}>`;
  const inner = state.src.slice(from + open[0].length, close.start);
  const closeHtml = state.src.slice(close.start, close.end);
  const after = state.src.slice(close.end, state.eMarks[closeLine]).trim();

  if (mode === 'raw') {
    html(state, `${openHtml}${inner}${closeHtml}${after}\n`, startLine, closeLine + 1);
  } else {
    html(state, mode === 'span' ? openHtml : `${openHtml}\n`, startLine, startLine + 1);
    if (mode === 'span') {
      const t = state.push('inline', '', 0);
      t.content = inner.trim();
      t.map = [startLine, closeLine + 1];
      t.children = [];
    } else if (alone(state, from + open[0].length, startLine, closeLine, close.start)) {
      tokenizeLines(state, startLine + 1, closeLine);
    } else {
      parseInner(state, inner, startLine);
    }
    html(state, `${closeHtml}${after}\n`, closeLine, closeLine + 1);
  }
  state.line = closeLine + 1;
  return true;
}

/** CommonMark already keeps these raw up to their end tag. */
const CM_RAW = new Set(['pre', 'script', 'style', 'textarea']);

/**
 * An element without `markdown`: kramdown keeps it raw up to its matching end tag and parses
 * what follows as Markdown, where CommonMark would run the HTML block on to the next blank line.
 * Text after the end tag on the same line (`<p></p>If $$x$$`) starts the next block.
 */
function rawElement(
  state: StateBlock,
  startLine: number,
  closeLine: number,
  closeEnd: number,
  endLine: number,
): boolean {
  let blank = startLine + 1;
  while (blank < endLine && !state.isEmpty(blank)) blank++;
  const rest = state.src.slice(closeEnd, state.eMarks[closeLine]);
  const restStart = rest.trim() === '' ? -1 : closeEnd + rest.length - rest.trimStart().length;
  if (restStart < 0 && closeLine >= blank - 1) return false;
  const from = state.bMarks[startLine]! + state.tShift[startLine]!;
  const end = restStart < 0 ? state.eMarks[closeLine]! : closeEnd;
  html(
    state,
    `${state.src.slice(from, end)}
`,
    startLine,
    closeLine + 1,
  );
  if (restStart < 0) {
    state.line = closeLine + 1;
    return true;
  }
  // The rest of the end tag's line is read as a line of its own, at the current indent, and
  // the blocks go on from there (markdown-it wants a rule to end on a later line).
  state.bMarks[closeLine] = restStart;
  state.tShift[closeLine] = 0;
  state.sCount[closeLine] = state.blkIndent;
  state.md.block.tokenize(state, closeLine, endLine);
  return true;
}

type BlockRule = (state: StateBlock, startLine: number, endLine: number, silent: boolean) => boolean;

/**
 * A line that starts with a span-level element (`<span>`, `<a>`, `<img>`) opens a paragraph in
 * kramdown, so Markdown and span IALs inside it work; CommonMark would make it raw HTML.
 */
function spanElementParagraph(
  state: StateBlock,
  startLine: number,
  endLine: number,
  silent: boolean,
): boolean {
  if (silent) return false;
  const rules = (state.md.block.ruler as unknown as { __rules__: { name: string; fn: BlockRule }[] })
    .__rules__;
  const paragraph = rules.find((r) => r.name === 'paragraph')?.fn;
  return paragraph ? paragraph(state, startLine, endLine, false) : false;
}

function html(state: StateBlock, content: string, begin: number, end: number): void {
  const t = state.push('html_block', '', 0);
  t.content = content;
  t.map = [begin, end];
}

/**
 * True when the element's tags stand on lines of their own at the top level of the page (as in
 * `<div markdown="1">` pages): its content is then the lines between them, already split.
 */
function alone(
  state: StateBlock,
  afterOpen: number,
  openLine: number,
  closeLine: number,
  closeStart: number,
): boolean {
  return (
    state.parentType === 'root' &&
    state.blkIndent === 0 &&
    closeLine > openLine &&
    state.src.slice(afterOpen, state.eMarks[openLine]).trim() === '' &&
    state.src.slice(state.bMarks[closeLine], closeStart).trim() === ''
  );
}

/**
 * Parses lines of the page as the element's blocks, in the page's own state: the same tokens
 * as parsing the content anew (its first and last lines are blank), without splitting the
 * text into lines a second time.
 */
function tokenizeLines(state: StateBlock, begin: number, end: number): void {
  const lineMax = state.lineMax;
  state.lineMax = end;
  try {
    state.md.block.tokenize(state, begin, end);
  } finally {
    state.lineMax = lineMax;
  }
}

/** Parses the element's content as blocks; its lines keep their numbers in the page. */
function parseInner(state: StateBlock, inner: string, openLine: number): void {
  const tokens: Token[] = [];
  state.md.block.parse(inner, state.md, state.env, tokens);
  for (const t of tokens) {
    t.level += state.level;
    if (t.map) t.map = [t.map[0] + openLine, t.map[1] + openLine];
    state.tokens.push(t);
  }
}
