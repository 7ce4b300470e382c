/**
 * The `collections` fixture site built by the CLI into PDF, EPUB and HTML: every document of the
 * collections just-the-docs lists is in every output, in the sidebar's order, each collection
 * under its name; links between pages and documents follow; `_data/` fills the Liquid.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChapterReport } from '../../src/build.js';
import { FIXTURES, requireTools, run, runCli } from '../helpers.js';
import { EPUBCHECK_JAR, epubcheck } from '../support/epubcheck.js';

const SITE = join(FIXTURES, 'sites', 'collections');

/** The book's order: pages, then each listed collection under its `name`. */
const ORDER = [
  '0 Home',
  '0 Crew',
  '0 Guides',
  '1 Knots',
  '2 Advanced knots',
  '1 Mooring',
  '1 Tides And Currents',
  '0 Recipes',
  '1 Chowder',
  '1 Bread',
  '0 Archive',
  '1 Old log',
];

/** Where each text first appears in `text`, asserting they all appear in this order. */
function assertInOrder(text: string, needles: readonly string[], what: string): void {
  let at = -1;
  for (const n of needles) {
    const next = text.indexOf(n, at + 1);
    assert.ok(next > at, `${what}: "${n}" missing or out of order`);
    at = next;
  }
}

describe('a site with Jekyll collections (collections fixture, PDF, EPUB and HTML)', function () {
  this.timeout(240_000);
  const out = mkdtempSync(join(tmpdir(), 'bb-coll-e2e-'));
  let chapters: ChapterReport[];
  let warnings: { code: string; file: string }[];

  before(function () {
    requireTools(this, 'chromium', 'pdftotext', 'java', EPUBCHECK_JAR, 'unzip');
    const r = runCli(['build', SITE, '-o', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { chapters: ChapterReport[]; warnings: typeof warnings };
    chapters = report.chapters;
    warnings = report.warnings;
  });

  it('the report lists every document in the sidebar order, each collection under its name', () => {
    assert.deepEqual(
      chapters.map((c) => `${c.depth} ${c.title}`),
      ORDER,
    );
    // nothing lost: the one document bookbinder cannot render is named with its file
    assert.deepEqual(
      warnings.map((w) => `${w.code} ${w.file}`),
      ['collection/not-markdown _guides/chart.html'],
    );
  });

  it('HTML: every chapter in order; links to documents and _data values resolved', () => {
    const html = run('cat', [join(out, 'book.html')]);
    assertInOrder(
      html,
      chapters.map((c) => `id="${c.id}"`),
      'book.html',
    );
    assert.match(html, /<a href="#guides-knots"[^>]*>knots guide<\/a>/);
    assert.match(html, /<a href="#recipes-chowder"[^>]*>chowder<\/a>/);
    assert.match(html, /<a href="#recipes-bread"[^>]*>bread<\/a>/);
    assert.match(html, /<a href="#guides-mooring"[^>]*>mooring<\/a>/);
    assert.match(html, /harbour master is Ada Quay/);
    assert.match(html, /Cora Helm works the evening watch/);
    assert.match(html, /Northhaven, 12 metres deep/);
    assert.match(html, /<td>12:00<\/td>\s*<td>3.4<\/td>/);
    assert.match(html, /west at 12 knots; south at 8 knots;/);
  });

  it('EPUB: epubcheck is clean; the navigation nests documents under their collection', async () => {
    const check = await epubcheck(join(out, 'book.epub'));
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /0 fatals \/ 0 errors \/ 0 warnings/);
    const names = run('unzip', ['-Z1', join(out, 'book.epub')]);
    for (const c of chapters) assert.match(names, new RegExp(`OEBPS/${c.id}\\.xhtml`), c.id);
    const nav = run('unzip', ['-p', join(out, 'book.epub'), 'OEBPS/toc.xhtml']);
    assertInOrder(nav, ['>Guides<', '>Knots<', '>Advanced knots<', '>Old log<'], 'EPUB nav');
    assert.match(nav, />Recipes<\/a>\s*<ol>\s*<li>\s*<a href="recipes-chowder\.xhtml"/);
  });

  it('PDF: every title in book order', () => {
    const text = run('pdftotext', [join(out, 'book.pdf'), '-']);
    const body = text.slice(text.indexOf('Harbour handbook', text.indexOf('Old log')));
    assertInOrder(
      body,
      ['Start with the knots guide', 'Ada Quay', 'Guides', 'A bowline', 'sheet bend'],
      'PDF',
    );
    assertInOrder(
      body,
      ['Mooring lines', 'Spring tides', 'Chowder', 'Simmer', 'Bake the loaf', 'first season'],
      'PDF',
    );
  });

  it('--root builds one collection (by its name) or one document', () => {
    const r = runCli([
      'build',
      SITE,
      '-o',
      join(out, 'root'),
      '--format',
      'html',
      '--json',
      '--root',
      'Recipes',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const only = (JSON.parse(r.stdout) as { chapters: ChapterReport[] }).chapters;
    assert.deepEqual(
      only.map((c) => `${c.depth} ${c.title}`),
      ['0 Recipes', '1 Chowder', '1 Bread'],
    );
    const doc = runCli([
      'build',
      SITE,
      '-o',
      join(out, 'doc'),
      '--format',
      'html',
      '--json',
      '--root',
      'Knots',
    ]);
    const knots = (JSON.parse(doc.stdout) as { chapters: ChapterReport[] }).chapters;
    assert.deepEqual(
      knots.map((c) => c.source),
      ['_guides/knots.md', '_guides/knots-advanced.md'],
    );
  });
});
