import assert from 'node:assert/strict';
import {
  bookWords,
  chapterStarts,
  checkFonts,
  checkHalfEmpty,
  checkHyphenTurns,
  checkOutside,
  checkSingleLine,
  familyKey,
  type PageGeometry,
  textBlock,
} from '../../src/preflight/checks.js';
import {
  type Box,
  inkRange,
  type Line,
  parseBboxLayout,
  parsePdfFonts,
  parsePgm,
  parseQpdfOutline,
  type TextPage,
} from '../../src/preflight/parse.js';
import { geometryOf } from '../../src/preflight/run.js';

/** A4 in points with bookbinder's default margins rounded: 57pt sides, 62pt top and bottom. */
const G: PageGeometry = { top: 62, bottom: 62, inner: 57, outer: 57, twoSided: false };
const W = 595;
const H = 842;

/** A line of words set from x, 12pt high, words 40pt wide with 5pt spaces. */
function line(y: number, words: readonly string[], x = 57): Line {
  const ws = words.map((text, i) => ({
    text,
    xMin: x + i * 45,
    xMax: x + i * 45 + 40,
    yMin: y,
    yMax: y + 12,
  }));
  return { xMin: x, yMin: y, xMax: ws.at(-1)!.xMax, yMax: y + 12, words: ws };
}

function page(index: number, lines: readonly Line[]): TextPage {
  return { index, width: W, height: H, lines };
}

/** A page full of text from the block's top to `to` (fraction of the block). */
function filled(index: number, to: number, last = 'end.'): TextPage {
  const lines: Line[] = [];
  const bottom = 62 + to * (H - 124);
  for (let y = 62; y + 14 <= bottom; y += 14) lines.push(line(y, ['word', 'word', 'word']));
  lines.push(line(bottom - 12, ['word', last]));
  return page(index, lines);
}

describe('preflight: parsing poppler and qpdf output', () => {
  it('reads pages, lines and words from pdftotext -bbox-layout, entities decoded', () => {
    const xhtml = `<doc><page width="595.2" height="841.9"><flow><block xMin="1" yMin="2" xMax="3" yMax="4">
      <line xMin="57" yMin="100" xMax="120" yMax="112"><word xMin="57" yMin="100" xMax="80" yMax="112">R&amp;D</word>
      <word xMin="85" yMin="100" xMax="120" yMax="112">&#x2013;x</word></line></block></flow></page>
      <page width="595.2" height="841.9"></page></doc>`;
    const pages = parseBboxLayout(xhtml);
    assert.equal(pages.length, 2);
    assert.equal(pages[0]!.width, 595.2);
    assert.deepEqual(
      pages[0]!.lines[0]!.words.map((w) => w.text),
      ['R&D', '\u2013x'],
    );
    assert.equal(pages[0]!.lines[0]!.words[1]!.xMax, 120);
    assert.equal(pages[1]!.index, 2);
    assert.equal(pages[1]!.lines.length, 0);
  });

  it('reads the pdffonts table by its columns, subset tags dropped', () => {
    const table = [
      'name                                 type              encoding         emb sub uni object ID',
      '------------------------------------ ----------------- ---------------- --- --- --- ---------',
      'AAAAAA+NotoSerif-Italic              CID TrueType      Identity-H       yes yes yes     86  0',
      '[none]                               Type 3            Custom           yes no  no      12  0',
      'LiberationSerif                      TrueType          WinAnsi          no  no  no      13  0',
    ].join('\n');
    assert.deepEqual(parsePdfFonts(table), [
      { name: 'NotoSerif-Italic', type: 'CID TrueType', embedded: true },
      { name: '[none]', type: 'Type 3', embedded: true },
      { name: 'LiberationSerif', type: 'TrueType', embedded: false },
    ]);
  });

  it('flattens the qpdf outline with pages, depths and destination tops', () => {
    const json = {
      outlines: [
        {
          title: 'Part',
          destpageposfrom1: 3,
          dest: ['12 0 R', '/XYZ', 0, 841.9, 0],
          kids: [{ title: 'Sec', destpageposfrom1: 3, dest: ['12 0 R', '/XYZ', 0, 500, 0], kids: [] }],
        },
        { title: 'Fit', destpageposfrom1: 5, dest: ['14 0 R', '/Fit'], kids: [] },
      ],
    };
    const outline = parseQpdfOutline(json);
    assert.deepEqual(outline, [
      { title: 'Part', page: 3, depth: 0, top: 841.9 },
      { title: 'Sec', page: 3, depth: 1, top: 500 },
      { title: 'Fit', page: 5, depth: 0 },
    ]);
    const pages = [3, 4, 5].map((i) => ({ ...page(i, []), height: 841.9 }));
    assert.deepEqual(
      [...chapterStarts([...outline, { title: 'Low', page: 4, depth: 1, top: 300 }], pages)],
      [3, 5],
    );
  });

  it('reads a binary PGM and finds the inked rows inside a box', () => {
    const header = Buffer.from('P5\n# comment\n4 5\n255\n', 'latin1');
    const px = new Uint8Array(20).fill(255);
    px[1 * 4 + 2] = 0; // row 1
    px[3 * 4 + 0] = 100; // row 3, column 0
    const img = parsePgm(new Uint8Array([...header, ...px]));
    assert.equal(img.width, 4);
    assert.equal(img.height, 5);
    assert.deepEqual(inkRange(img, { xMin: 0, yMin: 0, xMax: 4, yMax: 5 }, 1), { top: 1, bottom: 4 });
    assert.deepEqual(inkRange(img, { xMin: 1, yMin: 0, xMax: 4, yMax: 5 }, 1), { top: 1, bottom: 2 });
    assert.equal(inkRange(img, { xMin: 0, yMin: 4, xMax: 4, yMax: 5 }, 1), undefined);
    assert.throws(() => parsePgm(Buffer.from('P6\n1 1\n255\n\0\0\0')), /8-bit binary PGM/);
  });
});

describe('preflight: the checks', () => {
  it('finds the text block from the margins, mirrored on left-hand pages when two-sided', () => {
    const two = { ...G, inner: 68, outer: 51, twoSided: true };
    assert.deepEqual(textBlock(page(1, []), two), { xMin: 68, yMin: 62, xMax: W - 51, yMax: H - 62 });
    assert.deepEqual(textBlock(page(2, []), two), { xMin: 51, yMin: 62, xMax: W - 68, yMax: H - 62 });
  });

  it('takes margins and their two-sided defaults from the PDF settings', () => {
    const one = geometryOf({});
    const two = geometryOf({ twoSided: true, margins: { top: '1in' } });
    assert.ok(Math.abs(one.inner - (20 * 72) / 25.4) < 0.01);
    assert.ok(Math.abs(two.inner - (24 * 72) / 25.4) < 0.01 && Math.abs(two.outer - (18 * 72) / 25.4) < 0.01);
    assert.equal(two.top, 72);
    assert.throws(() => geometryOf({ margins: { top: 'wide' } }), /margins\.top/);
  });

  it('reports words reaching into the side margin, not the running head or the folio', () => {
    const head = line(30, ['Chapter'], 250);
    const folio = line(800, ['12'], 290);
    const body = line(100, ['text', 'text']);
    assert.deepEqual(checkOutside(page(1, [head, folio, body]), G), []);
    const wide = {
      ...line(120, ['x']),
      words: [{ text: 'formula', xMin: 500, xMax: 560, yMin: 120, yMax: 132 }],
    };
    const found = checkOutside(page(4, [body, wide]), G);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.code, 'preflight/outside-text-block');
    assert.equal(found[0]!.page, 4);
    assert.match(found[0]!.message, /"formula"; up to 22pt into the margin/);
  });

  it('a tall glyph whose font box, not its ink, rises above the block is judged by the ink', () => {
    const G0 = textBlock(page(1, []), G);
    const prod = {
      ...line(G0.yMin + 2, ['x']),
      words: [{ text: '∏', xMin: 200, xMax: 215, yMin: G0.yMin - 5, yMax: G0.yMin + 20 }],
    };
    const bands: Box[] = [];
    const noInk = (b: Box): boolean => (bands.push(b), false);
    assert.deepEqual(checkOutside(page(9, [prod]), G, noInk), []);
    assert.deepEqual(bands, [{ xMin: 200, xMax: 215, yMin: G0.yMin - 5, yMax: G0.yMin }]);
    assert.equal(checkOutside(page(9, [prod]), G, () => true).length, 1, 'ink there: outside');
    assert.equal(checkOutside(page(9, [prod]), G).length, 1, 'no way to look: outside');
  });

  it('reports a page holding a single line, but not a caption beside a picture or a part title page', () => {
    const lone = page(7, [
      line(62, ['will', 'not', 'work.']),
      line(30, ['Head'], 250),
      line(800, ['7'], 290),
    ]);
    const found = checkSingleLine(lone, G, { top: 62, bottom: 74 });
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /"will not work\."/);
    assert.deepEqual(checkSingleLine(lone, G, { top: 62, bottom: 400 }), [], 'a figure above the caption');
    assert.deepEqual(checkSingleLine(lone, G, undefined, true), [], 'a page a chapter opens with');
    // Two lines side by side (a label and its text) are one row: still one line of type.
    const side = page(8, [line(62, ['Term']), line(63, ['definition'], 300)]);
    assert.equal(checkSingleLine(side, G).length, 1);
    assert.deepEqual(checkSingleLine(page(9, [line(62, ['a']), line(76, ['b'])]), G), []);
  });

  it('reports a word hyphenated across a page turn, not a compound broken at its own hyphen', () => {
    const p1 = filled(1, 0.95, 'respon-');
    const p2 = page(2, [line(62, ['sible', 'for', 'it.'])]);
    const found = checkHyphenTurns([p1, p2], G, new Set());
    assert.equal(found.length, 1);
    assert.equal(found[0]!.page, 1);
    assert.match(found[0]!.message, /"respon-" \/ "sible"/);
    const c1 = filled(1, 0.95, 'just-the-');
    const c2 = page(2, [line(62, ['docs', 'theme.'])]);
    const words = bookWords([page(5, [line(100, ['the', 'just-the-docs', 'theme'])])]);
    assert.ok(words.has('just-the-docs'));
    assert.deepEqual(checkHyphenTurns([c1, c2], G, words), []);
    // A dash after a number or before a capital-less non-letter is not hyphenation.
    assert.deepEqual(checkHyphenTurns([filled(1, 0.95, '1990-'), p2], G, new Set()), []);
  });

  it('reports a page more than half empty inside a chapter, not its last page nor a blank one', () => {
    const ink = (p: TextPage) => {
      const ys = p.lines.map((l) => l.yMax);
      return ys.length ? { top: 62, bottom: Math.max(...ys) } : undefined;
    };
    // Pages: 1 title (front matter), 2 chapter opens, 3 a third full, 4 full, 5 a third (chapter
    // ends), 6 blank, 7 chapter opens, 8 a quarter (last page of the book).
    const pages = [
      filled(1, 0.2),
      filled(2, 0.9),
      filled(3, 0.3),
      filled(4, 0.9),
      filled(5, 0.3),
      page(6, []),
      filled(7, 0.9),
      filled(8, 0.25),
    ];
    const found = checkHalfEmpty(pages, G, new Set([2, 7]), pages.map(ink));
    assert.deepEqual(
      found.map((f) => f.page),
      [3],
    );
    assert.match(found[0]!.message, /7\d% empty/);
    // A tall figure on the page (ink, no text) fills it.
    const withFigure = pages.map(ink);
    withFigure[2] = { top: 62, bottom: 700 };
    assert.deepEqual(checkHalfEmpty(pages, G, new Set([2, 7]), withFigure), []);
  });

  it('reports Type 3 fonts and fonts bookbinder does not bundle, once each', () => {
    const bundled = new Set(['notoserif', 'notosans', 'katexmain']);
    assert.equal(familyKey('ABCDEF+NotoSerif-BoldItalic'), 'notoserif');
    assert.equal(familyKey('KaTeX_Main-Regular'), 'katexmain');
    assert.equal(familyKey('NotoSans'), 'notosans');
    const found = checkFonts(
      [
        { name: 'NotoSerif-Italic', type: 'CID TrueType', embedded: true },
        { name: 'KaTeX_Main-Regular', type: 'CID TrueType', embedded: true },
        { name: '[none]', type: 'Type 3', embedded: true },
        { name: 'LiberationSerif', type: 'CID TrueType', embedded: true },
        { name: 'LiberationSerif', type: 'CID TrueType', embedded: true },
      ],
      bundled,
    );
    assert.deepEqual(
      found.map((f) => f.code),
      ['preflight/type3-font', 'preflight/font-not-bundled'],
    );
    assert.match(found[1]!.message, /LiberationSerif/);
  });
});
