/**
 * The baseline: one raw puppeteer `page.pdf()` of a stitched HTML book, as a user of puppeteer
 * would write it (no contents page numbers, no running heads, no second pass).
 */
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer';
import { chromiumArgs, findChromium } from '../../src/browser/launch.js';

const [html, pdf] = process.argv.slice(2);
if (!html || !pdf) throw new Error('usage: raw-print BOOK.html OUT.pdf');
const browser = await puppeteer.launch({
  executablePath: findChromium(),
  headless: true,
  pipe: true,
  args: chromiumArgs(),
});
try {
  const page = await browser.newPage();
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load', timeout: 0 });
  await page.pdf({ path: pdf, format: 'A4', printBackground: true, timeout: 0 });
} finally {
  await browser.close();
}
