/**
 * Nothing lost: every page that belongs in the book is in every output — its own text in the
 * PDF (pdftotext), in the EPUB's documents (in spine order) and in the HTML — in book order;
 * and pages that do not belong (excluded) are in none, with the build saying why.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools, run, runCliAsync } from '../helpers.js';

interface Report {
  chapters: { title: string; source: string; id: string; page?: number }[];
  infos: { code: string; file: string }[];
  warnings: { code: string; file: string }[];
}

const para = 'Ordinary prose, long enough to wrap over a few lines in print. '.repeat(6);

/** Pages by path: front matter and a body holding the page's own marker. */
const PAGES: Record<string, string> = {
  'index.md': 'title: Home\nnav_order: 1',
  'docs/a.md': 'title: Alpha\nnav_order: 2\nhas_children: true',
  'docs/a1.md': 'title: Alpha One\nparent: Alpha\nnav_order: 2',
  'docs/a2.md': 'title: Alpha Two\nparent: Alpha\nnav_order: 1',
  'docs/a2x.md': 'title: Deep\nparent: Alpha Two\ngrand_parent: Alpha',
  'docs/b.md': 'title: beta',
  'docs/c.md': 'title: Gamma\nnav_order: "10"',
  'docs/orphan.md': 'title: Orphan\nparent: Nobody',
  'docs/hidden.md': 'title: Hidden\nnav_exclude: true',
  'docs/empty-title.md': 'title: ""\nnav_order: 4',
  'docs/unicode.md': 'title: "Ünïcödé — “quoted” <title>"\nnav_order: 3',
  'docs/big.md': 'title: Big Table\nnav_order: 5',
};

function marker(path: string): string {
  return `MARK${path.replace(/[^a-z0-9]/gi, '').toUpperCase()}`;
}

function makeSite(dir: string): string {
  const site = join(dir, 'site');
  mkdirSync(join(site, 'docs'), { recursive: true });
  writeFileSync(join(site, '_config.yml'), 'title: Nothing Lost\n');
  for (const [path, front] of Object.entries(PAGES)) {
    let body = `${para}\n\nThe page's own words: ${marker(path)}.\n\n${para}\n`;
    if (path === 'docs/empty-title.md') body = `## Fallback Heading\n\n${body}`;
    if (path === 'docs/big.md')
      body += `\n| n | square |\n|---|---|\n${Array.from({ length: 400 }, (_, i) => `| ${i} | ${i * i} |`).join('\n')}\n\nAfter the table: ${marker(path)}END.\n`;
    let text = `---\n${front}\n---\n${body}`;
    if (path === 'docs/b.md') text = `\ufeff${text.replace(/\n/g, '\r\n')}`;
    writeFileSync(join(site, path), text);
  }
  return site;
}

/** Asserts every marker is found in `text`, each after the previous one. */
function inOrder(text: string, markers: readonly string[], what: string): void {
  let at = -1;
  for (const m of markers) {
    const found = text.indexOf(m, at + 1);
    assert.ok(found > at, `${what}: ${m} missing or out of order`);
    at = found;
  }
}

describe('nothing lost (end to end)', function () {
  this.timeout(180_000);
  const work = mkdtempSync(join(tmpdir(), 'bb-lost-'));
  const out = join(work, 'out');
  let report: Report;
  let markers: string[];

  before(async function () {
    requireTools(this, 'chromium', 'pdftotext', 'unzip');
    const r = await runCliAsync(['build', makeSite(work), '-o', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    report = JSON.parse(r.stdout) as Report;
    markers = report.chapters.map((c) => marker(c.source));
  });

  it('every page that belongs is a chapter; the excluded one says why', () => {
    const expected = Object.keys(PAGES).filter((p) => p !== 'docs/hidden.md');
    assert.deepEqual(report.chapters.map((c) => c.source).sort(), expected.sort());
    assert.ok(report.infos.some((d) => d.code === 'nav/excluded' && d.file === 'docs/hidden.md'));
    // The exact order is the navigation's business (test/unit/nav.test.ts); here: parents first.
    const at = (p: string) => report.chapters.findIndex((c) => c.source === p);
    assert.ok(at('docs/a.md') < at('docs/a2.md') && at('docs/a2.md') < at('docs/a2x.md'));
  });

  it('PDF: each page’s text, in book order, including the end of a long table', () => {
    const text = run('pdftotext', [join(out, 'book.pdf'), '-']);
    inOrder(text, markers, 'PDF');
    assert.match(text, new RegExp(`${marker('docs/big.md')}END`));
    assert.doesNotMatch(text, new RegExp(marker('docs/hidden.md')));
    assert.match(text, /Ünïcödé — “quoted” <title>/);
    assert.match(text, /Fallback Heading/);
  });

  it('EPUB: each page’s text in its own document, documents in spine order', () => {
    const epub = join(out, 'book.epub');
    const opf = run('unzip', ['-p', epub, 'OEBPS/content.opf']);
    const hrefs = new Map(
      [...opf.matchAll(/<item [^>]*id="([^"]+)"[^>]*href="([^"]+)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const spine = [...opf.matchAll(/<itemref [^>]*idref="([^"]+)"/g)].map((m) => hrefs.get(m[1]!)!);
    const docs = spine.filter((h) => report.chapters.some((c) => h === `${c.id}.xhtml`));
    assert.deepEqual(
      docs,
      report.chapters.map((c) => `${c.id}.xhtml`),
    );
    report.chapters.forEach((c, i) => {
      const xhtml = run('unzip', ['-p', epub, `OEBPS/${c.id}.xhtml`]);
      assert.match(xhtml, new RegExp(markers[i]!), c.source);
    });
    const all = spine.map((h) => run('unzip', ['-p', epub, `OEBPS/${h}`])).join('\n');
    inOrder(all, markers, 'EPUB');
    assert.doesNotMatch(all, new RegExp(marker('docs/hidden.md')));
  });

  it('HTML: each page’s text, in book order', () => {
    const html = readFileSync(join(out, 'book.html'), 'utf8');
    inOrder(html, markers, 'HTML');
    assert.doesNotMatch(html, new RegExp(marker('docs/hidden.md')));
  });
});
