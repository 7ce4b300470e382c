/** Turns the render's placeholders (`bbref:`, `bbasset:`, `bbmissing:`) into real references. */

import { escapeHtml } from '../markdown/render.js';
import type { RenderedChapter } from '../model.js';

/** How one output addresses chapters and assets. */
export interface ReferenceStyle {
  /** The href for a chapter (and an id inside the book), e.g. `#id` or `file.xhtml#id`. */
  chapterHref(chapterId: string, bookId: string | undefined): string;
  /** The URL of an asset, by its path relative to the source folder. */
  assetUrl(source: string): string;
}

/** Per chapter id: the chapter and its local-id → book-id table. */
export type ChapterTable = ReadonlyMap<string, RenderedChapter>;

/** Indexes rendered chapters by id. */
export function chapterTable(chapters: readonly RenderedChapter[]): ChapterTable {
  return new Map(chapters.map((c) => [c.chapter.id, c]));
}

const REF = /(href|src|xlink:href)="(bbref|bbasset|bbmissing|bbdead):([^"]*)"/g;

/** Rewrites one chapter's placeholders for an output. */
export function finalizeHtml(html: string, table: ChapterTable, style: ReferenceStyle): string {
  const out = html.replace(REF, (_all, attr: string, kind: string, rest: string) => {
    if (kind === 'bbasset') return `${attr}="${escapeHtml(style.assetUrl(decodeAttr(rest)))}"`;
    if (kind === 'bbmissing') return `${attr}="${MISSING_IMAGE}" data-missing="${rest}"`;
    // A link to nothing in the book keeps its text; an href would lead nowhere in a PDF or EPUB.
    if (kind === 'bbdead') return `data-unresolved="${rest}"`;
    const hash = rest.indexOf('#');
    const chapterId = hash === -1 ? rest : rest.slice(0, hash);
    const fragment = hash === -1 ? '' : decodeFragment(rest.slice(hash + 1));
    const target = table.get(chapterId);
    // A fragment the chapter does not have (warned at resolve time) lands on the chapter itself.
    const bookId = fragment === '' ? undefined : target?.anchors[fragment];
    return `${attr}="${escapeHtml(style.chapterHref(chapterId, bookId))}"`;
  });
  return out;
}

function decodeAttr(s: string): string {
  return s.replace(/&amp;/g, '&');
}

function decodeFragment(s: string): string {
  try {
    return decodeURIComponent(decodeAttr(s));
  } catch {
    return decodeAttr(s);
  }
}

/** A visible placeholder for an image that could not be found (its alt text stays). */
export const MISSING_IMAGE =
  'data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 width=%22240%22 height=%2260%22%3E%3Crect width=%22240%22 height=%2260%22 fill=%22%23f3f3f3%22 stroke=%22%23c00%22 stroke-dasharray=%224%22/%3E%3Ctext x=%22120%22 y=%2236%22 font-family=%22sans-serif%22 font-size=%2214%22 text-anchor=%22middle%22 fill=%22%23c00%22%3Eimage not found%3C/text%3E%3C/svg%3E';
