/**
 * Words hyphenated across a page turn: found in a chunk Chromium printed (the fixture is made by
 * `scripts/fixtures/hyphen-turn.ts`: a site of long words at a 4in × 3in trim, its first print
 * kept), told apart from the soft hyphens that break a line inside a page or break nothing, and
 * the words found in the chapter's HTML to keep whole.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brokenCompound, brokenWord, keepWhole } from '../../src/compose/hyphenate.js';
import { readPart } from '../../src/output/pdf/raw/part.js';
import { dropSoftHyphenText } from '../../src/output/pdf/text.js';
import {
  bottomBreak,
  HyphenTurnFinder,
  parseToUnicode,
  textRuns,
  turnWords,
} from '../../src/output/pdf/turns.js';
import { FIXTURES } from '../helpers.js';

const SHY = '\u00ad';

describe('PDF: words hyphenated across a page turn', () => {
  it('finds, in a printed chunk, each page whose last line ends with a soft hyphen, and the word', async () => {
    const part = readPart(readFileSync(join(FIXTURES, 'pdf', 'hyphen-turn.pdf')));
    assert.equal(part.pages.length, 16);
    const finder = new HyphenTurnFinder(part, { top: 21.6, bottom: 21.6 });
    await dropSoftHyphenText(part, finder);
    // What pdftotext reads at the foot of each page and the head of the next: every page ends
    // with a hyphenated line but 4, 7, 9, 13 and 15 (0-based); lines end with a hyphen inside
    // every page, and words hold soft hyphens that break nothing.
    assert.deepEqual(finder.turns(), [
      { page: 0, head: 'compre', tail: 'hensive' },
      { page: 1, head: 'considera', tail: 'tions' },
      { page: 2, head: 're', tail: 'sponsibilities' },
      { page: 3, head: 'notwith', tail: 'standing' },
      { page: 5, head: 'hy', tail: 'phenation' },
      { page: 6, head: 'internationaliza', tail: 'tion' },
      { page: 8, head: 'interna', tail: 'tionalization' },
      { page: 10, head: 'considera', tail: 'tions' },
      { page: 11, head: 're', tail: 'sponsibilities' },
      { page: 12, head: 'notwith', tail: 'standing' },
      { page: 14, head: 'hy', tail: 'phenation' },
    ]);
    assert.ok(part.replaced.size > 0, 'the soft hyphens’ text is still emptied');
  });

  it('finds nothing when the margins say the last line is outside the text block', async () => {
    const part = readPart(readFileSync(join(FIXTURES, 'pdf', 'hyphen-turn.pdf')));
    // A bottom margin reaching over the last two lines: the last line in the block is another.
    const finder = new HyphenTurnFinder(part, { top: 21.6, bottom: 60 });
    await dropSoftHyphenText(part, finder);
    assert.ok(finder.turns().every((t) => t.page !== 0 || t.head !== 'compre'));
  });

  const font = {
    twoByte: false,
    unicode: new Map([...'abcdefghijklmnopqrstuvwxyz -'].map((c) => [c.charCodeAt(0), c])),
  };
  const page = (s: string) => textRuns([Buffer.from(s, 'latin1')], 100, () => font);
  const SPAN = '/Span<</ActualText <FEFF00AD>>> BDC (x) Tj EMC';

  it('reads a break on the last line, below which only a subscript of that line goes', () => {
    // y is up in PDF space: the line at 20 is the page's lowest; the subscript at 18 is part of it.
    const runs = page(
      `BT /F1 10 Tf 1 0 0 1 0 40 Tm (above) Tj ET BT /F1 10 Tf 1 0 0 1 0 20 Tm (some hyph) Tj ${SPAN} ET ` +
        'BT /F1 10 Tf 1 0 0 1 90 20 Tm (-) Tj ET BT /F1 6 Tf 1 0 0 1 50 18 Tm (i) Tj ET',
    );
    assert.deepEqual(bottomBreak(runs), { head: 'hyph' });
  });

  it('ignores a soft hyphen that breaks nothing, and a break on a line that is not the last', () => {
    const mid = page(`BT /F1 10 Tf 1 0 0 1 0 20 Tm (hyph) Tj ${SPAN} 10 0 Td (en) Tj ET`);
    assert.equal(bottomBreak(mid), undefined);
    const higher = page(
      `BT /F1 10 Tf 1 0 0 1 0 40 Tm (hyph) Tj ${SPAN} ET BT 1 0 0 1 90 40 Tm (-) Tj ET ` +
        'BT /F1 10 Tf 1 0 0 1 0 20 Tm (enation ends) Tj ET',
    );
    assert.equal(bottomBreak(higher), undefined);
  });

  it('reads a last line ending at a hyphen the author wrote, and no other hyphen', () => {
    const last = (text: string) =>
      bottomBreak(
        page(`BT /F1 10 Tf 1 0 0 1 0 40 Tm (above) Tj ET BT /F1 10 Tf 1 0 0 1 0 20 Tm (${text}) Tj ET`),
      );
    assert.deepEqual(last('you may re-'), { head: 're', compound: true });
    assert.deepEqual(last('just-the- '), { head: 'the', compound: true });
    assert.equal(last('a dash -'), undefined, 'a hyphen after a space breaks no word');
    assert.equal(last('re-enter here'), undefined, 'a hyphen inside the line');
    // A soft hyphen's break is read first.
    const both = page(
      `BT /F1 10 Tf 1 0 0 1 0 20 Tm (pre-hyph) Tj ${SPAN} ET BT /F1 10 Tf 1 0 0 1 90 20 Tm (-) Tj ET`,
    );
    assert.deepEqual(bottomBreak(both), { head: 'hyph' });
  });

  it('reads ToUnicode maps: single codes, ranges and ligatures', () => {
    const map = parseToUnicode(
      '2 beginbfchar\n<0003> <0020>\n<00CE> <00660069>\nendbfchar\n' +
        '2 beginbfrange\n<0024> <0026> <0041>\n<0030> <0031> [<0078> <0079>]\nendbfrange',
    );
    assert.deepEqual(
      [3, 0xce, 0x24, 0x25, 0x26, 0x30, 0x31].map((c) => map.get(c)),
      [' ', 'fi', 'A', 'B', 'C', 'x', 'y'],
    );
  });
});

describe('keeping a word whole', () => {
  const html = `<p data-line="3">A cus${SHY}tom line.</p>\n<p data-line="9">Cus${SHY}tom and cus${SHY}tom${SHY}ers, hy${SHY}phen${SHY}ation.</p>`;

  it('finds the word broken after the letters read, whatever their case, and where it is', () => {
    assert.deepEqual(brokenWord(html, 'cus', 'tom'), { word: 'custom', at: html.indexOf('cus') });
    assert.deepEqual(brokenWord(html, 'CUS', 'TOMERS'), {
      word: 'customers',
      at: html.indexOf(`cus${SHY}tom${SHY}ers`),
    });
    assert.equal(brokenWord(html, 'hyphe', 'nation'), undefined, 'no soft hyphen there');
    assert.equal(brokenWord(html, 'hyphen', 'ation')?.word, 'hyphenation');
    assert.equal(
      brokenWord(html, 'cus', 'xyz')?.word,
      'custom',
      'the next page unread: the first word so broken',
    );
  });

  it('takes the soft hyphens out of the words given, every occurrence, and of no other word', () => {
    assert.equal(
      keepWhole(html, new Set(['custom'])),
      `<p data-line="3">A custom line.</p>\n<p data-line="9">Custom and cus${SHY}tom${SHY}ers, hy${SHY}phen${SHY}ation.</p>`,
    );
    assert.equal(keepWhole(html, new Set()), html);
  });

  const compounds = `<style>.callout-title{re-enter:1}</style><p data-line="4" class="re-enter">You may re-enter it.</p><p data-line="7">To Re-En${SHY}ter, or re-entered, or <code>re-enter</code>.</p>`;

  it('finds a compound broken at its own hyphen, in text only, and where it is', () => {
    const at = compounds.indexOf('You may re-') + 8;
    assert.deepEqual(brokenCompound(compounds, 're', 'enter'), { word: 're-enter', at });
    assert.deepEqual(brokenCompound(compounds, 'RE', 'ENTERED'), {
      word: 're-entered',
      at: compounds.indexOf('re-entered'),
    });
    assert.equal(brokenCompound(compounds, 'callout', 'title'), undefined, 'not in a style sheet');
    assert.equal(brokenCompound(compounds, 're', ''), undefined, 'the next page unread: nothing');
    assert.equal(brokenCompound(compounds, 'enter', 're'), undefined);
  });

  it('keeps a compound whole in a span that does not break, in text only', () => {
    assert.equal(
      keepWhole(compounds, new Set(['re-enter'])),
      '<style>.callout-title{re-enter:1}</style><p data-line="4" class="re-enter">You may <span class="bb-nobr">re-enter</span> it.</p>' +
        '<p data-line="7">To <span class="bb-nobr">Re-Enter</span>, or re-entered, or <code><span class="bb-nobr">re-enter</span></code>.</p>',
    );
  });

  it('places each turn in the chapter holding its page, at the line of its block; a compound only if written', () => {
    const chapters = ['<p data-line="1">Nothing.</p>\n<p data-line="2">All to-come.</p>', html];
    const words = turnWords(
      [
        { page: 4, head: 'cus', tail: 'tomers' },
        { page: 0, head: 'zzz', tail: 'y' },
        { page: 0, head: 'to', tail: 'come', compound: true },
        { page: 4, head: 'cus', tail: 'tom', compound: true },
      ],
      ['a', 'b'],
      0,
      2,
      new Map([
        ['a', 1],
        ['b', 3],
      ]),
      (k) => chapters[k]!,
    );
    assert.deepEqual(
      words.map((w) => [w.chapter, w.word, w.line, w.found]),
      [
        [1, 'customers', 9, true],
        [0, 'zzzy', 1, false],
        [0, 'to-come', 2, true],
      ],
    );
  });
});
