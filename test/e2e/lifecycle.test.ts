/**
 * Crashes and concurrency: Chromium never outlives a build (failed, interrupted, terminated or
 * SIGKILLed), a killed build leaves the previous book intact, the library shares one browser
 * between concurrent builds without leaking pages or processes, and a crashed browser is
 * replaced once. Chromium processes are counted by a marker in their command line (each CLI
 * build gets its own TMPDIR, where puppeteer puts the browser profile) or by descent from us.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, liveBrowsers, withBrowser } from '../../src/browser/launch.js';
import { withSharedBrowser } from '../../src/browser/pool.js';
import { createPrinter } from '../../src/browser/printer.js';
import { BOOK_ORIGIN } from '../../src/browser/serve.js';
import { build } from '../../src/build.js';
import { writeAtomic } from '../../src/output/write.js';
import {
  BIN,
  chromiumDescendants,
  FIXTURES,
  processesWith,
  requireTools,
  runCliAsync,
  waitFor,
} from '../helpers.js';

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A site big enough that printing takes a few seconds. */
function bigSite(dir: string): string {
  const site = join(dir, 'site');
  mkdirSync(join(site, 'docs'), { recursive: true });
  writeFileSync(join(site, 'index.md'), '---\ntitle: Big\nnav_order: 1\n---\n# Big\n\nStart.\n');
  const para = 'Words that fill the page and make the printer work for a while. '.repeat(12);
  for (let i = 0; i < 40; i++)
    writeFileSync(
      join(site, 'docs', `p${String(i).padStart(2, '0')}.md`),
      `---\ntitle: Page ${i}\nnav_order: ${i + 2}\n---\n# Page ${i}\n\n${`${para}\n\n`.repeat(40)}`,
    );
  return site;
}

/** Starts a CLI build with its own TMPDIR; resolves once its Chromium is running. */
async function startBuild(site: string, out: string, delayMs = 800) {
  const tmp = mkdtempSync(join(tmpdir(), 'bb-marker-'));
  const child = spawn(process.execPath, [BIN, 'build', site, '-o', out], {
    env: { ...process.env, TMPDIR: tmp },
    stdio: 'ignore',
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const started = await waitFor(() => processesWith(tmp).length > 0, 60_000);
  assert.ok(started, 'Chromium started');
  // Let it print for a moment: the interruption comes midway through the PDF.
  await new Promise((r) => setTimeout(r, delayMs));
  return { child, tmp, exited };
}

describe('browser lifecycle and atomic outputs (end to end)', function () {
  this.timeout(300_000);
  const work = mkdtempSync(join(tmpdir(), 'bb-life-'));
  let site: string;

  before(function () {
    requireTools(this, 'chromium', 'pgrep', 'ps');
    site = bigSite(work);
  });

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGKILL'] as const) {
    it(`${signal} midway: Chromium goes too, and the previous book stays intact`, async () => {
      const out = join(work, `out-${signal}`);
      mkdirSync(out);
      writeFileSync(join(out, 'book.pdf'), '%PDF-1.7 previous book\n');
      writeFileSync(join(out, 'book.epub'), 'previous epub');
      const before = [sha(join(out, 'book.pdf')), sha(join(out, 'book.epub'))];
      const { child, tmp, exited } = await startBuild(site, out);
      child.kill(signal);
      const end = await exited;
      if (signal === 'SIGKILL') assert.equal(end.signal, 'SIGKILL');
      else assert.equal(end.code, signal === 'SIGINT' ? 130 : 143, JSON.stringify(end));
      assert.ok(
        await waitFor(() => processesWith(tmp).length === 0, 15_000),
        `Chromium left running: ${processesWith(tmp).join(', ')}`,
      );
      assert.deepEqual([sha(join(out, 'book.pdf')), sha(join(out, 'book.epub'))], before);
      if (signal !== 'SIGKILL')
        assert.deepEqual(
          readdirSync(out).filter((f) => f.endsWith('.tmp')),
          [],
          'no temporary file left',
        );
    });
  }

  it('SIGTERM while Chromium is still starting: both end', async () => {
    const { child, tmp, exited } = await startBuild(site, join(work, 'out-early'), 0);
    child.kill('SIGTERM');
    assert.equal((await exited).code, 143);
    assert.ok(await waitFor(() => processesWith(tmp).length === 0, 15_000), 'no Chromium left');
  });

  it('a failing build leaves no Chromium behind', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'bb-marker-'));
    const bad = join(work, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'index.md'), '---\ntitle: [broken\n---\n');
    const r = await runCliAsync(['build', bad, '-o', join(work, 'bad-out')], { TMPDIR: tmp });
    assert.equal(r.status, 1);
    const missing = await runCliAsync(['build', site, '-o', join(work, 'nb-out'), '-f', 'pdf'], {
      TMPDIR: tmp,
      PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chromium',
    });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /\[browser\/not-found\]/);
    assert.deepEqual(processesWith(tmp), []);
  });

  it('SIGKILL while writing: the file is the old one or the whole new one, never half', async () => {
    const target = join(work, 'atomic', 'book.pdf');
    mkdirSync(join(work, 'atomic'));
    writeFileSync(target, Buffer.alloc(32 * 1024 * 1024, 0x41));
    const script = `import { writeAtomic } from ${JSON.stringify(new URL('../../src/output/write.js', import.meta.url).href)};
      for (let i = 0; ; i++) await writeAtomic(${JSON.stringify(target)}, Buffer.alloc(32 * 1024 * 1024, i % 2 ? 0x41 : 0x42));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const data = readFileSync(target);
    assert.equal(data.length, 32 * 1024 * 1024);
    assert.ok(
      data.every((b) => b === data[0]),
      'one whole version',
    );
    // The next write removes what the killed writer left behind.
    await writeAtomic(target, 'new');
    assert.deepEqual(
      readdirSync(join(work, 'atomic')).filter((f) => f.endsWith('.tmp')),
      [],
    );
    assert.equal(readFileSync(target, 'utf8'), 'new');
  });

  it('10 concurrent library builds share one browser and leak no page or process', async () => {
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, liveBrowsers())), 20);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => build({ source: join(FIXTURES, 'sites', 'mini'), formats: ['pdf'] })),
    );
    clearInterval(sampler);
    for (const r of results) {
      assert.ok(r.ok, JSON.stringify(r.report.errors));
      assert.equal(Buffer.from(r.pdf!.subarray(0, 5)).toString(), '%PDF-');
      assert.equal(r.report.chapters.length, 5);
    }
    assert.deepEqual(
      results.map((r) => r.report.chapters.map((c) => c.page)),
      Array(10).fill(results[0]!.report.chapters.map((c) => c.page)),
      'every build laid out the same',
    );
    assert.equal(most, 1, 'one browser at a time');
    assert.equal(liveBrowsers(), 0, 'closed after the last build');
    assert.ok(await waitFor(() => chromiumDescendants().length === 0, 10_000), 'no Chromium left');
  });

  it('a caller-owned browser: 10 concurrent builds leave no page open', async () => {
    const browser = await launchBrowser();
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          build({ source: join(FIXTURES, 'sites', 'mini'), formats: ['pdf'], browser }),
        ),
      );
      assert.ok(results.every((r) => r.ok && r.pdf));
      assert.equal((await browser.pages()).length, 1, 'only the initial blank page');
      assert.ok(browser.connected, 'the caller still owns an open browser');
    } finally {
      await browser.close();
    }
  });

  it('a printing page keeps none of the documents it printed (its renderer is collected)', async () => {
    const browser = await launchBrowser();
    try {
      const printer = createPrinter(browser, {
        slots: 1,
        lookup: () => undefined,
        onBlocked: () => undefined,
        timeoutMs: 60_000,
        pdf: { tagged: true },
      });
      const big = `<!doctype html><title>big</title>${'<p>Some <b>text</b> here.</p>'.repeat(5_000)}`;
      const pdf = await printer.print(big);
      assert.equal(Buffer.from(pdf.subarray(0, 5)).toString('latin1'), '%PDF-');
      // The next print waits for the page to have emptied and collected the last document.
      await printer.print('<!doctype html><title>small</title><p>small</p>');
      const pages = (await browser.pages()).filter((p) => p.url().startsWith(BOOK_ORIGIN));
      assert.equal(pages.length, 1, 'the printer reused its one page');
      const session = await pages[0]!.createCDPSession();
      const counters = await session.send('Memory.getDOMCounters');
      // Uncollected, the 25,000 nodes of the big document stayed alive in the renderer.
      assert.ok(counters.nodes < 100, `${counters.nodes} DOM nodes left alive`);
      await session.detach();
      await printer.close();
    } finally {
      await browser.close();
    }
  });

  for (const [name, run] of [
    ['withBrowser', withBrowser],
    ['the shared browser', withSharedBrowser],
  ] as const) {
    it(`${name}: a Chromium crash is retried once with a fresh browser`, async () => {
      const reasons: unknown[] = [];
      let attempts = 0;
      const result = await run(
        async (browser) => {
          attempts++;
          if (attempts === 1) {
            browser.process()!.kill('SIGKILL');
            await waitFor(() => !browser.connected, 5_000);
            await browser.newPage();
          }
          const page = await browser.newPage();
          await page.close();
          return 'printed';
        },
        (e) => reasons.push(e),
      );
      assert.equal(result, 'printed');
      assert.equal(attempts, 2);
      assert.equal(reasons.length, 1);
      assert.ok(await waitFor(() => chromiumDescendants().length === 0, 10_000), 'no Chromium left');
    });
  }

  it('a second crash is not retried: the error comes back and nothing is left running', async () => {
    let attempts = 0;
    await assert.rejects(
      withSharedBrowser(async (browser) => {
        attempts++;
        browser.process()!.kill('SIGKILL');
        await waitFor(() => !browser.connected, 5_000);
        return browser.newPage();
      }),
    );
    assert.equal(attempts, 2);
    assert.equal(liveBrowsers(), 0);
    assert.ok(await waitFor(() => chromiumDescendants().length === 0, 10_000));
  });
});
