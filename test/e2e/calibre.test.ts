/**
 * The EPUB opened in a real reading system, calibre: `ebook-convert` to AZW3 (Kindle's format)
 * prints no CSS error, `ebook-meta` reads the book's own title, authors and language and no
 * invented publisher, and in calibre's PDF the cover is one page. On the sample book, and (AZW3
 * and metadata, a few seconds a book) on every site in ../shared/corpus. Skipped, with its
 * reason, without calibre.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../src/build.js';
import { CORPUS, corpora, ROOT, requireTools, run, skipWithoutCorpus } from '../helpers.js';

/** What calibre's CSS parser (css_parser) and selector engine print for CSS they reject. */
const CSS_ERROR =
  /^(CSS\w*|Property(Value)?|Selector(List)?|Media(List|Query)|COLOR_VALUE|\w+Value): |Syntax Error|Unexpected token|Unknown @rule|Ignoring CSS rule|No content to parse/;

/** The lines of calibre's output that report a CSS error. */
function cssErrors(log: string): string[] {
  return log.split('\n').filter((l) => CSS_ERROR.test(l.trim()));
}

/** Runs a calibre tool; its output (stdout and stderr) and exit status. */
function calibre(cmd: string, args: readonly string[]): { status: number; log: string } {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // calibre's PDF output runs Qt WebEngine (Chromium): headless, and as root without sandbox.
    env: { ...process.env, QT_QPA_PLATFORM: 'offscreen', QTWEBENGINE_CHROMIUM_FLAGS: '--no-sandbox' },
  });
  return { status: r.status ?? -1, log: `${r.stdout}\n${r.stderr}` };
}

/** `ebook-meta`'s fields, by name. */
function metadata(epub: string): Map<string, string> {
  const out = calibre('ebook-meta', [epub]).log;
  return new Map(
    [...out.matchAll(/^([A-Za-z()]+(?: [A-Za-z()]+)*)\s*: (.*)$/gm)].map((m) => [m[1]!.trim(), m[2]!.trim()]),
  );
}

/**
 * What the site's `_config.yml` says, read independently of bookbinder: by Ruby's YAML (Psych),
 * as Jekyll reads it (it accepts flow sequences that stricter YAML parsers reject).
 */
function siteConfig(root: string): { title: string; authors: string[]; lang: string } {
  const json = run('ruby', [
    '-ryaml',
    '-rjson',
    '-e',
    'puts JSON.generate(YAML.load_file(ARGV[0]))',
    join(root, '_config.yml'),
  ]);
  const c = JSON.parse(json) as Record<string, unknown>;
  const author = c.author;
  const authors = Array.isArray(author)
    ? author.map(String)
    : typeof author === 'string'
      ? [author]
      : typeof author === 'object' && author !== null && 'name' in author
        ? [String(author.name)]
        : [];
  return { title: String(c.title), authors, lang: typeof c.lang === 'string' ? c.lang : 'en' };
}

/** Builds a site's EPUB, converts it to AZW3 and checks the CSS and the metadata calibre reads. */
async function checkInCalibre(root: string, dir: string, name: string): Promise<string> {
  const result = await build({ source: root, formats: ['epub'], sourceDateEpoch: 1_700_000_000 });
  assert.ok(result.epub, JSON.stringify(result.report.errors));
  const epub = join(dir, `${name}.epub`);
  writeFileSync(epub, result.epub);

  const azw3 = calibre('ebook-convert', [epub, join(dir, `${name}.azw3`)]);
  assert.equal(azw3.status, 0, azw3.log);
  assert.deepEqual(cssErrors(azw3.log), [], 'calibre rejects CSS of the EPUB');

  const site = siteConfig(root);
  const meta = metadata(epub);
  assert.equal(meta.get('Title'), site.title);
  // calibre shows "Name [sort name]" when the sort name differs, and "Unknown" for no author.
  const authors = (meta.get('Author(s)') ?? '').replace(/\s*\[[^\]]*\]$/, '');
  assert.equal(authors, site.authors.length > 0 ? site.authors.join(' & ') : 'Unknown');
  assert.equal(meta.get('Languages'), site.lang.startsWith('en') ? 'eng' : meta.get('Languages'));
  assert.equal(meta.get('Publisher'), undefined, 'no publisher is configured, none may be invented');
  return epub;
}

describe('calibre reads the EPUB (ebook-convert, ebook-meta)', function () {
  this.timeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), 'bb-calibre-'));

  before(function () {
    requireTools(this, 'ebook-convert', 'ebook-meta', 'pdfimages', 'pdftotext', 'ruby');
  });

  it('the sample: AZW3 with no CSS error, its own metadata, the cover on one PDF page', async () => {
    const epub = await checkInCalibre(join(ROOT, 'content'), dir, 'sample');
    const pdf = join(dir, 'sample.pdf');
    const r = calibre('ebook-convert', [
      epub,
      pdf,
      '--custom-size',
      '400x600',
      '--unit',
      'devicepixel',
      ...['left', 'right', 'top', 'bottom'].flatMap((s) => [`--pdf-page-margin-${s}`, '10']),
    ]);
    assert.equal(r.status, 0, r.log);
    // calibre recognises the EPUB's cover page (the guide's `cover`, first in the spine) and
    // shows the cover once: page 1 is the whole image and nothing else, the contents follow.
    const images = run('pdfimages', ['-list', '-f', '1', '-l', '3', pdf])
      .split('\n')
      .slice(2)
      .filter(Boolean)
      .map((l) => Number(l.trim().split(/\s+/)[0]));
    assert.deepEqual(images, [1], 'one cover image, on page 1 only');
    assert.equal(run('pdftotext', ['-f', '1', '-l', '1', pdf, '-']).trim(), '');
    assert.match(run('pdftotext', ['-f', '2', '-l', '2', pdf, '-']), /Contents/);
    // On a 400 px screen nothing runs off the right edge: tables, code and formulas wrap or scroll.
    const bbox = run('pdftotext', ['-bbox', pdf, '-']);
    const width = Number(/<page width="([\d.]+)"/.exec(bbox)?.[1]);
    const words = [...bbox.matchAll(/<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)</g)];
    assert.ok(words.length > 1000, 'the whole book is text');
    assert.deepEqual(
      words.filter((w) => Number(w[1]) > width + 0.5).map((w) => w[2]),
      [],
      'words beyond the right edge',
    );
  });

  describe('every corpus site (../shared/corpus)', () => {
    const names = corpora();
    skipWithoutCorpus(names);
    for (const name of names)
      it(`${name}: AZW3 with no CSS error and its own metadata`, async () => {
        const expected = JSON.parse(readFileSync(join(CORPUS, name, 'EXPECTED.json'), 'utf8')) as {
          site_root: string;
        };
        await checkInCalibre(join(CORPUS, name, expected.site_root), dir, name);
      });
  });
});
