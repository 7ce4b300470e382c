/**
 * The rebuild a preview does after one page changes, in one process with the render and print
 * caches: builds the book's PDF, appends a paragraph to the middle chapter, builds again.
 * Prints one JSON object: both wall times and what the second build reused. Restores the page.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build, PrintCache, RenderCache } from '../../src/index.js';

const [dir] = process.argv.slice(2);
if (!dir) throw new Error('usage: rebuild BOOK_DIR');
const renderCache = new RenderCache();
const printCache = new PrintCache();
const once = async (): Promise<{ seconds: number; chunks: string }> => {
  const start = performance.now();
  const r = await build({ source: dir, formats: ['pdf'], renderCache, printCache });
  if (!r.ok) throw new Error(`build failed: ${JSON.stringify(r.report.errors)}`);
  return {
    seconds: (performance.now() - start) / 1000,
    chunks: r.report.infos.find((i) => i.code === 'pdf/chunks')?.message ?? '',
  };
};
const first = await once();
const chapters = readdirSync(join(dir, 'docs'))
  .filter((f) => /^chapter-\d+\.md$/.test(f))
  .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
const file = join(dir, 'docs', chapters[Math.floor(chapters.length / 2)]!);
const original = readFileSync(file, 'utf8');
try {
  writeFileSync(
    file,
    original.replace('## ', 'An added sentence, as an author would while previewing.\n\n## '),
  );
  const second = await once();
  console.log(
    JSON.stringify({
      first: first.seconds,
      rebuild: second.seconds,
      rendered: renderCache.misses,
      cached: renderCache.hits,
      chunks: second.chunks,
    }),
  );
} finally {
  writeFileSync(file, original);
}
