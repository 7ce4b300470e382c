import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../src/build.js';
import { readJekyllConfig } from '../../src/config/jekyll-file.js';
import { loadConfig } from '../../src/config/load.js';
import { resolveSettings } from '../../src/config/resolve.js';
import { Diagnostics } from '../../src/diagnostics.js';
import type { Book } from '../../src/model.js';
import { preparePdf } from '../../src/output/pdf/render.js';
import { readSiteText } from '../../src/source/site-files.js';

/** A site folder with one page, plus the given files. */
function site(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bb-jekyll-config-'));
  const all = { 'index.md': '---\ntitle: Home\nnav_order: 1\n---\n# Home\n\nText.\n', ...files };
  for (const [name, text] of Object.entries(all)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** The PDF stage's diagnostics, as `file:line code`: it needs no browser until it prints. */
function pdfDiagnostics(book: Book, themeDir: string): string[] {
  const diags = new Diagnostics();
  preparePdf(book, { assets: new Map(), timeoutMs: 1000, themeDir }, diags);
  return diags
    .list()
    .filter((d) => d.code.startsWith('config/'))
    .map((d) => `${d.file}:${d.line} ${d.code}`);
}

// Line 3: a list where just-the-docs wants a mapping; line 6: a page size the PDF cannot use.
const CONFIG =
  'title: Read once\njust_the_docs:\n  collections: [notes]\nbookbinder:\n  pdf:\n    size: A9\n';
/** The same settings five lines lower: a stage that read the file again would report other lines. */
const MOVED = `${'# moved\n'.repeat(5)}${CONFIG.replace('Read once', 'Read twice')}`;

describe('_config.yml is read and parsed once per build', () => {
  it('readJekyllConfig reads the file once and keeps its text, document and value', () => {
    const dir = site({ '_config.yml': CONFIG });
    const read: string[] = [];
    const file = readJekyllConfig(dir, (root, path) => {
      read.push(path);
      return readSiteText(root, path);
    });
    assert.deepEqual(read, [join(dir, '_config.yml')]);
    assert.equal(file.text, CONFIG);
    assert.equal((file.value as { title: string }).title, 'Read once');
    const size = file.yaml?.doc.getIn(['bookbinder', 'pdf', 'size'], true) as { range: [number] };
    assert.equal(file.yaml?.lineCounter.linePos(size.range[0]).line, 6);
  });

  it('keeps a syntax error, an unreadable file and a missing one as data', () => {
    const bad = readJekyllConfig(site({ '_config.yml': 'a: 1\ntitle: x\n  bad: y\n' }));
    assert.equal(bad.error?.line, 2, 'a syntax error with its line');
    assert.equal(bad.value, undefined);
    const none = readJekyllConfig(site({}));
    assert.deepEqual([none.text, none.problem, none.error], ['', undefined, undefined]);
    const outside = readJekyllConfig('/x', () => ({ problem: 'outside' }));
    assert.equal(outside.problem, 'outside');
  });

  it('a build reads it once: later stages and the PDF report lines of the text read at the start', async () => {
    const dir = site({ '_config.yml': CONFIG });
    const result = await build({
      source: dir,
      formats: ['html'],
      // Once the config stage is over, the file changes under the build.
      onProgress: (e) => {
        if (e.stage === 'config' && e.phase === 'end') writeFileSync(join(dir, '_config.yml'), MOVED);
      },
    });
    assert.equal(result.book?.title, 'Read once');
    const collection = result.diagnostics.find((d) => d.code === 'collection/invalid-config');
    assert.equal(`${collection?.file}:${collection?.line}`, '_config.yml:3');
    // The PDF stage finds a bad value's line in the model, not in the file on disk.
    assert.deepEqual(pdfDiagnostics(result.book, dir), ['_config.yml:6 config/pdf-invalid']);
  });

  it('a build after loadConfig works from its parse: the file is not read again', async () => {
    const dir = site({ '_config.yml': CONFIG });
    const loaded = await loadConfig({ source: dir, cwd: dir });
    const settings = resolveSettings({}, loaded, dir);
    assert.equal(settings.build.jekyllConfig?.text, CONFIG);
    rmSync(join(dir, '_config.yml'));
    const result = await build({ ...settings.build, outDir: undefined, formats: ['html'] });
    assert.equal(result.book?.title, 'Read once');
    assert.equal(result.book?.site.configText, CONFIG);
  });

  it('a parse of another folder is not used', async () => {
    const dir = site({ '_config.yml': 'title: This one\n' });
    const other = readJekyllConfig(site({ '_config.yml': 'title: Other\n' }));
    const result = await build({ source: dir, formats: ['html'], jekyllConfig: other });
    assert.equal(result.book?.title, 'This one');
  });
});

describe('pdf: settings are reported at their own file and line', () => {
  it('a trim size the schema accepts ("6 in x 9 in") is used, not reported late at _config.yml', async () => {
    const dir = site({
      '_config.yml': 'title: T\n',
      'bookbinder.config.yml': 'title: T\npdf:\n  size: 6 in x 9 in\n  margin: 0\n',
    });
    const loaded = await loadConfig({ source: dir, cwd: dir });
    assert.deepEqual(loaded.diagnostics, []);
    const settings = resolveSettings({}, loaded, dir);
    const result = await build({ ...settings.build, outDir: undefined, formats: ['html'] });
    assert.deepEqual(pdfDiagnostics(result.book!, dir), []);
  });

  it('a bad value in bookbinder.config.yml is reported there, at its line, and not again', async () => {
    const dir = site({
      '_config.yml': 'title: T\nbookbinder:\n  pdf:\n    two_sided: true\n',
      'bookbinder.config.yml': 'title: T\n\npdf:\n  toc_depth: 0\n',
    });
    const loaded = await loadConfig({ source: dir, cwd: dir });
    assert.deepEqual(
      loaded.diagnostics.map((d) => `${d.file}:${d.line} ${d.code}`),
      ['bookbinder.config.yml:4 config/pdf-invalid'],
    );
    const result = await build({
      ...resolveSettings({}, loaded, dir).build,
      outDir: undefined,
      formats: ['html'],
    });
    assert.deepEqual(pdfDiagnostics(result.book!, dir), []);
  });

  it('a bad value in _config.yml is reported at its line of _config.yml', async () => {
    const dir = site({ '_config.yml': 'title: T\n\nbookbinder:\n  pdf:\n    size: A4\n    toc_depth: 0\n' });
    const loaded = await loadConfig({ source: dir, cwd: dir });
    assert.deepEqual(
      loaded.diagnostics.map((d) => `${d.file}:${d.line} ${d.code}`),
      ['_config.yml:6 config/pdf-invalid'],
    );
    // A library build without the config stage's check finds the same line in the model.
    const result = await build({ source: dir, formats: ['html'] });
    assert.deepEqual(pdfDiagnostics(result.book!, dir), ['_config.yml:6 config/pdf-invalid']);
  });
});
