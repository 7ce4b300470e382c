/**
 * Every just-the-docs navigation rule bookbinder follows, one case each, on pages written here
 * (the cases of the theme's own regression pages, restated: exclusion chains, disambiguation,
 * the four sort runs under Jekyll 3 and 4 and `nav_sort`, floats and negatives, ties).
 */
import assert from 'node:assert/strict';
import { type Diagnostic, Diagnostics } from '../../src/diagnostics.js';
import type { Page, SiteConfig } from '../../src/model.js';
import { buildNavTree, flattenTree, selectRoot } from '../../src/structure/nav.js';
import { page } from '../helpers.js';

type SortSite = Pick<SiteConfig, 'navSort' | 'jekyllVersion'>;
const J4: SortSite = { navSort: 'case_sensitive', jekyllVersion: 4 };
const J3: SortSite = { navSort: 'case_sensitive', jekyllVersion: 3 };
const CI: SortSite = { navSort: 'case_insensitive', jekyllVersion: 4 };

function nav(pages: Page[], site: SortSite = J4): { list: string[]; diags: Diagnostic[] } {
  const diags = new Diagnostics();
  const chapters = flattenTree(buildNavTree(pages, site, diags));
  return { list: chapters.map((c) => `${'  '.repeat(c.depth)}${c.title}`), diags: diags.list() };
}

const codes = (diags: Diagnostic[]) => diags.map((d) => `${d.severity} ${d.code} ${d.file}:${d.line}`);

/** A parent titled `Run` at the top level and children with the given front matter lines. */
function siblings(...fronts: string[]): Page[] {
  return [
    page('run.md', 'title: Run'),
    ...fronts.map((f, i) => page(`run/${String(i).padStart(2, '0')}.md`, `${f}\nparent: Run`)),
  ];
}

describe('navigation rules: sorting siblings', () => {
  it('integers by value, negatives first; floats by value; 1 and 1.0 tie', () => {
    const { list } = nav(
      siblings(
        'title: ten\nnav_order: 10',
        'title: two\nnav_order: 2',
        'title: minus one\nnav_order: -1',
        'title: zero\nnav_order: 0',
        'title: two and a bit\nnav_order: 2.2222',
        'title: minus a bit\nnav_order: -1.1',
      ),
    );
    assert.deepEqual(list.slice(1), [
      '  minus a bit',
      '  minus one',
      '  zero',
      '  two',
      '  two and a bit',
      '  ten',
    ]);
  });

  it('puts the four runs in order: number nav_order, string nav_order, number title, text title', () => {
    const pages = siblings(
      'title: apple',
      'title: 10',
      'title: B string\nnav_order: B',
      'title: Zed',
      'title: 2',
      'title: quoted two\nnav_order: "2"',
      'title: numeric\nnav_order: 99',
    );
    assert.deepEqual(nav(pages, J4).list.slice(1), [
      '  numeric',
      '  quoted two',
      '  B string',
      '  2',
      '  10',
      '  Zed',
      '  apple',
    ]);
  });

  it('Jekyll 4 compares number-like strings as numbers, Jekyll 3 and case_insensitive as text', () => {
    const pages = siblings(
      'title: s10\nnav_order: "10"',
      'title: s2\nnav_order: "2"',
      'title: sA\nnav_order: A',
      'title: "10"',
      'title: "2"',
    );
    assert.deepEqual(nav(pages, J4).list.slice(1), ['  s2', '  s10', '  sA', '  2', '  10']);
    assert.deepEqual(nav(pages, J3).list.slice(1), ['  s10', '  s2', '  sA', '  10', '  2']);
    assert.deepEqual(nav(pages, CI).list.slice(1), ['  s10', '  s2', '  sA', '  10', '  2']);
  });

  it('title strings: bytes, capitals first; nav_sort: case_insensitive folds ASCII case only', () => {
    const pages = siblings('title: aa', 'title: Ab', 'title: AA', 'title: Éclair', 'title: b');
    assert.deepEqual(nav(pages, J4).list.slice(1), ['  AA', '  Ab', '  aa', '  b', '  Éclair']);
    const insensitive = nav(pages, CI).list.slice(1);
    assert.deepEqual(insensitive.slice(2), ['  Ab', '  b', '  Éclair']);
    assert.deepEqual(new Set(insensitive.slice(0, 2)), new Set(['  AA', '  aa']));
  });

  it('YAML number titles sort as numbers in their own run, and keep their written form', () => {
    const pages = siblings('title: 10.0', 'title: 2.50', 'title: -3', 'title: Text');
    assert.deepEqual(nav(pages).list.slice(1), ['  -3', '  2.50', '  10.0', '  Text']);
  });

  it('equal keys keep source-path order and warn once at the nav_order line', () => {
    const { list, diags } = nav([
      page('top.md', 'title: Top'),
      page('b.md', 'title: Second by path\nparent: Top\nnav_order: 1'),
      page('a.md', 'title: First by path\nparent: Top\nnav_order: 1.0'),
      page('c.md', 'title: Same\nparent: Top'),
      page('d.md', 'title: Same\nparent: Top'),
    ]);
    assert.deepEqual(list, ['Top', '  First by path', '  Second by path', '  Same', '  Same']);
    assert.deepEqual(codes(diags), ['warning nav/order-tie a.md:4', 'warning nav/order-tie c.md:2']);
    assert.match(diags[0]!.message, /a\.md, b\.md/);
  });

  it('reverses a parent’s children with child_nav_order: desc or reversed, one level only', () => {
    const pages = [
      page('p.md', 'title: P\nchild_nav_order: reversed'),
      page('p1.md', 'title: P1\nparent: P\nnav_order: 1'),
      page('p2.md', 'title: P2\nparent: P\nnav_order: 2'),
      page('p2a.md', 'title: P2a\nparent: P2\nnav_order: 1'),
      page('p2b.md', 'title: P2b\nparent: P2\nnav_order: 2'),
    ];
    assert.deepEqual(nav(pages).list, ['P', '  P2', '    P2a', '    P2b', '  P1']);
  });
});

describe('navigation rules: parents and disambiguation', () => {
  it('depth is unlimited', () => {
    const pages = [page('l0.md', 'title: L0')];
    for (let i = 1; i <= 8; i++) pages.push(page(`l${i}.md`, `title: L${i}\nparent: L${i - 1}`));
    const { list } = nav(pages);
    assert.equal(list.length, 9);
    assert.equal(list[8], `${'  '.repeat(8)}L8`);
  });

  it('grand_parent picks between two parents of the same title (disambiguation A/B → C → D)', () => {
    const { list, diags } = nav([
      page('a.md', 'title: Alpha\nnav_order: 1'),
      page('b.md', 'title: Beta\nnav_order: 2'),
      page('ca.md', 'title: Common\nparent: Alpha'),
      page('cb.md', 'title: Common\nparent: Beta'),
      page('dca.md', 'title: Deep\nparent: Common\ngrand_parent: Alpha'),
      page('dcb.md', 'title: Deep\nparent: Common\ngrand_parent: Beta'),
    ]);
    assert.deepEqual(list, ['Alpha', '  Common', '    Deep', 'Beta', '  Common', '    Deep']);
    assert.deepEqual(diags, []);
  });

  it('a child without grand_parent appears under every parent of that title (first place kept)', () => {
    const { list, diags } = nav([
      page('a.md', 'title: Alpha\nnav_order: 1'),
      page('b.md', 'title: Beta\nnav_order: 2'),
      page('ca.md', 'title: Common\nparent: Alpha'),
      page('cb.md', 'title: Common\nparent: Beta'),
      page('d.md', 'title: Anywhere\nparent: Common'),
    ]);
    assert.deepEqual(list, ['Alpha', '  Common', '    Anywhere', 'Beta', '  Common']);
    assert.deepEqual(codes(diags), ['warning nav/repeated d.md:1']);
  });

  it('ancestor accepts any page above on the path, at any depth (X/Y → S → T → U)', () => {
    const { list } = nav([
      page('x.md', 'title: X\nnav_order: 1'),
      page('y.md', 'title: Y\nnav_order: 2'),
      page('xs.md', 'title: S\nparent: X'),
      page('ys.md', 'title: S\nparent: Y'),
      page('xt.md', 'title: T\nparent: S\ngrand_parent: X'),
      page('yt.md', 'title: T\nparent: S\nancestor: Y'),
      page('xu.md', 'title: U\nparent: T\nancestor: X'),
      page('yu.md', 'title: U\nparent: T\nancestor: Y'),
    ]);
    assert.deepEqual(list, ['X', '  S', '    T', '      U', 'Y', '  S', '    T', '      U']);
  });

  it('a parent named like a top-level page means that page, not a deeper namesake', () => {
    const { list } = nav([
      page('layout.md', 'title: Layout\nnav_order: 1'),
      page('utilities.md', 'title: Utilities\nnav_order: 2'),
      page('u-layout.md', 'title: Layout\nparent: Utilities'),
      page('minimal.md', 'title: Minimal\nparent: Layout'),
      page('deep.md', 'title: Deep\nparent: Layout\ngrand_parent: Utilities'),
    ]);
    assert.deepEqual(list, ['Layout', '  Minimal', 'Utilities', '  Layout', '    Deep']);
  });

  it('a nested namesake of a top-level page gets only the children whose grand_parent names it', () => {
    const { list } = nav([
      page('n1.md', 'title: Navigation\nnav_order: 1'),
      page('tests.md', 'title: Tests\nnav_order: 2'),
      page('n2.md', 'title: Navigation\nparent: Tests'),
      page('main.md', 'title: Main\nparent: Navigation'),
      page('order.md', 'title: Order\nparent: Navigation\ngrand_parent: Tests'),
    ]);
    assert.deepEqual(list, ['Navigation', '  Main', 'Tests', '  Navigation', '    Order']);
  });
});

describe('navigation rules: exclusion and missing parents', () => {
  /** The theme's exclusion regression pages: 0/1 at the top, two more levels, various flags. */
  const exclusion = () => [
    page('x/0.md', 'title: E0\nnav_exclude: true'),
    page('x/00.md', 'title: E00\nparent: E0\nnav_exclude: true'),
    page('x/01.md', 'title: E01\nparent: E0\nnav_exclude: false'),
    page('x/010.md', 'title: E010\nparent: E01\ngrand_parent: E0\nnav_exclude: true'),
    page('x/011.md', 'title: E011\nparent: E01\ngrand_parent: E0\nnav_exclude: false'),
    page('x/1.md', 'title: E1\nnav_exclude: no'),
    page('x/10.md', 'title: E10\nparent: E1\nnav_exclude: yes'),
    page('x/101.md', 'title: E101\nparent: E10\ngrand_parent: E1\nnav_exclude: off'),
    page('x/11.md', 'title: E11\nparent: E1\nnav_exclude: false'),
    page('x/110.md', 'title: E110\nparent: E11\ngrand_parent: E1\nnav_exclude: on'),
    page('x/111.md', 'title: E111\nparent: E11\ngrand_parent: E1'),
  ];

  it('nav_exclude removes a page and its whole subtree, whatever the children say', () => {
    const { list } = nav(exclusion());
    assert.deepEqual(list, ['E1', '  E11', '    E111']);
  });

  it('says why each left-out page is left out, as info, at the key’s line', () => {
    const { diags } = nav(exclusion());
    assert.deepEqual(codes(diags), [
      'info nav/excluded x/0.md:3',
      'info nav/excluded x/00.md:4',
      'info nav/not-shown x/01.md:3',
      'info nav/excluded x/010.md:5',
      'info nav/not-shown x/011.md:3',
      'info nav/excluded x/10.md:4',
      'info nav/not-shown x/101.md:3',
      'info nav/excluded x/110.md:5',
    ]);
  });

  it('has_children: false hides the children (info), the page itself stays', () => {
    const { list, diags } = nav([
      page('a.md', 'title: A\nhas_children: false'),
      page('a1.md', 'title: A1\nparent: A'),
      page('a11.md', 'title: A11\nparent: A1'),
    ]);
    assert.deepEqual(list, ['A']);
    assert.deepEqual(codes(diags), ['info nav/not-shown a1.md:3', 'info nav/not-shown a11.md:3']);
  });

  it('a page without a title is never shown and cannot be a parent', () => {
    const { list, diags } = nav([
      page('a.md', 'nav_order: 1'),
      page('b.md', 'title: B\nparent: ""'),
      page('c.md', 'title: C\nparent: a'),
    ]);
    assert.deepEqual(list, ['B', 'C']);
    assert.deepEqual(codes(diags), ['warning nav/untitled a.md:1', 'warning nav/missing-parent c.md:3']);
  });

  it('an orphan goes to the top level with a warning, its subtree with it', () => {
    const { list, diags } = nav([
      page('a.md', 'title: A\nnav_order: 1'),
      page('o.md', 'title: Orphan\nparent: Nobody'),
      page('o1.md', 'title: Orphan child\nparent: Orphan'),
    ]);
    assert.deepEqual(list, ['A', 'Orphan', '  Orphan child']);
    assert.deepEqual(codes(diags), ['warning nav/missing-parent o.md:3']);
  });

  it('a child no parent accepts (wrong grand_parent or ancestor) is placed at the top level', () => {
    const { list, diags } = nav([
      page('a.md', 'title: A\nnav_order: 1'),
      page('s.md', 'title: S\nparent: A'),
      page('t.md', 'title: T\nparent: S\ngrand_parent: Typo'),
      page('u.md', 'title: U\nparent: S\nancestor: Nope'),
    ]);
    assert.deepEqual(list, ['A', '  S', 'T', 'U']);
    assert.deepEqual(codes(diags), [
      'warning nav/unmatched-parent t.md:3',
      'warning nav/unmatched-parent u.md:3',
    ]);
    assert.match(diags[0]!.message, /grand_parent: Typo/);
  });

  it('a title cycle is an error naming the pages, also when no top-level page reaches it', () => {
    const reached = nav([
      page('a.md', 'title: A'),
      page('b.md', 'title: B\nparent: A'),
      page('a2.md', 'title: A\nparent: B'),
    ]);
    assert.deepEqual(codes(reached.diags), ['error nav/cycle a2.md:3']);
    const unreached = nav([
      page('top.md', 'title: Top'),
      page('p.md', 'title: P\nparent: Q'),
      page('q.md', 'title: Q\nparent: P'),
    ]);
    assert.deepEqual(unreached.list, ['Top']);
    assert.deepEqual(codes(unreached.diags), ['error nav/cycle p.md:3']);
    assert.match(unreached.diags[0]!.message, /p\.md "P".*q\.md "Q"/);
  });
});

describe('navigation rules: --root', () => {
  const site = () => [
    page('a.md', 'title: Paper\nnav_order: 1'),
    page('a1.md', 'title: Intro\nparent: Paper'),
    page('b.md', 'title: Other\nnav_order: 2'),
    page('b1.md', 'title: Intro\nparent: Other'),
  ];

  it('picks a page by title or source path and keeps its subtree, depth from 0', () => {
    const tree = buildNavTree(site(), J4, new Diagnostics());
    for (const pick of ['Paper', 'a.md', './a.md']) {
      const { node } = selectRoot(tree, pick);
      assert.ok(node, pick);
      assert.deepEqual(
        flattenTree([node]).map((c) => [c.depth, c.page.source]),
        [
          [0, 'a.md'],
          [1, 'a1.md'],
        ],
      );
    }
  });

  it('a title shared by several pages is ambiguous: the source path picks one', () => {
    const tree = buildNavTree(site(), J4, new Diagnostics());
    assert.deepEqual(selectRoot(tree, 'Intro'), { matches: 2 });
    assert.equal(selectRoot(tree, 'b1.md').node?.page.source, 'b1.md');
  });
});

describe('navigation rules: front matter as Jekyll reads it', () => {
  it('yes/no/on/off are booleans (YAML 1.1), y/n are text', () => {
    const { list } = nav([
      page('a.md', 'title: A\nnav_order: 1'),
      page('b.md', 'title: B\nnav_exclude: yes'),
      page('c.md', 'title: C\nnav_exclude: on'),
      page('y.md', 'title: y\nnav_order: 3'),
      page('n.md', 'title: N\nnav_exclude: n\nnav_order: 2'),
    ]);
    assert.deepEqual(list, ['A', 'N', 'y']);
  });

  it('E11 and 1e5 are text, as Psych reads them (not floats); 1.5e+3 is a number', () => {
    const { list } = nav([
      page('e.md', 'title: E11\nnav_order: 2'),
      page('f.md', 'title: 1e5\nnav_order: 1'),
      page('c.md', 'title: Child\nparent: E11'),
      page('n.md', 'title: 1.5e+3'),
    ]);
    assert.deepEqual(list, ['1e5', 'E11', '  Child', '1.5e+3']);
  });

  it('titles that are numbers are titles, and parents can name them', () => {
    const { list } = nav([page('y.md', 'title: 2024'), page('m.md', 'title: March\nparent: 2024')]);
    assert.deepEqual(list, ['2024', '  March']);
  });

  it('trailing spaces after title and parent do not matter', () => {
    const { list } = nav([
      page('p.md', 'title: § Paper   '),
      page('c.md', 'title: Intro\nparent: § Paper  '),
    ]);
    assert.deepEqual(list, ['§ Paper', '  Intro']);
  });
});
