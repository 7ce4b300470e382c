/** Reads a book's theme overrides: extra stylesheets and a title page template, from files. */
import { existsSync, readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type { Diagnostics } from '../diagnostics.js';
import type { Theme } from '../model.js';

/** Where the theme files are (absolute paths, or relative to `base`). */
export interface ThemeFiles {
  readonly styles?: readonly string[];
  readonly titlePage?: string;
}

/** Reads the theme files; a missing one is an error naming it (the book would look wrong). */
export function loadTheme(files: ThemeFiles, root: string, diags: Diagnostics): Theme | undefined {
  if (!files.styles?.length && files.titlePage === undefined) return undefined;
  const read = (abs: string, what: string): string | undefined => {
    if (existsSync(abs)) return readFileSync(abs, 'utf8');
    const shown = relative(root, abs).split(sep).join('/');
    diags.error('config/theme-missing', `the ${what} ${shown} does not exist`);
    return undefined;
  };
  const css = (files.styles ?? []).flatMap((f) => read(f, 'stylesheet') ?? []);
  const titlePage = files.titlePage === undefined ? undefined : read(files.titlePage, 'title page template');
  return { css, ...(titlePage !== undefined && { titlePage }) };
}
