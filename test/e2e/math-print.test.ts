/**
 * End to end, formulas on paper: the `math` fixture site (an inline `\sum`, primes, an aligned
 * derivation, a display formula wider than the text block, one too wide even at the floor, and a
 * page with a table nothing can shrink) is printed, and the PDF is read with `pdftotext -bbox`:
 * no glyph of the formulas' chapter lies outside the text block, the derivation is aligned on its
 * `=`, primes touch their letter, the limits of the inline sum are at its side; the table is a
 * `layout/overflow` warning at its file and line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Diagnostics } from '../../src/diagnostics.js';
import { readPdfConfig } from '../../src/config/pdf.js';
import { FIXTURES, requireTools, run, runCli } from '../helpers.js';

interface Diag {
  file: string;
  line: number;
  code: string;
  message: string;
}

interface Report {
  chapters: { source: string; page: number }[];
  warnings: Diag[];
  infos: Diag[];
}

interface Word {
  page: number;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
  text: string;
}

/** The words of a PDF with their boxes, from `pdftotext -bbox`. */
function words(pdf: string): { words: Word[]; width: number } {
  const xml = run('pdftotext', ['-bbox', pdf, '-']);
  const out: Word[] = [];
  let width = 0;
  let page = 0;
  for (const m of xml.matchAll(
    /<page width="([\d.]+)"|<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g,
  )) {
    if (m[1] !== undefined) {
      page++;
      width = Number(m[1]);
      continue;
    }
    out.push({
      page,
      xMin: Number(m[2]),
      yMin: Number(m[3]),
      xMax: Number(m[4]),
      yMax: Number(m[5]),
      text: m[6]!,
    });
  }
  return { words: out, width };
}

describe('formulas on paper (e2e)', function () {
  this.timeout(180_000);
  let report: Report;
  let all: Word[];
  let pageWidth: number;
  let formulas: Word[];

  before(function () {
    requireTools(this, 'chromium', 'pdftotext');
    const out = mkdtempSync(join(tmpdir(), 'bb-math-'));
    const r = runCli(['build', join(FIXTURES, 'sites', 'math'), '-o', out, '--format', 'pdf', '--json']);
    assert.equal(r.status, 0, r.stderr);
    report = JSON.parse(r.stdout) as Report;
    ({ words: all, width: pageWidth } = words(join(out, 'book.pdf')));
    const first = report.chapters.find((c) => c.source === 'index.md')!.page;
    const next = report.chapters.find((c) => c.source === 'wide.md')!.page;
    formulas = all.filter((w) => w.page >= first && w.page < next);
  });

  it('prints no glyph of the formulas outside the text block, and loses none', () => {
    const cfg = readPdfConfig({}, new Diagnostics());
    const left = cfg.inner.pt;
    const right = pageWidth - cfg.outer.pt;
    const outside = formulas.filter((w) => w.xMin < left - 2 || w.xMax > right + 2);
    assert.deepEqual(outside, []);
    const text = formulas.map((w) => w.text).join(' ');
    for (const expected of ['Domains', 'NSW', 'red', 'green', 'blue', 'The', 'end.'])
      assert.ok(
        formulas.some((w) => w.text.includes(expected)),
        `"${expected}" missing from ${text}`,
      );
    assert.ok(
      formulas.some((w) => w.text.includes('30')),
      'x_30 is printed',
    );
  });

  it('scales the wide formula and breaks the widest, at their lines', () => {
    const scaled = report.infos.find((d) => d.code === 'layout/formula-scaled');
    assert.match(scaled?.message ?? '', /^1 display formula\(s\) .* \(down to (\d+)%\)/);
    const percent = Number(/down to (\d+)%/.exec(scaled!.message)![1]);
    assert.ok(percent >= 60 && percent < 100, scaled!.message);
    const broken = report.infos.filter((d) => d.code === 'layout/formula-broken');
    assert.deepEqual(
      broken.map((d) => `${d.file}:${d.line}`),
      ['index.md:29'],
    );
  });

  it('aligns the derivation on its = signs', () => {
    const top = formulas.find((w) => w.text === 'derivation:')!;
    const bottom = formulas.find((w) => w.text === 'wider')!;
    const equals = formulas.filter((w) => w.text === '=' && w.yMin > top.yMax && w.yMax < bottom.yMin);
    assert.equal(equals.length, 3, JSON.stringify(equals));
    const xs = equals.map((w) => w.xMin);
    assert.ok(Math.max(...xs) - Math.min(...xs) < 0.5, `= at ${xs.join(', ')}`);
  });

  it('keeps primes on their letter', () => {
    const primes = formulas.filter((w) => w.text === '′');
    assert.ok(primes.length >= 5, `${primes.length} primes`);
    for (const p of primes) {
      // The letter it belongs to: the nearest word ending at its left, on its line.
      const letter = formulas
        .filter(
          (w) => w !== p && w.page === p.page && Math.abs(w.yMax - p.yMax) < 12 && w.xMax <= p.xMin + 0.5,
        )
        .sort((a, b) => b.xMax - a.xMax)[0]!;
      // Next to it (an italic f keeps its italic correction, about 1 pt), as a superscript:
      // its top at most a few points above the letter's, its foot above the letter's.
      const where = `prime after "${letter.text}": ${JSON.stringify(p)} ${JSON.stringify(letter)}`;
      assert.ok(p.xMin - letter.xMax < 1.5, where);
      assert.ok(p.yMin > letter.yMin - 5 && p.yMax < letter.yMax, where);
    }
  });

  it('sets the limits of an inline sum at its side, not underneath', () => {
    const sums = formulas.filter((w) => w.text === '∑');
    assert.equal(sums.length, 2);
    for (const s of sums) {
      const under = formulas.filter(
        (w) =>
          w !== s &&
          w.yMin >= s.yMax - 2 &&
          w.yMin < s.yMax + 10 &&
          w.xMin < s.xMax - 1 &&
          w.xMax > s.xMin + 1 &&
          // Limits are set small; the words of the next line are text size.
          w.yMax - w.yMin < 10,
      );
      assert.deepEqual(under, []);
    }
  });

  it('reports the table nothing can shrink at its file and line, and nothing else', () => {
    const overflows = report.warnings.filter((d) => d.code === 'layout/overflow');
    assert.deepEqual(
      overflows.map((d) => `${d.file}:${d.line}`),
      ['wide.md:8'],
    );
    assert.match(overflows[0]!.message, /^a table runs \d+ pt past the text block/);
  });

  it('prints the body at full size (an overflow does not shrink the chunk)', () => {
    const wide = report.chapters.find((c) => c.source === 'wide.md')!.page;
    const word = all.find((w) => w.page === wide && w.text === 'table')!;
    // Noto Serif at 10.5 pt: its box (ascender to descender) is about 14.3 pt high.
    assert.ok(word.yMax - word.yMin > 13.5, `${(word.yMax - word.yMin).toFixed(2)} pt`);
  });
});
