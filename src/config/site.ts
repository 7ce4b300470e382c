/** Reads the Jekyll site settings bookbinder uses from `_config.yml` (and the Gemfile). */
import type { Diagnostics } from '../diagnostics.js';
import type { SiteConfig } from '../model.js';
import { describeProblem, readSiteText } from '../source/site-files.js';
import { type JekyllConfigFile, readJekyllConfig } from './jekyll-file.js';

/** The settings a site without `_config.yml` gets. */
export function defaultSiteConfig(): SiteConfig {
  return {
    title: '',
    author: [],
    description: '',
    lang: 'en',
    url: '',
    baseurl: '',
    permalink: 'date',
    navSort: 'case_sensitive',
    jekyllVersion: 4,
    exclude: [],
    include: [],
    data: {},
  };
}

/**
 * The site settings from `_config.yml` (read from the source folder unless the config stage
 * already read it); problems become diagnostics, never exceptions.
 */
export function loadSiteConfig(
  root: string,
  diags: Diagnostics,
  file: JekyllConfigFile = readJekyllConfig(root),
): SiteConfig {
  const base = defaultSiteConfig();
  let data: Record<string, unknown> = {};
  if (file.problem)
    diags.error(
      file.problem === 'outside' ? 'config/outside-site' : 'config/unreadable',
      `_config.yml ${describeProblem(file.problem)}`,
      '_config.yml',
      0,
    );
  if (file.error)
    diags.error(
      'config/invalid-yaml',
      `_config.yml is not valid YAML: ${file.error.message}`,
      '_config.yml',
      file.error.line,
    );
  const parsed = file.error ? undefined : file.value;
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    data = parsed as Record<string, unknown>;
  } else if (parsed !== null && parsed !== undefined) {
    diags.warn('config/not-a-mapping', '_config.yml is not a mapping; it is ignored', '_config.yml', 1);
  }
  const str = (v: unknown, d: string): string => (typeof v === 'string' ? v.trim() : d);
  const bookbinder = asRecord(data.bookbinder);
  return {
    title: str(data.title, base.title),
    author: authorsOf(data.author),
    description: str(data.description, base.description),
    lang: str(data.lang, str(data.locale, base.lang)).replace('_', '-'),
    url: str(data.url, '').replace(/\/+$/, ''),
    baseurl: normaliseBaseurl(str(data.baseurl, '')),
    permalink: str(data.permalink, base.permalink),
    navSort: data.nav_sort === 'case_insensitive' ? 'case_insensitive' : 'case_sensitive',
    jekyllVersion: jekyllVersionOf(root, bookbinder.jekyll, diags),
    exclude: stringList(data.exclude),
    include: stringList(data.include),
    data,
    configText: file.text,
  };
}

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function authorsOf(v: unknown): string[] {
  if (typeof v === 'string') return v.trim() ? [v.trim()] : [];
  if (Array.isArray(v)) return v.flatMap(authorsOf);
  const rec = asRecord(v);
  return typeof rec.name === 'string' ? [rec.name.trim()] : [];
}

function normaliseBaseurl(b: string): string {
  const t = b.replace(/\/+$/, '');
  return t === '' ? '' : t.startsWith('/') ? t : `/${t}`;
}

/**
 * Jekyll 3.9 (classic GitHub Pages: a `github-pages` gem in the Gemfile or its lock file) sorts
 * number-like strings as text; Jekyll 4 as numbers. `bookbinder: { jekyll: 3 }` in
 * `_config.yml` overrides the guess (a site built by a GitHub Action with Jekyll 4 may still
 * keep the gem in its Gemfile).
 */
export function jekyllVersionOf(root: string, override: unknown, diags?: Diagnostics): 3 | 4 {
  if (override === 3 || override === '3') return 3;
  if (override === 4 || override === '4') return 4;
  if (override !== undefined && override !== null)
    diags?.warn(
      'config/invalid-value',
      `\`bookbinder.jekyll\` must be 3 or 4, not ${JSON.stringify(override)}; the version is guessed from the Gemfile`,
      '_config.yml',
      1,
    );
  const text = (name: string): string => {
    const r = readSiteText(root, name);
    return 'content' in r ? r.content : '';
  };
  const gemfile = text('Gemfile');
  if (/^\s*gem\s+["']github-pages["']/m.test(gemfile)) return 3;
  if (/^\s*gem\s+["']jekyll["']\s*,\s*["'][~>= ]*3\./m.test(gemfile)) return 3;
  const lock = text('Gemfile.lock');
  if (/^ {4}github-pages \(/m.test(lock) || /^ {4}jekyll \(3\./m.test(lock)) return 3;
  return 4;
}
