/**
 * epubcheck on the EPUB of every real site in ../shared/corpus (webp/png/jpg images, spaces in
 * file names, remote images, hand-written HTML): 0 errors and 0 warnings. Skipped, visibly,
 * when ../shared/corpus is absent.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../src/build.js';
import { CORPUS, corpora, requireTools, skipWithoutCorpus } from '../helpers.js';
import { EPUBCHECK_JAR, epubcheck } from '../support/epubcheck.js';

describe('EPUB of every corpus site passes epubcheck (../shared/corpus)', function () {
  this.timeout(300_000);
  const names = corpora();
  const out = mkdtempSync(join(tmpdir(), 'bb-epub-corpus-'));

  before(function () {
    if (names.length === 0) return;
    requireTools(this, 'java', EPUBCHECK_JAR);
  });

  skipWithoutCorpus(names);
  for (const name of names) {
    it(`${name}: 0 errors and 0 warnings`, async () => {
      const expected = JSON.parse(readFileSync(join(CORPUS, name, 'EXPECTED.json'), 'utf8')) as {
        site_root: string;
      };
      const result = await build({
        source: join(CORPUS, name, expected.site_root),
        formats: ['epub'],
        sourceDateEpoch: 1_700_000_000,
      });
      assert.ok(result.epub, JSON.stringify(result.report.errors));
      const file = join(out, `${name}.epub`);
      writeFileSync(file, result.epub);
      const check = await epubcheck(file);
      assert.equal(check.status, 0, check.stdout + check.stderr);
      assert.match(check.stdout, /0 fatals \/ 0 errors \/ 0 warnings/, check.stdout);
    });
  }
});
