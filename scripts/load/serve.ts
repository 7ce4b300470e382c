/**
 * `npm run load:serve`: two runs of 200 requests from 8 concurrent clients against `bookbinder
 * serve` on loopback (1 in 10 a bad job). Every answer must be a correct PDF (%PDF-, and
 * pdftotext finds the request's own customer) or a coded 4xx/503. Memory is the PSS of the
 * server and its Chromium tree (shared pages divided among the processes sharing them, so a
 * sum is not inflated as one of RSS is), read after the warm-up and after each run: memory that
 * grows from the first run to the second is a leak. Then SIGTERM, and no Chromium of the server
 * may be left. Prints a Markdown summary.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BIN, chromiumDescendants, waitFor } from '../../test/helpers.js';

const REQUESTS = 200;
const CLIENTS = 8;

/** Where a process of the tree belongs: the server, Chromium's renderers, the rest of Chromium. */
function kindOf(pid: number, server: number): 'server' | 'renderers' | 'chromium' {
  if (pid === server) return 'server';
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return args.includes('--type=renderer') ? 'renderers' : 'chromium';
  } catch {
    return 'chromium';
  }
}

/** Memory of the server and its Chromium tree in MiB: PSS (and RSS, for comparison) by kind. */
function memory(pid: number): {
  pss: number;
  rss: number;
  server: number;
  renderers: number;
  chromium: number;
} {
  const out = { pss: 0, rss: 0, server: 0, renderers: 0, chromium: 0 };
  for (const p of [pid, ...chromiumDescendants(pid)]) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      const pss = Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) / 1024;
      out.pss += pss;
      out.rss += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) / 1024;
      out[kindOf(p, pid)] += pss;
    } catch {
      // gone
    }
  }
  return out;
}

const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
let log = '';
const url = await new Promise<string>((resolve, reject) => {
  child.stderr.on('data', (d: Buffer) => {
    log += d.toString();
    const m = /serving on (http:\/\/\S+)/.exec(log);
    if (m?.[1]) resolve(m[1]);
  });
  child.once('exit', () => reject(new Error(log)));
});
const dir = mkdtempSync(join(tmpdir(), 'bb-load-serve-'));

const body = (i: number) =>
  i % 10 === 9
    ? { markdown: '# Bad\n\n{% for x in %}\n' }
    : {
        markdown:
          '# Statement for {{ data.customer }}\n\n| n | item |\n|---|---|\n{% for r in data.rows %}| {{ forloop.index }} | {{ r }} |\n{% endfor %}',
        data: { customer: `Customer ${i}`, rows: Array.from({ length: 40 }, (_, k) => `item ${k}`) },
        options: { footer: { pageNumbers: true, text: 'Confidential' } },
      };

const tally = { pdf: 0, badPdf: 0, coded4xx: 0, busy: 0, other: 0 };
async function one(i: number): Promise<void> {
  const r = await fetch(`${url}/render`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body(i)),
  });
  const bytes = Buffer.from(await r.arrayBuffer());
  if (r.status === 200) {
    const file = join(dir, `${i}.pdf`);
    writeFileSync(file, bytes);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    if (bytes.subarray(0, 5).toString() === '%PDF-' && text.includes(`Statement for Customer ${i}`))
      tally.pdf++;
    else tally.badPdf++;
    rmSync(file);
  } else if (r.status === 503 && r.headers.get('retry-after')) tally.busy++;
  else if (r.status >= 400 && r.status < 500) {
    const json = JSON.parse(bytes.toString()) as { diagnostics?: { code?: string }[] };
    if (json.diagnostics?.[0]?.code) tally.coded4xx++;
    else tally.other++;
  } else tally.other++;
}

async function round(n: number, offset: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < n) await one(offset + next++);
    }),
  );
}

const settle = () => new Promise((r) => setTimeout(r, 2000));
const pid = child.pid!;
await round(16, 10_000); // warm-up, not counted below
await settle();
const warm = memory(pid);
const runs: { tally: typeof tally; seconds: number; mem: ReturnType<typeof memory> }[] = [];
for (let run = 0; run < 2; run++) {
  for (const k of Object.keys(tally)) tally[k as keyof typeof tally] = 0;
  const t0 = performance.now();
  await round(REQUESTS, run * REQUESTS);
  const seconds = (performance.now() - t0) / 1000;
  await settle();
  runs.push({ tally: { ...tally }, seconds, mem: memory(pid) });
}
const browsers = chromiumDescendants(pid);
const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
child.kill('SIGTERM');
const code = await exited;
const alive = (p: number): boolean => {
  try {
    process.kill(p, 0);
    return true;
  } catch {
    return false;
  }
};
await waitFor(() => !browsers.some(alive), 10_000);
const left = browsers.filter(alive);
const names = left.map((p) => {
  try {
    return readFileSync(`/proc/${p}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
});
rmSync(dir, { recursive: true, force: true });
const mib = (n: number) => n.toFixed(0);
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ');
const rows = runs.map(
  ({ tally: t, seconds }, i) =>
    `| ${i + 1} | ${REQUESTS} | ${t.pdf} | ${t.badPdf} | ${t.coded4xx} | ${t.busy} | ${t.other} | ${seconds.toFixed(1)} |`,
);
const points: [string, ReturnType<typeof memory>][] = [
  ['after the warm-up', warm],
  ['after run 1', runs[0]!.mem],
  ['after run 2', runs[1]!.mem],
];
const mem = points.map(
  ([when, m]) =>
    `| ${when} | ${mib(m.pss)} | ${mib(m.server)} | ${mib(m.chromium)} | ${mib(m.renderers)} | ${mib(m.rss)} |`,
);
console.log(`## serve under load (issue 21)

Measured ${new Date().toISOString().slice(0, 10)} (load average ${load} at the end, a shared 2-core machine);
\`npm run load:serve\`, one run of the script: two runs of ${REQUESTS} requests from ${CLIENTS} concurrent clients on
loopback (\`serve\` defaults: 2 renders at once, 8 waiting) after a 16-request warm-up; 1 in 10 a bad job (Liquid error).

| run | answers | correct PDF (%PDF-, own customer in pdftotext) | wrong PDF | coded 4xx | 503 + Retry-After | other | wall (s) |
|--:|--:|--:|--:|--:|--:|--:|--:|
${rows.join('\n')}

Memory of the server and its Chromium tree, 2 s after the warm-up and after each run: PSS from
\`/proc/PID/smaps_rollup\` (a shared page is divided among the processes sharing it), by process, and
the RSS sum for comparison (it counts shared pages once per process).

| when | PSS total (MiB) | server (node) | Chromium (browser, GPU, utility) | renderers | RSS sum (MiB) |
|--|--:|--:|--:|--:|--:|
${mem.join('\n')}

On SIGTERM: exit ${code}; Chromium processes of the server still alive 10 s after its exit: ${left.length} of ${browsers.length}${names.length ? ` (${names.join(', ')})` : ''}.
`);
