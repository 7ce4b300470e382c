/**
 * The print preflight (`bookbinder preflight`, `npm run preflight`) on the real sample book, at
 * the default A4 and at a 6in × 9in two-sided trim: no problem in either; and told the wrong
 * margins, it sees the text in them.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PreflightReport } from '../../src/preflight/run.js';
import { ROOT, requireTools, run, runCli } from '../helpers.js';

describe('print preflight of the sample handbook', function () {
  this.timeout(300_000);
  let dir = '';

  before(function () {
    requireTools(this, 'chromium', 'pdftotext', 'pdffonts', 'pdftoppm', 'qpdf');
    dir = mkdtempSync(join(tmpdir(), 'bb-preflight-'));
  });

  function buildAndCheck(config: string | undefined, extra: readonly string[]): PreflightReport {
    const out = join(dir, config ? 'trim' : 'a4');
    const args = ['build', join(ROOT, 'content'), '-o', out, '--format', 'pdf', '--quiet'];
    if (config) {
      writeFileSync(join(dir, 'trim.yml'), config);
      args.push('-c', join(dir, 'trim.yml'));
    }
    const b = runCli(args);
    assert.equal(b.status, 0, b.stderr);
    const r = runCli(['preflight', join(out, 'book.pdf'), '--json', ...extra]);
    const report = JSON.parse(r.stdout) as PreflightReport;
    // No word hyphenated across a page turn either: the chunk that broke one was printed again
    // with it kept whole (issue 16.5).
    assert.deepEqual(
      report.problems.map((p) => `${p.page}: ${p.message} [${p.code}]`),
      [],
      'no problem in the printed book',
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /no problem/);
    assert.ok(report.pages >= 30);
    // Only bundled faces: Noto for text, KaTeX's own for the formulas the sample holds.
    const foreign = report.fonts.filter((f) => !/^(Noto|KaTeX_)/.test(f.name)).map((f) => f.name);
    assert.ok(report.fonts.length >= 3, 'fonts listed');
    assert.deepEqual(foreign, [], 'only bundled Noto and KaTeX faces');
    return report;
  }

  it('at A4 finds no problem; told margins twice as wide, it sees text outside the block', () => {
    const report = buildAndCheck(undefined, []);
    assert.equal(report.geometry.twoSided, false);
    const r = runCli([
      'preflight',
      join(dir, 'a4', 'book.pdf'),
      '--margin-inner',
      '40mm',
      '--margin-outer',
      '40mm',
    ]);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /book\.pdf: page \d+: problem: \d+ words? outside the text block .*\[preflight\/outside-text-block\]/,
    );
  });

  it('at a 6in × 9in two-sided trim, finds no problem, no word hyphenated across a page turn among them', () => {
    const report = buildAndCheck('pdf:\n  size: 6in x 9in\n  two_sided: true\n', ['--two-sided']);
    assert.equal(report.geometry.twoSided, true);
  });

  it('says why it cannot check a file that is not a PDF, with exit 1', () => {
    const bad = join(dir, 'not.pdf');
    writeFileSync(bad, 'hello');
    const r = runCli(['preflight', bad]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /error: pdftotext failed on the file.*\[preflight\/unreadable\]/);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
  });
});

describe('print rules on a made-up site, checked by the preflight', function () {
  this.timeout(180_000);

  it('keeps a compound the author hyphenated whole rather than breaking it across a page turn', function () {
    requireTools(this, 'chromium', 'pdftotext', 'qpdf');
    const site = mkdtempSync(join(tmpdir(), 'bb-compounds-'));
    writeFileSync(join(site, '_config.yml'), 'title: Compounds\nlang: en\n');
    // Parts of five letters at most, so no soft hyphen: a line breaks at a space or at one of the
    // author's hyphens, and on a small page many page turns fall inside a compound.
    const compounds = [
      're-enter',
      'well-known',
      'up-to-date',
      'self-aware',
      'one-to-one',
      'state-of-the-art',
    ];
    const text = Array.from({ length: 700 }, (_, i) => compounds[(i * 5) % compounds.length]).join(' ');
    writeFileSync(join(site, 'index.md'), `---\ntitle: Home\n---\n\n${text}.\n`);
    writeFileSync(
      join(site, 'trim.yml'),
      'pdf:\n  size: 4in x 3in\n  margin: 0.3in\n  running_heads: false\n',
    );
    const out = join(site, '_out');
    const b = runCli([
      'build',
      site,
      '-o',
      out,
      '--format',
      'pdf',
      '--quiet',
      '--json',
      '-c',
      join(site, 'trim.yml'),
    ]);
    assert.equal(b.status, 0, b.stderr);
    // Lines as laid out (plain pdftotext joins a line ending in a hyphen with the next), without
    // the folio.
    const pages = run('pdftotext', ['-layout', join(out, 'book.pdf'), '-'])
      .split('\f')
      .map((p) => p.split('\n').filter((l) => l.trim() !== '' && !/^\s*[\divx]+\s*$/.test(l)));
    assert.ok(pages.length > 10, `many page turns (${pages.length} pages)`);
    const broken: string[] = [];
    for (let i = 0; i + 1 < pages.length; i++) {
      const last = pages[i]!.at(-1) ?? '';
      const next = pages[i + 1]![0] ?? '';
      if (/\p{L}-$/u.test(last.trim()) && /^\p{L}/u.test(next.trim()))
        broken.push(`${i + 1}: ${last} / ${next}`);
    }
    assert.deepEqual(broken, [], 'no compound broken across a page turn');
    const built = JSON.parse(b.stdout) as { warnings: { code: string }[] };
    assert.deepEqual(
      built.warnings.filter((w) => w.code === 'layout/hyphen-page-turn'),
      [],
    );
  });

  it('splits a long code block, a paragraph of images and a long callout instead of leaving the page before empty; sets a figure smaller to fit its page; fits a wide table; prints vague links’ addresses', function () {
    requireTools(this, 'chromium', 'pdftotext', 'pdffonts', 'pdftoppm', 'qpdf');
    const site = mkdtempSync(join(tmpdir(), 'bb-rules-'));
    mkdirSync(join(site, 'docs'));
    writeFileSync(join(site, '_config.yml'), 'title: Rules\nlang: en\n');
    const para = (n: number): string =>
      Array.from(
        { length: n },
        (_, i) => `Sentence ${i} of a paragraph that runs on for a while to fill lines.`,
      ).join(' ');
    const code = Array.from({ length: 45 }, (_, i) => `line_${i} = compute(${i})  # a line of code`).join(
      '\n',
    );
    writeFileSync(
      join(site, 'index.md'),
      [
        '---\ntitle: Home\nnav_order: 1\n---\n',
        para(20),
        '',
        'The program:',
        '',
        '```python\n' + code + '\n```',
        '',
        `${para(30)} For the details [click here](https://example.org/some-long-path/to-a-page?x=1&y=2).`,
        '',
      ].join('\n'),
    );
    // Three images in one paragraph (one a line), and a long callout, each after a few lines: both
    // split (a paragraph or quote with a class is kept whole only on e-readers).
    mkdirSync(join(site, 'assets'));
    writeFileSync(
      join(site, 'assets', 'square.svg'),
      '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 40 30"><rect width="40" height="30" fill="#446"/></svg>',
    );
    const img = (n: number): string => `<img src="/assets/square.svg" alt="Square ${n}" />`;
    writeFileSync(
      join(site, 'docs', 'images.md'),
      `---\ntitle: Images\nnav_order: 2\n---\n\n${para(10)}\n\n${img(1)}\n${img(2)}\n${img(3)}\n\nAfter the images.\n`,
    );
    writeFileSync(
      join(site, 'docs', 'callout.md'),
      `---\ntitle: Callout\nnav_order: 3\n---\n\n${para(10)}\n\n${para(60)}\n{: .note }\n\nAfter the callout.\n`,
    );
    // A table of sixteen columns, wider than the text block: set smaller, no column cut off.
    const cols = Array.from({ length: 16 }, (_, i) => i + 1);
    writeFileSync(
      join(site, 'docs', 'table.md'),
      `---\ntitle: Table\nnav_order: 4\n---\n\n| ${cols.map((c) => `Col${c}`).join(' | ')} |\n|${cols.map(() => '---').join('|')}|\n| ${cols.map((c) => `0.${c}25`).join(' | ')} |\n`,
    );
    // A figure a little taller than what is left of its page: set smaller to fit there, rather
    // than pushed over with most of the page left empty (no floats in Chromium).
    writeFileSync(
      join(site, 'assets', 'tall.svg'),
      '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="540" viewBox="0 0 30 54"><rect width="30" height="54" fill="#464"/></svg>',
    );
    writeFileSync(
      join(site, 'docs', 'figure.md'),
      `---\ntitle: Figure\nnav_order: 5\n---\n\n${para(24)}\n\nBefore the figure.\n\n<img src="/assets/tall.svg" alt="Tall">\n\nAfter the figure. ${para(20)}\n\n${para(20)}\n`,
    );
    const out = join(site, '_out');
    const b = runCli(['build', site, '-o', out, '--format', 'pdf', '--quiet', '--json']);
    assert.equal(b.status, 0, b.stderr);
    const built = JSON.parse(b.stdout) as { infos: { file: string; line: number; code: string }[] };
    assert.ok(
      built.infos.some(
        (w) => w.code === 'layout/figure-scaled' && w.file === 'docs/figure.md' && w.line === 10,
      ),
      `the figure set smaller is reported at its line: ${JSON.stringify(built.infos)}`,
    );
    // The figure is drawn on the page of the text before it: dark pixels in that page's lower half.
    const figurePage =
      run('pdftotext', [join(out, 'book.pdf'), '-'])
        .split('\f')
        .findIndex((p) => p.includes('Before the figure.')) + 1;
    assert.ok(figurePage > 0);
    run('pdftoppm', [
      '-f',
      `${figurePage}`,
      '-l',
      `${figurePage}`,
      '-r',
      '20',
      '-gray',
      '-singlefile',
      join(out, 'book.pdf'),
      join(out, 'fig'),
    ]);
    const pgm = readFileSync(join(out, 'fig.pgm'));
    const [, w, h] = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.toString('latin1', 0, 30))!.map(Number);
    const pixels = pgm.subarray(pgm.length - w! * h!);
    const dark = pixels.subarray(Math.floor(h! / 2) * w!).filter((v) => v < 120).length;
    assert.ok(dark > w! * 20, `the figure is drawn low on page ${figurePage} (${dark} dark pixels)`);
    const r = runCli(['preflight', join(out, 'book.pdf'), '--json']);
    const report = JSON.parse(r.stdout) as PreflightReport;
    assert.deepEqual(
      report.problems.map((p) => `${p.page}: ${p.message} [${p.code}]`),
      [],
    );
    const text = run('pdftotext', [join(out, 'book.pdf'), '-']).replace(/\s+/g, '');
    assert.match(text, /clickhere<https:\/\/example\.org\/some-long-path\/to-a-page\?x=1&y=2>/);
    assert.match(text, /Col16/, 'the last column is printed');
    assert.match(text, /0\.1625/);
  });
});
