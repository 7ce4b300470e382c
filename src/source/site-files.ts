/**
 * The one gate for reading a site's files. A site is untrusted input: a symbolic link inside it
 * (`_includes/x.html -> /etc/passwd`, a linked `_includes` folder, a stylesheet, a cover) must
 * not make a build read anything outside the site folder. Every path a site names is resolved
 * after links (realpath) and read only when it stays inside the folder.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** Why a file of the site cannot be read. */
export type SiteFileProblem = 'missing' | 'outside' | 'not-a-file' | 'unreadable';

/** A file found inside the site: its real path. Or why not. */
export type SiteFileLookup = { readonly real: string } | { readonly problem: SiteFileProblem };

/** True when `path` is `folder` or lies inside it (both absolute and already resolved). */
export function isWithin(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The real path of a folder, or the folder as given when it does not exist (yet). */
function realFolder(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return resolve(folder);
  }
}

/**
 * Finds the file at `path` (absolute, or relative to `root`) when it is, after every symbolic
 * link, a regular file inside `root`.
 */
export function findSiteFile(root: string, path: string): SiteFileLookup {
  const abs = resolve(root, path);
  const base = realFolder(root);
  // Checked before touching the disk: a path written outside is refused whether it exists or not.
  if (!isWithin(resolve(root), abs) && !isWithin(base, abs)) return { problem: 'outside' };
  let real: string;
  try {
    real = realpathSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable' };
  }
  if (!isWithin(base, real)) return { problem: 'outside' };
  try {
    if (!statSync(real).isFile()) return { problem: 'not-a-file' };
  } catch {
    return { problem: 'unreadable' };
  }
  return { real };
}

/** A file's bytes, read only when it resolves inside `root`. */
export type SiteRead<T> =
  { readonly content: T; readonly real: string } | { readonly problem: SiteFileProblem };

/** Reads a file of the site (see {@link findSiteFile}); never reads one that resolves outside. */
export function readSiteFile(root: string, path: string): SiteRead<Buffer> {
  const found = findSiteFile(root, path);
  if (!('real' in found)) return found;
  try {
    return { content: readFileSync(found.real), real: found.real };
  } catch {
    return { problem: 'unreadable' };
  }
}

/** Reads a text file of the site as UTF-8 (see {@link readSiteFile}). */
export function readSiteText(root: string, path: string): SiteRead<string> {
  const r = readSiteFile(root, path);
  return 'content' in r ? { content: r.content.toString('utf8'), real: r.real } : r;
}

/** A problem in words, for diagnostics: "resolves outside the site folder", … */
export function describeProblem(problem: SiteFileProblem): string {
  switch (problem) {
    case 'missing':
      return 'does not exist';
    case 'outside':
      return 'resolves (through a symbolic link or `..`) outside the site folder, so it is not read';
    case 'not-a-file':
      return 'is not a regular file';
    case 'unreadable':
      return 'cannot be read';
  }
}
