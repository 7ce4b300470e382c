/**
 * Mermaid fences (```` ```mermaid ````), on a site that configures `mermaid:` as just-the-docs
 * asks: each becomes a placeholder holding its source as code, which the diagram stage replaces
 * with the drawn SVG (or leaves as code when the diagram does not parse). Without `mermaid:`
 * the fence is ordinary code, as on the live site.
 */
import type { MarkdownIt } from 'markdown-it';

/** The class of a diagram placeholder (the diagram stage looks for it). */
export const MERMAID_PLACEHOLDER = 'bb-mermaid';

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The placeholder of one diagram: its source as a code block (what stays when it cannot be
 * drawn), in a wrapper naming the 0-based body line of its fence.
 */
export function mermaidPlaceholder(source: string, bodyLine: number): string {
  return (
    `<div class="${MERMAID_PLACEHOLDER}" data-bb-line="${bodyLine}">` +
    `<pre class="highlight"><code class="language-mermaid">${escapeHtml(source)}</code></pre></div>\n`
  );
}

/** Registers the fence renderer for `mermaid` fences (only used on sites with `mermaid:`). */
export function mermaidPlugin(md: MarkdownIt): void {
  const fence = md.renderer.rules.fence;
  md.renderer.rules.fence = (tokens, i, options, env, self) => {
    const t = tokens[i]!;
    const lang = t.info.trim().split(/\s+/)[0] ?? '';
    // Exactly `mermaid`: just-the-docs draws the blocks of class `language-mermaid`.
    if (lang !== 'mermaid')
      return fence ? fence(tokens, i, options, env, self) : self.renderToken(tokens, i, options);
    return mermaidPlaceholder(t.content, t.map?.[0] ?? 0);
  };
}
