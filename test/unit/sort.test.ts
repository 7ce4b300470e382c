import assert from 'node:assert/strict';
import { compareStrings, sortSiblings } from '../../src/structure/sort.js';
import { page } from '../helpers.js';

const J4 = { navSort: 'case_sensitive', jekyllVersion: 4 } as const;
const J3 = { navSort: 'case_sensitive', jekyllVersion: 3 } as const;
const CI = { navSort: 'case_insensitive', jekyllVersion: 4 } as const;

const titles = (pages: ReturnType<typeof page>[]) => pages.map((p) => p.front.title);

describe('sibling order', () => {
  it('sorts in four runs: numeric nav_order, string nav_order, number titles, the rest', () => {
    const pages = [
      page('e.md', 'title: Zed'),
      page('d.md', 'title: 7'),
      page('c.md', 'title: S\nnav_order: "b"'),
      page('b.md', 'title: N2\nnav_order: 2'),
      page('a.md', 'title: N1\nnav_order: -1.5'),
      page('f.md', 'title: Alpha'),
    ];
    assert.deepEqual(titles(sortSiblings(pages, J4).sorted), ['N1', 'N2', 'S', '7', 'Alpha', 'Zed']);
  });

  it('compares numbers by value (integers, floats and negatives)', () => {
    const pages = ['10', '2.5', '-1', '0'].map((n, i) => page(`${i}.md`, `title: T${n}\nnav_order: ${n}`));
    assert.deepEqual(titles(sortSiblings(pages, J4).sorted), ['T-1', 'T0', 'T2.5', 'T10']);
  });

  it('is case-sensitive by bytes by default, case-insensitive on request', () => {
    assert.ok(compareStrings('Zeta', 'alpha', J4) < 0);
    assert.ok(compareStrings('Zeta', 'alpha', CI) > 0);
  });

  it('compares number-like strings as numbers in Jekyll 4 and as text in Jekyll 3', () => {
    assert.ok(compareStrings('2', '10', J4) < 0);
    assert.ok(compareStrings('2', '10', J3) > 0);
    assert.ok(compareStrings('2', '10', CI) > 0);
  });

  it('keeps equal keys in source-path order and reports the tie', () => {
    const pages = [page('b.md', 'title: B\nnav_order: 1'), page('a.md', 'title: A\nnav_order: 1.0')];
    const { sorted, ties } = sortSiblings(pages, J4);
    assert.deepEqual(titles(sorted), ['A', 'B']);
    assert.equal(ties.length, 1);
  });
});
