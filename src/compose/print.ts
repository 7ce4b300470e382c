/**
 * The print-only parts of the stitched book: the page box from the PDF settings, the embedded
 * fonts, hidden links that make Chromium record a destination for every bookmark target, blank
 * pages before right-hand chapters, and URLs printed after external links.
 */
import type { PdfConfig } from '../config/pdf.js';
import { escapeHtml } from '../markdown/render.js';
import { fontFaceCss, fontStackCss } from '../output/pdf/fonts.js';

/** The `@page` rules, fonts and sizes that depend on the PDF settings. */
export function printPageCss(cfg: PdfConfig): string {
  const { top, bottom, inner, outer } = cfg;
  const contentHeight = cfg.height.pt - top.pt - bottom.pt;
  const pages = cfg.twoSided
    ? `@page :left{margin-left:${outer.css};margin-right:${inner.css}}\n@page :right{margin-left:${inner.css};margin-right:${outer.css}}`
    : '';
  return [
    fontFaceCss(),
    fontStackCss(),
    `@page{size:${cfg.size};margin:${top.css} ${outer.css} ${bottom.css} ${inner.css}}`,
    pages,
    // Images never run past the page: at most 85% of the text block's height.
    `.chapter img,.chapter svg,.chapter video{max-height:${Math.round(contentHeight * 0.85)}pt}`,
    cfg.printUrls
      ? '.chapter a.bb-external:not(.bb-bare)::after{content:" <" attr(href) ">";font-size:0.85em;word-break:break-all;color:var(--bb-muted)}'
      : '',
  ]
    .filter((s) => s !== '')
    .join('\n');
}

/** Links to every id a bookmark needs, hidden: Chromium then writes a named destination for each. */
export function destinationLinks(ids: readonly string[]): string {
  const links = ids.map((id) => `<a href="#${escapeHtml(id)}"></a>`).join('');
  return `<nav class="bb-destinations" hidden aria-hidden="true">${links}</nav>`;
}

/** An empty page, inserted so that the next chapter opens on a right-hand page. */
export const BLANK_PAGE = '<div class="bb-blank-page" aria-hidden="true"></div>';

/** Marks external links (and those whose text is their own URL) for the print styles. */
export function markExternalLinks(html: string): string {
  return html.replace(
    /<a href="(https?:\/\/[^"]+)"([^>]*)>([\s\S]*?)<\/a>/g,
    (all, href: string, rest: string, text: string) => {
      if (/\bclass="/.test(rest)) return all;
      const bare =
        text
          .replace(/<[^>]+>/g, '')
          .trim()
          .replace(/\/$/, '') === href.replace(/&amp;/g, '&').replace(/\/$/, '');
      return `<a href="${href}" class="bb-external${bare ? ' bb-bare' : ''}"${rest}>${text}</a>`;
    },
  );
}
