/**
 * The EPUB, unzipped and inspected: container layout, navigation, cover, metadata, content
 * documents, every internal link, and byte-identical rebuilds. Built from test/fixtures/sites/epub
 * (configured cover, so no browser is needed) with the library call.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import JSZip from 'jszip';
import { build, type BuildResult } from '../../src/build.js';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { FIXTURES, requireTools, runCli } from '../helpers.js';
import { EPUBCHECK_JAR, epubcheck } from '../support/epubcheck.js';

const SITE = join(FIXTURES, 'sites', 'epub');
const EPOCH = 1_700_000_000;

/** Reads one text entry of the EPUB. */
async function text(zip: JSZip, name: string): Promise<string> {
  const f = zip.file(name);
  assert.ok(f, `${name} is in the EPUB`);
  return f.async('string');
}

/** The contents tree of a navigation document: `[depth, href, title]` in document order. */
function navTree(xhtml: string): [number, string, string][] {
  const toc = xhtml.slice(xhtml.indexOf('epub:type="toc"'), xhtml.indexOf('</nav>'));
  const out: [number, string, string][] = [];
  let depth = -1;
  for (const m of toc.matchAll(/<ol>|<\/ol>|<a href="([^"]+)">([^<]*)<\/a>/g)) {
    if (m[0] === '<ol>') depth++;
    else if (m[0] === '</ol>') depth--;
    else out.push([depth, m[1]!, m[2]!]);
  }
  return out;
}

describe('EPUB (test/fixtures/sites/epub, unzipped)', function () {
  this.timeout(120_000);
  let result: BuildResult;
  let zip: JSZip;
  let opf: string;

  before(async () => {
    result = await build({ source: SITE, formats: ['epub'], sourceDateEpoch: EPOCH });
    assert.ok(result.epub, JSON.stringify(result.report.errors));
    zip = await JSZip.loadAsync(result.epub);
    opf = await text(zip, 'OEBPS/content.opf');
  });

  it('starts with an uncompressed mimetype entry, as the OCF requires', () => {
    const bytes = Buffer.from(result.epub!);
    assert.equal(bytes.readUInt32LE(0), 0x04034b50, 'a local file header first');
    assert.equal(bytes.readUInt16LE(8), 0, 'compression method 0 (stored)');
    const nameLength = bytes.readUInt16LE(26);
    assert.equal(bytes.subarray(30, 30 + nameLength).toString(), 'mimetype');
    assert.equal(bytes.readUInt16LE(28), 0, 'no extra field');
    assert.equal(bytes.subarray(30 + nameLength, 30 + nameLength + 20).toString(), 'application/epub+zip');
  });

  it('is byte-identical when rebuilt with the same SOURCE_DATE_EPOCH', async () => {
    const again = await build({ source: SITE, formats: ['epub'], sourceDateEpoch: EPOCH });
    assert.ok(again.epub);
    assert.ok(Buffer.from(again.epub).equals(Buffer.from(result.epub!)), 'same bytes');
  });

  it('has one readable XHTML file per page, in the spine in book order after cover and contents', () => {
    const ids = result.report.chapters.map((c) => c.id);
    assert.deepEqual(ids, [
      'index',
      'docs-creatures-creatures',
      'docs-creatures-anemones',
      'docs-creatures-crabs',
      'docs-tides',
    ]);
    const spine = [...opf.matchAll(/<itemref idref="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(spine, ['cover', 'nav', ...ids.map((id) => `c-${id}`)]);
    for (const id of ids) assert.ok(zip.file(`OEBPS/${id}.xhtml`), id);
  });

  it('nav.xhtml nests the contents like the site and the NCX has the same tree and depth', async () => {
    const nav = await text(zip, 'OEBPS/toc.xhtml');
    assert.deepEqual(navTree(nav), [
      [0, 'index.xhtml', 'Home'],
      [0, 'docs-creatures-creatures.xhtml', 'Creatures'],
      [1, 'docs-creatures-anemones.xhtml', 'Anemones'],
      [1, 'docs-creatures-crabs.xhtml', 'Crabs'],
      [0, 'docs-tides.xhtml', 'Tides'],
    ]);
    assert.match(nav, /epub:type="cover" href="cover\.xhtml"/);
    assert.match(nav, /epub:type="toc" href="toc\.xhtml"/);
    assert.match(nav, /epub:type="bodymatter" href="index\.xhtml"/);
    const ncx = await text(zip, 'OEBPS/toc.ncx');
    assert.match(ncx, /<meta name="dtb:depth" content="2"\/>/);
    const creatures = ncx.slice(ncx.indexOf('Creatures'), ncx.indexOf('Tides'));
    assert.match(
      creatures,
      /Anemones[\s\S]*Crabs[\s\S]*<\/navPoint><\/navPoint>/,
      'children inside Creatures',
    );
  });

  it('has the configured cover image with properties="cover-image" and a cover page', async () => {
    assert.match(
      opf,
      /<item id="cover-image" href="cover\.jpg" media-type="image\/jpeg" properties="cover-image"\/>/,
    );
    const page = await text(zip, 'OEBPS/cover.xhtml');
    // One screen on every reader: an SVG scaled to the viewport, the image in it, labelled.
    assert.match(
      page,
      /<svg [^>]*viewBox="0 0 \d+ \d+" preserveAspectRatio="xMidYMid meet" role="img" aria-label="Cover of Field Notes on Tide Pools"/,
    );
    assert.match(page, /<image width="\d+" height="\d+" xlink:href="cover\.jpg"\/>/);
    assert.ok(zip.file('OEBPS/cover.jpg'));
  });

  it('carries the metadata of _config.yml and bookbinder.epub', () => {
    const meta = (re: RegExp): string[] => [...opf.matchAll(re)].map((m) => m[1]!);
    assert.deepEqual(meta(/<dc:title[^>]*>([^<]*)</g), ['Field Notes on Tide Pools']);
    assert.deepEqual(meta(/<dc:creator[^>]*>([^<]*)</g), ['Ada Shore', 'Ben Rock']);
    assert.deepEqual(meta(/<dc:language>([^<]*)</g), ['en-GB']);
    assert.deepEqual(meta(/<dc:publisher>([^<]*)</g), ['Rock Pool Press']);
    assert.deepEqual(meta(/<dc:subject>([^<]*)</g), ['Marine biology', 'Field guides']);
    assert.deepEqual(meta(/<dc:rights>([^<]*)</g), ['© 2024 Ada Shore and Ben Rock, CC BY 4.0']);
    assert.deepEqual(meta(/<dc:description>([^<]*)</g), [
      'A small site that exercises every EPUB feature bookbinder has.',
    ]);
    assert.deepEqual(meta(/<dc:date>([^<]*)</g), ['2023-11-14T22:13:20Z']);
    assert.deepEqual(meta(/<meta property="dcterms:modified">([^<]*)</g), ['2023-11-14T22:13:20Z']);
    assert.match(meta(/<dc:identifier id="BookId">([^<]*)</g)[0]!, /^urn:uuid:[0-9a-f-]{36}$/);
    for (const p of [
      'accessMode',
      'accessModeSufficient',
      'accessibilityFeature',
      'accessibilityHazard',
      'accessibilitySummary',
    ])
      assert.match(opf, new RegExp(`<meta property="schema:${p}">[^<]+</meta>`), p);
    assert.match(opf, /schema:accessibilityFeature">MathML</);
  });

  it('packs every image under its real media type (WebP converted to PNG) and never a placeholder alt', async () => {
    assert.match(opf, /href="images\/map\.png" media-type="image\/png"/);
    assert.match(opf, /href="images\/photo\.jpg" media-type="image\/jpeg"/);
    assert.match(opf, /href="images\/gradient-bar\.png" media-type="image\/png"/);
    const png = await zip.file('OEBPS/images/map.png')!.async('uint8array');
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'really a PNG');
    const anemones = await text(zip, 'OEBPS/docs-creatures-anemones.xhtml');
    assert.match(anemones, /<img src="images\/map\.png" alt="A map of the pool"\/>/);
    assert.match(
      anemones,
      /<span class="missing-image" role="img" aria-label="A gull overhead"[^>]*>\[[^\]]*A gull overhead\]<\/span>/,
    );
    const creatures = await text(zip, 'OEBPS/docs-creatures-creatures.xhtml');
    assert.match(
      creatures,
      /<img src="images\/gradient-bar\.png" alt="" width="16" height="12"\/>/,
      'decorative stays empty',
    );
    for (const name of Object.keys(zip.files).filter((n) => n.endsWith('.xhtml')))
      assert.doesNotMatch(await text(zip, name), /image-placeholder/, name);
  });

  it('flags inline SVG and MathML documents and keeps viewBox; no <style> in any body', async () => {
    assert.match(
      opf,
      /href="docs-creatures-creatures\.xhtml" media-type="application\/xhtml\+xml" properties="svg"/,
    );
    assert.match(
      opf,
      /href="docs-creatures-anemones\.xhtml" media-type="application\/xhtml\+xml" properties="mathml"/,
    );
    const creatures = await text(zip, 'OEBPS/docs-creatures-creatures.xhtml');
    assert.match(
      creatures,
      /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="120" height="40" viewBox="0 0 120 40"/,
    );
    for (const name of Object.keys(zip.files).filter((n) => n.endsWith('.xhtml')))
      assert.doesNotMatch((await text(zip, name)).split('<body')[1]!, /<style/, name);
    assert.match(await text(zip, 'OEBPS/style.css'), /\.specimen \{ border: 1px solid #ccc; \}/);
  });

  it('writes footnotes as noterefs and footnote asides, and keeps headings in order', async () => {
    const crabs = await text(zip, 'OEBPS/docs-creatures-crabs.xhtml');
    assert.equal(crabs.match(/epub:type="noteref"/g)?.length, 2);
    assert.equal(crabs.match(/<aside id="fn-[^"]+" class="footnote" epub:type="footnote"/g)?.length, 2);
    const creatures = await text(zip, 'OEBPS/docs-creatures-creatures.xhtml');
    assert.match(creatures, /<h2 id="a-heading-that-skips-levels">/, 'an h4 after the h1 becomes an h2');
  });

  it('every document declares its language; every internal link points at an existing file and id', async () => {
    const docs = Object.keys(zip.files).filter((n) => n.endsWith('.xhtml'));
    const ids = new Map<string, Set<string>>();
    for (const name of docs) {
      const xhtml = await text(zip, name);
      assert.match(xhtml, /<html [^>]*xml:lang="en-GB" lang="en-GB"/, name);
      ids.set(name.slice('OEBPS/'.length), new Set([...xhtml.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!)));
    }
    let checked = 0;
    for (const name of docs) {
      const xhtml = await text(zip, name);
      for (const m of xhtml.matchAll(/\s(?:href|src)="([^"]+)"/g)) {
        const ref = m[1]!.replace(/&amp;/g, '&');
        if (/^[a-z]+:/i.test(ref)) {
          assert.match(ref, /^(https?|mailto):/, `${name}: ${ref} is absolute`);
          continue;
        }
        const [file, fragment] = ref.split('#') as [string, string | undefined];
        assert.ok(zip.file(`OEBPS/${file}`), `${name}: ${ref} names a file of the EPUB`);
        if (fragment !== undefined)
          assert.ok(ids.get(file)?.has(decodeURIComponent(fragment)), `${name}: ${ref} names an existing id`);
        checked++;
      }
    }
    assert.ok(checked > 20, `${checked} internal references checked`);
    const anemones = await text(zip, 'OEBPS/docs-creatures-anemones.xhtml');
    assert.match(anemones, /<a href="docs-creatures-crabs\.xhtml#shells">/);
    assert.match(anemones, /<a href="docs-creatures-crabs\.xhtml">a missing section<\/a>/);
    const index = await text(zip, 'OEBPS/index.xhtml');
    assert.match(index, /<a href="docs-creatures-anemones\.xhtml#feeding">/);
  });

  it('passes epubcheck with no error and no warning', async function () {
    requireTools(this, 'java', EPUBCHECK_JAR);
    const file = join(mkdtempSync(join(tmpdir(), 'bb-epub-')), 'book.epub');
    writeFileSync(file, result.epub!);
    const check = await epubcheck(file);
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /0 fatals \/ 0 errors \/ 0 warnings/);
  });

  it('reports what the EPUB could not keep, at the source line', () => {
    const codes = result.report.warnings.map((w) => `${w.file}:${w.line} ${w.code}`);
    assert.deepEqual(codes, [
      'docs/creatures/anemones.md:12 image/remote',
      'docs/creatures/anemones.md:18 link/missing-anchor',
    ]);
  });
});

describe('EPUB generated cover (drawn without a browser)', function () {
  this.timeout(120_000);

  it('draws a 1200×1800 PNG cover from title and authors when none is configured', async () => {
    const r = await build({
      source: join(FIXTURES, 'sites', 'mini'),
      formats: ['epub'],
      sourceDateEpoch: EPOCH,
    });
    const zip = await JSZip.loadAsync(r.epub!);
    const opf = await text(zip, 'OEBPS/content.opf');
    assert.match(
      opf,
      /<item id="cover-image" href="cover\.png" media-type="image\/png" properties="cover-image"\/>/,
    );
    const png = Buffer.from(await zip.file('OEBPS/cover.png')!.async('uint8array'));
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1200, 1800], 'IHDR width and height');
    assert.match(
      await text(zip, 'OEBPS/cover.xhtml'),
      /aria-label="Cover of Mini Book"[^>]*><title>Cover of Mini Book<\/title><image [^>]*xlink:href="cover\.png"/,
    );
    const about = [...r.report.warnings, ...r.report.infos].filter((d) => d.code.startsWith('epub/'));
    assert.deepEqual(about, [], 'nothing said about the cover');
  });

  it('an EPUB-only build never starts Chromium (a recording stand-in would notice)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-no-chromium-'));
    const marker = join(dir, 'launched');
    const fake = join(dir, 'chromium');
    writeFileSync(fake, `#!/bin/sh\necho "$@" >> '${marker}'\nexit 1\n`, { mode: 0o755 });
    const env = { PUPPETEER_EXECUTABLE_PATH: fake };
    const site = join(FIXTURES, 'sites', 'mini');
    const epub = runCli(['build', site, '-o', join(dir, 'out'), '--format', 'epub', '--json', '-q'], env);
    assert.equal(epub.status, 0, epub.stderr);
    assert.ok(
      !existsSync(marker),
      `Chromium was started: ${existsSync(marker) ? readFileSync(marker, 'utf8') : ''}`,
    );
    const zip = await JSZip.loadAsync(readFileSync(join(dir, 'out', 'book.epub')));
    assert.ok(zip.file('OEBPS/cover.png'), 'the EPUB has its generated cover');
    // The stand-in does record a launch: a PDF build tries to start it.
    runCli(['build', site, '-o', join(dir, 'pdf'), '--format', 'pdf', '-q'], env);
    assert.ok(existsSync(marker), 'a PDF build starts the stand-in');
  });
});
