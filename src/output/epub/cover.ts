/**
 * The cover: the image `bookbinder: epub: cover:` names, or one drawn from the title and the
 * authors (in a worker thread, so that drawing overlaps the conversion of the chapters; no
 * browser), and the cover page.
 */
import { Worker } from 'node:worker_threads';
import type { CoverSetting } from '../../config/epub.js';
import type { Diagnostics } from '../../diagnostics.js';
import { describeProblem, readSiteFile } from '../../source/site-files.js';
import type { CoverText, DrawnCover } from './cover-draw.js';
import { escapeXml } from './dom.js';

export type { CoverText } from './cover-draw.js';

/** Cover image bytes and a name hint. */
export interface CoverBytes {
  readonly bytes: Uint8Array;
  readonly name: string;
}

/** A generated cover being drawn on a worker thread. */
export interface CoverJob {
  readonly drawn: Promise<DrawnCover>;
  /** Stops the worker if the cover is not needed after all (a build that failed). */
  cancel(): void;
}

/**
 * Gets the cover image for a setting, or undefined (with a diagnostic) when there is none. A
 * generated cover comes from `drawn` when the build started drawing it early, or is drawn now.
 */
export async function coverImage(
  setting: CoverSetting,
  root: string,
  text: CoverText,
  diags: Diagnostics,
  drawn?: CoverJob,
): Promise<CoverBytes | undefined> {
  if (setting.kind === 'none') return undefined;
  if (setting.kind === 'image') {
    // Also through a symbolic link: the cover is read only when it is the site's own file.
    const read = readSiteFile(root, setting.path);
    if ('content' in read) return { bytes: read.content, name: setting.path };
    diags.warn(
      'epub/cover',
      read.problem === 'outside'
        ? `cover ${setting.path} ${describeProblem('outside')}; no cover`
        : `cover image ${setting.path} not found in the source folder; no cover`,
      '_config.yml',
      0,
    );
    return undefined;
  }
  try {
    const cover = await (drawn ?? drawCoverAside(text)).drawn;
    if (cover.missing.length > 0)
      diags.warn(
        'epub/cover-glyphs',
        `no font here has ${cover.missing.join(' ')}, so the generated cover leaves them out; install one ` +
          '(Debian/Ubuntu: fonts-noto-core), or set bookbinder.epub.cover to an image',
      );
    return { bytes: cover.png, name: 'cover.png' };
  } catch (e) {
    diags.warn(
      'epub/cover',
      `could not draw the cover (${e instanceof Error ? e.message : String(e)}); the EPUB has none`,
    );
    return undefined;
  }
}

/** Starts drawing a cover (`drawCover`) on a worker thread. */
export function drawCoverAside(text: CoverText): CoverJob {
  const worker = new Worker(new URL('./cover-worker.js', import.meta.url), { workerData: text });
  const drawn = new Promise<DrawnCover>((done, fail) => {
    worker.once('message', (data: DrawnCover) =>
      data.png instanceof Uint8Array ? done(data) : fail(new Error('the cover worker sent no PNG')),
    );
    worker.once('error', fail);
    worker.once('exit', (code) => fail(new Error(`the cover worker stopped (exit code ${code})`)));
  });
  drawn.catch(() => undefined); // awaited (and reported) by coverImage, if the cover is used
  return { drawn, cancel: () => void worker.terminate() };
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
