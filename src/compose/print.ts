/**
 * The print-only parts of the stitched book: the page box from the PDF settings, the embedded
 * fonts, hidden links that make Chromium record a destination for every bookmark target, blank
 * pages before right-hand chapters, and URLs printed after external links.
 */
import type { PdfConfig } from '../config/pdf.js';
import { escapeHtml } from '../markdown/render.js';
import { fontFaceCss, fontStackCss } from '../fonts/bundled.js';

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

/** The blank back of the title page in a two-sided book, so that the contents open on the right. */
export const TITLE_VERSO = '<div class="bb-blank-page bb-title-verso" aria-hidden="true"></div>';

/**
 * Link texts that say nothing about where they lead ("click here!", "this link"): on paper
 * the reader is left with no way to follow them, so their address is printed after them.
 */
const VAGUE_TEXT =
  /^(?:(?:please\s+)?(?:click|tap|go|look|see|read|follow|visit|check)(?:\s+(?:it|out))?(?:\s+(?:here|this|there|more|the\s+link|this\s+link))?|here|there|this|link|this\s+link|the\s+link|more|read\s+more|learn\s+more|more\s+info(?:rmation)?|details|website|this\s+page|this\s+site|source|download)$/i;

/** True when a link's text says nothing of where it leads. */
export function isVagueLinkText(text: string): boolean {
  const plain = text
    .replace(/<[^>]+>/g, '')
    .replace(/&[a-z#0-9]+;/gi, ' ')
    .replace(/[\s!.,:;?…()[\]"'“”‘’»«→>-]+/g, ' ')
    .trim();
  return plain !== '' && VAGUE_TEXT.test(plain);
}

/**
 * A URL as HTML with a line-break opportunity (`<wbr>`) after each `/`, `.`, `-`, `?` and `&`
 * of its address (not inside the scheme's `//`), so that a long URL wraps at its punctuation
 * and never inside a word. `url` is raw text; the result is escaped.
 */
export function breakableUrl(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '';
  const rest = url.slice(scheme.length);
  const parts = rest.split(/(?<=[/.?&-])(?=.)/);
  return escapeHtml(scheme) + parts.map(escapeHtml).join('<wbr>');
}

/**
 * Marks external links for the print styles — `bb-external`, `bb-bare` when the text is the
 * URL itself, `bb-vague` when the text says nothing ("click here") — and makes bare URLs break
 * only at their punctuation.
 */
export function markExternalLinks(html: string): string {
  return html.replace(
    /<a href="(https?:\/\/[^"]+)"([^>]*)>([\s\S]*?)<\/a>/g,
    (all, href: string, rest: string, text: string) => {
      if (/\bclass="/.test(rest)) return all;
      const plain = text
        .replace(/<[^>]+>/g, '')
        .replace(/&amp;/g, '&')
        .trim();
      const bare = plain.replace(/\/$/, '') === href.replace(/&amp;/g, '&').replace(/\/$/, '');
      const cls = bare ? ' bb-bare' : isVagueLinkText(text) ? ' bb-vague' : '';
      const shown = bare && !/[<]/.test(text) ? `<span class="bb-url">${breakableUrl(plain)}</span>` : text;
      return `<a href="${href}" class="bb-external${cls}"${rest}>${shown}</a>`;
    },
  );
}

/**
 * Prints the address after external links on paper: after every one whose text is not its URL
 * when the book asks for it (`print_urls`), and always after links whose text says nothing.
 * Written into the HTML (not a CSS `::after`) so that the URL can carry its break points.
 */
export function printLinkAddresses(html: string, all: boolean): string {
  return html.replace(
    /(<a href="(https?:\/\/[^"]+)" class="bb-external( bb-vague)?"[^>]*>[\s\S]*?<\/a>)/g,
    (link: string, _l: string, href: string, vague: string | undefined) =>
      all || vague
        ? `${link}<span class="bb-url bb-url-note"> &lt;${breakableUrl(href.replace(/&amp;/g, '&'))}&gt;</span>`
        : link,
  );
}

/**
 * The longest lead-in kept with what follows, in characters (a line or two). Chromium honours
 * `break-after: avoid` by moving the whole paragraph, so a long one would leave a hole instead.
 */
const LEAD_IN_MAX = 120;

/**
 * Marks paragraphs the print styles treat apart: a short lead-in ending in a colon (`bb-lead-in`,
 * kept with what it introduces), one holding nothing but images (`bb-images`, which may
 * break between them) and an empty one (`bb-empty`: a `<p></p>` written as a spacer has no
 * height, but it offers the layout a page break that the rules keeping blocks together do not
 * see, so it is left out of print).
 */
export function markParagraphs(html: string): string {
  return html.replace(/<p(\s[^>]*)?>([\s\S]*?)<\/p>/g, (all, attrs: string | undefined, inner: string) => {
    const text = inner
      .replace(/<[^>]+>/g, '')
      .replace(/&nbsp;|&#160;/g, ' ')
      .trim();
    const cls =
      inner.trim() === ''
        ? 'bb-empty'
        : text === '' && /<img\b/.test(inner)
          ? 'bb-images'
          : /:$/.test(text) && text.length <= LEAD_IN_MAX
            ? 'bb-lead-in'
            : '';
    if (cls === '') return all;
    const a = attrs ?? '';
    const merged = /\bclass="/.test(a) ? a.replace(/\bclass="/, `class="${cls} `) : `${a} class="${cls}"`;
    return `<p${merged}>${inner}</p>`;
  });
}

/**
 * Opens every `<details>`: paper cannot be clicked, and a closed one would print its summary
 * alone, its body lost.
 */
export function openDetails(html: string): string {
  return html.replace(/<details(?=[\s>])([^>]*)>/gi, (all, attrs: string) =>
    /(?:^|\s)open(?=[\s=]|$)/i.test(attrs) ? all : `<details open${attrs}>`,
  );
}
