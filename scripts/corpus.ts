/**
 * `npm run corpus`: builds every just-the-docs site in ../shared/corpus (from its `site_root`)
 * into PDF, EPUB and HTML with one shared browser, and prints a table per corpus: chapters,
 * PDF pages, whether the order equals EXPECTED.json, warnings by code, seconds and the
 * epubcheck result. Skips (exit 0) when the folder is absent. Exit 1 when a build fails or
 * an order differs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { withBrowser } from '../src/browser/launch.js';
import { build, type BuildResult } from '../src/build.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CORPUS = process.env.BOOKBINDER_CORPUS ?? join(REPO, '..', 'shared', 'corpus');
const EPUBCHECK = '/usr/share/java/epubcheck.jar';

interface Expected {
  readonly site_root: string;
  readonly order: readonly { title: string; depth: number; source: string }[];
}

/** One line of the table. */
interface Row {
  readonly name: string;
  readonly chapters: number;
  readonly pdfPages: string;
  readonly order: string;
  readonly warnings: string;
  readonly errors: number;
  readonly seconds: string;
  readonly epubcheck: string;
}

function countBy(codes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const c of codes) counts.set(c, (counts.get(c) ?? 0) + 1);
  return (
    [...counts]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([c, n]) => `${c} ${n}`)
      .join(', ') || '—'
  );
}

function epubcheck(file: string): string {
  if (!existsSync(EPUBCHECK)) return 'skipped (no epubcheck)';
  const r = spawnSync('java', ['-jar', EPUBCHECK, file], { encoding: 'utf8' });
  if (r.error) return 'skipped (no java)';
  const all = `${r.stdout}\n${r.stderr}`;
  if (/No errors or warnings detected/.test(all)) return 'clean';
  const m = /(\d+) fatals? \/ (\d+) errors? \/ (\d+) warnings?/.exec(all);
  return m ? `${m[1]} fatal / ${m[2]} error / ${m[3]} warning` : `exit ${r.status}`;
}

function pdfPages(pdf: Uint8Array | undefined): string {
  if (!pdf) return '—';
  // The page tree's root holds the total (/Type /Pages ... /Count N); take the largest count.
  const text = Buffer.from(pdf).toString('latin1');
  const counts = [
    ...text.matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/g),
  ];
  const n = Math.max(0, ...counts.map((m) => Number(m[1] ?? m[2])));
  return n > 0 ? String(n) : '?';
}

function orderCheck(result: BuildResult, expected: Expected): string {
  const prefix = expected.site_root === '.' ? '' : `${expected.site_root}/`;
  const got = result.report.chapters.map((c) => `${c.depth}|${c.title}|${c.source}`);
  const want = expected.order.map((o) => `${o.depth}|${o.title}|${o.source.slice(prefix.length)}`);
  if (got.length === want.length && got.every((g, i) => g === want[i])) return 'same';
  const at = got.findIndex((g, i) => g !== want[i]);
  return `differs at ${at + 1}`;
}

function table(rows: readonly Row[]): string {
  const head: Row = {
    name: 'corpus',
    chapters: 0,
    pdfPages: 'PDF pages',
    order: 'order',
    warnings: 'warnings by code',
    errors: 0,
    seconds: 'seconds',
    epubcheck: 'epubcheck',
  };
  const cells = (r: Row, isHead = false): string[] => [
    r.name,
    isHead ? 'chapters' : String(r.chapters),
    r.pdfPages,
    r.order,
    isHead ? 'errors' : String(r.errors),
    r.warnings,
    r.seconds,
    r.epubcheck,
  ];
  const lines = [cells(head, true), ...rows.map((r) => cells(r))];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const fmt = (l: string[]) => `| ${l.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    fmt(lines[0]!),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...lines.slice(1).map(fmt),
  ].join('\n');
}

async function main(): Promise<number> {
  if (!existsSync(CORPUS)) {
    console.log(`skipped: ${CORPUS} does not exist`);
    return 0;
  }
  const names = readdirSync(CORPUS)
    .filter((n) => existsSync(join(CORPUS, n, 'EXPECTED.json')))
    .sort();
  const rows: Row[] = [];
  let failed = false;
  await withBrowser(async (browser) => {
    for (const name of names) {
      const expected = JSON.parse(readFileSync(join(CORPUS, name, 'EXPECTED.json'), 'utf8')) as Expected;
      const out = mkdtempSync(join(tmpdir(), `bb-corpus-${name}-`));
      console.error(`building ${name}…`);
      const start = performance.now();
      const result = await build({ source: join(CORPUS, name, expected.site_root), outDir: out, browser });
      const seconds = ((performance.now() - start) / 1000).toFixed(1);
      const order = orderCheck(result, expected);
      failed ||= !result.ok || order !== 'same';
      rows.push({
        name,
        chapters: result.report.chapters.length,
        pdfPages: pdfPages(result.pdf),
        order,
        warnings: countBy(result.report.warnings.map((w) => w.code)),
        errors: result.report.errors.length,
        seconds,
        epubcheck: result.epub ? epubcheck(join(out, 'book.epub')) : '—',
      });
      rmSync(out, { recursive: true, force: true });
    }
  });
  console.log(table(rows));
  return failed ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
