/**
 * The PDF bookmarks, built from the book's tree rather than Chromium's raw heading levels:
 * chapters at their navigation depth, each page's own headings (not `{: .no_toc}`) below its
 * title, then its sub-pages. Works on any PDFDocument that has the named destinations.
 */
import { PDFArray, type PDFDocument, PDFHexString, PDFName, PDFNumber, type PDFRef } from 'pdf-lib';
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

/**
 * Replaces the document's outline with `tree`. Items whose destination is missing are left out
 * (their children move up) and returned, so the caller can report them.
 */
export function writeOutline(
  doc: PDFDocument,
  tree: readonly OutlineNode[],
  dests: ReadonlyMap<string, { readonly array: PDFArray }>,
): string[] {
  const missing: string[] = [];
  const resolve = (nodes: readonly OutlineNode[]): OutlineNode[] =>
    nodes.flatMap((n) => {
      const children = resolve(n.children);
      if (dests.has(n.dest)) return [{ ...n, children }];
      missing.push(n.dest);
      return children;
    });
  const items = resolve(tree);
  const { context } = doc;
  const rootRef = context.nextRef();
  const write = (
    nodes: readonly OutlineNode[],
    parent: PDFRef,
    depth: number,
  ): { refs: PDFRef[]; visible: number } => {
    const refs = nodes.map(() => context.nextRef());
    let visible = 0;
    nodes.forEach((n, i) => {
      const open = depth === 0;
      const kids = write(n.children, refs[i]!, depth + 1);
      const dict = context.obj({});
      dict.set(PDFName.of('Title'), PDFHexString.fromText(n.title));
      dict.set(PDFName.of('Parent'), parent);
      dict.set(PDFName.of('Dest'), dests.get(n.dest)!.array.clone(context));
      if (i > 0) dict.set(PDFName.of('Prev'), refs[i - 1]!);
      if (i < refs.length - 1) dict.set(PDFName.of('Next'), refs[i + 1]!);
      if (kids.refs.length > 0) {
        dict.set(PDFName.of('First'), kids.refs[0]!);
        dict.set(PDFName.of('Last'), kids.refs[kids.refs.length - 1]!);
        dict.set(PDFName.of('Count'), PDFNumber.of(open ? kids.visible : -kids.visible));
      }
      context.assign(refs[i]!, dict);
      visible += 1 + (open ? kids.visible : 0);
    });
    return { refs, visible };
  };
  const top = write(items, rootRef, 0);
  const root = context.obj({ Type: 'Outlines' });
  if (top.refs.length > 0) {
    root.set(PDFName.of('First'), top.refs[0]!);
    root.set(PDFName.of('Last'), top.refs[top.refs.length - 1]!);
    root.set(PDFName.of('Count'), PDFNumber.of(top.visible));
  }
  context.assign(rootRef, root);
  doc.catalog.set(PDFName.of('Outlines'), rootRef);
  doc.catalog.set(PDFName.of('PageMode'), PDFName.of('UseOutlines'));
  void PDFArray;
  return missing;
}
