/**
 * Nothing of the Jekyll dialect leaks into the books of the real sites in ../shared/corpus:
 * no kramdown attribute list, `{:toc}`, `markdown="1"`, Liquid tag or site/page variable shows as
 * text in the HTML, the EPUB's XHTML or (for one corpus) the PDF, except inside code, where a
 * page shows such syntax on purpose. Skipped, visibly, when ../shared/corpus is absent.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { CORPUS, corpora, requireTools, skipWithoutCorpus, run, runCli } from '../helpers.js';

const LEAKS = ['{:toc}', '{: .', '{:.', 'markdown="1"', '{% ', '{{ site', '{{ page'];
/** The corpus whose PDF text is checked too (its pages have no code showing the syntax). */
const PDF_CORPUS = 'review';

/** Removes what may show the syntax on purpose: code, and the TeX source kept beside MathML. */
function outsideCode(html: string): string {
  return html
    .replace(/<pre\b[\s\S]*?<\/pre>/g, '')
    .replace(/<code\b[\s\S]*?<\/code>/g, '')
    .replace(/<annotation\b[\s\S]*?<\/annotation>/g, '');
}

/** Each leaked string with a little context, for the failure message. */
function leaks(text: string, where: string): string[] {
  const found: string[] = [];
  for (const leak of LEAKS) {
    const at = text.indexOf(leak);
    if (at !== -1) found.push(`${where}: ${JSON.stringify(text.slice(Math.max(0, at - 60), at + 40))}`);
  }
  return found;
}

describe('the Jekyll dialect does not leak into the books of ../shared/corpus', function () {
  this.timeout(300_000);
  const names = corpora();
  skipWithoutCorpus(names);
  for (const name of names) {
    const withPdf = name === PDF_CORPUS;
    it(`${name}: HTML and EPUB${withPdf ? ' and PDF' : ''} show no kramdown or Liquid syntax`, async function () {
      if (withPdf) requireTools(this, 'chromium', 'pdftotext');
      const expected = JSON.parse(readFileSync(join(CORPUS, name, 'EXPECTED.json'), 'utf8')) as {
        site_root: string;
      };
      const out = mkdtempSync(join(tmpdir(), `bb-dialect-${name}-`));
      const formats = withPdf ? 'html,epub,pdf' : 'html,epub';
      const r = runCli(['build', join(CORPUS, name, expected.site_root), '-o', out, '--format', formats]);
      assert.equal(r.status, 0, r.stderr);
      const found = leaks(outsideCode(readFileSync(join(out, 'book.html'), 'utf8')), 'book.html');
      const zip = await JSZip.loadAsync(readFileSync(join(out, 'book.epub')));
      const pages = Object.keys(zip.files).filter((f) => f.endsWith('.xhtml'));
      assert.ok(pages.length > 1, 'the EPUB has chapter files');
      for (const f of pages) found.push(...leaks(outsideCode(await zip.file(f)!.async('string')), f));
      if (withPdf) found.push(...leaks(run('pdftotext', [join(out, 'book.pdf'), '-']), 'book.pdf'));
      assert.deepEqual(found, []);
    });
  }
});
