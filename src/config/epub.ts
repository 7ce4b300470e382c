/**
 * The EPUB settings under `bookbinder: epub:` in `_config.yml`, with their defaults. A small
 * typed reader until the full configuration schema exists; bad values become warnings.
 */
import type { Diagnostics } from '../diagnostics.js';
import type { SiteConfig } from '../model.js';

/** How the cover is made: an image of the site, generated from title and author, or none. */
export type CoverSetting =
  | { readonly kind: 'image'; readonly path: string }
  | { readonly kind: 'generate' }
  | { readonly kind: 'none' };

/** The EPUB's publication metadata and options, resolved from the config and `_config.yml`. */
export interface EpubConfig {
  readonly cover: CoverSetting;
  /** BCP 47 language: `bookbinder.epub.lang`, then `_config.yml` `lang`. */
  readonly lang: string;
  /** `dc:identifier`; derived from `url` and title when undefined. */
  readonly identifier?: string;
  readonly publisher?: string;
  readonly description?: string;
  readonly subjects: readonly string[];
  readonly rights?: string;
  /** Extra creators beyond `_config.yml` `author` (rarely needed). */
  readonly creators?: readonly string[];
  /** The publication date as written (`YYYY`, `YYYY-MM-DD`…); the build date when undefined. */
  readonly date?: string;
  /** Overrides the generated accessibility summary. */
  readonly accessibilitySummary?: string;
}

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Reads `bookbinder: epub:` (and the site-wide keys it falls back to) from the site config. */
export function readEpubConfig(site: SiteConfig, diags: Diagnostics): EpubConfig {
  const epub = record(record(site.data.bookbinder).epub);
  const text = (key: string, v: unknown): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' || typeof v === 'number') return String(v).trim() || undefined;
    if (v instanceof Date) return v.toISOString().slice(0, 10);
    diags.warn('config/epub', `bookbinder.epub.${key} should be a string; it is ignored`, '_config.yml', 0);
    return undefined;
  };
  const list = (key: string, v: unknown): string[] => {
    if (v === undefined || v === null) return [];
    if (typeof v === 'string')
      return v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string').map((s) => s.trim());
    diags.warn(
      'config/epub',
      `bookbinder.epub.${key} should be a list of strings; it is ignored`,
      '_config.yml',
      0,
    );
    return [];
  };
  const lang = text('lang', epub.lang) ?? site.lang;
  const date = text('date', epub.date);
  const identifier = text('identifier', epub.identifier);
  const publisher = text('publisher', epub.publisher) ?? text('publisher', site.data.publisher);
  const description = text('description', epub.description);
  const rights = text('rights', epub.rights) ?? text('copyright', site.data.copyright);
  const creators = epub.creators === undefined ? undefined : list('creators', epub.creators);
  const summary = text('accessibility_summary', epub.accessibility_summary);
  return {
    cover: coverOf(epub.cover, diags),
    lang,
    subjects: list('subjects', epub.subjects ?? site.data.keywords),
    ...(identifier !== undefined && { identifier }),
    ...(publisher !== undefined && { publisher }),
    ...(description !== undefined && { description }),
    ...(rights !== undefined && { rights }),
    ...(creators !== undefined && { creators }),
    ...(date !== undefined && { date }),
    ...(summary !== undefined && { accessibilitySummary: summary }),
  };
}

function coverOf(v: unknown, diags: Diagnostics): CoverSetting {
  if (v === undefined || v === null || v === true || v === 'generate') return { kind: 'generate' };
  if (v === false || v === 'none') return { kind: 'none' };
  if (typeof v === 'string' && v.trim() !== '') return { kind: 'image', path: v.trim().replace(/^\/+/, '') };
  diags.warn(
    'config/epub',
    'bookbinder.epub.cover should be an image path, `generate` or `none`; a cover is generated',
    '_config.yml',
    0,
  );
  return { kind: 'generate' };
}
