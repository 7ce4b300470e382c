/**
 * The print PDF: the stitched document laid out by headless Chromium twice. Pass 1 learns where
 * each chapter starts (from the named destinations); pass 2 prints the contents with those page
 * numbers and the blank pages that make chapters open on the right. pdf-lib then draws the
 * running heads and folios, writes the page labels, the bookmarks from the book's tree and the
 * metadata, and saves reproducibly.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import type { Browser } from 'puppeteer';
import { withPage } from '../../browser/pool.js';
import { BOOK_ORIGIN, sandboxPage } from '../../browser/serve.js';
import { type PdfConfig, readPdfConfig } from '../../config/pdf.js';
import type { ReferenceStyle } from '../../compose/finalize.js';
import { hyphenateHtml, hyphenatorFor } from '../../compose/hyphenate.js';
import { type PrintOptions, stitch } from '../../compose/stitch.js';
import type { Diagnostics } from '../../diagnostics.js';
import type { Book } from '../../model.js';
import { fontFile } from './fonts.js';
import { drawableHead, drawRunningHeads } from './heads.js';
import { bookMetadata, normaliseStructureIds, saveReproducibly, setMetadata } from './metadata.js';
import { outlineDestinations, outlineTree, writeOutline } from './outline.js';
import { type PageInfo, planPages, readDestinations, writePageLabels } from './pages.js';
import { dropSoftHyphenText } from './text.js';

export { destinationPages } from './pages.js';

/** Where each chapter starts in the PDF. */
export interface ChapterPage {
  /** 1-based page index in the file. */
  readonly page: number;
  /** The page number printed on that page. */
  readonly pageLabel: string;
}

/** The PDF and where its chapters start. */
export interface PdfResult {
  readonly pdf: Uint8Array;
  readonly pages: ReadonlyMap<string, ChapterPage>;
}

/** PDF options. */
export interface PdfOptions {
  readonly assets: ReadonlyMap<string, string>;
  /** Seconds since the epoch for dates (`SOURCE_DATE_EPOCH`), or undefined for now. */
  readonly sourceDateEpoch?: number;
  readonly timeoutMs: number;
  /** The source folder: its `templates/` and `styles/` override ours. */
  readonly themeDir?: string;
}

const printStyle = (assetPaths: ReadonlyMap<string, string>): ReferenceStyle => ({
  chapterHref: (chapterId, bookId) => `#${bookId ?? chapterId}`,
  assetUrl: (source) => (assetPaths.has(source) ? `/src/${encodeURI(source)}` : source),
});

async function printOnce(browser: Browser, html: string, opts: PdfOptions, diags: Diagnostics): Promise<Uint8Array> {
  return withPage(browser, async (page) => {
    page.setDefaultTimeout(opts.timeoutMs);
    page.setDefaultNavigationTimeout(opts.timeoutMs);
    const blocked = new Set<string>();
    await sandboxPage(
      page,
      html,
      (path) => (path.startsWith('/src/') ? opts.assets.get(path.slice(5)) : fontFile(path)),
      (url) => blocked.add(url),
    );
    await page.goto(`${BOOK_ORIGIN}/index.html`, { waitUntil: 'load', timeout: opts.timeoutMs });
    // Fonts are split by Unicode range and fetched once layout meets their characters; with
    // scripts off `document.fonts.ready` cannot be awaited, so wait for the requests to settle.
    await page.waitForNetworkIdle({ idleTime: 100, timeout: opts.timeoutMs });
    const pdf = await page.pdf({
      printBackground: true,
      preferCSSPageSize: true,
      outline: false,
      tagged: true,
      timeout: opts.timeoutMs,
    });
    for (const url of blocked) diags.warn('pdf/request-blocked', `the PDF renderer was refused ${url.slice(0, 200)}`);
    return pdf;
  });
}

/** The date on the title page, in the book's language: fixed text, the epoch's day, or today. */
function titleDate(cfg: PdfConfig, lang: string, epoch: number | undefined): string {
  if (cfg.noDate) return '';
  if (cfg.date !== undefined) return cfg.date;
  const date = epoch === undefined ? new Date() : new Date(epoch * 1000);
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  } catch {
    return date.toISOString().slice(0, 10);
  }
}

/** Prints the book: a first pass to learn page numbers, a second with them in the contents. */
export async function renderPdf(browser: Browser, book: Book, opts: PdfOptions, diags: Diagnostics): Promise<PdfResult> {
  const configFile = opts.themeDir === undefined ? undefined : join(opts.themeDir, '_config.yml');
  const configText = configFile && existsSync(configFile) ? readFileSync(configFile, 'utf8') : '';
  const cfg = readPdfConfig(book.site.data, diags, configText);
  const style = printStyle(opts.assets);
  const tree = outlineTree(book.chapters);
  const words = cfg.hyphenate ? hyphenatorFor(book.site.lang) : undefined;
  if (cfg.hyphenate && !words)
    diags.info('pdf/no-hyphenation', `no hyphenation patterns for language "${book.site.lang}"; text is not hyphenated`);
  const print: PrintOptions = {
    config: cfg,
    destinations: ['bb-contents', ...outlineDestinations(tree)],
    ...(words && { hyphenate: (html: string) => hyphenateHtml(html, words) }),
    date: titleDate(cfg, book.site.lang, opts.sourceDateEpoch),
  };
  const ids = book.chapters.map((c) => c.chapter.id);
  const stitchWith = (pages: ReadonlyMap<string, string>, blankBefore: ReadonlySet<string>): string =>
    stitch(book, { medium: 'print', style, pages, ...(opts.themeDir !== undefined && { themeDir: opts.themeDir }), print: { ...print, blankBefore } });

  // Pass 1: placeholder numbers as wide as real ones, so the contents keeps its length.
  const placeholder = new Map(ids.map((id) => [id, '000']));
  const first = await PDFDocument.load(await printOnce(browser, stitchWith(placeholder, new Set()), opts, diags), {
    updateMetadata: false,
  });
  const firstStarts = chapterStarts(first, ids);
  const blankBefore = cfg.chaptersOnRight ? blanksForRightHand(book, firstStarts) : new Set<number>();
  const expected = shiftedStarts(firstStarts, blankBefore);
  const expectedPlan = planPages(Math.max(0, ...expected.map((s) => s ?? 0)), expected, blankBefore);
  const labels = new Map<string, string>();
  ids.forEach((id, i) => {
    const s = expected[i];
    const info = s === undefined ? undefined : expectedPlan[s - 1];
    if (info) labels.set(id, info.label);
  });

  // Pass 2: the real numbers and the blank pages.
  const blankIds = new Set([...blankBefore].map((i) => ids[i]!));
  const doc = await PDFDocument.load(await printOnce(browser, stitchWith(labels, blankIds), opts, diags), {
    updateMetadata: false,
  });
  const dests = readDestinations(doc);
  const starts = ids.map((id) => dests.get(id)?.page);
  const plan = planPages(doc.getPageCount(), starts, blankBefore);
  const pages = new Map<string, ChapterPage>();
  ids.forEach((id, i) => {
    const page = starts[i];
    if (page === undefined) {
      diags.warn('pdf/chapter-not-found', `chapter ${id} was not found in the laid-out PDF`, book.chapters[i]!.chapter.page.source, 1);
      return;
    }
    pages.set(id, { page, pageLabel: plan[page - 1]!.label });
    if (page !== expected[i])
      diags.warn('pdf/toc-drift', `the contents page number of chapter ${id} moved between passes (${expected[i]} → ${page})`);
  });

  await finishPdf(doc, book, plan, cfg, dests, opts.sourceDateEpoch, diags);
  return { pdf: await saveReproducibly(doc), pages };
}

/** pdf-lib's part, on a laid-out document: heads and folios, labels, bookmarks, metadata. */
async function finishPdf(
  doc: PDFDocument,
  book: Book,
  plan: readonly PageInfo[],
  cfg: PdfConfig,
  dests: ReturnType<typeof readDestinations>,
  epoch: number | undefined,
  diags: Diagnostics,
): Promise<void> {
  dropSoftHyphenText(doc);
  const unshaped = book.chapters.filter((c) => !drawableHead(c.chapter.title));
  if (cfg.runningHeads && unshaped.length > 0)
    diags.info(
      'pdf/running-head-unshaped',
      `${unshaped.length} chapter title(s) in a script that needs shaping (e.g. "${unshaped[0]!.chapter.title}") get the book title as running head${drawableHead(book.title) ? '' : ', and the book title none'}`,
    );
  await drawRunningHeads(doc, plan, { bookTitle: book.title, chapterTitles: book.chapters.map((c) => c.chapter.title) }, cfg);
  const firstBody = plan.findIndex((p) => p.chapter !== undefined);
  writePageLabels(doc, firstBody === -1 ? plan.length : firstBody);
  const missing = writeOutline(doc, outlineTree(book.chapters), dests);
  if (missing.length > 0)
    diags.warn('pdf/bookmark-target-missing', `${missing.length} bookmark target(s) were not found in the PDF: ${missing.slice(0, 5).join(', ')}`);
  setMetadata(doc, bookMetadata(book), epoch);
  normaliseStructureIds(doc);
}

function chapterStarts(doc: PDFDocument, ids: readonly string[]): (number | undefined)[] {
  const dests = readDestinations(doc);
  return ids.map((id) => dests.get(id)?.page);
}

/**
 * The top-level chapters that need a blank page before them to open on a right-hand (odd)
 * page, counting the blanks already inserted before them; the first chapter always opens on
 * the right so that page 1 of the body is a recto.
 */
function blanksForRightHand(book: Book, starts: readonly (number | undefined)[]): Set<number> {
  const out = new Set<number>();
  let shift = 0;
  starts.forEach((s, i) => {
    if (s === undefined) return;
    const chapter = book.chapters[i]!.chapter;
    const firstOfBody = starts.findIndex((x) => x !== undefined) === i;
    if ((chapter.depth === 0 || firstOfBody) && (s + shift) % 2 === 0) {
      out.add(i);
      shift += 1;
    }
  });
  return out;
}

function shiftedStarts(starts: readonly (number | undefined)[], blanks: ReadonlySet<number>): (number | undefined)[] {
  let shift = 0;
  return starts.map((s, i) => {
    if (blanks.has(i)) shift += 1;
    return s === undefined ? undefined : s + shift;
  });
}
