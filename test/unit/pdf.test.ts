/** The print PDF's pure parts: settings, page plan, outline tree, contents, hyphenation, themes. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hyphenateHtml, hyphenatorFor } from '../../src/compose/hyphenate.js';
import {
  breakableUrl,
  destinationLinks,
  isVagueLinkText,
  markExternalLinks,
  markParagraphs,
  openDetails,
  printLinkAddresses,
  printPageCss,
} from '../../src/compose/print.js';
import { stitch } from '../../src/compose/stitch.js';
import { renderToc } from '../../src/compose/toc.js';
import { parseLength, readPdfConfig } from '../../src/config/pdf.js';
import { defaultSiteConfig } from '../../src/config/site.js';
import { Diagnostics } from '../../src/diagnostics.js';
import type { Book, Heading, RenderedChapter } from '../../src/model.js';
import { codePoints, fontFile, parseFontFaces, sliceFor } from '../../src/fonts/bundled.js';
import { drawableHead } from '../../src/output/pdf/heads.js';
import { outlineTree } from '../../src/output/pdf/outline.js';
import { planPages, roman } from '../../src/output/pdf/pages.js';
import { page } from '../helpers.js';

function chapter(
  id: string,
  title: string,
  depth: number,
  parentIndex?: number,
  headings: Heading[] = [],
): RenderedChapter {
  return {
    chapter: {
      page: page(`${id}.md`, `title: ${title}`),
      title,
      depth,
      id,
      ...(parentIndex !== undefined && { parentIndex }),
    },
    html: `<p>${title} text</p>`,
    headings,
    styles: [],
    assets: [],
    anchors: {},
  };
}

const h = (level: number, text: string, noToc = false): Heading => ({
  level,
  text,
  id: text.toLowerCase().replace(/\s+/g, '-'),
  noToc,
});

describe('PDF settings (bookbinder: pdf: in _config.yml)', () => {
  it('defaults to one-sided A4 with 22/20 mm margins, contents to depth 3', () => {
    const diags = new Diagnostics();
    const c = readPdfConfig({}, diags);
    assert.equal(c.size, 'A4');
    assert.equal(Math.round(c.width.pt), 595);
    assert.equal(c.top.css, '22mm');
    assert.equal(c.inner.css, '20mm');
    assert.equal(c.twoSided, false);
    assert.equal(c.chaptersOnRight, false);
    assert.equal(c.tocDepth, 3);
    assert.equal(c.pageNumbers, 'bottom-center');
    assert.deepEqual(diags.list(), []);
  });

  it('reads paper names, trim sizes, inner/outer margins and two-sided options', () => {
    const c = readPdfConfig(
      {
        bookbinder: {
          subtitle: 'A sub',
          pdf: {
            size: '6in x 9in',
            two_sided: true,
            margins: { inner: '0.875in', outer: '15mm', top: '54pt' },
            toc_depth: 2,
            print_urls: true,
            date: false,
          },
        },
      },
      new Diagnostics(),
    );
    assert.equal(c.size, '6in 9in');
    assert.equal(c.width.pt, 432);
    assert.equal(c.height.pt, 648);
    assert.equal(c.inner.pt, 63);
    assert.equal(c.outer.css, '15mm');
    assert.equal(c.top.pt, 54);
    assert.equal(c.chaptersOnRight, true, 'two-sided books open chapters on the right by default');
    assert.equal(c.pageNumbers, 'bottom-outer');
    assert.equal(c.tocDepth, 2);
    assert.equal(c.printUrls, true);
    assert.equal(c.subtitle, 'A sub');
    assert.equal(c.noDate, true);
    assert.equal(
      readPdfConfig({ bookbinder: { pdf: { size: 'letter' } } }, new Diagnostics()).width.pt,
      612.0000000000001,
    );
  });

  it('warns about bad values and keeps the defaults', () => {
    const diags = new Diagnostics();
    const c = readPdfConfig(
      { bookbinder: { pdf: { size: 'A9', toc_depth: 0, two_sided: 'yes', margins: { top: '2em' } } } },
      diags,
    );
    assert.equal(c.size, 'A4');
    assert.equal(c.tocDepth, 3);
    assert.equal(c.twoSided, false);
    assert.equal(c.top.css, '22mm');
    assert.deepEqual(
      diags.list().map((d) => d.code),
      ['config/pdf-invalid', 'config/pdf-invalid', 'config/pdf-invalid', 'config/pdf-invalid'],
    );
    assert.ok(
      diags.list().some((d) => /bookbinder\.pdf\.two_sided is "yes"; expected true or false/.test(d.message)),
    );
    const text = 'title: X\nbookbinder:\n  pdf:\n    size: A9\n    margins: { top: 2em }\n';
    const located = new Diagnostics();
    readPdfConfig({ bookbinder: { pdf: { size: 'A9', margins: { top: '2em' } } } }, located, text);
    assert.deepEqual(
      located.list().map((d) => `${d.file}:${d.line}`),
      ['_config.yml:4', '_config.yml:5'],
    );
  });

  it('parses CSS absolute lengths only', () => {
    assert.equal(parseLength('25.4mm')?.pt, 72);
    assert.equal(parseLength('1in')?.pt, 72);
    assert.equal(parseLength('3em'), undefined);
    assert.equal(parseLength(12), undefined);
  });

  it('writes the page box and two-sided margins into the print CSS', () => {
    const c = readPdfConfig(
      { bookbinder: { pdf: { size: 'A5', two_sided: true, print_urls: true } } },
      new Diagnostics(),
    );
    const css = printPageCss(c);
    assert.match(css, /@page\{size:A5;margin:22mm 18mm 22mm 24mm\}/);
    assert.match(css, /@page :left\{margin-left:18mm;margin-right:24mm\}/);
    assert.match(css, /@font-face\{font-family:"Noto Sans SC"/);
  });
});

describe('page plan and labels', () => {
  it('numbers the front matter in roman and the body from 1; opening and blank pages known', () => {
    // title, contents ×2, blank, chapter 0 (pages 5–6), blank, chapter 1 (8–9)
    const plan = planPages(9, [5, 8], new Set([0, 1]));
    assert.deepEqual(
      plan.map((p) => `${p.kind}:${p.label}${p.opening ? '*' : ''}${p.chapter ?? ''}`),
      [
        'title:i',
        'front:ii*',
        'front:iii',
        'blank:iv',
        'body:1*0',
        'body:20',
        'blank:30',
        'body:4*1',
        'body:51',
      ],
    );
  });

  it('two-sided, leaves the back of the title page blank and opens the contents on page iii', () => {
    // title, its blank back, contents (iii), blank, chapter 0 (pages 5–6)
    const plan = planPages(6, [5], new Set([0]), true);
    assert.deepEqual(
      plan.map((p) => `${p.kind}:${p.label}${p.opening ? '*' : ''}`),
      ['title:i', 'blank:ii', 'front:iii*', 'blank:iv', 'body:1*', 'body:2'],
    );
  });

  it('draws running heads in Latin, Greek, Cyrillic and CJK, not in scripts that need shaping', () => {
    assert.deepEqual(
      ['Chapter Ünë', 'Глава', 'Κεφάλαιο', '第一章', 'الفصل', 'פרק', 'अध्याय'].map(drawableHead),
      [true, true, true, true, false, false, false],
    );
  });

  it('writes roman numerals', () => {
    assert.deepEqual([1, 4, 9, 14, 40, 90, 1994].map(roman), ['i', 'iv', 'ix', 'xiv', 'xl', 'xc', 'mcmxciv']);
  });
});

describe('bookmark tree', () => {
  it('mirrors the navigation; headings nest under their page, .no_toc and the title heading left out', () => {
    const chapters = [
      chapter('a', 'Part A', 0, undefined, [
        h(1, 'Part A'),
        h(2, 'Intro'),
        h(3, 'Detail'),
        h(2, 'Hidden', true),
      ]),
      chapter('b', 'Chapter B', 1, 0, [h(2, 'Only')]),
      chapter('c', 'Section C', 2, 1),
      chapter('d', 'Part D', 0),
    ];
    const strip = (nodes: ReturnType<typeof outlineTree>): unknown[] =>
      nodes.map((n) => [n.title, n.dest, strip(n.children)]);
    assert.deepEqual(strip(outlineTree(chapters)), [
      [
        'Part A',
        'a',
        [
          ['Intro', 'intro', [['Detail', 'detail', []]]],
          [
            'Chapter B',
            'b',
            [
              ['Only', 'only', []],
              ['Section C', 'c', []],
            ],
          ],
        ],
      ],
      ['Part D', 'd', []],
    ]);
  });
});

describe('contents', () => {
  const chapters = [
    chapter('a', 'Part A', 0),
    chapter('b', 'Chapter B', 1, 0),
    chapter('c', 'Section C', 2, 1),
  ];
  it('lists chapters to the configured depth, with a leader and the page label', () => {
    const html = renderToc(
      chapters,
      'Contents',
      new Map([
        ['a', 'ii'],
        ['b', '3'],
      ]),
      2,
    );
    assert.doesNotMatch(html, /Section C/);
    assert.match(
      html,
      /Chapter B<\/span><span class="toc-leader" aria-hidden="true"><\/span><span class="toc-page">3</,
    );
    assert.match(html, /<\/a><ol class="toc-level-1">/);
  });
  it('has no leaders without page numbers (HTML and EPUB)', () => {
    assert.doesNotMatch(renderToc(chapters, 'Contents'), /toc-leader/);
  });
});

describe('print helpers', () => {
  it('hyphenates running text in the book language, not code, headings, URLs or CJK', () => {
    const words = hyphenatorFor('en-GB');
    assert.ok(words);
    const out = hyphenateHtml(
      '<h2>typographical</h2><p>typographical <code>typographical</code> https://example.org/typographical 排版排版排版排版</p>',
      words,
    );
    assert.equal(
      out,
      '<h2>typographical</h2><p>ty\u00adpo\u00adgraph\u00adic\u00adal <code>typographical</code> https://example.org/typographical 排版排版排版排版</p>',
    );
    assert.equal(
      hyphenatorFor('en')?.('typographical'),
      'ty\u00adpo\u00adgraph\u00adi\u00adcal',
      'American patterns for en',
    );
    assert.equal(
      hyphenateHtml(
        '<p><span class="bb-url">https://a.<wbr>org/<wbr>typographical</span> typographical</p>',
        words,
      ),
      '<p><span class="bb-url">https://a.<wbr>org/<wbr>typographical</span> ty\u00adpo\u00adgraph\u00adic\u00adal</p>',
      'a URL set to break at its punctuation is not hyphenated',
    );
    assert.equal(hyphenatorFor('xx'), undefined);
    assert.doesNotMatch(words('definition'), /f\u00adi/, 'no break inside an fi ligature');
  });

  it('marks external links, bare ones (breakable at their punctuation) and vague ones', () => {
    assert.equal(
      markExternalLinks(
        '<a href="https://a.org/x">text</a> <a href="https://a.org/">https://a.org</a> <a href="#in">in</a> <a href="https://b.org/y">Click here!</a>',
      ),
      '<a href="https://a.org/x" class="bb-external">text</a> <a href="https://a.org/" class="bb-external bb-bare"><span class="bb-url">https://a.<wbr>org</span></a> <a href="#in">in</a> <a href="https://b.org/y" class="bb-external bb-vague">Click here!</a>',
    );
    for (const vague of ['here', 'click here!', 'this link', 'Read more…', 'link', '(here)'])
      assert.ok(isVagueLinkText(vague), vague);
    for (const telling of ['the kramdown manual', 'here and there we go', 'Pandoc', ''])
      assert.ok(!isVagueLinkText(telling), telling);
  });

  it('breaks a printed URL only after / . - ? &, never inside a word or the scheme', () => {
    assert.equal(
      breakableUrl('https://github.com/just-the-docs/just-the-docs-template?a=1&b=2'),
      'https://github.<wbr>com/<wbr>just-<wbr>the-<wbr>docs/<wbr>just-<wbr>the-<wbr>docs-<wbr>template?<wbr>a=1&amp;<wbr>b=2',
    );
    assert.equal(breakableUrl('https://a.org/'), 'https://a.<wbr>org/');
  });

  it('prints the address after vague links always, after every other with print_urls', () => {
    const marked = markExternalLinks('<a href="https://b.org/y">here</a> <a href="https://c.org">Cee</a>');
    assert.equal(
      printLinkAddresses(marked, false),
      '<a href="https://b.org/y" class="bb-external bb-vague">here</a><span class="bb-url bb-url-note"> &lt;https://b.<wbr>org/<wbr>y&gt;</span> <a href="https://c.org" class="bb-external">Cee</a>',
    );
    assert.match(
      printLinkAddresses(marked, true),
      /Cee<\/a><span class="bb-url bb-url-note"> &lt;https:\/\/c\.<wbr>org&gt;<\/span>$/,
    );
  });

  it('marks lead-ins ending in a colon and paragraphs holding only images', () => {
    assert.equal(
      markParagraphs(
        '<p>Active triples:</p><p class="x">Note: <em>this</em>:</p><p><img src="a"> <img src="b"></p><p>a: b</p>',
      ),
      '<p class="bb-lead-in">Active triples:</p><p class="bb-lead-in x">Note: <em>this</em>:</p><p class="bb-images"><img src="a"> <img src="b"></p><p>a: b</p>',
    );
  });

  it('marks empty paragraphs (spacers), not a paragraph holding a line break', () => {
    assert.equal(
      markParagraphs('<p>\n</p><p data-line="3"></p><p><br /></p><p> x </p>'),
      '<p class="bb-empty">\n</p><p data-line="3" class="bb-empty"></p><p><br /></p><p> x </p>',
    );
  });

  it('keeps only a short lead-in with what follows, not a long paragraph ending in a colon', () => {
    const long = `<p>${'word '.repeat(40)}as follows:</p>`;
    assert.equal(markParagraphs(long), long);
  });

  it('opens every <details> for print, once, whatever its attributes', () => {
    assert.equal(
      openDetails(
        '<details><summary>A</summary>x</details><details class="c" open><summary>B</summary></details>' +
          '<details\nid="d" data-open="no"><summary>C</summary></details><detailsx>',
      ),
      '<details open><summary>A</summary>x</details><details class="c" open><summary>B</summary></details>' +
        '<details open\nid="d" data-open="no"><summary>C</summary></details><detailsx>',
    );
  });

  it('links every bookmark target from a hidden list', () => {
    assert.equal(
      destinationLinks(['a', 'b&c']),
      '<nav class="bb-destinations" hidden aria-hidden="true"><a href="#a"></a><a href="#b&amp;c"></a></nav>',
    );
  });

  it('lists the code points a text uses, astral ones and lone surrogates included', () => {
    assert.deepEqual(codePoints('bab\u00e9\ud83d\ude00a\ud800'), [0x61, 0x62, 0xe9, 0xd800, 0x1f600]);
  });

  it('reads fontsource slices and serves only their files', () => {
    const slices = parseFontFaces(
      "@font-face {\n  font-family: 'Noto Serif';\n  font-style: italic;\n  font-weight: 700;\n  src: url(./files/noto-serif-latin-700-italic.woff2) format('woff2');\n  unicode-range: U+0000-00FF,U+2122;\n}",
      'noto-serif',
    );
    assert.deepEqual(slices, [
      {
        family: 'Noto Serif',
        style: 'italic',
        weight: 700,
        pkg: 'noto-serif',
        file: 'noto-serif-latin-700-italic',
        ranges: [
          [0, 255],
          [0x2122, 0x2122],
        ],
      },
    ]);
    assert.match(sliceFor('Noto Sans SC', 400, 0x4e2d)?.file ?? '', /^noto-sans-sc-\d+-400-normal$/);
    assert.match(
      fontFile('/fonts/noto-serif/noto-serif-latin-400-normal.woff2') ?? '',
      /files\/noto-serif-latin-400-normal\.woff2$/,
    );
    assert.equal(fontFile('/fonts/noto-serif/../../../etc/passwd'), undefined);
    assert.equal(fontFile('/fonts/other/x.woff2'), undefined);
  });
});

describe('themes', () => {
  it("a source folder's templates/ and styles/ override ours file by file", () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-theme-'));
    mkdirSync(join(dir, 'templates'));
    mkdirSync(join(dir, 'styles'));
    writeFileSync(
      join(dir, 'templates', 'title-page.html'),
      '<header class="mine">{{title}} by {{author}}</header>',
    );
    writeFileSync(join(dir, 'styles', 'print.css'), '.mine { color: red; }');
    const book: Book = {
      site: { ...defaultSiteConfig(), author: ['Me'] },
      title: 'Themed',
      chapters: [chapter('a', 'Part A', 0)],
    };
    const html = stitch(book, {
      medium: 'print',
      style: { chapterHref: (id) => `#${id}`, assetUrl: (s) => s },
      themeDir: dir,
      print: { config: readPdfConfig({}, new Diagnostics()), destinations: ['a'] },
    });
    assert.match(html, /<header class="mine">Themed by Me<\/header>/);
    assert.match(html, /\.mine \{ color: red; \}/);
    assert.doesNotMatch(html, /orphans: 3/, 'our print.css is replaced, not added to');
    assert.match(html, /--bb-text/, 'book.css, not overridden, is ours');
  });
});
