/**
 * The baseline: one raw puppeteer print of a stitched HTML book, as a user of puppeteer would
 * write it: puppeteer's default launch (only `--no-sandbox` added, which Chromium needs when run
 * as root), `goto` the file, `page.pdf()` with the book's own CSS page size. No contents page
 * numbers, no running heads, no second pass. Pinned so that every run compares against the same
 * thing (bookbinder's own curated flags, and a pipe instead of a socket, are not a user's print).
 */
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer';
import { findChromium } from '../../src/browser/launch.js';

const [html, pdf] = process.argv.slice(2);
if (!html || !pdf) throw new Error('usage: raw-print BOOK.html OUT.pdf');
const root = process.getuid?.() === 0 || Boolean(process.env.CI);
const browser = await puppeteer.launch({
  executablePath: findChromium(),
  args: root ? ['--no-sandbox'] : [],
  // The one setting a user printing a big book must add: puppeteer's default 180 s for one
  // protocol call is less than Chromium's print of 1,700 pages takes on a loaded machine.
  protocolTimeout: 0,
});
try {
  const page = await browser.newPage();
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load', timeout: 0 });
  await page.pdf({ path: pdf, preferCSSPageSize: true, printBackground: true, timeout: 0 });
} finally {
  await browser.close();
}
