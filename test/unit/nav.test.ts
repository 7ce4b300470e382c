import assert from 'node:assert/strict';
import { Diagnostics } from '../../src/diagnostics.js';
import { buildNavTree, flattenTree, selectRoot } from '../../src/structure/nav.js';
import { page } from '../helpers.js';

const SITE = { navSort: 'case_sensitive', jekyllVersion: 4 } as const;

function order(pages: ReturnType<typeof page>[]) {
  const diags = new Diagnostics();
  const chapters = flattenTree(buildNavTree(pages, SITE, diags));
  return {
    list: chapters.map((c) => `${'  '.repeat(c.depth)}${c.title} (${c.page.source})`),
    diags: diags.list(),
  };
}

describe('navigation tree', () => {
  it('nests children under their parent by title, depth first', () => {
    const { list } = order([
      page('b.md', 'title: B\nnav_order: 2'),
      page('a.md', 'title: A\nnav_order: 1'),
      page('a1.md', 'title: A1\nparent: A'),
      page('a1x.md', 'title: A1x\nparent: A1\ngrand_parent: A'),
    ]);
    assert.deepEqual(list, ['A (a.md)', '  A1 (a1.md)', '    A1x (a1x.md)', 'B (b.md)']);
  });

  it('uses grand_parent to choose among parents that share a title', () => {
    const { list } = order([
      page('x.md', 'title: X\nnav_order: 1'),
      page('y.md', 'title: Y\nnav_order: 2'),
      page('xs.md', 'title: S\nparent: X'),
      page('ys.md', 'title: S\nparent: Y'),
      page('xt.md', 'title: T\nparent: S\ngrand_parent: X'),
      page('yt.md', 'title: T\nparent: S\ngrand_parent: Y'),
    ]);
    assert.deepEqual(list, [
      'X (x.md)',
      '  S (xs.md)',
      '    T (xt.md)',
      'Y (y.md)',
      '  S (ys.md)',
      '    T (yt.md)',
    ]);
  });

  it('uses ancestor to match any page above on the path', () => {
    const { list } = order([
      page('x.md', 'title: X\nnav_order: 1'),
      page('y.md', 'title: Y\nnav_order: 2'),
      page('xs.md', 'title: S\nparent: X'),
      page('ys.md', 'title: S\nparent: Y'),
      page('yu.md', 'title: U\nparent: S\nancestor: Y'),
    ]);
    assert.deepEqual(list, ['X (x.md)', '  S (xs.md)', 'Y (y.md)', '  S (ys.md)', '    U (yu.md)']);
  });

  it('puts a child whose parent is a top-level title only under that top-level page', () => {
    const { list } = order([
      page('layout.md', 'title: Layout\nnav_order: 1'),
      page('util.md', 'title: Utilities\nnav_order: 2'),
      page('ulayout.md', 'title: Layout\nparent: Utilities'),
      page('child.md', 'title: Child\nparent: Layout'),
    ]);
    assert.deepEqual(list, [
      'Layout (layout.md)',
      '  Child (child.md)',
      'Utilities (util.md)',
      '  Layout (ulayout.md)',
    ]);
  });

  it('leaves out nav_exclude pages with their subtree, and pages without a title', () => {
    const { list, diags } = order([
      page('a.md', 'title: A'),
      page('h.md', 'title: H\nnav_exclude: true'),
      page('h1.md', 'title: H1\nparent: H'),
      page('u.md', 'nav_order: 1'),
    ]);
    assert.deepEqual(list, ['A (a.md)']);
    const codes = diags.map((d) => d.code).sort();
    assert.deepEqual(codes, ['nav/excluded', 'nav/not-shown', 'nav/untitled']);
  });

  it('hides children with has_children: false and reverses with child_nav_order: desc', () => {
    const { list } = order([
      page('a.md', 'title: A\nnav_order: 1\nhas_children: false'),
      page('a1.md', 'title: A1\nparent: A'),
      page('b.md', 'title: B\nnav_order: 2\nchild_nav_order: desc'),
      page('b1.md', 'title: B1\nparent: B\nnav_order: 1'),
      page('b2.md', 'title: B2\nparent: B\nnav_order: 2'),
    ]);
    assert.deepEqual(list, ['A (a.md)', 'B (b.md)', '  B2 (b2.md)', '  B1 (b1.md)']);
  });

  it('places a page whose parent matches no title at the top level, with a warning at its line', () => {
    const { list, diags } = order([
      page('a.md', 'title: A\nnav_order: 1'),
      page('o.md', 'title: Orphan\nparent: Nobody'),
    ]);
    assert.deepEqual(list, ['A (a.md)', 'Orphan (o.md)']);
    const warning = diags.find((d) => d.code === 'nav/missing-parent');
    assert.equal(warning?.severity, 'warning');
    assert.equal(warning?.line, 3);
  });

  it('reports a title cycle as an error naming the pages', () => {
    const { diags } = order([
      page('a.md', 'title: A'),
      page('b.md', 'title: B\nparent: A'),
      page('a2.md', 'title: A\nparent: B'),
    ]);
    const error = diags.find((d) => d.code === 'nav/cycle');
    assert.equal(error?.severity, 'error');
    assert.match(error?.message ?? '', /a\.md.*b\.md.*a2\.md/);
  });

  it('selects a subtree by title or source path for --root', () => {
    const diags = new Diagnostics();
    const tree = buildNavTree(
      [page('a.md', 'title: A'), page('a1.md', 'title: A1\nparent: A'), page('b.md', 'title: B')],
      SITE,
      diags,
    );
    const byTitle = selectRoot(tree, 'A');
    assert.equal(byTitle.node?.page.source, 'a.md');
    assert.deepEqual(
      flattenTree([byTitle.node]).map((c) => [c.title, c.depth]),
      [
        ['A', 0],
        ['A1', 1],
      ],
    );
    assert.equal(selectRoot(tree, 'a1.md').node?.page.source, 'a1.md');
    assert.equal(selectRoot(tree, 'Nope').matches, 0);
  });
});
