/**
 * `bookbinder init [DIR]`: scaffolds a small just-the-docs book — `_config.yml`, a config file
 * with its schema, pages with front matter, commented style and title page overrides — that
 * `bookbinder build DIR` turns into a book at once.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { packageRoot } from '../paths.js';

/** What to scaffold. */
export interface InitOptions {
  readonly title: string;
  /** Overwrite files that already exist. */
  readonly force: boolean;
}

/** What init did, as lines for stderr. */
export interface InitResult {
  readonly ok: boolean;
  readonly written: readonly string[];
  readonly messages: readonly string[];
}

/** Lists the scaffold's files, relative to its folder, sorted. */
export function scaffoldFiles(): string[] {
  const base = join(packageRoot(), 'templates', 'init');
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(base, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      if (statSync(join(base, path)).isDirectory()) walk(path);
      else out.push(path);
    }
  };
  walk('');
  return out;
}

/** A YAML double-quoted string's content. */
function yamlQuoted(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** Writes the scaffold into `dir`; refuses (writing nothing) when a file would be overwritten. */
export function initBook(dir: string, options: InitOptions): InitResult {
  const target = resolve(dir);
  const base = join(packageRoot(), 'templates', 'init');
  const files = scaffoldFiles();
  const clashes = files.filter((f) => existsSync(join(target, f)));
  if (clashes.length > 0 && !options.force) {
    return {
      ok: false,
      written: [],
      messages: [
        `bookbinder: init would overwrite ${clashes.join(', ')} in ${dir}; nothing was written (use --force to overwrite)`,
      ],
    };
  }
  const written: string[] = [];
  for (const f of files) {
    let text = readFileSync(join(base, f), 'utf8');
    // Only _config.yml has slots; the title page template's {{…}} are for the build to fill.
    if (f === '_config.yml') text = text.replace('{{title}}', yamlQuoted(options.title));
    mkdirSync(dirname(join(target, f)), { recursive: true });
    writeFileSync(join(target, f), text);
    written.push(f);
  }
  const shown = relative(process.cwd(), target) || '.';
  return {
    ok: true,
    written,
    messages: [
      `bookbinder: created a book in ${shown}: ${written.join(', ')}`,
      `next: npx bookbinder build ${shown}   (or: npx bookbinder preview ${shown})`,
    ],
  };
}
