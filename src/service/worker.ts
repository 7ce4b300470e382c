/**
 * `bookbinder worker`: takes render jobs (the same JSON as `POST /render`) from a BullMQ queue on
 * Redis, any number of workers on any number of machines. A result comes back through the queue
 * (base64, for small documents) or is written to the folder the job names (`outDir`), atomically
 * and under the job's id, so a job run twice (its first worker killed) leaves one file. Bad input
 * fails the job at once (no retry) with its diagnostics as the failure reason; anything else is
 * retried with the backoff the producer chose. A worker killed mid-job loses its lock, and
 * BullMQ's stalled-job check hands the job to another worker.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { relaunchingServiceBrowser } from '../browser/launch.js';
import { type JobResult, parseJob, runJob } from './job.js';

/** Settings of a worker. */
export interface WorkerOptions {
  /** `redis://host:port[/db]`. */
  readonly redis: string;
  readonly queue: string;
  /** Jobs at once (default 2). */
  readonly concurrency?: number;
  /**
   * How long a job stays locked without its worker renewing the lock (default 30 s): a killed
   * worker's job is handed on after at most this plus `stalledIntervalMs`.
   */
  readonly lockDurationMs?: number;
  /** How often stalled jobs are looked for (default 15 s). */
  readonly stalledIntervalMs?: number;
  /** Time allowed per render (default 60 s). */
  readonly timeoutMs?: number;
  /** Largest result returned through the queue (default 5 MB); bigger ones need `outDir`. */
  readonly maxInlineBytes?: number;
  /** Told of each finished or failed job (for logs). */
  readonly onEvent?: (line: string) => void;
}

/** What a job returns through the queue. */
export interface WorkerResult {
  readonly format: string;
  readonly bytes: number;
  /** The file written (with `outDir`). */
  readonly file?: string;
  /** The document, base64 (without `outDir`). */
  readonly data?: string;
  readonly diagnostics: JobResult['diagnostics'];
}

/** A running worker. */
export interface RenderWorker {
  /** Waits for the running jobs, then closes the Redis connections and Chromium. */
  close(): Promise<void>;
}

/** Parses `redis://[:password@]host:port[/db]` into BullMQ's connection options. */
export function redisConnection(url: string): { host: string; port: number; password?: string; db?: number } {
  const u = new URL(url);
  if (u.protocol !== 'redis:') throw new Error(`${url}: use a redis:// address`);
  const db = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    ...(u.password && { password: decodeURIComponent(u.password) }),
    ...(db && { db: Number(db) }),
  };
}

/** Starts a worker; it runs until closed. */
export async function startWorker(options: WorkerOptions): Promise<RenderWorker> {
  /** The browser, relaunched when Chromium went away. */
  const service = await relaunchingServiceBrowser();
  const getBrowser = service.get;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxInline = options.maxInlineBytes ?? 5_000_000;

  const process = async (job: Job): Promise<WorkerResult> => {
    const parsed = parseJob(job.data);
    if (!parsed.job) throw new UnrecoverableError(JSON.stringify({ diagnostics: parsed.diagnostics }));
    const spec = parsed.job;
    // Past the time limit the render is stopped (its page or context closed) and the job fails
    // with a retry, like any other failure.
    const result = await runJob(spec, await getBrowser(), timeoutMs, AbortSignal.timeout(timeoutMs));
    if (!result.ok || !result.data)
      throw new UnrecoverableError(JSON.stringify({ diagnostics: result.diagnostics }));
    const base = { format: result.format, bytes: result.data.byteLength, diagnostics: result.diagnostics };
    if (spec.outDir !== undefined) {
      const name = spec.fileName ?? `${String(job.id).replace(/[/\\]/g, '_')}.${result.format}`;
      await mkdir(spec.outDir, { recursive: true });
      const file = join(spec.outDir, name);
      // Written aside and renamed: a reader never sees half a file, and a rerun replaces it.
      const tmp = `${file}.${String(job.id).replace(/[/\\]/g, '_')}.${Date.now()}.part`;
      await writeFile(tmp, result.data);
      await rename(tmp, file);
      return { ...base, file };
    }
    if (result.data.byteLength > maxInline)
      throw new UnrecoverableError(
        JSON.stringify({
          diagnostics: [
            {
              severity: 'error',
              code: 'job/result-too-large',
              message: `the ${result.format} is ${result.data.byteLength} bytes; give the job an outDir`,
              file: '',
              line: 0,
            },
          ],
        }),
      );
    return { ...base, data: Buffer.from(result.data).toString('base64') };
  };

  const worker = new Worker(options.queue, process, {
    connection: redisConnection(options.redis),
    concurrency: options.concurrency ?? 2,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 15_000,
    // A job whose worker died is retried once more as stalled; beyond that it fails.
    maxStalledCount: 2,
    autorun: true,
  });
  worker.on('completed', (job) => options.onEvent?.(`job ${job.id}: done`));
  worker.on('failed', (job, err) => options.onEvent?.(`job ${job?.id ?? '?'}: failed: ${err.message}`));
  worker.on('error', (err) => options.onEvent?.(`worker error: ${err.message}`));
  await worker.waitUntilReady();

  return {
    async close() {
      await worker.close();
      await service.close();
    },
  };
}
