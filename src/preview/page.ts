/**
 * The preview page: the book stitched with the print styles, its sheets drawn on screen the
 * size the PDF's pages are, a panel with the current diagnostics, and a tiny reload script
 * (only here: the page the PDF is printed from runs no JavaScript at all).
 */
import type { BuildResult } from '../build.js';
import type { ReferenceStyle } from '../compose/finalize.js';
import { stitch } from '../compose/stitch.js';
import { type PdfConfig, readPdfConfig } from '../config/pdf.js';
import { type Diagnostic, Diagnostics, formatDiagnostic } from '../diagnostics.js';
import { escapeHtml } from '../markdown/render.js';

/** The preview's styles; the sheets have the PDF's page size and margins. */
const previewCss = (pdf: PdfConfig): string => `
@media screen {
  html { background: #e8e6ec; }
  body { margin: 0; padding: 3rem 0 4rem; }
  main.book { max-width: none; padding: 0; }
  .title-page, .book-toc, .chapter {
    box-sizing: border-box; width: ${pdf.width.css}; min-height: ${pdf.height.css}; margin: 0 auto 1.5rem;
    padding: ${pdf.top.css} ${pdf.outer.css} ${pdf.bottom.css} ${pdf.inner.css}; background: #fff; box-shadow: 0 1px 4px rgba(0, 0, 0, .25);
  }
  #bb-preview-bar {
    position: fixed; top: 0; left: 0; right: 0; z-index: 10; display: flex; gap: 1rem;
    align-items: center; padding: .4rem 1rem; font: 13px/1.4 system-ui, sans-serif;
    background: #27262b; color: #eee;
  }
  #bb-preview-bar a { color: #9ecbff; }
  #bb-preview-diagnostics {
    position: fixed; bottom: 0; left: 0; right: 0; z-index: 10; max-height: 30vh; overflow: auto;
    margin: 0; padding: .5rem 1rem; font: 12px/1.5 ui-monospace, monospace; background: #fff8e6;
    border-top: 2px solid #d4a017; white-space: pre-wrap;
  }
  #bb-preview-diagnostics.has-errors { background: #fdecec; border-color: #c62828; }
  #bb-preview-diagnostics:empty { display: none; }
}
@media print { #bb-preview-bar, #bb-preview-diagnostics { display: none; } }
`;

/** Resolves chapter links inside the one page and images under `/src/`. */
const previewStyle = (assets: ReadonlyMap<string, string>): ReferenceStyle => ({
  chapterHref: (chapterId, bookId) => `#${bookId ?? chapterId}`,
  assetUrl: (source) => (assets.has(source) ? `/src/${encodeURI(source)}` : source),
});

function reloadScript(generation: number, nonce: string): string {
  // Keeps the reader's place across reloads; reloads when the server reports a newer build.
  return `<script nonce="${nonce}">
(() => {
  const shown = ${JSON.stringify(String(generation))};
  const y = sessionStorage.getItem('bb-preview-y');
  if (y !== null) { sessionStorage.removeItem('bb-preview-y'); addEventListener('load', () => scrollTo(0, Number(y))); }
  const events = new EventSource('/events');
  events.addEventListener('build', (e) => {
    if (e.data === shown) return;
    sessionStorage.setItem('bb-preview-y', String(scrollY));
    events.close();
    location.reload();
  });
})();
</script>`;
}

/** Renders the preview page of one build. */
export function previewPage(
  result: BuildResult,
  generation: number,
  nonce: string,
  more: readonly Diagnostic[] = [],
): string {
  const all = [...result.diagnostics, ...more];
  const errors = all.filter((d) => d.severity === 'error').length;
  const warnings = all.filter((d) => d.severity === 'warning').length;
  // The settings were checked by the build: its warnings are already in the panel.
  const pdf = readPdfConfig(result.book?.site.data ?? {}, new Diagnostics());
  const PREVIEW_CSS = previewCss(pdf);
  const panel =
    `<pre id="bb-preview-diagnostics" class="${errors > 0 ? 'has-errors' : ''}">` +
    all
      .filter((d) => d.severity !== 'info')
      .map((d) => escapeHtml(formatDiagnostic(d)))
      .join('\n') +
    '</pre>';
  const bar =
    `<div id="bb-preview-bar" data-generation="${generation}"><strong>bookbinder preview</strong>` +
    `<span>build ${generation}: ${result.report.chapters.length} chapters, ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}</span>` +
    `<a href="/book.pdf" target="_blank">open the PDF</a></div>`;
  const chrome = `${bar}\n${panel}\n${reloadScript(generation, nonce)}`;
  if (!result.book)
    return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>bookbinder preview</title><style>${PREVIEW_CSS}</style></head><body>${chrome}</body></html>`;
  const html = stitch(result.book, { medium: 'print', style: previewStyle(result.assets ?? new Map()) });
  return html
    .replace('</head>', () => `<style id="bb-preview-style">${PREVIEW_CSS}</style>\n</head>`)
    .replace(/<body([^>]*)>/, (m) => `${m}\n${chrome}`);
}
