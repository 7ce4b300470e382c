/**
 * Prints HTML documents to PDF in a few sandboxed pages at once, reusing each page for the next
 * document: a new page costs a renderer process, which a book printed in chunks would otherwise
 * start once per chunk. Pages count against the shared browser's page slots.
 *
 * A page loads the book's origin once; each document then replaces the last in place
 * (`Page.setDocumentContent`) instead of being navigated to. A navigation sent the HTML through
 * request interception, base64-encoded, and set up a new document loader each time; in place, a
 * chunk of a few hundred pages cost Chromium about 15% less CPU (the renderer keeps its decoded
 * fonts), and this thread no base64. Subresources (fonts, images) still go through the sandbox.
 */
import type { Browser, CDPSession, Page, PDFOptions } from 'puppeteer';
import { pageSlot, Semaphore } from './pool.js';
import { type AssetLookup, BOOK_ORIGIN, type Sandbox, sandboxPage } from './serve.js';

/** Prints documents; close it when done. */
export interface Printer {
  /**
   * Prints a document; given as a function, it is built only once a page is free for it.
   * `before` runs on the page once the document is loaded, just before it is printed.
   */
  print(html: string | (() => string), before?: (page: Page) => Promise<void>): Promise<Uint8Array>;
  /** Opens the pages now, in the background (while the caller prepares the documents). */
  warm(): void;
  close(): Promise<void>;
}

/** Printer settings. */
export interface PrinterOptions {
  /** Pages printing at once. */
  readonly slots: number;
  readonly lookup: AssetLookup;
  readonly onBlocked: (url: string) => void;
  readonly timeoutMs: number;
  readonly pdf: PDFOptions;
}

/** A page ready to take documents. */
interface Open {
  readonly page: Page;
  readonly sandbox: Sandbox;
  readonly client: CDPSession;
  readonly frameId: string;
}

interface Slot {
  open?: Open;
  /** The page being opened. */
  opening?: Promise<Open>;
  /** The page, as soon as it exists (so that a failed opening still closes it). */
  page?: Page;
  /** The last document being unloaded (it is, while its PDF is read here). */
  cleared?: Promise<unknown>;
  release?: () => void;
}

/** What a page holds between documents. */
const EMPTY = '<!doctype html><title></title>';

/** Replaces the page's document and waits for its load event (its fonts and images are in). */
async function setDocument(open: Open, html: string, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onLoad = (): void => undefined;
  // Listening before the content is sent: a document with nothing to fetch loads at once.
  const loaded = new Promise<void>((resolve, reject) => {
    onLoad = resolve;
    timer = setTimeout(() => reject(new Error(`the document did not load in ${timeoutMs} ms`)), timeoutMs);
  });
  open.client.on('Page.loadEventFired', onLoad);
  try {
    await open.client.send('Page.setDocumentContent', { frameId: open.frameId, html });
    await loaded;
  } finally {
    clearTimeout(timer);
    open.client.off('Page.loadEventFired', onLoad);
  }
}

/** A printer of at most `slots` pages in `browser`. */
export function createPrinter(browser: Browser, options: PrinterOptions): Printer {
  const free: Slot[] = Array.from({ length: options.slots }, () => ({}));
  const all = [...free];
  const turns = new Semaphore(options.slots);

  const opened = async (slot: Slot): Promise<Open> => {
    // A page left by a failed opening goes first.
    await slot.page?.close().catch(() => undefined);
    slot.release ??= await pageSlot(browser);
    const page = await browser.newPage();
    slot.page = page;
    page.setDefaultTimeout(options.timeoutMs);
    page.setDefaultNavigationTimeout(options.timeoutMs);
    const sandbox = await sandboxPage(page, EMPTY, options.lookup, options.onBlocked);
    await page.goto(`${BOOK_ORIGIN}/index.html`, { waitUntil: 'load', timeout: options.timeoutMs });
    const client = await page.createCDPSession();
    await client.send('Page.enable');
    const { frameTree } = await client.send('Page.getFrameTree');
    slot.open = { page, sandbox, client, frameId: frameTree.frame.id };
    return slot.open;
  };
  const open = (slot: Slot): Promise<Open> => {
    if (slot.open && !slot.open.page.isClosed()) return Promise.resolve(slot.open);
    slot.opening ??= opened(slot).finally(() => {
      slot.opening = undefined;
    });
    return slot.opening;
  };
  const discard = async (slot: Slot): Promise<void> => {
    await slot.opening?.catch(() => undefined);
    await slot.cleared;
    await slot.page?.close().catch(() => undefined);
    slot.page = undefined;
    slot.open = undefined;
    slot.cleared = undefined;
    slot.release?.();
    slot.release = undefined;
  };

  return {
    async print(html, before) {
      await turns.acquire();
      const slot = free.pop()!;
      try {
        const doc = typeof html === 'string' ? html : html();
        const page = await open(slot);
        await slot.cleared;
        await setDocument(page, doc, options.timeoutMs);
        // Fonts are fetched as layout meets their characters (the print pages preload them);
        // with scripts off `document.fonts.ready` cannot be awaited, so requests still being
        // answered are waited for.
        if (page.sandbox.pending() > 0)
          await page.page.waitForNetworkIdle({ idleTime: 50, timeout: options.timeoutMs });
        await before?.(page.page);
        const pdf = await page.page.pdf({ ...options.pdf, timeout: options.timeoutMs });
        // Tearing a big document down takes its renderer a while: start it now, in parallel.
        // Then a full garbage collection: left to itself, the renderer kept most of each
        // document it had printed (a 226-page chunk printed three times grew it from 120 to
        // 440 MB; collected, it goes back to 170 MB each time, for 60 ms of its time).
        slot.cleared = setDocument(page, EMPTY, options.timeoutMs)
          .then(() => page.client.send('HeapProfiler.collectGarbage'))
          .catch(() => undefined);
        return pdf;
      } catch (e) {
        await discard(slot);
        throw e;
      } finally {
        free.push(slot);
        turns.release();
      }
    },
    warm() {
      for (const slot of free) open(slot).catch(() => undefined);
    },
    async close() {
      await Promise.all(all.map(discard));
    },
  };
}
