/**
 * End to end, characters: a page with a line in each of twenty scripts and emoji (U+FE0F, ZWJ
 * sequences, flags, a skin tone, a keycap) prints every character from the bundled fonts (no
 * machine font, no Type 3 font, the text in the text layer); a character no bundled font has
 * is a `font/missing-glyph` warning at its file and line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools, run, runCli } from '../helpers.js';

/** Script name → a line of our own text in it (left-to-right scripts are checked word for word). */
const LINES: readonly (readonly [string, string])[] = [
  ['Latin', 'Bookbinding joins the folded sheets. Tiếng Việt có dấu.'],
  ['Greek', 'Η βιβλιοδεσία ενώνει τα φύλλα.'],
  ['Cyrillic', 'Переплёт соединяет листы книги.'],
  ['Arabic', 'تجليد الكتب فن قديم.'],
  ['Hebrew', 'כריכת ספרים היא אומנות עתיקה.'],
  ['Devanagari', 'पुस्तक की जिल्दसाज़ी एक पुरानी कला है।'],
  ['Bengali', 'বই বাঁধাই একটি পুরনো শিল্প।'],
  ['Tamil', 'புத்தகம் கட்டுவது ஒரு பழைய கலை.'],
  ['Thai', 'การเย็บเล่มหนังสือเป็นศิลปะเก่าแก่'],
  ['Chinese', '装订书籍是一门古老的手艺。'],
  ['Hiragana', 'ほんをとじる'],
  ['Katakana', 'ブックバインダー'],
  ['Korean', '책 제본은 오래된 기술입니다.'],
  ['Georgian', 'წიგნის აკინძვა ძველი ხელობაა.'],
  ['Armenian', 'Գրքակազմությունը հին արհեստ է։'],
  ['Ethiopic', 'መጽሐፍ መጠረዝ ጥንታዊ ጥበብ ነው።'],
  ['Bopomofo', 'ㄓㄨㄤ ㄉㄧㄥˋ'],
  ['Braille', '⠃⠕⠕⠅⠃⠊⠝⠙⠊⠝⠛'],
  ['Mayan numerals', '𝋠 𝋡 𝋢 𝋣'],
  ['Math', '𝐀𝐁𝐂 ∮ ∀x∈ℝ'],
];
const RTL = new Set(['Arabic', 'Hebrew']);
const EMOJI = 'Love ❤️, done ✔️, coder 👩‍💻, flags 🇫🇷 🇯🇵 🏳️‍🌈, thumbs 👍🏽, keycap #️⃣, party 🎉.';

interface Report {
  warnings: { file: string; line: number; code: string; message: string }[];
}

describe('twenty scripts and emoji in the PDF (end to end)', function () {
  this.timeout(240_000);
  const site = mkdtempSync(join(tmpdir(), 'bb-scripts-'));
  const pdf = join(site, '_out', 'book.pdf');
  let report: Report;

  before(function () {
    requireTools(this, 'chromium', 'pdftotext', 'pdffonts');
    writeFileSync(join(site, '_config.yml'), 'title: Scripts\nlang: en\n');
    const list = LINES.map(([name, text]) => `- ${name}: ${text}`).join('\n');
    writeFileSync(
      join(site, 'index.md'),
      `---\ntitle: Twenty scripts\nnav_order: 1\n---\n\n${list}\n\n## Emoji *in bold italic* ✔️\n\n${EMOJI}\n\nA note.[^1]\n\n[^1]: With a back link.\n`,
    );
    writeFileSync(
      join(site, 'runes.md'),
      '---\ntitle: Runes\nnav_order: 2\n---\n\nNo bundled font has runes:\n\nthe rune ᚠ is missing.\n',
    );
    const r = runCli(['build', site, '-o', join(site, '_out'), '--format', 'pdf', '--json']);
    assert.equal(r.status, 0, r.stderr);
    report = JSON.parse(r.stdout) as Report;
  });

  it('warns only about the character no bundled font has, at its file and line', () => {
    assert.deepEqual(
      report.warnings.map((w) => [w.file, w.line, w.code]),
      [['runes.md', 8, 'font/missing-glyph']],
    );
    assert.match(report.warnings[0]!.message, /"ᚠ" \(U\+16A0\)/);
  });

  it('embeds only bundled Noto fonts, none of them Type 3, the emoji font among them', () => {
    const fonts = run('pdffonts', [pdf]).trim().split('\n').slice(2);
    assert.ok(fonts.length > 10, fonts.join('\n'));
    for (const f of fonts) {
      assert.match(f, /^[A-Z]{6}\+Noto\S*\s+CID TrueType\s/, f);
      assert.match(f, /\syes\s+yes\s+yes\s/, f);
    }
    const names = fonts.join('\n');
    for (const face of [
      'NotoEmoji',
      'NotoSansThai',
      'NotoSansDevanagari',
      'NotoSansKR',
      'NotoSans-BoldItalic',
    ])
      assert.match(names, new RegExp(face), face);
  });

  it('has every line and every emoji in the text layer', () => {
    const text = run('pdftotext', [pdf, '-']).replace(/\s+/g, '');
    for (const [name, line] of LINES) {
      assert.ok(text.includes(`${name.replace(/\s+/g, '')}:`), name);
      if (!RTL.has(name)) assert.ok(text.includes(line.replace(/\s+/g, '')), `${name}: ${line}`);
    }
    for (const ch of ['ت', 'ج', 'כ', 'ס']) assert.ok(text.includes(ch), ch);
    assert.ok(text.includes(EMOJI.replace(/\s+/g, '')), 'emoji line');
    assert.ok(text.includes('↩'), 'footnote back link');
  });
});
