/**
 * Link and image resolution on the `nav-links` fixture site (baseurl `/handbook`, `url` known,
 * pretty permalinks): every written form lands on the right chapter, heading or asset.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  buildLinkIndex,
  checkFragments,
  DEAD_LINK,
  type FragmentRef,
  makeResolver,
} from '../../src/compose/resolve.js';
import { chapterTable, finalizeHtml } from '../../src/compose/finalize.js';
import { loadSiteConfig } from '../../src/config/site.js';
import { Diagnostics } from '../../src/diagnostics.js';
import type { Asset, Chapter, RenderedChapter, SiteConfig } from '../../src/model.js';
import { loadPages } from '../../src/source/load.js';
import { buildNavTree, flattenTree } from '../../src/structure/nav.js';
import { FIXTURES } from '../helpers.js';

const ROOT = join(FIXTURES, 'sites', 'nav-links');

function setup(overrides: Partial<SiteConfig> = {}) {
  const diags = new Diagnostics();
  const site = { ...loadSiteConfig(ROOT, diags), ...overrides };
  const pages = loadPages(ROOT, site, diags);
  const chapters = flattenTree(buildNavTree(pages, site, diags));
  const index = buildLinkIndex(chapters, pages);
  const linkDiags = new Diagnostics();
  const assets = new Map<string, Asset>();
  const fragments: FragmentRef[] = [];
  const intro = chapters.find((c) => c.page.source === 'docs/guide/intro.md')!;
  const resolve = makeResolver({
    chapter: intro,
    index,
    site,
    root: ROOT,
    diags: linkDiags,
    assets,
    fragments,
  });
  return { chapters, intro, resolve, diags: linkDiags, assets, fragments };
}

describe('link resolution', () => {
  it('every written form of a link to a page of the book becomes bbref:CHAPTER#fragment', () => {
    const { resolve, diags } = setup();
    const cases: [string, string][] = [
      ['/docs/guide/setup/', 'bbref:docs-guide-setup'],
      ['/docs/guide/setup/#install-it', 'bbref:docs-guide-setup#install-it'],
      ['/handbook/docs/guide/setup/#install-it', 'bbref:docs-guide-setup#install-it'],
      ['../setup/#install-it', 'bbref:docs-guide-setup#install-it'],
      ['../setup/', 'bbref:docs-guide-setup'],
      ['setup.md#install-it', 'bbref:docs-guide-setup#install-it'],
      ['./setup.md', 'bbref:docs-guide-setup'],
      ['https://docs.example.org/handbook/docs/ref/#tables', 'bbref:docs-ref-index#tables'],
      ['https://docs.example.org/docs/ref/', 'bbref:docs-ref-index'],
      ['/docs/guide/setup', 'bbref:docs-guide-setup'],
      ['/docs/guide/setup.html#install-it-1', 'bbref:docs-guide-setup#install-it-1'],
      ['/docs/guide/setup/index.html', 'bbref:docs-guide-setup'],
      ['../../ref/', 'bbref:docs-ref-index'],
      ['../ref/index.md', 'bbref:docs-ref-index'],
      ['/docs/guide/setup.md/', 'bbref:docs-guide-setup'],
      ['with%20space.md', 'bbref:docs-guide-with-space'],
      ['/handbook/docs/guide/with%20space/', 'bbref:docs-guide-with-space'],
      ['/handbook/', 'bbref:index'],
      ['/', 'bbref:index'],
      ['#intro', 'bbref:docs-guide-intro#intro'],
      ['', 'bbref:docs-guide-intro'],
    ];
    for (const [written, expected] of cases) assert.equal(resolve('href', written, 0), expected, written);
    assert.deepEqual(diags.list(), []);
  });

  it('pages and files outside the book become web links when url is known', () => {
    const { resolve, diags } = setup();
    assert.equal(resolve('href', '/docs/draft/#top', 0), 'https://docs.example.org/handbook/docs/draft/#top');
    assert.equal(resolve('href', '../../draft/', 0), 'https://docs.example.org/handbook/docs/draft/');
    assert.equal(resolve('href', '/files/sheet.pdf', 0), 'https://docs.example.org/handbook/files/sheet.pdf');
    assert.equal(
      resolve('href', 'https://docs.example.org/elsewhere/', 0),
      'https://docs.example.org/elsewhere/',
    );
    assert.deepEqual(diags.list(), []);
  });

  it('without url they keep their text with a link/outside-book warning at the file line', () => {
    const { resolve, diags } = setup({ url: '' });
    assert.equal(resolve('href', '/docs/draft/', 3), `${DEAD_LINK}/docs/draft/`);
    assert.equal(resolve('href', '/files/sheet.pdf', 4), `${DEAD_LINK}/files/sheet.pdf`);
    assert.deepEqual(
      diags.list().map((d) => `${d.code} ${d.file}:${d.line}`),
      ['link/outside-book docs/guide/intro.md:8', 'link/outside-book docs/guide/intro.md:9'],
    );
  });

  it('a link to nothing keeps its text and warns link/unresolved with file:line', () => {
    const { resolve, diags } = setup();
    assert.equal(resolve('href', '/docs/nowhere/#x', 15), `${DEAD_LINK}/docs/nowhere/#x`);
    const [d] = diags.list();
    assert.equal(d?.code, 'link/unresolved');
    assert.equal(`${d?.file}:${d?.line}`, 'docs/guide/intro.md:20');
    assert.match(d?.message ?? '', /\/docs\/nowhere\/#x/);
  });

  it('leaves other sites and schemes alone, and removes javascript: links', () => {
    const { resolve, diags } = setup();
    assert.equal(resolve('href', 'https://example.com/x', 0), 'https://example.com/x');
    assert.equal(resolve('href', '//example.com/x', 0), 'https://example.com/x');
    assert.equal(resolve('href', 'mailto:a@example.org', 0), 'mailto:a@example.org');
    assert.equal(resolve('href', 'javascript:alert(1)', 0), '#');
    assert.deepEqual(
      diags.list().map((d) => d.code),
      ['link/unsafe'],
    );
  });

  it('images: site root, baseurl, page URL, beside the source file, spaces and %-escapes', () => {
    const { resolve, diags, assets } = setup();
    assert.equal(resolve('src', '/assets/logo.svg', 0), 'bbasset:assets/logo.svg');
    assert.equal(resolve('src', '/handbook/assets/logo.svg', 0), 'bbasset:assets/logo.svg');
    assert.equal(resolve('src', '../../../assets/logo.svg', 0), 'bbasset:assets/logo.svg');
    assert.equal(resolve('src', 'img/pic%20one.svg', 0), 'bbasset:docs/guide/img/pic one.svg');
    assert.equal(resolve('src', 'img/pic one.svg', 0), 'bbasset:docs/guide/img/pic one.svg');
    assert.equal(
      resolve('src', 'https://docs.example.org/handbook/assets/logo.svg', 0),
      'bbasset:assets/logo.svg',
    );
    assert.deepEqual([...assets.keys()].sort(), ['assets/logo.svg', 'docs/guide/img/pic one.svg']);
    assert.equal(resolve('src', 'img/missing.png', 2), 'bbmissing:img/missing.png');
    assert.equal(resolve('src', '../../../../etc/passwd', 2), 'bbmissing:../../../../etc/passwd');
    assert.deepEqual(
      diags.list().map((d) => d.code),
      ['image/missing', 'image/outside-root'],
    );
  });
});

describe('fragments in the stitched book', () => {
  function rendered(chapter: Chapter, anchors: Record<string, string>, html = ''): RenderedChapter {
    return { chapter, html, headings: [], styles: [], assets: [], anchors };
  }

  it('map to the target chapter’s book-unique ids in every output; unknown ones land on the chapter', () => {
    const { chapters } = setup();
    const setupChapter = chapters.find((c) => c.id === 'docs-guide-setup')!;
    const table = chapterTable([rendered(setupChapter, { 'install-it': 'docs-guide-setup-install-it' })]);
    const html =
      '<a href="bbref:docs-guide-setup#install-it">a</a><a href="bbref:docs-guide-setup#gone">b</a>' +
      '<a href="bbref:docs-guide-setup">c</a><a href="bbdead:/x/#y">d</a>';
    const inBook = finalizeHtml(html, table, { chapterHref: (c, id) => `#${id ?? c}`, assetUrl: (s) => s });
    assert.equal(
      inBook,
      '<a href="#docs-guide-setup-install-it">a</a><a href="#docs-guide-setup">b</a>' +
        '<a href="#docs-guide-setup">c</a><a data-unresolved="/x/#y">d</a>',
    );
    const epub = finalizeHtml(html, table, {
      chapterHref: (c, id) => `${c}.xhtml${id ? `#${id}` : ''}`,
      assetUrl: (s) => s,
    });
    assert.match(epub, /href="docs-guide-setup\.xhtml#docs-guide-setup-install-it"/);
    assert.match(epub, /href="docs-guide-setup\.xhtml">b</);
  });

  it('a fragment the target chapter lacks is a link/missing-anchor warning; #top never is', () => {
    const { chapters, resolve, fragments } = setup();
    resolve('href', '/docs/guide/setup/#install-it', 1);
    resolve('href', 'setup.md#not-there', 2);
    resolve('href', '#top', 3);
    const diags = new Diagnostics();
    const all = chapters.map((c) =>
      rendered(c, c.id === 'docs-guide-setup' ? { 'install-it': 'install-it' } : {}),
    );
    checkFragments(fragments, all, diags);
    assert.deepEqual(
      diags.list().map((d) => `${d.code} ${d.file}:${d.line}`),
      ['link/missing-anchor docs/guide/intro.md:7'],
    );
  });
});
