import assert from 'node:assert/strict';
import { sanitizeStyleAttribute, sanitizeStyleSheet, unescapeCss } from '../../src/compose/css.js';
import { sanitizeChapter } from '../../src/compose/sanitize.js';
import { Diagnostics } from '../../src/diagnostics.js';
import { createMarkdown, renderChapter } from '../../src/markdown/render.js';
import { page } from '../helpers.js';

function clean(html: string, body = html, styles: string[] = []) {
  const diags = new Diagnostics();
  const p = page('p.md', 'title: P', body);
  const out = sanitizeChapter(p, html, styles, diags);
  return { ...out, diags: diags.list() };
}

describe('sanitize: what Markdown and just-the-docs make stays', () => {
  it('keeps classes, ids, tables, footnotes, code and attributes of rendered Markdown unchanged', () => {
    const body =
      '# Title\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\nText[^1] with `code` and <kbd>K</kbd>.\n\n[^1]: Note.\n\n```js\nx < y\n```\n';
    const p = page('p.md', 'title: P', body);
    const { html } = renderChapter(
      createMarkdown(),
      { page: p, title: 'P', depth: 0, id: 'p' },
      { usedIds: new Set(['p']), resolveRef: (_kind, value) => value },
    );
    const out = clean(html);
    assert.deepEqual(out.diags, []);
    for (const kept of [
      'style="text-align: left"',
      'class="footnote-ref"',
      'class="footnotes"',
      'id="fn-p-1"',
      'class="language-js"',
      'x &lt; y',
      '<kbd>K</kbd>',
    ])
      assert.ok(out.html.includes(kept), kept);
  });

  it('keeps inline SVG and MathML, links, ids and the render’s placeholders', () => {
    const html =
      '<svg width="10" height="10" viewBox="0 0 10 10"><g class="g"><path d="M0 0L10 10" stroke="red"/></g><use href="#g"/></svg>' +
      '<math display="block"><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math>' +
      '<a href="bbref:ch#x" id="a1" title="t">in</a><a href="https://example.com/">out</a><a href="mailto:a@b.c">m</a>' +
      '<img src="bbasset:img/a.png" alt="" width="20"><details open><summary>S</summary>D</details>';
    const out = clean(html);
    assert.deepEqual(out.diags, []);
    for (const kept of [
      '<path d="M0 0L10 10" stroke="red">',
      'viewbox="0 0 10 10"',
      '<use href="#g">',
      '<msup><mi>x</mi><mn>2</mn></msup>',
      'href="bbref:ch#x"',
      'href="https://example.com/"',
      'href="mailto:a@b.c"',
      'src="bbasset:img/a.png"',
      '<details open',
    ])
      assert.ok(out.html.includes(kept), `${kept} in ${out.html}`);
  });
});

describe('sanitize: what could run or fetch goes, with a coded warning at its line', () => {
  const cases: [string, string, RegExp][] = [
    ['<script>x()</script>', 'html/script-removed', /script|x\(\)/],
    ['<SCRIPT SRC="//e/x.js"></SCRIPT>', 'html/script-removed', /script/i],
    ['<p onclick="x()">t</p>', 'html/event-handler-removed', /onclick/],
    ['<svg><circle onload="x()"/></svg>', 'html/event-handler-removed', /onload/],
    ['<a href="javascript:x()">t</a>', 'html/unsafe-url-removed', /javascript/],
    ['<a href="java&#x09;script:x()">t</a>', 'html/unsafe-url-removed', /script:/],
    ['<a href="data:text/html,<script>x()</script>">t</a>', 'html/unsafe-url-removed', /data:/],
    ['<svg><a xlink:href="javascript:x()">t</a></svg>', 'html/unsafe-url-removed', /javascript/],
    ['<iframe src="https://e/"></iframe>', 'html/element-removed', /<iframe/],
    ['<object data="x.swf"></object>', 'html/element-removed', /object|swf/],
    ['<embed src="x.swf">', 'html/element-removed', /embed|swf/],
    ['<meta http-equiv="refresh" content="0;url=https://e/">', 'html/element-removed', /meta|refresh/],
    ['<base href="https://e/">', 'html/element-removed', /base/],
    ['<link rel="stylesheet" href="https://e/x.css">', 'html/element-removed', /link|x\.css/],
    ['<form action="https://e/"><input name="q"></form>', 'html/element-removed', /form|action/],
    [
      '<svg><animate attributeName="href" to="javascript:x()"/></svg>',
      'html/element-removed',
      /animate|javascript/,
    ],
    ['<svg><image href="https://e/i.png"/></svg>', 'image/remote', /href="https:/],
    ['<p style="background:url(https://e/b.png)">t</p>', 'html/css-url-removed', /url\(/],
    ['<img src="x.png" srcset="https://e/x.png 2x">', 'html/attribute-removed', /srcset/],
  ];
  for (const [input, code, gone] of cases) {
    it(`${input} → ${code}`, () => {
      const out = clean(`<p>before</p>${input}<p>after</p>`, `Intro.\n\n${input}\n`);
      assert.doesNotMatch(out.html, gone);
      assert.match(out.html, /before.*after/s);
      const d = out.diags.find((x) => x.code === code);
      assert.ok(d, `${code} in ${JSON.stringify(out.diags)}`);
      assert.equal(d.line, 6, 'the line in the page where it was written');
    });
  }

  it('a missing image becomes a visible box with its alt text', () => {
    const out = clean('<img src="bbmissing:a.png" alt="A &quot;cat&quot;">');
    assert.match(
      out.html,
      /<span class="missing-image" role="img" aria-label="A &quot;cat&quot;"[^>]*>\[image not found: A &quot;cat&quot;\]<\/span>/,
    );
  });
});

describe('sanitize: CSS', () => {
  it('keeps ordinary rules and inline data, removes @import and url() elsewhere, even escaped', () => {
    const r = sanitizeStyleSheet(
      '.a{color:red}@import "https://e/x.css";.b{background:url(data:image/png;base64,AA)}' +
        '.c{background:\\75rl(https://e/c.png)}.d{background-image:image-set("https://e/d.png" 1x)}' +
        '@font-face{font-family:F;src:url(/fonts/f.woff)}.e{width:expression(alert(1))}.f{behavior:url(x.htc)}',
    );
    assert.match(r.css, /\.a\{color:red\}/);
    assert.match(r.css, /url\(data:image\/png;base64,AA\)/);
    assert.doesNotMatch(r.css, /https:|@import|\/fonts\/|expression|behavior/);
    assert.equal(r.removed.length, 6);
  });

  it('cannot close its <style> element early', () => {
    assert.doesNotMatch(sanitizeStyleSheet('.a{content:"</style><script>x()</script>"}').css, /<\/style/i);
  });

  it('cleans style attributes declaration by declaration', () => {
    const r = sanitizeStyleAttribute('color: red; background: url(https://e/x.png); margin: 0');
    assert.equal(r.css, 'color: red; margin: 0');
  });

  it('reads CSS escapes as a browser does', () => {
    assert.equal(unescapeCss('\\75 rl(\\68ttp)'), 'url(http)');
    assert.equal(unescapeCss('u/**/rl'), 'url');
  });
});

describe('sanitize: an embedded frame becomes a note with its title and address', () => {
  it('names a video by its title and points at its own page, not the player', () => {
    const input =
      '<p>Watch:</p><iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=3" title="Intro &amp; demo" allowfullscreen><p>old browsers</p></iframe>';
    const out = clean(input);
    assert.equal(
      out.html,
      '<p>Watch:</p><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ" class="bb-embed">Video: Intro &amp; demo — https://www.youtube.com/watch?v=dQw4w9WgXcQ</a>',
    );
    assert.ok(out.diags.some((d) => d.code === 'html/element-removed'));
  });

  it('names any other frame by its host, keeps a local one as a plain note and refuses a script URL', () => {
    const out = clean(
      '<iframe src="//games.example.org/play/1"></iframe><iframe src="game/index.html" title="Snake"></iframe><iframe src="javascript:alert(1)"></iframe>',
    );
    assert.equal(
      out.html,
      '<a href="https://games.example.org/play/1" class="bb-embed">Embedded content from games.example.org — https://games.example.org/play/1</a>' +
        '<span class="bb-embed">Embedded content: Snake (not included)</span>' +
        '<span class="bb-embed">Embedded content (not included)</span>',
    );
    assert.doesNotMatch(out.html, /javascript|<iframe/);
  });
});
