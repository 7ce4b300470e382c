/**
 * `bookbinder serve` and `bookbinder worker`: the long-running commands. Each runs until SIGTERM
 * or SIGINT, then stops taking work, finishes the jobs running, closes Chromium and exits 0.
 */
import type { CliIo } from './io.js';

/** Flags of `bookbinder serve`. */
export interface ServeFlags {
  readonly host: string;
  readonly port: number;
  readonly token?: string;
  readonly maxBody: number;
  readonly timeout: number;
  readonly concurrency: number;
  readonly queue: number;
}

/** Flags of `bookbinder worker`. */
export interface WorkerFlags {
  readonly redis: string;
  readonly queue: string;
  readonly concurrency: number;
  readonly lockDuration: number;
  readonly stalledInterval: number;
  readonly timeout: number;
}

/** Resolves when SIGTERM or SIGINT arrives. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (s: string) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(s);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

/** Runs the HTTP server until a signal; returns the exit code. */
export async function runServe(flags: ServeFlags, io: CliIo): Promise<number> {
  const signal = untilSignal();
  const { startServer } = await import('../service/server.js');
  const token = flags.token ?? io.env.BOOKBINDER_TOKEN;
  const server = await startServer({
    host: flags.host,
    port: flags.port,
    ...(token && { token }),
    maxBodyBytes: flags.maxBody,
    timeoutMs: flags.timeout * 1000,
    concurrency: flags.concurrency,
    queue: flags.queue,
  });
  io.err(`bookbinder: serving on ${server.url}${token ? ' (bearer token required)' : ''}`);
  const s = await signal;
  io.err(`bookbinder: ${s}: finishing running renders`);
  await server.close();
  io.err('bookbinder: stopped');
  return 0;
}

/** Runs a queue worker until a signal; returns the exit code. */
export async function runWorker(flags: WorkerFlags, io: CliIo): Promise<number> {
  const signal = untilSignal();
  const { startWorker } = await import('../service/worker.js');
  const worker = await startWorker({
    redis: flags.redis,
    queue: flags.queue,
    concurrency: flags.concurrency,
    lockDurationMs: flags.lockDuration * 1000,
    stalledIntervalMs: flags.stalledInterval * 1000,
    timeoutMs: flags.timeout * 1000,
    onEvent: (line) => io.err(`bookbinder: ${line}`),
  });
  io.err(`bookbinder: worker on queue ${flags.queue} at ${flags.redis}`);
  const s = await signal;
  io.err(`bookbinder: ${s}: finishing running jobs`);
  await worker.close();
  io.err('bookbinder: stopped');
  return 0;
}
