/**
 * DAISY Ace (the EPUB accessibility checker, run with the system Chromium) on the sample
 * handbook's EPUB: no critical and no serious violation, and the accessibility metadata present.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from '../../src/browser/launch.js';
import { build } from '../../src/build.js';
import { ROOT, requireTools } from '../helpers.js';

interface AceReport {
  assertions: {
    'earl:testSubject': { url: string };
    assertions?: { 'earl:test': { 'earl:impact': string; 'dct:title': string } }[];
  }[];
  'a11y-metadata': { present: string[] };
}

describe('DAISY Ace on the sample EPUB', function () {
  this.timeout(300_000);

  it('finds no critical or serious violation', async function () {
    requireTools(this, 'chromium');
    const result = await build({
      source: join(ROOT, 'content'),
      formats: ['epub'],
      sourceDateEpoch: 1_700_000_000,
    });
    assert.ok(result.epub);
    const dir = mkdtempSync(join(tmpdir(), 'bb-ace-'));
    writeFileSync(join(dir, 'book.epub'), result.epub);
    const ace = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules', '@daisy', 'ace-cli', 'bin', 'ace.js'),
        '--force',
        '--silent',
        '--outdir',
        join(dir, 'report'),
        join(dir, 'book.epub'),
      ],
      { encoding: 'utf8', env: { ...process.env, PUPPETEER_EXECUTABLE_PATH: findChromium() } },
    );
    assert.equal(ace.status, 0, ace.stderr + ace.stdout);
    const report = JSON.parse(readFileSync(join(dir, 'report', 'report.json'), 'utf8')) as AceReport;
    const grave = report.assertions.flatMap((doc) =>
      (doc.assertions ?? [])
        .filter((a) => ['critical', 'serious'].includes(a['earl:test']['earl:impact']))
        .map((a) => `${doc['earl:testSubject'].url}: ${a['earl:test']['dct:title']}`),
    );
    assert.deepEqual(grave, []);
    for (const p of [
      'schema:accessMode',
      'schema:accessibilityFeature',
      'schema:accessibilityHazard',
      'schema:accessibilitySummary',
      'schema:accessModeSufficient',
    ])
      assert.ok(report['a11y-metadata'].present.includes(p), p);
  });
});
