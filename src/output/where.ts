/**
 * Where a build may write. Some folders must never receive a book: the kernel's pseudo-file
 * systems (Node's recursive mkdir spins forever under /proc), the root of the file system, and
 * the source folder itself or a folder inside it that the next build would read as part of the site.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Diagnostics } from '../diagnostics.js';
import type { JekyllConfigFile } from '../config/jekyll-file.js';
import { loadSiteConfig } from '../config/site.js';
import { isSkipped } from '../source/load.js';

/** Pseudo-file systems: writing there is never meant, and may hang. */
const SYSTEM = ['/proc', '/sys', '/dev'];
const SHM = '/dev/shm';

/** The real path of `path`, following links as far as the path exists. */
function realish(path: string): string {
  const abs = resolve(path);
  const rest: string[] = [];
  for (let at = abs; ; at = dirname(at)) {
    try {
      return join(realpathSync(at), ...rest.reverse());
    } catch {
      if (dirname(at) === at) return abs;
      rest.push(basename(at));
    }
  }
}

function inside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * Why `outDir` must not receive the outputs of a build of `source`, or undefined when it may.
 * A folder inside the source is allowed when the site skips it, as Jekyll skips its `_site`: a
 * name on its way starts with `_` or `.`, or the site's `exclude` lists it.
 */
export function refuseOutputDir(
  source: string,
  outDir: string,
  jekyll?: JekyllConfigFile,
): string | undefined {
  const out = realish(outDir);
  const src = realish(source);
  // /dev/shm is an ordinary memory file system, where writing is fine.
  const system = SYSTEM.find((s) => (out === s || inside(out, s)) && !(out === SHM || inside(out, SHM)));
  if (system)
    return `the output folder ${outDir} is in ${system}, a system file system; choose another with -o`;
  if (out === dirname(out))
    return `the output folder ${outDir} is the root of the file system; choose a folder with -o`;
  if (out === src) return `the output folder ${outDir} is the source folder; choose another with -o`;
  if (inside(out, src)) {
    if (!skippedBySite(src, relative(src, out).split(sep), jekyll))
      return `the output folder ${outDir} is inside the source folder ${source}, whose next build would read it; choose a folder outside it, one whose name starts with _ (as Jekyll's _site), or list it under exclude: in _config.yml`;
  }
  return undefined;
}

/**
 * Whether Jekyll (and so the next build) leaves the folder `parts` of the site out. `jekyll` is
 * the site's `_config.yml` when the caller has read it already.
 */
function skippedBySite(root: string, parts: readonly string[], jekyll?: JekyllConfigFile): boolean {
  // The site's own settings decide; its diagnostics are the build's to report, not this check's.
  const site = loadSiteConfig(root, new Diagnostics(), jekyll);
  return parts.some((_, k) => isSkipped(parts.slice(0, k + 1).join('/'), parts[k]!, true, site));
}
