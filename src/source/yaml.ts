/**
 * YAML as Jekyll reads it (Ruby's Psych): YAML 1.1, so `yes`/`no`/`on`/`off` are booleans —
 * but, unlike the 1.1 spec, not `y`/`n` (a page titled `Y` keeps its title) — and as
 * forgiving about indentation of flow collections as Psych is.
 */
import {
  type Document,
  type DocumentOptions,
  isAlias,
  isCollection,
  isPair,
  type Node,
  type ParseOptions,
  parseDocument,
  type ScalarTag,
  type SchemaOptions,
  visit,
  YAMLParseError,
} from 'yaml';

/** A YAML syntax error with the 1-based line inside the parsed text. */
export class YamlError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;

const psychBool: ScalarTag = {
  identify: (v) => typeof v === 'boolean',
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test: /^(?:[Yy]es|YES|[Nn]o|NO|[Tt]rue|TRUE|[Ff]alse|FALSE|[Oo]n|ON|[Oo]ff|OFF)$/,
  resolve: (str) => TRUE.test(str) && !FALSE.test(str),
};

/**
 * Psych reads a float with an exponent only in the form `1.5e+3` (a dot and a signed exponent);
 * the yaml package's 1.1 schema also takes `E11` (no digits before the `E`) as a float, which
 * turned a title such as `E11` into NaN.
 */
const psychFloatExp: ScalarTag = {
  identify: (v) => typeof v === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:float',
  format: 'EXP',
  test: /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*[eE][-+][0-9]+$/,
  resolve: (str) => parseFloat(str.replace(/_/g, '')),
};

/** The options every YAML parse in bookbinder uses. */
export const JEKYLL_YAML: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  strict: false,
  uniqueKeys: false,
  prettyErrors: false,
  customTags: (tags) => [
    psychBool,
    psychFloatExp,
    ...tags.filter(
      (t) =>
        typeof t === 'string' ||
        (t.tag !== 'tag:yaml.org,2002:bool' && !(t.tag === 'tag:yaml.org,2002:float' && t.format === 'EXP')),
    ),
  ],
};

/**
 * libyaml (Psych) ignores indentation inside flow collections (`[a,\n, b]` with the comma at
 * column 0), the yaml package does not: indent such continuation lines. Inside `[…]`/`{…}`
 * indentation carries no meaning, so the value is unchanged.
 */
export function relaxFlowIndentation(text: string): string {
  const lines = text.split('\n');
  let depth = 0;
  let quote: '"' | "'" | undefined;
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n]!;
    if (depth > 0 && quote === undefined && /^\S/.test(line)) {
      line = `  ${line}`;
      lines[n] = line;
    }
    let start = 0;
    if (depth === 0) {
      const m = /^(\s*(?:-\s+)*(?:[^\s#'"[{][^#]*?:\s+|\s*))(?=[[{])/.exec(line);
      if (!m) continue;
      start = m[1]!.length;
    }
    for (let i = start; i < line.length; i++) {
      const c = line[i]!;
      if (quote) {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) quote = undefined;
        continue;
      }
      if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) break;
      if (c === '"' || c === "'") quote = c;
      else if (c === '[' || c === '{') depth++;
      else if (c === ']' || c === '}') {
        depth = Math.max(0, depth - 1);
        if (depth === 0) break;
      }
    }
  }
  return lines.join('\n');
}

/** Parses YAML text; throws {@link YamlError} with a line for syntax errors and alias bombs. */
export function parseYaml(text: string): unknown {
  const relaxed = relaxFlowIndentation(text);
  const doc = parseDocument(relaxed, JEKYLL_YAML);
  const err = doc.errors[0];
  if (err) throw toYamlError(err, relaxed);
  return yamlValue(doc, relaxed);
}

/**
 * How many aliases one document may resolve (the yaml package's own count, which weighs an
 * alias by what it holds). Real sites use a handful; a "billion laughs" bomb, nine anchors of
 * nine aliases each, would expand to 9^9 values and exhaust the memory.
 */
export const MAX_ALIASES = 100;

/**
 * The value of a parsed YAML document (`text` is what was parsed, for lines). Aliases that
 * expand too far are a {@link YamlError} at the line of the alias that expands the most,
 * found without expanding anything.
 */
export function yamlValue(doc: Document, text: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    if (!(e instanceof ReferenceError) || !/alias/i.test(e.message)) throw e;
    const { alias, size } = largestAlias(doc);
    const line = alias?.range ? text.slice(0, alias.range[0]).split('\n').length : 1;
    throw new YamlError(
      `the alias ${alias ? `*${alias.source} ` : ''}expands to ${size.toLocaleString('en-US')} values: aliases nested this deep would exhaust the memory ("billion laughs"), so the file is not read`,
      line,
    );
  }
}

/** The alias whose value holds the most nodes once expanded (the first of equals), and that count. */
function largestAlias(doc: Document): { alias?: Node & { source: string }; size: number } {
  const sizes = new Map<unknown, number>();
  const busy = new Set<unknown>();
  // Counts stay finite numbers (a float may round; only the order and magnitude matter).
  const sizeOf = (node: unknown): number => {
    const known = sizes.get(node);
    if (known !== undefined) return known;
    if (busy.has(node)) return 1; // an alias to its own ancestor
    busy.add(node);
    let n = 1;
    if (isAlias(node)) n = sizeOf(node.resolve(doc));
    else if (isPair(node)) n = sizeOf(node.key) + sizeOf(node.value);
    else if (isCollection(node)) for (const item of node.items) n += sizeOf(item);
    busy.delete(node);
    sizes.set(node, n);
    return n;
  };
  let best: { alias?: Node & { source: string }; size: number } = { size: 0 };
  visit(doc, {
    Alias: (_, alias) => {
      const size = sizeOf(alias);
      if (size > best.size) best = { alias, size };
    },
  });
  return best;
}

/** Converts the yaml package's error into ours. */
export function toYamlError(e: YAMLParseError, text?: string): YamlError {
  const first = e.message.split('\n')[0] ?? e.message;
  // Without prettyErrors the error has no linePos; its offset in the text gives the line.
  const line = e.linePos?.[0]?.line ?? (text === undefined ? 1 : text.slice(0, e.pos[0]).split('\n').length);
  return new YamlError(first.replace(/ at line \d+, column \d+:?$/, ''), line);
}
