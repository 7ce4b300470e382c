/**
 * A render past `serve --timeout` is stopped, not only answered: its 504 goes out after its page
 * (a report) or its browser context and temporary site (a whole site) are gone and its slot is
 * free, so a stream of slow jobs cannot starve the server. One render at a time, one waiting.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { BIN, requireTools } from '../helpers.js';

/** A table long enough that no machine prints it within the three seconds allowed. */
function longTable(rows: number): string {
  const body = Array.from(
    { length: rows },
    (_, i) => `| ${i} | item ${i}, a line long enough to wrap | ${i * 3} |`,
  );
  return `# Slow\n\n| n | item | v |\n|---|---|---|\n${body.join('\n')}\n`;
}

async function tarGz(files: Record<string, string>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c) => chunks.push(c as Buffer));
  const ended = new Promise<void>((r) => p.on('end', () => r()));
  for (const [name, body] of Object.entries(files)) p.entry({ name }, body);
  p.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks));
}

interface Health {
  running: number;
  queued: number;
}

describe('bookbinder serve --timeout', function () {
  this.timeout(180_000);
  let child: ChildProcess | undefined;
  let url = '';
  let tmp = '';

  before(async function () {
    requireTools(this, 'chromium');
    // The server's own temporary folder: a site still being built would show in it.
    tmp = mkdtempSync(join(tmpdir(), 'bb-serve-timeout-'));
    const c = spawn(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--timeout', '3', '--concurrency', '1', '--queue', '1'],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TMPDIR: tmp } },
    );
    child = c;
    let log = '';
    url = await new Promise<string>((resolve, reject) => {
      c.stderr.on('data', (d: Buffer) => {
        log += d.toString();
        const m = /serving on (http:\/\/\S+)/.exec(log);
        if (m?.[1]) resolve(m[1]);
      });
      c.on('exit', () => reject(new Error(`serve exited: ${log}`)));
    });
  });
  after(async () => {
    // Stopped as an operator would (its Chromium closes with it), then its folder removed: a
    // Chromium still writing its profile there made the removal fail with ENOTEMPTY.
    const server = child;
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  });

  const post = (body: unknown): Promise<Response> =>
    fetch(`${url}/render`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const health = async (): Promise<Health> => (await (await fetch(`${url}/health`)).json()) as Health;
  const codeOf = async (r: Response): Promise<string | undefined> =>
    ((await r.json()) as { diagnostics: { code: string }[] }).diagnostics[0]?.code;
  const isPdf = async (r: Response): Promise<boolean> =>
    Buffer.from((await r.arrayBuffer()).slice(0, 5)).toString() === '%PDF-';

  it('answers a slow report 504 with its slot already free, again and again', async () => {
    const slow = { markdown: longTable(60_000) };
    for (let round = 0; round < 2; round++) {
      const r = await post(slow);
      assert.equal(r.status, 504);
      assert.equal(await codeOf(r), 'http/timeout');
      assert.deepEqual(await health(), { status: 'ok', running: 0, queued: 0 });
      // One render slot and one place in the queue: with the slow render still holding the
      // slot, one of these two would be a 503.
      const both = await Promise.all([post({ markdown: '# A\n\nfast' }), post({ markdown: '# B\n\nfast' })]);
      assert.deepEqual(
        both.map((b) => b.status),
        [200, 200],
      );
      for (const b of both) assert.ok(await isPdf(b));
    }
  });

  it('stops a slow site build: its 504 comes after its temporary site is removed', async () => {
    const site = await tarGz({
      'site/_config.yml': 'title: Slow\n',
      'site/index.md': `---\ntitle: Home\nnav_order: 1\n---\n${longTable(60_000)}`,
    });
    const r = await fetch(`${url}/render?format=pdf`, {
      method: 'POST',
      headers: { 'content-type': 'application/gzip' },
      body: new Blob([new Uint8Array(site)]),
    });
    assert.equal(r.status, 504);
    assert.equal(await codeOf(r), 'http/timeout');
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.startsWith('bookbinder-site-')),
      [],
    );
    assert.deepEqual(await health(), { status: 'ok', running: 0, queued: 0 });
    assert.ok(await isPdf(await post({ markdown: '# After\n\nfast' })));
  });

  it('counts the renders it stopped', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    assert.match(text, /bookbinder_renders_cancelled_total\{format="pdf"\} 3\n/);
  });
});
