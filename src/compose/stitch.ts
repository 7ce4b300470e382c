/**
 * Stitches the rendered chapters into one HTML document from `templates/book.html` and the
 * stylesheets in `styles/`: title page, contents, then every chapter on a new page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeHtml } from '../markdown/render.js';
import type { Book, RenderedChapter } from '../model.js';
import { packageRoot } from '../paths.js';
import { componentCss } from './components.js';
import { chapterTable, finalizeHtml, type ReferenceStyle } from './finalize.js';
import { type PageLabels, renderToc } from './toc.js';

/** Which medium a stylesheet set is for. */
export type Medium = 'print' | 'screen' | 'epub';

/** Reads one of bookbinder's own template or style files. */
export function readAsset(kind: 'templates' | 'styles', name: string): string {
  return readFileSync(join(packageRoot(), kind, name), 'utf8');
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

/** Running heads: one named page per chapter, since Chromium has no `string-set`. */
function runningHeadCss(book: Book): string {
  return book.chapters
    .map(
      ({ chapter }) =>
        `#${chapter.id}{page:${pageName(chapter.id)}}@page ${pageName(chapter.id)}{@top-center{content:${cssString(chapter.title)}}}`,
    )
    .join('\n');
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
    `<${heading} class="chapter-title">${escapeHtml(chapter.title)}</${heading}>\n${html}</section>`
  );
}

/** Options for stitching. */
export interface StitchOptions {
  readonly medium: Medium;
  readonly style: ReferenceStyle;
  readonly pages?: PageLabels;
}

/** Builds the whole stitched document. */
export function stitch(book: Book, options: StitchOptions): string {
  const table = chapterTable(book.chapters);
  const chapters = book.chapters
    .map((c) => chapterSection(c, finalizeHtml(c.html, table, options.style)))
    .join('\n');
  const toc = finalizeHtml(renderToc(book.chapters, 'Contents', options.pages), table, options.style);
  const { site } = book;
  const css = [
    readAsset('styles', 'book.css'),
    componentCss(book.site),
    options.medium === 'print' ? readAsset('styles', 'print.css') : '',
    ...(book.theme?.css ?? []),
  ].join('\n');
  const pageCss = options.medium === 'print' ? runningHeadCss(book) : '';
  const titlePage = fillTemplate(book.theme?.titlePage ?? readAsset('templates', 'title-page.html'), {
    title: escapeHtml(book.title),
    author: escapeHtml(site.author.join(', ')),
    description: escapeHtml(site.description),
  });
  return fillTemplate(readAsset('templates', 'book.html'), {
    lang: escapeHtml(site.lang),
    title: escapeHtml(book.title),
    author: escapeHtml(site.author.join(', ')),
    description: escapeHtml(site.description),
    css: `<style>\n${css}\n${pageCss}\n</style>`,
    pageStyles: hoistedStyles(book.chapters)
      .map((s) => `<style data-from="pages">\n${s}\n</style>`)
      .join('\n'),
    titlePage,
    toc,
    chapters,
  });
}
