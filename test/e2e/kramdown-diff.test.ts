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

const KRAMDOWN = join(ROOT, 'test', 'support', 'kramdown.rb');

/**
 * What we print differently on purpose, removed from one side before words are compared:
 * - callout titles: just-the-docs draws them with CSS `::before`; we write them as text so they
 *   read in every PDF viewer and e-reader (ours only);
 * - `{:toc}`: kramdown fills it in place; the book makes its own chapter contents at compose time
 *   (or none, by the site's choice), so the list is left out on both sides;
 * - math: rendered by KaTeX/MathML on our side (src/markdown/math.ts, checked by its own tests)
 *   and left as `\(…\)` TeX for MathJax by kramdown: formulas are left out on both sides;
 * - footnote back-links (kramdown's `↩`): the book links notes its own way.
 */
const ALLOWED: readonly { side: 'ours' | 'kramdown' | 'both'; why: string; re: RegExp }[] = [
  { side: 'ours', why: 'callout titles as text', re: /<(span|p) class="callout-title">[\s\S]*?<\/\1>/g },
  {
    side: 'kramdown',
    why: '{:toc} filled at compose time',
    re: /<ul id="markdown-toc">[\s\S]*?<\/ul>\n(?=\S|$)/g,
  },
  {
    side: 'ours',
    why: 'math as MathML',
    re: /<math\b[\s\S]*?<\/math>|<span class="katex[\s\S]*?<\/annotation>/g,
  },
  { side: 'kramdown', why: 'math left as TeX', re: /\\\([\s\S]*?\\\)|\\\[[\s\S]*?\\\]|\$\$[\s\S]*?\$\$/g },
  {
    side: 'kramdown',
    why: 'footnote back-links',
    re: /<a href="#fnref[^"]*" class="reversefootnote"[^>]*>[\s\S]*?<\/a>/g,
  },
  { side: 'ours', why: 'footnote back-links', re: /<a [^>]*class="footnote-backref"[^>]*>[\s\S]*?<\/a>/g },
  // Footnote calls are numbered the same; the book writes them `[1]` (markdown-it-footnote).
  {
    side: 'ours',
    why: 'footnote call brackets',
    re: /(?<=<sup class="footnote-ref"><a [^>]*>)\[|\](?=<\/a><\/sup>)/g,
  },
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
  for (const a of ALLOWED) if (a.side === side || a.side === 'both') s = s.replace(a.re, ' ');
  s = s
    .replace(/<!--[\s\S]*?-->/g, ' ')
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
  this.timeout(600_000);
  const available = kramdownAvailable();
  before(function () {
    if (!available) {
      console.warn(
        "      skipped: Ruby's kramdown with kramdown-parser-gfm is missing (setup.sh installs it)",
      );
      this.skip();
    }
  });

  describe('the render fixtures (test/fixtures/render)', () => {
    const dir = join(FIXTURES, 'render');
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.md'))
      .sort();
    const CALLOUTS = calloutsOf({ callouts: { note: { title: 'Note', color: 'blue' } } });
    for (const file of files) {
      it(file, () => {
        const body = readFileSync(join(dir, file), 'utf8');
        const [theirs] = kramdown([body]);
        const mine = ours(createMarkdown({ callouts: CALLOUTS }), page(file, 'title: fixture', body));
        const diff = firstDifference(words(theirs!, 'kramdown'), words(mine, 'ours'));
        assert.equal(diff, '', `test/fixtures/render/${file}: ${diff}`);
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
