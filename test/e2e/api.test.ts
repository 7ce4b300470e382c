/**
 * The library API end to end: build() hands back buffers and writes nothing; renderMarkdown()
 * output passes the same PDF and EPUB checks as a whole book; the email example attaches it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer';
import { launchBrowser } from '../../src/browser/launch.js';
import { build, renderMarkdown } from '../../src/index.js';
import { FIXTURES, ROOT, requireTools, run } from '../helpers.js';
import { EPUBCHECK_JAR, epubcheck } from '../support/epubcheck.js';

/** Every file under a folder with its size and modification time, to see that nothing changed. */
/** Every file under `dir` with its size and time, but for top-level folders in `skip`. */
function snapshot(dir: string, skip: readonly string[] = []): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { encoding: 'utf8' })
    .filter((top) => !skip.includes(top))
    .flatMap((top) =>
      statSync(join(dir, top)).isDirectory()
        ? [
            top,
            ...readdirSync(join(dir, top), { recursive: true, encoding: 'utf8' }).map((f) => join(top, f)),
          ]
        : [top],
    )
    .sort()
    .map((f) => {
      const s = statSync(join(dir, f));
      return `${f}\t${s.size}\t${s.mtimeMs}`;
    });
}

const REPORT = `# Quarterly Figures

The quarter closed with **three** regions above plan; see the table.

| Region | Orders |
|:-------|-------:|
| North  | 412    |
| South  | 288    |

## Remarks

Nothing unusual.[^1]

[^1]: A footnote, to exercise more than a paragraph.
`;

describe('library API (end to end)', function () {
  this.timeout(180_000);
  const tmp = mkdtempSync(join(tmpdir(), 'bb-api-'));
  let browser: Browser | undefined;

  before(async function () {
    requireTools(
      this,
      'chromium',
      'pdftotext',
      'pdfinfo',
      'pdffonts',
      'qpdf',
      'java',
      EPUBCHECK_JAR,
      'unzip',
    );
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('build() returns the three outputs as buffers and leaves output/ untouched', async () => {
    const before = snapshot(join(ROOT, 'output'));
    // Git's own files change when someone works in the clone meanwhile; they are not ours.
    const notOurs = ['dist', 'node_modules', '.git'];
    const cwdBefore = snapshot(process.cwd(), notOurs);
    const r = await build({ source: join(FIXTURES, 'sites', 'mini'), ...(browser && { browser }) });
    assert.ok(r.ok);
    assert.ok(r.pdf && Buffer.from(r.pdf).subarray(0, 5).toString() === '%PDF-');
    assert.ok(r.epub && Buffer.from(r.epub).subarray(0, 2).toString() === 'PK');
    assert.match(r.html ?? '', /^<!DOCTYPE html>/);
    assert.deepEqual(r.report.outputs, []);
    assert.equal(r.report.chapters.length, 5);
    assert.deepEqual(snapshot(join(ROOT, 'output')), before, 'output/ is untouched');
    assert.deepEqual(snapshot(process.cwd(), notOurs), cwdBefore, 'nothing is written in the working folder');
  });

  it('renderMarkdown() → PDF: titled from its heading, tagged, A4, text and table in it', async () => {
    const r = await renderMarkdown(REPORT, {
      format: 'pdf',
      author: 'Finance',
      sourceDateEpoch: 1_700_000_000,
      ...(browser && { browser }),
    });
    assert.ok(r.ok, JSON.stringify(r.diagnostics));
    assert.ok(r.data);
    const file = join(tmp, 'report.pdf');
    writeFileSync(file, r.data);
    const info = run('pdfinfo', [file]);
    assert.match(info, /Title:\s+Quarterly Figures/);
    assert.match(info, /Author:\s+Finance/);
    assert.match(info, /Tagged:\s+yes/);
    assert.match(info, /Page size:\s+59[45].*x 84[12].* \(A4\)/);
    const text = run('pdftotext', ['-layout', file, '-']);
    assert.match(text, /North\s+412/);
    assert.match(text, /three regions above plan/);
    const chapter = r.report.chapters[0]!;
    assert.equal(chapter.source, 'input.md');
    const onPage = run('pdftotext', ['-f', String(chapter.page), '-l', String(chapter.page), file, '-']);
    assert.match(onPage, /Remarks/);
    // The running head and the chapter title; the leading "# heading" is not printed a second time.
    assert.ok((onPage.match(/Quarterly Figures/g)?.length ?? 0) <= 2, onPage);
    const json = JSON.parse(run('qpdf', ['--json', file])) as { outlines: { title: string }[] };
    assert.ok(JSON.stringify(json.outlines).includes('Quarterly Figures'));
  });

  it('renderMarkdown() → PDF with U+FE0F, Thai and Devanagari: drawn from bundled fonts', async () => {
    const r = await renderMarkdown('# Love\n\nI \u2764\ufe0f books, \u2714\ufe0f done: สวัสดี, नमस्ते.\n', {
      format: 'pdf',
      ...(browser && { browser }),
    });
    assert.ok(r.ok, JSON.stringify(r.diagnostics));
    assert.deepEqual(r.report.warnings, []);
    const file = join(tmp, 'heart.pdf');
    writeFileSync(file, r.data!);
    assert.match(run('pdftotext', [file, '-']), /I \u2764\ufe0f books, \u2714\ufe0f done: สวัสดี, नमस्ते\./);
    const fonts = run('pdffonts', [file]);
    for (const f of fonts.trim().split('\n').slice(2))
      assert.match(f, /^[A-Z]{6}\+Noto\S*\s+CID TrueType\s/, f);
  });

  it('renderMarkdown() → EPUB: epubcheck reports no error and no warning', async () => {
    const r = await renderMarkdown(REPORT, { format: 'epub', sourceDateEpoch: 1_700_000_000 });
    assert.ok(r.ok && r.data);
    const file = join(tmp, 'report.epub');
    writeFileSync(file, r.data);
    const check = await epubcheck(file);
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /0 fatals \/ 0 errors \/ 0 warnings/);
    assert.equal(run('unzip', ['-Z1', file]).split('\n')[0], 'mimetype');
    assert.match(run('unzip', ['-p', file, 'OEBPS/index.xhtml']), /<td[^>]*>North<\/td>/);
  });

  it('renderMarkdown() reports problems at lines of the Markdown string', async () => {
    const r = await renderMarkdown('# T\n\nfine\n\nsee [x](/missing/)\n', { format: 'epub' });
    assert.deepEqual(
      r.report.warnings.map((w) => [w.file, w.line, w.code]),
      [['input.md', 5, 'link/unresolved']],
    );
  });

  it('the email example attaches the PDF report to an .eml message', () => {
    const eml = join(tmp, 'report.eml');
    execFileSync(process.execPath, [join(ROOT, 'dist', 'examples', 'email-report.js'), eml], {
      stdio: 'pipe',
    });
    const text = readFileSync(eml, 'utf8');
    assert.match(text, /^Subject: Weekly sales report$/m);
    assert.match(text, /Content-Type: application\/pdf; name=weekly-sales-report\.pdf/);
    const body =
      /Content-Disposition: attachment; filename=weekly-sales-report\.pdf\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)/.exec(
        text,
      )?.[1];
    assert.ok(body, 'a base64 attachment');
    const pdf = Buffer.from(body.replace(/\s/g, ''), 'base64');
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const file = join(tmp, 'attached.pdf');
    writeFileSync(file, pdf);
    assert.match(run('pdfinfo', [file]), /Pages:\s+1\n/, 'frontPages: false gives a one-page report');
    assert.match(run('pdftotext', ['-layout', file, '-']), /North\s+412\s+€18,240\.50/);
  });
});

describe('library API: wrong options are a coded error result, never a throw', () => {
  const wrong: [string, unknown][] = [
    ["format 'docx'", { source: 'content', formats: ['docx'] }],
    ['source: null', { source: null }],
    ['no options at all', undefined],
    ['formats as a string', { source: 'content', formats: 'pdf' }],
    ['strict as a string', { source: 'content', strict: 'yes' }],
    ['a name with a folder', { source: 'content', name: '../x' }],
  ];
  for (const [what, options] of wrong) {
    it(`${what} → options/invalid`, async () => {
      const r = await build(options as Parameters<typeof build>[0]);
      assert.equal(r.ok, false);
      assert.deepEqual(
        r.report.errors.map((e) => e.code),
        ['options/invalid'],
      );
      assert.equal(r.pdf ?? r.epub ?? r.html, undefined);
    });
  }
});
