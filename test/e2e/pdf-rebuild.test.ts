/**
 * End to end, rebuilding with the caches `preview` keeps: after one page changes, only that page
 * is rendered again and only its chunk (and the contents, when numbers moved) is printed again;
 * the new PDF has the edit and correct contents numbers.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type BuildResult, PrintCache, RenderCache } from '../../src/index.js';
import { requireTools, run } from '../helpers.js';

const PROSE =
  'The folded sheets are gathered into signatures, sewn through the fold and glued at the spine. ' +
  'A bone folder sharpens each crease so that the quires lie flat under the press overnight. ';

function writeBook(dir: string): void {
  mkdirSync(join(dir, 'docs'), { recursive: true });
  writeFileSync(join(dir, '_config.yml'), 'title: Rebuild Book\nlang: en\n');
  for (let i = 1; i <= 8; i++) {
    const body = Array.from({ length: 6 }, (_, s) => `## Step ${i}.${s + 1}\n\n${PROSE.repeat(6)}\n`).join(
      '\n',
    );
    writeFileSync(
      join(dir, 'docs', `chapter-${i}.md`),
      `---\ntitle: Chapter ${i}\nnav_order: ${i}\n---\n${body}`,
    );
  }
}

describe('rebuilding a PDF with the preview caches (end to end)', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'bb-rebuild-'));
  const renderCache = new RenderCache();
  const printCache = new PrintCache();
  const chunks = (r: BuildResult) => r.report.infos.find((i) => i.code === 'pdf/chunks')?.message ?? '';
  let first: BuildResult;
  let second: BuildResult;
  const saved = process.env.BOOKBINDER_PDF_CHUNK;

  before(async function () {
    requireTools(this, 'chromium', 'pdftotext');
    writeBook(dir);
    process.env.BOOKBINDER_PDF_CHUNK = '12000';
    try {
      const once = () => build({ source: dir, formats: ['pdf'], renderCache, printCache });
      first = await once();
      const file = join(dir, 'docs', 'chapter-5.md');
      const text = readFileSync(file, 'utf8');
      writeFileSync(
        file,
        text.replace('## Step 5.1', 'A freshly added sentence about headbands.\n\n## Step 5.1'),
      );
      second = await once();
    } finally {
      if (saved === undefined) delete process.env.BOOKBINDER_PDF_CHUNK;
      else process.env.BOOKBINDER_PDF_CHUNK = saved;
    }
  });

  it('renders only the changed page again and reuses the unchanged chunks', () => {
    assert.ok(first.ok && second.ok);
    assert.equal(renderCache.misses, 1);
    const count = Number(/in (\d+) chunks/.exec(chunks(first))?.[1]);
    assert.ok(count >= 4, chunks(first));
    // Every chunk but the edited one; the contents too unless its numbers moved.
    const reused = Number(/(\d+) documents? reused/.exec(chunks(second))?.[1]);
    assert.ok(reused >= count - 1, chunks(second));
  });

  it('the rebuilt PDF has the edit, and its contents numbers match where chapters start', () => {
    const file = join(dir, 'second.pdf');
    writeFileSync(file, second.pdf!);
    assert.match(run('pdftotext', [file, '-']), /A freshly added sentence about headbands/);
    const contents = run('pdftotext', ['-f', '2', '-l', '2', '-layout', file, '-']);
    for (const c of second.report.chapters) {
      const m = new RegExp(`^\\s*${c.title}[ .]*\\s(\\S+)\\s*$`, 'm').exec(contents);
      assert.equal(m?.[1], c.pageLabel, c.title);
      const text = run('pdftotext', ['-f', String(c.page), '-l', String(c.page), file, '-']);
      assert.match(text, new RegExp(`^\\s*${c.title}\\n`), `${c.title} opens page ${c.page}`);
    }
  });
});
