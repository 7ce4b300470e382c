/**
 * The print PDF: the stitched document laid out by headless Chromium, then the chapter start
 * pages read back from the PDF's named destinations, the contents filled with those numbers,
 * and the book printed again. pdf-lib writes the metadata and page labels.
 */

import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString } from 'pdf-lib';
import type { Browser } from 'puppeteer';
import { withPage } from '../browser/pool.js';
import { BOOK_ORIGIN, sandboxPage } from '../browser/serve.js';
import type { ReferenceStyle } from '../compose/finalize.js';
import { stitch } from '../compose/stitch.js';
import type { Diagnostics } from '../diagnostics.js';
import type { Book } from '../model.js';

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
}

const printStyle = (assetPaths: ReadonlyMap<string, string>): ReferenceStyle => ({
  chapterHref: (chapterId, bookId) => `#${bookId ?? chapterId}`,
  assetUrl: (source) => (assetPaths.has(source) ? `/src/${encodeURI(source)}` : source),
});

async function printOnce(
  browser: Browser,
  html: string,
  opts: PdfOptions,
  diags: Diagnostics,
): Promise<Uint8Array> {
  return withPage(browser, async (page) => {
    page.setDefaultTimeout(opts.timeoutMs);
    page.setDefaultNavigationTimeout(opts.timeoutMs);
    const blocked = new Set<string>();
    await sandboxPage(
      page,
      html,
      (path) => (path.startsWith('/src/') ? opts.assets.get(path.slice(5)) : undefined),
      (url) => blocked.add(url),
    );
    await page.goto(`${BOOK_ORIGIN}/index.html`, { waitUntil: 'load', timeout: opts.timeoutMs });
    await page.evaluateHandle('document.fonts.ready').catch(() => undefined);
    const pdf = await page.pdf({
      printBackground: true,
      preferCSSPageSize: true,
      outline: true,
      tagged: true,
      timeout: opts.timeoutMs,
    });
    for (const url of blocked)
      diags.warn('pdf/request-blocked', `the PDF renderer was refused ${url.slice(0, 200)}`);
    return pdf;
  });
}

/** Reads `/Dests` (Chromium writes one per link target) into page indices, 1-based. */
export function destinationPages(doc: PDFDocument): Map<string, number> {
  const pageIndex = new Map<string, number>();
  doc.getPages().forEach((p, i) => {
    pageIndex.set(p.ref.toString(), i + 1);
  });
  const out = new Map<string, number>();
  const dests = doc.catalog.lookup(PDFName.of('Dests'));
  if (!(dests instanceof PDFDict)) return out;
  for (const [key, value] of dests.entries()) {
    const arr = value instanceof PDFRef ? doc.context.lookup(value) : value;
    if (!(arr instanceof PDFArray)) continue;
    const ref = arr.get(0);
    if (ref instanceof PDFRef) {
      const idx = pageIndex.get(ref.toString());
      if (idx !== undefined) out.set(decodePdfName(key.asString()), idx);
    }
  }
  return out;
}

function decodePdfName(name: string): string {
  return name
    .replace(/^\//, '')
    .replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

/** Prints the book: a first pass to learn page numbers, a second with them in the contents. */
export async function renderPdf(
  browser: Browser,
  book: Book,
  opts: PdfOptions,
  diags: Diagnostics,
): Promise<PdfResult> {
  const style = printStyle(opts.assets);
  const first = await printOnce(browser, stitch(book, { medium: 'print', style }), opts, diags);
  const firstPages = chapterPages(await PDFDocument.load(first, { updateMetadata: false }), book);
  const labels = new Map([...firstPages].map(([id, p]) => [id, p.pageLabel]));
  const second = await printOnce(
    browser,
    stitch(book, { medium: 'print', style, pages: labels }),
    opts,
    diags,
  );
  const doc = await PDFDocument.load(second, { updateMetadata: false });
  const pages = chapterPages(doc, book);
  for (const [id, p] of pages) {
    if (firstPages.get(id)?.page !== p.page) {
      diags.warn(
        'pdf/toc-drift',
        `the contents page number of chapter ${id} moved between passes (${firstPages.get(id)?.page} → ${p.page})`,
      );
    }
  }
  setMetadata(doc, book, opts.sourceDateEpoch);
  const pdf = await doc.save({ useObjectStreams: false, updateFieldAppearances: false });
  return { pdf, pages };
}

function chapterPages(doc: PDFDocument, book: Book): Map<string, ChapterPage> {
  const dests = destinationPages(doc);
  const out = new Map<string, ChapterPage>();
  for (const { chapter } of book.chapters) {
    const page = dests.get(chapter.id);
    if (page !== undefined) out.set(chapter.id, { page, pageLabel: String(page) });
  }
  return out;
}

/** Sets the document information and the catalog language; dates from SOURCE_DATE_EPOCH. */
function setMetadata(doc: PDFDocument, book: Book, epoch: number | undefined): void {
  const { site } = book;
  const date = epoch === undefined ? new Date() : new Date(epoch * 1000);
  doc.setTitle(book.title, { showInWindowTitleBar: true });
  if (site.author.length > 0) doc.setAuthor(site.author.join(', '));
  if (site.description) doc.setSubject(site.description);
  doc.setKeywords(['just-the-docs', 'bookbinder']);
  doc.setProducer('bookbinder (Chromium, pdf-lib)');
  doc.setCreator('bookbinder');
  doc.setCreationDate(date);
  doc.setModificationDate(date);
  doc.catalog.set(PDFName.of('Lang'), PDFString.of(site.lang));
  void PDFHexString;
  void PDFNumber;
}
