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
  // Pages reported as part of a title cycle: already an error, never placed elsewhere.
  const cyclic = new Set<Page>();
  const warnedTies = new Set<string>();

  const order = (siblings: Page[]): Page[] => {
    const { sorted, ties } = sortSiblings(siblings, site);
    for (const tie of ties) {
      const key = tie.pages.map((p) => p.source).join('|');
      if (warnedTies.has(key)) continue;
      warnedTies.add(key);
      const [first] = tie.pages;
      if (!first) continue;
      const byOrder = first.front.navOrder !== undefined;
      diags.warn(
        'nav/order-tie',
        `pages sort equally (same ${byOrder ? '`nav_order`' : 'title'}), so just-the-docs leaves their order undefined; kept in source-path order: ${tie.pages.map((p) => p.source).join(', ')}`,
        first.source,
        (byOrder ? first.front.lines.nav_order : first.front.lines.title) ?? 1,
      );
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
          child.front.lines.parent ?? 1,
        );
        cyclic.add(child);
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
  reportUnplaced(titled, shown, cyclic, roots, diags, order, childrenOf);
  return roots;
}

/**
 * Pages with a title that the walk did not reach. Deliberately hidden ones (`nav_exclude`, or
 * below an excluded page or a `has_children: false` parent) get an info. Any other page is never
 * dropped: its parent title matches no page (`nav/missing-parent`), or no page of that title
 * accepts it through `grand_parent`/`ancestor` (`nav/unmatched-parent`); it is placed at the top
 * level with a warning, with its own subtree. Pages left that only lead to each other are a
 * title cycle (an error).
 */
function reportUnplaced(
  titled: readonly Page[],
  shown: Set<Page>,
  cyclic: ReadonlySet<Page>,
  roots: NavNode[],
  diags: Diagnostics,
  order: (pages: Page[]) => Page[],
  childrenOf: (node: Page, path: readonly Page[]) => NavNode[],
): void {
  const byTitle = new Map<string, Page[]>();
  for (const p of titled) byTitle.set(p.front.title!, [...(byTitle.get(p.front.title!) ?? []), p]);
  const hidden = hiddenPages(titled, byTitle);
  for (const p of titled) {
    if (shown.has(p) || !hidden.has(p)) continue;
    if (p.front.navExclude)
      diags.info(
        'nav/excluded',
        '`nav_exclude: true`: the page and its children are not in the book',
        p.source,
        p.front.lines.nav_exclude ?? 1,
      );
    else
      diags.info(
        'nav/not-shown',
        `its parent "${p.front.parent}" is excluded from the navigation or hides its children (\`has_children: false\`); the page is not in the book`,
        p.source,
        p.front.lines.parent ?? 1,
      );
  }
  for (;;) {
    const left = titled.filter((p) => !shown.has(p) && !hidden.has(p) && !cyclic.has(p));
    if (left.length === 0) return;
    const leftTitles = new Set(left.map((p) => p.front.title));
    // A page whose parent is itself waiting to be placed will come with that parent's subtree.
    const heads = left.filter((p) => p.front.parent === undefined || !leftTitles.has(p.front.parent));
    if (heads.length === 0) {
      const first = left[0]!;
      diags.error(
        'nav/cycle',
        `title cycle: these pages name each other as parents, so none can be placed: ${left.map((p) => `${p.source} "${p.front.title}" (parent "${p.front.parent}")`).join(', ')}`,
        first.source,
        first.front.lines.parent ?? 1,
      );
      return;
    }
    for (const p of order(heads)) {
      const missing = !byTitle.has(p.front.parent!);
      diags.warn(
        missing ? 'nav/missing-parent' : 'nav/unmatched-parent',
        missing
          ? `parent "${p.front.parent}" matches no page title; the page is placed at the top level`
          : `no page titled "${p.front.parent}" is shown where ${whereWanted(p)} asks for it; the page is placed at the top level`,
        p.source,
        p.front.lines.parent ?? 1,
      );
      shown.add(p);
      roots.push({ page: p, children: childrenOf(p, []) });
    }
  }
}

function whereWanted(p: Page): string {
  if (p.front.grandParent !== undefined) return `\`grand_parent: ${p.front.grandParent}\``;
  if (p.front.ancestor !== undefined) return `\`ancestor: ${p.front.ancestor}\``;
  return 'the navigation';
}

/**
 * Pages the site hides on purpose: `nav_exclude: true`, and pages whose possible parents (by
 * title, narrowed by `grand_parent`) include one that is hidden or has `has_children: false`.
 */
function hiddenPages(titled: readonly Page[], byTitle: ReadonlyMap<string, Page[]>): Set<Page> {
  const memo = new Map<Page, boolean>();
  const isHidden = (p: Page): boolean => {
    const known = memo.get(p);
    if (known !== undefined) return known;
    memo.set(p, false); // a cycle is not "hidden"; it is reported as a cycle
    let result = p.front.navExclude;
    if (!result && p.front.parent !== undefined) {
      const parents = (byTitle.get(p.front.parent) ?? []).filter(
        (q) => p.front.grandParent === undefined || q.front.parent === p.front.grandParent,
      );
      result = parents.some((q) => q.front.hasChildren === false || isHidden(q));
    }
    memo.set(p, result);
    return result;
  };
  return new Set(titled.filter(isHidden));
}

/** A collection as the navigation shows it (just-the-docs' `components/site_nav.html`). */
export interface NavCollection {
  readonly label: string;
  /** Its folder relative to the source folder (the source of its part in the book). */
  readonly folder: string;
  /** The same folder, absolute. */
  readonly absFolder: string;
  readonly output: boolean;
  readonly docs: readonly Page[];
  readonly nav: { readonly name: string; readonly navExclude: boolean; readonly line: number };
}

/**
 * The whole navigation: the pages' tree, then each collection just-the-docs lists, in the
 * order of `just_the_docs: collections:`. Its documents are ordered by the same rules as pages,
 * among themselves. As in the sidebar, a collection is headed by its `name` (a part of the
 * book holding its documents) unless it is the only thing in the navigation. `nav_fold` only
 * folds the sidebar, so it changes nothing in a book.
 */
export function buildBookTree(
  pages: readonly Page[],
  collections: readonly NavCollection[],
  site: SortSite,
  diags: Diagnostics,
): NavNode[] {
  const tree = buildNavTree(pages, site, diags);
  // `pages_top_size` of site_nav.html.
  const topPages = pages.filter(
    (p) => p.front.title !== undefined && p.front.parent === undefined && !p.front.navExclude,
  );
  const headed = collections.length > 1 || topPages.length > 0;
  for (const c of collections) {
    if (c.nav.navExclude) {
      if (c.docs.length > 0)
        diags.info(
          'collection/nav-exclude',
          `\`nav_exclude: true\`: the ${c.docs.length} document(s) of the collection "${c.label}" are not in the book`,
          '_config.yml',
          c.nav.line,
        );
      continue;
    }
    const docs = buildNavTree(c.docs, site, diags);
    if (docs.length === 0) continue;
    if (!c.output)
      diags.info(
        'collection/no-output',
        `the collection "${c.label}" has \`output: false\`: Jekyll writes no page for its documents, though just-the-docs lists them; they are in the book`,
        '_config.yml',
        c.nav.line,
      );
    if (headed) tree.push({ page: collectionPart(c), children: docs });
    else tree.push(...docs);
  }
  return tree;
}

/** The page that heads a collection in the book: its `name`, no body, no URL of its own. */
function collectionPart(c: NavCollection): Page {
  return {
    source: c.folder,
    absPath: c.absFolder,
    front: { title: c.nav.name, navExclude: false, data: { title: c.nav.name }, lines: {} },
    body: '',
    bodyLine: 1,
    url: '',
    collectionPart: c.label,
  };
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
