/**
 * Stitches the rendered chapters into one HTML document from `templates/book.html` and the
 * stylesheets in `styles/`: title page, contents, then every chapter on a new page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PdfConfig } from '../config/pdf.js';
import { escapeHtml } from '../markdown/render.js';
import type { Book, RenderedChapter } from '../model.js';
import type { Diagnostics } from '../diagnostics.js';
import { packageRoot } from '../paths.js';
import { describeProblem, findSiteFile, readSiteText } from '../source/site-files.js';
import { componentCss } from './components.js';
import { chapterTable, finalizeHtml, type ReferenceStyle } from './finalize.js';
import {
  BLANK_PAGE,
  destinationLinks,
  markExternalLinks,
  markParagraphs,
  openDetails,
  printLinkAddresses,
  printPageCss,
} from './print.js';
import { type PageLabels, renderToc } from './toc.js';

/** Which medium a stylesheet set is for. */
export type Medium = 'print' | 'screen' | 'epub';

/**
 * Reads a template or style file: the source folder's own `templates/` or `styles/` file of that
 * name when it has one (a theme overrides ours file by file), else bookbinder's.
 */
export function readAsset(kind: 'templates' | 'styles', name: string, themeDir?: string): string {
  const own = themeDir === undefined ? undefined : readSiteText(themeDir, join(kind, name));
  return own !== undefined && 'content' in own
    ? own.content
    : readFileSync(join(packageRoot(), kind, name), 'utf8');
}

/** The files of bookbinder's a site folder may override (see {@link readAsset}). */
const OVERRIDABLE = [
  'styles/book.css',
  'styles/print.css',
  'templates/title-page.html',
  'templates/book.html',
];

/**
 * Reports the theme overrides of a site that are not used because they resolve outside it (a
 * symbolic link): bookbinder's own file is used instead, and the outside file is never read.
 */
export function checkThemeOverrides(themeDir: string, diags: Diagnostics): void {
  for (const rel of OVERRIDABLE) {
    const found = findSiteFile(themeDir, rel);
    if ('problem' in found && found.problem === 'outside')
      diags.warn(
        'theme/outside-site',
        `${rel} ${describeProblem('outside')}; bookbinder's own ${rel} is used`,
        rel,
        0,
      );
  }
}

/** Fills `{{name}}` slots of a template; unknown slots are left empty. */
export function fillTemplate(template: string, slots: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*([a-zA-Z]+)\s*\}\}/g, (_, name: string) => slots[name] ?? '');
}

/** The page `<style>` blocks, hoisted once each, in first-seen order. */
export function hoistedStyles(chapters: readonly RenderedChapter[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of chapters) {
    for (const s of c.styles) {
      if (s === '' || seen.has(s)) continue;
      seen.add(s);
      out.push(s);
    }
  }
  return out;
}

/** A CSS string literal. */
export function cssString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, ' ')}"`;
}

/** The CSS page name of a chapter. */
export function pageName(chapterId: string): string {
  return `ch-${chapterId.replace(/[^a-zA-Z0-9-]/g, '-')}`;
}

/** Renders one chapter as a `<section>` with its title. */
export function chapterSection(c: RenderedChapter, html: string, heading = 'h1'): string {
  const { chapter } = c;
  return (
    `<section class="chapter chapter-depth-${chapter.depth}" id="${chapter.id}" data-source="${escapeHtml(chapter.page.source)}">` +
    `<${heading} class="chapter-title">${escapeHtml(c.pageTitle ?? chapter.title)}</${heading}>\n${html}</section>`
  );
}

/** The print settings of a stitch for the PDF. */
export interface PrintOptions {
  readonly config: PdfConfig;
  /** Ids that need a named destination in the PDF (bookmark targets). */
  readonly destinations: readonly string[];
  /** Chapters that get a blank page before them, so that they open on a right-hand page. */
  readonly blankBefore?: ReadonlySet<string>;
  /** The date printed on the title page. */
  readonly date?: string;
}

/** Options for stitching. */
export interface StitchOptions {
  readonly medium: Medium;
  readonly style: ReferenceStyle;
  readonly pages?: PageLabels;
  /** Where a user's `templates/` and `styles/` override ours (the source folder). */
  readonly themeDir?: string;
  readonly print?: PrintOptions;
}

/** The parts of a stitched document, composed once and assembled into one or more files. */
export interface StitchParts {
  readonly titlePage: string;
  readonly toc: string;
  /** One `<section>` per chapter, in book order (a blank page before it when asked). */
  readonly chapters: readonly string[];
  /** The whole document from these parts, or from some of them (an absent part is left out). */
  readonly assemble: (parts: { titlePage?: string; toc?: string; chapters?: string }) => string;
}

const SLOTS = {
  titlePage: '\u0000bb-title\u0000',
  toc: '\u0000bb-toc\u0000',
  chapters: '\u0000bb-chapters\u0000',
};

/** The generated contents, its links resolved; with page labels when they are known. */
export function contentsHtml(
  book: Book,
  style: ReferenceStyle,
  pages?: PageLabels,
  tocDepth?: number,
): string {
  return finalizeHtml(
    renderToc(book.chapters, 'Contents', pages, tocDepth),
    chapterTable(book.chapters),
    style,
  );
}

/** Composes the stitched document's parts; {@link stitch} joins them into one file. */
export function stitchParts(book: Book, options: StitchOptions): StitchParts {
  const { print, themeDir } = options;
  const table = chapterTable(book.chapters);
  const chapters = book.chapters.map((c) => {
    let html = finalizeHtml(c.html, table, options.style);
    if (print)
      html = printLinkAddresses(markExternalLinks(markParagraphs(openDetails(html))), print.config.printUrls);
    const blank = print?.blankBefore?.has(c.chapter.id) ? BLANK_PAGE : '';
    return blank + chapterSection(c, html);
  });
  const toc = contentsHtml(book, options.style, options.pages, print?.config.tocDepth);
  const { site } = book;
  // The settings' page box and fonts come after book.css (whose font variables they replace)
  // and before print.css, so a theme's print.css can still override them.
  const css = [
    book.theme?.bookCss ?? readAsset('styles', 'book.css', themeDir),
    componentCss(book.site),
    print ? printPageCss(print.config) : '',
    options.medium === 'print' ? readAsset('styles', 'print.css', themeDir) : '',
    ...(book.theme?.css ?? []),
  ].join('\n');
  const optional = (cls: string, text: string): string =>
    text === '' ? '' : `<p class="${cls}">${escapeHtml(text)}</p>`;
  const titlePage = fillTemplate(
    book.theme?.titlePage ?? readAsset('templates', 'title-page.html', themeDir),
    {
      title: escapeHtml(book.title),
      subtitle: optional('book-subtitle', print?.config.subtitle ?? ''),
      author: escapeHtml(site.author.join(', ')),
      authors: site.author.map((a) => `<p class="book-author">${escapeHtml(a)}</p>`).join(''),
      date: optional('book-date', print?.date ?? ''),
      description: optional('book-description', site.description),
      destinations: print ? destinationLinks(print.destinations) : '',
    },
  );
  const page = fillTemplate(readAsset('templates', 'book.html', themeDir), {
    lang: escapeHtml(site.lang),
    title: escapeHtml(book.title),
    author: escapeHtml(site.author.join(', ')),
    description: escapeHtml(site.description),
    css: `<style>\n${css}\n</style>`,
    pageStyles: hoistedStyles(book.chapters)
      .map((s) => `<style data-from="pages">\n${s}\n</style>`)
      .join('\n'),
    // The body slots are filled with markers, replaced by each assembled file's own parts.
    ...SLOTS,
  });
  return {
    titlePage,
    toc,
    chapters,
    assemble: (parts) =>
      page
        .replace(SLOTS.titlePage, () => parts.titlePage ?? '')
        .replace(SLOTS.toc, () => parts.toc ?? '')
        .replace(SLOTS.chapters, () => parts.chapters ?? ''),
  };
}

/** Builds the whole stitched document. */
export function stitch(book: Book, options: StitchOptions): string {
  const p = stitchParts(book, options);
  return p.assemble({ titlePage: p.titlePage, toc: p.toc, chapters: p.chapters.join('\n') });
}
