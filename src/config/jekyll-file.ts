/**
 * `_config.yml`, read and parsed once per build. The settings loader (`load.ts`, the
 * `bookbinder:` key), the site settings (`site.ts`) and every later stage work from this one
 * parse; the text is kept so that a problem found later is still reported at its line.
 */
import { join } from 'node:path';
import { type Document, LineCounter, parseDocument } from 'yaml';
import { readSiteText, type SiteFileProblem, type SiteRead } from '../source/site-files.js';
import { JEKYLL_YAML, relaxFlowIndentation, toYamlError, YamlError, yamlValue } from '../source/yaml.js';

/** The parsed document, with what finds a node's line. */
export interface JekyllYaml {
  readonly doc: Document;
  readonly lineCounter: LineCounter;
  /** The text parsed (flow indentation relaxed: the same lines as written). */
  readonly text: string;
}

/** `_config.yml` of a site as read once: its text, its document and its value, or why not. */
export interface JekyllConfigFile {
  /** The source folder it belongs to (absolute). */
  readonly root: string;
  /** Its text as written; '' when the site has none or it cannot be read. */
  readonly text: string;
  /** Why it could not be read (a missing file is no problem: a site may have none). */
  readonly problem?: Exclude<SiteFileProblem, 'missing'>;
  /** The document, when the text has no syntax error. */
  readonly yaml?: JekyllYaml;
  /** Its value (undefined when it is empty, unreadable or invalid). */
  readonly value?: unknown;
  /** The syntax error (or alias bomb) that stops it being read. */
  readonly error?: YamlError;
}

/** How a site's file is read (the default is the site's one gate, {@link readSiteText}). */
export type SiteTextReader = (root: string, path: string) => SiteRead<string>;

/** Reads and parses `root/_config.yml`; problems are kept in the result, never thrown. */
export function readJekyllConfig(root: string, read: SiteTextReader = readSiteText): JekyllConfigFile {
  const got = read(root, join(root, '_config.yml'));
  if (!('content' in got))
    return got.problem === 'missing' ? { root, text: '' } : { root, text: '', problem: got.problem };
  return parseJekyllConfig(root, got.content);
}

/** Parses the text of a `_config.yml` as Jekyll (Psych) reads it, keeping its lines. */
export function parseJekyllConfig(root: string, text: string): JekyllConfigFile {
  const relaxed = relaxFlowIndentation(text);
  const lineCounter = new LineCounter();
  const doc = parseDocument(relaxed, { ...JEKYLL_YAML, lineCounter });
  const syntax = doc.errors[0];
  if (syntax) return { root, text, error: toYamlError(syntax, relaxed) };
  const yaml = { doc, lineCounter, text: relaxed };
  try {
    return { root, text, yaml, value: yamlValue(doc, relaxed) };
  } catch (e) {
    if (!(e instanceof YamlError)) throw e;
    return { root, text, yaml, error: e };
  }
}
