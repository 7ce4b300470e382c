/** kramdown attribute lists: `{: #id .class key="value" ref}` and `{:name: …}` definitions. */

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
