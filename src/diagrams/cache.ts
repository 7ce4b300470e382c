/**
 * Drawn diagrams, kept by their source: in memory for the builds of one process (the preview),
 * and on disk for the next process, so that a rebuild neither starts Chromium for its diagrams
 * nor draws them again. Keys hash the source with the mermaid version and settings; what is
 * read back is sanitised again like anything else, so a tampered file cannot put a script in a
 * book. The disk cache is `BOOKBINDER_CACHE_DIR` (empty: none), else `$XDG_CACHE_HOME/bookbinder`,
 * else `~/.cache/bookbinder`; failing to read or write it only costs time.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DiagramResult } from '../browser/mermaid.js';

/** Entries kept in memory; beyond this the oldest go first. */
const REMEMBERED = 1_000;
const memory = new Map<string, DiagramResult>();

/** The cache key of a diagram: its source under one mermaid version and one set of settings. */
export function diagramKey(source: string, version: string, config: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([version, config, source]))
    .digest('hex')
    .slice(0, 32);
}

/** The folder of the disk cache, or undefined when there is none. */
export function diskCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const own = env.BOOKBINDER_CACHE_DIR;
  if (own !== undefined) return own === '' ? undefined : join(own, 'mermaid');
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'bookbinder', 'mermaid');
}

function isResult(v: unknown): v is DiagramResult {
  if (v === null || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  if (r.blocked !== undefined && !(Array.isArray(r.blocked) && r.blocked.every((u) => typeof u === 'string')))
    return false;
  return r.ok === true
    ? typeof r.svg === 'string'
    : r.ok === false && typeof r.message === 'string' && (r.line === undefined || typeof r.line === 'number');
}

/** The cached drawing of a key, from memory or disk. */
export function cachedDiagram(key: string): DiagramResult | undefined {
  const hit = memory.get(key);
  if (hit) return hit;
  const dir = diskCacheDir();
  if (!dir) return undefined;
  try {
    const v: unknown = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8'));
    if (!isResult(v)) return undefined;
    remember(key, v);
    return v;
  } catch {
    return undefined;
  }
}

function remember(key: string, result: DiagramResult): void {
  if (memory.size >= REMEMBERED) memory.delete(memory.keys().next().value!);
  memory.set(key, result);
}

/** Keeps a drawing (and writes it to disk, atomically, when there is a disk cache). */
export function cacheDiagram(key: string, result: DiagramResult): void {
  remember(key, result);
  const dir = diskCacheDir();
  if (!dir) return;
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `${key}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(result));
    renameSync(tmp, join(dir, `${key}.json`));
  } catch {
    // A read-only or full disk: the diagram is drawn again next time.
  }
}

/** Forgets what this process drew (tests). */
export function forgetDiagrams(): void {
  memory.clear();
}
