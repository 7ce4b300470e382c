/**
 * `npm run bench`: generates synthetic books of N = 10, 100, 300 chapters and measures, in one
 * run, the full build (PDF with numbered contents, running heads and bookmarks, plus the EPUB),
 * an EPUB-only build, and one raw puppeteer print of the same stitched HTML; then writes
 * BENCHMARKS.md with medians and ratios. Figures only: nothing here asserts a time.
 *
 * Env: BENCH_SIZES (default "10,100,300"), BENCH_RUNS (default 3), BENCH_DIR (default a temp dir).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from '../../src/browser/launch.js';
import { generateBook } from './generate.js';
import { type Measurement, measure } from './measure.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const BIN = join(ROOT, 'bin', 'bookbinder.js');
const RAW = join(ROOT, 'dist', 'scripts', 'bench', 'raw-print.js');
const REBUILD = join(ROOT, 'dist', 'scripts', 'bench', 'rebuild.js');

const sizes = (process.env.BENCH_SIZES ?? '10,100,300').split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const base = process.env.BENCH_DIR ?? join(tmpdir(), 'bookbinder-bench');

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
  check(
    await measure(process.execPath, [BIN, 'build', site, '-o', out, '--format', 'html', '-q']),
    'html build',
  );
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
  };
  const fullArgs = [BIN, 'build', site, '-o', out, '--format', 'pdf,epub', '--json', '-q'];
  const rawArgs = [RAW, join(out, 'book.html'), join(out, 'raw.pdf')];
  // Peak memory from runs of their own: reading PSS costs the run it measures time.
  row.fullMem.push(check(await measure(process.execPath, fullArgs), 'full build (memory)').peakMiB);
  row.rawMem.push(check(await measure(process.execPath, rawArgs), 'raw print (memory)').peakMiB);
  const timed = { memory: false };
  for (let r = 0; r < runs; r++) {
    const full = check(await measure(process.execPath, fullArgs, {}, timed), 'full build');
    const raw = check(await measure(process.execPath, rawArgs, {}, timed), 'raw print');
    const epub = check(
      await measure(process.execPath, [BIN, 'build', site, '-o', out, '--format', 'epub', '-q'], {}, timed),
      'epub build',
    );
    const rebuild = check(await measure(process.execPath, [REBUILD, site], {}, timed), 'rebuild');
    const again = JSON.parse(rebuild.stdout) as {
      rebuild: number;
      rendered: number;
      cached: number;
      chunks: string;
    };
    row.rebuild.push(again.rebuild);
    row.rebuildNote = `${again.rendered} page rendered, ${again.cached} from cache; ${again.chunks}`;
    row.full.push(full.seconds);
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

const f = (x: number, d = 2): string => x.toFixed(d);
const stageNames = [...new Set(rows.flatMap((r) => Object.keys(r.stages)))];
const lines = [
  '# Benchmarks',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.`,
  `Median of ${runs} runs per size; every figure in a row comes from the same run of \`npm run bench\`, so compare ratios, not absolute seconds (the machine is shared and noisy).`,
  '',
  '- **full**: `bookbinder build --format pdf,epub` — PDF with numbered contents, running heads, bookmarks, page labels, metadata, plus the EPUB; wall time of the whole process, and its CPU time (user + system, every process of the tree).',
  '- **raw**: one puppeteer `page.pdf()` of the same book as one stitched HTML file (no contents numbers, no running heads), in its own process.',
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
  // The goals of issue 8, against this run's medians.
  const goal = (what: string, value: number, limit: number, unit: string, digits = 2): string =>
    `| ${what} | ${f(value, digits)}${unit} | ≤ ${limit}${unit} | ${value <= limit ? 'met' : 'not met'} |`;
  lines.push(
    '## Against the goals of issue 8 (this run)',
    '',
    '| goal | measured | target | |',
    '|:--|--:|--:|:--|',
    goal('full build, N=300', median(r300.full), 12, ' s'),
    goal('peak memory, N=300', median(r300.fullMem), 1024, ' MiB', 0),
    goal('full build, N=100', median(r100.full), 3, ' s'),
    goal('time(N=300) / time(N=100)', median(r300.full) / median(r100.full), 3.3, ''),
    goal('full / raw print, N=300', median(r300.ratio), 0.45, ''),
    goal('EPUB only, N=300', median(r300.epub), 2, ' s'),
    `| no Chromium in an EPUB-only build | ${r300.epubChromium ? 'Chromium started' : 'none started'} | none | ${r300.epubChromium ? 'not met' : 'met'} |`,
    '',
    `The synthetic chapters have about 2,300 words, as the issue's, but bookbinder's print styles set them on ${f(r300.pages / r300.n, 1)} A4 pages each, parts included (the issue's reference: 4.3).`,
    '',
  );
}
// Figures from earlier versions, kept by hand for comparison.
const history = join(ROOT, 'scripts', 'bench', 'history.md');
if (existsSync(history)) lines.push(readFileSync(history, 'utf8'));
const target = join(ROOT, 'BENCHMARKS.md');
writeFileSync(target, lines.join('\n'));
console.log(readFileSync(target, 'utf8'));
