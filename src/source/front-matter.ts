/**
 * Splits and validates front matter the way Jekyll does: only a file that opens with a `---`
 * line and has a closing `---` (or `...`) line is a page. gray-matter does the split; its
 * JavaScript and CoffeeScript engines are replaced so front matter never executes.
 */
import matter from 'gray-matter';
import { isScalar, parseDocument } from 'yaml';
import type { Diagnostics } from '../diagnostics.js';
import type { FrontMatter } from '../model.js';
import { JEKYLL_YAML, relaxFlowIndentation, toYamlError, YamlError, yamlValue } from './yaml.js';

/** Jekyll's own test for front matter (`Jekyll::Utils.has_yaml_header?`) plus a closing line. */
const JEKYLL_HEADER = /^---[ \t]*\n(?:[\s\S]*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|$)/;

/** The body of a page and where it starts, or why the file is not a page. */
export type SplitResult =
  | {
      readonly kind: 'page';
      readonly data: Record<string, unknown>;
      readonly titleSource?: string;
      /** The file line of each top-level key, for diagnostics. */
      readonly keyLines: Readonly<Record<string, number>>;
      readonly body: string;
      readonly bodyLine: number;
    }
  | { readonly kind: 'not-a-page'; readonly reason: 'no-front-matter' | 'not-yaml' | 'unclosed' }
  | { readonly kind: 'invalid'; readonly code: string; readonly message: string; readonly line: number };

const refuse = (): never => {
  throw new Error('executable front matter is refused');
};

interface Parsed {
  readonly data: Record<string, unknown>;
  readonly titleSource?: string;
}

/** Every engine gray-matter could pick; the executable ones throw instead of running code. */
const engines = {
  yaml: { parse: parseFrontYaml, stringify: refuse },
  js: { parse: refuse, stringify: refuse },
  javascript: { parse: refuse, stringify: refuse },
  coffee: { parse: refuse, stringify: refuse },
  coffeescript: { parse: refuse, stringify: refuse },
  cson: { parse: refuse, stringify: refuse },
};

const parsedByData = new WeakMap<object, Parsed>();

function parseFrontYaml(text: string): Record<string, unknown> {
  const relaxed = relaxFlowIndentation(text);
  const doc = parseDocument(relaxed, JEKYLL_YAML);
  const err = doc.errors[0];
  if (err) {
    // gray-matter hands over the text from the end of the opening `---` line, so the parser's
    // line N is file line N; splitFrontMatter adds the opening line back, hence the - 1.
    const e = toYamlError(err, relaxed);
    throw new YamlError(e.message, e.line - 1);
  }
  let value: unknown;
  try {
    value = yamlValue(doc, relaxed);
  } catch (e) {
    if (!(e instanceof YamlError)) throw e;
    throw new YamlError(e.message, e.line - 1);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date) {
    throw new YamlError('front matter is not a mapping of keys to values', 1);
  }
  const data = value as Record<string, unknown>;
  // Ruby prints a YAML float title as written (`10.0`), JavaScript would print `10`.
  const titleNode = doc.get('title', true);
  const titleSource =
    isScalar(titleNode) && typeof titleNode.value === 'number' ? titleNode.source : undefined;
  const wrapped = { ...data };
  parsedByData.set(
    wrapped,
    titleSource === undefined ? { data } : { data, titleSource: String(titleSource) },
  );
  return wrapped;
}

/** Splits one file's text (already decoded, BOM removed, line ends normalised to `\n`). */
export function splitFrontMatter(text: string): SplitResult {
  if (!text.startsWith('---')) return { kind: 'not-a-page', reason: 'no-front-matter' };
  // `---js`, `---coffee`: gray-matter's executable front matter, never run (Jekyll skips it too).
  if (/^---[^\s-]/.test(text)) return { kind: 'not-a-page', reason: 'not-yaml' };
  if (!/^---[ \t]*\n/.test(text)) return { kind: 'not-a-page', reason: 'no-front-matter' };
  const header = JEKYLL_HEADER.exec(text);
  if (!header) return { kind: 'not-a-page', reason: 'unclosed' };
  const frontText = header[0];
  const bodyLine = countLines(frontText) + 1;
  const body = text.slice(frontText.length);
  try {
    // gray-matter sees only the header, so its own delimiter quirks cannot move the body.
    const file = matter(frontText.endsWith('\n') ? frontText : `${frontText}\n`, {
      engines,
      language: 'yaml',
    });
    const raw: unknown = file.data;
    const parsed = raw !== null && typeof raw === 'object' ? parsedByData.get(raw) : undefined;
    const data = parsed?.data ?? {};
    const keyLines = keyLinesOf(frontText);
    return parsed?.titleSource === undefined
      ? { kind: 'page', data, keyLines, body, bodyLine }
      : { kind: 'page', data, titleSource: parsed.titleSource, keyLines, body, bodyLine };
  } catch (e) {
    if (e instanceof YamlError) {
      const notMapping = e.message.startsWith('front matter is not a mapping');
      return {
        kind: 'invalid',
        code: notMapping ? 'front-matter/not-a-mapping' : 'front-matter/invalid-yaml',
        message: notMapping ? e.message : `front matter is not valid YAML: ${e.message}`,
        line: e.line + 1,
      };
    }
    const message = e instanceof Error ? e.message : String(e);
    return {
      kind: 'invalid',
      code: 'front-matter/invalid',
      message: `front matter could not be read: ${message}`,
      line: 1,
    };
  }
}

function keyLinesOf(frontText: string): Record<string, number> {
  const lines: Record<string, number> = {};
  frontText.split('\n').forEach((l, i) => {
    const m = /^([A-Za-z_][\w-]*)[ \t]*:/.exec(l);
    if (m?.[1] && lines[m[1]] === undefined) lines[m[1]] = i + 1;
  });
  return lines;
}

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return s.endsWith('\n') ? n : n + 1;
}

/** Turns the raw mapping into typed front matter, reporting values just-the-docs cannot use. */
export function readFrontMatter(
  data: Record<string, unknown>,
  titleSource: string | undefined,
  keyLines: Readonly<Record<string, number>>,
  file: string,
  diags: Diagnostics,
): FrontMatter {
  const at = (key: string): number => keyLines[key] ?? 1;
  const text = (key: string): string | undefined => {
    const v = data[key];
    if (v === null || v === undefined) return undefined;
    if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    diags.warn('front-matter/invalid-value', `\`${key}\` should be text; it is ignored`, file, at(key));
    return undefined;
  };
  let title = text('title');
  if (titleSource !== undefined && title !== undefined) title = titleSource.trim();
  const order = data.nav_order;
  let navOrder: number | string | undefined;
  if (typeof order === 'number' && Number.isFinite(order)) navOrder = order;
  else if (typeof order === 'string') navOrder = order;
  else if (order !== undefined && order !== null) {
    const kind = Array.isArray(order)
      ? 'a list'
      : order instanceof Date
        ? 'a date'
        : typeof order === 'boolean'
          ? 'a boolean'
          : 'a mapping';
    diags.warn(
      'front-matter/invalid-nav-order',
      `\`nav_order\` is ${kind}; it must be a number or a string, so it is ignored`,
      file,
      at('nav_order'),
    );
  }
  const childOrder = data.child_nav_order;
  const hasChildren = data.has_children;
  const fm: FrontMatter = {
    navExclude: data.nav_exclude === true,
    data,
    lines: keyLines,
    ...(title !== undefined && { title }),
    ...(titleSource !== undefined && title !== undefined && { titleIsNumber: true }),
    ...(text('parent') !== undefined && { parent: text('parent') }),
    ...(text('grand_parent') !== undefined && { grandParent: text('grand_parent') }),
    ...(text('ancestor') !== undefined && { ancestor: text('ancestor') }),
    ...(navOrder !== undefined && { navOrder }),
    ...(typeof hasChildren === 'boolean' && { hasChildren }),
    ...((childOrder === 'desc' || childOrder === 'reversed') && { childNavOrder: 'desc' as const }),
    ...(text('permalink') !== undefined && { permalink: text('permalink') }),
    ...(text('layout') !== undefined && { layout: text('layout') }),
  };
  return fm;
}
