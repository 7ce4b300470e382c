/**
 * The outputs of one build appear together or not at all (issue 18, points 7, 15 and 16): every
 * output is written as a temporary and renamed only when all are written and the build has
 * not failed (`--strict` included); what a killed build left is removed by the next one; a
 * disk that refuses the outputs (full, read-only) is a coded error, never a stack trace.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'mocha';
import { build } from '../../src/build.js';
import { EXIT } from '../../src/cli.js';
import { removeStaleTemporaries } from '../../src/output/write.js';
import { FIXTURES, runMain } from '../helpers.js';

const cli = runMain;

/** A copy of the mini site in a fresh folder, and an output folder beside it. */
function miniSite(): { site: string; out: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bb-outputs-'));
  cpSync(join(FIXTURES, 'sites', 'mini'), join(dir, 'site'), { recursive: true });
  return { site: join(dir, 'site'), out: join(dir, 'out'), dir };
}

/** Every file under `dir` (relative path → content), temporaries included. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path.slice(dir.length + 1), readFileSync(path, 'latin1'));
  }
  return files;
}

function temporaries(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).filter((f) => /\.tmp$/.test(String(f))) as string[];
}

/** Changes the site so that every output of the next build differs from the last one. */
function edit(site: string): void {
  const index = join(site, 'index.md');
  writeFileSync(index, readFileSync(index, 'utf8').replace('Welcome to the mini book', 'A NEW EDITION'));
}

/** Mounts a tmpfs of `size` at a new folder, or skips the test with the reason. */
function mountTmpfs(ctx: Context, size: string): string {
  const at = mkdtempSync(join(tmpdir(), 'bb-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', at], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.warn(`      skipped: cannot mount a tmpfs here (${(r.stderr || String(r.error)).trim()})`);
    ctx.skip();
  }
  return at;
}

function unmount(at: string): void {
  spawnSync('umount', [at]);
  rmSync(at, { recursive: true, force: true });
}

describe('outputs: all of one build or none', function () {
  this.timeout(60_000);

  it('a failure of the last output leaves the previous set untouched and no temporary', async () => {
    const { site, out } = miniSite();
    const first = await cli(['build', site, '-o', out, '-f', 'html,epub', '-q']);
    assert.equal(first.code, EXIT.ok, first.err);
    // The EPUB, written last, cannot be: a folder holds its name.
    rmSync(join(out, 'book.epub'));
    mkdirSync(join(out, 'book.epub'));
    const before = snapshot(out);
    assert.ok(before.has('book.html') && before.has('book_files/assets/square.svg'));
    edit(site);
    const r = await cli(['build', site, '-o', out, '-f', 'html,epub', '--json']);
    assert.equal(r.code, EXIT.badInput, r.err);
    assert.doesNotMatch(r.err, /\n\s+at |internal error/);
    const report = JSON.parse(r.out) as { errors: { code: string; message: string }[]; outputs: string[] };
    assert.deepEqual(
      report.errors.map((e) => e.code),
      ['output/write-failed'],
    );
    assert.match(report.errors[0]!.message, /book\.epub: a folder is where the file should be/);
    assert.deepEqual(report.outputs, []);
    assert.deepEqual(snapshot(out), before, 'the old book.html and its images, unchanged');
    assert.deepEqual(temporaries(out), []);
    assert.match(r.err, /nothing was written/);
  });

  it('a full disk: a coded error naming the file, the previous set untouched, no temporary', async function () {
    const disk = mountTmpfs(this, '256k');
    try {
      const { site } = miniSite();
      const out = join(disk, 'out');
      const first = await cli(['build', site, '-o', out, '-f', 'html,epub', '-q']);
      assert.equal(first.code, EXIT.ok, first.err);
      const before = snapshot(out);
      // What is left is room for the new HTML book and its images, not for the EPUB too.
      const { bavail, bsize } = statfsSync(disk);
      const html = readFileSync(join(out, 'book.html')).length;
      const room = Math.ceil(html / bsize) * bsize + 2 * bsize;
      writeFileSync(join(disk, 'filler'), Buffer.alloc(Math.max(0, bavail * bsize - room)));
      edit(site);
      const r = await cli(['build', site, '-o', out, '-f', 'html,epub', '--json']);
      assert.equal(r.code, EXIT.badInput, r.err);
      assert.doesNotMatch(r.err, /\n\s+at |internal error/);
      const report = JSON.parse(r.out) as { errors: { code: string; message: string }[] };
      assert.deepEqual(
        report.errors.map((e) => e.code),
        ['output/write-failed'],
      );
      assert.match(report.errors[0]!.message, /the disk is full \(ENOSPC\)/);
      assert.doesNotMatch(report.errors[0]!.message, /\.tmp/, 'names the output, not our temporary');
      assert.deepEqual(snapshot(out), before);
      assert.deepEqual(temporaries(out), []);
    } finally {
      unmount(disk);
    }
  });

  it('a read-only disk: a coded error, no stack', async function () {
    const disk = mountTmpfs(this, '256k');
    try {
      const { site } = miniSite();
      const remount = spawnSync('mount', ['-o', 'remount,ro', disk], { encoding: 'utf8' });
      assert.equal(remount.status, 0, remount.stderr);
      for (const out of [disk, join(disk, 'below')]) {
        const r = await cli(['build', site, '-o', out, '-f', 'html', '--json']);
        assert.equal(r.code, EXIT.badInput, r.err);
        assert.doesNotMatch(r.err, /\n\s+at |internal error/);
        const report = JSON.parse(r.out) as { errors: { code: string; message: string }[] };
        assert.deepEqual(
          report.errors.map((e) => e.code),
          ['output/write-failed'],
        );
        assert.match(report.errors[0]!.message, /the file system is read-only \(EROFS\)/);
      }
    } finally {
      unmount(disk);
    }
  });

  it('a build replaces the images folder whole: no image of the last build stays', async () => {
    const { site, out } = miniSite();
    mkdirSync(join(out, 'book_files', 'old'), { recursive: true });
    writeFileSync(join(out, 'book_files', 'old', 'gone.png'), 'x');
    const r = await cli(['build', site, '-o', out, '-f', 'html', '-q']);
    assert.equal(r.code, EXIT.ok, r.err);
    assert.equal(existsSync(join(out, 'book_files', 'old')), false);
    assert.ok(existsSync(join(out, 'book_files', 'assets', 'square.svg')));
    assert.deepEqual(
      readdirSync(out).filter((f) => f.startsWith('.')),
      [],
    );
  });

  it('temporaries a killed build left are removed by the next build; a live one is kept', async () => {
    const { site, out } = miniSite();
    mkdirSync(out);
    // No process has pid 2^22 + 1 (the kernel's limit is 2^22).
    const dead = 4_194_305;
    writeFileSync(join(out, `.book.pdf.${dead}.0123abcd.tmp`), '');
    mkdirSync(join(out, `.book_files.${dead}.0123abcd.tmp`, 'assets'), { recursive: true });
    // The PDF's goes too, though the next build makes no PDF.
    // Pid 1 is running, but started long after this temporary was written: the pid was reused.
    const reused = join(out, `.book.epub.1.0123abcd.tmp`);
    writeFileSync(reused, 'x');
    utimesSync(reused, new Date(1_000_000_000), new Date(1_000_000_000));
    // Written now by a process that is running: maybe a build at work, so it stays.
    const live = `.book.html.${process.ppid}.0123abcd.tmp`;
    writeFileSync(join(out, live), 'x');
    // Not ours: another name.
    writeFileSync(join(out, `.notes.txt.${dead}.0123abcd.tmp`), 'x');
    const r = await cli(['build', site, '-o', out, '-f', 'html,epub', '-q']);
    assert.equal(r.code, EXIT.ok, r.err);
    assert.deepEqual(
      readdirSync(out)
        .filter((f) => f.startsWith('.'))
        .sort(),
      [live, `.notes.txt.${dead}.0123abcd.tmp`],
    );
    // The library's own call finds none left now, and removes one again when there is.
    assert.deepEqual(removeStaleTemporaries(join(out, 'book.pdf')), []);
    writeFileSync(join(out, `.book.pdf.${dead}.0123abcd.tmp`), '');
    assert.deepEqual(removeStaleTemporaries(join(out, 'book.pdf')), [`.book.pdf.${dead}.0123abcd.tmp`]);
  });
});

describe('outputs: --strict decides before writing', () => {
  it('a warning of the EPUB stage with --strict: exit 1, nothing written, and it says so', async () => {
    const { site, out } = miniSite();
    // The EPUB stage, not the Markdown, finds an image without alternative text.
    writeFileSync(
      join(site, 'docs', 'noalt.md'),
      '---\ntitle: No alt\nnav_order: 9\n---\n# No alt\n\n<img src="../assets/square.svg">\n',
    );
    const lenient = await cli(['build', site, '-o', join(out, 'lenient'), '-f', 'html,epub', '--json']);
    assert.equal(lenient.code, EXIT.ok, lenient.err);
    const warned = JSON.parse(lenient.out) as { warnings: { code: string }[] };
    assert.ok(
      warned.warnings.some((w) => w.code === 'image/no-alt'),
      lenient.out,
    );
    const r = await cli(['build', site, '-o', out, '-f', 'html,epub', '--strict', '--json']);
    assert.equal(r.code, EXIT.badInput, r.err);
    const report = JSON.parse(r.out) as { errors: { code: string }[]; outputs: string[] };
    assert.ok(report.errors.some((e) => e.code === 'image/no-alt'));
    assert.deepEqual(report.outputs, []);
    assert.match(r.err, /nothing was written/);
    assert.deepEqual(
      readdirSync(out).filter((f) => f !== 'lenient'),
      [],
    );
  });
});

describe('outputs: a cancelled build writes nothing', () => {
  it('build() aborted while the EPUB is made rejects with the reason; no output, no temporary', async () => {
    const { site, out, dir } = miniSite();
    const controller = new AbortController();
    const reason = new Error('stopped by the test');
    const made = build({
      source: site,
      outDir: out,
      formats: ['html', 'epub'],
      signal: controller.signal,
      onProgress: (e) => {
        if (e.stage === 'epub' && e.phase === 'start') controller.abort(reason);
      },
    });
    await assert.rejects(made, (e) => e === reason);
    assert.equal(existsSync(out), false);
    assert.deepEqual(temporaries(dir), []);
  });
});
