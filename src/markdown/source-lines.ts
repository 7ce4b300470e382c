/**
 * Source lines on the HTML: the blocks a page can overflow with (paragraphs, list items, tables,
 * code, display math, quotes, headings) carry `data-line`, the line of the page's file they start
 * on, so that what the browser finds in the laid-out book (a formula or a table wider than the
 * text block) is reported at its file and line, as markdown-it's `token.map` gives it.
 */
import type { MarkdownIt, StateCore, Token } from 'markdown-it';

/** The environment this plugin reads: whether to mark lines, and how to map them to the file. */
export interface SourceLinesEnv {
  /** Maps a 0-based line of the page body to a 1-based line of its file; unset marks nothing. */
  sourceLine?: (bodyLine: number) => number;
}

/** Blocks opened by a token `renderToken` writes: the attribute is set on the token. */
const OPENING = new Set([
  'paragraph_open',
  'table_open',
  'blockquote_open',
  'list_item_open',
  'heading_open',
  'dt_open',
  'dd_open',
]);

/** Blocks with their own renderer, which writes its element whole: the attribute goes in after. */
const WHOLE = ['fence', 'code_block', 'math_block'] as const;

/** Registers the rule that marks the blocks and the renderers that keep the mark. */
export function sourceLinesPlugin(md: MarkdownIt): void {
  md.core.ruler.push('bookbinder_source_lines', (state: StateCore) => {
    const line = (state.env as SourceLinesEnv).sourceLine;
    if (!line) return;
    for (const t of state.tokens) {
      if (!t.map) continue;
      if (OPENING.has(t.type)) t.attrSet('data-line', String(line(t.map[0])));
      else if ((WHOLE as readonly string[]).includes(t.type))
        t.meta = { ...(t.meta as object | null), bbLine: line(t.map[0]) };
    }
  });
  for (const type of WHOLE) {
    const inner = md.renderer.rules[type];
    md.renderer.rules[type] = (tokens, i, options, env, self) => {
      const out = inner ? inner(tokens, i, options, env, self) : self.renderToken(tokens, i, options);
      return markFirstTag(out, tokens[i]!);
    };
  }
}

/** Writes the token's line into the first tag of its HTML (a highlighted fence is one `<pre>`). */
function markFirstTag(html: string, token: Token): string {
  const line = (token.meta as { bbLine?: number } | null)?.bbLine;
  if (line === undefined) return html;
  return html.replace(/^(\s*<[a-zA-Z][\w-]*)(?=[\s>])/, `$1 data-line="${line}"`);
}
