/**
 * The just-the-docs navigation tree (`_includes/components/site_nav.html`, `nav/children.html`)
 * and the reading order of the book: its depth-first walk.
 */
import type { Diagnostics } from '../diagnostics.js';
import type { Chapter, Page, SiteConfig } from '../model.js';
import { sortSiblings } from './sort.js';

/** One shown page in the navigation tree. */
export interface NavNode {
  readonly page: Page;
  readonly children: readonly NavNode[];
}

type SortSite = Pick<SiteConfig, 'navSort' | 'jekyllVersion'>;

/** Builds the navigation tree of the site, reporting every page that does not appear in it. */
export function buildNavTree(pages: readonly Page[], site: SortSite, diags: Diagnostics): NavNode[] {
  const titled = pages.filter((p) => p.front.title !== undefined);
  for (const p of pages) {
    if (p.front.title !== undefined) continue;
    if (p.front.navExclude)
      diags.info('nav/untitled', 'page has no `title` and `nav_exclude`; it is not in the book', p.source, 1);
    else
      diags.warn(
        'nav/untitled',
        'page has no `title`, so just-the-docs leaves it out of the navigation; it is not in the book (add a `title` to include it)',
        p.source,
        1,
      );
  }
  const byParent = new Map<string, Page[]>();
  const topLevel: Page[] = [];
  for (const p of titled) {
    const parent = p.front.parent;
    if (parent === undefined) topLevel.push(p);
    else byParent.set(parent, [...(byParent.get(parent) ?? []), p]);
  }
  const topTitles = new Set(topLevel.map((p) => p.front.title));
  const shown = new Set<Page>();
  const warnedTies = new Set<string>();

  const order = (siblings: Page[]): Page[] => {
    const { sorted, ties } = sortSiblings(siblings, site);
    for (const tie of ties) {
      const key = tie.pages.map((p) => p.source).join('|');
      if (warnedTies.has(key)) continue;
      warnedTies.add(key);
      const [first, ...rest] = tie.pages;
      if (!first) continue;
      diags.warn(
        'nav/order-tie',
        `pages sort equally (same ${first.front.navOrder !== undefined ? '`nav_order`' : 'title'}); kept in source-path order: ${tie.pages.map((p) => p.source).join(', ')}`,
        first.source,
        1,
      );
      void rest;
    }
    return sorted;
  };

  const childrenOf = (node: Page, path: readonly Page[]): NavNode[] => {
    if (node.front.hasChildren === false) return [];
    const title = node.front.title ?? '';
    const above = new Set(path.map((p) => p.front.title));
    const candidates = (byParent.get(title) ?? []).filter((c) => {
      if (c.front.navExclude) return false;
      if (c.front.grandParent !== undefined && c.front.grandParent !== node.front.parent) return false;
      if (c.front.ancestor !== undefined && c.front.ancestor !== title && !above.has(c.front.ancestor))
        return false;
      if (
        c.front.grandParent === undefined &&
        c.front.ancestor === undefined &&
        path.length > 0 &&
        topTitles.has(c.front.parent)
      ) {
        return false;
      }
      return true;
    });
    let sorted = order(candidates);
    if (node.front.childNavOrder === 'desc') sorted = sorted.reverse();
    const result: NavNode[] = [];
    const nextPath = [...path, node];
    for (const child of sorted) {
      if (child.front.title === title || above.has(child.front.title)) {
        diags.error(
          'nav/cycle',
          `title cycle: "${child.front.title}" is its own ancestor (${[...nextPath, child].map((p) => `${p.source} "${p.front.title}"`).join(' → ')})`,
          child.source,
          1,
        );
        continue;
      }
      if (shown.has(child)) {
        diags.warn(
          'nav/repeated',
          `page appears under several parents titled "${title}"; the book keeps only its first place`,
          child.source,
          1,
        );
        continue;
      }
      shown.add(child);
      result.push({ page: child, children: childrenOf(child, nextPath) });
    }
    return result;
  };

  const roots: NavNode[] = [];
  for (const p of order(topLevel.filter((p) => !p.front.navExclude))) {
    shown.add(p);
    roots.push({ page: p, children: childrenOf(p, []) });
  }
  reportUnplaced(titled, shown, roots, site, diags, order, childrenOf);
  return roots;
}

/**
 * Pages with a title that the walk did not reach: excluded (info), under an excluded page
 * (info), or orphans whose parent title matches no page (warning; placed at top level so
 * nothing is lost).
 */
function reportUnplaced(
  titled: readonly Page[],
  shown: Set<Page>,
  roots: NavNode[],
  _site: SortSite,
  diags: Diagnostics,
  order: (pages: Page[]) => Page[],
  childrenOf: (node: Page, path: readonly Page[]) => NavNode[],
): void {
  const titles = new Set(titled.map((p) => p.front.title));
  const orphans: Page[] = [];
  for (const p of titled) {
    if (shown.has(p)) continue;
    if (p.front.navExclude) {
      diags.info(
        'nav/excluded',
        '`nav_exclude: true`: the page and its children are not in the book',
        p.source,
        p.front.lines.nav_exclude ?? 1,
      );
    } else if (p.front.parent !== undefined && !titles.has(p.front.parent)) {
      orphans.push(p);
    } else if (p.front.parent !== undefined && cycleOf(p, titled) !== undefined) {
      diags.error(
        'nav/cycle',
        `title cycle: ${cycleOf(p, titled)!
          .map((q) => `"${q.front.title}"`)
          .join(' → ')}; these pages have no place in the navigation`,
        p.source,
        p.front.lines.parent ?? 1,
      );
    } else if (p.front.parent !== undefined) {
      diags.info(
        'nav/not-shown',
        `its parent "${p.front.parent}" is not in the navigation (excluded, or it does not match by grand_parent/ancestor); the page is not in the book`,
        p.source,
        p.front.lines.parent ?? 1,
      );
    }
  }
  for (const p of order(orphans)) {
    diags.warn(
      'nav/missing-parent',
      `parent "${p.front.parent}" matches no page title; the page is placed at the top level`,
      p.source,
      p.front.lines.parent ?? 1,
    );
    shown.add(p);
    roots.push({ page: p, children: childrenOf(p, []) });
  }
}

/** The parent chain from `page` back to itself, when its parents lead round in a circle. */
function cycleOf(page: Page, titled: readonly Page[]): Page[] | undefined {
  const chain: Page[] = [page];
  let at: Page | undefined = page;
  while (at?.front.parent !== undefined && chain.length <= titled.length) {
    const parent: string = at.front.parent;
    at = titled.find((q) => q.front.title === parent);
    if (at === page) return [...chain, page];
    if (at) chain.push(at);
  }
  return undefined;
}

/** Finds the subtree for `--root`: a title, or a source path relative to the source folder. */
export function selectRoot(tree: readonly NavNode[], root: string): { node?: NavNode; matches: number } {
  const found: NavNode[] = [];
  const visit = (nodes: readonly NavNode[]): void => {
    for (const n of nodes) {
      if (n.page.front.title === root || n.page.source === root.replace(/^\.\//, '')) found.push(n);
      visit(n.children);
    }
  };
  visit(tree);
  return found.length === 1 ? { node: found[0]!, matches: 1 } : { matches: found.length };
}

/** Flattens the tree into chapters in reading order, with book-wide unique ids. */
export function flattenTree(tree: readonly NavNode[]): Chapter[] {
  const chapters: Chapter[] = [];
  const used = new Set<string>();
  const visit = (nodes: readonly NavNode[], depth: number, parentIndex: number | undefined): void => {
    for (const n of nodes) {
      const id = uniqueId(chapterIdBase(n.page.source), used);
      const index = chapters.length;
      chapters.push({
        page: n.page,
        title: n.page.front.title ?? n.page.source,
        depth,
        id,
        ...(parentIndex !== undefined && { parentIndex }),
      });
      visit(n.children, depth + 1, index);
    }
  };
  visit(tree, 0, undefined);
  return chapters;
}

/** A readable id from a source path: `docs/sex/sex.md` → `docs-sex-sex`. */
export function chapterIdBase(source: string): string {
  const stem = source
    .replace(/\.[^./]+$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return /^[a-z]/.test(stem) ? stem : `p-${stem || 'page'}`;
}

/** Returns `base`, or `base-2`, `base-3`… whichever is still free, and marks it used. */
export function uniqueId(base: string, used: Set<string>): string {
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
  used.add(id);
  return id;
}
