/**
 * The site's data files (`Jekyll::DataReader`): `_data/**` YAML, JSON, CSV and TSV become
 * Liquid's `site.data`, a folder becoming a nested mapping and a table a list of rows.
 */
import { existsSync, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostics } from '../diagnostics.js';
import type { SiteConfig } from '../model.js';
import { parseYaml, YamlError } from './yaml.js';
import { describeProblem, isWithin, readSiteFile } from './site-files.js';

/** The extensions Jekyll reads, in the order of its glob (a later file wins a shared key). */
const EXTENSIONS = ['yaml', 'yml', 'json', 'csv', 'tsv'] as const;

/** `DataReader#sanitize_filename`: the key a file or folder name gives. */
export function dataKey(name: string): string {
  return name.replace(/[^A-Za-z0-9_\s-]+|(?<=^|\b\s)\s+(?=$|\s?\b)/g, '').replace(/\s+/g, '_');
}

/** Why a table could not be read, and where. */
class TableError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/**
 * Splits CSV text into rows as Ruby's `CSV` does: quoted fields may hold separators, line
 * breaks and doubled quotes; an empty unquoted field is nil. Stray or unclosed quotes throw,
 * with the line.
 */
export function parseTable(text: string, sep: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const blank = /^\r?\n/.exec(text.slice(i, i + 2));
    if (blank) {
      // A blank line is a row with no fields; Ruby keeps it (a row of nils under headers).
      rows.push([]);
      i += blank[0].length;
      line++;
      continue;
    }
    const row: (string | null)[] = [];
    for (;;) {
      let field: string | null;
      if (text[i] === '"') {
        const start = line;
        let value = '';
        i++;
        for (;;) {
          if (i >= n) throw new TableError('a quoted field is never closed', start);
          const ch = text[i]!;
          if (ch === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n') line++;
          value += ch;
          i++;
        }
        field = value;
        if (i < n && text[i] !== sep && text[i] !== '\n' && text[i] !== '\r')
          throw new TableError('text follows a closing quote in the same field', line);
      } else {
        let end = i;
        while (end < n && text[end] !== sep && text[end] !== '\n' && text[end] !== '\r') end++;
        const raw = text.slice(i, end);
        if (raw.includes('"')) throw new TableError('a quote inside an unquoted field', line);
        field = raw === '' ? null : raw;
        i = end;
      }
      row.push(field);
      if (i < n && text[i] === sep) {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') {
      i++;
      line++;
    }
    rows.push(row);
  }
  return rows;
}

/** Rows as mappings from the header row's names (`CSV::Row#to_hash`: the first name wins). */
function withHeaders(rows: (string | null)[][]): Record<string, string | null>[] {
  const [header, ...body] = rows;
  if (!header) return [];
  return body.map((row) => {
    const out: Record<string, string | null> = {};
    header.forEach((name, k) => {
      const key = name ?? '';
      if (!(key in out)) out[key] = row[k] ?? null;
    });
    return out;
  });
}

/** Reads one data file; a malformed one is an error at its line and gives nothing. */
function readDataFile(
  root: string,
  file: string,
  ext: string,
  site: SiteConfig,
  diags: Diagnostics,
): unknown {
  let text: string;
  const read = readSiteFile(root, file);
  if (!('content' in read)) {
    const code = read.problem === 'outside' ? 'source/outside-site' : 'data/unreadable';
    diags.warn(code, `the data file ${describeProblem(read.problem)}; \`site.data\` lacks it`, file, 0);
    return undefined;
  }
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(read.content);
  } catch {
    diags.warn(
      'data/unreadable',
      'the data file cannot be read as UTF-8 text; `site.data` lacks it',
      file,
      1,
    );
    return undefined;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (ext === 'csv' || ext === 'tsv') {
    const reader = site.data[ext === 'csv' ? 'csv_reader' : 'tsv_reader'];
    const headers = !(
      reader &&
      typeof reader === 'object' &&
      'headers' in reader &&
      reader.headers === false
    );
    try {
      const rows = parseTable(text, ext === 'csv' ? ',' : '\t');
      return headers ? withHeaders(rows) : rows;
    } catch (e) {
      if (!(e instanceof TableError)) throw e;
      diags.warn(
        'data/invalid-table',
        `malformed ${ext.toUpperCase()}: ${e.message}; \`site.data\` lacks this file`,
        file,
        e.line,
      );
      return undefined;
    }
  }
  if (ext === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      // Jekyll reads JSON with its YAML parser, which also takes what strict JSON refuses.
      try {
        return parseYaml(text);
      } catch (y) {
        if (!(y instanceof YamlError)) throw y;
        const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
        diags.warn(
          'data/invalid-json',
          `invalid JSON: ${message}; \`site.data\` lacks this file`,
          file,
          y.line,
        );
        return undefined;
      }
    }
  }
  try {
    return parseYaml(text);
  } catch (e) {
    if (!(e instanceof YamlError)) throw e;
    diags.warn(
      'data/invalid-yaml',
      `invalid YAML: ${e.message}; \`site.data\` lacks this file`,
      file,
      e.line,
    );
    return undefined;
  }
}

/**
 * Reads the data folder (`data_dir`, default `_data`) into `site.data`. When `_config.yml`
 * has its own `data:` mapping, Jekyll uses that instead (`Site#site_data`), and so do we.
 */
export function loadSiteData(root: string, site: SiteConfig, diags: Diagnostics): Record<string, unknown> {
  const own = site.data.data;
  if (own !== null && own !== undefined && own !== false) {
    return own !== null && typeof own === 'object' && !Array.isArray(own)
      ? (own as Record<string, unknown>)
      : {};
  }
  const setting = site.data.data_dir;
  const dir = (typeof setting === 'string' ? setting : '_data').replace(/^\/+|\/+$/g, '');
  const out: Record<string, unknown> = {};
  const abs = join(root, dir);
  if (dir === '' || !existsSync(abs) || !statSync(abs).isDirectory()) return out;
  if (!isWithin(realpathSync(root), realpathSync(abs))) {
    diags.warn(
      'source/outside-site',
      `the data folder ${dir} resolves outside the site (a symbolic link); it is not read, and \`site.data\` is empty`,
      dir,
      0,
    );
    return out;
  }
  readFolder(root, dir, out, site, diags);
  return out;
}

/** Whether a path (after links) is a folder; false when it cannot be read. */
function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readFolder(
  root: string,
  rel: string,
  into: Record<string, unknown>,
  site: SiteConfig,
  diags: Diagnostics,
): void {
  const names = readdirSync(join(root, rel)).sort();
  const from = new Map<string, string>();
  const put = (key: string, value: unknown, file: string): void => {
    const before = from.get(key);
    if (before !== undefined)
      diags.warn(
        'data/duplicate-key',
        `${before} and ${file} both give \`site.data\` the key "${key}"; as in Jekyll, ${file} wins`,
        file,
        1,
      );
    from.set(key, file);
    into[key] = value;
  };
  const files = EXTENSIONS.flatMap((ext) =>
    names.filter((n) => !n.startsWith('.') && n.endsWith(`.${ext}`)).map((n) => ({ n, ext })),
  );
  for (const { n, ext } of files) {
    const file = `${rel}/${n}`;
    const abs = join(root, file);
    if (lstatSync(abs).isSymbolicLink()) {
      diags.warn('source/symlink', 'the data file is a symbolic link; it is not followed', file, 0);
      continue;
    }
    if (!statSync(abs).isFile()) continue;
    const value = readDataFile(root, file, ext, site, diags);
    if (value !== undefined) put(dataKey(n.replace(/\.[^.]*$/, '')), value, file);
  }
  for (const n of names) {
    const file = `${rel}/${n}`;
    if (n.startsWith('.')) continue;
    if (lstatSync(join(root, file)).isSymbolicLink()) {
      if (isFolder(join(root, file)))
        diags.warn('source/symlink', 'the data folder is a symbolic link; it is not followed', file, 0);
      continue;
    }
    if (!statSync(join(root, file)).isDirectory()) continue;
    const nested: Record<string, unknown> = {};
    put(dataKey(n), nested, file);
    readFolder(root, file, nested, site, diags);
  }
}
