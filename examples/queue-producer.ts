/**
 * Example: a producer for `bookbinder worker`. Puts statement jobs on a BullMQ queue, each
 * writing its PDF into a folder, with retries and exponential backoff, and waits for them.
 * Start Redis and a worker or more (on any machines that reach Redis and share the folder):
 *   npx bookbinder worker --redis redis://127.0.0.1:6379 --queue statements
 * then: `node dist/examples/queue-producer.js redis://127.0.0.1:6379 /tmp/statements 20`.
 */
import { Queue, QueueEvents } from 'bullmq';
import { redisConnection } from '../src/service/worker.js';

const [redis = 'redis://127.0.0.1:6379', outDir = '/tmp/statements', count = '20'] = process.argv.slice(2);
const connection = redisConnection(redis);
const queue = new Queue('statements', { connection });
const events = new QueueEvents('statements', { connection });
await events.waitUntilReady();

const jobs = await queue.addBulk(
  Array.from({ length: Number(count) }, (_, i) => ({
    name: 'statement',
    data: {
      markdown: '# Statement {{ data.n }}\n\nDear {{ data.customer }}, your balance is {{ data.balance }}.\n',
      data: { n: i + 1, customer: `Customer ${i + 1}`, balance: `${(i * 13.5).toFixed(2)}` },
      format: 'pdf',
      outDir,
      fileName: `statement-${i + 1}.pdf`,
    },
    // Retried on failures of the environment (a crashed browser); bad input fails at once.
    opts: { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 1000 },
  })),
);
for (const job of jobs) {
  try {
    const result = (await job.waitUntilFinished(events, 120_000)) as { file: string };
    console.log(`${job.id}: ${result.file}`);
  } catch (e) {
    // The failure reason is JSON: { diagnostics: [{ code, message, line, ... }] }.
    console.error(`${job.id}: failed: ${(e as Error).message}`);
  }
}
await events.close();
await queue.close();
