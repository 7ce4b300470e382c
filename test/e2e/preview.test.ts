/**
 * The preview server end to end: puppeteer opens it on 127.0.0.1, a page of the site changes,
 * the server rebuilds (rendering only that page again) and the open page reloads by itself.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer';
import { launchBrowser } from '../../src/browser/launch.js';
import { type PreviewServer, startPreview } from '../../src/preview/server.js';
import { FIXTURES, requireTools } from '../helpers.js';

describe('bookbinder preview (puppeteer against 127.0.0.1)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'bb-preview-'));
  let browser: Browser | undefined;
  let server: PreviewServer | undefined;

  before(async function () {
    requireTools(this, 'chromium');
    cpSync(join(FIXTURES, 'sites', 'mini'), dir, { recursive: true });
    // The square as a hostile author would draw it: a script and a remote image inside.
    const square = join(dir, 'assets', 'square.svg');
    writeFileSync(
      square,
      readFileSync(square, 'utf8').replace(
        '</svg>',
        '<script>alert(1)</script><image href="http://127.0.0.1:9/x.png" width="1" height="1"/></svg>',
      ),
    );
    server = await startPreview({ source: dir, port: 0 });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('rebuilds after a file changes and the open page reloads itself, showing the new text and diagnostics', async () => {
    assert.ok(server && browser);
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await browser.newPage();
    const response = await page.goto(server.url, { waitUntil: 'load' });
    assert.match(response?.headers()['content-security-policy'] ?? '', /script-src 'nonce-/);
    assert.equal(await page.$eval('#bb-preview-bar', (e) => e.getAttribute('data-generation')), '1');
    assert.ok((await page.content()).includes('Appendix'));
    const sheet = await page.evaluate(() =>
      parseFloat(getComputedStyle(document.querySelector('.chapter')!).width),
    );
    assert.ok(Math.abs(sheet - (210 / 25.4) * 96) < 1, `a chapter is drawn as an A4 sheet (${sheet}px)`);
    // Wait until the event stream is open, so the reload comes from the server's message.
    for (let i = 0; i < 100 && server.listeners === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.listeners, 1);
    const file = join(dir, 'docs', 'appendix.md');
    const next = server.nextBuild();
    const reloaded = page.waitForNavigation({ waitUntil: 'load' });
    writeFileSync(
      file,
      `${readFileSync(file, 'utf8')}\nFreshly written [a dead link](/gone/).\n\n<script>window.bbRan = true;</script>\n`,
    );
    assert.equal(await next, 2);
    await reloaded;
    assert.deepEqual(server.lastStats, { rendered: 1, cached: 4 }, 'only the changed page is rendered again');
    assert.equal(await page.$eval('#bb-preview-bar', (e) => e.getAttribute('data-generation')), '2');
    assert.ok((await page.$eval('main.book', (e) => e.textContent ?? '')).includes('Freshly written'));
    const panel = await page.$eval('#bb-preview-diagnostics', (e) => e.textContent ?? '');
    assert.match(panel, /docs\/appendix\.md:\d+: warning: link to \/gone\/ matches no page/);
    assert.equal(
      await page.evaluate(() => (window as { bbRan?: boolean }).bbRan),
      undefined,
      "the book's scripts never run",
    );
  });

  it('serves the images of the book and refuses anything else', async () => {
    assert.ok(server);
    const svg = await fetch(new URL('src/assets/square.svg', server.url));
    assert.equal(svg.status, 200);
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
    assert.match(svg.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const drawn = await svg.text();
    assert.match(drawn, /<svg/);
    assert.doesNotMatch(drawn, /<script|alert|127\.0\.0\.1/, 'served through the SVG sanitiser');
    assert.equal((await fetch(new URL('src/_config.yml', server.url))).status, 404);
    assert.equal((await fetch(new URL('src/../../etc/passwd', server.url))).status, 404);
  });

  it('answers 400 to a malformed URL and keeps serving the next request', async () => {
    assert.ok(server);
    const bad = await fetch(new URL('/%E0%A4%A', server.url));
    assert.equal(bad.status, 400);
    const status = await fetch(new URL('/status.json', server.url));
    assert.equal(status.status, 200);
    assert.ok(typeof ((await status.json()) as { generation: unknown }).generation === 'number');
  });
});
