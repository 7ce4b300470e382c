/** The EPUB's chapter conversion: HTML as pages write it → valid XHTML content documents. */
import assert from 'node:assert/strict';
import { readEpubConfig } from '../../src/config/epub.js';
import { defaultSiteConfig } from '../../src/config/site.js';
import { Diagnostics } from '../../src/diagnostics.js';
import { finishChapter, prepareChapter } from '../../src/output/epub/chapter.js';
import { ImageStore, readableStem, sniffImage } from '../../src/output/epub/images.js';
import { navList, ncxPoints } from '../../src/output/epub/nav.js';

/** Converts one chapter body; `others` are further files of the book with their ids. */
function convert(html: string, others: Record<string, string[]> = {}, siteBase = '') {
  const diags = new Diagnostics();
  const doc = prepareChapter({
    file: 'ch.xhtml',
    html,
    store: new ImageStore(),
    assets: new Map(),
    diags,
    source: 'docs/ch.md',
    body: html,
    bodyLine: 5,
  });
  const idsByFile = new Map<string, ReadonlySet<string>>([
    ['ch.xhtml', doc.ids],
    ...Object.entries(others).map(([f, ids]) => [f, new Set(ids)] as const),
  ]);
  const out = finishChapter(doc, { file: 'ch.xhtml', idsByFile, siteBase, pageUrl: '/docs/ch/' });
  return { ...out, styles: doc.styles, diags: diags.list() };
}

describe('EPUB chapter conversion', () => {
  it('keeps alt text as written, an empty alt empty, and warns for a missing one', () => {
    const r = convert(
      '<p><img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E" alt="">' +
        '<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E" alt="A cat">' +
        '<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E"></p>',
    );
    assert.equal(r.xhtml.match(/alt=""/g)?.length, 2);
    assert.match(r.xhtml, /alt="A cat"/);
    assert.deepEqual(
      r.diags.map((d) => d.code),
      ['image/no-alt'],
    );
  });

  it('opens every <details>, since calibre and Kindle cannot', () => {
    const r = convert(
      '<details><summary>More</summary><p>Hidden body</p></details><details open=""><summary>B</summary></details>',
    );
    assert.equal(r.xhtml.match(/<details open="open">/g)?.length, 2);
    assert.match(r.xhtml, /<p>Hidden body<\/p>/);
  });

  it('keeps width, height and viewBox, declares the SVG namespace and flags svg and mathml', () => {
    const r = convert(
      '<svg width="10" height="10" viewBox="0 0 10 10"><use xlink:href="#a"/><foreignObject><p>x</p></foreignObject></svg>' +
        '<p><math><mi>x</mi></math></p>',
    );
    assert.match(
      r.xhtml,
      /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" xmlns:xlink="http:\/\/www\.w3\.org\/1999\/xlink" width="10" height="10" viewBox="0 0 10 10">/,
    );
    assert.match(
      r.xhtml,
      /<foreignObject><p xmlns="http:\/\/www\.w3\.org\/1999\/xhtml">x<\/p><\/foreignObject>/,
    );
    assert.match(r.xhtml, /<math xmlns="http:\/\/www\.w3\.org\/1998\/Math\/MathML"><mi>x<\/mi><\/math>/);
    assert.deepEqual(r.properties, ['mathml', 'svg']);
  });

  it('gives SVG shapes the attributes SVG 1.1 requires, with the values SVG 2 implies (epubcheck RSC-005)', () => {
    const r = convert(
      '<p><svg viewBox="0 0 9 9"><rect/><rect width="3" height="4"/><image/><circle/><ellipse rx="2"/>' +
        '<path/><polygon/><polyline/><use/></svg></p>',
    );
    assert.match(r.xhtml, /<rect width="auto" height="auto"\/><rect width="3" height="4"\/>/);
    assert.match(r.xhtml, /<image width="auto" height="auto"\/><circle r="0"\/><ellipse rx="2" ry="auto"\/>/);
    assert.match(r.xhtml, /<path d=""\/><polygon points=""\/><polyline points=""\/><use\/>/);
  });

  it('gives a link inside SVG a <title> (ACC-011): its text, else its address; a titled one stays', () => {
    const r = convert(
      '<p><svg viewBox="0 0 9 9"><a href="https://example.org/">Example <tspan>site</tspan></a>' +
        '<a href="#x"><rect width="1" height="1"/></a><a href="#y"><title>Kept</title></a></svg></p>',
    );
    assert.match(r.xhtml, /<a href="https:\/\/example\.org\/"><title>Example site<\/title>Example /);
    assert.match(r.xhtml, /<a href="#x"><title>#x<\/title><rect/);
    assert.match(r.xhtml, /<a href="#y"><title>Kept<\/title><\/a>/);
  });

  it('names a task list box by its item (Ace `label`), leaves a labelled one alone', () => {
    const r = convert(
      '<ul class="task-list"><li><p><input type="checkbox" disabled="disabled" /> Buy  <em>milk</em></p></li>' +
        '<li><label><input type="checkbox" /> Own label</label></li></ul>',
    );
    assert.match(r.xhtml, /<input type="checkbox" disabled="disabled" aria-label="Buy milk"\/>/);
    assert.match(r.xhtml, /<label><input type="checkbox"\/> Own label<\/label>/);
  });

  it('hoists <style> out of the body', () => {
    const r = convert('<p>a</p><style>.x { color: red; }</style><div><style>.y{}</style></div>');
    assert.deepEqual(r.styles, ['.x { color: red; }', '.y{}']);
    assert.doesNotMatch(r.xhtml, /<style/);
  });

  it('repairs what browsers forgive: blocks in phrasing, stray list text, unknown tags, bad attributes', () => {
    const r = convert(
      '<span class="a"><pre>code</pre></span><ul>stray<li>ok</li></ul>' +
        '<inline code="1">x</inline><p align="center" markdown="1" onclick="x()">t</p>' +
        '<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E" alt="" width="50%">' +
        '<a name="old">anchor</a><center>c</center><script>alert(1)</script>',
    );
    assert.match(r.xhtml, /<div class="a"><pre>code<\/pre><\/div>/);
    assert.match(r.xhtml, /<ul><li>stray<\/li><li>ok<\/li><\/ul>/);
    assert.match(r.xhtml, /<span>x<\/span>/);
    assert.match(r.xhtml, /<p style="text-align:center">t<\/p>/);
    assert.match(r.xhtml, /alt="" style="width:50%"\/>/);
    assert.match(r.xhtml, /<a id="old">anchor<\/a>/);
    assert.match(r.xhtml, /<div>c<\/div>/);
    assert.doesNotMatch(r.xhtml, /script|onclick|markdown=/);
  });

  it('closes void elements and escapes text as XML', () => {
    const r = convert('<p>a<br>b &amp; c &lt; d<hr></p>');
    assert.equal(r.xhtml, '<p>a<br/>b &amp; c &lt; d</p><hr/><p></p>');
  });

  it('makes footnotes noterefs and asides with a numbered back link', () => {
    const r = convert(
      '<p>x<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup></p>' +
        '<hr class="footnotes-sep"><section class="footnotes"><ol class="footnotes-list">' +
        '<li id="fn1" class="footnote-item"><p>Note. <a href="#fnref1" class="footnote-backref">↩︎</a></p></li></ol></section>',
    );
    assert.match(
      r.xhtml,
      /<a href="ch\.xhtml#fn1" id="fnref1" epub:type="noteref" role="doc-noteref">1<\/a>/,
    );
    assert.match(
      r.xhtml,
      /<aside id="fn1" class="footnote" epub:type="footnote" role="doc-footnote"><p><a href="ch\.xhtml#fnref1" class="footnote-number" role="doc-backlink">1\.<\/a> Note\.<\/p><\/aside>/,
    );
    assert.doesNotMatch(r.xhtml, /footnotes-sep|↩/);
  });

  it('makes heading levels consecutive', () => {
    const r = convert('<h1>T</h1><h4 id="a">A</h4><h2>B</h2><h5>C</h5>');
    assert.equal(r.xhtml, '<h1>T</h1><h2 id="a">A</h2><h2>B</h2><h3>C</h3>');
  });

  it('points links at existing files and ids, makes the rest absolute or plain text', () => {
    const r = convert(
      '<p id="here"><a href="other.xhtml#sec">1</a><a href="other.xhtml#gone">2</a><a href="#sec">3</a>' +
        '<a href="#here">4</a><a href="../files/a.pdf">5</a><a href="{{ site.url }}">6</a>' +
        '<a href="https://example.org/x?a=1&amp;b=2">7</a><a href="#">8</a></p>',
      { 'other.xhtml': ['sec'] },
      'https://site.example/base',
    );
    assert.match(r.xhtml, /<a href="other\.xhtml#sec">1<\/a>/);
    assert.match(r.xhtml, /<a href="other\.xhtml">2<\/a>/);
    assert.match(r.xhtml, /<a href="other\.xhtml#sec">3<\/a>/, 'an id of another file is found there');
    assert.match(r.xhtml, /<a href="ch\.xhtml#here">4<\/a>/);
    assert.match(r.xhtml, /<a href="https:\/\/site\.example\/base\/docs\/files\/a\.pdf">5<\/a>/);
    assert.match(r.xhtml, /<span>6<\/span>/);
    assert.match(r.xhtml, /<a href="https:\/\/example\.org\/x\?a=1&amp;b=2">7<\/a>/);
    assert.match(r.xhtml, /<span>8<\/span>/);
  });

  it('unwraps links to files outside the book when the site has no url', () => {
    assert.match(convert('<p><a href="files/a.pdf">doc</a></p>').xhtml, /<p><span>doc<\/span><\/p>/);
  });
});

describe('EPUB images and navigation', () => {
  it('sniffs image formats from bytes, not names', () => {
    assert.equal(sniffImage(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0])), 'png');
    assert.equal(sniffImage(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0])), 'jpg');
    assert.equal(sniffImage(Buffer.from('RIFF\0\0\0\0WEBPVP8 ')), 'webp');
    assert.equal(sniffImage(Buffer.from('<?xml version="1.0"?><svg xmlns="x"/>')), 'svg');
    assert.equal(sniffImage(Buffer.from('hello')), undefined);
  });

  it('names images readably and stores the same bytes once', () => {
    assert.equal(readableStem('photos/Certificates 101.jpg'), 'certificates-101');
    assert.equal(readableStem('Ünïcode ü.png'), 'unicode-u');
    const store = new ImageStore();
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>');
    const a = store.addBytes(svg, 'a/pic.svg');
    const b = store.addBytes(svg, 'b/other.svg');
    const c = store.addBytes(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>'), 'c/pic.svg');
    assert.ok(typeof a !== 'string' && typeof b !== 'string' && typeof c !== 'string');
    assert.equal(a, b);
    assert.deepEqual([a.href, c.href], ['images/pic.svg', 'images/pic-2.svg']);
  });

  it('nests the navigation like the book tree and counts the NCX depth', () => {
    const entries = [
      { file: 'a.xhtml', title: 'A', depth: 0 },
      { file: 'b.xhtml', title: 'B & C', depth: 1 },
      { file: 'c.xhtml', title: 'C', depth: 2 },
      { file: 'd.xhtml', title: 'D', depth: 0 },
    ];
    assert.equal(
      navList(entries),
      '<ol><li><a href="a.xhtml">A</a><ol><li><a href="b.xhtml">B &amp; C</a><ol><li><a href="c.xhtml">C</a></li></ol></li></ol></li><li><a href="d.xhtml">D</a></li></ol>',
    );
    const ncx = ncxPoints(entries);
    assert.equal(ncx.depth, 3);
    assert.equal(ncx.xml.match(/<navPoint /g)?.length, 4);
    assert.match(
      ncx.xml,
      /C<\/text><\/navLabel><content src="c\.xhtml"\/><\/navPoint><\/navPoint><\/navPoint><navPoint id="nav-4"/,
    );
  });
});

describe('EPUB config (bookbinder.epub in _config.yml)', () => {
  it('reads cover, language, subjects and falls back to the site keys', () => {
    const site = {
      ...defaultSiteConfig(),
      lang: 'fr',
      data: {
        publisher: 'P',
        copyright: '© X',
        bookbinder: { epub: { cover: '/img/c.png', subjects: 'a, b' } },
      },
    };
    const c = readEpubConfig(site, new Diagnostics());
    assert.deepEqual(c.cover, { kind: 'image', path: 'img/c.png' });
    assert.equal(c.lang, 'fr');
    assert.deepEqual(c.subjects, ['a', 'b']);
    assert.equal(c.publisher, 'P');
    assert.equal(c.rights, '© X');
  });

  it('generates a cover by default, none when asked, and warns on a wrong type', () => {
    const diags = new Diagnostics();
    const of = (cover: unknown) =>
      readEpubConfig({ ...defaultSiteConfig(), data: { bookbinder: { epub: { cover } } } }, diags).cover.kind;
    assert.deepEqual([of(undefined), of(false), of('none'), of(3)], ['generate', 'none', 'none', 'generate']);
    assert.deepEqual(
      diags.list().map((d) => d.code),
      ['config/epub'],
    );
  });
});
