/**
 * The site's own mermaid settings: just-the-docs passes the object in
 * `_includes/mermaid_config.js` to `mermaid.initialize`, and a site changes its theme there.
 * The file is JavaScript, never run here: an object literal of plain values (quoted or bare
 * keys, either quotes, comments, trailing commas) is read as a YAML flow mapping, which accepts
 * all of that; anything else is a warning and the defaults are used.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Diagnostics } from '../diagnostics.js';

/** Where just-the-docs reads the settings from, relative to the site. */
export const MERMAID_CONFIG_FILE = '_includes/mermaid_config.js';

/** Reads `_includes/mermaid_config.js`; undefined when the site has none (or it cannot be read). */
export function readMermaidConfig(root: string, diags: Diagnostics): Record<string, unknown> | undefined {
  const file = join(root, MERMAID_CONFIG_FILE);
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = parseObjectLiteral(text);
  if (parsed === undefined) {
    diags.warn(
      'mermaid/config-unread',
      'only an object literal of plain values can be read here (no code); the diagrams use the default settings',
      MERMAID_CONFIG_FILE,
      1,
    );
  }
  return parsed;
}

/** An object literal of plain values, or undefined when the text is anything else. */
export function parseObjectLiteral(text: string): Record<string, unknown> | undefined {
  // Comments go first; a `//` after a colon or a quote (a URL, a string) is kept.
  const plain = text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:"'\\])\/\/.*$/gm, '$1')
    .trim()
    .replace(/;$/, '');
  if (!plain.startsWith('{') || !plain.endsWith('}')) return undefined;
  try {
    const v: unknown = parse(plain);
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
