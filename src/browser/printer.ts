/**
 * Prints HTML documents to PDF in a few sandboxed pages at once, reusing each page for the next
 * document: a new page costs a renderer process, which a book printed in chunks would otherwise
 * start once per chunk. Pages count against the shared browser's page slots.
 */
import type { Browser, Page, PDFOptions } from 'puppeteer';
import { pageSlot, Semaphore } from './pool.js';
import { type AssetLookup, BOOK_ORIGIN, type Sandbox, sandboxPage } from './serve.js';

/** Prints documents; close it when done. */
export interface Printer {
  /** Prints a document; given as a function, it is built only once a page is free for it. */
  print(html: string | (() => string)): Promise<Uint8Array>;
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

interface Slot {
  page?: Page;
  /** The last document being unloaded (it is, while its PDF is read here). */
  cleared?: Promise<unknown>;
  sandbox?: Sandbox;
  release?: () => void;
  html: string;
}

/** A printer of at most `slots` pages in `browser`. */
export function createPrinter(browser: Browser, options: PrinterOptions): Printer {
  const free: Slot[] = Array.from({ length: options.slots }, () => ({ html: '' }));
  const all = [...free];
  const turns = new Semaphore(options.slots);
  let documents = 0;

  const open = async (slot: Slot): Promise<{ page: Page; sandbox: Sandbox }> => {
    if (slot.page && slot.sandbox && !slot.page.isClosed()) return { page: slot.page, sandbox: slot.sandbox };
    slot.release ??= await pageSlot(browser);
    const page = await browser.newPage();
    slot.page = page;
    page.setDefaultTimeout(options.timeoutMs);
    page.setDefaultNavigationTimeout(options.timeoutMs);
    slot.sandbox = await sandboxPage(page, () => slot.html, options.lookup, options.onBlocked);
    return { page, sandbox: slot.sandbox };
  };
  const discard = async (slot: Slot): Promise<void> => {
    // Closing a page in the middle of a navigation can wait forever: let about:blank load first.
    await slot.cleared;
    await slot.page?.close().catch(() => undefined);
    slot.page = undefined;
    slot.sandbox = undefined;
    slot.cleared = undefined;
    slot.release?.();
    slot.release = undefined;
  };

  return {
    async print(html) {
      await turns.acquire();
      const slot = free.pop()!;
      try {
        slot.html = typeof html === 'string' ? html : html();
        const { page, sandbox } = await open(slot);
        await slot.cleared;
        await page.goto(`${BOOK_ORIGIN}/index.html?${++documents}`, {
          waitUntil: 'load',
          timeout: options.timeoutMs,
        });
        // Fonts are fetched as layout meets their characters (the print pages preload them);
        // with scripts off `document.fonts.ready` cannot be awaited, so requests still being
        // answered are waited for.
        if (sandbox.pending() > 0)
          await page.waitForNetworkIdle({ idleTime: 50, timeout: options.timeoutMs });
        const pdf = await page.pdf({ ...options.pdf, timeout: options.timeoutMs });
        // Tearing a big document down takes its renderer a while: start it now, in parallel.
        slot.cleared = page.goto('about:blank').catch(() => undefined);
        return pdf;
      } catch (e) {
        await discard(slot);
        throw e;
      } finally {
        slot.html = '';
        free.push(slot);
        turns.release();
      }
    },
    async close() {
      await Promise.all(all.map(discard));
    },
  };
}
