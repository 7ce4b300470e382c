/**
 * The `nav-links` fixture site built into HTML and EPUB (no browser): links written in every
 * form land on the right chapter and on book-unique heading ids, in both outputs.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import JSZip from 'jszip';
import { build, type BuildResult } from '../../src/build.js';
import { FIXTURES } from '../helpers.js';

describe('links in the stitched book (nav-links fixture, HTML and EPUB)', function () {
  this.timeout(60_000);
  let result: BuildResult;
  let intro: string;

  before(async () => {
    result = await build({ source: join(FIXTURES, 'sites', 'nav-links'), formats: ['html', 'epub'] });
    const zip = await JSZip.loadAsync(result.epub!);
    intro = await zip.file('OEBPS/docs-guide-intro.xhtml')!.async('string');
  });

  const link = (html: string, text: string): string | undefined =>
    new RegExp(`<a ([^>]*)>${text}</a>`).exec(html)?.[1];

  it('a repeated heading gets a book-unique id, and links to it follow in both outputs', () => {
    const html = result.html!;
    assert.match(html, /<h2 id="install-it"/);
    assert.match(html, /<h2 id="docs-ref-index-install-it"/);
    assert.equal(link(html, 'Install It'), 'href="#docs-ref-index-install-it"');
    assert.equal(link(intro, 'Install It'), 'href="docs-ref-index.xhtml#docs-ref-index-install-it"');
    assert.equal(link(html, 'relative .md path'), 'href="#install-it"');
    assert.equal(link(intro, 'relative to the page URL'), 'href="docs-guide-setup.xhtml#install-it"');
    assert.equal(link(intro, '.html form'), 'href="docs-guide-setup.xhtml#install-it-1"');
  });

  it('unknown fragments land on the chapter; dead links keep their text without an href', () => {
    assert.equal(link(result.html!, 'lost fragment'), 'href="#docs-guide-setup"');
    assert.equal(link(intro, 'lost fragment'), 'href="docs-guide-setup.xhtml"');
    assert.equal(link(result.html!, 'nowhere'), 'data-unresolved="/docs/nowhere/#x"');
    assert.match(intro, /<a(?![^>]*href)[^>]*>nowhere<\/a>/);
  });

  it('reports each problem once, with its file and line', () => {
    const linkWarnings = result.report.warnings
      .filter((w) => w.code.startsWith('link/') || w.code.startsWith('image/'))
      .map((w) => `${w.code} ${w.file}:${w.line}`);
    assert.deepEqual(linkWarnings, [
      'link/unresolved docs/guide/intro.md:20',
      'image/missing docs/guide/intro.md:23',
      'link/missing-anchor docs/guide/intro.md:29',
    ]);
  });
});
