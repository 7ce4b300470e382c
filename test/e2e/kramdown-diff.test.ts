/**
 * Differential test against real kramdown (Ruby's kramdown 2 with kramdown-parser-gfm, set up as
 * Jekyll 4.3 sets it up: test/support/kramdown.rb). Our Markdown render fixtures and every page of
 * ../shared/corpus (after Liquid, the same text for both) are rendered by both, and the words a
 * reader sees must be the same, apart from the deliberate book choices in ALLOWED. A difference
 * fails with the file and an excerpt. Skipped, visibly, when Ruby's kramdown is missing (setup.sh
 * installs it, so CI never skips); the corpus cases skip when ../shared/corpus is absent.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSiteConfig } from '../../src/config/site.js';
import { Diagnostics } from '../../src/diagnostics.js';
import { liquidStage } from '../../src/liquid/stage.js';
import { calloutsOf } from '../../src/markdown/callouts.js';
import { createMarkdown, renderChapter } from '../../src/markdown/render.js';
import type { Chapter, Page } from '../../src/model.js';
import { loadPages } from '../../src/source/load.js';
import { CORPUS, corpora, FIXTURES, page, ROOT, skipWithoutCorpus } from '../helpers.js';
import { readCases } from '../support/fixture-cases.js';

const KRAMDOWN = join(ROOT, 'test', 'support', 'kramdown.rb');

/** The callouts the fixtures are rendered with, as a `_config.yml` would declare them. */
const CALLOUTS = calloutsOf({
  callouts: {
    note: { title: 'Note', color: 'blue' },
    warning: { title: 'Warning', color: 'red' },
    plain: {},
  },
});

/**
 * What we print differently on purpose, removed from one side before words are compared (each
 * match is replaced by `to`, a space unless the removed text sits inside a word):
 * - callout titles from `_config.yml`: just-the-docs draws them with CSS `::before`; we write them
 *   as text so they read in every PDF viewer and e-reader (ours only; the first paragraph of a
 *   `-title` callout is the author's own words and is compared);
 * - math: rendered by KaTeX/MathML on our side (src/markdown/math.ts, checked by its own tests)
 *   and left as `\(…\)` TeX for MathJax by kramdown: formulas are left out on both sides, also
 *   TeX KaTeX rejects, which we show as code with a warning where MathJax would show its error,
 *   and `\begin{align}…\end{align}` written without `$$`, which MathJax typesets in the text;
 * - footnote back-links (kramdown's `↩`) and call brackets: the book links and numbers notes
 *   its own way (markdown-it-footnote writes `[1]`);
 * - line numbers of highlighted code (`{% highlight lang linenos %}`): the book numbers each
 *   line in the code itself, Jekyll draws a separate gutter table.
 */
const ALLOWED: readonly { side: 'ours' | 'kramdown' | 'both'; why: string; re: RegExp; to?: string }[] = [
  {
    side: 'ours',
    why: 'callout titles from _config.yml as text',
    re: /(?<!<(?:blockquote|div) class="[^"]*-title[^"]*">\s*)<(span|p) class="callout-title">[\s\S]*?<\/\1>/g,
  },
  {
    side: 'ours',
    why: 'math as MathML',
    re: /<math\b[\s\S]*?<\/math>|<span class="katex[\s\S]*?<\/annotation>/g,
  },
  {
    side: 'ours',
    why: 'TeX KaTeX rejects, shown as code',
    re: /<(code|pre) class="math-error">[\s\S]*?<\/\1>/g,
  },
  { side: 'kramdown', why: 'math left as TeX', re: /\\\([\s\S]*?\\\)|\\\[[\s\S]*?\\\]|\$\$[\s\S]*?\$\$/g },
  {
    side: 'kramdown',
    why: 'AMS environments left for MathJax (typeset by KaTeX on our side)',
    re: /\\begin\{(equation|align|alignat|gather)(\*?)\}[\s\S]*?\\end\{\1\2\}/g,
  },
  {
    side: 'kramdown',
    why: 'footnote back-links',
    re: /<a href="#fnref[^"]*" class="reversefootnote"[^>]*>[\s\S]*?<\/a>/g,
  },
  { side: 'ours', why: 'footnote back-links', re: /<a [^>]*class="footnote-backref"[^>]*>[\s\S]*?<\/a>/g },
  {
    side: 'ours',
    why: 'footnote call brackets',
    re: /(?<=<sup class="footnote-ref"><a [^>]*>)\[|\](?=<\/a><\/sup>)/g,
    to: '',
  },
  { side: 'ours', why: 'code line numbers', re: /<span class="lineno"[^>]*>\d+<\/span>/g, to: '' },
];

/** True when Ruby can load kramdown and its GFM parser. */
function kramdownAvailable(): boolean {
  const r = spawnSync('ruby', ['-e', 'require "kramdown"; require "kramdown-parser-gfm"'], {
    stdio: 'ignore',
  });
  return r.status === 0;
}

/** Renders documents with real kramdown, with a site's `kramdown:` options over Jekyll's defaults. */
function kramdown(documents: readonly string[], options: unknown = {}): string[] {
  const r = spawnSync('ruby', [KRAMDOWN], {
    input: JSON.stringify({ documents, options }),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`kramdown.rb failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

const BLOCK = new Set(
  'p div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 pre blockquote table thead tbody tfoot tr td th br hr section article aside nav figure figcaption details summary input img'.split(
    ' ',
  ),
);
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The words a reader sees, normalised as the oracle does (quotes and dashes are typography). */
export function words(html: string, side: 'ours' | 'kramdown'): string[] {
  let s = html;
  for (const a of ALLOWED) if (a.side === side || a.side === 'both') s = s.replace(a.re, a.to ?? ' ');
  s = s
    // A comment shows nothing, not even a space: `text<!-- x -->.` reads `text.`.
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
    // Block elements separate words; inline ones (a highlighter's spans) do not.
    .replace(/<\/?([A-Za-z][\w-]*)[^>]*>/g, (_, tag: string) => (BLOCK.has(tag.toLowerCase()) ? ' ' : ''))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&(\w+);/g, (m, n: string) => ENTITIES[n] ?? m)
    .replace(/[\u00a0]/g, ' ')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\u2013/g, '-')
    .replace(/\u2014/g, '--')
    .replace(/\u2026/g, '...');
  return s.split(/\s+/).filter(Boolean);
}

/** The first place two word lists differ, with a little context, or '' when they are equal. */
export function firstDifference(a: readonly string[], b: readonly string[]): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i === a.length && i === b.length) return '';
  const from = Math.max(0, i - 8);
  return (
    `after …${a.slice(from, i).join(' ')}\n` +
    `      kramdown:   ${JSON.stringify(a.slice(i, i + 12).join(' '))}\n` +
    `      bookbinder: ${JSON.stringify(b.slice(i, i + 12).join(' '))}`
  );
}

/** Our HTML for a page body, as a chapter whose title no heading repeats (nothing is folded). */
function ours(md: ReturnType<typeof createMarkdown>, p: Page): string {
  const chapter: Chapter = { page: p, title: '\u0000', depth: 0, id: 'ch' };
  return renderChapter(md, chapter, { usedIds: new Set(['ch']), resolveRef: (_k, v) => v }).html;
}

describe('real kramdown and bookbinder show the same words', function () {
  // One Ruby run for the fixtures and one per corpus: well under a minute on a laptop.
  this.timeout(120_000);
  const available = kramdownAvailable();
  before(function () {
    if (!available) {
      // CI runs setup.sh, which installs it: there a missing kramdown is a failure, not a skip.
      if (process.env.CI) throw new Error("CI must have Ruby's kramdown-parser-gfm (run bash setup.sh)");
      console.warn(
        "      skipped: Ruby's kramdown with kramdown-parser-gfm is missing (setup.sh installs it)",
      );
      this.skip();
    }
  });

  describe('the Markdown fixtures (test/fixtures/kramdown, one case per block)', () => {
    const dir = join(FIXTURES, 'kramdown');
    const cases = readdirSync(dir)
      .filter((f) => f.endsWith('.txt'))
      .sort()
      .flatMap((file) => readCases(join(dir, file)).map((c) => ({ file, ...c })));
    const checked = cases.filter((c) => c.notKramdown === undefined);
    // One Ruby process for every case: starting Ruby per case would cost most of the run time.
    let theirs: string[] = [];
    before(() => {
      if (available) theirs = kramdown(checked.map((c) => c.markdown));
    });
    const md = createMarkdown({ callouts: CALLOUTS });
    for (const c of cases) {
      const name = `${c.file}:${c.line}${c.header ? ` ${c.header}` : ''}`;
      if (c.notKramdown !== undefined) {
        it(`${c.file}:${c.line} is bookbinder's own syntax: ${c.notKramdown}`);
        continue;
      }
      const k = checked.indexOf(c);
      it(name, () => {
        const mine = ours(md, page(`${c.file}:${c.line}`, 'title: fixture', c.markdown));
        const diff = firstDifference(words(theirs[k]!, 'kramdown'), words(mine, 'ours'));
        assert.equal(diff, '', `test/fixtures/kramdown/${c.file}:${c.line}: ${diff}`);
      });
    }
  });

  describe('the pages of ../shared/corpus', () => {
    const names = corpora();
    skipWithoutCorpus(names);
    for (const name of names) {
      it(`${name}: every page`, async () => {
        const expected = JSON.parse(readFileSync(join(CORPUS, name, 'EXPECTED.json'), 'utf8')) as {
          site_root: string;
        };
        const root = join(CORPUS, name, expected.site_root);
        const diags = new Diagnostics();
        const site = loadSiteConfig(root, diags);
        const pages = loadPages(root, site, diags);
        const chapters = pages.map((page, i): Chapter => ({
          page,
          title: page.source,
          depth: 0,
          id: `c${i}`,
        }));
        const rendered = await liquidStage(chapters, { pages, site, root }, diags);
        const bodies = rendered.map((c) => c.page.body);
        const theirs = kramdown(bodies, site.data.kramdown ?? {});
        const md = createMarkdown({ callouts: calloutsOf(site.data) });
        const failures: string[] = [];
        for (const [i, c] of rendered.entries()) {
          const diff = firstDifference(words(theirs[i]!, 'kramdown'), words(ours(md, c.page), 'ours'));
          if (diff) failures.push(`${name}/${expected.site_root}/${c.page.source}: ${diff}`);
        }
        assert.deepEqual(
          failures,
          [],
          `${failures.length} of ${rendered.length} pages differ:\n${failures.join('\n')}`,
        );
      });
    }
  });
});
