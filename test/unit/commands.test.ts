import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../src/build.js';
import { EXIT } from '../../src/cli.js';
import { scaffoldFiles } from '../../src/commands/init.js';
import { RenderCache } from '../../src/render-cache.js';
import { type ProgressEvent, progressReporter, useColor } from '../../src/progress.js';
import { FIXTURES, runMain } from '../helpers.js';

const cli = runMain;

/** A copy of the mini site in `<tmp>/site`; outputs go beside it (inside, the build refuses them). */
function copyOfMini(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'bb-mini-')), 'site');
  cpSync(join(FIXTURES, 'sites', 'mini'), dir, { recursive: true });
  return dir;
}

describe('bookbinder init', () => {
  it('scaffolds a book that builds at once, with its config, theme and pages', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'bb-init-')), 'book');
    const init = await cli(['init', dir, '--title', 'Field "Notes"']);
    assert.equal(init.code, EXIT.ok, init.err);
    for (const f of scaffoldFiles()) assert.ok(existsSync(join(dir, f)), f);
    assert.match(readFileSync(join(dir, '_config.yml'), 'utf8'), /^title: "Field \\"Notes\\""$/m);
    const r = await cli(['build', dir, '--format', 'epub,html', '--json']);
    assert.equal(r.code, EXIT.ok, r.err);
    const report = JSON.parse(r.out) as {
      chapters: { title: string }[];
      warnings: unknown[];
      outputs: string[];
    };
    assert.deepEqual(
      report.chapters.map((c) => c.title),
      ['Welcome', 'Guide', 'Writing Pages', 'Building the Book'],
    );
    assert.deepEqual(report.warnings, [], 'the scaffold builds without a warning');
    assert.equal(report.outputs.length, 2);
    const html = readFileSync(join(dir, 'output', 'book.html'), 'utf8');
    assert.match(
      html,
      /<h1 class="book-title">Field &quot;Notes&quot;<\/h1>/,
      'its title page template is used',
    );
    assert.match(html, /Your styles, added after bookbinder's own/, 'its stylesheet is added');
  });

  it('refuses to overwrite an existing file, writing nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-init-'));
    writeFileSync(join(dir, 'index.md'), 'mine');
    const r = await cli(['init', dir]);
    assert.equal(r.code, EXIT.badInput);
    assert.match(r.err, /would overwrite index\.md/);
    assert.equal(readFileSync(join(dir, 'index.md'), 'utf8'), 'mine');
    assert.ok(!existsSync(join(dir, '_config.yml')));
  });
});

describe('build settings from config files through the CLI', () => {
  it('takes formats, name and output from bookbinder.config.yml; flags win', async () => {
    const dir = copyOfMini();
    writeFileSync(join(dir, 'bookbinder.config.yml'), 'formats: [html]\nname: mini-book\noutput: _book\n');
    const r = await cli(['build', dir, '--json']);
    assert.equal(r.code, EXIT.ok, r.err);
    const report = JSON.parse(r.out) as { outputs: string[] };
    assert.deepEqual(report.outputs, [join(dir, '_book', 'mini-book.html')]);
    const flag = await cli(['build', dir, '--json', '--name', 'other', '-o', join(dir, '..', 'o2')]);
    assert.deepEqual((JSON.parse(flag.out) as { outputs: string[] }).outputs, [
      join(dir, '..', 'o2', 'other.html'),
    ]);
  });

  it("a site's own config may not write outside the site: exit 1, nothing written there", async () => {
    const dir = copyOfMini();
    const target = join(dir, '..', 'web-root');
    writeFileSync(join(dir, 'bookbinder.config.yml'), `formats: [html]\nname: index\noutput: ${target}\n`);
    const r = await cli(['build', dir, '--json']);
    assert.equal(r.code, EXIT.badInput, r.err);
    const report = JSON.parse(r.out) as { errors: { file: string; line: number; code: string }[] };
    assert.deepEqual(
      report.errors.map((e) => [e.file, e.line, e.code]),
      [['bookbinder.config.yml', 3, 'config/outside-site']],
    );
    assert.ok(!existsSync(target), 'nothing written outside the site');
    const given = await cli(['build', dir, '--json', '--config', join(dir, 'bookbinder.config.yml')]);
    assert.equal(given.code, EXIT.ok, given.err);
    assert.ok(existsSync(join(target, 'index.html')), 'the config the user named is trusted');
  });

  it('a config error stops the build with exit 1, the line, and a code frame on stderr', async () => {
    const dir = copyOfMini();
    writeFileSync(join(dir, 'bookbinder.config.yml'), 'name: x\nformats:\n  - html\n  - docx\n');
    const r = await cli(['build', dir, '--json']);
    assert.equal(r.code, EXIT.badInput);
    const report = JSON.parse(r.out) as { errors: { file: string; line: number; code: string }[] };
    assert.deepEqual(
      report.errors.map((e) => [e.file, e.line, e.code]),
      [['bookbinder.config.yml', 4, 'config/invalid']],
    );
    assert.match(r.err, /bookbinder\.config\.yml:4: error: formats\.1: /);
    assert.match(r.err, /^> 4 \| {3}- docx$/m);
    assert.ok(!existsSync(join(dir, 'output')), 'nothing was written');
  });

  it('--strict turns a config warning into an error', async () => {
    const dir = copyOfMini();
    writeFileSync(join(dir, 'bookbinder.config.yml'), 'formats: [html]\nnmae: x\n');
    const lenient = await cli(['build', dir, '-o', join(dir, '..', 'o')]);
    assert.equal(lenient.code, EXIT.ok);
    assert.match(
      lenient.err,
      /bookbinder\.config\.yml:2: warning: unknown setting nmae \(did you mean name\?\)/,
    );
    const strict = await cli(['build', dir, '-o', join(dir, '..', 'o'), '--strict']);
    assert.equal(strict.code, EXIT.badInput);
  });

  it('the title and author of the config file override _config.yml', async () => {
    const dir = copyOfMini();
    writeFileSync(
      join(dir, 'bookbinder.config.json'),
      '{ "title": "Overridden", "author": ["A One", "B Two"] }',
    );
    const r = await cli(['build', dir, '-o', join(dir, '..', 'o'), '--format', 'html']);
    assert.equal(r.code, EXIT.ok, r.err);
    const html = readFileSync(join(dir, '..', 'o', 'book.html'), 'utf8');
    assert.match(html, /<title>Overridden<\/title>/);
    assert.match(html, /<meta name="author" content="A One, B Two">/);
  });
});

describe('progress on stderr', () => {
  it('plain lines without a terminal, nothing with --quiet', async () => {
    const dir = copyOfMini();
    const plain = await cli(['build', dir, '-o', join(dir, '..', 'o'), '--format', 'html']);
    assert.match(plain.err, /^bookbinder: loading pages$/m);
    assert.match(plain.err, /^bookbinder: rendering Markdown: 5\/5 pages$/m);
    assert.doesNotMatch(plain.err, /\x1b\[|\r/, 'no escapes and no carriage returns in logs');
    const quiet = await cli(['build', dir, '-o', join(dir, '..', 'o'), '--format', 'html', '--quiet']);
    assert.equal(quiet.err, '');
  });

  it('a bar redrawn in place on a terminal; colours unless NO_COLOR', () => {
    let text = '';
    const p = progressReporter({ write: (s) => (text += s), tty: true, color: true, verbose: false });
    const events: ProgressEvent[] = [
      { stage: 'render', phase: 'start' },
      { stage: 'render', phase: 'step', done: 1, total: 4 },
      { stage: 'render', phase: 'step', done: 4, total: 4 },
    ];
    events.forEach(p.onProgress);
    p.done();
    assert.match(text, /\r\x1b\[2K/);
    assert.match(text, /\[######\.{18}\] 1\/4 pages/);
    assert.match(text, /\[#{24}\] 4\/4 pages/);
    assert.equal(useColor(true, { NO_COLOR: '1' }), false);
    assert.equal(useColor(false, {}), false);
    assert.equal(useColor(true, {}), true);
  });
});

describe('render cache (preview)', () => {
  it('renders again only the page that changed, with the same result as a fresh build', async () => {
    const dir = copyOfMini();
    const cache = new RenderCache();
    const first = await build({ source: dir, formats: ['html'], renderCache: cache });
    assert.deepEqual([cache.misses, cache.hits], [5, 0]);
    await build({ source: dir, formats: ['html'], renderCache: cache });
    assert.deepEqual([cache.misses, cache.hits], [0, 5]);
    const again = await build({ source: dir, formats: ['html'], renderCache: cache });
    assert.equal(again.html, first.html, 'cached chapters give the same book');
    assert.deepEqual(again.report.warnings, first.report.warnings, 'their diagnostics are replayed');
    const file = join(dir, 'docs', 'appendix.md');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nA new closing line.\n`);
    const changed = await build({ source: dir, formats: ['html'], renderCache: cache });
    assert.deepEqual([cache.misses, cache.hits], [1, 4]);
    const fresh = await build({ source: dir, formats: ['html'] });
    assert.equal(changed.html, fresh.html);
    assert.match(changed.html ?? '', /A new closing line\./);
  });
});
