/**
 * Content is untrusted. A hostile site tries every way we know to run a script, reach the
 * network or read a file outside its folder; a canary file sits beside the source folder and a
 * beacon server listens on loopback. No output may contain the canary, the beacon may receive
 * no request, and no script may leave a mark — in the PDF, the EPUB and the HTML.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, requireTools, run, runCliAsync } from '../helpers.js';
import { EPUBCHECK_JAR, epubcheck } from '../support/epubcheck.js';

/** A loopback HTTP server that records every request; `/ok.png` answers with a tiny PNG. */
async function beacon(): Promise<{ server: Server; url: string; hits: string[] }> {
  const hits: string[] = [];
  const png = Buffer.from(
    '89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082',
    'hex',
  );
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url} ${req.headers['user-agent'] ?? ''}`);
    if (req.url === '/ok.png') res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

/** Copies a fixture site, filling `{{BEACON}}` and `{{CANARY}}`. */
function copySite(name: string, into: string, slots: Record<string, string>): string {
  const site = join(into, 'site');
  cpSync(join(FIXTURES, 'sites', name), site, { recursive: true });
  const fill = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) fill(p);
      else if (e.name.endsWith('.md'))
        writeFileSync(
          p,
          readFileSync(p, 'utf8').replace(/\{\{(BEACON|CANARY)\}\}/g, (_, k: string) => slots[k]!),
        );
    }
  };
  fill(site);
  return site;
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('hostile content (end to end)', function () {
  this.timeout(180_000);
  const work = mkdtempSync(join(tmpdir(), 'bb-hostile-'));
  const token = `CANARY-${randomBytes(8).toString('hex')}`;
  const canary = join(work, 'canary.txt');
  let b: Awaited<ReturnType<typeof beacon>>;
  let site: string;
  let stderr = '';
  const out = join(work, 'out');

  before(async function () {
    requireTools(this, 'chromium', 'pdftotext', 'unzip');
    b = await beacon();
    writeFileSync(canary, `${token}\n`);
    writeFileSync(join(work, 'canary.md'), `---\ntitle: Canary\n---\n${token}\n`);
    site = copySite('hostile', work, { BEACON: b.url, CANARY: canary });
    symlinkSync(canary, join(site, 'docs', 'leak.png'));
    symlinkSync(join(work, 'canary.md'), join(site, 'docs', 'linked.md'));
    const r = await runCliAsync(['build', site, '-o', out, '--json']);
    stderr = r.stderr;
    assert.equal(r.status, 0, r.stderr);
  });

  after(() => b?.server.close());

  it('the beacon receives no request', () => {
    assert.deepEqual(b.hits, []);
  });

  it('keeps the legitimate text in every output', () => {
    const pdf = run('pdftotext', [join(out, 'book.pdf'), '-']);
    const epub = run('unzip', ['-p', join(out, 'book.epub')]);
    const html = readFileSync(join(out, 'book.html'), 'utf8');
    for (const text of [pdf, epub, html]) {
      assert.match(text, /HOSTILE-HOME-TEXT/);
      assert.match(text, /SECRETS-TEXT/);
      assert.match(text, /A styled paragraph/);
      // The removed <iframe> leaves a note naming it, not a hole.
      assert.match(text, /Embedded\s+content\s+from\s+127\.0\.0\.1/);
    }
  });

  it('no output contains the canary, and no script left a mark', () => {
    mkdirSync(join(work, 'epub'));
    run('unzip', ['-q', join(out, 'book.epub'), '-d', join(work, 'epub')]);
    const texts = [
      run('pdftotext', [join(out, 'book.pdf'), '-']),
      ...allFiles(out).map((f) => readFileSync(f, 'latin1')),
      ...allFiles(join(work, 'epub')).map((f) => readFileSync(f, 'latin1')),
    ];
    for (const text of texts) {
      assert.ok(!text.includes(token), 'canary leaked');
      assert.ok(!text.includes('SCRIPT-RAN'), 'a script ran or survived');
    }
  });

  it('the HTML and EPUB hold nothing that runs or fetches', () => {
    const docs = [
      readFileSync(join(out, 'book.html'), 'utf8'),
      ...allFiles(join(work, 'epub'))
        .filter((f) => f.endsWith('.xhtml') || f.endsWith('.css'))
        .map((f) => readFileSync(f, 'utf8')),
    ];
    for (const doc of docs) {
      // Our own templates link their stylesheet in the head; the content is the body.
      const body = doc.slice(doc.indexOf('<body'));
      assert.doesNotMatch(body, /<(script|iframe|object|embed|base|link|meta|form|video|audio)\b/i);
      assert.doesNotMatch(doc, /<(script|iframe|object|embed|base|meta http-equiv)\b/i);
      assert.doesNotMatch(doc, /\son[a-z]+\s*=/i);
      assert.doesNotMatch(doc, /javascript:/i);
      assert.doesNotMatch(doc, /(src|srcset|poster|action)="https?:\/\/127\.0\.0\.1/i);
      // Only a link a reader may follow keeps the address: the note standing for the <iframe>.
      for (const m of doc.matchAll(/<([a-z]+)\b[^>]*\shref="https?:\/\/127\.0\.0\.1[^"]*"[^>]*>/gi))
        assert.match(m[0], /^<a [^>]*class="bb-embed"/, m[0]);
      assert.doesNotMatch(doc, /url\(\s*['"]?(https?:|file:|\/\/)/i);
      assert.doesNotMatch(doc, /@import/i);
    }
  });

  it('says what it removed, with codes', () => {
    for (const code of [
      'html/script-removed',
      'html/event-handler-removed',
      'html/element-removed',
      'html/css-url-removed',
      'image/remote',
      'image/outside-root',
      'image/unsafe',
      'source/symlink',
      'link/unsafe',
    ])
      assert.match(stderr, new RegExp(`\\[${code}\\]`), code);
  });

  it('--allow-remote: the image is fetched once, by bookbinder, and embedded everywhere', async () => {
    const remote = join(work, 'remote');
    mkdirSync(remote);
    writeFileSync(
      join(remote, 'index.md'),
      `---\ntitle: Remote\n---\n# Remote\n\n![a dot](${b.url}/ok.png)\n\n![gone](${b.url}/gone.png)\n`,
    );
    b.hits.length = 0;
    const r = await runCliAsync(['build', remote, '-o', join(work, 'rout'), '--allow-remote', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      b.hits.map((h) => h.split(' ').slice(0, 2).join(' ')),
      ['GET /ok.png', 'GET /gone.png'],
    );
    assert.ok(
      b.hits.every((h) => /node/i.test(h)),
      'fetched by Node, not by Chromium',
    );
    assert.match(r.stderr, /gone\.png was not included: HTTP 404 \[image\/remote-failed\]/);
    assert.match(run('unzip', ['-l', join(work, 'rout', 'book.epub')]), /OEBPS\/images\/[\w.-]+\.png/);
    const html = readFileSync(join(work, 'rout', 'book.html'), 'utf8');
    assert.match(html, /src="book_files\/_remote\/\w+\.png"/);
    assert.match(html, /\[image not found: gone\]/);
  });
});

describe('hostile SVG image file (end to end)', function () {
  this.timeout(180_000);
  const work = mkdtempSync(join(tmpdir(), 'bb-hostile-svg-'));
  const out = join(work, 'out');
  let b: Awaited<ReturnType<typeof beacon>>;
  let stderr = '';

  before(async function () {
    requireTools(this, 'chromium', 'unzip', 'java');
    b = await beacon();
    const site = join(work, 'site');
    mkdirSync(site);
    writeFileSync(
      join(site, 'index.md'),
      '---\ntitle: Home\n---\n# Home\n\nSVG-PAGE-TEXT\n\n![a drawing](evil.svg)\n',
    );
    writeFileSync(
      join(site, 'evil.svg'),
      `<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20" onload="fetch('${b.url}/onload')">\n` +
        `<style>@import url(${b.url}/import.css); rect { fill: red }</style>\n` +
        `<script>fetch('${b.url}/script')</script>\n` +
        `<image href="${b.url}/image.png" width="5" height="5"/><image xlink:href="${b.url}/xlink.png" width="5" height="5"/>\n` +
        `<foreignObject width="10" height="10"><iframe xmlns="http://www.w3.org/1999/xhtml" src="${b.url}/iframe"/></foreignObject>\n` +
        `<rect fill="url(${b.url}/fill)" filter="url(${b.url}/filter)" width="10" height="10"/>\n` +
        '<circle r="3" cx="10" cy="10" fill="blue"/>\n</svg>\n',
    );
    const r = await runCliAsync(['build', site, '-o', out]);
    stderr = r.stderr;
    assert.equal(r.status, 0, r.stderr);
  });

  after(() => b?.server.close());

  it('no output ships what runs or fetches, the drawing stays, and the beacon hears nothing', () => {
    mkdirSync(join(work, 'epub'));
    run('unzip', ['-q', join(out, 'book.epub'), '-d', join(work, 'epub')]);
    const svgs = [...allFiles(out), ...allFiles(join(work, 'epub'))].filter((f) => f.endsWith('.svg'));
    assert.equal(svgs.length, 2, svgs.join(', '));
    for (const f of svgs) {
      const svg = readFileSync(f, 'utf8');
      assert.match(svg, /<circle/);
      assert.doesNotMatch(svg, /<(script|style|foreignObject|iframe)\b|\son[a-z]+=|@import|127\.0\.0\.1/i);
    }
    assert.deepEqual(b.hits, []);
    assert.match(stderr, /evil\.svg: warning: .*\[image\/svg-sanitized\]/);
  });

  it('the EPUB passes epubcheck (no OPF-014, no RSC-006)', async function () {
    requireTools(this, 'java', EPUBCHECK_JAR);
    const r = await epubcheck(join(out, 'book.epub'));
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.doesNotMatch(`${r.stdout}${r.stderr}`, /OPF-014|RSC-006|WARNING/);
  });
});
