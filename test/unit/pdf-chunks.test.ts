/** Chunked printing's pure parts: where chunks are cut, links between chunks, their layout. */
import assert from 'node:assert/strict';
import {
  type ChunkInput,
  CROSS_LINK_PREFIX,
  chunkRanges,
  definedIds,
  linkTargets,
  planChunks,
  rewriteCrossLinks,
} from '../../src/output/pdf/chunks.js';
import { layOut, plainGeometry, sameGeometry } from '../../src/output/pdf/render.js';

const book = (n: number, size = 10_000, every = 5): ChunkInput[] =>
  Array.from({ length: n }, (_, i) => ({ id: `chapter-${i}`, depth: i % every === 0 ? 0 : 1, size }));

describe('chunk plan', () => {
  it('a small book is one chunk', () => {
    assert.deepEqual(planChunks(book(20), { target: 400_000, topLevelOnly: false }), [0]);
    assert.deepEqual(planChunks([], { target: 400_000, topLevelOnly: false }), []);
  });

  it('a big book is cut into chunks near the target size, every chapter in exactly one', () => {
    const chapters = book(300, 18_000);
    const starts = planChunks(chapters, { target: 400_000, topLevelOnly: false });
    const ranges = chunkRanges(starts, chapters.length);
    assert.ok(ranges.length >= 6 && ranges.length <= 30, `${ranges.length} chunks`);
    assert.deepEqual(
      ranges.flatMap(([a, b]) => Array.from({ length: b - a }, (_, i) => a + i)),
      chapters.map((_, i) => i),
    );
    for (const [a, b] of ranges)
      assert.ok((b - a) * 18_000 <= 800_000 + 18_000, `chunk ${a}-${b} is not too big`);
  });

  it('two-sided books are cut only before top-level chapters', () => {
    const chapters = book(300, 18_000);
    const starts = planChunks(chapters, { target: 100_000, topLevelOnly: true });
    assert.ok(starts.length > 5);
    for (const s of starts) assert.equal(chapters[s]!.depth, 0, `chunk starts at ${s}`);
  });

  it('editing one chapter moves no boundary far from it (content-defined cuts)', () => {
    const chapters = book(300, 18_000);
    const before = planChunks(chapters, { target: 400_000, topLevelOnly: false });
    const edited = chapters.map((c, i) => (i === 150 ? { ...c, size: c.size + 5_000 } : c));
    const after = planChunks(edited, { target: 400_000, topLevelOnly: false });
    const far = (xs: number[]) => xs.filter((s) => s < 140 || s > 200);
    assert.deepEqual(far(after), far(before));
  });
});

describe('links between chunks', () => {
  const front = '<nav><a href="#ch-2">Two</a><a href="#nowhere">?</a></nav>';
  const one = '<section id="ch-1"><a href="#ch-1">self</a> <a href="#s&amp;t">see</a></section>';
  const two = '<section id="ch-2"><h2 id="s&amp;t">S</h2><a href="#ch-1">back</a></section>';
  const docs = [front, one, two];
  const ids = docs.map(definedIds);

  it('finds the ids each document must give a destination to', () => {
    assert.deepEqual(
      linkTargets(docs, ids).map((s) => [...s].sort()),
      [[], ['ch-1'], ['ch-2', 's&amp;t']],
    );
  });

  it('rewrites only links to another document, unescaping and encoding the id', () => {
    const known = (id: string) => ids.some((s) => s.has(id));
    const out = rewriteCrossLinks(one, ids[1]!, known);
    assert.match(out, /href="#ch-1">self/);
    assert.ok(out.includes(`href="${CROSS_LINK_PREFIX}s%26t">see`), out);
    assert.match(rewriteCrossLinks(front, ids[0]!, known), /href="#nowhere"/);
  });
});

describe('laying printed chunks end to end', () => {
  // Two parts (depth 0) of two chapters each; chunk 1 holds part A, chunk 2 holds part B.
  const chapters = [
    { id: 'a', depth: 0 },
    { id: 'a1', depth: 1 },
    { id: 'b', depth: 0 },
    { id: 'b1', depth: 1 },
  ];
  const printed = (pages: number, starts: [string, number][]) => ({ pages, starts: new Map(starts) });

  it('one-sided: chunks follow each other, no blank pages', () => {
    const l = layOut(
      [
        [0, 2],
        [2, 4],
      ],
      [
        printed(3, [
          ['a', 1],
          ['a1', 2],
        ]),
        printed(2, [
          ['b', 1],
          ['b1', 2],
        ]),
      ],
      chapters,
      false,
    );
    assert.deepEqual(
      [...l.bodyStart],
      [
        ['a', 1],
        ['a1', 2],
        ['b', 4],
        ['b1', 5],
      ],
    );
    assert.deepEqual([...l.blankBefore], []);
    assert.deepEqual(l.chunkStart, [1, 4]);
  });

  it('parts open on the right: a blank page before a chunk that would start on the left', () => {
    const l = layOut(
      [
        [0, 2],
        [2, 4],
      ],
      [
        printed(3, [
          ['a', 1],
          ['a1', 2],
        ]),
        printed(2, [
          ['b', 1],
          ['b1', 2],
        ]),
      ],
      chapters,
      true,
    );
    // Part A takes pages 1-3, so part B would start on page 4 (left): a blank page goes first.
    assert.deepEqual(
      [...l.bodyStart],
      [
        ['a', 1],
        ['a1', 2],
        ['b', 5],
        ['b1', 6],
      ],
    );
    assert.deepEqual(l.chunkBlank, [false, true]);
    assert.deepEqual([...l.blankBefore], [2]);
    assert.deepEqual(
      l.inner.map((s) => [...s]),
      [[], []],
    );
  });

  it('parts open on the right: inside a chunk, the chunk is printed again with a blank page', () => {
    const l = layOut(
      [[0, 4]],
      [
        printed(5, [
          ['a', 1],
          ['a1', 2],
          ['b', 4],
          ['b1', 5],
        ]),
      ],
      chapters,
      true,
    );
    assert.deepEqual(
      [...l.bodyStart],
      [
        ['a', 1],
        ['a1', 2],
        ['b', 5],
        ['b1', 6],
      ],
    );
    assert.deepEqual(
      l.inner.map((s) => [...s]),
      [[2]],
    );
  });

  it('a chunk printed with blank pages inside has, without them, the geometry of its plain printing', () => {
    const ids = ['x', 'a', 'a1', 'b', 'b1'];
    // Chapters 1-4 (a, a1, b, b1); printed with a blank page before b: b and b1 one page later.
    const withBlank = printed(6, [
      ['a', 1],
      ['a1', 2],
      ['b', 5],
      ['b1', 6],
      ['section-in-b', 5],
    ]);
    const plain = plainGeometry(withBlank, { verso: true, blanks: new Set([3]) }, [1, 5], ids);
    assert.deepEqual(plain.pages, 5);
    assert.deepEqual(
      [...plain.starts],
      [
        ['a', 1],
        ['a1', 2],
        ['b', 4],
        ['b1', 5],
      ],
      'chapters only, moved back by the blank page before them',
    );
    const first = printed(5, [
      ['a', 1],
      ['a1', 2],
      ['b', 4],
      ['b1', 5],
    ]);
    assert.ok(sameGeometry(plain, first));
    assert.ok(
      !sameGeometry(
        plain,
        printed(
          5,
          [...first.starts].map(([id, p]): [string, number] => [id, id === 'b1' ? 4 : p]),
        ),
      ),
      'a chapter starting elsewhere is a change',
    );
    assert.ok(!sameGeometry(plain, printed(6, [...first.starts])), 'so is a page more');
  });
});
