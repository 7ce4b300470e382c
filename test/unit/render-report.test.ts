/**
 * renderReport's in-memory document (format `html`, no browser): Liquid over `data`, images as
 * `data:` URIs (SVG sanitised), coded diagnostics at the template's lines, the PDF options.
 */
import assert from 'node:assert/strict';
import { imageType, renderReport, reportPdfOptions } from '../../src/api/render-report.js';
import { Diagnostics } from '../../src/diagnostics.js';
import { parseJob } from '../../src/service/job.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe('renderReport (html)', () => {
  it('fills the template from data, loops building table rows', async () => {
    const r = await renderReport(
      '# For {{ data.customer }}\n\n| n | item |\n|---|---|\n{% for r in data.rows %}| {{ forloop.index }} | {{ r }} |\n{% endfor %}',
      { format: 'html', data: { customer: 'Ada <Lovelace>', rows: ['tea', 'bread'] } },
    );
    assert.ok(r.ok);
    assert.match(r.html, /<h1[^>]*>For Ada &lt;Lovelace&gt;<\/h1>/);
    assert.equal([...r.html.matchAll(/<tr>/g)].length, 3);
    assert.match(r.html, /<td>2<\/td>\s*<td>bread<\/td>/);
    assert.match(r.html, /<title>For Ada &lt;Lovelace&gt;<\/title>/);
    assert.equal(new TextDecoder().decode(r.data), r.html);
  });

  it('puts images given as buffers in as data: URIs, sanitising SVG', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="5" height="5"/></svg>',
    );
    const r = await renderReport('![chart](chart.svg) ![dot](img/dot.png)', {
      format: 'html',
      images: { 'chart.svg': svg, 'img/dot.png': PNG },
    });
    const srcs = [...r.html.matchAll(/<img[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
    assert.equal(srcs.length, 2);
    assert.ok(srcs[0]!.startsWith('data:image/svg+xml;base64,'));
    const decoded = Buffer.from(srcs[0]!.split(',')[1]!, 'base64').toString();
    assert.doesNotMatch(decoded, /script/);
    assert.match(decoded, /<rect/);
    assert.equal(srcs[1], `data:image/png;base64,${PNG.toString('base64')}`);
    assert.deepEqual(r.diagnostics, []);
  });

  it('reports a missing image and bad Liquid at their lines', async () => {
    const missing = await renderReport('# T\n\ntext\n\n![x](nope.png)\n', {
      format: 'html',
      fileName: 'inv.md',
    });
    assert.ok(missing.ok);
    assert.deepEqual(
      missing.diagnostics.map((d) => [d.code, d.file, d.line]),
      [['image/not-found', 'inv.md', 5]],
    );
    assert.match(missing.html, /image not found: x/);
    const bad = await renderReport('# T\n\n{% for x in %}\n', { format: 'html' });
    assert.equal(bad.ok, false);
    assert.equal(bad.data, undefined);
    assert.deepEqual(
      bad.diagnostics.map((d) => [d.severity, d.code, d.line]),
      [['error', 'liquid/error', 3]],
    );
  });

  it('removes scripts from the Markdown, and includes cannot reach the disk', async () => {
    const r = await renderReport('<script>x()</script>\n\n{% include /etc/passwd %}ok', { format: 'html' });
    assert.doesNotMatch(r.html, /<script>x/);
    assert.ok(r.diagnostics.some((d) => d.code === 'liquid/error' || d.code === 'html/script-removed'));
    assert.doesNotMatch(r.html, /root:/);
  });

  it('turns page size, margins, header and footer into print options', () => {
    const diags = new Diagnostics();
    const o = reportPdfOptions(
      {
        pageSize: { width: '150mm', height: '200mm' },
        margin: { top: '30mm' },
        images: { 'logo.png': PNG },
        data: { who: 'ACME' },
        header: { logo: 'logo.png' },
        footer: { text: 'Confidential to {{ data.who }}', pageNumbers: true },
      },
      diags,
      'x.md',
    );
    assert.equal(o.width, '150mm');
    assert.deepEqual(o.margin, { top: '30mm', right: '20mm', bottom: '20mm', left: '20mm' });
    assert.equal(o.displayHeaderFooter, true);
    assert.match(o.headerTemplate!, /<img src="data:image\/png;base64,/);
    assert.match(o.footerTemplate!, /Confidential to ACME/);
    assert.match(o.footerTemplate!, /class="pageNumber".*class="totalPages"/);
    assert.deepEqual(diags.list(), []);
    assert.equal(reportPdfOptions({}, diags, 'x').format, 'A4');
  });

  it('recognises images by their bytes', () => {
    assert.equal(imageType('a.bin', PNG), 'image/png');
    assert.equal(imageType('a.bin', Buffer.from('<?xml version="1.0"?><svg xmlns="x">')), 'image/svg+xml');
    assert.equal(imageType('a.jpg', Buffer.from([0xff, 0xd8, 0xff])), 'image/jpeg');
    assert.equal(imageType('a.bin', Buffer.from('hello')), undefined);
  });
});

describe('render job JSON', () => {
  it('validates at the boundary with coded diagnostics naming the field', () => {
    assert.equal(parseJob({ markdown: '# x' }).job?.format, 'pdf');
    const r = parseJob({ markdown: '# x', format: 'docx', extra: 1 });
    assert.equal(r.job, undefined);
    assert.ok(r.diagnostics.every((d) => d.code === 'job/invalid'));
    assert.ok(r.diagnostics.some((d) => d.message.startsWith('format:')));
    assert.ok(r.diagnostics.some((d) => /extra/.test(d.message)));
  });
});
