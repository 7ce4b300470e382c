/**
 * A long-running service's reports do not pile up in its renderer: every report leaves half a
 * megabyte of inline fonts and its DOM as garbage, which V8 left in place (a page's renderer
 * went from 40 to 300 MB over 150 reports). The page pool collects it every few reports, before
 * the page is used again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer';
import { GC_EVERY, renderReport } from '../../src/api/render-report.js';
import { closeBrowser, launchServiceBrowser } from '../../src/browser/launch.js';
import { requireTools, run } from '../helpers.js';

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

  it('prints report after report in one page: each its own title, language, style and text, every face drawn', async function () {
    requireTools(this, 'pdftotext', 'pdfinfo', 'pdffonts');
    const dir = mkdtempSync(join(tmpdir(), 'bb-shell-'));
    const reports = [
      { title: 'First <one> & co', lang: 'en', css: '', word: 'Alpha' },
      { title: 'Zweiter Bericht', lang: 'de', css: 'p { color: #c00 }', word: 'Beta' },
      { title: 'Third', lang: 'en', css: '', word: 'Gamma' },
    ];
    for (const [i, r] of reports.entries()) {
      const out = await renderReport(
        `# ${r.word}\n\nΚαλημέρα, **bold** *italic* ***both${i}*** \`code\`.\n`,
        {
          browser: browser!,
          title: r.title,
          lang: r.lang,
          css: r.css,
        },
      );
      assert.ok(out.ok && out.data, JSON.stringify(out.diagnostics));
      const file = join(dir, `r${i}.pdf`);
      writeFileSync(file, out.data);
      const text = run('pdftotext', [file, '-']);
      assert.match(text, new RegExp(`${r.word}[\\s\\S]*Καλημέρα, bold italic both${i} code`));
      for (const other of reports.filter((o) => o !== r)) assert.doesNotMatch(text, new RegExp(other.word));
      assert.match(run('pdfinfo', [file]), new RegExp(`Title:\\s+${r.title.replace(/[<>&]/g, '.')}\\n`));
      // Bold italic was invisible (its face never loaded in a fresh page), so was missing here.
      assert.match(run('pdffonts', [file]), /NotoSans-BoldItalic/);
    }
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
    // The page is collected after every GC_EVERY-th report, before the next one uses it.
    const n = GC_EVERY + 1;
    for (let i = 1; i <= n; i++) await report(i);
    const after = await heap();
    assert.ok(
      after - warm < 4_000_000,
      `heap grew by ${((after - warm) / 1e6).toFixed(1)} MB over ${n} reports (from ${(warm / 1e6).toFixed(1)} MB)`,
    );
  });
});
