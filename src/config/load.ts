/**
 * Loads bookbinder's settings: `bookbinder.config.{yml,yaml,json,js,ts}` (given, in the source
 * folder, or in the working folder) over the `bookbinder:` key of `_config.yml`. YAML and JSON
 * are parsed with the yaml package's document API so every schema error points at its line.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMap, isScalar, LineCounter, type Node, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { type Diagnostic, sortDiagnostics } from '../diagnostics.js';
import { describeProblem, findSiteFile, isWithin } from '../source/site-files.js';
import { YamlError, yamlValue } from '../source/yaml.js';
import { codeFrame } from './frame.js';
import { type JekyllConfigFile, readJekyllConfig } from './jekyll-file.js';
import type { BookbinderConfig } from './schema.js';

/** The config file names bookbinder looks for, in this order. */
export const CONFIG_FILES = [
  'bookbinder.config.yml',
  'bookbinder.config.yaml',
  'bookbinder.config.json',
  'bookbinder.config.js',
  'bookbinder.config.ts',
] as const;

/** A diagnostic about a config file, with the code frame around its line when there is one. */
export interface ConfigDiagnostic extends Diagnostic {
  readonly frame?: string;
}

/** Where to look for settings. */
export interface LoadConfigOptions {
  /** The folder relative paths start from (default `process.cwd()`). */
  readonly cwd?: string;
  /** The source folder given on the command line, if any. */
  readonly source?: string;
  /** An explicit config file (`--config`); no other file is looked for. */
  readonly file?: string;
}

/** The merged settings, with every path made absolute, and what was read. */
export interface LoadedConfig {
  readonly config: BookbinderConfig;
  /** The source folder (absolute): the CLI's, else the config's `source`, else `content`. */
  readonly source: string;
  /** The files read, absolute, lowest precedence first. */
  readonly files: readonly string[];
  /** The source folder's `_config.yml`, read and parsed once: the build works from it. */
  readonly jekyll: JekyllConfigFile;
  readonly diagnostics: readonly ConfigDiagnostic[];
}

/** Identity, for typed `bookbinder.config.ts` / `.js` files: `export default defineConfig({…})`. */
export function defineConfig(config: BookbinderConfig): BookbinderConfig {
  return config;
}

/** Finds the one config file in `dir`; more than one is an error (which one would win?). */
export function findConfigFile(dir: string, diags: ConfigDiagnostic[], source: string): string | undefined {
  const found = CONFIG_FILES.map((f) => join(dir, f)).filter((f) => existsSync(f));
  if (found.length > 1)
    diags.push(
      problem(
        'error',
        'config/ambiguous',
        `${found.map((f) => basename(f)).join(' and ')} are both in ${dir}; keep one`,
        displayPath(found[1]!, source),
      ),
    );
  return found[0];
}

/** Loads and merges the settings for a build; problems become diagnostics, never exceptions. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const diags: ConfigDiagnostic[] = [];
  let file = options.file === undefined ? undefined : resolve(cwd, options.file);
  if (file !== undefined && !existsSync(file)) {
    diags.push(problem('error', 'config/missing', `config file ${options.file} does not exist`, ''));
    file = undefined;
  }
  // The working folder's file may say where the source is; the source's own file wins over it.
  const early = options.file === undefined ? findConfigFile(cwd, [], cwd) : file;
  let fromFile: string | undefined;
  if (early !== undefined) {
    const peek = await readConfigFile(early, cwd);
    if (peek.config?.source !== undefined) fromFile = resolve(dirname(early), peek.config.source);
  }
  const source =
    options.source !== undefined ? resolve(cwd, options.source) : (fromFile ?? resolve(cwd, 'content'));
  if (options.file === undefined)
    file = (existsSync(source) ? findConfigFile(source, diags, source) : undefined) ?? early;
  const files: string[] = [];
  const jekyll = readJekyllConfig(source);
  const site = await readSiteSection(jekyll);
  diags.push(...site.diagnostics);
  if (site.config) files.push(join(source, '_config.yml'));
  let config = withAbsolutePaths(site.config ?? {}, source);
  if (file !== undefined) {
    // Only a file the user named is trusted to point outside the site; one found there is the site's.
    const trusted = options.file !== undefined || !isWithin(realFolder(source), realFolder(file));
    // A script is code: it runs when the user named it or keeps it in the folder they work in
    // (as eslint or vite configs), never because it came with a site built from elsewhere.
    const runnable = options.file !== undefined || realFolder(dirname(file)) === realFolder(cwd);
    const read =
      /\.(js|ts)$/.test(file) && !runnable
        ? {
            diagnostics: [
              problem(
                'error',
                'config/script-not-run',
                `${basename(file)} is a script in the site folder, not in the folder you work in; it is not run (a site's files are untrusted). Pass it with --config to run it, or write bookbinder.config.yml`,
                displayPath(file, source),
              ),
            ],
          }
        : await readConfigFile(file, source, trusted ? undefined : source);
    diags.push(...read.diagnostics);
    if (read.config) {
      files.push(file);
      config = { ...config, ...withAbsolutePaths(read.config, dirname(file)) };
    }
  }
  return { config, source, files, jekyll, diagnostics: sortDiagnostics(diags) };
}

/**
 * Whether a folder (which may not exist yet) lies inside `root`, written and after links: its
 * nearest existing ancestor is resolved, so `_link/out` with `_link -> /etc` is outside.
 */
function folderWithin(root: string, folder: string): boolean {
  const base = realFolder(root);
  if (!isWithin(resolve(root), folder) && !isWithin(base, folder)) return false;
  let probe = folder;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  return isWithin(base, realFolder(probe));
}

/** The real path of a file or folder (as given when it cannot be resolved). */
function realFolder(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Makes the config's paths absolute against the folder of the file that wrote them. */
function withAbsolutePaths(config: BookbinderConfig, dir: string): BookbinderConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  return {
    ...config,
    ...(config.source !== undefined && { source: abs(config.source) }),
    ...(config.output !== undefined && { output: abs(config.output) }),
    ...(config.styles !== undefined && { styles: config.styles.map(abs) }),
    ...(config.titlePage !== undefined && { titlePage: abs(config.titlePage) }),
  };
}

/** Reads one config file (YAML, JSON, JS or TS) and validates it. */
export async function readConfigFile(
  abs: string,
  source: string,
  confineTo?: string,
): Promise<{ config?: BookbinderConfig; diagnostics: ConfigDiagnostic[] }> {
  const shown = displayPath(abs, source);
  if (confineTo !== undefined) {
    const inside = findSiteFile(confineTo, abs);
    if ('problem' in inside && inside.problem !== 'missing')
      return {
        diagnostics: [
          problem(
            'error',
            inside.problem === 'outside' ? 'config/outside-site' : 'config/unreadable',
            `${basename(abs)} ${describeProblem(inside.problem)}`,
            shown,
          ),
        ],
      };
  }
  if (/\.(js|ts)$/.test(abs))
    return confined(await readScriptConfig(abs, shown), abs, confineTo, undefined, shown);
  const text = readFileSync(abs, 'utf8');
  const json = abs.endsWith('.json');
  const lineCounter = new LineCounter();
  const doc = parseDocument(
    text,
    json ? { lineCounter, prettyErrors: false } : { lineCounter, prettyErrors: false, uniqueKeys: true },
  );
  const syntax = doc.errors[0];
  if (syntax) {
    const at = syntax.linePos?.[0] ?? lineCounter.linePos(syntax.pos[0]);
    // An unclosed bracket is found at the end of the text: show the last line that has text.
    const lastLine = text.trimEnd().split('\n').length;
    const pos = at.line > lastLine ? { line: lastLine, col: 0 } : at;
    const what = json ? 'JSON' : 'YAML';
    return {
      diagnostics: [
        problem(
          'error',
          `config/invalid-${json ? 'json' : 'yaml'}`,
          `not valid ${what}: ${syntax.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? ''}`,
          shown,
          pos.line,
          codeFrame(text, pos.line, pos.col),
        ),
      ],
    };
  }
  const yaml = { doc, lineCounter, text, prefix: [] };
  let value: unknown;
  try {
    value = yamlValue(doc, text);
  } catch (e) {
    if (!(e instanceof YamlError)) throw e;
    return {
      diagnostics: [
        problem(
          'error',
          `config/invalid-${json ? 'json' : 'yaml'}`,
          e.message,
          shown,
          e.line,
          codeFrame(text, e.line, 0),
        ),
      ],
    };
  }
  return confined(await validate(value ?? {}, yaml, shown), abs, confineTo, yaml, shown);
}

/**
 * A config file of the site may only name files inside the site: `styles: [/etc/passwd]` or a
 * `titlePage` reached through `..` or a link is an error at its line, and the path is dropped.
 */
function confined(
  read: { config?: BookbinderConfig; diagnostics: ConfigDiagnostic[] },
  file: string,
  root: string | undefined,
  yaml: YamlSource | undefined,
  shown: string,
): { config?: BookbinderConfig; diagnostics: ConfigDiagnostic[] } {
  const config = read.config;
  if (root === undefined || config === undefined) return read;
  const diagnostics = [...read.diagnostics];
  const dir = dirname(file);
  const outside = (path: string, at: readonly string[]): boolean => {
    const found = findSiteFile(root, resolve(dir, path));
    if (!('problem' in found) || found.problem !== 'outside') return false;
    const pos = yaml ? locate(yaml, at, undefined) : undefined;
    diagnostics.push(
      problem(
        'error',
        'config/outside-site',
        `${[...(yaml?.prefix ?? []), ...at].join('.')}: ${path} ${describeProblem('outside')} (a config file inside the site may only name the site's own files; give a trusted one with --config)`,
        shown,
        pos?.line ?? 0,
        pos && yaml ? codeFrame(yaml.text, pos.line, pos.col, pos.span) : undefined,
      ),
    );
    return true;
  };
  const kept: BookbinderConfig = { ...config };
  if (config.styles !== undefined)
    kept.styles = config.styles.filter((p, i) => !outside(p, ['styles', String(i)]));
  if (config.titlePage !== undefined && outside(config.titlePage, ['titlePage'])) delete kept.titlePage;
  // Where files are written is as sensitive as what is read: `output: /var/www/html` with
  // `name: index` in a site's own config would overwrite a web root when the site is built.
  if (config.output !== undefined && !folderWithin(root, resolve(dir, config.output))) {
    const pos = yaml ? locate(yaml, ['output'], undefined) : undefined;
    diagnostics.push(
      problem(
        'error',
        'config/outside-site',
        `${[...(yaml?.prefix ?? []), 'output'].join('.')}: ${config.output} is outside the site folder (a config file inside the site may only write inside it, e.g. \`output: _book\`; choose the folder with -o, or give a trusted config with --config)`,
        shown,
        pos?.line ?? 0,
        pos && yaml ? codeFrame(yaml.text, pos.line, pos.col, pos.span) : undefined,
      ),
    );
    delete kept.output;
  }
  return { config: kept, diagnostics };
}

async function readScriptConfig(
  abs: string,
  shown: string,
): Promise<{ config?: BookbinderConfig; diagnostics: ConfigDiagnostic[] }> {
  try {
    // jiti compiles TypeScript on Node 20, which cannot strip types itself.
    const { createJiti } = await import('jiti');
    const jiti = createJiti(pathToFileURL(abs).href, { moduleCache: false, fsCache: false });
    let value: unknown = await jiti.import(abs, { default: true });
    if (typeof value === 'function') value = await (value as () => unknown)();
    return validate(value ?? {}, undefined, shown);
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return { diagnostics: [problem('error', 'config/load-failed', `could not load: ${message}`, shown)] };
  }
}

/** The `bookbinder:` key of `_config.yml`; syntax errors are the site loader's to report. */
async function readSiteSection(
  site: JekyllConfigFile,
): Promise<{ config?: BookbinderConfig; diagnostics: ConfigDiagnostic[] }> {
  // One that is missing, resolves outside the site or does not parse: the site loader reports it.
  const { yaml, value } = site;
  if (!yaml || site.error || !isMap(yaml.doc.contents) || !yaml.doc.has('bookbinder'))
    return { diagnostics: [] };
  const section = (value as Record<string, unknown>).bookbinder;
  const at = { ...yaml, prefix: ['bookbinder'] };
  return confined(
    await validate(section ?? {}, at, '_config.yml'),
    join(site.root, '_config.yml'),
    site.root,
    at,
    '_config.yml',
  );
}

interface YamlSource {
  readonly doc: Document;
  readonly lineCounter: LineCounter;
  readonly text: string;
  /** Where the settings sit in the document (`['bookbinder']` in `_config.yml`). */
  readonly prefix: readonly string[];
}

type Schema = (typeof import('./schema.js'))['BookbinderConfig'];

/** The schema, loaded (with zod) only when there are settings to check: many books have none. */
async function loadSchema(): Promise<Schema> {
  return (await import('./schema.js')).BookbinderConfig;
}

/** Validates a value; each schema issue becomes a diagnostic at its line, with a code frame. */
export async function validate(
  value: unknown,
  yaml: YamlSource | undefined,
  shown: string,
): Promise<{ config?: BookbinderConfig; diagnostics: ConfigDiagnostic[] }> {
  const schema = await loadSchema();
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return { config: parsed.data, diagnostics: [] };
  const diagnostics: ConfigDiagnostic[] = [];
  // Unknown keys, and bad values of the `pdf`/`epub` sections, are warnings: the key is dropped
  // and the rest of the settings kept (the way Jekyll ignores keys it does not know).
  const drop: (string | number)[][] = [];
  let softOnly = true;
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String);
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    for (const key of keys) {
      const at = yaml ? locate(yaml, path, key) : undefined;
      const where = [...(yaml?.prefix ?? []), ...path, ...(key === undefined ? [] : [key])].join('.');
      const frame = at && yaml ? codeFrame(yaml.text, at.line, at.col, at.span) : undefined;
      if (key !== undefined) {
        drop.push([...issue.path.map((p) => p as string | number), key]);
        diagnostics.push(
          problem(
            'warning',
            'config/unknown-key',
            `unknown setting ${where || '(top level)'}${suggest(keysAt(schema, path), key)}; it is ignored`,
            shown,
            at?.line ?? 0,
            frame,
          ),
        );
        continue;
      }
      const section = path[0];
      if (section === 'pdf' || section === 'epub') {
        // Up to the first list index: a bad item drops its whole list.
        const cut = issue.path.findIndex((p) => typeof p === 'number');
        drop.push(issue.path.slice(0, cut === -1 ? undefined : cut).map((p) => p as string | number));
        diagnostics.push(
          problem(
            'warning',
            section === 'pdf' ? 'config/pdf-invalid' : 'config/epub',
            `${where}: ${describe(issue)}; the default is used`,
            shown,
            at?.line ?? 0,
            frame,
          ),
        );
        continue;
      }
      softOnly = false;
      diagnostics.push(
        problem(
          'error',
          'config/invalid',
          `${where || 'settings'}: ${describe(issue)}`,
          shown,
          at?.line ?? 0,
          frame,
        ),
      );
    }
  }
  if (!softOnly) return { diagnostics };
  const again = schema.safeParse(without(value, drop));
  return again.success ? { config: again.data, diagnostics } : { diagnostics };
}

/** A copy of `value` without the keys at `paths`. */
function without(value: unknown, paths: readonly (readonly (string | number)[])[]): unknown {
  const copy: unknown = structuredClone(value);
  for (const path of paths) {
    let node: unknown = copy;
    for (const p of path.slice(0, -1))
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[p] : undefined;
    const last = path[path.length - 1];
    if (last !== undefined && node !== null && typeof node === 'object')
      delete (node as Record<string, unknown>)[last];
  }
  return copy;
}

/** The keys the schema knows in the mapping at `path` (for "did you mean"). */
function keysAt(schema: Schema, path: readonly string[]): string[] {
  let node: unknown = schema;
  for (const p of ['', ...path]) {
    if (p !== '') node = (node as { shape?: Record<string, unknown> }).shape?.[p];
    // Optional wrappers hold the object schema inside.
    while (node !== null && typeof node === 'object' && 'unwrap' in node && !('shape' in node))
      node = (node as { unwrap: () => unknown }).unwrap();
  }
  const shape = (node as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const got = (issue as { input?: unknown }).input;
    return `expected ${issue.expected}, got ${got === null ? 'null' : Array.isArray(got) ? 'array' : typeof got}`;
  }
  return issue.message;
}

function suggest(names: readonly string[], key: string): string {
  const k = key.toLowerCase();
  // A near spelling, or a known name inside the key (`pagesize` for `size`).
  const near =
    names.find((n) => distance(n.toLowerCase(), k) <= 2) ??
    names.find((n) => n.length >= 4 && (k.includes(n.toLowerCase()) || n.toLowerCase().includes(k)));
  return near ? ` (did you mean ${near}?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** The line and column of the node at `path` (or of `key` in the mapping there). */
function locate(
  yaml: YamlSource,
  path: readonly string[],
  key: string | undefined,
): { line: number; col: number; span: number } | undefined {
  const full: (string | number)[] = [...yaml.prefix, ...path].map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  for (let n = full.length; n >= 0; n--) {
    const node = yaml.doc.getIn(full.slice(0, n), true) as Node | undefined;
    if (!node) continue;
    let range = node.range;
    if (n === full.length && key !== undefined && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (pair && isScalar(pair.key) && pair.key.range) range = pair.key.range;
    } else if (n < full.length && isMap(node)) {
      // The value is missing or an alias: point at the key that names it.
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === full[n]);
      if (pair && isScalar(pair.key) && pair.key.range) range = pair.key.range;
    }
    if (!range) continue;
    const pos = yaml.lineCounter.linePos(range[0]);
    const end = yaml.lineCounter.linePos(range[1]);
    return { line: pos.line, col: pos.col, span: end.line === pos.line ? end.col - pos.col : 1 };
  }
  return undefined;
}

function displayPath(abs: string, source: string): string {
  const rel = relative(source, abs);
  return (rel === '' ? basename(abs) : rel).split(sep).join('/');
}

function problem(
  severity: 'error' | 'warning',
  code: string,
  message: string,
  file: string,
  line = 0,
  frame?: string,
): ConfigDiagnostic {
  return { severity, code, message, file, line, ...(frame ? { frame } : {}) };
}
