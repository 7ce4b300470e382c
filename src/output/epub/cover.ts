/**
 * The cover: the image `bookbinder: epub: cover:` names, or one drawn from the title and the
 * authors by Chromium (the only time an EPUB build starts a browser), and the cover page.
 */
import { readFileSync } from 'node:fs';
import { resolve, relative, sep } from 'node:path';
import type { Browser } from 'puppeteer';
import { BrowserNotFoundError, withBrowser } from '../../browser/launch.js';
import type { CoverSetting } from '../../config/epub.js';
import type { Diagnostics } from '../../diagnostics.js';
import { escapeXml } from './dom.js';

/** Cover image bytes and a name hint. */
export interface CoverBytes {
  readonly bytes: Uint8Array;
  readonly name: string;
}

/** What the generated cover shows. */
export interface CoverText {
  readonly title: string;
  readonly authors: readonly string[];
  readonly lang: string;
}

/** Width and height of a generated cover, in CSS pixels (2:3, as e-book stores ask). */
export const COVER_SIZE = { width: 1200, height: 1800 } as const;

/** Gets the cover image for a setting, or undefined (with a diagnostic) when there is none. */
export async function coverImage(
  setting: CoverSetting,
  root: string,
  text: CoverText,
  browser: Browser | undefined,
  diags: Diagnostics,
): Promise<CoverBytes | undefined> {
  if (setting.kind === 'none') return undefined;
  if (setting.kind === 'image') {
    const abs = resolve(root, setting.path);
    const rel = relative(root, abs);
    if (rel.startsWith('..') || rel.startsWith(sep)) {
      diags.warn(
        'epub/cover',
        `cover ${setting.path} is outside the source folder; no cover`,
        '_config.yml',
        0,
      );
      return undefined;
    }
    try {
      return { bytes: readFileSync(abs), name: setting.path };
    } catch {
      diags.warn(
        'epub/cover',
        `cover image ${setting.path} not found in the source folder; no cover`,
        '_config.yml',
        0,
      );
      return undefined;
    }
  }
  try {
    const render = (b: Browser) => renderCover(b, text);
    return { bytes: await (browser ? render(browser) : withBrowser(render)), name: 'cover.png' };
  } catch (e) {
    if (!(e instanceof BrowserNotFoundError)) throw e;
    diags.info(
      'epub/no-cover',
      'no Chromium to draw the cover, so the EPUB has none; set bookbinder.epub.cover to an image, or install Chromium',
    );
    return undefined;
  }
}

/** The HTML page the cover is drawn from. */
export function coverHtml(text: CoverText): string {
  const authors = text.authors.map((a) => `<p class="author">${escapeXml(a)}</p>`).join('');
  const long = text.title.length > 60 ? ' long' : '';
  return `<!DOCTYPE html><html lang="${escapeXml(text.lang)}"><head><meta charset="utf-8"><style>
html,body{margin:0;width:${COVER_SIZE.width}px;height:${COVER_SIZE.height}px;overflow:hidden}
body{display:flex;flex-direction:column;justify-content:space-between;box-sizing:border-box;padding:180px 120px 160px;
background:#2b2257;color:#fff;font-family:"Noto Serif","DejaVu Serif",Georgia,serif}
h1{font-size:112px;line-height:1.1;margin:0;overflow-wrap:break-word;hyphens:auto}
h1.long{font-size:80px}
.rule{width:240px;height:8px;background:#f7d12e;margin:64px 0}
.author{font-family:"Noto Sans","DejaVu Sans",sans-serif;font-size:56px;margin:0 0 16px}
</style></head><body><div><h1 class="title${long}">${escapeXml(text.title)}</h1><div class="rule"></div></div><div>${authors}</div></body></html>`;
}

async function renderCover(browser: Browser, text: CoverText): Promise<Uint8Array> {
  const page = await browser.newPage();
  try {
    await page.setViewport({ ...COVER_SIZE, deviceScaleFactor: 1 });
    await page.setJavaScriptEnabled(false);
    await page.setContent(coverHtml(text), { waitUntil: 'load' });
    return await page.screenshot({ type: 'png', clip: { x: 0, y: 0, ...COVER_SIZE } });
  } finally {
    await page.close();
  }
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
