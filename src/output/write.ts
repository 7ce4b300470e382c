/**
 * Atomic output: write a temporary file beside the target, then rename over it. Readers see the
 * old file or the whole new one, never half; a build that dies midway leaves the old book.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temporary files being written now: removed if the process exits (a signal, an error). */
const pending = new Set<string>();
let exitHook = false;

function removePending(): void {
  for (const tmp of pending) rmSync(tmp, { force: true });
}

const TMP = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
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
    const pid = Number(m[2]);
    if (pid === process.pid || alive(pid)) continue;
    rmSync(join(dirname(path), name), { force: true });
    removed.push(name);
  }
  return removed;
}

/** Writes `data` to `path` so that readers see the old file or the whole new one, never half. */
export async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  removeStaleTemporaries(path);
  if (!exitHook) {
    process.on('exit', removePending);
    exitHook = true;
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  pending.add(tmp);
  try {
    // Flushed to the disk before the rename, so a power cut cannot leave an empty book either.
    const file = await open(tmp, 'w');
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    pending.delete(tmp);
  }
}
