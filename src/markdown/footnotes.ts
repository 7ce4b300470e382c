/**
 * Footnotes: markdown-it-footnote, with its last step (gluing the notes to the end of the
 * token stream) replaced by one that runs in linear time. The plugin's own `footnote_tail`
 * concatenates the whole token stream once per note, so a page with 8,000 notes spent a minute
 * there; this one appends each note's tokens once and produces the same tokens in the same order.
 */
import type { MarkdownIt, StateCore, Token } from 'markdown-it';
import footnote from 'markdown-it-footnote';

/** One note as markdown-it-footnote records it in `env.footnotes.list`. */
interface FootnoteEntry {
  readonly label?: string;
  /** How many times the note is referenced (absent for inline notes: once). */
  readonly count?: number;
  /** Inline notes (`^[text]`) carry their parsed inline tokens and text. */
  readonly tokens?: Token[];
  readonly content?: string;
}

interface FootnoteEnv {
  footnotes?: { list?: FootnoteEntry[] };
}

/** The footnote plugin, with a linear-time tail. */
export function footnotesPlugin(md: MarkdownIt): void {
  md.use(footnote);
  md.core.ruler.at('footnote_tail', footnoteTail);
}

/**
 * Moves each reference-style note's definition tokens out of the text and appends all notes, in
 * order, as a `footnote_block`, each with one back-link anchor per reference.
 */
function footnoteTail(state: StateCore): void {
  const env = state.env as FootnoteEnv;
  if (!env.footnotes) return;
  const definitions = new Map<string, Token[]>();
  const body: Token[] = [];
  let current: Token[] | undefined;
  let label = '';
  for (const tok of state.tokens) {
    if (tok.type === 'footnote_reference_open') {
      current = [];
      label = String((tok.meta as { label: unknown }).label);
    } else if (tok.type === 'footnote_reference_close') {
      definitions.set(label, current ?? []);
      current = undefined;
    } else if (current) current.push(tok);
    else body.push(tok);
  }
  state.tokens = body;
  const list = env.footnotes.list;
  if (!list) return;
  const out = body;
  out.push(new state.Token('footnote_block_open', '', 1));
  for (const [i, note] of list.entries()) {
    const open = new state.Token('footnote_open', '', 1);
    open.meta = { id: i, label: note.label };
    out.push(open);
    const tokens = note.tokens
      ? inlineNote(state, note)
      : note.label
        ? definitions.get(note.label)
        : undefined;
    if (tokens) for (const t of tokens) out.push(t);
    // The back-links go inside the note's last paragraph, as the plugin puts them.
    const last = out[out.length - 1]?.type === 'paragraph_close' ? out.pop() : undefined;
    for (let j = 0; j < Math.max(note.count ?? 1, 1); j++) {
      const anchor = new state.Token('footnote_anchor', '', 0);
      anchor.meta = { id: i, subId: j, label: note.label };
      out.push(anchor);
    }
    if (last) out.push(last);
    out.push(new state.Token('footnote_close', '', -1));
  }
  out.push(new state.Token('footnote_block_close', '', -1));
}

/** An inline note's tokens wrapped in a paragraph. */
function inlineNote(state: StateCore, note: FootnoteEntry): Token[] {
  const open = new state.Token('paragraph_open', 'p', 1);
  open.block = true;
  const inline = new state.Token('inline', '', 0);
  inline.children = note.tokens ?? [];
  inline.content = note.content ?? '';
  const close = new state.Token('paragraph_close', 'p', -1);
  close.block = true;
  return [open, inline, close];
}
