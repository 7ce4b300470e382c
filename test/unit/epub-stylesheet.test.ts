/**
 * The EPUB's stylesheet lowered for conservative readers (calibre, RMSDK, KF8), its metadata as
 * calibre reads it, and the cover page.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { coverPage, imageSize } from '../../src/output/epub/cover.js';
import { fileAs } from '../../src/output/epub/metadata.js';
import { encodePng } from '../../src/output/epub/png.js';
import {
  lowerColors,
  lowerMediaQuery,
  lowerSelector,
  lowerStylesheet,
} from '../../src/output/epub/stylesheet.js';
import { ROOT } from '../helpers.js';

const squash = (css: string): string => css.replace(/\s+/g, ' ').trim();

describe('EPUB stylesheet for conservative readers', () => {
  it('resolves custom properties from the root, the same selector and fallbacks, then drops them', () => {
    const r = lowerStylesheet([
      ':root { --rule: #ddd; --line: 1px solid var(--rule); } html { --rule: red; }',
      'td { border: var(--line); } .q { --c: blue; } .q { color: var(--c); } .w { color: var(--none, green); }',
      '.x { color: var(--missing); margin: 0; }',
    ]);
    assert.equal(
      squash(r.css),
      'td { border: 1px solid #ddd; } .q { color: blue; } .w { color: green; } .x { margin: 0; }',
    );
    assert.deepEqual(r.dropped, ['color: var(--missing)']);
  });

  it("leaves no var() and no custom property in bookbinder's own EPUB styles", () => {
    const parts = ['book.css', 'components.css', 'epub.css'].map((f) =>
      readFileSync(join(ROOT, 'styles', f), 'utf8'),
    );
    const r = lowerStylesheet(parts);
    assert.doesNotMatch(r.css, /var\(|--bb-/);
    assert.deepEqual(r.dropped, []);
    assert.match(r.css, /th, td \{ border: 1px solid #d9d9de;/);
  });

  it('writes selectors in Selectors Level 3, leaving out what has no such form', () => {
    assert.equal(lowerSelector('.a:is(p, li) > :where(.b)'), 'p.a > .b, li.a > .b');
    assert.equal(lowerSelector(':is(h1 a, h2) b'), 'h1 a b, h2 b');
    assert.equal(lowerSelector('p:not(.a, .b)'), 'p:not(.a):not(.b)');
    assert.equal(lowerSelector('a:hover, li::marker'), 'a:hover');
    assert.equal(lowerSelector('p:has(> img)'), undefined);
    assert.equal(lowerSelector('li:nth-child(2n of .x)'), undefined);
    assert.equal(lowerSelector('p:not(.a .b)'), undefined);
  });

  it('writes colours and media ranges in their older syntax', () => {
    assert.equal(lowerColors('#11223380'), 'rgba(17, 34, 51, 0.502)');
    assert.equal(lowerColors('#123f'), '#112233');
    assert.equal(lowerColors('1px solid rgb(0 0 0 / 50%)'), '1px solid rgba(0, 0, 0, 0.5)');
    assert.equal(lowerColors('rgb(1,2,3,0.5)'), 'rgba(1, 2, 3, 0.5)');
    assert.equal(lowerColors('hsl(120deg 50% 50%)'), 'hsl(120, 50%, 50%)');
    assert.equal(lowerColors('rgba(1, 2, 3, 0.5)'), 'rgba(1, 2, 3, 0.5)');
    assert.equal(lowerMediaQuery('screen and (width >= 40em)'), 'screen and (min-width: 40em)');
    assert.equal(lowerMediaQuery('(400px <= width < 700px)'), '(min-width: 400px) and (max-width: 700px)');
  });

  it('flattens nesting, unwraps @layer and leaves out @supports and animations', () => {
    const r = lowerStylesheet([
      '@layer base { p { margin: 0 } } .y { color: red; & .t { color: blue } &:hover { color: green } }',
      '@supports (display: grid) { k { display: grid } } @keyframes spin { from { opacity: 0 } }',
    ]);
    assert.equal(
      squash(r.css),
      'p { margin: 0 } .y { color: red } .y .t { color: blue } .y:hover { color: green }',
    );
    assert.deepEqual(r.dropped, ['@supports (display: grid)', '@keyframes spin']);
  });
});

describe('EPUB metadata and cover as readers take them', () => {
  it('files authors under their last name, organisations as written', () => {
    assert.equal(fileAs('Ada Lovelace'), 'Lovelace, Ada');
    assert.equal(fileAs('Martin Luther King Jr.'), 'King, Martin Luther, Jr.');
    assert.equal(fileAs('The Bookbinder authors'), 'The Bookbinder authors');
    assert.equal(fileAs('Lovelace, Ada'), 'Lovelace, Ada');
    assert.equal(fileAs('Plato'), 'Plato');
  });

  it('wraps the cover in an SVG whose viewBox is the image size, scaled to fit one screen', () => {
    const png = encodePng(3, 5, new Uint8Array(3 * 5 * 4));
    assert.deepEqual(imageSize(png), { width: 3, height: 5 });
    assert.deepEqual(imageSize(new TextEncoder().encode('<svg viewBox="0 0 60 90">')), {
      width: 60,
      height: 90,
    });
    const page = coverPage('images/cover.png', 'Cover of X', 'en', { width: 3, height: 5 });
    assert.match(page, /<svg [^>]*viewBox="0 0 3 5" preserveAspectRatio="xMidYMid meet"/);
    assert.match(page, /<image width="3" height="5" xlink:href="images\/cover.png"\/>/);
    assert.match(page, /role="img" aria-label="Cover of X"/);
  });
});
