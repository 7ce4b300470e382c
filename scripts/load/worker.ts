/**
 * `npm run load:worker`: 1,000 render jobs through two `bookbinder worker` processes on one
 * private redis-server; worker A is killed with SIGKILL mid-run (a replacement starts), and every
 * job must end exactly once with its PDF in the output folder. Prints a Markdown summary.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { redisConnection } from '../../src/service/worker.js';
import { startRedis } from '../../test/support/redis.js';
import { BIN } from '../../test/helpers.js';

const JOBS = Number(process.env.LOAD_JOBS ?? 1000);
const KILL_AT = Math.floor(JOBS / 4);

function worker(url: string): { child: ChildProcess; done: () => number } {
  const child = spawn(
    process.execPath,
    [BIN, 'worker', '--redis', url, '--queue', 'load', '--lock-duration', '10', '--stalled-interval', '3'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let done = 0;
  child.stderr?.on('data', (d: Buffer) => (done += d.toString().match(/: done/g)?.length ?? 0));
  return { child, done: () => done };
}

const redis = await startRedis();
const out = mkdtempSync(join(tmpdir(), 'bb-load-worker-'));
const queue = new Queue('load', { connection: redisConnection(redis.url) });
const workers: ChildProcess[] = [];
try {
  const t0 = performance.now();
  const a = worker(redis.url);
  const b = worker(redis.url);
  workers.push(a.child, b.child);
  for (let i = 0; i < JOBS; i += 100)
    await queue.addBulk(
      Array.from({ length: Math.min(100, JOBS - i) }, (_, k) => ({
        name: 'render',
        data: {
          markdown:
            '# Statement {{ data.n }}\n\n| item | amount |\n|---|--:|\n{% for r in data.rows %}| {{ r }} | {{ data.n }}.00 |\n{% endfor %}',
          data: { n: i + k + 1, rows: ['rent', 'power', 'water'] },
          outDir: out,
        },
        opts: { jobId: `s-${i + k + 1}`, attempts: 3, backoff: { type: 'exponential', delay: 1000 } },
      })),
    );
  let counts: Record<string, number> = {};
  let killed = false;
  let activeAtKill = 0;
  for (;;) {
    counts = await queue.getJobCounts('completed', 'failed', 'active', 'waiting');
    if (!killed && (counts.completed ?? 0) >= KILL_AT && a.done() > 0) {
      activeAtKill = counts.active ?? 0;
      a.child.kill('SIGKILL');
      killed = true;
      workers.push(worker(redis.url).child);
    }
    if ((counts.completed ?? 0) + (counts.failed ?? 0) >= JOBS) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const seconds = (performance.now() - t0) / 1000;
  const completed = await queue.getCompleted(0, JOBS + 10);
  const ids = new Set(completed.map((j) => j.id));
  const files = readdirSync(out).filter((f) => f.endsWith('.pdf'));
  let good = 0;
  const head = Buffer.alloc(5);
  for (const f of files) {
    const fd = openSync(join(out, f), 'r');
    readSync(fd, head, 0, 5, 0);
    closeSync(fd);
    if (head.toString() === '%PDF-') good++;
  }
  const attempts = completed.filter((j) => j.attemptsMade > 1 || (j.stalledCounter ?? 0) > 0).length;
  console.log(`## Queue workers under load (issue 21)

Measured ${new Date().toISOString().slice(0, 10)}; \`npm run load:worker\`, one run: ${JOBS} jobs (a one-page statement each, written to \`outDir\`)
through two \`bookbinder worker\` processes (concurrency 2 each) on one private redis-server; worker A killed with SIGKILL
once ${KILL_AT} jobs were done (${activeAtKill} jobs active at that moment), and a replacement started.

| jobs | completed | failed | distinct job ids | PDF files | files starting %PDF- | jobs run again after the kill | wall (s) |
|--:|--:|--:|--:|--:|--:|--:|--:|
| ${JOBS} | ${counts.completed} | ${counts.failed} | ${ids.size} | ${files.length} | ${good} | ${attempts} | ${seconds.toFixed(0)} |
`);
} finally {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGTERM');
  await queue.close();
  await new Promise((r) => setTimeout(r, 2000));
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await redis.stop();
  rmSync(out, { recursive: true, force: true });
}
