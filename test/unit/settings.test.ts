import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { build } from '../../src/build.js';
import { loadConfig } from '../../src/config/load.js';
import { readPdfConfig } from '../../src/config/pdf.js';
import { Diagnostics } from '../../src/diagnostics.js';
import { resolveSettings } from '../../src/config/resolve.js';
import { configJsonSchema } from '../../src/config/schema.js';
import { previewPage } from '../../src/preview/page.js';

/** A site folder with one page that asks for its own contents list, plus the given files. */
function site(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bb-settings-'));
  const all = {
    '_config.yml': 'title: Settings book\n',
    'index.md':
      '---\ntitle: Home\nnav_order: 1\n---\n# Home\n\n* TOC\n{:toc}\n\n## First\n\nText.\n\n## Second\n\nMore.\n',
    ...files,
  };
  for (const [name, text] of Object.entries(all)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Loads the settings as the CLI does (config file over `_config.yml`). */
async function settingsOf(dir: string) {
  const loaded = await loadConfig({ source: dir, cwd: dir });
  return { loaded, settings: resolveSettings({}, loaded, dir) };
}

describe('settings: every key of bookbinder.config.yml reaches the book', () => {
  it('subtitle and chapter_toc in bookbinder.config.yml are applied, as in _config.yml', async () => {
    const dir = site({ 'bookbinder.config.yml': 'subtitle: A field guide\nchapter_toc: false\n' });
    const { loaded, settings } = await settingsOf(dir);
    assert.deepEqual(loaded.diagnostics, []);
    const result = await build({ ...settings.build, outDir: undefined, formats: ['html'] });
    assert.equal(result.report.errors.length, 0);
    assert.ok(result.html?.includes('id="second"') || result.html?.includes('Second'), 'the page is there');
    assert.ok(!result.html?.includes('class="chapter-toc"'), 'chapter_toc: false drops the {:toc} list');
    assert.equal(readPdfConfig(result.book!.site.data, new Diagnostics()).subtitle, 'A field guide');
    const kept = await build({ source: dir, formats: ['html'] });
    assert.ok(kept.html?.includes('class="chapter-toc"'), 'without the setting the list is kept');
  });

  it('a typo under pdf: is a config/unknown-key warning at its line, with a suggestion', async () => {
    const dir = site({ 'bookbinder.config.yml': 'title: T\npdf:\n  two_sided: true\n  pagesize: A5\n' });
    const { loaded, settings } = await settingsOf(dir);
    assert.deepEqual(
      loaded.diagnostics.map((d) => [d.severity, d.code, d.file, d.line]),
      [['warning', 'config/unknown-key', 'bookbinder.config.yml', 4]],
    );
    assert.match(loaded.diagnostics[0]!.message, /pdf\.pagesize \(did you mean size\?\)/);
    assert.deepEqual(settings.build.sections?.pdf, { two_sided: true }, 'the rest of pdf: is kept');
  });

  it('a typo under epub: is reported too, and in _config.yml at the line of the whole file', async () => {
    const dir = site({ '_config.yml': 'title: T\n\nbookbinder:\n  epub:\n    publsher: P\n' });
    const { loaded } = await settingsOf(dir);
    assert.deepEqual(
      loaded.diagnostics.map((d) => [d.code, d.file, d.line]),
      [['config/unknown-key', '_config.yml', 5]],
    );
    assert.match(loaded.diagnostics[0]!.message, /did you mean publisher\?/);
  });

  it('bad pdf: and epub: values are reported at their own file and line, before the build', async () => {
    const dir = site({
      'bookbinder.config.yml':
        'title: T\npdf:\n  size: A9\n  toc_depth: 2\nepub:\n  cover: none\n  lang: [x]\n  subjects: [a, 1]\n',
    });
    const { loaded, settings } = await settingsOf(dir);
    assert.deepEqual(
      loaded.diagnostics.map((d) => [d.severity, d.code, d.file, d.line]),
      [
        ['warning', 'config/pdf-invalid', 'bookbinder.config.yml', 3],
        ['warning', 'config/epub', 'bookbinder.config.yml', 7],
        ['warning', 'config/epub', 'bookbinder.config.yml', 8],
      ],
    );
    assert.ok(loaded.diagnostics.every((d) => /the default is used/.test(d.message)));
    // The bad values are dropped, so the outputs do not report them again at _config.yml.
    assert.deepEqual(settings.build.sections?.pdf, { toc_depth: 2 });
    const result = await build({ ...settings.build, outDir: undefined, formats: ['html', 'epub'] });
    assert.deepEqual(
      result.diagnostics.filter((d) => d.code.startsWith('config/')),
      [],
      'nothing about the config is reported late',
    );
  });

  it('the JSON Schema offers the pdf and epub keys', () => {
    const schema = configJsonSchema() as {
      properties: Record<string, { properties?: object; additionalProperties?: unknown }>;
    };
    assert.ok(Object.keys(schema.properties.pdf?.properties ?? {}).includes('two_sided'));
    assert.ok(Object.keys(schema.properties.epub?.properties ?? {}).includes('accessibility_summary'));
    assert.equal(schema.properties.pdf?.additionalProperties, false);
  });
});

describe("settings: a site's own styles/book.css", () => {
  const marker = '.bb-own-book-css-marker { color: rebeccapurple; }';

  it('reaches the HTML book, the EPUB and the preview, not only the PDF', async () => {
    const dir = site({
      '_config.yml': 'title: T\nbookbinder:\n  epub:\n    cover: none\n',
      'styles/book.css': `${marker}\n`,
    });
    const result = await build({ source: dir, formats: ['html', 'epub'] });
    assert.equal(result.report.errors.length, 0);
    assert.ok(result.html?.includes('bb-own-book-css-marker'), 'HTML book');
    const zip = await JSZip.loadAsync(result.epub!);
    const css = await Promise.all(
      Object.keys(zip.files)
        .filter((f) => f.endsWith('.css'))
        .map((f) => zip.file(f)!.async('string')),
    );
    assert.ok(
      css.some((c) => c.includes('bb-own-book-css-marker')),
      'EPUB stylesheet',
    );
    assert.ok(previewPage(result, 1, 'n').includes('bb-own-book-css-marker'), 'preview');
  });
});

describe('settings: the preview draws the PDF page size', () => {
  it('uses pdf.size and the margins, not always A4', async () => {
    const dir = site({
      '_config.yml': 'title: T\nbookbinder:\n  pdf:\n    size: letter\n    margins: { top: 1in }\n',
    });
    const result = await build({ source: dir, formats: [] });
    const page = previewPage(result, 1, 'n');
    assert.match(page, /width: 215\.9mm; min-height: 279\.4mm/);
    assert.match(page, /padding: 1in /);
    assert.doesNotMatch(page, /width: 210mm/);
  });
});
