/**
 * epubcheck for the tests, in one JVM per test process (test/support/EpubcheckServer.java runs
 * epubcheck's own command-line tool once per request). A cold `java -jar epubcheck.jar` spends
 * seconds of CPU starting the JVM and loading the schemas before it reads a byte of the EPUB;
 * here that is paid once per mocha worker, and each check answers what the command would print.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from '../helpers.js';

/** Debian's epubcheck. */
export const EPUBCHECK_JAR = '/usr/share/java/epubcheck.jar';
const SERVER = join(ROOT, 'test', 'support', 'EpubcheckServer.java');

/** What one epubcheck run printed and returned, as `java -jar epubcheck.jar ARGS` would. */
export interface EpubcheckRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface Pending {
  resolve(run: EpubcheckRun): void;
  reject(error: Error): void;
}

interface Server {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pending: Pending[];
}

let server: Server | undefined;

/** Starts the JVM; it ends by itself when this process exits (its stdin closes). */
function start(): Server {
  const child = spawn(
    'java',
    ['-Xss1024k', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', EPUBCHECK_JAR, SERVER],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const s: Server = { child, pending: [] };
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [code, out, err] = line.split(' ');
    const next = s.pending.shift();
    if (s.pending.length === 0) idle(child);
    next?.resolve({
      status: Number(code),
      stdout: Buffer.from(out ?? '', 'base64').toString('utf8'),
      stderr: Buffer.from(err ?? '', 'base64').toString('utf8'),
    });
  });
  const fail = (why: string) => {
    if (server === s) server = undefined;
    for (const p of s.pending.splice(0)) p.reject(new Error(`epubcheck's JVM ${why}: ${log}`));
  };
  child.on('error', (e) => fail(`could not start (${e.message})`));
  child.on('exit', (code, signal) => fail(`exited (${signal ?? code})`));
  idle(child);
  return s;
}

/** The child's pipes are sockets (typed as plain streams): they can be unreferenced. */
function pipes(child: ChildProcessWithoutNullStreams): Socket[] {
  return [child.stdin, child.stdout, child.stderr] as unknown[] as Socket[];
}

/** An idle JVM does not keep this process alive. */
function idle(child: ChildProcessWithoutNullStreams): void {
  child.unref();
  for (const p of pipes(child)) p.unref();
}

/** A JVM with a check in flight does (its answer is awaited). */
function busy(child: ChildProcessWithoutNullStreams): void {
  child.ref();
  for (const p of pipes(child)) p.ref();
}

/**
 * Runs epubcheck with these arguments (the EPUB's path first) and resolves with what it printed
 * and its exit code. Checks are answered in order, one at a time.
 */
export function epubcheck(...args: string[]): Promise<EpubcheckRun> {
  if (args.some((a) => /[\t\n\r]/.test(a)))
    throw new Error(`epubcheck argument with a tab or newline: ${JSON.stringify(args)}`);
  server ??= start();
  const s = server;
  return new Promise((resolve, reject) => {
    s.pending.push({ resolve, reject });
    busy(s.child);
    s.child.stdin.write(`${args.join('\t')}\n`);
  });
}
