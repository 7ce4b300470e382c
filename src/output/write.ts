/**
 * Atomic output: every file is written to a temporary beside its target, then renamed over it.
 * Readers see the old file or the whole new one, never half; and the outputs of one build are
 * renamed together only once all of them are written, so a build that fails or dies midway
 * leaves the previous set of outputs as it was, never new ones beside old ones.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';

/** Temporary files and folders being written now: removed if the process exits (a signal, an error). */
const pending = new Set<string>();
let exitHook = false;

function removePending(): void {
  for (const tmp of pending) rmSync(tmp, { recursive: true, force: true });
}

function track(tmp: string): void {
  if (!exitHook) {
    process.on('exit', removePending);
    exitHook = true;
  }
  pending.add(tmp);
}

/** Our temporaries: `.NAME.PID.HEX.tmp` (a file or, for an assets folder, a folder). */
const TMP = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** The output a temporary stands for (`out/.book.pdf.1.ab12cd34.tmp` → `out/book.pdf`), as users know it. */
export function targetOf(path: string): string {
  return path
    .split(sep)
    .map((part) => TMP.exec(part)?.[1] ?? part)
    .join(sep);
}

function temporaryFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** When the running process `pid` started (ms since the epoch), where the system says (Linux). */
function startedAt(pid: number): number | undefined {
  try {
    // Field 22 of /proc/PID/stat, after the command name (which may hold spaces and parentheses).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const boot = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    // USER_HZ is 100 on every Linux that Node supports.
    return boot && Number.isFinite(ticks) ? (Number(boot[1]) + ticks / 100) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the temporary `path`, named as written by `pid`, was left by a process that is gone:
 * the pid is not running, or it runs a later process (a pid is reused) that started after the
 * temporary was last written.
 */
function isStale(path: string, pid: number): boolean {
  if (pid === process.pid) return false;
  if (!alive(pid)) return true;
  const start = startedAt(pid);
  if (start === undefined) return false;
  try {
    // A second of slack: the start time is known to 10 ms, file times to the file system's grain.
    return statSync(path).mtimeMs < start - 1_000;
  } catch {
    return false;
  }
}

/**
 * Removes temporary files a killed build (SIGKILL: no exit hook runs) left beside `path`: ours
 * by their name, and only when the process that wrote them is gone.
 */
export function removeStaleTemporaries(path: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = TMP.exec(name);
    if (!m || m[1] !== basename(path)) continue;
    const tmp = join(dirname(path), name);
    if (!isStale(tmp, Number(m[2]))) continue;
    rmSync(tmp, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Creates `dir` and its parents. Node's recursive mkdir says ENOENT where the real reason is
 * another (a read-only file system, no permission): the first missing folder is made alone
 * then, so that the error says why.
 */
async function makeFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    let missing = dir;
    while (
      (await lstat(dirname(missing)).catch(() => undefined)) === undefined &&
      dirname(missing) !== missing
    )
      missing = dirname(missing);
    await mkdir(missing);
    throw e;
  }
}

/** Writes `data` to a new file and flushes it to the disk, so a power cut cannot leave an empty book. */
async function writeDurably(path: string, data: Uint8Array | string): Promise<void> {
  const file = await open(path, 'wx');
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
}

/** Writes `data` to `path` so that readers see the old file or the whole new one, never half. */
export async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const batch = new OutputBatch(dirname(path));
  try {
    await batch.file(basename(path), data);
    await batch.commit();
  } finally {
    await batch.discard();
  }
}

interface Staged {
  readonly target: string;
  readonly tmp: string;
  readonly folder: boolean;
}

/**
 * The outputs of one build, written as temporaries in their folder and renamed into place
 * together by {@link OutputBatch.commit}; {@link OutputBatch.discard} removes whatever was not
 * committed. The renames are the only step that changes what readers see, and they follow each
 * other at once: nothing slow (writing, flushing) happens between the first and the last. What
 * could make a rename fail (a folder holding a file's name) is checked while staging; a rename
 * within one folder fails otherwise only when the file system itself does, and a process killed
 * between two renames is the one window left (POSIX has no rename of several files at once).
 */
export class OutputBatch {
  readonly #staged: Staged[] = [];
  #ready = false;

  /** @param dir the output folder, created when the first output is staged. */
  constructor(readonly dir: string) {}

  async #prepare(target: string): Promise<string> {
    if (!this.#ready) {
      await makeFolder(this.dir);
      this.#ready = true;
    }
    removeStaleTemporaries(target);
    const tmp = temporaryFor(target);
    track(tmp);
    return tmp;
  }

  /** Writes the file `name` of the output folder as a temporary, renamed over it at commit. */
  async file(name: string, data: Uint8Array | string): Promise<void> {
    const target = join(this.dir, name);
    // Found now, not at the renames: one failing there would leave the earlier ones renamed.
    if ((await lstat(target).catch(() => undefined))?.isDirectory())
      throw Object.assign(new Error(`EISDIR: ${target} is a folder`), { code: 'EISDIR', path: target });
    const tmp = await this.#prepare(target);
    this.#staged.push({ target, tmp, folder: false });
    await writeDurably(tmp, data);
  }

  /**
   * Fills a temporary folder through `fill`; at commit it replaces the folder `name` (whose old
   * content is removed then, so no file of an earlier build stays among the new ones).
   */
  async folder(name: string, fill: (dir: string) => Promise<void>): Promise<void> {
    const target = join(this.dir, name);
    const tmp = await this.#prepare(target);
    this.#staged.push({ target, tmp, folder: true });
    await mkdir(tmp);
    await fill(tmp);
  }

  /** Renames every staged output into place, in the order staged; returns their paths. */
  async commit(): Promise<string[]> {
    const old: string[] = [];
    try {
      for (const s of this.#staged) {
        const aside = s.folder ? await this.#moveAside(s.target) : undefined;
        try {
          await rename(s.tmp, s.target);
        } catch (e) {
          // The earlier build's folder goes back where it was.
          if (aside) await rename(aside, s.target).catch(() => undefined);
          throw e;
        }
        pending.delete(s.tmp);
        if (aside) old.push(aside);
      }
    } finally {
      for (const aside of old) await rm(aside, { recursive: true, force: true });
    }
    const targets = this.#staged.filter((s) => !s.folder).map((s) => s.target);
    this.#staged.length = 0;
    return targets;
  }

  /** Moves an existing folder out of the way (a folder cannot be renamed over a full one). */
  async #moveAside(target: string): Promise<string | undefined> {
    // Not removed by the exit hook: until the new folder is in place this is the only copy
    // (a process ended just then leaves it to the next build's clean-up of stale temporaries).
    const aside = temporaryFor(target);
    try {
      await rename(target, aside);
      return aside;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** Removes every temporary not committed (a failed or cancelled build); the old outputs stay. */
  async discard(): Promise<void> {
    for (const s of this.#staged) {
      await rm(s.tmp, { recursive: true, force: true });
      pending.delete(s.tmp);
    }
    this.#staged.length = 0;
  }
}
