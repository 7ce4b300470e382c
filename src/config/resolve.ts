/**
 * Merges the settings for one run: command-line flags over the config file over the
 * `bookbinder:` key of `_config.yml` over the defaults (`_config.yml`'s own keys come later,
 * in the build, under whatever the config overrides).
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { JekyllConfigFile } from './jekyll-file.js';
import type { LoadedConfig } from './load.js';
import type { BookbinderConfig, FORMAT_NAMES } from './schema.js';

/** One output format. */
type Format = (typeof FORMAT_NAMES)[number];

/**
 * The build options the settings give: a part of `BuildOptions` (build.ts), spelled out here so
 * that the config stage does not import the build that runs after it.
 */
export interface BuildSettings {
  readonly source: string;
  readonly outDir: string;
  readonly formats: readonly Format[];
  readonly name: string;
  readonly strict: boolean;
  readonly allowRemote: boolean;
  readonly root?: string;
  readonly site?: {
    readonly title?: string;
    readonly author?: readonly string[];
    readonly description?: string;
    readonly lang?: string;
    readonly jekyllVersion?: 3 | 4;
  };
  readonly sections?: Readonly<Record<string, unknown>>;
  readonly styles?: readonly string[];
  readonly titlePage?: string;
  /** The source folder's `_config.yml` as the config stage read and parsed it. */
  readonly jekyllConfig?: JekyllConfigFile;
}

/** The flags the command line can give; absent means "not given" (the config may set it). */
export interface CliFlags {
  readonly output?: string;
  readonly format?: readonly Format[];
  readonly name?: string;
  readonly root?: string;
  readonly json?: boolean;
  readonly strict?: boolean;
  readonly allowRemote?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
  readonly port?: number;
}

/** Everything a run needs, merged. */
export interface Settings {
  /** Options for {@link build} (outDir relative to the working folder when inside it). */
  readonly build: BuildSettings;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly port: number;
}

/** The default preview port (Jekyll's). */
export const DEFAULT_PORT = 4000;

/** Merges flags over the loaded config; `cwd` anchors the flags' relative paths. */
export function resolveSettings(flags: CliFlags, loaded: LoadedConfig, cwd = process.cwd()): Settings {
  const c: BookbinderConfig = loaded.config;
  const authors = c.author === undefined ? undefined : Array.isArray(c.author) ? c.author : [c.author];
  const site = {
    ...(c.title !== undefined && { title: c.title }),
    ...(authors !== undefined && { author: authors }),
    ...(c.description !== undefined && { description: c.description }),
    ...(c.lang !== undefined && { lang: c.lang.replace('_', '-') }),
    ...(c.jekyll !== undefined && { jekyllVersion: Number(c.jekyll) as 3 | 4 }),
  };
  const sections = {
    ...(c.pdf !== undefined && { pdf: c.pdf }),
    ...(c.epub !== undefined && { epub: c.epub }),
    ...(c.subtitle !== undefined && { subtitle: c.subtitle }),
    ...(c.chapter_toc !== undefined && { chapter_toc: c.chapter_toc }),
  };
  const root = flags.root ?? c.root;
  const build: Settings['build'] = {
    source: loaded.source,
    outDir: shown(
      flags.output !== undefined ? resolve(cwd, flags.output) : (c.output ?? resolve(cwd, 'output')),
      cwd,
    ),
    formats: flags.format ?? c.formats ?? ['pdf', 'epub', 'html'],
    name: flags.name ?? c.name ?? 'book',
    strict: flags.strict ?? c.strict ?? false,
    allowRemote: flags.allowRemote ?? c.allowRemote ?? false,
    ...(root !== undefined && { root }),
    ...(Object.keys(site).length > 0 && { site }),
    ...(Object.keys(sections).length > 0 && { sections }),
    ...(c.styles !== undefined && { styles: c.styles }),
    ...(c.titlePage !== undefined && { titlePage: c.titlePage }),
    jekyllConfig: loaded.jekyll,
  };
  return {
    build,
    json: flags.json ?? c.json ?? false,
    quiet: flags.quiet ?? c.quiet ?? false,
    verbose: flags.verbose ?? c.verbose ?? false,
    port: flags.port ?? c.preview?.port ?? DEFAULT_PORT,
  };
}

/** A path as the report shows it: relative to the working folder when inside it. */
function shown(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}
