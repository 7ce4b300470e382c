/**
 * Mermaid diagrams end to end (test/fixtures/sites/mermaid: a flowchart placed twice, a sequence
 * diagram, a broken diagram, the forest theme in `_includes/mermaid_config.js`): SVG in the HTML book, the EPUB (epubcheck clean) and the PDF (its
 * labels are text), the broken one a warning at its line and kept as code, a rebuild served
 * from the cache without a browser, and a diagram page that lets no request out.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import type { Browser } from 'puppeteer';
import { closeBrowser, launchBrowser } from '../../src/browser/launch.js';
import { DIAGRAM_ORIGIN, type DiagramResult } from '../../src/browser/mermaid.js';
import { build, type BuildResult } from '../../src/build.js';
import { sanitizeChapter, sanitizeSvgFile } from '../../src/compose/sanitize.js';
import { forgetDiagrams } from '../../src/diagrams/cache.js';
import { drawDiagrams } from '../../src/diagrams/draw.js';
import { Diagnostics } from '../../src/diagnostics.js';
import { createMarkdown, renderChapter } from '../../src/markdown/render.js';
import type { Chapter } from '../../src/model.js';
import { FIXTURES, page, requireTools, run } from '../helpers.js';
import { EPUBCHECK_JAR, epubcheck } from '../support/epubcheck.js';

const SITE = join(FIXTURES, 'sites', 'mermaid');

/** The texts of the SVG `<text>` elements of a document (mermaid sets each word in a `<tspan>`). */
function svgTexts(html: string): string[] {
  return [...html.matchAll(/<text\b[^>]*>([\s\S]*?)<\/text>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
}
const LABELS = [
  'Receive request',
  'Signature valid?',
  'Serve response',
  'Reject request',
  'Hello from client',
  'Welcome back',
];

describe('mermaid diagrams (test/fixtures/sites/mermaid)', function () {
  this.timeout(240_000);
  const saved = process.env.BOOKBINDER_CACHE_DIR;
  let cache: string;
  let out: string;
  let result: BuildResult;

  before(async function () {
    requireTools(this, '/usr/bin/chromium');
    cache = mkdtempSync(join(tmpdir(), 'bb-mermaid-cache-'));
    out = mkdtempSync(join(tmpdir(), 'bb-mermaid-out-'));
    process.env.BOOKBINDER_CACHE_DIR = cache;
    forgetDiagrams();
    result = await build({ source: SITE, outDir: out, sourceDateEpoch: 1_700_000_000 });
    assert.deepEqual(result.report.errors, []);
  });

  after(() => {
    if (saved === undefined) delete process.env.BOOKBINDER_CACHE_DIR;
    else process.env.BOOKBINDER_CACHE_DIR = saved;
    forgetDiagrams();
    for (const dir of [cache, out]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the broken diagram is a warning at its line, and the only one', () => {
    const found = result.report.warnings.map((w) => `${w.code} ${w.file}:${w.line}`);
    assert.deepEqual(found, ['mermaid/invalid docs/broken.md:13']);
    assert.match(result.report.warnings[0]!.message, /Parse error on line 3/);
  });

  it('the HTML book holds the diagrams as SVG, with their labels as text, and the broken one as code', () => {
    const html = readFileSync(join(out, 'book.html'), 'utf8');
    const svgs = [...html.matchAll(/<figure class="diagram mermaid">(<svg[\s\S]*?<\/svg>)<\/figure>/g)].map(
      (m) => m[1]!,
    );
    assert.equal(svgs.length, 3, 'the flowchart twice and the sequence diagram');
    for (const svg of svgs) {
      assert.match(svg, /^<svg[^>]* width="[\d.]+"[^>]* height="[\d.]+"[^>]* viewBox="[-\d. ]+"/);
      assert.doesNotMatch(svg, /<foreignObject|<style|<script|\sclass=/i);
    }
    const texts = svgTexts(html);
    for (const label of LABELS) assert.ok(texts.includes(label), `${label} is an SVG text`);
    // The same diagram placed twice gets two sets of ids.
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
    assert.equal(new Set(ids).size, ids.length, 'no id twice in the book');
    assert.match(html, /<code class="language-mermaid">graph TD\n {4}first --&gt; second/);
    assert.doesNotMatch(html, /bb-mermaid|<script/);
    // _includes/mermaid_config.js picks the forest theme: its light green nodes.
    assert.match(html, /<rect[^>]*style="fill:rgb\(205, 228, 152\)/);
  });

  it('what mermaid drew is already what the SVG sanitiser lets through (it removes nothing)', () => {
    const drawings = readdirSync(join(cache, 'mermaid')).map(
      (f) => JSON.parse(readFileSync(join(cache, 'mermaid', f), 'utf8')) as DiagramResult,
    );
    assert.equal(drawings.length, 3, 'the flowchart, the sequence diagram and the broken one');
    const svgs = drawings.flatMap((d) => (d.ok ? [d.svg] : []));
    assert.equal(svgs.length, 2);
    for (const svg of svgs) assert.deepEqual(sanitizeSvgFile(svg).removed, []);
  });

  it('the EPUB holds them as SVG and passes epubcheck with no error and no warning', async function () {
    const zip = await JSZip.loadAsync(readFileSync(join(out, 'book.epub')));
    const flow = await zip.file('OEBPS/docs-flow.xhtml')!.async('string');
    assert.equal((flow.match(/<svg /g) ?? []).length, 3);
    assert.match(flow, />Hello from client</);
    requireTools(this, 'java', EPUBCHECK_JAR);
    const check = await epubcheck(join(out, 'book.epub'));
    assert.match(check.stdout, /0 fatals \/ 0 errors \/ 0 warnings/, check.stdout + check.stderr);
  });

  it('the PDF draws them with searchable labels', function () {
    requireTools(this, 'pdftotext');
    const text = run('pdftotext', ['-layout', join(out, 'book.pdf'), '-']);
    for (const label of LABELS) assert.ok(text.includes(label), `${label} is in the PDF's text`);
    assert.match(text, /second -->;;; \]\] third\[/, 'the broken diagram is printed as code');
  });

  it('a rebuild takes the drawings from the cache and starts no browser', async () => {
    forgetDiagrams(); // a new process: only the disk cache is left
    // Any use of this "browser" fails, and the stage would say so (mermaid/no-browser).
    const unusable = {} as Browser;
    const again = await build({ source: SITE, formats: ['html'], browser: unusable });
    const found = again.report.warnings.map((w) => `${w.code} ${w.file}:${w.line}`);
    assert.deepEqual(found, ['mermaid/invalid docs/broken.md:13'], 'broken diagrams are remembered too');
    assert.equal(again.html!.match(/<figure class="diagram mermaid"><svg/g)?.length, 3);
  });
});

describe('the diagram page', function () {
  this.timeout(120_000);
  const saved = process.env.BOOKBINDER_CACHE_DIR;
  let browser: Browser | undefined;

  before(function () {
    requireTools(this, '/usr/bin/chromium');
    process.env.BOOKBINDER_CACHE_DIR = ''; // no disk cache: everything is drawn here
    forgetDiagrams();
  });
  after(async () => {
    if (browser) await closeBrowser(browser);
    if (saved === undefined) delete process.env.BOOKBINDER_CACHE_DIR;
    else process.env.BOOKBINDER_CACHE_DIR = saved;
    forgetDiagrams();
  });

  it('answers every request itself and lets none leave (a diagram asking for an image is refused)', async () => {
    const body =
      '```mermaid\nflowchart LR\n  a[Alpha] --> b[Beta]\n```\n\n' +
      '```mermaid\nflowchart TD\n  A@{ img: "https://example.com/logo.png", label: "Logo", w: 60, h: 60 } --> B[Next]\n```\n';
    const p = page('docs/d.md', 'title: D', body);
    const chapter: Chapter = { page: p, title: 'D', depth: 0, id: 'docs-d' };
    const r = renderChapter(createMarkdown({ mermaid: true }), chapter, {
      usedIds: new Set(['docs-d']),
      resolveRef: (_k, v) => v,
    });
    const html = sanitizeChapter(p, r.html, r.styles, new Diagnostics()).html;
    browser = await launchBrowser();
    const requests: string[] = [];
    const diags = new Diagnostics();
    const drawn = await drawDiagrams(
      [{ chapter, html, headings: [], styles: [], assets: [], anchors: {} }],
      { browser, onRequest: (url) => requests.push(url) },
      diags,
    );
    assert.equal(drawn.stats.drawn, 2);
    assert.ok(
      requests.some((u) => u.includes('/mermaid/')),
      'mermaid came from the page origin',
    );
    const outside = requests.filter((u) => !u.startsWith(`${DIAGRAM_ORIGIN}/`) && !u.startsWith('data:'));
    assert.deepEqual(outside, ['https://example.com/logo.png'], 'the only request elsewhere is the image');
    const codes = diags.list().map((d) => `${d.code} ${d.file}:${d.line}`);
    // Told at the line of the diagram that asked.
    assert.ok(codes.includes('mermaid/blocked docs/d.md:9'), codes.join(', '));
    assert.ok(svgTexts(drawn.chapters[0]!.html).includes('Alpha'));
  });
});
