/**
 * `npm run bench`: generates synthetic books of N = 10, 100, 300 chapters and measures, in one
 * run, the full build (PDF with numbered contents, running heads and bookmarks, plus the EPUB),
 * an EPUB-only build, and one raw puppeteer print of the same stitched HTML; then writes
 * BENCHMARKS.md with medians and ratios. Figures only: nothing here asserts a time.
 *
 * It also builds, once each, a site of many short pages as HTML + EPUB (default 10,000 pages)
 * and a big book as PDF + EPUB (default N=900, about 5,000 pages). CPU time is split into user
 * and system time per kind of process, and the machine's load average is recorded.
 *
 * Options (or env): --sizes=10,100,300 (BENCH_SIZES), --runs=3 (BENCH_RUNS), --site=10000
 * (BENCH_SITE; 0 leaves it out), --big=900 (BENCH_BIG; 0 leaves it out), --dir=… (BENCH_DIR),
 * --quick (sizes 10,100, one run, no site and no big book). An empty --sizes= runs only the
 * site and the big book.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from '../../src/browser/launch.js';
import { generateBook, generateSite } from './generate.js';
import { type KindCpu, type Measurement, PROCESS_KINDS, type ProcessKind, measure } from './measure.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const BIN = join(ROOT, 'bin', 'bookbinder.js');
const RAW = join(ROOT, 'dist', 'scripts', 'bench', 'raw-print.js');
const REBUILD = join(ROOT, 'dist', 'scripts', 'bench', 'rebuild.js');

const argv = new Map(
  process.argv.slice(2).map((a) => {
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    return [m[1]!, m[2] ?? 'true'] as const;
  }),
);
const quick = argv.has('quick');
const option = (name: string, env: string, fallback: string, quickValue: string): string =>
  argv.get(name) ?? process.env[env] ?? (quick ? quickValue : fallback);
const sizes = option('sizes', 'BENCH_SIZES', '10,100,300', '10,100')
  .split(',')
  .filter((x) => x.trim() !== '')
  .map(Number);
const runs = Number(option('runs', 'BENCH_RUNS', '3', '1'));
const sitePages = Number(option('site', 'BENCH_SITE', '10000', '0'));
const bigN = Number(option('big', 'BENCH_BIG', '900', '0'));
const base = option(
  'dir',
  'BENCH_DIR',
  join(tmpdir(), 'bookbinder-bench'),
  join(tmpdir(), 'bookbinder-bench'),
);

/** Load averages (1 minute) seen at the start of each measured command. */
const loads: number[] = [];
const measured = (args: readonly string[], timed = true): Promise<Measurement> => {
  loads.push(loadavg()[0]!);
  return measure(process.execPath, args, {}, timed ? { memory: false } : {});
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Row {
  n: number;
  pages: number;
  full: number[];
  fullCpu: number[];
  fullMem: number[];
  rebuild: number[];
  rebuildNote: string;
  raw: number[];
  rawMem: number[];
  ratio: number[];
  epub: number[];
  epubChromium: boolean;
  stages: Record<string, number[]>;
  fullKinds: Record<ProcessKind, KindCpu>[];
  rawKinds: Record<ProcessKind, KindCpu>[];
}

function check(m: Measurement, what: string): Measurement {
  if (m.code !== 0) throw new Error(`${what} failed (${m.code}): ${m.stderr.slice(-2000)}`);
  return m;
}

async function benchSize(n: number): Promise<Row> {
  const site = join(base, `book-${n}`);
  const out = join(base, `out-${n}`);
  mkdirSync(out, { recursive: true });
  generateBook(site, n);
  check(await measured([BIN, 'build', site, '-o', out, '--format', 'html', '-q']), 'html build');
  const row: Row = {
    n,
    pages: 0,
    full: [],
    fullCpu: [],
    fullMem: [],
    rebuild: [],
    rebuildNote: '',
    raw: [],
    rawMem: [],
    ratio: [],
    epub: [],
    epubChromium: false,
    stages: {},
    fullKinds: [],
    rawKinds: [],
  };
  const fullArgs = [BIN, 'build', site, '-o', out, '--format', 'pdf,epub', '--json', '-q'];
  const rawArgs = [RAW, join(out, 'book.html'), join(out, 'raw.pdf')];
  // Peak memory from runs of their own: reading PSS costs the run it measures time.
  row.fullMem.push(check(await measured(fullArgs, false), 'full build (memory)').peakMiB);
  row.rawMem.push(check(await measured(rawArgs, false), 'raw print (memory)').peakMiB);
  for (let r = 0; r < runs; r++) {
    const full = check(await measured(fullArgs), 'full build');
    const raw = check(await measured(rawArgs), 'raw print');
    const epub = check(
      await measured([BIN, 'build', site, '-o', out, '--format', 'epub', '-q']),
      'epub build',
    );
    const rebuild = check(await measured([REBUILD, site]), 'rebuild');
    const again = JSON.parse(rebuild.stdout) as {
      rebuild: number;
      rendered: number;
      cached: number;
      chunks: string;
    };
    row.rebuild.push(again.rebuild);
    row.rebuildNote = `${again.rendered} page rendered, ${again.cached} from cache; ${again.chunks}`;
    row.full.push(full.seconds);
    row.fullKinds.push(full.byKind);
    row.rawKinds.push(raw.byKind);
    row.fullCpu.push(full.cpuSeconds);
    row.raw.push(raw.seconds);
    row.ratio.push(full.seconds / raw.seconds);
    row.epub.push(epub.seconds);
    row.epubChromium ||= [...epub.commands].some((c) => /chrom/i.test(c));
    const report = JSON.parse(full.stdout) as { timings: Record<string, number> };
    for (const [k, v] of Object.entries(report.timings)) (row.stages[k] ??= []).push(v);
    console.error(
      `N=${n} run ${r + 1}/${runs}: full ${full.seconds.toFixed(2)} s (cpu ${full.cpuSeconds.toFixed(1)} s), raw ${raw.seconds.toFixed(2)} s, epub ${epub.seconds.toFixed(2)} s, rebuild ${again.rebuild.toFixed(2)} s`,
    );
  }
  row.pages = Number(
    /Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [join(out, 'book.pdf')], { encoding: 'utf8' }))?.[1] ?? 0,
  );
  return row;
}

function machine(): string {
  const chromium = execFileSync(findChromium(), ['--version'], { encoding: 'utf8' }).trim();
  return `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ${chromium}`;
}

const rows: Row[] = [];
for (const n of sizes) rows.push(await benchSize(n));

/** One build of a big input: its wall time, CPU by kind, peak memory and stage timings. */
interface Single {
  readonly label: string;
  readonly what: string;
  readonly seconds: number;
  readonly cpu: number;
  readonly kinds: Record<ProcessKind, KindCpu>;
  readonly peakMiB: number;
  readonly stages: Record<string, number>;
}

async function single(label: string, what: string, site: string, formats: string): Promise<Single> {
  const out = join(base, `out-${label}`);
  mkdirSync(out, { recursive: true });
  const args = [BIN, 'build', site, '-o', out, '--format', formats, '--json', '-q'];
  // One run timed without PSS reads, one for the peak.
  const m = check(await measured(args), what);
  const mem = check(await measured(args, false), `${what} (memory)`);
  console.error(
    `${what}: ${m.seconds.toFixed(2)} s (cpu ${m.cpuSeconds.toFixed(1)} s), peak ${mem.peakMiB.toFixed(0)} MiB`,
  );
  const report = JSON.parse(m.stdout) as { timings: Record<string, number> };
  return {
    label,
    what,
    seconds: m.seconds,
    cpu: m.cpuSeconds,
    kinds: m.byKind,
    peakMiB: mem.peakMiB,
    stages: report.timings,
  };
}

const singles: Single[] = [];
if (sitePages > 0) {
  const site = join(base, `site-${sitePages}`);
  generateSite(site, sitePages);
  singles.push(
    await single(`site-${sitePages}`, `site of ${sitePages} short pages, HTML + EPUB`, site, 'html,epub'),
  );
}
if (bigN > 0) {
  const site = join(base, `book-${bigN}`);
  generateBook(site, bigN);
  singles.push(await single(`book-${bigN}`, `book N=${bigN}, PDF + EPUB`, site, 'pdf,epub'));
}

const f = (x: number, d = 2): string => x.toFixed(d);
const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** Mean CPU by kind over runs. */
function kindMean(all: Record<ProcessKind, KindCpu>[]): Record<ProcessKind, KindCpu> {
  return Object.fromEntries(
    PROCESS_KINDS.map((k) => [
      k,
      {
        user: mean(all.map((a) => a[k].user)),
        system: mean(all.map((a) => a[k].system)),
        faults: mean(all.map((a) => a[k].faults)),
      },
    ]),
  ) as Record<ProcessKind, KindCpu>;
}

/** The share of system time in a set of runs' CPU. */
function systemShare(all: Record<ProcessKind, KindCpu>[]): number {
  const m = kindMean(all);
  const user = PROCESS_KINDS.reduce((n, k) => n + m[k].user, 0);
  const system = PROCESS_KINDS.reduce((n, k) => n + m[k].system, 0);
  return system / (user + system || 1);
}

function kindRow(n: number | string, what: string, all: Record<ProcessKind, KindCpu>[]): string {
  const m = kindMean(all);
  const user = PROCESS_KINDS.reduce((t, k) => t + m[k].user, 0);
  const system = PROCESS_KINDS.reduce((t, k) => t + m[k].system, 0);
  const faults = PROCESS_KINDS.reduce((t, k) => t + m[k].faults, 0);
  return `| ${n} | ${what} | ${PROCESS_KINDS.map((k) => `${f(m[k].user, 1)} / ${f(m[k].system, 1)}`).join(' | ')} | ${f(user, 1)} | ${f(system, 1)} | ${f(100 * systemShare(all), 0)}% | ${f(faults / 1000, 0)} |`;
}
const stageNames = [...new Set(rows.flatMap((r) => Object.keys(r.stages)))];
const lines = [
  '# Benchmarks',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.`,
  `Median of ${runs} runs per size; every figure comes from the same run of \`npm run bench\`, so compare ratios, not absolute seconds (the machine is shared and noisy).`,
  `Load on the machine during the run (1-minute load average at the start of each measured command, ${cpus().length} cores): min ${f(Math.min(...loads), 1)}, median ${f(median(loads), 1)}, max ${f(Math.max(...loads), 1)}.`,
  '',
  '- **full**: `bookbinder build --format pdf,epub` — PDF with numbered contents, running heads, bookmarks, page labels, metadata, plus the EPUB; wall time of the whole process, and its CPU time (user + system, every process of the tree).',
  '- **raw**: the print a puppeteer user would write, in its own process: `puppeteer.launch()` with its default flags (plus `--no-sandbox` as root), `page.goto(file)`, `page.pdf({ preferCSSPageSize: true, printBackground: true })` of the same book as one stitched HTML file (no contents numbers, no running heads).',
  '- **peak**: peak memory of the whole process tree (sum of PSS over every process, read every half second while the summed RSS, sampled every 100 ms, nears its highest), from one more run of each: reading PSS costs the run it measures about 0.4 s at N=300, so the timed runs leave it out.',
  '- **EPUB only**: `--format epub`; "Chromium" says whether any Chromium process was seen.',
  '- **rebuild**: in one process with the render and print caches (what `preview` keeps), the PDF built again after one sentence was added to the middle chapter.',
  '',
  '| N chapters | PDF pages | full (s) | full CPU (s) | raw print (s) | full / raw | full peak (MiB) | raw peak (MiB) | EPUB only (s) | Chromium in EPUB-only | rebuild (s) |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.n} | ${r.pages} | ${f(median(r.full))} | ${f(median(r.fullCpu), 1)} | ${f(median(r.raw))} | ${f(median(r.ratio))} | ${f(median(r.fullMem), 0)} | ${f(median(r.rawMem), 0)} | ${f(median(r.epub))} | ${r.epubChromium ? 'yes' : 'no'} | ${f(median(r.rebuild))} |`,
  ),
  '',
  ...rows.map((r) => `Rebuild at N=${r.n}: ${r.rebuildNote}.`),
  '',
  '## CPU by kind of process (seconds, mean of the timed runs; user / system)',
  '',
  "From `/proc/PID/stat` of every process of the tree, last seen at a 100 ms sample. **node**: bookbinder (or the raw print script); **browser**: Chromium's browser process; **renderer**: its renderers; **other**: GPU, utility and zygote processes. Minor page faults in thousands.",
  '',
  `| N | build | ${PROCESS_KINDS.join(' | ')} | user | system | system share | page faults (k) |`,
  `|---:|:--|${PROCESS_KINDS.map(() => '---:').join('|')}|---:|---:|---:|---:|`,
  ...rows.flatMap((r) => [kindRow(r.n, 'full', r.fullKinds), kindRow(r.n, 'raw print', r.rawKinds)]),
  ...singles.map((x) => kindRow(x.label, x.what, [x.kinds])),
  '',
  '## Stages of the full build (median seconds, from `--json` timings)',
  '',
  `| N | ${stageNames.join(' | ')} |`,
  `|---:|${stageNames.map(() => '---:').join('|')}|`,
  ...rows.map((r) => `| ${r.n} | ${stageNames.map((s) => f(median(r.stages[s] ?? [0]), 3)).join(' | ')} |`),
  '',
];
const by = new Map(rows.map((r) => [r.n, r]));
const r100 = by.get(100);
const r300 = by.get(300);
if (r100 && r300) {
  lines.push(
    `Scaling: time(N=300) / time(N=100) = ${f(median(r300.full) / median(r100.full))} for bookbinder, ${f(median(r300.raw) / median(r100.raw))} for the raw print (pages ${f(r300.pages / r100.pages)}×).`,
    '',
  );
}
if (singles.length) {
  lines.push(
    '## Large inputs (one timed run each, and one more for the peak)',
    '',
    '| input | wall (s) | CPU (s) | peak (MiB) | stages (s) |',
    '|:--|---:|---:|---:|:--|',
    ...singles.map(
      (x) =>
        `| ${x.what} | ${f(x.seconds)} | ${f(x.cpu, 1)} | ${f(x.peakMiB, 0)} | ${Object.entries(x.stages)
          .filter(([, v]) => v >= 0.05)
          .map(([k, v]) => `${k} ${f(v, 2)}`)
          .join(', ')} |`,
    ),
    '',
  );
}
// The goals of issue 20, against this run's figures.
const goal = (what: string, value: number, limit: number, unit: string, digits = 2): string =>
  `| ${what} | ${f(value, digits)}${unit} | ≤ ${limit}${unit} | ${value <= limit ? 'met' : 'not met'} |`;
const goals: string[] = [];
if (r300) {
  goals.push(goal('full / raw print, N=300', median(r300.ratio), 0.6, ''));
  goals.push(
    goal("system share of the full build's CPU, N=300", 100 * systemShare(r300.fullKinds), 15, '%', 0),
  );
  goals.push(goal('EPUB only, N=300', median(r300.epub), 2, ' s'));
  goals.push(
    `| no Chromium in an EPUB-only build | ${r300.epubChromium ? 'Chromium started' : 'none started'} | none | ${r300.epubChromium ? 'not met' : 'met'} |`,
  );
}
if (r100) goals.push(goal('full / raw print, N=100', median(r100.ratio), 1, ''));
const site = singles.find((x) => x.label.startsWith('site-'));
if (site) {
  goals.push(goal(`${site.what}: time`, site.seconds, 8, ' s'));
  goals.push(goal(`${site.what}: peak`, site.peakMiB, 1024, ' MiB', 0));
}
const big = singles.find((x) => x.label.startsWith('book-'));
if (big) {
  if (r300) goals.push(goal(`${big.what}: time / full N=300`, big.seconds / median(r300.full), 3.3, '×'));
  goals.push(goal(`${big.what}: peak`, big.peakMiB, 1536, ' MiB', 0));
}
if (goals.length)
  lines.push(
    '## Against the goals of issue 20 (this run)',
    '',
    '| goal | measured | target | |',
    '|:--|--:|--:|:--|',
    ...goals,
    '',
  );
if (r300)
  lines.push(
    `The synthetic chapters have about 2,300 words; bookbinder's print styles set them on ${f(r300.pages / r300.n, 1)} A4 pages each, parts included.`,
    '',
  );
// Figures from earlier versions, kept by hand for comparison.
const history = join(ROOT, 'scripts', 'bench', 'history.md');
if (existsSync(history))
  lines.push(
    '---',
    '',
    '# Earlier runs',
    '',
    'Everything below comes from earlier versions and earlier runs, each dated in its heading; it is kept by hand (scripts/bench/history.md) for comparison and is not comparable with the run above.',
    '',
    readFileSync(history, 'utf8'),
  );
const target = join(ROOT, 'BENCHMARKS.md');
writeFileSync(target, lines.join('\n'));
console.log(readFileSync(target, 'utf8'));
