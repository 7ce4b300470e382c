/**
 * `bookbinder serve` as a client sees it: real renders over loopback (PDFs read back with
 * pdftotext), coded 4xx answers, 503 when the queue is full, the bearer token, metrics, a zipped
 * and a tarred site, and a SIGTERM that finishes the running render and leaves no Chromium behind.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import JSZip from 'jszip';
import { type Header, pack } from 'tar-stream';
import { BIN, chromiumDescendants, requireTools, run, waitFor } from '../helpers.js';

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  stderr: string;
}

async function startServe(args: readonly string[]): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const server = { child, url: '', stderr: '' };
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      server.stderr += d.toString();
      const m = /serving on (http:\/\/\S+)/.exec(server.stderr);
      if (m?.[1]) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`serve exited: ${server.stderr}`)));
  });
  return { ...server, url, child };
}

const TOKEN = 'test-token-123';
const auth = { authorization: `Bearer ${TOKEN}` };

function post(url: string, body: unknown, headers: Record<string, string> = auth): Promise<Response> {
  return fetch(`${url}/render`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const REPORT = {
  markdown:
    '# Statement for {{ data.customer }}\n\nThe movements.\n\n| n | item |\n|---|---|\n' +
    '{% for r in data.rows %}| {{ forloop.index }} | {{ r }} |\n{% endfor %}',
  data: { customer: 'Ada Example', rows: ['tea', 'bread', 'lamp oil'] },
  options: { footer: { text: 'Confidential', pageNumbers: true } },
};

/** A tar of `entries` (tar-stream lays it out as GNU tar does). */
async function tarOf(
  entries: readonly (Partial<Header> & { name: string; body?: string })[],
): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c) => chunks.push(c as Buffer));
  const ended = new Promise<void>((r) => p.on('end', () => r()));
  for (const { body, ...header } of entries) p.entry(header, body ?? '');
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}

function pdfText(bytes: ArrayBuffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'bb-serve-'));
  try {
    writeFileSync(join(dir, 'a.pdf'), Buffer.from(bytes));
    return run('pdftotext', ['-layout', join(dir, 'a.pdf'), '-']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('bookbinder serve', function () {
  this.timeout(120_000);
  let server: Server;

  before(async function () {
    requireTools(this, 'chromium', 'pdftotext', 'ps');
    server = await startServe([
      '--token',
      TOKEN,
      '--concurrency',
      '1',
      '--queue',
      '1',
      '--max-body',
      '300000',
    ]);
  });
  after(() => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  });

  it('answers /health without a token and refuses /render without one (401, coded)', async () => {
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    const r = await post(server.url, REPORT, {});
    assert.equal(r.status, 401);
    const body = (await r.json()) as { diagnostics: { code: string }[] };
    assert.equal(body.diagnostics[0]?.code, 'http/unauthorized');
  });

  it('renders a report from a template and data into a PDF', async () => {
    const r = await post(server.url, REPORT);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/pdf');
    const bytes = await r.arrayBuffer();
    assert.equal(Buffer.from(bytes.slice(0, 5)).toString(), '%PDF-');
    const text = pdfText(bytes);
    assert.match(text, /Statement for Ada Example/);
    assert.match(text, /3\s+lamp oil/);
    assert.match(text, /Confidential\s+page 1 of 1/);
  });

  it('gives coded diagnostics for bad input: 400 for a bad job, 422 for bad Liquid, 413, 415', async () => {
    const bad = await post(server.url, { markdown: 42 });
    assert.equal(bad.status, 400);
    const b1 = (await bad.json()) as { diagnostics: { code: string; message: string }[] };
    assert.equal(b1.diagnostics[0]?.code, 'job/invalid');
    assert.match(b1.diagnostics[0].message, /^markdown:/);
    const liquid = await post(server.url, { markdown: '# T\n\ntext\n{% for x in %}\n' });
    assert.equal(liquid.status, 422);
    const b2 = (await liquid.json()) as { diagnostics: { code: string; line: number; file: string }[] };
    assert.deepEqual(
      b2.diagnostics.map((d) => [d.code, d.file, d.line]),
      [['liquid/error', 'input.md', 4]],
    );
    const big = await post(server.url, { markdown: 'x'.repeat(400_000) });
    assert.equal(big.status, 413);
    assert.equal(
      ((await big.json()) as { diagnostics: { code: string }[] }).diagnostics[0]?.code,
      'http/body-too-large',
    );
    const text = await fetch(`${server.url}/render`, { method: 'POST', headers: auth, body: 'hello' });
    assert.equal(text.status, 415);
  });

  it('builds a zipped site, and refuses an entry that leaves the folder', async () => {
    const zip = new JSZip();
    zip.file('_config.yml', 'title: Zipped Book\n');
    zip.file('index.md', '---\ntitle: Home\nnav_order: 1\n---\n# Home\n\nA zipped site page.\n');
    const ok = await fetch(`${server.url}/render?format=pdf`, {
      method: 'POST',
      headers: { 'content-type': 'application/zip', ...auth },
      body: new Blob([await zip.generateAsync({ type: 'arraybuffer' })]),
    });
    assert.equal(ok.status, 200);
    assert.match(pdfText(await ok.arrayBuffer()), /A zipped site page/);
    const evil = new JSZip();
    evil.file('../escape.md', 'x');
    const refused = await fetch(`${server.url}/render`, {
      method: 'POST',
      headers: { 'content-type': 'application/zip', ...auth },
      body: new Blob([await evil.generateAsync({ type: 'arraybuffer' })]),
    });
    assert.equal(refused.status, 422);
    const body = (await refused.json()) as { diagnostics: { code: string }[] };
    assert.equal(body.diagnostics[0]?.code, 'site/unsafe-path');
  });

  it('builds a tarred site, plain and gzip-compressed, and refuses a symbolic link in one', async () => {
    const site = await tarOf([
      { name: 'book/_config.yml', body: 'title: Tarred Book\n' },
      { name: 'book/index.md', body: '---\ntitle: Home\nnav_order: 1\n---\n# Home\n\nA tarred site page.\n' },
    ]);
    for (const [type, body] of [
      ['application/x-tar', site],
      ['application/gzip', gzipSync(site)],
    ] as const) {
      const r = await fetch(`${server.url}/render?format=pdf`, {
        method: 'POST',
        headers: { 'content-type': type, ...auth },
        body: new Blob([new Uint8Array(body)]),
      });
      assert.equal(r.status, 200, type);
      assert.match(pdfText(await r.arrayBuffer()), /A tarred site page/, type);
    }
    const link = await tarOf([
      { name: '_config.yml', body: 'title: Linked\n' },
      { name: 'index.md', type: 'symlink', linkname: '/etc/passwd' },
    ]);
    const refused = await fetch(`${server.url}/render`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-tar', ...auth },
      body: new Blob([new Uint8Array(link)]),
    });
    assert.equal(refused.status, 422);
    const codes = ((await refused.json()) as { diagnostics: { code: string }[] }).diagnostics.map(
      (d) => d.code,
    );
    assert.deepEqual(codes, ['site/link']);
  });

  it('answers 503 with Retry-After when the render slot and the queue are full', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(server.url, REPORT)));
    const statuses = answers.map((r) => r.status);
    assert.ok(statuses.includes(503), `statuses: ${statuses.join(',')}`);
    assert.ok(statuses.includes(200), `statuses: ${statuses.join(',')}`);
    assert.ok(
      statuses.every((s) => s === 200 || s === 503),
      `statuses: ${statuses.join(',')}`,
    );
    const busy = answers.find((r) => r.status === 503)!;
    assert.equal(busy.headers.get('retry-after'), '1');
    assert.equal(
      ((await busy.json()) as { diagnostics: { code: string }[] }).diagnostics[0]?.code,
      'http/busy',
    );
    for (const r of answers.filter((a) => a.status === 200))
      assert.equal(Buffer.from((await r.arrayBuffer()).slice(0, 5)).toString(), '%PDF-');
  });

  it('exports Prometheus metrics', async () => {
    const r = await fetch(`${server.url}/metrics`, { headers: auth });
    assert.equal(r.status, 200);
    const text = await r.text();
    assert.match(text, /bookbinder_renders_total\{format="pdf",status="200"\} [1-9]/);
    assert.match(text, /bookbinder_renders_total\{format="unknown",status="503"\} [1-9]/);
    assert.match(text, /bookbinder_render_seconds_count\{format="pdf"\} [1-9]/);
  });

  it('on SIGTERM finishes the running render, exits 0 and leaves no Chromium', async () => {
    const pid = server.child.pid!;
    const browsers = chromiumDescendants(pid);
    assert.ok(browsers.length > 0, 'the server runs a Chromium');
    const pending = post(server.url, REPORT);
    await new Promise((r) => setTimeout(r, 150));
    const exited = new Promise<number | null>((resolve) => server.child.on('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    const r = await pending;
    assert.equal(r.status, 200);
    assert.equal(Buffer.from((await r.arrayBuffer()).slice(0, 5)).toString(), '%PDF-');
    assert.equal(await exited, 0);
    const alive = (p: number) => {
      try {
        process.kill(p, 0);
        return true;
      } catch {
        return false;
      }
    };
    assert.ok(await waitFor(() => browsers.every((p) => !alive(p)), 10_000), 'no Chromium left');
  });
});
