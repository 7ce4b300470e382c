/**
 * Jekyll collections in the book: which documents are read, their titles and URLs, and where
 * just-the-docs puts them in the navigation (after the pages, each under its `name`).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadSiteConfig } from '../../src/config/site.js';
import { renderLiquid } from '../../src/liquid/render.js';
import { Diagnostics } from '../../src/diagnostics.js';
import { loadCollections, readCollections, titleFromFileName } from '../../src/source/collections.js';
import { loadPages } from '../../src/source/load.js';
import { documentUrl } from '../../src/source/url.js';
import { buildBookTree, flattenTree, type NavCollection, selectRoot } from '../../src/structure/nav.js';
import { FIXTURES } from '../helpers.js';

function site(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'bb-coll-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function tree(root: string) {
  const diags = new Diagnostics();
  const config = loadSiteConfig(root, diags);
  const pages = loadPages(root, config, diags);
  const loaded = loadCollections(root, readCollections(root, config, diags), config, diags);
  const listed: NavCollection[] = loaded.flatMap((c) => (c.nav ? [{ ...c, nav: c.nav }] : []));
  const nodes = buildBookTree(pages, listed, config, diags);
  const rows = flattenTree(nodes).map((c) => `${c.depth} ${c.title} (${c.page.source})`);
  return { rows, nodes, diags, loaded };
}

describe('collections', () => {
  it('the fixture site: pages, then each listed collection under its name, ordered as pages', () => {
    const { rows, diags, loaded } = tree(join(FIXTURES, 'sites', 'collections'));
    assert.deepEqual(rows, [
      '0 Home (index.md)',
      '0 Crew (crew.md)',
      '0 Guides (_guides)',
      '1 Knots (_guides/knots.md)',
      '2 Advanced knots (_guides/knots-advanced.md)',
      '1 Mooring (_guides/mooring.md)',
      '1 Tides And Currents (_guides/sub/tides-and-currents.md)',
      '0 Recipes (_recipes)',
      '1 Chowder (_recipes/chowder.md)',
      '1 Bread (_recipes/bread.md)',
      '0 Archive (_archive)',
      '1 Old log (_archive/old-log.md)',
    ]);
    const coded = diags.list().map((d) => `${d.severity} ${d.code} ${d.file}:${d.line}`);
    assert.deepEqual(coded.sort(), [
      'info collection/nav-exclude _config.yml:22',
      'info collection/no-output _config.yml:20',
      'info collection/unpublished _guides/draft.md:3',
      'warning collection/not-markdown _guides/chart.html:1',
    ]);
    const urls = Object.fromEntries(loaded.flatMap((c) => c.docs).map((d) => [d.source, d.url]));
    assert.equal(urls['_guides/knots.md'], '/guides/knots.html');
    assert.equal(urls['_guides/sub/tides-and-currents.md'], '/guides/sub/tides-and-currents.html');
    assert.equal(urls['_recipes/chowder.md'], '/cook/chowder/');
    // a file without front matter is a static file of the collection, not a document
    assert.equal(urls['_guides/plain.md'], undefined);
  });

  it('a lone collection with no top-level page is not headed (as in the sidebar)', () => {
    const root = site({
      '_config.yml':
        'collections:\n  docs:\n    output: true\njust_the_docs:\n  collections:\n    docs:\n      name: Docs\n',
      '_docs/b.md': '---\ntitle: Beta\n---\nB\n',
      '_docs/a.md': '---\ntitle: Alpha\nnav_order: 2\n---\nA\n',
      '_docs/c.md': '---\ntitle: Gamma\nparent: Beta\n---\nC\n',
    });
    assert.deepEqual(tree(root).rows, [
      '0 Alpha (_docs/a.md)',
      '0 Beta (_docs/b.md)',
      '1 Gamma (_docs/c.md)',
    ]);
  });

  it('collections_dir, the list form of `collections:`, and --root on a collection and a document', () => {
    const root = site({
      '_config.yml':
        'permalink: pretty\ncollections_dir: books\ncollections: [notes]\njust_the_docs:\n  collections:\n    notes:\n      name: Field notes\n',
      'index.md': '---\ntitle: Home\n---\n',
      'books/_notes/gulls.md': '---\n---\nGulls.\n',
      'books/_notes/2021-05-01-terns.md': '---\nparent: Gulls\n---\nTerns.\n',
    });
    const { rows, nodes, loaded } = tree(root);
    assert.deepEqual(rows, [
      '0 Home (index.md)',
      '0 Field notes (books/_notes)',
      '1 Gulls (books/_notes/gulls.md)',
      '2 Terns (books/_notes/2021-05-01-terns.md)',
    ]);
    const gulls = loaded[0]!.docs.find((d) => d.source.endsWith('gulls.md'))!;
    assert.equal(gulls.collection?.relativePath, '_notes/gulls.md');
    assert.equal(gulls.url, '/notes/gulls/');
    assert.equal(selectRoot(nodes, 'Field notes').node?.children.length, 1);
    assert.equal(selectRoot(nodes, 'books/_notes/gulls.md').node?.page.front.title, 'Gulls');
  });

  it('warns when just-the-docs lists a collection Jekyll does not define, naming its folder', () => {
    const root = site({
      '_config.yml': 'just_the_docs:\n  collections:\n    labs:\n      name: Labs\n',
      'index.md': '---\ntitle: Home\n---\n',
      '_labs/one.md': '---\ntitle: One\n---\n',
    });
    const { rows, diags } = tree(root);
    assert.deepEqual(rows, ['0 Home (index.md)']);
    const [d] = diags.list();
    assert.equal(`${d?.code} ${d?.file}:${d?.line}`, 'collection/undefined _config.yml:3');
    assert.match(d?.message ?? '', /_labs\//);
  });

  it('titles a document without one from its file name, as Jekyll does', () => {
    assert.equal(titleFromFileName('_docs/getting-started.md'), 'Getting Started');
    assert.equal(titleFromFileName('_docs/sub/2020-01-02-new-tide-TABLES.md'), 'New Tide Tables');
    assert.equal(titleFromFileName('_docs/read_me.md'), 'Read_me');
  });

  it("computes a document's URL from its permalink, its collection's, or the site's style", () => {
    const doc = { label: 'docs', relativePath: '_docs/sub/My Page.md' };
    assert.equal(documentUrl(doc, undefined, 'date'), '/docs/sub/My Page.html');
    assert.equal(documentUrl(doc, undefined, 'pretty'), '/docs/sub/My Page/');
    assert.equal(documentUrl(doc, undefined, '/:categories/:title'), '/docs/sub/My Page');
    assert.equal(documentUrl(doc, '/d/:name/', 'date'), '/d/my-page/');
    assert.equal(
      documentUrl({ ...doc, permalink: '/x/:title.html' }, '/d/:name/', 'date'),
      '/x/My-Page.html',
    );
    assert.equal(documentUrl({ ...doc, slug: 'Tide Tables' }, '/d/:slug/', 'date'), '/d/tide-tables/');
  });

  it("Liquid: `{% link %}` by Jekyll's relative_path (without collections_dir), site.<label>, page.collection", async () => {
    const root = site({
      '_config.yml':
        'collections_dir: books\ncollections:\n  notes:\n    output: true\njust_the_docs:\n  collections:\n    notes:\n      name: Notes\n',
      'index.md':
        '---\ntitle: Home\n---\n[g]({% link _notes/gulls.md %}) {% for n in site.notes %}<{{ n.title }}|{{ n.collection }}|{{ n.path }}>{% endfor %}\n',
      'books/_notes/gulls.md': '---\n---\nI am in {{ page.collection }}.\n',
    });
    const diags = new Diagnostics();
    const config = loadSiteConfig(root, diags);
    const pages = loadPages(root, config, diags);
    const docs = loadCollections(root, readCollections(root, config, diags), config, diags).flatMap(
      (c) => c.docs,
    );
    const all = [...pages, ...docs];
    const chapters = all.map((p, k) => ({ page: p, title: p.front.title ?? '', depth: 0, id: `c${k}` }));
    const [home, gulls] = await renderLiquid(chapters, { pages: all, site: config, root }, diags);
    assert.deepEqual(diags.list(), []);
    assert.equal(home?.page.body.trim(), '[g](/notes/gulls.html) <Gulls|notes|_notes/gulls.md>');
    assert.equal(gulls?.page.body.trim(), 'I am in notes.');
  });
});
