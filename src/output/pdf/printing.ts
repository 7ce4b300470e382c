/**
 * The pages a book's PDF prints on: how many at once, and opened as soon as the browser is
 * there, while the book is still being stitched. Kept apart from the rest of the PDF code so
 * that opening them does not wait for those modules to load.
 */
import { availableParallelism } from 'node:os';
import type { Browser } from 'puppeteer';
import { createPrinter, type Printer } from '../../browser/printer.js';
import { fontFile } from '../../fonts/bundled.js';

/** The pages a PDF prints on, and the requests they were refused. */
export interface PdfPrinter {
  readonly printer: Printer;
  readonly blocked: Set<string>;
}

/**
 * What the pages need of the PDF's options (`PdfOptions` in `render.ts` has these fields; they
 * are spelled out here so that this module, which `render.ts` imports, does not import it back).
 */
export interface PdfPrinterOptions {
  /** The book's images: source path → absolute path, served under `/src/`. */
  readonly assets: ReadonlyMap<string, string>;
  readonly timeoutMs: number;
  /** Pages printing at once (default: `BOOKBINDER_PDF_PAGES`, or one per core, at most four). */
  readonly concurrency?: number;
}

/**
 * Opens the pages a book's PDF prints on, at once: started as soon as the browser is there,
 * they open while the book is still being stitched.
 */
export function openPdfPrinter(browser: Browser, opts: PdfPrinterOptions): PdfPrinter {
  const blocked = new Set<string>();
  const printer = createPrinter(browser, {
    slots: opts.concurrency ?? printConcurrency(),
    lookup: (path) => (path.startsWith('/src/') ? opts.assets.get(path.slice(5)) : fontFile(path)),
    onBlocked: (url) => blocked.add(url),
    timeoutMs: opts.timeoutMs,
    pdf: { printBackground: true, preferCSSPageSize: true, outline: false, tagged: true },
  });
  printer.warm();
  return { printer, blocked };
}

/** The cores Chromium can print on (at least two). */
export function cores(): number {
  return Math.max(2, availableParallelism());
}

/**
 * Pages printing at once (`BOOKBINDER_PDF_PAGES`, 1 to 4, trades speed for memory: each page
 * holds a chunk): one per core, at most four. While each chunk was navigated to, a page spent
 * part of its turn waiting and a third page on two cores filled those gaps; set in place, the
 * third only competes: at N=300, two pages printed the book in 11.2-11.4 s and 1.42 GB, three
 * in 12.0 s and 1.53 GB.
 */
function printConcurrency(): number {
  const v = process.env.BOOKBINDER_PDF_PAGES;
  if (v && /^[1-4]$/.test(v)) return Number(v);
  return Math.min(4, cores());
}
