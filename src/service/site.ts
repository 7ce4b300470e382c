/**
 * A whole site sent as a zip or a tar (plain or gzip-compressed): unpacked into a private
 * temporary folder (no entry may leave it, no links or devices, bounded size and entries,
 * decompression bounded as it streams), built by the book pipeline like a folder on disk (the
 * same site-file rules: no config script runs, nothing outside the folder is read), and the
 * folder removed.
 */
import { mkdir, mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { closeSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { createGunzip } from 'node:zlib';
import JSZip from 'jszip';
import type { Browser } from 'puppeteer';
import { type Extract, extract as tarExtract, type Header } from 'tar-stream';
import { scopedBrowser, type ScopedBrowser } from '../browser/scoped.js';
import { build } from '../build.js';
import type { Diagnostic } from '../diagnostics.js';
import type { JobResult } from './job.js';

/**
 * Bounds of an unpacked site: entries, bytes of its files, and bytes a tar may inflate to (its
 * files plus headers and padding; a gzip bomb stops there, having held one chunk at a time).
 */
export const SITE_LIMITS = { files: 20_000, bytes: 200_000_000, inflated: 264_000_000 } as const;

/** How a site's archive is packed. */
export type ArchiveKind = 'zip' | 'tar';

/** A refused archive: the coded reason. */
class Refused extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly file = '',
  ) {
    super(message);
  }
}

function problem(code: string, message: string, file = ''): JobResult {
  const d: Diagnostic = { severity: 'error', code, message, file, line: 0 };
  return { ok: false, format: 'pdf', diagnostics: [d] };
}

/** Where an entry goes in `dir`; refused when it would leave it. */
function targetOf(dir: string, name: string): string {
  const target = resolve(dir, name);
  if (!target.startsWith(dir + sep) || name.includes('\0'))
    throw new Refused('site/unsafe-path', `entry ${name} would be written outside the site`, name);
  return target;
}

/** Counts entries and bytes against SITE_LIMITS. */
class Budget {
  #files = 0;
  #bytes = 0;
  entry(): void {
    if (++this.#files > SITE_LIMITS.files)
      throw new Refused('site/too-large', `the archive has over ${SITE_LIMITS.files} entries`);
  }
  bytes(n: number): void {
    this.#bytes += n;
    if (this.#bytes > SITE_LIMITS.bytes)
      throw new Refused('site/too-large', `the site is over ${SITE_LIMITS.bytes} bytes`);
  }
}

/** Unpacks a zip into `dir`. */
async function unpackZip(zip: Uint8Array, dir: string): Promise<void> {
  let archive: JSZip;
  try {
    archive = await JSZip.loadAsync(zip);
  } catch (e) {
    throw new Refused('site/bad-archive', `the body is not a readable zip: ${(e as Error).message}`);
  }
  const budget = new Budget();
  for (const entry of Object.values(archive.files)) {
    budget.entry();
    const target = targetOf(dir, entry.name);
    // Symbolic links (a unix mode of 0o120000) could point anywhere: refused.
    const mode = typeof entry.unixPermissions === 'number' ? entry.unixPermissions : 0;
    if ((mode & 0o170000) === 0o120000)
      throw new Refused('site/link', `entry ${entry.name} is a symbolic link`, entry.name);
    if (entry.dir) {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeEntry(entry, target, budget);
  }
}

/** JSZip's own stream of an entry's bytes (typed here: its `internalStream` is untyped). */
interface EntryStream {
  on(event: 'data', f: (chunk: Uint8Array) => void): EntryStream;
  on(event: 'error', f: (e: Error) => void): EntryStream;
  on(event: 'end', f: () => void): EntryStream;
  pause(): EntryStream;
  resume(): EntryStream;
}

/**
 * Inflates one zip entry to `target`, counting its bytes as they come (the sizes a zip declares
 * may lie) and writing each chunk at once: a zip bomb stops at the bound, never held in memory.
 */
async function writeEntry(entry: JSZip.JSZipObject, target: string, budget: Budget): Promise<void> {
  const fd = openSync(target, 'w');
  try {
    await new Promise<void>((resolve, reject) => {
      const stream = (entry as unknown as { internalStream(t: 'uint8array'): EntryStream }).internalStream(
        'uint8array',
      );
      let failed = false;
      const fail = (e: unknown): void => {
        if (failed) return;
        failed = true;
        stream.pause();
        reject(e instanceof Error ? e : new Error(String(e)));
      };
      stream
        .on('data', (chunk) => {
          if (failed) return;
          try {
            budget.bytes(chunk.byteLength);
            writeSync(fd, chunk);
          } catch (e) {
            fail(e);
          }
        })
        .on('error', (e) =>
          fail(
            new Refused(
              'site/bad-archive',
              `entry ${entry.name} cannot be inflated: ${e.message}`,
              entry.name,
            ),
          ),
        )
        .on('end', () => {
          if (!failed) resolve();
        })
        .resume();
    });
  } finally {
    closeSync(fd);
  }
}

/** Resolves once `stream` takes writes again, or is closed. */
function drained(stream: Extract): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** The refusal of a tar entry that is neither a file nor a folder. */
function refuseSpecial(header: Header): Refused {
  const link = header.type === 'symlink' || header.type === 'link';
  return link
    ? new Refused(
        'site/link',
        `entry ${header.name} is a ${header.type === 'link' ? 'hard' : 'symbolic'} link`,
        header.name,
      )
    : new Refused('site/special-file', `entry ${header.name} is a ${header.type}`, header.name);
}

/**
 * Unpacks a tar (gzip-compressed when it starts with gzip's magic bytes) into `dir`, streaming:
 * the inflated bytes are counted as they come, each file is written as it is read, and a
 * file's declared size is checked against the budget before any of it is written.
 */
async function unpackTar(body: Uint8Array, dir: string): Promise<void> {
  const gzipped = body[0] === 0x1f && body[1] === 0x8b;
  const extract = tarExtract();
  const feed = async (): Promise<void> => {
    const chunks: AsyncIterable<Buffer> | Iterable<Buffer> = gzipped
      ? createGunzip({ chunkSize: 64 * 1024 }).end(body)
      : [Buffer.from(body.buffer, body.byteOffset, body.byteLength)];
    let inflated = 0;
    try {
      for await (const chunk of chunks) {
        if (extract.destroyed) return;
        inflated += chunk.length;
        if (inflated > SITE_LIMITS.inflated)
          throw new Refused('site/too-large', `the archive inflates to over ${SITE_LIMITS.inflated} bytes`);
        if (!extract.write(chunk)) await drained(extract);
      }
      extract.end(null);
    } catch (e) {
      extract.destroy(
        e instanceof Refused
          ? e
          : new Refused('site/bad-archive', `the body is not a readable tar: ${(e as Error).message}`),
      );
    }
  };
  const feeding = feed();
  const budget = new Budget();
  try {
    for await (const entry of extract) {
      const h = entry.header;
      budget.entry();
      const target = targetOf(dir, h.name);
      if (h.type === 'directory') {
        await mkdir(target, { recursive: true });
        continue;
      }
      if (h.type !== 'file' && h.type !== 'contiguous-file') throw refuseSpecial(h);
      // A tar's sizes cannot lie (they frame the stream): a file too large is refused unread.
      budget.bytes(h.size);
      await mkdir(dirname(target), { recursive: true });
      // Created anew ('w' truncates an earlier entry of the same name); nothing here is a link.
      const file = await open(target, 'w', 0o644);
      try {
        for await (const chunk of entry as AsyncIterable<Buffer>) await file.write(chunk);
      } finally {
        await file.close();
      }
    }
  } catch (e) {
    if (e instanceof Refused) throw e;
    throw new Refused('site/bad-archive', `the body is not a readable tar: ${(e as Error).message}`);
  } finally {
    extract.destroy(null);
    await feeding;
  }
}

/** Unpacks an archive into `dir`; a refused one gives its coded diagnostic. */
export async function unpackSite(
  body: Uint8Array,
  kind: ArchiveKind,
  dir: string,
): Promise<JobResult | undefined> {
  try {
    await (kind === 'zip' ? unpackZip(body, dir) : unpackTar(body, dir));
    return undefined;
  } catch (e) {
    if (e instanceof Refused) return problem(e.code, e.message, e.file);
    throw e;
  }
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

/** Builds a zipped or tarred site into one format; `signal` cancels it (see build's `signal`). */
export async function buildSiteArchive(
  body: Uint8Array,
  kind: ArchiveKind,
  format: 'pdf' | 'epub' | 'html',
  browser: Browser,
  signal?: AbortSignal,
): Promise<JobResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bookbinder-site-'));
  let scoped: ScopedBrowser | undefined;
  try {
    const refused = await unpackSite(body, kind, dir);
    if (refused) return { ...refused, format };
    const source = await siteRoot(dir);
    // Its pages in a context of their own: a cancelled build's printing stops at once.
    scoped = await scopedBrowser(browser, signal);
    const r = await build({
      source,
      formats: [format],
      browser: scoped.browser,
      ...(signal && { signal }),
    });
    const data =
      format === 'html' ? (r.html !== undefined ? new TextEncoder().encode(r.html) : undefined) : r[format];
    return { ok: r.ok, format, ...(data && { data }), diagnostics: r.diagnostics };
  } finally {
    await scoped?.close();
    await rm(dir, { recursive: true, force: true });
  }
}
