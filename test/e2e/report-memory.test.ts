/**
 * A long-running service's reports do not pile up in its renderer: every report leaves half a
 * megabyte of inline fonts and its DOM as garbage, which V8 left in place (a page's renderer
 * went from 40 to 300 MB over 150 reports). The page pool collects it every few reports, before
 * the page is used again.
 */
import assert from 'node:assert/strict';
import type { Browser } from 'puppeteer';
import { renderReport } from '../../src/api/render-report.js';
import { closeBrowser, launchServiceBrowser } from '../../src/browser/launch.js';
import { requireTools } from '../helpers.js';

const TEMPLATE =
  '# Statement for {{ data.customer }}\n\n| n | item |\n|---|---|\n' +
  '{% for r in data.rows %}| {{ forloop.index }} | {{ r }} |\n{% endfor %}';

describe('renderReport in a long-running browser', function () {
  this.timeout(180_000);
  let browser: Browser | undefined;
  before(async function () {
    requireTools(this, 'chromium');
    browser = await launchServiceBrowser();
  });
  after(async () => {
    if (browser) await closeBrowser(browser);
  });

  it("keeps the page's JavaScript heap near its size after one report, report after report", async () => {
    const report = async (i: number) => {
      const r = await renderReport(TEMPLATE, {
        browser: browser!,
        data: { customer: `Customer ${i}`, rows: Array.from({ length: 40 }, (_, k) => `item ${k}`) },
      });
      assert.ok(r.ok && r.data);
    };
    const heap = async (): Promise<number> => {
      const pages = await browser!.pages();
      // Reports printed one after another use one page of the pool.
      const sizes = await Promise.all(pages.map(async (p) => (await p.metrics()).JSHeapUsedSize ?? 0));
      return Math.max(...sizes);
    };
    await report(0);
    const warm = await heap();
    // 21 reports: the page is collected after the 10th and the 20th, before the 21st uses it.
    for (let i = 1; i <= 21; i++) await report(i);
    const after = await heap();
    assert.ok(
      after - warm < 4_000_000,
      `heap grew by ${((after - warm) / 1e6).toFixed(1)} MB over 21 reports (from ${(warm / 1e6).toFixed(1)} MB)`,
    );
  });
});
