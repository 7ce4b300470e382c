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

/** Pixel size of a PNG, JPEG, GIF or SVG image; undefined for other formats or bad data. */
export function imageSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ok = (width: number, height: number) => (width > 0 && height > 0 ? { width, height } : undefined);
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47) return ok(b.readUInt32BE(16), b.readUInt32BE(20));
  if (b.length >= 10 && b.toString('latin1', 0, 3) === 'GIF') return ok(b.readUInt16LE(6), b.readUInt16LE(8));
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    for (let i = 2; i + 9 < b.length;) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1]!;
      // SOF0–SOF15 hold the size; DHT (C4), JPG (C8) and DAC (CC) share the range.
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker))
        return ok(b.readUInt16BE(i + 7), b.readUInt16BE(i + 5));
      i += 2 + b.readUInt16BE(i + 2);
    }
    return undefined;
  }
  const head = b.toString('utf8', 0, Math.min(b.length, 4096));
  const svg = /<svg\b[^>]*>/i.exec(head)?.[0];
  if (svg) {
    const box = /viewBox\s*=\s*["']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(svg);
    if (box) return ok(Number(box[1]), Number(box[2]));
    const w = /\bwidth\s*=\s*["']([\d.]+)(px)?["']/i.exec(svg);
    const h = /\bheight\s*=\s*["']([\d.]+)(px)?["']/i.exec(svg);
    if (w && h) return ok(Number(w[1]), Number(h[1]));
  }
  return undefined;
}

/**
 * The cover page: the image inside an SVG whose `viewBox` is the image's size, scaled with
 * `preserveAspectRatio` to fit the screen whatever its shape (the pattern calibre and Sigil
 * write), so that every reader shows the whole cover on one screen. An image of unknown size
 * gets a portrait box, in which it still keeps its own proportions.
 */
export function coverPage(
  imageHref: string,
  alt: string,
  lang: string,
  size: { width: number; height: number } = { width: 1000, height: 1500 },
): string {
  const l = escapeXml(lang);
  const label = escapeXml(alt).replace(/"/g, '&quot;');
  const { width: w, height: h } = size;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="${l}" lang="${l}">
<head>
  <meta charset="UTF-8"/>
  <title>Cover</title>
  <style>@page { margin: 0; } html, body { margin: 0; padding: 0; height: 100%; } .cover { height: 100%; margin: 0; padding: 0; text-align: center; } .cover svg { display: block; width: 100%; height: 100%; }</style>
</head>
<body>
  <section class="cover" epub:type="cover">
    <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width="100%" height="100%" viewBox="0 0 ${w} ${h}" preserveAspectRatio="xMidYMid meet" role="img" aria-label="${label}"><title>${label}</title><image width="${w}" height="${h}" xlink:href="${escapeXml(imageHref)}"/></svg>
  </section>
</body>
</html>
`;
}
