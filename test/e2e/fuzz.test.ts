/**
 * Fuzz: 1,000 generated pages (front matter, broken YAML, Liquid with broken tags, SVG, raw
 * HTML, kramdown syntax), batched into a few sites built by the real CLI as HTML and EPUB. Each
 * build exits 0 or 1, prints no stack trace, ends within a time bound (a hang is a failure, not
 * a speed measure) and within a heap bound, and every EPUB made passes epubcheck. A fixed seed
 * keeps CI deterministic; BB_FUZZ_SEED=random explores, BB_FUZZ_PAGES sets the number of pages.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { BIN, requireTools } from '../helpers.js';
import { EPUBCHECK_JAR, epubcheck } from '../support/epubcheck.js';

const PAGES = Number(process.env.BB_FUZZ_PAGES ?? 1000);
const SITES = 4;
const SEED = process.env.BB_FUZZ_SEED === 'random' ? Date.now() : Number(process.env.BB_FUZZ_SEED ?? 18);
/** A build of this many pages ends well within it; past it, it hangs. */
const TIME_BOUND_MS = 240_000;
/** The heap one build may use (Node aborts past it, which fails the exit-code check). */
const HEAP_MB = 2048;

const word = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    'alpha',
    'Ünïcode',
    '❤️',
    'ไทย',
    'हिन्दी',
    '&amp;',
    '<',
    '>',
    '"',
    "'",
    '\\',
    '|',
    '*',
    '_',
    '`',
  ),
);
const text = fc.array(word, { maxLength: 8 }).map((w) => w.join(' '));

const yamlFront = fc
  .record(
    {
      title: fc.oneof(text, fc.integer(), fc.constant('')),
      parent: fc.constantFrom('Home', 'P1', 'Nobody'),
      nav_order: fc.oneof(fc.integer({ min: -3, max: 50 }), text, fc.constant(null)),
      nav_exclude: fc.boolean(),
      has_children: fc.boolean(),
      render_with_liquid: fc.boolean(),
      permalink: fc.constantFrom('/x/', '/docs/:title/', 'none', '/p/'),
    },
    { requiredKeys: [] },
  )
  .map((o) => stringify(o));
const brokenFront = fc.constantFrom(
  'title: [unclosed',
  'title: "a\n  b: c',
  'a: &x [*x, *x]\nb: *y',
  '- just\n- a list',
  'title: {{ liquid }}',
  '\t: tab',
  'nav_order: 1\nnav_order: 2',
  '!!binary "???"',
);

const liquid = fc.oneof(
  fc.constantFrom(
    '{{ page.title }}',
    '{{ site.title | upcase }}',
    '{% if page.title %}yes{% else %}no{% endif %}',
    '{% for p in site.pages limit: 3 %}{{ p.title }}, {% endfor %}',
    '{% for i in (1..5) %}{{ i }}{% endfor %}',
    '{% assign x = "a,b" | split: "," %}{{ x | join: "-" }}',
    '{% capture c %}captured{% endcapture %}{{ c }}',
    '{% raw %}{{ kept }}{% endraw %}',
    '{% highlight ruby %}\nputs 1\n{% endhighlight %}',
    '{% include missing.html %}',
    '{% include_relative ../../../etc/passwd %}',
    '{% link docs/p1.md %}',
    '{% if %}',
    '{% for %}',
    '{% endfor %}',
    '{{ x | nosuchfilter }}',
    '{% nosuchtag %}',
    '{{ unclosed',
    '{% unclosed',
    '{% comment %}never closed',
    '{% for i in (1..100000000) %}{{ i }}{% endfor %}',
  ),
  text.map((t) => `{{ "${t.replace(/["\\]/g, '')}" | append: page.title }}`),
);

const svg = fc.constantFrom(
  '<svg width="10" height="10"><circle r="4" fill="red"/></svg>',
  '<svg><script>alert(1)</script><rect fill="url(http://127.0.0.1:9/x)"/></svg>',
  '<svg><foreignObject><iframe src="http://127.0.0.1:9/"></iframe></foreignObject></svg>',
  '<svg><image href="http://127.0.0.1:9/x.png"/><use href="#a"/></svg>',
  '<svg viewBox="0 0 1 1"><style>@import url(http://127.0.0.1:9/x.css);</style></svg>',
  '<svg><g><g><text>nested</text></g></svg>',
  '<svg><defs><marker id="m"/></defs><path marker-end="url(#m)" d="M0 0L1 1"/></svg>',
);

const html = fc.oneof(
  fc.constantFrom(
    '<div markdown="1">\n*md inside*\n</div>',
    '<details><summary>S</summary>\nhidden\n</details>',
    '<table><tr><td>cell',
    '</div></section></p>',
    '<img src="img.png" alt="x">',
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">js</a>',
    '<iframe src="http://127.0.0.1:9/"></iframe>',
    '<style>body { background: url(http://127.0.0.1:9/x) }</style>',
    '<!-- unclosed comment',
    '<math><mfrac><mi>a</mi><mi>b</mi></mfrac></math>',
    '<p id="dup">a</p><p id="dup">b</p>',
    '<object data="x.swf"></object>',
    '<br/><hr><wbr>',
  ),
  text.map((t) => `<span title="${t.replace(/"/g, '')}">${t}</span>`),
);

const kramdown = fc.oneof(
  fc.constantFrom(
    '* TOC\n{:toc}',
    '## Heading {#custom-id}',
    '## No toc\n{: .no_toc}',
    '{: .note}\nA note.',
    'Para\n{: .warning #w data-x="1"}',
    '{::comment}\nhidden\n{:/comment}',
    '{::comment}\nnever closed',
    '{::nomarkdown}\n<b>raw</b>\n{:/nomarkdown}',
    '{::nomarkdown}\nnever closed',
    'Term\n: Definition',
    'Term one\nTerm two\n: Shared definition',
    '*[HTML]: Hyper Text',
    'text[^1]\n\n[^1]: note',
    'text[^missing]',
    '$$\\frac{a}{b}$$',
    '$$\\frac{$$',
    '| a | b |\n|---|---|\n| 1 | 2 |',
    '```js\nconst x = 1;\n```',
    '```nosuchlang\ncode\n```',
    '~~~\nunclosed fence',
    '> quote\n> > nested',
    '[link](/docs/p1/) [bad](/nowhere/) [x](#nope)',
    '![img](img.png) ![missing](nope.png) ![remote](http://127.0.0.1:9/x.png)',
    '---',
    '{:toc}',
    '{: #}',
  ),
  fc.tuple(fc.integer({ min: 1, max: 6 }), text).map(([n, t]) => `${'#'.repeat(n)} ${t}`),
);

const block = fc.oneof(text, liquid, svg, html, kramdown);

/** Pages; with `broken`, some front matter is broken YAML (an error: that build exits 1). */
const pageText = (broken: boolean) =>
  fc
    .tuple(
      broken
        ? fc.oneof({ weight: 5, arbitrary: yamlFront }, { weight: 1, arbitrary: brokenFront })
        : yamlFront,
      fc.array(block, { maxLength: 10 }),
    )
    .map(([front, body]) => `---\n${front.endsWith('\n') ? front : `${front}\n`}---\n${body.join('\n\n')}\n`);

/** Writes one site of generated pages; the first is the home page. */
function writeSite(dir: string, pages: readonly string[]): void {
  mkdirSync(join(dir, 'docs'), { recursive: true });
  mkdirSync(join(dir, '_includes'), { recursive: true });
  writeFileSync(join(dir, '_includes', 'note.html'), '<aside>{{ include.text }}</aside>\n');
  writeFileSync(
    join(dir, 'img.png'),
    Buffer.from(
      '89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082',
      'hex',
    ),
  );
  writeFileSync(join(dir, 'index.md'), `---\ntitle: Home\nnav_order: 0\n---\n# Home\n`);
  pages.forEach((p, i) => writeFileSync(join(dir, 'docs', `p${i + 1}.md`), p));
}

describe(`fuzz: ${PAGES} generated pages in ${SITES} builds (seed ${SEED})`, function () {
  this.timeout(SITES * (TIME_BOUND_MS + 120_000));
  const work = mkdtempSync(join(tmpdir(), 'bb-fuzz-'));
  // The last site has broken front matter too (its build fails); the others may succeed, so
  // that their EPUBs are checked.
  const per = Math.ceil(PAGES / SITES);
  const pages = [
    ...fc.sample(pageText(false), { numRuns: per * (SITES - 1), seed: SEED }),
    ...fc.sample(pageText(true), { numRuns: per, seed: SEED + 1 }),
  ];
  const epubs: string[] = [];

  for (let s = 0; s < SITES; s++) {
    it(`build ${s + 1}: exits 0 or 1, no stack trace, within the time and heap bounds`, () => {
      const site = join(work, `site-${s}`);
      writeSite(site, pages.slice(s * per, (s + 1) * per));
      const out = join(work, `out-${s}`);
      const r = spawnSync(
        process.execPath,
        [`--max-old-space-size=${HEAP_MB}`, BIN, 'build', site, '-o', out, '-f', 'html,epub', '--json'],
        { encoding: 'utf8', timeout: TIME_BOUND_MS, maxBuffer: 256 * 1024 * 1024 },
      );
      assert.equal(r.error, undefined, `${r.error?.message} (over ${TIME_BOUND_MS / 1000} s: a hang)`);
      assert.ok(r.status === 0 || r.status === 1, `exit ${r.status} ${r.signal}: ${r.stderr.slice(-2000)}`);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at .*:\d+:\d+\)?\n/, r.stderr.slice(-2000));
      const report = JSON.parse(r.stdout) as {
        errors: { code: string; line: number }[];
        warnings: { code: string }[];
      };
      for (const d of [...report.errors, ...report.warnings]) assert.match(d.code, /^[a-z-]+\/[a-z0-9-]+$/);
      if (r.status === 0) {
        assert.ok(existsSync(join(out, 'book.epub')) && existsSync(join(out, 'book.html')));
        epubs.push(join(out, 'book.epub'));
      }
    });
  }

  it('every EPUB made passes epubcheck with no error and no warning', async function () {
    requireTools(this, 'java', EPUBCHECK_JAR);
    assert.ok(epubs.length > 0, 'some build succeeded');
    for (const file of epubs) {
      const r = await epubcheck(file);
      const all = `${r.stdout}\n${r.stderr}`;
      assert.match(
        all,
        /0 fatals \/ 0 errors \/ 0 warnings|No errors or warnings detected/,
        `${file}\n${all.slice(0, 3000)}`,
      );
    }
  });
});
