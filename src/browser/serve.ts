/**
 * The request sandbox of a print page: the document and the source folder's assets are served
 * from memory under one private origin; every other request is refused and reported.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { HTTPRequest, Page } from 'puppeteer';
import { sanitizeSvgFile } from '../compose/sanitize.js';

/** The private origin documents are loaded from. */
export const BOOK_ORIGIN = 'https://book.bookbinder.invalid';

/** Media types of the files a book may use, by extension. */
export const MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
  '.ico': 'image/x-icon',
  '.css': 'text/css',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
};

/** Maps a path under the origin to a file; undefined refuses the request. */
export type AssetLookup = (path: string) => string | undefined;

/** What a sandboxed page is doing: how many of its requests are being answered. */
export interface Sandbox {
  readonly pending: () => number;
}

/**
 * Installs the sandbox on a page: JavaScript off, the document at `/index.html` (whatever the
 * query), assets by lookup.
 */
export async function sandboxPage(
  page: Page,
  html: string,
  lookup: AssetLookup,
  onBlocked: (url: string) => void,
): Promise<Sandbox> {
  let pending = 0;
  await page.setJavaScriptEnabled(false);
  await page.setRequestInterception(true);
  page.on('request', (req: HTTPRequest) => {
    pending++;
    void answer(req, html, lookup, onBlocked).finally(() => pending--);
  });
  return { pending: () => pending };
}

async function answer(
  req: HTTPRequest,
  html: string,
  lookup: AssetLookup,
  onBlocked: (url: string) => void,
): Promise<void> {
  const url = req.url();
  if (url.startsWith('data:')) return req.continue();
  if (!url.startsWith(`${BOOK_ORIGIN}/`)) {
    onBlocked(url);
    return req.abort('blockedbyclient');
  }
  const path = decodeURIComponent(new URL(url).pathname);
  if (path === '/favicon.ico') return req.respond({ status: 204, body: '' });
  if (path === '/index.html') {
    return req.respond({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
  }
  const file = lookup(path);
  if (!file) {
    onBlocked(url);
    return req.abort('blockedbyclient');
  }
  try {
    const read = await readFile(file);
    // An SVG image may hold scripts and references: Chromium gets it sanitised, like inline SVG.
    const body = /\.svg$/i.test(file) ? Buffer.from(sanitizeSvgFile(read.toString('utf8')).svg) : read;
    return req.respond({
      status: 200,
      contentType: MEDIA_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      body,
    });
  } catch {
    onBlocked(url);
    return req.abort('failed');
  }
}
