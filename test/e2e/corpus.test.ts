/**
 * The real just-the-docs sites in ../shared/corpus (not part of this repository; their licences
 * forbid copying them in): every one must come out in its EXPECTED.json navigation order.
 * Skipped, visibly, when ../shared/corpus is absent.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, requireTools, runCli } from '../helpers.js';

const CORPUS = join(ROOT, '..', 'shared', 'corpus');

interface Expected {
  site_root: string;
  order: { title: string; depth: number; source: string }[];
}

describe('corpus navigation order (../shared/corpus)', function () {
  this.timeout(300_000);
  const corpora = existsSync(CORPUS)
    ? readdirSync(CORPUS).filter((c) => existsSync(join(CORPUS, c, 'EXPECTED.json')))
    : [];
  if (corpora.length === 0) {
    it('needs ../shared/corpus', function () {
      console.warn('      skipped: ../shared/corpus is not beside this checkout');
      this.skip();
    });
  }
  for (const name of corpora) {
    it(`${name}: chapters equal EXPECTED.json (title, depth, source)`, function () {
      const expected = JSON.parse(readFileSync(join(CORPUS, name, 'EXPECTED.json'), 'utf8')) as Expected;
      const root = join(CORPUS, name, expected.site_root);
      const prefix = expected.site_root === '.' ? '' : `${expected.site_root}/`;
      const full = name === 'review';
      if (full) requireTools(this, 'chromium', 'java', '/usr/share/java/epubcheck.jar');
      const out = mkdtempSync(join(tmpdir(), `bb-${name}-`));
      const r = runCli(['build', root, '-o', out, '--json', ...(full ? [] : ['--format', 'html'])]);
      assert.equal(r.status, 0, r.stderr);
      const report = JSON.parse(r.stdout) as {
        chapters: { title: string; depth: number; source: string; page?: number }[];
      };
      assert.deepEqual(
        report.chapters.map((c) => [c.title, c.depth, c.source]),
        expected.order.map((o) => [o.title, o.depth, o.source.slice(prefix.length)]),
      );
      if (full)
        assert.ok(
          report.chapters.every((c) => (c.page ?? 0) > 0),
          'every chapter has a PDF page',
        );
    });
  }
});
