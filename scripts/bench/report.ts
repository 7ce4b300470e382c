/**
 * `npm run bench:report`: a one-page report (a heading, a paragraph, a 40-row table built by a
 * Liquid loop) through `renderReport` with a warm browser, against raw puppeteer
 * `setContent` + `pdf()` of the same HTML in warm pages of the same browser. Latency medians
 * (one at a time, the two interleaved) and throughput with 2 concurrent requests; CPU seconds
 * of this process and of Chromium's process tree. Prints a Markdown section for BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Browser, Page } from 'puppeteer';
import { renderReport, reportPdfOptions } from '../../src/api/render-report.js';
import { closeBrowser, launchBrowser } from '../../src/browser/launch.js';
import { Diagnostics } from '../../src/diagnostics.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const THROUGHPUT_JOBS = Number(process.env.BENCH_JOBS ?? 60);

const TEMPLATE = `# Statement for {{ data.customer }}

This statement lists the {{ data.rows | size }} movements of the account in the period, with the
balance after each one. Questions go to the branch named on the last page.

| # | Date | Description | Amount |
|--:|:-----|:------------|-------:|
{% for r in data.rows %}| {{ forloop.index }} | {{ r.date }} | {{ r.text }} | {{ r.amount }} |
{% endfor %}
`;

const data = {
  customer: 'Ada Example',
  rows: Array.from({ length: 40 }, (_, i) => ({
    date: `2026-11-${String((i % 28) + 1).padStart(2, '0')}`,
    text: `Payment ${i + 1} to a supplier`,
    amount: ((i * 37.11) % 900).toFixed(2),
  })),
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** CPU seconds of the process tree under `pid` (processes still alive). */
function treeCpu(pid: number): number {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,times='], { encoding: 'utf8' });
  const rows = out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number, number]);
  const inTree = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [p, pp] of rows)
      if (inTree.has(pp) && !inTree.has(p)) {
        inTree.add(p);
        grew = true;
      }
  }
  return rows.filter(([p]) => inTree.has(p)).reduce((a, [, , t]) => a + t, 0);
}

function nodeCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function rawPage(browser: Browser): Promise<Page> {
  return browser.newPage();
}

const browser = await launchBrowser();
const chromePid = browser.process()?.pid ?? 0;
try {
  const first = await renderReport(TEMPLATE, { data, browser });
  if (!first.ok || !first.data) throw new Error('the report did not render');
  const html = first.html;
  const pdfOptions = reportPdfOptions({}, new Diagnostics(), 'x');
  const rawPages = [await rawPage(browser), await rawPage(browser)];
  const raw = async (page: Page) => {
    await page.setContent(html, { waitUntil: 'load' });
    return page.pdf(pdfOptions);
  };
  const ours = async () => {
    const r = await renderReport(TEMPLATE, { data, browser });
    if (!r.data) throw new Error('no PDF');
    return r.data;
  };
  // Warm both paths.
  // Warm both paths (every raw page too: a fresh page's first web font fails to load once).
  for (let i = 0; i < 5; i++) {
    for (const page of rawPages) await raw(page);
    await ours();
  }

  const lat = { raw: [] as number[], ours: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 === 0 ? (['raw', 'ours'] as const) : (['ours', 'raw'] as const);
    for (const which of order) {
      const t = performance.now();
      if (which === 'raw') await raw(rawPages[0]!);
      else await ours();
      lat[which].push(performance.now() - t);
    }
  }

  const throughput = async (which: 'raw' | 'ours') => {
    let next = 0;
    const t = performance.now();
    const n0 = nodeCpu();
    const c0 = treeCpu(chromePid);
    await Promise.all(
      [0, 1].map(async (lane) => {
        while (next++ < THROUGHPUT_JOBS) {
          if (which === 'raw') await raw(rawPages[lane]!);
          else await ours();
        }
      }),
    );
    const s = (performance.now() - t) / 1000;
    return { perSecond: THROUGHPUT_JOBS / s, node: nodeCpu() - n0, chrome: treeCpu(chromePid) - c0 };
  };
  const tp = { raw: [] as number[], ours: [] as number[] };
  const cpu = { raw: { node: 0, chrome: 0 }, ours: { node: 0, chrome: 0 } };
  for (const which of ['raw', 'ours', 'ours', 'raw', 'raw', 'ours'] as const) {
    const r = await throughput(which);
    tp[which].push(r.perSecond);
    cpu[which].node += r.node;
    cpu[which].chrome += r.chrome;
  }

  const mr = median(lat.raw);
  const mo = median(lat.ours);
  const tr = median(tp.raw);
  const to = median(tp.ours);
  const jobs = 3 * THROUGHPUT_JOBS;
  const per = (c: { node: number; chrome: number }) =>
    `${((1000 * c.node) / jobs).toFixed(1)} + ${((1000 * c.chrome) / jobs).toFixed(1)}`;
  const date = new Date().toISOString().slice(0, 10);
  console.log(`## Reports in memory (issue 21)

Measured ${date} on ${cpus().length} × ${cpus()[0]?.model ?? '?'}; Node ${process.version}; \`npm run bench:report\`, one run.
A one-page report (a heading, a paragraph, a 40-row table from a Liquid loop over \`data\`) with a warm browser:
\`renderReport\` (Liquid, markdown-it, sanitiser, its report printed in a warm page's document, \`pdf()\`) against raw puppeteer
\`setContent\` + \`pdf()\` of the same HTML in warm pages of the same browser. Latency: ${ROUNDS} of each, one at a time,
interleaved; throughput: ${THROUGHPUT_JOBS} PDFs over 2 concurrent lanes, 3 blocks of each, interleaved.

| | raw | renderReport | ratio | target |
|:--|--:|--:|--:|:--|
| median latency (ms) | ${mr.toFixed(1)} | ${mo.toFixed(1)} | ${(mo / mr).toFixed(2)} | ≤ 1.3 |
| throughput at 2 concurrent (PDF/s, median block) | ${tr.toFixed(2)} | ${to.toFixed(2)} | ${(to / tr).toFixed(2)} | ≥ 0.9 |
| CPU ms per PDF, Node + Chromium | ${per(cpu.raw)} | ${per(cpu.ours)} | | |

Before (issue 21's figure): \`renderMarkdown\`, a temporary site through the book pipeline, cost 3.1× raw.
`);
} finally {
  await closeBrowser(browser);
}
