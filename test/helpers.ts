/** Shared test helpers: in-memory pages, external tools (skipped visibly when absent). */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'mocha';
import { main } from '../src/cli.js';
import { Diagnostics } from '../src/diagnostics.js';
import type { Page } from '../src/model.js';
import { readFrontMatter, splitFrontMatter } from '../src/source/front-matter.js';
import { pageUrl } from '../src/source/url.js';

/** The repository root (tests run from dist/test). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The fixtures folder (in the sources, not in dist). */
export const FIXTURES = join(ROOT, 'test', 'fixtures');
/** The CLI entry. */
export const BIN = join(ROOT, 'bin', 'bookbinder.js');

/** Makes a page from front matter text and body, as the loader would. */
export function page(source: string, front: string, body = '', permalinkStyle = 'pretty'): Page {
  const split = splitFrontMatter(`---\n${front}\n---\n${body}`);
  if (split.kind !== 'page') throw new Error(`not a page: ${source}`);
  const fm = readFrontMatter(split.data, split.titleSource, split.keyLines, source, new Diagnostics());
  return {
    source,
    absPath: `/site/${source}`,
    front: fm,
    body: split.body,
    bodyLine: split.bodyLine,
    url: pageUrl(source, fm.permalink, permalinkStyle),
  };
}

/** True when a command is on the PATH (or a file exists). */
export function hasTool(cmd: string): boolean {
  if (cmd.startsWith('/')) return spawnSync('test', ['-e', cmd]).status === 0;
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Skips the test with a reason when a tool is missing; in CI (where setup installs it) fails. */
export function requireTools(ctx: Context, ...tools: string[]): void {
  const missing = tools.filter((t) => !hasTool(t));
  if (missing.length === 0) return;
  if (process.env.CI) throw new Error(`CI must have ${missing.join(', ')} (run bash setup.sh)`);
  console.warn(`      skipped: ${missing.join(', ')} not installed (bash setup.sh installs it)`);
  ctx.skip();
}

/** Result of running the CLI. */
export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI in a child process. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command and returns its stdout. */
export function run(cmd: string, args: readonly string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** Runs the real CLI in a child process without blocking this one (servers here keep serving). */
export function runCliAsync(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

/** Pids of running processes whose command line contains `marker` (not counting pgrep). */
export function processesWith(marker: string): number[] {
  const r = spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((pid) => pid !== r.pid);
}

/** Chromium processes descended from `pid` (by default, this test process). */
export function chromiumDescendants(pid = process.pid): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,comm='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((r) => r.length >= 3)
    .map(([p, pp, comm]) => ({ pid: Number(p), ppid: Number(pp), comm: comm! }));
  const mine = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rows)
      if (!mine.has(r.pid) && mine.has(r.ppid)) {
        mine.add(r.pid);
        grew = true;
      }
  }
  return rows.filter((r) => r.pid !== pid && mine.has(r.pid) && /chrom/i.test(r.comm)).map((r) => r.pid);
}

/** Waits until `check` is true, polling; false when `ms` passed first. */
export async function waitFor(check: () => boolean, ms: number, every = 100): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return check();
}

/** The shared corpora beside the checkout (not part of the repository). */
export const CORPUS = join(ROOT, '..', 'shared', 'corpus');

/** The corpus sites present in ../shared/corpus (each has an EXPECTED.json), sorted. */
export function corpora(): string[] {
  return existsSync(CORPUS)
    ? readdirSync(CORPUS)
        .filter((c) => existsSync(join(CORPUS, c, 'EXPECTED.json')))
        .sort()
    : [];
}

/** Registers one visibly skipped test when ../shared/corpus is absent. */
export function skipWithoutCorpus(names: readonly string[]): void {
  if (names.length > 0) return;
  it('needs ../shared/corpus', function () {
    console.warn('      skipped: ../shared/corpus is not beside this checkout');
    this.skip();
  });
}

/** Runs the CLI's `main` in-process, collecting stdout and stderr. */
export async function runMain(args: readonly string[], tty = false) {
  let out = '';
  let err = '';
  const code = await main(
    args,
    (s) => (out += s),
    (s) => (err += `${s}\n`),
    tty,
  );
  return { code, out, err };
}
