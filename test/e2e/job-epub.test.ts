/**
 * A JSON job (serve's body, a worker's job data) with `format: 'epub'` honours what applies to
 * an EPUB as the PDF does: the job's images (PNG, SVG sanitised) are packaged and shown, title,
 * language and CSS are applied, data goes through Liquid once; page size, margins, header and
 * footer are ignored with an info diagnostic saying so. The EPUB is unzipped and read.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import type { Browser } from 'puppeteer';
import { closeBrowser, launchServiceBrowser } from '../../src/browser/launch.js';
import { parseJob, runJob } from '../../src/service/job.js';
import { hasTool, requireTools } from '../helpers.js';
import { EPUBCHECK_JAR, epubcheck } from '../support/epubcheck.js';

const PNG_B64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><script>alert(1)</script>' +
  '<rect width="40" height="20" fill="#036"/></svg>';

const JOB = {
  format: 'epub',
  markdown:
    '# Statement for {{ data.customer }}\n\nThe chart:\n\n![Sales chart](chart.png)\n\n' +
    '![Logo](img/logo.svg)\n\n{% for r in data.rows %}- {{ r }}\n{% endfor %}',
  data: { customer: 'Ada {{ 6 | times: 7 }}', rows: ['tea', 'bread'] },
  images: { 'chart.png': PNG_B64, 'img/logo.svg': Buffer.from(SVG).toString('base64') },
  options: {
    title: 'Monthly statement',
    lang: 'fr',
    css: '.job-mark { color: rgb(1, 2, 3); }',
    pageSize: 'A5',
    margin: { top: '1cm' },
    footer: { text: 'Confidential', pageNumbers: true },
  },
};

describe('a JSON job with format epub', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  before(async function () {
    requireTools(this, 'chromium');
    browser = await launchServiceBrowser();
  });
  after(async () => {
    if (browser) await closeBrowser(browser);
  });

  const render = async (input: unknown) => {
    const parsed = parseJob(input);
    assert.ok(parsed.job, JSON.stringify(parsed.diagnostics));
    return runJob(parsed.job, browser!, 60_000);
  };

  it('packages the job images and shows them, with its title, language and CSS', async () => {
    const r = await render(JOB);
    assert.ok(r.ok && r.data, JSON.stringify(r.diagnostics));
    // The SVG's script is taken out, as a site's SVG file's is.
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity !== 'info').map((d) => [d.code, d.file]),
      [['image/svg-sanitized', 'img/logo.svg']],
    );
    const zip = await JSZip.loadAsync(r.data);
    const names = Object.keys(zip.files);
    const png = names.find((n) => n.endsWith('chart.png'));
    const svg = names.find((n) => n.endsWith('logo.svg'));
    assert.ok(png && svg, names.join(', '));
    assert.deepEqual(await zip.file(png)!.async('nodebuffer'), Buffer.from(PNG_B64, 'base64'));
    const svgText = await zip.file(svg)!.async('string');
    assert.match(svgText, /<rect/);
    assert.doesNotMatch(svgText, /<script|alert/);
    const xhtml = await zip.file('OEBPS/index.xhtml')!.async('string');
    const src = (alt: string) =>
      new RegExp(`<img[^>]*src="([^"]+)"[^>]*alt="${alt}"|<img[^>]*alt="${alt}"[^>]*src="([^"]+)"`).exec(
        xhtml,
      );
    const chart = src('Sales chart');
    const logo = src('Logo');
    assert.ok(chart && logo, xhtml);
    assert.ok(png.endsWith((chart[1] ?? chart[2])!.replace(/^(\.\.\/)+/, '')), `${png} vs ${chart[0]}`);
    assert.ok(svg.endsWith((logo[1] ?? logo[2])!.replace(/^(\.\.\/)+/, '')), `${svg} vs ${logo[0]}`);
    // Data is filled in once: Liquid-looking data stays text.
    assert.match(xhtml, /Statement for Ada \{\{ 6 \| times: 7 \}\}/);
    assert.match(xhtml, /<li>tea<\/li>/);
    const opfName = names.find((n) => n.endsWith('.opf'))!;
    const opf = await zip.file(opfName)!.async('string');
    assert.match(opf, /<dc:title[^>]*>Monthly statement<\/dc:title>/);
    assert.match(opf, /<dc:language>fr<\/dc:language>/);
    assert.match(opf, /media-type="image\/png"/);
    assert.match(opf, /media-type="image\/svg\+xml"/);
    const css = await Promise.all(
      names.filter((n) => n.endsWith('.css')).map((n) => zip.file(n)!.async('string')),
    );
    assert.ok(
      css.some((c) => c.includes('.job-mark')),
      'the job CSS is in the EPUB',
    );
    if (hasTool(EPUBCHECK_JAR) && hasTool('java')) {
      const dir = mkdtempSync(join(tmpdir(), 'bb-job-epub-'));
      try {
        writeFileSync(join(dir, 'job.epub'), r.data);
        const check = await epubcheck(join(dir, 'job.epub'));
        assert.equal(check.status, 0, check.stdout + check.stderr);
        assert.match(check.stdout, /0 fatals \/ 0 errors \/ 0 warnings/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('ignores the page options with an info diagnostic naming each', async () => {
    const r = await render(JOB);
    assert.deepEqual(
      r.diagnostics
        .filter((d) => d.code === 'job/ignored-option')
        .map((d) => [d.severity, d.message.split(' ')[0]]),
      [
        ['info', 'options.pageSize'],
        ['info', 'options.margin'],
        ['info', 'options.footer'],
      ],
    );
    const bare = await render({ ...JOB, options: { title: 'T' } });
    assert.deepEqual(
      bare.diagnostics.filter((d) => d.code === 'job/ignored-option'),
      [],
    );
  });

  it('refuses an image name that would leave the site, as a bad job', () => {
    for (const name of ['../x.png', '/etc/x.png', 'a/../../x.png', 'index.md']) {
      const parsed = parseJob({ ...JOB, images: { [name]: PNG_B64 } });
      assert.equal(parsed.job, undefined, name);
      assert.equal(parsed.diagnostics[0]?.code, 'job/invalid', name);
      assert.match(parsed.diagnostics[0]?.message ?? '', /^images\./, name);
    }
  });
});
