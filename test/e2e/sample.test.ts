/** The sample book in content/ (the project's own handbook) builds cleanly into all outputs. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, requireTools, run, runCli } from '../helpers.js';
import { EPUBCHECK_JAR, epubcheck } from '../support/epubcheck.js';

describe('the sample handbook (content/)', function () {
  this.timeout(180_000);

  it('builds with no warning; every page title is in the PDF in book order; epubcheck is clean', async function () {
    requireTools(this, 'chromium', 'pdftotext', 'java', EPUBCHECK_JAR);
    const out = mkdtempSync(join(tmpdir(), 'bb-sample-'));
    const r = runCli(['build', join(ROOT, 'content'), '-o', out, '--json', '--strict']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { chapters: { title: string; depth: number }[] };
    assert.ok(report.chapters.length >= 11, 'at least 8 chapters on three levels');
    assert.deepEqual([...new Set(report.chapters.map((c) => c.depth))].sort(), [0, 1, 2]);
    const text = run('pdftotext', ['-layout', join(out, 'book.pdf'), '-']);
    const body = text.slice(text.indexOf(report.chapters[0]!.title, text.indexOf('Contents') + 200));
    let at = 0;
    for (const c of report.chapters) {
      const found = body.indexOf(c.title, at);
      assert.ok(found >= at, `${c.title} in book order`);
      at = found;
    }
    const check = await epubcheck(join(out, 'book.epub'));
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /0 fatals \/ 0 errors \/ 0 warnings/);
  });
});
