/** The generated cover: line breaking and layout (pure), then real fonts measuring and shaping. */
import assert from 'node:assert/strict';
import { CoverFaces, drawCover, visualOrder } from '../../src/output/epub/cover-draw.js';
import {
  breakUnits,
  COVER_SIZE,
  COVER_STYLE,
  fitText,
  isRtl,
  layoutCover,
  type Measure,
  wrapGreedy,
} from '../../src/output/epub/cover-layout.js';
import { FONT_STACKS } from '../../src/fonts/bundled.js';
import { coverImage } from '../../src/output/epub/cover.js';
import { Diagnostics } from '../../src/diagnostics.js';

const PIXEL = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082',
  'hex',
);

/** A monospaced stand-in for a font: every character is half an em wide. */
const mono: Measure = (text, size) => [...text].length * size * 0.5;
const texts = (title: string) => breakUnits(title).map((u) => u.text);

describe('cover: breaking a title into units', () => {
  it('keeps words whole and remembers the spaces between them', () => {
    assert.deepEqual(breakUnits('  The   Bookbinder’s\tHandbook '), [
      { text: 'The', space: false },
      { text: 'Bookbinder’s', space: true },
      { text: 'Handbook', space: true },
    ]);
  });

  it('breaks Chinese and Japanese between characters, punctuation staying on the right side', () => {
    assert.deepEqual(texts('吾輩は猫である。'), ['吾', '輩', 'は', '猫', 'で', 'あ', 'る。']);
    assert.deepEqual(texts('「こころ」夏目'), ['「こ', 'こ', 'ろ」', '夏', '目']);
    // Latin inside Japanese stays one unit; the full stop does not start a line.
    assert.deepEqual(texts('HTML5入門。'), ['HTML5', '入', '門。']);
  });

  it('keeps combining marks with their letter', () => {
    assert.deepEqual(texts('e\u0301te\u0301 が\u3099'), ['e\u0301te\u0301', 'が\u3099']);
  });
});

describe('cover: greedy line breaking', () => {
  const measure = (t: string) => mono(t, 10); // 5 px per character

  it('fills each line as far as it goes', () => {
    const r = wrapGreedy(breakUnits('aaa bbb ccc ddd eee'), 40, measure);
    assert.deepEqual(r, { lines: ['aaa bbb', 'ccc ddd', 'eee'], overflow: false });
  });

  it('puts a word wider than the line alone on its line, and says so', () => {
    const r = wrapGreedy(breakUnits('a abcdefghijkl b'), 40, measure);
    assert.deepEqual(r, { lines: ['a', 'abcdefghijkl', 'b'], overflow: true });
  });

  it('breaks such a word between characters when asked (overflow-wrap: break-word)', () => {
    const r = wrapGreedy(breakUnits('a abcdefghijkl b'), 40, measure, true);
    assert.deepEqual(r, { lines: ['a', 'abcdefgh', 'ijkl b'], overflow: false });
  });

  it('breaks Japanese anywhere between characters, never before a full stop', () => {
    const r = wrapGreedy(breakUnits('吾輩は猫である。名前'), 15, measure);
    assert.deepEqual(r.lines, ['吾輩は', '猫であ', 'る。名', '前']);
  });
});

describe('cover: choosing the size', () => {
  const opts = { width: 960, height: 1000, sizes: [112, 80, 56], lineHeight: 1.1, maxLines: 3 };

  it('sets a short title at the largest size', () => {
    assert.deepEqual(fitText(['Short Title'], opts, mono), { size: 112, paragraphs: [['Short Title']] });
  });

  it('takes a smaller size when a title would need too many lines', () => {
    const title = 'one two three four five six seven eight nine ten eleven';
    const r = fitText([title], opts, mono);
    assert.equal(r.size, 80);
    for (const line of r.paragraphs[0]!) assert.ok(mono(line, r.size) <= 960, line);
    assert.equal(r.paragraphs[0]!.join(' '), title);
  });

  it('takes a smaller size rather than break a long word', () => {
    const r = fitText(['Supercalifragilistic'], opts, mono); // 20 characters: 1120 px at 112
    assert.deepEqual(r, { size: 80, paragraphs: [['Supercalifragilistic']] });
  });

  it('ends a title too long for the cover with an ellipsis', () => {
    const r = fitText(['word '.repeat(400)], { ...opts, height: 300 }, mono);
    assert.equal(r.size, 56);
    const lines = r.paragraphs[0]!;
    assert.equal(lines.length, Math.floor(300 / (56 * 1.1)));
    assert.match(lines[lines.length - 1]!, /…$/);
    for (const line of lines) assert.ok(mono(line, 56) <= 960, line);
  });
});

describe('cover: layout', () => {
  const metrics = { title: { ascent: 1.069, descent: 0.293 }, author: { ascent: 1.069, descent: 0.293 } };

  it('sets the title from the top, the rule below it and the authors at the foot', () => {
    const l = layoutCover('A Book', ['Ada', 'Grace'], metrics, { title: mono, author: mono });
    const [title, ada, grace] = l.lines;
    assert.deepEqual(
      [title?.text, title?.role, title?.size, ada?.text, grace?.text],
      ['A Book', 'title', 112, 'Ada', 'Grace'],
    );
    assert.equal(l.anchor, 'start');
    assert.equal(title!.x, COVER_STYLE.side);
    // As CSS set the page: 180 px of padding, a 1.1 line, the rule 64 px below it.
    assert.ok(title!.y > 180 && title!.y < 180 + 112 * 1.1);
    assert.equal(l.rule.y, Math.round((180 + 112 * 1.1 + 64) * 100) / 100);
    // The last author's line ends 16 px above the 160 px foot margin.
    const authorLine = 56 * (1.069 + 0.293);
    assert.ok(Math.abs(grace!.y - (COVER_SIZE.height - 160 - 16 - authorLine + 1.069 * 56)) < 0.01);
    assert.ok(ada!.y < grace!.y);
  });

  it('sets a right-to-left title flush right, with its rule', () => {
    assert.ok(isRtl('مقدمة إلى HTML'));
    assert.ok(!isRtl('HTML مقدمة'));
    const l = layoutCover('كتاب الطيور', ['أحمد'], metrics, { title: mono, author: mono });
    assert.equal(l.anchor, 'end');
    assert.ok(l.lines.every((line) => line.x === COVER_SIZE.width - COVER_STYLE.side));
    assert.equal(l.rule.x + l.rule.width, COVER_SIZE.width - COVER_STYLE.side);
  });
});

describe('cover: runs in visual order (Unicode rule L2)', () => {
  it('reverses right-to-left runs and keeps numbers inside them left to right', () => {
    const runs = [
      { t: 'abc', level: 0 },
      { t: 'ARAB', level: 1 },
      { t: '12', level: 2 },
      { t: 'IC', level: 1 },
      { t: 'def', level: 0 },
    ];
    assert.deepEqual(
      visualOrder(runs).map((r) => r.t),
      ['abc', 'IC', '12', 'ARAB', 'def'],
    );
  });
});

describe('cover: measured and drawn with the book fonts', function () {
  this.timeout(30_000);

  it('measures with the face that holds each character, and shapes Arabic into joined forms', () => {
    const faces = new CoverFaces(FONT_STACKS.serif, 700);
    const latin = faces.width('Handbook', 100, false);
    assert.ok(latin > 300 && latin < 700, String(latin));
    // Joined Arabic letters are narrower than the same letters standing alone.
    const joined = faces.width('لللل', 100, true);
    const alone = faces.width('ل ل ل ل', 100, true) - 3 * faces.width(' ', 100, true);
    assert.ok(joined < alone, `${joined} < ${alone}`);
    // A Japanese title finds its glyphs in Noto Sans SC (each is one em wide).
    assert.equal(Math.round(faces.width('猫', 100, false)), 100);
  });

  it('lays a long title out so that every line fits the cover', () => {
    const faces = new CoverFaces(FONT_STACKS.serif, 700);
    const measure: Measure = (t, size) => faces.width(t, size, false);
    const title =
      'A Very Long Title About the Comprehensive History of Bookbinding, Papermaking and Typography in Europe';
    const l = layoutCover(
      title,
      ['Someone'],
      { title: faces.metrics, author: faces.metrics },
      {
        title: measure,
        author: measure,
      },
    );
    const lines = l.lines.filter((x) => x.role === 'title');
    assert.ok(lines.length > 1 && lines.length <= COVER_STYLE.titleMaxLines);
    assert.ok(lines[0]!.size < 112);
    for (const line of lines) assert.ok(measure(line.text, line.size) <= 960, line.text);
    assert.equal(lines.map((x) => x.text).join(' '), title);
  });

  it('draws what the book fonts lack from the machine fonts, or says it could not', () => {
    const hebrew = 'ספר הציפורים';
    const faces = new CoverFaces(FONT_STACKS.serif, 700, hebrew, 'serif');
    const letters = [...new Set(hebrew.replace(/ /g, ''))].sort();
    // No Noto package of the book has Hebrew: a system font (fontconfig, DejaVu) draws it, or
    // every letter is listed as missing; none is dropped silently.
    if (faces.missing.length === 0) assert.ok(faces.width(hebrew, 100, true) > 200);
    else assert.deepEqual([...faces.missing].sort(), letters);
  });

  it('reports the characters a generated cover leaves out', async () => {
    const diags = new Diagnostics();
    const job = { drawn: Promise.resolve({ png: PIXEL, missing: ['𐘀', '𐘁'] }), cancel: () => undefined };
    const cover = await coverImage(
      { kind: 'generate' },
      '/nowhere',
      { title: 'x', authors: [], lang: 'en' },
      diags,
      job,
    );
    assert.equal(cover?.name, 'cover.png');
    assert.deepEqual(
      diags.list().map((d) => [d.severity, d.code]),
      [['warning', 'epub/cover-glyphs']],
    );
    assert.match(diags.list()[0]!.message, /𐘀 𐘁/);
  });

  it('shapes scripts fontkit needs its generator runtime for (Devanagari)', function () {
    const faces = new CoverFaces(FONT_STACKS.serif, 700, 'हिन्दी', 'serif');
    if (faces.missing.length > 0) {
      console.warn('      skipped: no Devanagari font on this machine (Debian: fonts-noto-core)');
      this.skip();
    }
    assert.ok(faces.width('हिन्दी', 100, false) > 0);
  });

  it('draws a 1200×1800 PNG, the same bytes every time', async () => {
    const text = { title: 'Field Notes 東京 كتاب', authors: ['Ada Lovelace'], lang: 'en' };
    const a = Buffer.from((await drawCover(text)).png);
    const b = Buffer.from((await drawCover(text)).png);
    assert.equal(a.subarray(1, 4).toString(), 'PNG');
    assert.deepEqual([a.readUInt32BE(16), a.readUInt32BE(20)], [1200, 1800]);
    assert.ok(a.equals(b));
  });
});
