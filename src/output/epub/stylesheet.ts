/**
 * The EPUB's stylesheet, lowered for conservative reading systems. calibre (css_parser), Adobe's
 * RMSDK and Kindle's KF8 read CSS 2.1 with Selectors Level 3 and drop, with an error, what is
 * newer: a rule whose selector they cannot parse loses all its declarations, a declaration with
 * `var()` or `#rrggbbaa` loses its value. So what can be decided at build time is decided here:
 * custom properties are replaced by their values, nested rules flattened, `@layer` unwrapped,
 * `:is()`/`:where()` expanded, `:not(a, b)` split, colours and media queries written in their
 * older syntax. What no conservative engine can use (`:has()`, `@supports`, `@container`,
 * animations) is left out rather than left to fail.
 */
import postcss, { type AtRule, type ChildNode, type Root, type Rule } from 'postcss';
import selectorParser from 'postcss-selector-parser';
import valueParser from 'postcss-value-parser';

/** A lowered stylesheet and what could not be kept, as written (for diagnostics). */
export interface LoweredCss {
  readonly css: string;
  readonly dropped: readonly string[];
}

/** Custom property values by name, as the cascade leaves them on the root element. */
export type CustomProperties = ReadonlyMap<string, string>;

/** Lowers a stylesheet (see the module comment); pieces that do not parse are dropped whole. */
export function lowerStylesheet(parts: readonly string[]): LoweredCss {
  const dropped: string[] = [];
  const root = postcss.root();
  for (const part of parts) {
    try {
      root.append(postcss.parse(part).nodes);
    } catch (e) {
      dropped.push(`a style block that does not parse (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  flattenNesting(root);
  lowerAtRules(root, dropped);
  resolveCustomProperties(root, dropped);
  root.walkDecls((d) => {
    d.value = lowerColors(d.value);
  });
  root.walkRules((rule) => {
    if (rule.parent?.type === 'atrule' && /keyframes$/i.test((rule.parent as AtRule).name)) return;
    const kept = lowerSelector(rule.selector);
    if (kept === undefined) {
      dropped.push(rule.selector);
      rule.remove();
    } else rule.selector = kept;
  });
  removeEmpty(root);
  return { css: root.toString(), dropped };
}

// ── Nesting ──────────────────────────────────────────────────────────────────────────────

/** Moves nested rules (CSS Nesting) out of their parents, combining the selectors. */
function flattenNesting(root: Root): void {
  const nested: Rule[] = [];
  root.walkRules((r) => {
    if (r.parent?.type === 'rule') nested.push(r);
  });
  // Outer first (walk order): a moved rule takes its inner rules along, combined later. Each
  // moved rule goes after the previous one, so the rules keep their order in the cascade.
  const last = new Map<ChildNode, ChildNode>();
  for (const rule of nested) {
    const parent = rule.parent as Rule;
    rule.selector = combine(parent.selectors, rule.selectors);
    let anchor: ChildNode = parent;
    while (anchor.parent?.type === 'rule') anchor = anchor.parent;
    (last.get(anchor) ?? anchor).after(rule);
    last.set(anchor, rule);
  }
  root.walkAtRules((at) => {
    // `@media` inside a rule applies to the rule's selector.
    const host = at.parent;
    if (host?.type !== 'rule') return;
    const wrapper = postcss.rule({ selector: host.selector });
    wrapper.append(at.nodes ?? []);
    at.removeAll();
    at.append(wrapper);
    host.after(at);
  });
}

function combine(parents: readonly string[], children: readonly string[]): string {
  const out: string[] = [];
  for (const c of children)
    for (const p of parents) out.push(c.includes('&') ? c.replace(/&/g, p) : `${p} ${c.trim()}`);
  return out.join(', ');
}

// ── At-rules ─────────────────────────────────────────────────────────────────────────────

/** At-rules a CSS 2.1 reader knows; `@layer` is unwrapped, every other one left out. */
const KEPT_AT_RULES = new Set(['media', 'font-face', 'page']);

function lowerAtRules(root: Root, dropped: string[]): void {
  const all: AtRule[] = [];
  root.walkAtRules((at) => void all.push(at));
  for (const at of all) {
    const name = at.name.toLowerCase();
    if (name === 'layer') {
      // Unlayered rules beat layered ones; in order, unwrapped, they mostly keep their say.
      if (at.nodes) at.replaceWith(at.nodes);
      else at.remove();
    } else if (name === 'media') at.params = lowerMediaQuery(at.params);
    else if (!KEPT_AT_RULES.has(name)) {
      // The margin boxes of `@page` (`@top-center`) are CSS 2.1 paged media's own.
      if (at.parent?.type === 'atrule' && (at.parent as AtRule).name.toLowerCase() === 'page') continue;
      dropped.push(`@${at.name}${at.params ? ` ${at.params}` : ''}`);
      at.remove();
    }
  }
}

const RANGE_FEATURE = /^(width|height|aspect-ratio|device-width|device-height|resolution|color|monochrome)$/;
const FLIP: Readonly<Record<string, string>> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };

/** Writes Media Queries 4 ranges, `(width >= 40em)`, as `min-`/`max-` features. */
export function lowerMediaQuery(params: string): string {
  return params.replace(/\(([^()]*(?:<|>|=)[^()]*)\)/g, (all, inner: string) => {
    const parts = inner.split(/\s*(<=|>=|<|>|=)\s*/).map((s) => s.trim());
    const feature = (a: string, op: string, b: string): string | undefined => {
      // `feature op value`; `<` and `>` become inclusive bounds, the nearest older form.
      if (!RANGE_FEATURE.test(a)) return undefined;
      if (op === '=') return `(${a}: ${b})`;
      return `(${op.startsWith('>') ? 'min' : 'max'}-${a}: ${b})`;
    };
    if (parts.length === 3) {
      const [a, op, b] = parts as [string, string, string];
      return feature(a, op, b) ?? feature(b, FLIP[op]!, a) ?? all;
    }
    if (parts.length === 5) {
      const [v1, op1, f, op2, v2] = parts as [string, string, string, string, string];
      const low = feature(f, FLIP[op1]!, v1);
      const high = feature(f, op2, v2);
      return low && high ? `${low} and ${high}` : all;
    }
    return all;
  });
}

// ── Custom properties ────────────────────────────────────────────────────────────────────

/** The key of definitions on the root element. */
const ROOT = ':root';
const ROOT_SELECTORS = new Set([':root', 'html', '*|html']);

/** Custom property definitions by at-rule context, then by selector (`:root` for the root). */
type Definitions = Map<string, Map<string, Map<string, string>>>;

function contextOf(node: ChildNode): string {
  const chain: string[] = [];
  let p = node.parent as ChildNode | Root | undefined;
  while (p?.type === 'atrule') {
    chain.unshift(`@${p.name} ${p.params}`);
    p = p.parent;
  }
  return chain.join(' ');
}

function definitions(root: Root): Definitions {
  const defs: Definitions = new Map();
  // Per context and name: the specificity and importance of the winning root definition.
  const rank = new Map<string, number>();
  root.walkDecls(/^--/, (d) => {
    const rule = d.parent;
    if (rule?.type !== 'rule') return;
    const context = contextOf(rule);
    const bySelector = defs.get(context) ?? new Map<string, Map<string, string>>();
    defs.set(context, bySelector);
    for (const sel of rule.selectors) {
      const norm = sel.replace(/\s+/g, ' ').trim();
      const isRoot = ROOT_SELECTORS.has(norm.toLowerCase());
      const key = isRoot ? ROOT : norm;
      if (isRoot) {
        // `:root` (a class's weight) beats `html` (a type's) whatever their order.
        const weight = (d.important ? 100 : 0) + (norm === 'html' ? 1 : 10);
        const id = `${context}\n${d.prop}`;
        if ((rank.get(id) ?? 0) > weight) continue;
        rank.set(id, weight);
      }
      const vars = bySelector.get(key) ?? new Map<string, string>();
      bySelector.set(key, vars);
      vars.set(d.prop, d.value.trim());
    }
  });
  return defs;
}

/**
 * Replaces every `var()` by the value the element would most likely see: a definition on the
 * same selector, then on the root (in the same `@media` first), then the fallback. A
 * declaration left with an unresolved `var()` is dropped, as a browser would ignore it.
 */
function resolveCustomProperties(root: Root, dropped: string[]): void {
  const defs = definitions(root);
  root.walkDecls((d) => {
    if (d.prop.startsWith('--')) {
      d.remove();
      return;
    }
    if (!/var\(/i.test(d.value)) return;
    const rule = d.parent;
    const context = rule ? contextOf(rule as ChildNode) : '';
    const selectors = rule?.type === 'rule' ? rule.selectors.map((s) => s.replace(/\s+/g, ' ').trim()) : [];
    const lookup = (name: string): string | undefined => {
      for (const ctx of context ? [context, ''] : ['']) {
        const bySelector = defs.get(ctx);
        for (const s of selectors) {
          const v = bySelector?.get(s)?.get(name);
          if (v !== undefined) return v;
        }
      }
      for (const ctx of context ? [context, ''] : ['']) {
        const v = defs.get(ctx)?.get(ROOT)?.get(name);
        if (v !== undefined) return v;
      }
      return undefined;
    };
    const value = substitute(d.value, lookup, new Set());
    if (value === undefined) {
      dropped.push(`${d.prop}: ${d.value}`);
      d.remove();
    } else d.value = value;
  });
}

/** The value with its `var()`s replaced, or undefined when one has no value and no fallback. */
function substitute(
  value: string,
  lookup: (name: string) => string | undefined,
  seen: ReadonlySet<string>,
): string | undefined {
  const parsed = valueParser(value);
  let failed = false;
  parsed.walk((node) => {
    if (failed || node.type !== 'function' || node.value.toLowerCase() !== 'var') return;
    const comma = node.nodes.findIndex((n) => n.type === 'div' && n.value === ',');
    const name = valueParser.stringify(comma === -1 ? node.nodes : node.nodes.slice(0, comma)).trim();
    const fallback = comma === -1 ? undefined : valueParser.stringify(node.nodes.slice(comma + 1)).trim();
    const own = seen.has(name) ? undefined : lookup(name);
    let resolved = own === undefined ? undefined : substitute(own, lookup, new Set([...seen, name]));
    if (resolved === undefined && fallback !== undefined) resolved = substitute(fallback, lookup, seen);
    if (resolved === undefined) {
      failed = true;
      return false;
    }
    const word = node as unknown as valueParser.WordNode;
    word.type = 'word';
    word.value = resolved;
    return false;
  });
  return failed ? undefined : valueParser.stringify(parsed.nodes);
}

// ── Colours ──────────────────────────────────────────────────────────────────────────────

const HEX_ALPHA = /^#([0-9a-f]{4}|[0-9a-f]{8})$/i;

/** `#rgba`, `#rrggbbaa` and the space-separated `rgb()`/`hsl()` written as CSS 2.1/3 colours. */
export function lowerColors(value: string): string {
  if (!/#|rgb|hsl/i.test(value)) return value;
  const parsed = valueParser(value);
  parsed.walk((node) => {
    if (node.type === 'word' && HEX_ALPHA.test(node.value)) {
      const hex = node.value.slice(1);
      const full = hex.length === 4 ? [...hex].map((c) => c + c).join('') : hex;
      const [r, g, b, a] = [0, 2, 4, 6].map((i) => Number.parseInt(full.slice(i, i + 2), 16)) as [
        number,
        number,
        number,
        number,
      ];
      node.value = a === 255 ? `#${full.slice(0, 6)}` : `rgba(${r}, ${g}, ${b}, ${round(a / 255)})`;
    } else if (node.type === 'function' && /^(rgba?|hsla?)$/i.test(node.value)) {
      const lowered = legacyColor(node.value.toLowerCase().slice(0, 3), node.nodes);
      if (lowered !== undefined) {
        const word = node as unknown as valueParser.WordNode;
        word.type = 'word';
        word.value = lowered;
      }
      return false;
    }
    return undefined;
  });
  return valueParser.stringify(parsed.nodes);
}

function legacyColor(kind: string, nodes: readonly valueParser.Node[]): string | undefined {
  const args = nodes.filter((n) => n.type === 'word' || (n.type === 'div' && n.value === '/'));
  const words = args.filter((n) => n.type === 'word').map((n) => n.value.toLowerCase());
  const slash = args.findIndex((n) => n.type === 'div');
  const commas = nodes.some((n) => n.type === 'div' && n.value === ',');
  if (nodes.some((n) => n.type === 'function') || words.length < 3 || words.length > 4) return undefined;
  if (slash !== -1 && slash !== 3) return undefined;
  // Already CSS 3 with the right name: nothing to do.
  if (commas && words.length === 3) return undefined;
  const channels = words.slice(0, 3).map((w) => (w === 'none' ? '0' : w));
  if (kind === 'hsl') {
    if (/(turn|g?rad)$/.test(channels[0]!)) return undefined;
    channels[0] = channels[0]!.replace(/deg$/, '');
  }
  const alpha = words[3];
  if (alpha === undefined) return `${kind}(${channels.join(', ')})`;
  const a = alpha.endsWith('%') ? Number.parseFloat(alpha) / 100 : Number.parseFloat(alpha);
  if (!Number.isFinite(a)) return undefined;
  return `${kind}a(${channels.join(', ')}, ${round(a)})`;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

// ── Selectors ────────────────────────────────────────────────────────────────────────────

/** Pseudo-classes and pseudo-elements of CSS 2.1 and Selectors Level 3. */
const LEVEL3_PSEUDOS = new Set([
  'root',
  'first-child',
  'last-child',
  'only-child',
  'first-of-type',
  'last-of-type',
  'only-of-type',
  'empty',
  'nth-child',
  'nth-last-child',
  'nth-of-type',
  'nth-last-of-type',
  'lang',
  'not',
  'link',
  'visited',
  'hover',
  'active',
  'focus',
  'target',
  'enabled',
  'disabled',
  'checked',
  'before',
  'after',
  'first-line',
  'first-letter',
]);
const MATCHES_ANY = new Set([':is', ':where', ':matches', ':-webkit-any', ':-moz-any']);

/**
 * The selector list in Selectors Level 3: `:is()` and its kin expanded, `:not(a, b)` split,
 * attribute case flags dropped; a selector still beyond Level 3 is left out of the list.
 * Undefined when none is left.
 */
export function lowerSelector(selector: string): string | undefined {
  let list: selectorParser.Root;
  try {
    list = selectorParser().astSync(selector);
  } catch {
    return undefined;
  }
  const out: string[] = [];
  for (const sel of list.nodes) for (const s of expand(sel)) if (level3(s)) out.push(s.toString().trim());
  return out.length > 0 ? [...new Set(out)].join(', ') : undefined;
}

/** One selector with its first `:is()` replaced by each argument (recursively). */
function expand(sel: selectorParser.Selector): selectorParser.Selector[] {
  let found: selectorParser.Pseudo | undefined;
  sel.walkPseudos((p) => {
    if (!found && MATCHES_ANY.has(p.value.toLowerCase())) found = p;
  });
  if (!found) return [sel];
  const target = found;
  const compound = compoundOf(target);
  const out: selectorParser.Selector[] = [];
  for (const arg of target.nodes) {
    const combinators = arg.nodes.some((n) => n.type === 'combinator');
    // A complex argument fits only where the `:is()` is its compound's only part.
    if (combinators && compound.length > 1) continue;
    const copy = sel.clone();
    let slot: selectorParser.Pseudo | undefined;
    copy.walkPseudos((p) => {
      if (!slot && p.toString() === target.toString() && MATCHES_ANY.has(p.value.toLowerCase())) slot = p;
    });
    if (!slot) continue;
    const parts = arg.clone().nodes.map((n) => {
      n.spaces = { before: '', after: '' };
      return n;
    });
    if (parts[0]?.type === 'combinator') continue;
    const argType = parts.find((n) => n.type === 'tag' || n.type === 'universal');
    const own = compoundOf(slot).find((n) => n.type === 'tag' || n.type === 'universal');
    if (argType && own && !combinators) {
      if (argType.toString().toLowerCase() !== own.toString().toLowerCase() && argType.type !== 'universal')
        continue;
      parts.splice(parts.indexOf(argType), 1);
    }
    const first = compoundOf(slot)[0];
    if (argType && !own && first && first !== slot && !combinators) {
      // A type selector must open its compound.
      parts.splice(parts.indexOf(argType), 1);
      first.parent?.insertBefore(first, argType);
    }
    for (const p of parts) slot.parent?.insertBefore(slot, p);
    slot.remove();
    out.push(...expand(copy));
  }
  return out;
}

/** The simple selectors of the compound holding `node`. */
function compoundOf(node: selectorParser.Node): selectorParser.Node[] {
  const siblings: selectorParser.Node[] = node.parent?.nodes ?? [node];
  const i = siblings.indexOf(node);
  let start = i;
  while (start > 0 && siblings[start - 1]!.type !== 'combinator') start--;
  let end = i;
  while (end < siblings.length - 1 && siblings[end + 1]!.type !== 'combinator') end++;
  return siblings.slice(start, end + 1);
}

/** True when a selector is Level 3 (fixing what can be fixed in place). */
function level3(sel: selectorParser.Selector): boolean {
  let ok = true;
  sel.walk((node) => {
    if (!ok) return false;
    if (node.type === 'nesting') ok = false;
    else if (node.type === 'attribute') {
      if (node.insensitive) node.insensitive = false;
      if (node.raws.insensitiveFlag) delete node.raws.insensitiveFlag;
    } else if (node.type === 'pseudo') {
      const name = node.value.toLowerCase().replace(/^::?/, '');
      if (!LEVEL3_PSEUDOS.has(name)) ok = false;
      else if (name === 'not') ok = splitNot(node);
      else if (name.startsWith('nth-') && /\bof\b/i.test(node.toString())) ok = false;
      return false;
    }
    return undefined;
  });
  return ok;
}

/** `:not(a, b)` as `:not(a):not(b)`; false when an argument is not one simple selector. */
function splitNot(not: selectorParser.Pseudo): boolean {
  const args = not.nodes;
  const simple = args.every(
    (a) =>
      a.nodes.length === 1 &&
      a.nodes[0]!.type !== 'combinator' &&
      a.nodes[0]!.type !== 'nesting' &&
      !(a.nodes[0]!.type === 'pseudo' && /^(::|:not$)/i.test(a.nodes[0]!.value)) &&
      (a.nodes[0]!.type !== 'pseudo' || LEVEL3_PSEUDOS.has(a.nodes[0]!.value.toLowerCase().slice(1))),
  );
  if (!simple) return false;
  let last: selectorParser.Node = not;
  for (const a of args.slice(1)) {
    const extra = selectorParser.pseudo({ value: ':not' });
    const part = a.clone();
    part.nodes.forEach((n) => (n.spaces = { before: '', after: '' }));
    extra.append(part);
    not.parent?.insertAfter(last, extra);
    last = extra;
    a.remove();
  }
  return true;
}

// ── Clean-up ─────────────────────────────────────────────────────────────────────────────

function removeEmpty(root: Root): void {
  let removed = true;
  while (removed) {
    removed = false;
    root.walk((n) => {
      if ((n.type === 'rule' || n.type === 'atrule') && n.nodes?.length === 0) {
        n.remove();
        removed = true;
      }
    });
  }
}
