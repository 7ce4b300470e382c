/**
 * The cover: the image `bookbinder: epub: cover:` names, or one drawn from the title and the
 * authors (in a worker thread, so that drawing overlaps the conversion of the chapters; no
 * browser), and the cover page.
 */
import { readFileSync } from 'node:fs';
import { resolve, relative, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CoverSetting } from '../../config/epub.js';
import type { Diagnostics } from '../../diagnostics.js';
import type { CoverText } from './cover-draw.js';
import { escapeXml } from './dom.js';

export type { CoverText } from './cover-draw.js';
export { COVER_SIZE } from './cover-layout.js';

/** Cover image bytes and a name hint. */
export interface CoverBytes {
  readonly bytes: Uint8Array;
  readonly name: string;
}

/**
 * Gets the cover image for a setting, or undefined (with a diagnostic) when there is none.
 * Call it early and await it late: a generated cover is drawn meanwhile on another core.
 */
export async function coverImage(
  setting: CoverSetting,
  root: string,
  text: CoverText,
  diags: Diagnostics,
): Promise<CoverBytes | undefined> {
  if (setting.kind === 'none') return undefined;
  if (setting.kind === 'image') {
    const abs = resolve(root, setting.path);
    const rel = relative(root, abs);
    if (rel.startsWith('..') || rel.startsWith(sep)) {
      diags.warn('epub/cover', `cover ${setting.path} is outside the source folder; no cover`, '_config.yml', 0);
      return undefined;
    }
    try {
      return { bytes: readFileSync(abs), name: setting.path };
    } catch {
      diags.warn('epub/cover', `cover image ${setting.path} not found in the source folder; no cover`, '_config.yml', 0);
      return undefined;
    }
  }
  try {
    return { bytes: await drawInWorker(text), name: 'cover.png' };
  } catch (e) {
    diags.warn(
      'epub/cover',
      `could not draw the cover (${e instanceof Error ? e.message : String(e)}); the EPUB has none`,
    );
    return undefined;
  }
}

/** Runs {@link drawCover} in a worker thread. */
function drawInWorker(text: CoverText): Promise<Uint8Array> {
  return new Promise((done, fail) => {
    const worker = new Worker(new URL('./cover-worker.js', import.meta.url), { workerData: text });
    worker.once('message', (png: unknown) =>
      png instanceof Uint8Array ? done(png) : fail(new Error('the cover worker sent no PNG')),
    );
    worker.once('error', fail);
    worker.once('exit', (code) => fail(new Error(`the cover worker stopped (exit code ${code})`)));
  });
}

/** The cover page (an XHTML document holding only the cover image). */
export function coverPage(imageHref: string, alt: string, lang: string): string {
  const l = escapeXml(lang);
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="${l}" lang="${l}">
<head>
  <meta charset="UTF-8"/>
  <title>Cover</title>
  <style>html,body{margin:0;padding:0;height:100%;text-align:center}img{max-width:100%;max-height:100%;height:auto}</style>
</head>
<body>
  <section class="cover" epub:type="cover" aria-label="Cover"><img src="${escapeXml(imageHref)}" alt="${escapeXml(alt).replace(/"/g, '&quot;')}" role="doc-cover"/></section>
</body>
</html>
`;
}
