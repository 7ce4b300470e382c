/**
 * The library's shared browser: concurrent builds in one process share one Chromium, each
 * printing in pages of its own, at most a few at a time. The browser is launched on first use,
 * relaunched when it crashed, and closed as soon as the last build using it is done, so a
 * program that calls `build()` never keeps a Chromium (or its event loop) alive by accident.
 */
import type { Browser, Page } from 'puppeteer';
import { closeBrowser, isBrowserCrash, launchBrowser } from './launch.js';

interface Entry {
  readonly browser: Promise<Browser>;
  users: number;
  /** Slots for pages: at most {@link MAX_PAGES} open at once; the rest wait in order. */
  readonly pages: Semaphore;
}

/** Pages printing at once in one browser: two cores gain nothing from more, memory does. */
export const MAX_PAGES = 4;

/** A counting semaphore with a FIFO queue. */
export class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(count: number) {
    this.#free = count;
  }
  /** Waits for a slot. */
  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
  /** Gives a slot back (to the first waiter, if any). */
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

let current: Entry | undefined;
const semaphores = new WeakMap<Browser, Semaphore>();

async function acquire(): Promise<{ entry: Entry; browser: Browser }> {
  if (current) {
    const browser = await current.browser.catch(() => undefined);
    if (browser && !isBrowserCrash(browser)) {
      current.users++;
      return { entry: current, browser };
    }
  }
  const entry: Entry = { browser: launchBrowser(), users: 1, pages: new Semaphore(MAX_PAGES) };
  current = entry;
  try {
    const browser = await entry.browser;
    semaphores.set(browser, entry.pages);
    return { entry, browser };
  } catch (e) {
    if (current === entry) current = undefined;
    throw e;
  }
}

async function release(entry: Entry, browser: Browser): Promise<void> {
  entry.users--;
  if (entry.users > 0) return;
  if (current === entry) current = undefined;
  await closeBrowser(browser);
}

/**
 * Runs `fn` with the shared browser. If Chromium crashes during `fn`, the next attempt gets a
 * fresh one; `fn` runs at most twice (`onRetry` is told why).
 */
export async function withSharedBrowser<T>(
  fn: (browser: Browser) => Promise<T>,
  onRetry: (error: unknown) => void = () => undefined,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const { entry, browser } = await acquire();
    try {
      return await fn(browser);
    } catch (e) {
      if (attempt > 0 || !isBrowserCrash(browser)) throw e;
      if (current === entry) current = undefined;
      onRetry(e);
    } finally {
      await release(entry, browser);
    }
  }
}

/** Waits for a page slot of `browser` (see {@link withPage}); returns its release. */
export async function pageSlot(browser: Browser): Promise<() => void> {
  let sem = semaphores.get(browser);
  if (!sem) {
    sem = new Semaphore(MAX_PAGES);
    semaphores.set(browser, sem);
  }
  await sem.acquire();
  let released = false;
  return () => {
    if (!released) sem.release();
    released = true;
  };
}

/**
 * Opens a page in `browser`, waiting for a free slot when the browser is shared; the page is
 * closed (and its slot freed) when `fn` settles, whatever happens.
 */
export async function withPage<T>(browser: Browser, fn: (page: Page) => Promise<T>): Promise<T> {
  const release = await pageSlot(browser);
  let page: Page | undefined;
  try {
    page = await browser.newPage();
    return await fn(page);
  } finally {
    await page?.close().catch(() => undefined);
    release();
  }
}
