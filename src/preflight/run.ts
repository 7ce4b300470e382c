/**
 * The print preflight of a finished PDF: runs poppler (pdftotext, pdffonts, pdftoppm) and qpdf
 * on it and applies the pure checks of ./checks.ts. Usable on any PDF bookbinder made, by the
 * `bookbinder preflight` command, the tests and programs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readPdfConfig } from '../config/pdf.js';
import { Diagnostics } from '../diagnostics.js';
import {
  bookWords,
  chapterStarts,
  checkFonts,
  checkHalfEmpty,
  checkHyphenTurns,
  checkOutside,
  checkSingleLine,
  familyKey,
  type Ink,
  type PageGeometry,
  type PreflightProblem,
  textBlock,
} from './checks.js';
import {
  type Box,
  inkRange,
  parseBboxLayout,
  parsePdfFonts,
  parsePgm,
  parseQpdfOutline,
  type PdfFontRow,
} from './parse.js';

/** Page settings of the book to check against; unset ones are bookbinder's documented defaults. */
export interface PreflightOptions {
  /** Margins as CSS lengths (`22mm`, `0.75in`), as under `bookbinder: pdf: margins:`. */
  readonly margins?: {
    readonly top?: string;
    readonly bottom?: string;
    readonly inner?: string;
    readonly outer?: string;
  };
  /** The book was set two-sided (mirrored margins; default margins 24mm inner, 18mm outer). */
  readonly twoSided?: boolean;
}

/** What the preflight found in one PDF. */
export interface PreflightReport {
  readonly file: string;
  readonly pages: number;
  /** The margins used, in points. */
  readonly geometry: PageGeometry;
  /** The fonts of the PDF (name without subset tag, type), one per name and type. */
  readonly fonts: readonly PdfFontRow[];
  readonly problems: readonly PreflightProblem[];
}

/** A missing tool or an unreadable PDF: the preflight cannot say anything about the file. */
export class PreflightError extends Error {}

function tool(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new PreflightError(
      missing
        ? `${cmd} is not installed (it comes with ${cmd === 'qpdf' ? 'qpdf' : 'poppler-utils'})`
        : r.error.message,
    );
  }
  // qpdf exits 3 for warnings it recovered from; its JSON is still good.
  if (r.status !== 0 && !(cmd === 'qpdf' && r.status === 3))
    throw new PreflightError(`${cmd} failed on the file: ${(r.stderr || '').trim().split('\n')[0] ?? ''}`);
  return r.stdout;
}

/** Resolves margins exactly as a build would, so the defaults are never written twice. */
export function geometryOf(opts: PreflightOptions): PageGeometry {
  const margins = Object.fromEntries(Object.entries(opts.margins ?? {}).filter(([, v]) => v !== undefined));
  const diags = new Diagnostics();
  const cfg = readPdfConfig({ bookbinder: { pdf: { margins, two_sided: opts.twoSided === true } } }, diags);
  const bad = diags.list().find((d) => d.severity !== 'info');
  if (bad) throw new PreflightError(bad.message.replace(/^bookbinder\.pdf\./, ''));
  return {
    top: cfg.top.pt,
    bottom: cfg.bottom.pt,
    inner: cfg.inner.pt,
    outer: cfg.outer.pt,
    twoSided: cfg.twoSided,
  };
}

/**
 * The font families bookbinder ships: every `@fontsource` package installed beside its Noto
 * Serif (the body face) and KaTeX's fonts, as family keys (`notoserif`, `katexmain`).
 */
export function bundledFamilies(): Set<string> {
  const require = createRequire(import.meta.url);
  const set = new Set<string>();
  try {
    const scope = dirname(dirname(require.resolve('@fontsource/noto-serif/package.json')));
    for (const pkg of readdirSync(scope)) set.add(pkg.replace(/[^a-z0-9]/g, ''));
  } catch {
    // No fontsource packages installed: nothing counts as bundled, which the check then says.
  }
  try {
    const fonts = join(dirname(require.resolve('katex/package.json')), 'dist', 'fonts');
    for (const f of readdirSync(fonts)) set.add(familyKey(f.replace(/\.\w+$/, '')));
  } catch {
    // KaTeX absent: its fonts are not bundled either.
  }
  return set;
}

/** Renders the pages in grey at a low resolution and finds the ink in each text block. */
function inkOf(file: string, pages: ReturnType<typeof parseBboxLayout>, g: PageGeometry): Ink[] {
  const dpi = 18;
  const dir = mkdtempSync(join(tmpdir(), 'bb-preflight-'));
  try {
    tool('pdftoppm', ['-gray', '-r', String(dpi), file, join(dir, 'p')]);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.pgm'))
      .sort((a, b) => Number(/(\d+)\.pgm$/.exec(a)?.[1]) - Number(/(\d+)\.pgm$/.exec(b)?.[1]));
    return pages.map((p, i) => {
      const f = files[i];
      if (!f) return undefined;
      const img = parsePgm(readFileSync(join(dir, f)));
      return inkRange(img, textBlock(p, g), img.width / p.width);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether a band of a page (points from its top left) holds ink, rendered finely (4 px a point). */
function inkInBand(file: string, page: number, band: Box): boolean {
  const scale = 4;
  const dir = mkdtempSync(join(tmpdir(), 'bb-preflight-band-'));
  try {
    const px = (n: number): string => String(Math.max(1, Math.round(n * scale)));
    tool('pdftoppm', [
      '-gray',
      '-r',
      String(72 * scale),
      '-f',
      String(page),
      '-l',
      String(page),
      '-x',
      String(Math.max(0, Math.floor(band.xMin * scale))),
      '-y',
      String(Math.max(0, Math.floor(band.yMin * scale))),
      '-W',
      px(band.xMax - band.xMin),
      '-H',
      px(band.yMax - band.yMin),
      file,
      join(dir, 'b'),
    ]);
    const f = readdirSync(dir).find((n) => n.endsWith('.pgm'));
    if (!f) return true;
    const img = parsePgm(readFileSync(join(dir, f)));
    return inkRange(img, { xMin: 0, yMin: 0, xMax: img.width, yMax: img.height }, 1) !== undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Checks a PDF as a printer's preflight and a book designer would: glyphs outside the text
 * block, Type 3 fonts, fonts bookbinder does not bundle, pages holding a single line, words
 * hyphenated across a page turn, and pages more than half empty that do not end a chapter
 * (chapter starts are the PDF's bookmarks). Throws {@link PreflightError} when a tool is
 * missing or the file is not a readable PDF.
 */
export function preflight(file: string, opts: PreflightOptions = {}): PreflightReport {
  if (!existsSync(file)) throw new PreflightError(`${file}: no such file`);
  const geometry = geometryOf(opts);
  const pages = parseBboxLayout(tool('pdftotext', ['-bbox-layout', file, '-']));
  const fonts = parsePdfFonts(tool('pdffonts', [file]));
  let outlineJson: unknown;
  try {
    outlineJson = JSON.parse(tool('qpdf', ['--json', '--json-key=outlines', file]));
  } catch (e) {
    if (e instanceof PreflightError) throw e;
    throw new PreflightError('qpdf printed no JSON for the file');
  }
  const outline = parseQpdfOutline(outlineJson);
  const ink = inkOf(file, pages, geometry);
  const words = bookWords(pages);
  const starts = chapterStarts(outline, pages);
  const problems: PreflightProblem[] = [
    ...checkFonts(fonts, bundledFamilies()),
    ...pages.flatMap((p, i) => [
      ...checkOutside(p, geometry, (band) => inkInBand(file, p.index, band)),
      ...checkSingleLine(p, geometry, ink[i], starts.has(p.index)),
    ]),
    ...checkHyphenTurns(pages, geometry, words),
    ...checkHalfEmpty(pages, geometry, starts, ink),
  ].sort((a, b) => a.page - b.page || a.code.localeCompare(b.code));
  const unique = new Map(fonts.map((f) => [`${f.name}\0${f.type}`, f]));
  return { file, pages: pages.length, geometry, fonts: [...unique.values()], problems };
}
