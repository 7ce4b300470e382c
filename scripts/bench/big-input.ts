/**
 * `npm run bench:inputs`: how the HTML build's time grows with one big or deeply nested page
 * (the inputs of test/unit/bad-input.test.ts, which checks only that they build whole). Each
 * input is built at size n and 4n, alternately, `--runs` times (default 3); the table gives the
 * median CPU seconds of each, their ratio and the ratio of the inputs' sizes. Prints a Markdown
 * section for BENCHMARKS.md; asserts nothing.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../src/build.js';

const runs = Number(/^--runs=(\d+)$/.exec(process.argv[2] ?? '')?.[1] ?? 3);
const para = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod. ';

/** Each input: its page at size n, and the n measured (then 4n). */
const INPUTS: Record<string, { n: number; make: (n: number) => string }> = {
  'long page (n paragraphs of 10 sentences)': {
    n: 350,
    make: (n) => `# Start\n\n${`${para.repeat(10)}\n\n`.repeat(n)}THE END\n`,
  },
  'table (n rows)': {
    n: 2_500,
    make: (n) =>
      `| a | b | c |\n|---|---|---|\n${Array.from({ length: n }, (_, i) => `| ${i} | x${i} | y |`).join('\n')}\n`,
  },
  'nested list (n levels)': {
    n: 500,
    make: (n) =>
      `${Array.from({ length: n }, (_, i) => `${'  '.repeat(i)}- level ${i}`).join('\n')}\n\nAFTER\n`,
  },
  'nested quotes and emphasis (n levels)': {
    n: 1_000,
    make: (n) => `${'>'.repeat(n)} deep\n\n${'*a '.repeat(n)}\n\nAFTER\n`,
  },
  'nested raw HTML (n levels)': {
    n: 1_000,
    make: (n) => `<div>\n${'<div><span>'.repeat(n)}x${'</span></div>'.repeat(n)}\n</div>\n\nAFTER\n`,
  },
  'footnotes (n references and notes)': {
    n: 1_000,
    make: (n) =>
      `${Array.from({ length: n }, (_, i) => `Sentence ${i}.[^n${i}]`).join('\n\n')}\n\n${Array.from({ length: n }, (_, i) => `[^n${i}]: Note ${i}.`).join('\n')}\n`,
  },
};

/** CPU seconds of this process for one HTML build of the page. */
let built = 0;
async function cpuSeconds(body: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bb-big-'));
  mkdirSync(join(dir, 'site'));
  // A line of its own in each page, so that no cache serves a page built before.
  writeFileSync(join(dir, 'site', 'index.md'), `---\ntitle: Big\n---\nBuild ${++built}.\n\n${body}`);
  const before = process.cpuUsage();
  const result = await build({ source: join(dir, 'site'), formats: ['html'] });
  const used = process.cpuUsage(before);
  if (!result.ok) throw new Error(JSON.stringify(result.report.errors));
  return (used.user + used.system) / 1e6;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const rows: string[] = [];
const load = loadavg()[0]!.toFixed(1);
await cpuSeconds('Warm-up.'); // loads the highlighter and the rest once
for (const [name, { n, make }] of Object.entries(INPUTS)) {
  const small: number[] = [];
  const large: number[] = [];
  for (let r = 0; r < runs; r++) {
    small.push(await cpuSeconds(make(n)));
    large.push(await cpuSeconds(make(4 * n)));
  }
  const [a, b] = [median(small), median(large)];
  const bytes = make(4 * n).length / make(n).length;
  rows.push(
    `| ${name} | ${n} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${(b / a).toFixed(1)} | ${bytes.toFixed(1)} |`,
  );
}
process.stdout.write(
  [
    '## Big single pages (HTML build, CPU seconds of the build, median of ' + `${runs})`,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)}; \`npm run bench:inputs\`; 1-minute load average at the start ${load}.`,
    'The time ratio should follow the input ratio (the page at 4n against n, in characters): a nested list',
    'indents each level further, so its page grows with the square of n.',
    '',
    '| input | n | CPU at n (s) | CPU at 4n (s) | time 4n / n | input 4n / n |',
    '|:--|--:|--:|--:|--:|--:|',
    ...rows,
    '',
  ].join('\n'),
);
