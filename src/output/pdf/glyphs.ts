/**
 * Characters the PDF cannot draw: no bundled font has them, and Chromium is given no other
 * fonts (see `browser/launch.ts`), so they would print as empty boxes without a word. Each is
 * reported once per line of the page that wrote it (`font/missing-glyph`).
 */
import type { Diagnostics } from '../../diagnostics.js';
import type { Book, RenderedChapter } from '../../model.js';
import { codePoints, type FontProblem, missingGlyphs } from '../../fonts/bundled.js';

/** A `FontProblem` that reports each unreadable bundled font once as `font/unreadable`. */
export function fontProblemReporter(diags: Diagnostics): FontProblem {
  const told = new Set<string>();
  return (file, message) => {
    if (told.has(file)) return;
    told.add(file);
    diags.warn(
      'font/unreadable',
      `the bundled font ${file} cannot be read (${message}); its characters are assumed to be in it`,
    );
  };
}

/** The text a chapter prints: its HTML without tags, numeric character references decoded. */
function printedText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#(?:x([0-9a-f]+)|([0-9]+));/gi, (all, hex: string | undefined, dec: string | undefined) => {
      const cp = hex === undefined ? Number(dec) : Number.parseInt(hex, 16);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : all;
    });
}

/** The file line where a page wrote a character: its first use in the body, else its title. */
function lineOf(chapter: RenderedChapter, ch: string): number {
  const page = chapter.chapter.page;
  const at = page.body.indexOf(ch);
  if (at === -1) return page.front.lines.title ?? page.bodyLine;
  const line = page.body.slice(0, at).split('\n').length - 1;
  return page.bodyLine + (page.sourceLines?.[line] ?? line);
}

/** `"☃" (U+2603)` */
function describe(cp: number): string {
  return `"${String.fromCodePoint(cp)}" (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
}

/**
 * Warns about every character of the book that no bundled font draws, at the file and line
 * that wrote it; characters of the book's title are reported at `_config.yml`.
 */
export function reportMissingGlyphs(book: Book, diags: Diagnostics, problem?: FontProblem): void {
  const warn = (file: string, line: number, cps: readonly number[]): void => {
    const they = cps.length === 1 ? 'it prints' : 'they print';
    diags.warn(
      'font/missing-glyph',
      `no font bookbinder bundles has a glyph for ${cps.map(describe).join(', ')}; ${they} as an empty box in the PDF`,
      file,
      line,
    );
  };
  const inTitle = missingGlyphs(codePoints(book.title), problem);
  if (inTitle.length > 0) warn('_config.yml', 0, inTitle);
  for (const chapter of book.chapters) {
    const missing = missingGlyphs(codePoints(printedText(chapter.html)), problem);
    if (missing.length === 0) continue;
    const byLine = new Map<number, number[]>();
    for (const cp of missing) {
      const line = lineOf(chapter, String.fromCodePoint(cp));
      byLine.set(line, [...(byLine.get(line) ?? []), cp]);
    }
    for (const [line, cps] of [...byLine].sort((a, b) => a[0] - b[0]))
      warn(chapter.chapter.page.source, line, cps);
  }
}
