/**
 * `renderReport(markdown, options)`: a report from a Markdown template and data, in memory.
 * Liquid fills the template from `data`, the book's markdown-it instance renders it, the
 * book's sanitiser cleans it, and a warm page of the caller's browser prints it with
 * `setContent` + `pdf()`. Nothing is written to disk: images are given as buffers and become
 * `data:` URIs, and no site, book pipeline or font server is involved, so a one-page report
 * costs about what a raw puppeteer print of its HTML costs.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Liquid, LiquidError } from 'liquidjs';
import type { Browser, Page, PDFOptions } from 'puppeteer';
import { sanitizeStyleSheet } from '../compose/css.js';
import { sanitizeChapter, sanitizeSvgFile } from '../compose/sanitize.js';
import { type Diagnostic, Diagnostics } from '../diagnostics.js';
import { LIQUID_LIMITS } from '../liquid/render.js';
import { createMarkdown, escapeHtml, renderChapter } from '../markdown/render.js';
import type { Chapter, Page as BookPage } from '../model.js';
import { withSharedBrowser } from '../browser/pool.js';

/** Paper sizes by name, as puppeteer knows them. */
export const PAGE_SIZES = ['A3', 'A4', 'A5', 'Letter', 'Legal', 'Tabloid'] as const;

/** A running header or footer: a logo (an image's name), a line of text, page numbers. */
export interface ReportBand {
  /** The name of an image of `images` drawn at the band's start. */
  readonly logo?: string;
  /** A line of text (e.g. a confidentiality notice); Liquid is applied to it with `data`. */
  readonly text?: string;
  /** Adds "page X of Y". */
  readonly pageNumbers?: boolean;
}

/** How to render a report. */
export interface RenderReportOptions {
  /** `pdf` (default) or `html` (the document that would be printed). */
  readonly format?: 'pdf' | 'html';
  /** The template's `data` object (`{{ data.customer }}`). */
  readonly data?: Readonly<Record<string, unknown>>;
  /** Images by the name the Markdown uses (`![chart](chart.png)`): PNG, JPEG, GIF, WebP or SVG bytes. */
  readonly images?: Readonly<Record<string, Uint8Array>>;
  /** Document title (default: the first heading's text). */
  readonly title?: string;
  /** Language tag (default `en`). */
  readonly lang?: string;
  /** The name diagnostics give the Markdown (default `input.md`). */
  readonly fileName?: string;
  /** A paper size name, or `{ width, height }` as CSS lengths (default A4). */
  readonly pageSize?: (typeof PAGE_SIZES)[number] | { readonly width: string; readonly height: string };
  /** Page margins as CSS lengths (default 20mm each; the header and footer sit in them). */
  readonly margin?: {
    readonly top?: string;
    readonly right?: string;
    readonly bottom?: string;
    readonly left?: string;
  };
  readonly header?: ReportBand;
  readonly footer?: ReportBand;
  /** CSS added after the built-in report style (sanitised like a page's styles). */
  readonly css?: string;
  /** A browser to print with (the caller keeps ownership; its pages are kept warm). */
  readonly browser?: Browser;
  /** Time allowed for printing (default 30 s). */
  readonly timeoutMs?: number;
  /** Cancels the print: its page is closed at once and the call rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** The report as bytes, with its diagnostics. */
export interface RenderReportResult {
  /** The PDF or HTML; absent when the input had errors. */
  readonly data?: Uint8Array;
  /** The HTML document that is (or would be) printed. */
  readonly html: string;
  readonly diagnostics: Diagnostic[];
  readonly ok: boolean;
}

/** The report's own lean style: system fonts (nothing to fetch), compact tables. */
const REPORT_CSS = `
html { font: 10.5pt/1.45 "Noto Sans", "DejaVu Sans", sans-serif; color: #111; }
body { margin: 0; }
h1 { font-size: 1.7em; margin: 0 0 .5em; } h2 { font-size: 1.3em; margin: 1.2em 0 .4em; }
h3 { font-size: 1.1em; margin: 1em 0 .3em; } h1, h2, h3 { break-after: avoid; }
p { margin: 0 0 .6em; } img { max-width: 100%; }
table { border-collapse: collapse; width: 100%; margin: .6em 0; font-size: .95em; }
th, td { border-bottom: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #555; } thead { display: table-header-group; } tr { break-inside: avoid; }
code, pre { font-family: "Noto Sans Mono", "DejaVu Sans Mono", monospace; font-size: .9em; }
pre { white-space: pre-wrap; background: #f5f5f5; padding: .5em; }
.missing-image { border: 1px dashed #c00; color: #c00; padding: 0 .3em; }
`;

/** Faces embedded in every report: Noto Sans (Latin, Greek, Cyrillic) and Noto Sans Mono (Latin). */
const FACES: readonly (readonly [pkg: string, css: string])[] = [
  ...['latin', 'latin-ext', 'greek', 'cyrillic'].flatMap((subset) =>
    ['400', '400-italic', '700', '700-italic'].map((w) => ['noto-sans', `${subset}-${w}.css`] as const),
  ),
  ['noto-sans-mono', 'latin-400.css'],
  ['noto-sans-mono', 'latin-700.css'],
];

let fontCss: string | undefined;
/**
 * The `@font-face` rules of the report fonts with their WOFF2 files inline, read once per
 * process. Chromium sees no system font (see isolatedFontConfig), and a report loads nothing
 * from outside its document; `unicode-range` keeps unused subsets from being decoded.
 */
export function reportFontCss(): string {
  if (fontCss !== undefined) return fontCss;
  const require = createRequire(import.meta.url);
  const rules: string[] = [];
  for (const [pkg, css] of FACES) {
    const dir = dirname(require.resolve(`@fontsource/${pkg}/400.css`));
    const text = readFileSync(join(dir, css), 'utf8');
    rules.push(
      text
        .replace(/,\s*url\([^)]*\.woff\) format\('woff'\)/g, '')
        .replace(/url\(\.\/files\/([^)]+\.woff2)\)/g, (_, file: string) => {
          const b64 = readFileSync(join(dir, 'files', file)).toString('base64');
          return `url(data:font/woff2;base64,${b64})`;
        }),
    );
  }
  fontCss = rules.join('\n');
  return fontCss;
}

let bandFont: string | undefined;
/** The regular Latin face alone, for headers and footers. */
function bandFontCss(): string {
  bandFont ??= reportFontCss()
    .split(/(?=\/\* )/)
    .filter((rule) => /noto-sans-latin(-ext)?-400-normal /.test(rule))
    .join('\n');
  return bandFont;
}

const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
};

/** The MIME type of an image, from its bytes (falling back to its name). */
export function imageType(name: string, bytes: Uint8Array): string | undefined {
  const b = bytes;
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b[0] === 0xff && b[1] === 0xd8) return 'image/jpeg';
  if (b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return 'image/gif';
  const head = Buffer.from(b.subarray(0, 512)).toString('utf8');
  if (/^RIFF....WEBP/s.test(head)) return 'image/webp';
  if (/<svg[\s>]/i.test(head)) return 'image/svg+xml';
  return MIME[name.replace(/^.*\./, '').toLowerCase()];
}

let liquid: Liquid | undefined;
/** The template engine: Liquid's standard tags and filters, the book's budget, no includes. */
function engine(): Liquid {
  liquid ??= new Liquid({
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    dynamicPartials: false,
    relativeReference: false,
    // Data is text: `Ada <Lovelace>` prints as written instead of becoming a tag the sanitiser
    // drops (`| raw` opts out, for data that is meant as Markdown or HTML).
    outputEscape: 'escape',
    timezoneOffset: 0,
    parseLimit: LIQUID_LIMITS.parse,
    memoryLimit: LIQUID_LIMITS.memory,
    renderLimit: LIQUID_LIMITS.renderMs,
    fs: {
      // No `{% include %}` or `{% render %}` can reach the disk.
      exists: () => Promise.resolve(false),
      existsSync: () => false,
      readFile: () => Promise.reject(new Error('includes are not available in a report')),
      readFileSync: () => {
        throw new Error('includes are not available in a report');
      },
      resolve: (_dir: string, file: string) => file,
    },
  });
  return liquid;
}

/** Applies Liquid to `text`; an error becomes a diagnostic at its line and the text is kept. */
function fill(text: string, data: unknown, file: string, diags: Diagnostics, lineBase = 1): string {
  if (!/\{[{%]/.test(text)) return text;
  try {
    return String(engine().parseAndRenderSync(text, { data }));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const at = e instanceof LiquidError ? /line:(\d+)/.exec(message) : null;
    const line = at?.[1] ? lineBase + Number(at[1]) - 1 : lineBase;
    diags.error('liquid/error', message.replace(/, file:.*$/, ''), file, line);
    return text;
  }
}

/** Applies Liquid with `data` to a Markdown template (what `renderReport` does first). */
export function fillTemplate(
  markdown: string,
  data: unknown,
  file: string,
): { text: string; ok: boolean; diagnostics: Diagnostic[] } {
  const diags = new Diagnostics();
  const text = fill(markdown, data, file, diags);
  return { text, ok: !diags.hasErrors, diagnostics: diags.list() };
}

let md: ReturnType<typeof createMarkdown> | undefined;

/** Markdown → sanitised HTML fragment, with images resolved to `data:` URIs. */
function renderBody(markdown: string, options: RenderReportOptions, file: string, diags: Diagnostics) {
  const images = options.images ?? {};
  const page: BookPage = {
    source: file,
    absPath: file,
    front: { navExclude: false, data: {}, lines: {} },
    body: markdown,
    bodyLine: 1,
    url: '/',
  };
  const chapter: Chapter = { page, title: options.title ?? '', depth: 0, id: 'report' };
  const r = renderChapterSafe(markdown, page, chapter, images, diags);
  const clean = sanitizeChapter(page, r.html, r.styles, diags);
  const html = clean.html.replace(/"bbasset:([^"]*)"/g, (all, name: string) => {
    const key = decodeURIComponent(name);
    const bytes = images[key];
    const uri = bytes && dataUri(key, bytes);
    return uri ? `"${uri}"` : all;
  });
  return { html, styles: clean.styles, title: r.title };
}

function dataUri(name: string, bytes: Uint8Array): string | undefined {
  const type = imageType(name, bytes);
  // An SVG may hold scripts and references: it goes in sanitised, as the book's SVG files do.
  const body =
    type === 'image/svg+xml'
      ? Buffer.from(sanitizeSvgFile(Buffer.from(bytes).toString('utf8')).svg)
      : Buffer.from(bytes);
  return type && `data:${type};base64,${body.toString('base64')}`;
}

function renderChapterSafe(
  markdown: string,
  page: BookPage,
  chapter: Chapter,
  images: Readonly<Record<string, Uint8Array>>,
  diags: Diagnostics,
): { html: string; styles: string[]; title: string } {
  const usedIds = new Set<string>();
  const resolveRef = (kind: 'href' | 'src', value: string, line: number): string => {
    if (kind === 'href' || /^(https?:|data:|#)/i.test(value)) return value;
    const name = decodeURIComponent(value.replace(/^\.?\//, ''));
    const bytes = images[name];
    // A placeholder the sanitiser keeps; the image goes in after it (see renderBody).
    if (bytes && imageType(name, bytes)) return `bbasset:${encodeURIComponent(name)}`;
    diags.warn(
      'image/not-found',
      bytes
        ? `image ${name} is not a PNG, JPEG, GIF, WebP or SVG`
        : `image ${name} is not among the images given`,
      page.source,
      line + 1,
    );
    return `bbmissing:${name}`;
  };
  md ??= createMarkdown();
  const warn = (code: string, message: string, line: number): void =>
    diags.warn(code, message, page.source, line + 1);
  const r = renderChapter(md, chapter, { usedIds, resolveRef, warn });
  return { html: r.html, styles: r.styles, title: r.headings[0]?.text ?? '' };
}

/** Undoes Liquid's output escaping (the band's text is escaped once, as a whole). */
function unescapeHtml(s: string): string {
  return s.replace(
    /&(lt|gt|quot|#39|amp);/g,
    (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!,
  );
}

/** A header or footer template for Chromium (its own tiny document, styled inline). */
function bandTemplate(
  band: ReportBand | undefined,
  options: RenderReportOptions,
  diags: Diagnostics,
  file: string,
): string {
  if (!band) return '<span></span>';
  const parts: string[] = [];
  if (band.logo !== undefined) {
    const bytes = options.images?.[band.logo];
    const uri = bytes && dataUri(band.logo, bytes);
    if (uri) parts.push(`<img src="${uri}" style="height:8mm;width:auto">`);
    else diags.warn('image/not-found', `logo ${band.logo} is not among the images given`, file, 0);
  }
  if (band.text !== undefined)
    parts.push(
      `<span style="flex:1">${escapeHtml(unescapeHtml(fill(band.text, options.data ?? {}, file, diags, 0)))}</span>`,
    );
  else parts.push('<span style="flex:1"></span>');
  if (band.pageNumbers)
    parts.push('<span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span>');
  // The band is printed in a context of its own: it gets the regular face inline.
  return (
    `<style>${bandFontCss()}</style>` +
    "<div style=\"font:8pt 'Noto Sans';color:#444;width:100%;margin:0 12mm;display:flex;gap:4mm;" +
    `align-items:center">${parts.join('')}</div>`
  );
}

/** The whole HTML document of a report. */
function documentHtml(
  body: string,
  styles: readonly string[],
  title: string,
  options: RenderReportOptions,
): string {
  const user = options.css ? sanitizeStyleSheet(options.css).css : '';
  const css = [reportFontCss(), REPORT_CSS, ...styles, user].join('\n');
  const lang = escapeHtml(options.lang ?? 'en');
  return (
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    `<style>${css}</style></head><body>${body}</body></html>`
  );
}

/** The PDF options of a report. */
export function reportPdfOptions(options: RenderReportOptions, diags: Diagnostics, file: string): PDFOptions {
  const size = options.pageSize ?? 'A4';
  const m = options.margin ?? {};
  const banded = options.header !== undefined || options.footer !== undefined;
  return {
    ...(typeof size === 'string' ? { format: size } : { width: size.width, height: size.height }),
    margin: {
      top: m.top ?? '20mm',
      right: m.right ?? '20mm',
      bottom: m.bottom ?? '20mm',
      left: m.left ?? '20mm',
    },
    printBackground: true,
    ...(banded && {
      displayHeaderFooter: true,
      headerTemplate: bandTemplate(options.header, options, diags, file),
      footerTemplate: bandTemplate(options.footer, options, diags, file),
    }),
  };
}

/**
 * Loads the report fonts once in a new page. The first web font a fresh Chromium renderer
 * decodes fails (seen with the isolated fontconfig: a `NetworkError` for a good font), so a
 * page is not handed out before its fonts have loaded once.
 */
async function warmFonts(page: Page): Promise<void> {
  // The page keeps this document, the shell every report is printed in (see printReport).
  const html = `<!doctype html><html><head><meta charset="utf-8"><title></title><style>${reportFontCss()}</style><style id="bb-report"></style></head><body><p>x <b>x</b> <i>x</i> <b><i>x</i></b> <code>x</code></p></body></html>`;
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.setContent(html, { waitUntil: 'load' });
    const ok = await page.evaluate(async () => {
      try {
        await Promise.all(
          [
            '400 1em "Noto Sans"',
            '700 1em "Noto Sans"',
            'italic 400 1em "Noto Sans"',
            'italic 700 1em "Noto Sans"',
            '1em "Noto Sans Mono"',
          ].map((f) => document.fonts.load(f, 'x')),
        );
        return true;
      } catch {
        return false;
      }
    });
    if (ok) return;
  }
}

/**
 * Warm pages per browser: a page, once opened, prints report after report (a new page costs a
 * renderer process and more than a report's whole print).
 */
class PagePool {
  readonly #idle: Page[] = [];
  readonly #uses = new WeakMap<Page, number>();
  readonly #waiting: ((p: Page | undefined) => void)[] = [];
  #open = 0;
  #collecting = 0;
  constructor(
    readonly browser: Browser,
    readonly max: number,
  ) {}
  async acquire(): Promise<Page> {
    const idle = this.#idle.pop();
    if (idle && !idle.isClosed()) return idle;
    if (idle) this.#open--;
    // A page being collected (see release) is ready in a moment: waited for, not duplicated.
    if (this.#open >= this.max || this.#collecting > this.#waiting.length) {
      const handed = await new Promise<Page | undefined>((resolve) => this.#waiting.push(resolve));
      if (handed) return handed;
    }
    this.#open++;
    try {
      const page = await this.browser.newPage();
      // Nothing but `data:` URIs is loaded: the document is sanitised, and any request left
      // (a CSS url the sanitiser kept) is refused.
      await page.setRequestInterception(true);
      page.on('request', (r) => {
        if (r.url().startsWith('data:')) void r.continue().catch(() => undefined);
        else void r.abort('blockedbyclient').catch(() => undefined);
      });
      await warmFonts(page);
      return page;
    } catch (e) {
      this.#open--;
      this.#waiting.shift()?.(undefined);
      throw e;
    }
  }
  release(page: Page, broken: boolean): void {
    const uses = (this.#uses.get(page) ?? 0) + 1;
    this.#uses.set(page, uses);
    // A renderer keeps some of every document it printed: a page is replaced now and then, so
    // a long-running service's memory stays flat (a new page costs about a second, once).
    if (broken || page.isClosed() || uses >= PAGE_USES) {
      this.#drop(page);
      return;
    }
    // Each report leaves its document (half a megabyte of inline fonts, its DOM) as garbage that
    // V8 collects only when its heap has grown a lot: a page's renderer went from 40 to 300 MB
    // over 150 reports. A full collection every few reports, before the page is handed out
    // again (so no request waits for it), keeps it near 40 MB.
    if (uses % GC_EVERY === 0) {
      this.#collecting++;
      void collectGarbage(page).then(() => {
        this.#collecting--;
        if (page.isClosed()) this.#drop(page);
        else this.#handOver(page);
      });
      return;
    }
    this.#handOver(page);
  }
  #handOver(page: Page): void {
    const next = this.#waiting.shift();
    if (next) next(page);
    else this.#idle.push(page);
  }
  #drop(page: Page): void {
    this.#open--;
    void page.close().catch(() => undefined);
    this.#waiting.shift()?.(undefined);
  }
}

/**
 * Reports a page prints between two full garbage collections of its renderer. A collection takes
 * about 140 ms, during which the page serves no request: every 10 reports it cost a tenth of the
 * throughput at 2 concurrent requests (0.85× raw against 0.95×); every 40 its share is a few
 * percent, and the garbage between two (about 50 MB a page) stays bounded.
 */
export const GC_EVERY = 40;

/** A full garbage collection in the page's renderer (a failure, a closed page, is ignored). */
async function collectGarbage(page: Page): Promise<void> {
  try {
    const session = await page.createCDPSession();
    try {
      await session.send('HeapProfiler.collectGarbage');
    } finally {
      await session.detach().catch(() => undefined);
    }
  } catch {
    // the page went away: release() then drops it
  }
}

const pools = new WeakMap<Browser, PagePool>();

/** Reports a page prints before it is replaced by a fresh one. */
const PAGE_USES = 500;

/** Pages a browser prints reports in at once. */
export const REPORT_PAGES = 4;

/**
 * Prints `html` in a warm page of `browser`. When `signal` aborts, the page is closed at once:
 * the calls in flight reject, its renderer stops, and the pool opens a fresh page later.
 */
export async function printReport(
  browser: Browser,
  html: string,
  pdf: PDFOptions,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  signal?.throwIfAborted();
  let pool = pools.get(browser);
  if (!pool) {
    pool = new PagePool(browser, REPORT_PAGES);
    pools.set(browser, pool);
  }
  const page = await pool.acquire();
  let broken = true;
  const stop = (): void => void page.close().catch(() => undefined);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    signal?.throwIfAborted();
    const parts = shellParts(html);
    if (parts) await page.evaluate(fillShell, ...parts);
    else await page.setContent(html, { waitUntil: 'load', timeout: timeoutMs });
    const out = await page.pdf({ ...pdf, timeout: timeoutMs });
    signal?.throwIfAborted();
    // A document that replaced the shell (not one of ours) leaves no shell for the next report.
    broken = !parts;
    return out;
  } catch (e) {
    // The page's calls fail with "target closed" when it was cancelled: the reason is the signal's.
    signal?.throwIfAborted();
    throw e;
  } finally {
    signal?.removeEventListener('abort', stop);
    pool.release(page, broken);
  }
}

/**
 * A report document as `documentHtml` writes it, in the parts the page's shell takes: its
 * language, title (escaped), stylesheet without the fonts (the shell has them) and body.
 * Undefined for any other document, which is printed with `setContent`.
 */
function shellParts(html: string): [string, string, string, string] | undefined {
  const m =
    /^<!doctype html><html lang="([^"]*)"><head><meta charset="utf-8"><title>([^<]*)<\/title><style>/.exec(
      html,
    );
  const fonts = reportFontCss();
  const end = '</body></html>';
  if (!m || !html.startsWith(fonts, m[0].length) || !html.endsWith(end)) return undefined;
  const split = html.lastIndexOf('</style></head><body>');
  if (split < m[0].length + fonts.length) return undefined;
  const css = html.slice(m[0].length + fonts.length, split);
  const body = html.slice(split + '</style></head><body>'.length, html.length - end.length);
  return [m[1]!, m[2]!, css, body];
}

/**
 * Runs in the page: puts a report into the shell the page keeps, whose fonts are loaded once
 * (sending and decoding half a megabyte of fonts for every report was most of a print's
 * cost), and resolves once its fonts and images are ready. Scripts never run: the body is
 * sanitised, and markup set this way runs none.
 */
async function fillShell(lang: string, title: string, css: string, body: string): Promise<void> {
  document.documentElement.lang = lang;
  const t = document.querySelector('title');
  if (t) t.innerHTML = title;
  const style = document.getElementById('bb-report');
  if (style) style.textContent = css;
  document.body.innerHTML = body;
  // Laid out first, so that the faces and images it needs have started loading.
  void document.body.offsetHeight;
  await Promise.all([
    document.fonts.ready,
    ...Array.from(document.images).map((img) =>
      img.complete
        ? undefined
        : new Promise((done) => {
            img.addEventListener('load', done);
            img.addEventListener('error', done);
          }),
    ),
  ]);
}

/** Renders a Markdown template with `data` into a PDF (or its HTML), in memory. */
export async function renderReport(
  markdown: string,
  options: RenderReportOptions = {},
): Promise<RenderReportResult> {
  const file = options.fileName ?? 'input.md';
  const diags = new Diagnostics();
  const filled = fill(markdown, options.data ?? {}, file, diags);
  const body = renderBody(filled, options, file, diags);
  const html = documentHtml(body.html, body.styles, options.title ?? (body.title || 'Report'), options);
  const pdfOptions = reportPdfOptions(options, diags, file);
  const fail = (): RenderReportResult => ({ html, diagnostics: diags.list(), ok: false });
  if (diags.hasErrors) return fail();
  if (options.format === 'html')
    return { data: new TextEncoder().encode(html), html, diagnostics: diags.list(), ok: true };
  const timeout = options.timeoutMs ?? 30_000;
  const data = options.browser
    ? await printReport(options.browser, html, pdfOptions, timeout, options.signal)
    : await withSharedBrowser((b) => printReport(b, html, pdfOptions, timeout, options.signal));
  return { data, html, diagnostics: diags.list(), ok: true };
}
