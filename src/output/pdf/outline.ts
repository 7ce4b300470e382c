/**
 * The PDF bookmarks, built from the book's tree rather than Chromium's raw heading levels:
 * chapters at their navigation depth, each page's own headings (not `{: .no_toc}`) below its
 * title, then its sub-pages.
 */
import type { RenderedChapter } from '../../model.js';

/** One bookmark and its children. */
export interface OutlineNode {
  readonly title: string;
  /** The named destination (element id) it opens. */
  readonly dest: string;
  readonly children: OutlineNode[];
}

/** The book's bookmark tree: chapters by navigation depth, headings nested by level. */
export function outlineTree(chapters: readonly RenderedChapter[]): OutlineNode[] {
  const roots: OutlineNode[] = [];
  const nodes: OutlineNode[] = [];
  for (const [i, c] of chapters.entries()) {
    const node: OutlineNode = { title: c.chapter.title, dest: c.chapter.id, children: headingNodes(c) };
    nodes[i] = node;
    const parent = c.chapter.parentIndex === undefined ? undefined : nodes[c.chapter.parentIndex];
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

function headingNodes(c: RenderedChapter): OutlineNode[] {
  const out: OutlineNode[] = [];
  const stack: { level: number; node: OutlineNode }[] = [];
  const headings = c.headings.filter(
    (h, i) => !h.noToc && !(i === 0 && h.level === 1 && h.text.trim() === c.chapter.title.trim()),
  );
  for (const h of headings) {
    const node: OutlineNode = { title: h.text, dest: h.id, children: [] };
    while (stack.length > 0 && stack[stack.length - 1]!.level >= h.level) stack.pop();
    const parent = stack[stack.length - 1];
    (parent ? parent.node.children : out).push(node);
    stack.push({ level: h.level, node });
  }
  return out;
}

/** The ids every bookmark needs a destination for. */
export function outlineDestinations(tree: readonly OutlineNode[]): string[] {
  return tree.flatMap((n) => [n.dest, ...outlineDestinations(n.children)]);
}
