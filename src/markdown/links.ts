/**
 * Hands every link and image target (Markdown and raw HTML alike) to the book's resolver, with
 * the source line it was written on, and writes back what the resolver returns.
 */
import type { MarkdownIt, StateCore } from 'markdown-it';

/** Resolves one reference found in a page; `line` is 0-based within the page body. */
export type RefResolver = (kind: 'href' | 'src', value: string, line: number) => string;

/** Environment fields this plugin reads. */
export interface LinksEnv {
  resolveRef?: RefResolver;
}

const HTML_REF =
  /(<(?:a|img|area|link|source|video|audio|image|use)\b[^<>]*?\s)(href|src|xlink:href)(\s*=\s*)("([^"]*)"|'([^']*)'|([^\s>]+))/gi;

/** Rewrites references in raw HTML through the resolver. */
export function rewriteHtmlRefs(html: string, resolve: RefResolver, line: number): string {
  return html.replace(
    HTML_REF,
    (_all, pre: string, attr: string, eq: string, _q, dq?: string, sq?: string, bare?: string) => {
      const value = decodeEntities(dq ?? sq ?? bare ?? '');
      const kind = attr.toLowerCase() === 'src' ? 'src' : 'href';
      const out = resolve(kind, value, line);
      return `${pre}${attr}${eq}"${escapeAttr(out)}"`;
    },
  );
}

function decodeEntities(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}

/** Registers the reference rewriting rule (runs after inline parsing). */
export function linksPlugin(md: MarkdownIt): void {
  md.core.ruler.push('bookbinder_links', (state: StateCore) => {
    const resolve = (state.env as LinksEnv).resolveRef;
    if (!resolve) return;
    for (const block of state.tokens) {
      const line = block.map?.[0] ?? 0;
      if (block.type === 'html_block') {
        block.content = rewriteHtmlRefs(block.content, resolve, line);
        continue;
      }
      if (!block.children) continue;
      for (const t of block.children) {
        if (t.type === 'link_open') {
          const href = t.attrGet('href');
          if (href !== null) t.attrSet('href', resolve('href', String(href), line));
        } else if (t.type === 'image') {
          const src = t.attrGet('src');
          if (src !== null) t.attrSet('src', resolve('src', String(src), line));
        } else if (t.type === 'html_inline') {
          t.content = rewriteHtmlRefs(t.content, resolve, line);
        }
      }
    }
  });
}
