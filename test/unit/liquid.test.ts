/**
 * The Liquid stage, in fixture pairs: `test/fixtures/liquid/case.md` goes through Liquid and
 * Markdown into `case.html`, followed by its warnings (file line and code). The fixture site has
 * an `_includes/` folder. UPDATE_FIXTURES=1 rewrites the expected files.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSiteConfig } from '../../src/config/site.js';
import { Diagnostics } from '../../src/diagnostics.js';
import { renderLiquid } from '../../src/liquid/render.js';
import { createMarkdown, renderChapter } from '../../src/markdown/render.js';
import type { Chapter, SiteConfig } from '../../src/model.js';
import { FIXTURES, page } from '../helpers.js';

const DIR = join(FIXTURES, 'liquid');

const SITE: SiteConfig = {
  ...defaultSiteConfig(),
  title: 'The Fixture Book',
  url: 'https://books.example.org',
  baseurl: '/manual',
  data: {
    title: 'The Fixture Book',
    author: 'A. Writer',
    baseurl: '/manual',
    callouts: { note: { title: 'Note' }, tip: {} },
  },
};

async function build(source: string, body: string): Promise<{ html: string; diags: Diagnostics }> {
  const p = page(source, 'title: Case Page\ntags: [b, a]', body);
  const other = page('docs/other.md', 'title: Other');
  const diags = new Diagnostics();
  const chapters: Chapter[] = [{ page: p, title: 'Case Page', depth: 0, id: 'ch' }];
  const [chapter] = await renderLiquid(chapters, { pages: [p, other], site: SITE, root: DIR }, diags);
  const html = renderChapter(createMarkdown(), chapter!, {
    usedIds: new Set(['ch']),
    resolveRef: (_kind, value) => value,
  }).html;
  return { html, diags };
}

describe('Liquid (fixtures: case.md → case.html; UPDATE_FIXTURES=1 rewrites)', () => {
  for (const file of readdirSync(DIR)
    .filter((f) => f.endsWith('.md'))
    .sort()) {
    it(file.replace(/\.md$/, ''), async () => {
      const source = `docs/${file}`;
      const { html, diags } = await build(source, readFileSync(join(DIR, file), 'utf8'));
      const warnings = diags
        .list()
        .map((d) => `<!-- ${d.severity}: ${d.file}:${d.line} [${d.code}] -->\n`)
        .join('');
      const expectedPath = join(DIR, file.replace(/\.md$/, '.html'));
      if (process.env.UPDATE_FIXTURES) writeFileSync(expectedPath, html + warnings);
      assert.equal(html + warnings, readFileSync(expectedPath, 'utf8'));
    });
  }
});

describe('Liquid', () => {
  it('leaves pages without Liquid markup untouched (the same object)', async () => {
    const p = page('a.md', 'title: A', 'Plain *text*.\n');
    const chapters: Chapter[] = [{ page: p, title: 'A', depth: 0, id: 'a' }];
    const out = await renderLiquid(chapters, { pages: [p], site: SITE, root: DIR }, new Diagnostics());
    assert.equal(out[0]!.page, p);
  });

  it('skips pages with render_with_liquid: false, as Jekyll does', async () => {
    const p = page('a.md', 'title: A\nrender_with_liquid: false', '{{ site.title }}\n');
    const chapters: Chapter[] = [{ page: p, title: 'A', depth: 0, id: 'a' }];
    const out = await renderLiquid(chapters, { pages: [p], site: SITE, root: DIR }, new Diagnostics());
    assert.equal(out[0]!.page.body, '{{ site.title }}\n');
  });

  it('keeps the written line of what follows a multi-line tag, for later diagnostics', async () => {
    const body =
      '{% if false %}\none\ntwo\n{% endif %}\n{% capture x %}\n3\n{% endcapture %}\n\nBad $$\\frac{$$ here.\n\n[link](/x/)\n';
    const p = page('a.md', 'title: A', body);
    const [chapter] = await renderLiquid(
      [{ page: p, title: 'A', depth: 0, id: 'a' }],
      { pages: [p], site: SITE, root: DIR },
      new Diagnostics(),
    );
    const seen: string[] = [];
    renderChapter(createMarkdown(), chapter!, {
      usedIds: new Set(),
      resolveRef: (_kind, value, line) => {
        seen.push(`${value}@${line}`);
        return value;
      },
      warn: (code, _message, line) => seen.push(`${code}@${line}`),
    });
    // Body lines are 0-based: the broken formula and the link are on lines 8 and 10 as written.
    assert.deepEqual(seen.sort(), ['/x/@10', 'math/invalid@8']);
  });

  it('reports an error on the line of the page file where it is written', async () => {
    const p = page('a.md', 'title: A\nx: 1', 'one\n\ntwo {% nosuchtag %}\n');
    const diags = new Diagnostics();
    await renderLiquid(
      [{ page: p, title: 'A', depth: 0, id: 'a' }],
      { pages: [p], site: SITE, root: DIR },
      diags,
    );
    assert.deepEqual(
      diags.list().map((d) => [d.file, d.line, d.code]),
      [['a.md', 7, 'liquid/unknown-tag']],
    );
  });

  it('stops a runaway loop at its budget with liquid/limit at its line, and keeps the page', async () => {
    const body =
      'Before.\n\n{% for i in (1..100000000) %}x{% endfor %}\n\n{% for i in (1..900000) %}{{ i }}{% endfor %}\n\nAfter.\n';
    const p = page('a.md', 'title: A', body);
    const diags = new Diagnostics();
    const [chapter] = await renderLiquid(
      [{ page: p, title: 'A', depth: 0, id: 'a' }],
      { pages: [p], site: SITE, root: DIR },
      diags,
    );
    // The first loop asks for more memory than the budget (at once); the second runs out of time.
    assert.deepEqual(
      diags.list().map((d) => [d.file, d.line, d.code]),
      [
        ['a.md', 6, 'liquid/limit'],
        ['a.md', 8, 'liquid/limit'],
      ],
    );
    assert.match(chapter!.page.body, /Before\.[\s\S]*After\./);
    assert.ok(chapter!.page.body.length < 1000, 'no loop output kept');
  });

  it('cancels between pages when the signal is aborted', async () => {
    const p = page('a.md', 'title: A', '{{ page.title }}\n');
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(
      renderLiquid(
        [{ page: p, title: 'A', depth: 0, id: 'a' }],
        { pages: [p], site: SITE, root: DIR },
        new Diagnostics(),
        controller.signal,
      ),
      /stop/,
    );
  });
});
