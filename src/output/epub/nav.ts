/**
 * The EPUB's two contents trees, both mirroring the book's navigation: the EPUB 3 navigation
 * document's nested `<ol>` (with landmarks) and the NCX's nested navPoints for EPUB 2 readers.
 */
import { escapeXml } from './dom.js';

/** One entry of the contents: a chapter file, its title and its depth (0 = top level). */
export interface NavEntry {
  readonly file: string;
  readonly title: string;
  readonly depth: number;
}

const esc = (s: string): string => escapeXml(s).replace(/"/g, '&quot;');

/** The nested `<ol>` of the navigation document. */
export function navList(entries: readonly NavEntry[]): string {
  let html = '';
  let depth = -1;
  for (const e of entries) {
    // A child deeper than one level below its predecessor is attached one level down.
    const d = Math.min(e.depth, depth + 1);
    if (d > depth) html += '<ol>';
    else {
      html += '</li>';
      for (let x = depth; x > d; x--) html += '</ol></li>';
    }
    depth = d;
    html += `<li><a href="${esc(e.file)}">${esc(e.title)}</a>`;
  }
  if (depth >= 0) html += '</li>';
  for (let x = depth; x > 0; x--) html += '</ol></li>';
  if (depth >= 0) html += '</ol>';
  return html;
}

/** The NCX navPoints, nested like the navigation document, and the depth of the tree. */
export function ncxPoints(entries: readonly NavEntry[]): { xml: string; depth: number } {
  let xml = '';
  let depth = -1;
  let max = 0;
  entries.forEach((e, i) => {
    const d = Math.min(e.depth, depth + 1);
    for (let x = depth; x >= d; x--) xml += '</navPoint>';
    depth = d;
    max = Math.max(max, d + 1);
    xml += `<navPoint id="nav-${i + 1}" playOrder="${i + 1}"><navLabel><text>${esc(e.title)}</text></navLabel><content src="${esc(e.file)}"/>`;
  });
  for (let x = depth; x >= 0; x--) xml += '</navPoint>';
  return { xml, depth: Math.max(1, max) };
}

/** The landmarks: cover (when there is one), contents and the start of the body. */
export function landmarks(cover: string | undefined, toc: string, body: string | undefined): string {
  const items = [
    cover && `<li><a epub:type="cover" href="${esc(cover)}">Cover</a></li>`,
    `<li><a epub:type="toc" href="${esc(toc)}">Contents</a></li>`,
    body && `<li><a epub:type="bodymatter" href="${esc(body)}">Start of content</a></li>`,
  ];
  return `<ol>${items.filter(Boolean).join('')}</ol>`;
}
