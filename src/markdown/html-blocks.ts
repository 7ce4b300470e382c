/**
 * Raw HTML as Jekyll pages write it: `markdown="1"` attributes (kramdown's switch, meaningless
 * to a browser) are removed, and `<style>` blocks are taken out of the body to be hoisted once
 * into the document head.
 */
import type { MarkdownIt, StateCore } from 'markdown-it';

const MARKDOWN_ATTR = /(<[A-Za-z][^<>]*?)\s+markdown\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/g;
const STYLE_BLOCK = /<style\b[^>]*>([\s\S]*?)<\/style\s*>/gi;

/** Environment fields this plugin fills. */
export interface HtmlEnv {
  styles?: string[];
}

/** Registers the raw-HTML clean-up rule. */
export function htmlBlocksPlugin(md: MarkdownIt): void {
  md.core.ruler.after('inline', 'jekyll_html', (state: StateCore) => {
    const env = state.env as HtmlEnv;
    env.styles ??= [];
    const styles = env.styles;
    for (const t of state.tokens) {
      if (t.type === 'html_block') t.content = cleanHtml(t.content, styles);
      else if (t.type === 'inline' && t.children) {
        for (const c of t.children) if (c.type === 'html_inline') c.content = cleanHtml(c.content, styles);
      }
    }
    state.tokens = state.tokens.filter((t) => t.type !== 'html_block' || t.content.trim() !== '');
  });
}

function cleanHtml(html: string, styles: string[]): string {
  return html
    .replace(STYLE_BLOCK, (_, css: string) => {
      styles.push(css.trim());
      return '';
    })
    .replace(MARKDOWN_ATTR, '$1');
}
