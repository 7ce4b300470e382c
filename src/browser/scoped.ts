/**
 * A caller's browser seen through a context of its own: every page a build opens in it lives in
 * a fresh browser context, so closing that context stops everything the build was doing in
 * Chromium at once — in-flight `setContent` and `pdf()` calls reject — without touching the
 * pages other builds print in the same browser.
 */
import type { Browser } from 'puppeteer';

/** A browser whose pages all open in one private context; `close()` closes them all. */
export interface ScopedBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Wraps `browser` so that its pages open in a new context; when `signal` aborts, the context
 * is closed at once (the work in it fails, and its renderers go away).
 */
export async function scopedBrowser(browser: Browser, signal?: AbortSignal): Promise<ScopedBrowser> {
  signal?.throwIfAborted();
  const context = await browser.createBrowserContext();
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => (closed ??= context.close().catch(() => undefined));
  const onAbort = (): void => void close();
  signal?.addEventListener('abort', onAbort, { once: true });
  const scoped = new Proxy(browser, {
    get(target, prop) {
      if (prop === 'newPage') return () => context.newPage();
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    browser: scoped,
    close() {
      signal?.removeEventListener('abort', onAbort);
      return close();
    },
  };
}
