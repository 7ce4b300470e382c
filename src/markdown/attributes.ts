/** kramdown attribute lists: `{: #id .class key="value" ref}` and `{:name: …}` definitions. */
import type { Token } from 'markdown-it';

/** Parsed attributes: id, classes, key/value pairs and references to definitions. */
export interface AttributeList {
  id?: string;
  classes: string[];
  pairs: [string, string][];
  refs: string[];
}

const TOKEN =
  /\s*(?:#([\w:-]+)|\.([\w-]+)|([A-Za-z_][\w:-]*)=(?:"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)'|([^\s}]+))|([A-Za-z_][\w-]*))/y;

/** Parses the inside of `{: … }` (without braces and leading colon). */
export function parseAttributeList(text: string): AttributeList {
  const out: AttributeList = { classes: [], pairs: [], refs: [] };
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) break;
    pos = TOKEN.lastIndex;
    if (m[1]) out.id = m[1];
    else if (m[2]) out.classes.push(m[2]);
    else if (m[3]) out.pairs.push([m[3], (m[4] ?? m[5] ?? m[6] ?? '').replace(/\\(.)/g, '$1')]);
    else if (m[7]) out.refs.push(m[7]);
  }
  return out;
}

/** A block attribute list alone on a line: `{: .note}`, `{:toc}`, `{:.x}` (not `{::comment}`). */
export const BLOCK_IAL_LINE = /^ {0,3}\{:(?!:)((?:[^}"']|"[^"]*"|'[^']*')*)\}[ \t]*$/;
/** An attribute list definition: `{:name: .class}`. */
export const ALD_LINE = /^ {0,3}\{:([A-Za-z_][\w-]*):((?:[^}"']|"[^"]*"|'[^']*')*)\}[ \t]*$/;

/** Merges attribute lists: later ids win, classes and pairs accumulate. */
export function mergeAttributes(a: AttributeList, b: AttributeList): AttributeList {
  const merged: AttributeList = {
    classes: [...a.classes, ...b.classes],
    pairs: [...a.pairs, ...b.pairs],
    refs: [...a.refs, ...b.refs],
  };
  const id = b.id ?? a.id;
  if (id !== undefined) merged.id = id;
  return merged;
}

/** Applies attributes to a token (the opening token of a block, or a single token). */
export function applyAttributes(token: Token, attrs: AttributeList): void {
  if (token.type === 'html_block' || token.type === 'html_inline') {
    token.content = addHtmlAttributes(token.content, attrs);
    return;
  }
  if (attrs.id !== undefined) token.attrSet('id', attrs.id);
  for (const c of attrs.classes) token.attrJoin('class', c);
  for (const [k, v] of attrs.pairs) {
    if (k === 'class') token.attrJoin('class', v);
    else token.attrSet(k, v);
  }
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}

/** Adds attributes to the first start tag of some raw HTML (classes join an existing class). */
function addHtmlAttributes(html: string, attrs: AttributeList): string {
  return html.replace(
    /^(\s*<[A-Za-z][\w-]*)([^>]*?)(\/?>)/,
    (_all, start: string, rest: string, end: string) => {
      let body = rest;
      const classes = [...attrs.classes, ...attrs.pairs.filter(([k]) => k === 'class').map(([, v]) => v)];
      if (classes.length > 0) {
        const existing = /\sclass\s*=\s*"([^"]*)"/.exec(body);
        if (existing)
          body = body.replace(
            existing[0],
            ` class="${escapeAttr(`${existing[1]} ${classes.join(' ')}`.trim())}"`,
          );
        else body += ` class="${escapeAttr(classes.join(' '))}"`;
      }
      if (attrs.id !== undefined && !/\sid\s*=/.test(body)) body += ` id="${escapeAttr(attrs.id)}"`;
      for (const [k, v] of attrs.pairs) if (k !== 'class') body += ` ${k}="${escapeAttr(v)}"`;
      return `${start}${body}${end}`;
    },
  );
}
