/**
 * Finding and replacing the diagram placeholders of a rendered chapter (pure): the Markdown
 * stage leaves one per `mermaid` fence, the diagram stage puts the drawn SVG in its place.
 */
import { MERMAID_PLACEHOLDER } from '../markdown/mermaid.js';

/** One diagram placeholder in a chapter's HTML. */
export interface DiagramRef {
  /** The diagram's source, as written in the fence. */
  readonly source: string;
  /** The 0-based line of the page body on which its fence opens. */
  readonly bodyLine: number;
}

// The sanitiser rewrites every tag it keeps with double-quoted attributes in their order, and
// the code holds no `<` (it is escaped), so the placeholder is read back with a pattern. Other
// attributes may come before or after ours (the source-lines plugin marks every block).
const PLACEHOLDER = new RegExp(
  `<div(?: [\\w-]+="[^"]*")*? class="${MERMAID_PLACEHOLDER}" data-bb-line="(\\d+)"(?: [\\w-]+="[^"]*")*>\\s*(<pre\\b[^>]*>\\s*<code\\b[^>]*>([^<]*)</code>\\s*</pre>)\\s*</div>`,
  'g',
);

const NAMED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** Decodes the character references an escaped text may hold. */
export function decodeText(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : all;
    }
    return NAMED[ref.toLowerCase()] ?? all;
  });
}

/** Whether a chapter's HTML holds a diagram placeholder (a quick test before the pattern). */
export function hasDiagrams(html: string): boolean {
  return html.includes(MERMAID_PLACEHOLDER);
}

/** The diagram placeholders of a chapter's HTML, in order. */
export function findDiagrams(html: string): DiagramRef[] {
  if (!hasDiagrams(html)) return [];
  return [...html.matchAll(PLACEHOLDER)].map((m) => ({ source: decodeText(m[3]!), bodyLine: Number(m[1]) }));
}

/**
 * Replaces each placeholder with what `replace` gives for it (by its index among the chapter's
 * diagrams), or, when it gives undefined, with the plain code block it holds.
 */
export function replaceDiagrams(
  html: string,
  replace: (ref: DiagramRef, index: number) => string | undefined,
): string {
  if (!hasDiagrams(html)) return html;
  let index = 0;
  return html.replace(PLACEHOLDER, (_all, line: string, code: string, text: string) => {
    const out = replace({ source: decodeText(text), bodyLine: Number(line) }, index++);
    return out ?? code;
  });
}
