/**
 * `bookbinder worker` on a real Redis (Debian's redis-server, private, on loopback): 50 jobs over
 * two worker processes, one killed with SIGKILL while it renders; every job ends exactly once
 * with its PDF in the folder it named. A bad job fails at once and keeps its diagnostics.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { redisConnection } from '../../src/service/worker.js';
import { BIN, hasTool, requireTools, waitFor } from '../helpers.js';
import { startRedis, type TestRedis } from '../support/redis.js';

const JOBS = 50;

function startWorker(redis: string, queue: string): { child: ChildProcess; log: () => string } {
  const child = spawn(
    process.execPath,
    [BIN, 'worker', '--redis', redis, '--queue', queue, '--lock-duration', '5', '--stalled-interval', '2'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  return { child, log: () => log };
}

describe('bookbinder worker (BullMQ on redis-server)', function () {
  this.timeout(300_000);
  let redis: TestRedis | undefined;
  let out: string;
  const workers: ChildProcess[] = [];

  before(async function () {
    requireTools(this, 'chromium');
    if (!hasTool('redis-server')) {
      if (process.env.CI) throw new Error('redis-server is missing (setup.sh installs it)');
      this.skip();
    }
    redis = await startRedis();
    out = mkdtempSync(join(tmpdir(), 'bb-worker-'));
  });
  after(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await redis?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('finishes every job exactly once when a worker is killed mid-job', async () => {
    const queue = new Queue('reports', { connection: redisConnection(redis!.url) });
    try {
      const a = startWorker(redis!.url, 'reports');
      const b = startWorker(redis!.url, 'reports');
      workers.push(a.child, b.child);
      await queue.addBulk(
        Array.from({ length: JOBS }, (_, i) => ({
          name: 'render',
          data: {
            markdown: '# Invoice {{ data.n }}\n\n| item | price |\n|---|---|\n| tea | {{ data.n }}.00 |\n',
            data: { n: i + 1 },
            outDir: out,
          },
          opts: { jobId: `inv-${i + 1}`, attempts: 3, backoff: { type: 'exponential', delay: 500 } },
        })),
      );
      // Killed once it has finished a few and is working on more.
      assert.ok(
        await waitFor(() => (a.log().match(/: done/g)?.length ?? 0) >= 3, 120_000, 50),
        `worker A finished nothing: ${a.log()}`,
      );
      const activeBefore = await queue.getActiveCount();
      a.child.kill('SIGKILL');
      let counts = await queue.getJobCounts('completed', 'failed');
      for (const end = Date.now() + 240_000; Date.now() < end;) {
        counts = await queue.getJobCounts('completed', 'failed');
        if ((counts.completed ?? 0) + (counts.failed ?? 0) >= JOBS) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.equal(counts.failed, 0, 'no job failed');
      assert.equal(counts.completed, JOBS, `all ${JOBS} done (active when A was killed: ${activeBefore})`);
      const completed = await queue.getCompleted(0, JOBS);
      const ids = new Set(completed.map((j) => j.id));
      assert.equal(ids.size, JOBS, 'each job completed once');
      const files = readdirSync(out).sort();
      assert.equal(files.length, JOBS, `files: ${files.filter((f) => !f.endsWith('.pdf')).join(', ')}`);
      for (let i = 1; i <= JOBS; i++) {
        const pdf = readFileSync(join(out, `inv-${i}.pdf`));
        assert.equal(pdf.subarray(0, 5).toString(), '%PDF-', `inv-${i}.pdf`);
      }
      for (const j of completed) {
        const r = j.returnvalue as { file: string; format: string };
        assert.equal(r.file, join(out, `${j.id}.pdf`));
        assert.equal(r.format, 'pdf');
      }
      // The job A was killed on was finished by B: B's log names more jobs than it started with.
      assert.match(b.log(), /: done/);
    } finally {
      await queue.close();
    }
  });

  it('fails a bad job at once, keeping its coded diagnostics; small results come back through the queue', async () => {
    const queue = new Queue('reports', { connection: redisConnection(redis!.url) });
    try {
      const bad = await queue.add('render', { markdown: '# T\n\n{% if %}\n' }, { attempts: 3, backoff: 500 });
      const good = await queue.add('render', { markdown: '# Small {{ data.x }}', data: { x: 'report' } });
      const settled = async () => {
        const states = await Promise.all([bad.getState(), good.getState()]);
        return states;
      };
      let states = await settled();
      for (const end = Date.now() + 120_000; Date.now() < end;) {
        states = await settled();
        if (states[0] === 'failed' && states[1] === 'completed') break;
        await new Promise((r) => setTimeout(r, 300));
      }
      assert.deepEqual(states, ['failed', 'completed']);
      const failed = (await queue.getJob(bad.id!))!;
      assert.equal(failed.attemptsMade, 1, 'bad input is not retried');
      const reason = JSON.parse(failed.failedReason) as { diagnostics: { code: string; line: number }[] };
      assert.deepEqual(
        reason.diagnostics.map((d) => [d.code, d.line]),
        [['liquid/error', 3]],
      );
      const done = (await queue.getJob(good.id!))!;
      const pdf = Buffer.from((done.returnvalue as { data: string }).data, 'base64');
      assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    } finally {
      await queue.close();
    }
  });
});
