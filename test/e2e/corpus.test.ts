/**
 * The real just-the-docs sites in ../shared/corpus (not part of this repository; their licences
 * forbid copying them in): every one must come out in its EXPECTED.json navigation order.
 * Skipped, visibly, when ../shared/corpus is absent.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS, corpora, requireTools, skipWithoutCorpus, run, runCli } from '../helpers.js';
import { pdfLinks } from './links.js';

interface Report {
  chapters: { title: string; depth: number; source: string; id: string; page?: number }[];
  warnings: { code: string; file: string; line: number; message: string }[];
}

interface Expected {
  site_root: string;
  order: { title: string; depth: number; source: string }[];
}

describe('corpus navigation order (../shared/corpus)', function () {
  this.timeout(300_000);
  const names = corpora();
  skipWithoutCorpus(names);
  if (names.includes('review')) {
    it('review: --root on the review page (by title or source path) builds just that paper', () => {
      const root = join(CORPUS, 'review');
      const title = '§ The Factors Involved in the Exit from Sex Traffifficking - A Review';
      const source = 'docs/sex/the-factors-involvoed-in-the-exit-from-sex-trafficking-a-review.md';
      for (const pick of [title, source]) {
        const out = mkdtempSync(join(tmpdir(), 'bb-root-'));
        const r = runCli(['build', root, '-o', out, '--format', 'html', '--root', pick, '--json']);
        assert.equal(r.status, 0, r.stderr);
        const report = JSON.parse(r.stdout) as Report;
        assert.deepEqual(
          report.chapters.map((c) => [c.depth, c.source]),
          [[0, source], ...[1, 2, 3, 4, 5, 6, 7].map((n) => [1, source.replace('.md', `-${n}.md`)])],
        );
        assert.deepEqual(
          report.warnings.filter((w) => w.code.startsWith('link/')),
          [],
        );
        const html = readFileSync(join(out, 'book.html'), 'utf8');
        assert.match(
          html,
          /<title>§ The Factors Involved in the Exit from Sex Traffifficking - A Review<\/title>/,
        );
        assert.doesNotMatch(html, /Cybersecurity Research/);
      }
    });
  }
  for (const name of names) {
    it(`${name}: chapters equal EXPECTED.json (title, depth, source)`, function () {
      const expected = JSON.parse(readFileSync(join(CORPUS, name, 'EXPECTED.json'), 'utf8')) as Expected;
      const root = join(CORPUS, name, expected.site_root);
      const prefix = expected.site_root === '.' ? '' : `${expected.site_root}/`;
      const full = name === 'review';
      if (full) requireTools(this, 'chromium', 'java', '/usr/share/java/epubcheck.jar');
      const out = mkdtempSync(join(tmpdir(), `bb-${name}-`));
      const r = runCli(['build', root, '-o', out, '--json', ...(full ? [] : ['--format', 'html'])]);
      assert.equal(r.status, 0, r.stderr);
      const report = JSON.parse(r.stdout) as Report;
      assert.deepEqual(
        report.chapters.map((c) => [c.title, c.depth, c.source]),
        expected.order.map((o) => [o.title, o.depth, o.source.slice(prefix.length)]),
      );
      if (full) {
        assert.ok(
          report.chapters.every((c) => (c.page ?? 0) > 0),
          'every chapter has a PDF page',
        );
        siblingLinksLand(root, out, report);
      }
    });
  }
});

/**
 * The review's sections end with a hand-written list of links to their siblings
 * (`/docs/sex/NAME/`): in the PDF each must be a link on that section's pages whose destination
 * is the page the sibling starts on; in the EPUB, a link to the sibling's file. No link between
 * the paper's pages may be reported unresolved.
 */
function siblingLinksLand(root: string, out: string, report: Report): void {
  assert.deepEqual(
    report.warnings.filter((w) => w.code.startsWith('link/')),
    [],
    'no link warning between the paper’s pages',
  );
  const links = pdfLinks(join(out, 'book.pdf'));
  const bySource = new Map(report.chapters.map((c) => [c.source, c]));
  const lastPage = Number(/Pages:\s+(\d+)/.exec(run('pdfinfo', [join(out, 'book.pdf')]))?.[1]);
  let checked = 0;
  report.chapters.forEach((chapter, i) => {
    const text = readFileSync(join(root, chapter.source), 'utf8');
    const list = /#### Table of Contents[\s\S]*$/.exec(text)?.[0] ?? '';
    const targets = [...list.matchAll(/href="\/(docs\/sex\/[^"/]+)\/"/g)].map((m) => `${m[1]}.md`);
    if (targets.length === 0) return;
    const from = chapter.page!;
    const to = (report.chapters[i + 1]?.page ?? lastPage + 1) - 1;
    const epub = run('unzip', ['-p', join(out, 'book.epub'), `OEBPS/${chapter.id}.xhtml`]);
    for (const source of targets) {
      const target = bySource.get(source);
      assert.ok(target, `${chapter.source} links to ${source}, a chapter of the book`);
      const link = links.find((l) => l.page >= from && l.page <= to && l.dest === target.id);
      assert.ok(link, `${chapter.source}: a PDF link to ${target.id} on pages ${from}–${to}`);
      assert.equal(link.target, target.page, `${chapter.source} → ${target.title} lands on its first page`);
      assert.ok(
        epub.includes(`href="${target.id}.xhtml"`),
        `${chapter.id}.xhtml links to ${target.id}.xhtml`,
      );
      checked++;
    }
  });
  assert.ok(checked >= 49, `checked ${checked} sibling links`);
}
