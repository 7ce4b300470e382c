/** Formulas for print: KaTeX HTML set again from the MathML's TeX, its stylesheet and fonts. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fontFile } from '../../src/fonts/bundled.js';
import { katexCss, katexHead, katexHtml } from '../../src/output/pdf/math.js';
import { reportLayout, textBlockWidth } from '../../src/output/pdf/layout.js';
import { readPdfConfig } from '../../src/config/pdf.js';
import { Diagnostics } from '../../src/diagnostics.js';
import { createMarkdown, renderChapter } from '../../src/markdown/render.js';
import { page } from '../helpers.js';

/** A page's HTML as the book's model holds it (MathML). */
function rendered(body: string): string {
  const p = page('docs/m.md', 'title: M', body);
  return renderChapter(
    createMarkdown(),
    { page: p, title: 'M', depth: 0, id: 'm' },
    {
      usedIds: new Set(),
      resolveRef: (_k, v) => v,
    },
  ).html;
}

describe('print math (KaTeX HTML)', () => {
  it('sets every MathML formula with TeX as KaTeX HTML, display and inline', () => {
    const html = katexHtml(rendered('Text $$\\sum_{i=1}^n x_i$$ here.\n\n$$\nf(x) = x^2\n$$\n'));
    assert.ok(!html.includes('<math'), html);
    assert.match(html, /<p>Text <span class="katex">.*<\/span> here\.<\/p>/s);
    assert.match(html, /<div class="math-display"[^>]*><span class="katex-display">/);
    // Inline: text style, the limits of the sum at its side (a `msupsub`, not `op-limits`).
    const inline = /<p>Text (.*) here/s.exec(html)![1]!;
    assert.ok(inline.includes('msupsub') && !inline.includes('op-limits'), inline);
  });

  it('keeps the macros a chapter defined in an earlier formula', () => {
    const html = katexHtml(rendered('$$\\newcommand{\\R}{\\mathbb{R}}$$ and $$x \\in \\R$$.'));
    assert.ok(!html.includes('<math'), html);
    assert.match(html, /mathbb/);
  });

  it('unescapes the TeX of the annotation (&, <, >)', () => {
    const html = katexHtml(rendered('$$\n\\begin{aligned} a &< b \\\\ c &> d \\end{aligned}\n$$\n'));
    assert.ok(!html.includes('<math'), html);
    assert.match(html, /col-align-r/);
    assert.match(html, /col-align-l/);
  });

  it('keeps an inline formula with the punctuation after it, not a display one', () => {
    const html = katexHtml(rendered('Sum $$x_1 + x_2$$, then $$y$$ and\n\n$$\nz\n$$\n'));
    assert.match(
      html,
      /<span class="bb-math-nobr"><span class="base">((?!"base").)*<span class="bb-math-text">,<\/span><\/span><\/span><\/span> then <span class="katex">/s,
    );
    assert.equal(html.match(/bb-math-nobr/g)?.length, 1);
  });

  it('never offers a line break between two relations (TeX does not), only after the last', () => {
    const bases = (tex: string): number => {
      const html = katexHtml(rendered(`Write $$${tex}$$ here.`));
      return html.match(/<span class="base">/g)?.length ?? 0;
    };
    // A ⊥⊥ B: the two ⊥ and the negative space between them form one box, then B.
    assert.equal(bases('A \\perp\\!\\!\\!\\perp B'), 2);
    assert.equal(bases('a \\le\\ge b'), 2);
    // Separate relations still break after each: a = b = c has three boxes.
    assert.equal(bases('a = b = c'), 3);
  });

  it('leaves raw MathML without TeX alone', () => {
    const raw = '<p><math><mi>x</mi></math></p>';
    assert.equal(katexHtml(raw), raw);
  });

  it('serves KaTeX fonts from the package and only them, never the machine', () => {
    const css = katexCss();
    const urls = [...css.matchAll(/url\(([^)]+)\)/g)].map((m) => m[1]!);
    assert.ok(urls.length >= 19, `${urls.length} fonts`);
    for (const u of urls) {
      assert.match(u, /^\/fonts\/katex\/KaTeX_[\w-]+\.woff2$/);
      assert.ok(existsSync(fontFile(u)!), u);
    }
    assert.ok(!/Times New Roman/.test(css));
    assert.match(css, /KaTeX_Main, var\(--bb-font\)/);
    assert.equal(fontFile('/fonts/katex/../../package.json'), undefined);
    assert.equal(fontFile('/fonts/katex/KaTeX_Nope.woff2'), undefined);
  });

  it('adds the stylesheet and preloads only to documents with formulas', () => {
    assert.equal(katexHead('<p>no math</p>'), '');
    const head = katexHead(katexHtml(rendered('$$x$$')));
    assert.match(head, /<style>/);
    assert.match(head, /rel="preload" href="\/fonts\/katex\/KaTeX_Main-Regular\.woff2"/);
  });
});

describe('layout report', () => {
  it('warns at file:line for each overflow and sums up the fitted formulas', () => {
    const diags = new Diagnostics();
    reportLayout(
      [
        {
          overflows: [{ kind: 'table', file: 'a.md', line: 8, excess: 40 }],
          fitted: [
            { file: 'a.md', line: 3, scale: 0.8, broken: false, display: true },
            { file: 'a.md', line: 5, scale: 0.7, broken: false, display: true },
          ],
          tall: [],
        },
        {
          overflows: [{ kind: 'formula', file: 'b.md', line: 2, excess: 4 }],
          fitted: [
            { file: 'b.md', line: 9, scale: 0.6, broken: true, display: true },
            { file: 'b.md', line: 1, scale: 0.9, broken: false, display: false },
          ],
          tall: [],
        },
      ],
      diags,
    );
    const all = diags.list().map((d) => `${d.severity} ${d.file}:${d.line} ${d.code} ${d.message}`);
    assert.deepEqual(all, [
      'info :0 layout/formula-scaled 2 display formula(s) wider than the text block were set smaller to fit (down to 70%)',
      'info :0 layout/formula-scaled 1 inline formula(s) with a part wider than the line were set smaller to fit (down to 90%)',
      'warning a.md:8 layout/overflow a table runs 30 pt past the text block and is cut off on paper',
      'warning b.md:2 layout/overflow a formula runs 3 pt past the text block and is cut off on paper',
      'info b.md:9 layout/formula-broken a display formula is too wide even at 60% and is broken into lines after its relations and operators',
    ]);
  });

  it('measures the text block from the page size and both side margins', () => {
    const cfg = readPdfConfig({}, new Diagnostics());
    assert.equal(textBlockWidth(cfg), ((cfg.width.pt - cfg.inner.pt - cfg.outer.pt) * 4) / 3);
    assert.ok(textBlockWidth(cfg) > 600 && textBlockWidth(cfg) < 650);
  });
});

describe('source lines on the HTML', () => {
  it('marks paragraphs, tables, code and display math with their line in the file', () => {
    const body = 'Text\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```js\nx\n```\n\n$$\ny\n$$\n\n    indented\n';
    const p = page('docs/m.md', 'title: M', body);
    const html = renderChapter(
      createMarkdown(),
      { page: p, title: 'M', depth: 0, id: 'm' },
      {
        usedIds: new Set(),
        resolveRef: (_k, v) => v,
        sourceLines: true,
      },
    ).html;
    // The front matter takes lines 1-3: the body starts on line 4.
    assert.equal(p.bodyLine, 4);
    assert.match(html, /<p data-line="4">Text/);
    assert.match(html, /<table data-line="6">/);
    assert.match(html, /<pre data-line="10" class="highlight">/);
    assert.match(html, /<div data-line="14" class="math-display">/);
    assert.match(html, /<pre data-line="18"><code>indented/);
  });

  it('marks nothing unless asked', () => {
    assert.ok(!rendered('Text\n\n$$\ny\n$$\n').includes('data-line'));
  });
});
