import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../src/build.js';
import { EXIT } from '../../src/cli.js';
import { FIXTURES, runMain } from '../helpers.js';

const cli = runMain;

describe('cli contract', () => {
  it('exits 2 on an unknown option, an unknown format or an unknown command', async () => {
    assert.equal((await cli(['build', '--bogus'])).code, EXIT.usage);
    assert.equal((await cli(['build', '--format', 'pdf,docx'])).code, EXIT.usage);
    assert.equal((await cli(['frobnicate'])).code, EXIT.usage);
    assert.equal((await cli(['build', '--name', 'a/b'])).code, EXIT.usage);
  });

  it('exits 0 for --help and --version, printing on stdout', async () => {
    const help = await cli(['build', '--help']);
    assert.equal(help.code, EXIT.ok);
    assert.match(help.out, /--format/);
    assert.equal((await cli(['--version'])).code, EXIT.ok);
  });

  it('exits 1 with a coded error when the source folder is missing', async () => {
    const r = await cli([
      'build',
      join(tmpdir(), 'bookbinder-no-such-folder'),
      '--json',
      '-o',
      mkdtempSync(join(tmpdir(), 'bb-')),
    ]);
    assert.equal(r.code, EXIT.badInput);
    const report = JSON.parse(r.out) as { errors: { code: string }[] };
    assert.equal(report.errors[0]?.code, 'source/missing');
    assert.match(r.err, /error: source folder/);
  });

  it('an output that cannot be written is a coded error with its path, no stack, and --json still reports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-'));
    // -o names a file; then the book's own file name is taken by a folder.
    writeFileSync(join(dir, 'a-file'), 'x');
    mkdirSync(join(dir, 'out', 'book.html'), { recursive: true });
    for (const out of [join(dir, 'a-file'), join(dir, 'a-file', 'below'), join(dir, 'out')]) {
      const r = await cli(['build', join(FIXTURES, 'sites', 'mini'), '-o', out, '-f', 'html', '--json']);
      assert.equal(r.code, EXIT.badInput, r.err);
      assert.doesNotMatch(r.err, /internal error|\n\s+at /);
      const report = JSON.parse(r.out) as { errors: { code: string; message: string }[]; outputs: string[] };
      assert.equal(report.errors[0]?.code, 'output/write-failed');
      assert.match(report.errors[0].message, new RegExp(dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      assert.deepEqual(report.outputs, []);
    }
  });

  it('builds HTML only when asked, and reports chapters in book order as JSON', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bb-'));
    const r = await cli([
      'build',
      join(FIXTURES, 'sites', 'mini'),
      '-o',
      out,
      '--format',
      'html',
      '--name',
      'mini',
      '--json',
    ]);
    assert.equal(r.code, EXIT.ok, r.err);
    const report = JSON.parse(r.out) as {
      chapters: { title: string; depth: number; source: string; id: string }[];
      outputs: string[];
    };
    assert.deepEqual(
      report.chapters.map((c) => [c.title, c.depth, c.source]),
      [
        ['Welcome', 0, 'index.md'],
        ['Guide', 0, 'docs/guide/guide.md'],
        ['Alpha Part', 1, 'docs/guide/alpha.md'],
        ['Beta Part', 1, 'docs/guide/beta.md'],
        ['Appendix', 0, 'docs/appendix.md'],
      ],
    );
    assert.equal(report.outputs.length, 1);
    assert.match(report.outputs[0]!, /mini\.html$/);
  });

  it('--strict turns warnings into errors (exit 1)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bb-'));
    const r = await cli([
      'build',
      join(FIXTURES, 'sites', 'warns'),
      '-o',
      out,
      '--format',
      'html',
      '--strict',
      '--json',
    ]);
    assert.equal(r.code, EXIT.badInput);
    const report = JSON.parse(r.out) as {
      errors: { code: string; file: string; line: number }[];
      warnings: unknown[];
    };
    assert.equal(report.warnings.length, 0);
    assert.deepEqual(
      report.errors.map((e) => [e.code, e.file, e.line]),
      [['link/unresolved', 'page.md', 6]],
    );
    const lenient = await cli(['build', join(FIXTURES, 'sites', 'warns'), '-o', out, '--format', 'html']);
    assert.equal(lenient.code, EXIT.ok);
    assert.match(
      lenient.err,
      /page\.md:6: warning: link to \/nowhere\/ matches no page of the site \[link\/unresolved\]/,
    );
  });
});

describe('cli: where the outputs may go', () => {
  const site = join(FIXTURES, 'sites', 'mini');

  it('refuses -o under /proc, /sys or /dev, and -o / (exit 2, at once, nothing written)', async () => {
    for (const out of ['/proc/x', '/proc', '/sys/bb', '/dev/bb', '/']) {
      const r = await cli(['build', site, '-o', out, '--format', 'html']);
      assert.equal(r.code, EXIT.usage, `${out}: ${r.err}`);
      assert.match(r.err, /error: the output folder .* (system file system|root of the file system)/, out);
    }
    assert.equal(existsSync('/dev/bb'), false);
  });

  it('refuses the source folder and a folder inside it, but not a _folder or a sibling', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-where-'));
    const src = join(dir, 'content');
    cpSync(site, src, { recursive: true });
    const same = await cli(['build', src, '-o', src, '--format', 'html']);
    assert.equal(same.code, EXIT.usage);
    assert.match(same.err, /is the source folder/);
    const within = await cli(['build', src, '-o', join(src, 'out'), '--format', 'html']);
    assert.equal(within.code, EXIT.usage);
    assert.match(within.err, /is inside the source folder/);
    assert.equal(existsSync(join(src, 'out')), false);
    // Like Jekyll's _site, a folder the site skips may hold the book; so may the default sibling.
    assert.equal((await cli(['build', src, '-o', join(src, '_book'), '--format', 'html'])).code, EXIT.ok);
    assert.ok(existsSync(join(src, '_book', 'book.html')));
    assert.equal((await cli(['build', src, '-o', join(dir, 'output'), '--format', 'html'])).code, EXIT.ok);
    // So may a folder the site's `exclude:` lists (as `bookbinder init` writes it), at any depth.
    writeFileSync(join(src, '_config.yml'), 'title: Mini\nexclude: [build/books]\n');
    const excluded = await cli(['build', src, '-o', join(src, 'build', 'books', 'x'), '--format', 'html']);
    assert.equal(excluded.code, EXIT.ok, excluded.err);
    assert.ok(existsSync(join(src, 'build', 'books', 'x', 'book.html')));
    assert.match(within.err, /list it under exclude:/);
  });

  it('the library reports output/refused instead of writing there', async () => {
    const r = await build({ source: site, outDir: '/proc/bb', formats: ['html'] });
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.report.errors.map((e) => e.code),
      ['output/refused'],
    );
  });
});
