/** The book's generated table of contents: a nested list of chapters in reading order. */

import { escapeHtml } from '../markdown/render.js';
import type { RenderedChapter } from '../model.js';

/** Page labels per chapter id, filled once the PDF has been laid out. */
export type PageLabels = ReadonlyMap<string, string>;

/**
 * Renders the contents as nested `<ol>`s down to `maxDepth` navigation levels; chapter hrefs are
 * `bbref:` placeholders. With page labels each entry gets a dot leader and its page number.
 */
export function renderToc(
  chapters: readonly RenderedChapter[],
  title: string,
  pages?: PageLabels,
  maxDepth = Number.POSITIVE_INFINITY,
): string {
  let html = '';
  let depth = -1;
  for (const { chapter } of chapters) {
    if (chapter.depth >= maxDepth) continue;
    if (chapter.depth > depth) {
      for (let d = depth; d < chapter.depth; d++) html += `<ol class="toc-level-${d + 1}">`;
    } else {
      html += '</li>';
      for (let d = depth; d > chapter.depth; d--) html += '</ol></li>';
    }
    depth = chapter.depth;
    const page = pages?.get(chapter.id);
    html +=
      `<li class="toc-entry toc-depth-${chapter.depth}"><a href="bbref:${chapter.id}">` +
      `<span class="toc-title">${escapeHtml(chapter.title)}</span>` +
      (pages ? '<span class="toc-leader" aria-hidden="true"></span>' : '') +
      `<span class="toc-page">${page === undefined ? '' : escapeHtml(page)}</span></a>`;
  }
  if (depth >= 0) html += '</li>';
  for (let d = depth; d > 0; d--) html += '</ol></li>';
  if (depth >= 0) html += '</ol>';
  return `<nav class="book-toc" id="bb-contents" role="doc-toc" aria-labelledby="bb-contents-title"><h1 id="bb-contents-title" class="toc-heading">${escapeHtml(title)}</h1>${html}</nav>`;
}
