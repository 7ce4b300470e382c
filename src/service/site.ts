/**
 * A whole site sent as a zip: unpacked into a private temporary folder (no entry may leave it,
 * no links, bounded size), built by the book pipeline like a folder on disk (the same site-file
 * rules: no config script runs, nothing outside the folder is read), and the folder removed.
 */
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import JSZip from 'jszip';
import type { Browser } from 'puppeteer';
import { build } from '../build.js';
import type { Diagnostic } from '../diagnostics.js';
import type { JobResult } from './job.js';

/** Bounds of an unpacked site. */
export const SITE_LIMITS = { files: 20_000, bytes: 200_000_000 } as const;

function problem(code: string, message: string, file = ''): JobResult {
  const d: Diagnostic = { severity: 'error', code, message, file, line: 0 };
  return { ok: false, format: 'pdf', diagnostics: [d] };
}

/** Unpacks `zip` into `dir`; returns a diagnostic result when the archive is refused. */
async function unpack(zip: Uint8Array, dir: string): Promise<JobResult | undefined> {
  let archive: JSZip;
  try {
    archive = await JSZip.loadAsync(zip);
  } catch (e) {
    return problem('site/bad-archive', `the body is not a readable zip: ${(e as Error).message}`);
  }
  const entries = Object.values(archive.files);
  if (entries.length > SITE_LIMITS.files)
    return problem('site/too-large', `the archive has over ${SITE_LIMITS.files} entries`);
  let total = 0;
  for (const entry of entries) {
    const target = resolve(dir, entry.name);
    if (!target.startsWith(dir + sep) || entry.name.includes('\0'))
      return problem('site/unsafe-path', `entry ${entry.name} would be written outside the site`, entry.name);
    // Symbolic links (a unix mode of 0o120000) could point anywhere: refused.
    const mode = typeof entry.unixPermissions === 'number' ? entry.unixPermissions : 0;
    if ((mode & 0o170000) === 0o120000)
      return problem('site/link', `entry ${entry.name} is a symbolic link`, entry.name);
    if (entry.dir) {
      await mkdir(target, { recursive: true });
      continue;
    }
    const bytes = await entry.async('uint8array');
    total += bytes.byteLength;
    if (total > SITE_LIMITS.bytes)
      return problem('site/too-large', `the site is over ${SITE_LIMITS.bytes} bytes`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
  }
  return undefined;
}

/** The site's folder: the archive's root, or its one top-level folder when that holds the site. */
async function siteRoot(dir: string): Promise<string> {
  const exists = (p: string) =>
    stat(p).then(
      () => true,
      () => false,
    );
  if (await exists(join(dir, '_config.yml'))) return dir;
  const top = await readdir(dir, { withFileTypes: true });
  const only = top.length === 1 && top[0]?.isDirectory() ? join(dir, top[0].name) : undefined;
  return only && (await exists(join(only, '_config.yml'))) ? only : dir;
}

/** Builds a zipped site into one format. */
export async function buildSiteArchive(
  zip: Uint8Array,
  format: 'pdf' | 'epub' | 'html',
  browser: Browser,
): Promise<JobResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bookbinder-site-'));
  try {
    const refused = await unpack(zip, dir);
    if (refused) return { ...refused, format };
    const source = await siteRoot(dir);
    const r = await build({ source, formats: [format], browser });
    const data =
      format === 'html' ? (r.html !== undefined ? new TextEncoder().encode(r.html) : undefined) : r[format];
    return { ok: r.ok, format, ...(data && { data }), diagnostics: r.diagnostics };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
