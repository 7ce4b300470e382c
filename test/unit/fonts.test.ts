/** The bundled fonts: every script's face is read, characters no font has are reported. */
import assert from 'node:assert/strict';
import { Diagnostics } from '../../src/diagnostics.js';
import type { Book } from '../../src/model.js';
import { defaultSiteConfig } from '../../src/config/site.js';
import { codePoints, fontPreloads, fontStackCss, missingGlyphs } from '../../src/fonts/bundled.js';
import { fontProblemReporter, reportMissingGlyphs } from '../../src/output/pdf/glyphs.js';
import { page } from '../helpers.js';

function bookOf(body: string, title = 'Runes'): Book {
  const p = page('docs/runes.md', `title: ${title}`, body);
  return {
    site: defaultSiteConfig(),
    title: 'Book',
    chapters: [
      {
        chapter: { page: p, title, depth: 0, id: 'runes' },
        html: `<h1>${title}</h1>\n${body
          .split('\n')
          .map((l) => `<p>${l}</p>`)
          .join('\n')}`,
        headings: [],
        styles: [],
        assets: [],
        anchors: {},
      },
    ],
  };
}

describe('bundled fonts', () => {
  it('preloads the slices of U+FE0F, Thai and Devanagari text without a font error', () => {
    // fontkit's own WOFF inflater failed on the Noto Sans SC slice that claims these characters.
    const problems: string[] = [];
    const note = (file: string, message: string): void => void problems.push(`${file}: ${message}`);
    assert.match(fontPreloads('I \u2764\ufe0f it', note), /noto-emoji-2-400-normal\.woff2/);
    assert.match(fontPreloads('สวัสดี', note), /noto-sans-thai-thai-400-normal\.woff2/);
    assert.match(fontPreloads('नमस्ते', note), /noto-sans-devanagari-devanagari-400-normal\.woff2/);
    assert.deepEqual(problems, []);
  });

  it('draws twenty scripts, emoji sequences and flags, and misses what no bundled font has', () => {
    const text =
      'Aé Ωλ Жж عرب שלום नम বাং தமி ไทย 中文 ひら カタ 한국 ქარ Հայ ግዕ ㄅㄆ ⠃⠗ 𝋠 ∮ ' +
      '\u2764\ufe0f \u2714\ufe0f \u{1f469}\u200d\u{1f4bb} \u{1f1eb}\u{1f1f7} \u{1f44d}\u{1f3fd} #\ufe0f\u20e3 \u21a9';
    assert.deepEqual(missingGlyphs(codePoints(text)), []);
    assert.deepEqual(missingGlyphs(codePoints('a\u16a0b\u{13000}\ue000')), [0x16a0, 0xe000, 0x13000]);
  });

  it('warns about a character no font has at the file and line that wrote it, once per line', () => {
    const diags = new Diagnostics();
    reportMissingGlyphs(bookOf('plain line\nthe rune \u16a0 and \u16a2 here\nagain \u16a0'), diags);
    const warnings = diags.list().filter((d) => d.code === 'font/missing-glyph');
    assert.deepEqual(
      warnings.map((d) => [d.file, d.line]),
      [['docs/runes.md', 5]],
    );
    assert.match(warnings[0]!.message, /"\u16a0" \(U\+16A0\), "\u16a2" \(U\+16A2\)/);
  });

  it('reports a character of a title at the front matter line, and nothing for a book it can print', () => {
    const diags = new Diagnostics();
    reportMissingGlyphs(bookOf('text', 'Rune \u16b1'), diags);
    assert.deepEqual(
      diags.list().map((d) => [d.file, d.line, d.code]),
      [['docs/runes.md', 2, 'font/missing-glyph']],
    );
    const clean = new Diagnostics();
    reportMissingGlyphs(bookOf('I \u2764\ufe0f books, \u0e44\u0e17\u0e22'), clean);
    assert.deepEqual(clean.list(), []);
  });

  it('reports an unreadable bundled font once, as a coded warning', () => {
    const diags = new Diagnostics();
    const problem = fontProblemReporter(diags);
    problem('noto-sans-sc/x.woff', 'Data error');
    problem('noto-sans-sc/x.woff', 'Data error');
    assert.deepEqual(
      diags.list().map((d) => [d.severity, d.code]),
      [['warning', 'font/unreadable']],
    );
  });

  it('never synthesizes a face and names no machine font', () => {
    const css = fontStackCss();
    assert.match(css, /font-synthesis:none/);
    assert.match(css, /:root:lang\(ja\)\{--bb-font:"Noto Serif", "Noto Sans JP"/);
    for (const [, families = ''] of css.matchAll(/(?:--bb-font[a-z-]*|font-family):([^;}]*)/g))
      for (const f of families.split(','))
        assert.match(f.trim(), /^("Noto [^"]+"|serif|sans-serif|monospace|math)$/, f);
  });
});
