/**
 * The tests' epubcheck (one JVM per test process, test/support/epubcheck.ts) answers as the
 * command would: a broken EPUB gets its errors and exit 1, a missing file exit 1, and the JVM
 * keeps answering after them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { requireTools } from '../helpers.js';
import { EPUBCHECK_JAR, epubcheck } from '../support/epubcheck.js';

describe('epubcheck in one JVM (test/support/epubcheck.ts)', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'bb-epubcheck-'));

  before(function () {
    requireTools(this, 'java', EPUBCHECK_JAR);
  });

  it('reports a broken EPUB with errors and exit 1, then a missing file, then both again', async () => {
    // A stored mimetype first, as the OCF wants, but no META-INF/container.xml.
    const zip = new JSZip();
    zip.file('mimetype', 'application/epub+zip', { compression: 'STORE' });
    zip.file('OEBPS/a.xhtml', '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></html>');
    const broken = join(dir, 'broken.epub');
    writeFileSync(broken, await zip.generateAsync({ type: 'nodebuffer' }));
    for (let round = 0; round < 2; round++) {
      const r = await epubcheck(broken);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /RSC-002|container\.xml/, r.stderr);
      assert.doesNotMatch(r.stdout, /0 fatals \/ 0 errors \/ 0 warnings/);
      const missing = await epubcheck(join(dir, 'missing.epub'));
      assert.equal(missing.status, 1);
      assert.match(missing.stderr + missing.stdout, /missing\.epub/);
    }
  });
});
