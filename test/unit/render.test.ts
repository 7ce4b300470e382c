import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { calloutsOf } from '../../src/markdown/callouts.js';
import { createMarkdown, renderChapter, renderChapterAsync } from '../../src/markdown/render.js';
import type { Chapter } from '../../src/model.js';
import { FIXTURES, page, ROOT } from '../helpers.js';
import { readCases, writeCases } from '../support/fixture-cases.js';

const DIR = join(FIXTURES, 'kramdown');

/** The callouts the fixtures are rendered with, as a `_config.yml` would declare them. */
const CALLOUTS = calloutsOf({
  callouts: {
    note: { title: 'Note', color: 'blue' },
    warning: { title: 'Warning', color: 'red' },
    plain: {},
  },
});

/** Renders a Markdown string as a chapter titled "Chapter" with id `ch`. */
function renderString(markdown: string, title = 'Chapter') {
  const p = page('p.md', `title: ${title}`, markdown);
  const chapter: Chapter = { page: p, title, depth: 0, id: 'ch' };
  const refs: string[] = [];
  const warnings: string[] = [];
  const out = renderChapter(createMarkdown({ callouts: CALLOUTS }), chapter, {
    usedIds: new Set(['ch']),
    resolveRef: (kind, value, line) => {
      refs.push(`${kind}:${value}@${line}`);
      return value;
    },
    warn: (code, _message, line) => warnings.push(`<!-- warning: body line ${line + 1} [${code}] -->\n`),
  });
  return { ...out, refs, warnings };
}

describe('markdown rendering (fixtures: test/fixtures/kramdown/*.txt, one case per block; UPDATE_FIXTURES=1 rewrites)', () => {
  for (const file of readdirSync(DIR)
    .filter((f) => f.endsWith('.txt'))
    .sort()) {
    const path = join(DIR, file);
    const cases = readCases(path);
    const rendered = cases.map((c) => {
      const r = renderString(c.markdown);
      return { ...c, html: r.html + r.warnings.join('') };
    });
    if (process.env.UPDATE_FIXTURES) writeCases(path, rendered);
    for (const [i, c] of cases.entries()) {
      it(`${file}:${c.line}${c.header ? ` ${c.header}` : ''}`, () => {
        const html = rendered[i]!.html;
        assert.equal(html === '' || html.endsWith('\n') ? html : `${html}\n`, c.html);
      });
    }
  }
});

describe('markdown rendering', () => {
  it('renderChapterAsync gives what renderChapter gives, pausing between its rules', async () => {
    const markdown = readdirSync(DIR)
      .filter((f) => f.endsWith('.txt'))
      .sort()
      .flatMap((f) => readCases(join(DIR, f)).map((c) => c.markdown))
      .join('\n\n');
    const p = page('p.md', 'title: All', `${markdown}\n\nText.[^a]\n\n[^a]: A note.\n\n{:toc}\n`);
    const chapter: Chapter = { page: p, title: 'All', depth: 0, id: 'ch' };
    const ctx = () => ({
      usedIds: new Set(['ch']),
      resolveRef: (_k: string, v: string) => v,
      warn: () => undefined,
    });
    const md = createMarkdown({ callouts: CALLOUTS });
    let pauses = 0;
    const async = await renderChapterAsync(md, chapter, ctx(), () => {
      pauses++;
      return Promise.resolve();
    });
    assert.deepEqual(async, renderChapter(md, chapter, ctx()));
    assert.ok(pauses >= 4, `${pauses} pauses`);
  });

  it('collects headings with kramdown ids and their no_toc flag', () => {
    const { headings } = renderString('## Intro\n\n## Intro\n\n## Hidden\n{: .no_toc}\n');
    assert.deepEqual(
      headings.map((h) => [h.id, h.noToc]),
      [
        ['intro', false],
        ['intro-1', false],
        ['hidden', true],
      ],
    );
  });

  it('folds a first heading that repeats the title into the chapter title', () => {
    const { html, anchors, headings } = renderString(
      '<div>\n\n## Conclusion\n\nText.\n\n</div>\n',
      'Conclusion',
    );
    assert.doesNotMatch(html, /<h2/);
    assert.equal(anchors.conclusion, 'ch');
    assert.equal(headings.length, 0);
  });

  it('titles the chapter as its first heading writes the title (case and quotes)', () => {
    const crows = renderString('## Crows and ravens\n\nText.\n', 'crows and ravens');
    assert.doesNotMatch(crows.html, /<h2/);
    assert.equal(crows.pageTitle, 'Crows and ravens');
    // The page's straight quote is curled by kramdown's smart quotes; the title keeps its own.
    const guide = renderString("# Player's Guide\n\nText.\n", "Player's Guide");
    assert.doesNotMatch(guide.html, /<h1/);
    assert.equal(guide.pageTitle, 'Player’s Guide');
    assert.equal(renderString('## Conclusion\n', 'Conclusion').pageTitle, undefined);
  });

  it('makes ids unique across the book', () => {
    const used = new Set(['ch', 'intro']);
    const p = page('p.md', 'title: T', '## Intro\n');
    const out = renderChapter(
      createMarkdown(),
      { page: p, title: 'T', depth: 0, id: 'ch' },
      { usedIds: used, resolveRef: (_k, v) => v },
    );
    assert.match(out.html, /id="ch-intro"/);
    assert.equal(out.anchors.intro, 'ch-intro');
  });

  it('drops {:toc} lists when the site asks for no chapter contents', () => {
    const p = page('p.md', 'title: T', '1. TOC\n{:toc}\n\n## One\n');
    const render = (chapterToc: boolean) =>
      renderChapter(
        createMarkdown(),
        { page: p, title: 'T', depth: 0, id: 'ch' },
        { usedIds: new Set(), resolveRef: (_k, v) => v, chapterToc },
      ).html;
    assert.match(render(true), /<nav class="chapter-toc"/);
    assert.equal(render(false).trim(), '<h2 id="one">One</h2>');
  });

  it('hoists <style> blocks and never leaves them in the body', () => {
    const { html, styles } = renderString('<style>\n.a { color: red; }\n</style>\n\nText\n');
    assert.deepEqual(styles, ['.a { color: red; }']);
    assert.doesNotMatch(html, /<style/);
  });

  it('passes every link and image, Markdown or raw HTML, to the resolver with its line', () => {
    const { refs } = renderString('Line one [a](/x/)\n\n![i](img.png)\n\n<a href="/y/">y</a>\n');
    assert.deepEqual(refs, ['href:/x/@0', 'src:img.png@2', 'href:/y/@4']);
  });
});

describe('markdown="1" elements whose tags stand on their own lines', () => {
  // These are parsed in the page's own state (not as a new document): the result must be the
  // same as rendering the content alone, inside the element's tags.
  const inners = {
    'a tight list at the end': '- one\n- two',
    'a loose list': '- one\n\n- two\n',
    'an unclosed fence': '```js\nlet a = 1;',
    'a reference defined inside': 'See [the site][s].\n\n[s]: https://example.org',
    'a table and a quote': '| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n> text',
    'a nested element': '## Head\n\n<section markdown="1">\n*inner*\n</section>\n\nafter',
    'indented text': '    code block\n\ntext',
  };
  for (const [name, inner] of Object.entries(inners)) {
    it(name, () => {
      const wrapped = renderString(`<div class="w" markdown="1">\n${inner}\n</div>\n`).html;
      assert.equal(wrapped, `<div class="w">\n${renderString(inner).html}</div>\n`);
    });
  }
});

describe('code highlighting loads grammars on demand', () => {
  // Each case runs in a fresh process: in this one, another test may have loaded every grammar.
  const highlightIn = (lang: string, preload: boolean): string => {
    const module = pathToFileURL(join(ROOT, 'dist', 'src', 'markdown', 'highlight.js')).href;
    const script =
      (preload
        ? `(await import('node:module')).createRequire(${JSON.stringify(module)})('highlight.js');`
        : '') +
      `const { highlightCode } = await import(${JSON.stringify(module)});` +
      `process.stdout.write(highlightCode(${JSON.stringify(MIXED)}, ${JSON.stringify(lang)}));`;
    return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  };

  for (const lang of ['html', 'js', 'php', 'http', 'erb', 'shell', 'jsx', 'no-such-language']) {
    it(`${lang}: the same as with every grammar loaded (embedded languages included)`, () => {
      const lazy = highlightIn(lang, false);
      assert.equal(lazy, highlightIn(lang, true));
      if (lang === 'html')
        assert.match(lazy, /<span class="hljs-keyword">const<\/span>/, 'the script is highlighted');
    });
  }
});

const MIXED = `<p>x</p><script>const a = \`<b>\${x}</b>\`;</script><style>a { color: red }</style>
<?php echo "x"; ?> <%= @name %>
GET /x HTTP/1.1
Content-Type: application/json

{"a": 1}
`;

describe('footnotes at scale', () => {
  const notes = (n: number) =>
    `${Array.from({ length: n }, (_, i) => `Sentence ${i + 1}.[^n${i + 1}]`).join('\n\n')}\n\n${Array.from(
      { length: n },
      (_, i) => `[^n${i + 1}]: Note ${i + 1}.`,
    ).join('\n')}\n`;

  it('renders 8,000 footnotes with every reference and note numbered in order', () => {
    const { html } = renderString(notes(8000));
    const refs = [
      ...html.matchAll(
        /<sup class="footnote-ref"><a href="#fn-ch-(\d+)" id="fnref-ch-\1">\[(\d+)\]<\/a><\/sup>/g,
      ),
    ];
    assert.equal(refs.length, 8000);
    assert.ok(refs.every((m, i) => m[1] === String(i + 1) && m[2] === String(i + 1)));
    const items = [
      ...html.matchAll(/<li id="fn-ch-(\d+)" class="footnote-item"><p>Note (\d+)\. <a href="#fnref-ch-\1"/g),
    ];
    assert.equal(items.length, 8000);
    assert.ok(items.every((m, i) => m[1] === String(i + 1) && m[2] === String(i + 1)));
  });

  it('does work linear in the number of footnotes (counted, not timed)', () => {
    // Operations counted: lines tested by block rules and elements copied by Array#concat (the
    // footnote plugin's own tail concatenated the whole stream once per note: quadratic).
    const State = createMarkdown().block.State.prototype as { isEmpty: (line: number) => boolean };
    const isEmpty = State.isEmpty;
    const concat = Array.prototype.concat;
    let work = 0;
    State.isEmpty = function (this: unknown, line: number) {
      work++;
      return isEmpty.call(this, line);
    };
    Array.prototype.concat = function (this: unknown[], ...args: unknown[]) {
      const r = concat.apply(this, args) as unknown[];
      work += r.length;
      return r;
    };
    const count = (n: number) => {
      work = 0;
      renderString(notes(n));
      return work;
    };
    try {
      const small = count(1000);
      const big = count(8000);
      assert.ok(big < small * 12, `1,000 notes: ${small} operations; 8,000: ${big}`);
    } finally {
      State.isEmpty = isEmpty;
      Array.prototype.concat = concat;
    }
  });
});
