/**
 * End to end: the real CLI builds the mini fixture site into PDF, EPUB and HTML, and the files
 * are inspected with the tools a reader's or a printer's pipeline would use.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, requireTools, run, runCli } from '../helpers.js';
import { EPUBCHECK_JAR, epubcheck } from '../support/epubcheck.js';

interface Report {
  chapters: { title: string; source: string; depth: number; id: string; page?: number; pageLabel?: string }[];
  warnings: { code: string }[];
  errors: unknown[];
  outputs: string[];
  timings: Record<string, number>;
}

describe('bookbinder build (end to end, mini site)', function () {
  this.timeout(180_000);
  const out = mkdtempSync(join(tmpdir(), 'bb-e2e-'));
  let report: Report;

  before(function () {
    requireTools(this, 'chromium', 'pdftotext', 'pdfinfo', 'qpdf', 'java', EPUBCHECK_JAR, 'unzip');
    const r = runCli(['build', join(FIXTURES, 'sites', 'mini'), '-o', out, '--json'], {
      SOURCE_DATE_EPOCH: '1700000000',
    });
    assert.equal(r.status, 0, r.stderr);
    report = JSON.parse(r.stdout) as Report;
  });

  it('writes the three outputs and reports them', () => {
    for (const ext of ['pdf', 'epub', 'html']) assert.ok(existsSync(join(out, `book.${ext}`)), ext);
    assert.equal(report.outputs.length, 3);
    assert.ok(
      existsSync(join(out, 'book_files', 'assets', 'square.svg')),
      'HTML images are copied beside it',
    );
    assert.deepEqual(report.errors, []);
    assert.ok(report.timings.pdf! > 0 && report.timings.render! >= 0);
  });

  it('reports where each chapter starts, in book order', () => {
    const pages = report.chapters.map((c) => c.page ?? 0);
    assert.ok(
      pages.every((p, i) => p > 0 && (i === 0 || p > pages[i - 1]!)),
      pages.join(','),
    );
    // The front matter (title page, contents) is numbered in roman; the body from 1.
    const front = pages[0]! - 1;
    for (const c of report.chapters) assert.equal(c.pageLabel, String(c.page! - front));
  });

  it('PDF: A4, tagged, metadata from _config.yml', () => {
    const info = run('pdfinfo', [join(out, 'book.pdf')]);
    assert.match(info, /Title:\s+Mini Book/);
    assert.match(info, /Author:\s+Test Author/);
    assert.match(info, /Subject:\s+A tiny just-the-docs site/);
    assert.match(info, /Tagged:\s+yes/);
    assert.match(info, /Page size:\s+59[45].*x 84[12].* \(A4\)/);
  });

  it('PDF: every chapter title in book order, on the page the report says, with its page number', () => {
    const pdf = join(out, 'book.pdf');
    const all = run('pdftotext', ['-layout', pdf, '-']);
    let at = 0;
    for (const c of report.chapters) {
      const found = all.indexOf(c.title, at);
      assert.ok(found >= 0, `${c.title} after offset ${at}`);
      at = found;
      const onPage = run('pdftotext', ['-f', String(c.page), '-l', String(c.page), '-layout', pdf, '-']);
      assert.match(onPage, new RegExp(c.title), `${c.title} on page ${c.page}`);
      assert.match(onPage, new RegExp(`\\b${c.pageLabel}\\s*$`), `page number ${c.pageLabel} printed`);
    }
    assert.doesNotMatch(all, /Hidden Part|Never in the book/);
    assert.doesNotMatch(all, /\{:|markdown="1"|\.no_toc/);
  });

  it('PDF: the contents lists each chapter with the page it starts on', () => {
    const contents = run('pdftotext', ['-f', '2', '-l', '2', '-layout', join(out, 'book.pdf'), '-']);
    for (const c of report.chapters)
      assert.match(contents, new RegExp(`${c.title}.*\\s${c.pageLabel}\\s*\\n`), c.title);
  });

  it('PDF: bookmarks, internal links to every chapter', () => {
    const json = JSON.parse(run('qpdf', ['--json', join(out, 'book.pdf')])) as {
      outlines: { title: string }[];
    };
    const titles = JSON.stringify(json.outlines);
    for (const c of report.chapters) assert.ok(titles.includes(c.title), c.title);
  });

  it('EPUB: epubcheck reports no error and no warning', async () => {
    const result = await epubcheck(join(out, 'book.epub'));
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /0 fatals \/ 0 errors \/ 0 warnings/);
  });

  it('EPUB: mimetype stored first, one XHTML file per chapter, links rewritten to files', () => {
    const epub = join(out, 'book.epub');
    const names = run('unzip', ['-Z1', epub]).trim().split('\n');
    assert.equal(names[0], 'mimetype');
    assert.match(run('unzip', ['-Z', epub, 'mimetype']), /\bstor\b/);
    const listing = names.join('\n');
    for (const c of report.chapters) assert.match(listing, new RegExp(`OEBPS/${c.id}\\.xhtml`), c.id);
    const alpha = run('unzip', ['-p', join(out, 'book.epub'), 'OEBPS/docs-guide-alpha.xhtml']);
    assert.match(alpha, /href="docs-guide-beta\.xhtml#beta-details"/);
    assert.match(alpha, /href="docs-guide-alpha\.xhtml#second-section"/);
    assert.doesNotMatch(alpha, /<style|markdown="1"|\{:/);
  });

  it('HTML: one document with the contents, in-document links and hoisted styles', () => {
    const html = readFileSync(join(out, 'book.html'), 'utf8');
    assert.match(html, /<nav class="book-toc"/);
    assert.match(html, /href="#docs-guide-beta"/);
    assert.match(html, /href="#beta-details"/);
    assert.equal(html.match(/\.dont-break-out/g)?.length, 1, 'the repeated page style is hoisted once');
    assert.match(html, /src="book_files\/assets\/square\.svg"/);
  });
});
