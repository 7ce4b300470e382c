/**
 * The orchestrator: reads as the list of stages. Load the site, order its pages, render each
 * once, compose, then write the outputs. It stops before the browser when the input has errors.
 */
import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Browser } from 'puppeteer';
import { BrowserNotFoundError } from './browser/launch.js';
import { withSharedBrowser } from './browser/pool.js';
import { buildLinkIndex, makeResolver } from './compose/resolve.js';
import { fetchRemoteImages } from './compose/remote.js';
import { sanitizeChapter } from './compose/sanitize.js';
import { loadSiteConfig } from './config/site.js';
import { type Diagnostic, Diagnostics, sortDiagnostics, strictify } from './diagnostics.js';
import { createMarkdown, escapeHtml, renderChapter } from './markdown/render.js';
import type { Asset, Book, Chapter, RenderedChapter, SiteConfig } from './model.js';
import { renderEpub } from './output/epub.js';
import { assetsFolder, renderHtml } from './output/html.js';
import { type ChapterPage, renderPdf } from './output/pdf.js';
import { writeAtomic } from './output/write.js';
import { loadPages } from './source/load.js';
import { buildNavTree, flattenTree, selectRoot } from './structure/nav.js';

/** The output formats. */
export const FORMATS = ['pdf', 'epub', 'html'] as const;
/** One output format. */
export type Format = (typeof FORMATS)[number];

/** What to build. */
export interface BuildOptions {
  /** The Jekyll source folder. */
  readonly source: string;
  /** Where to write files; when absent nothing is written and the buffers are returned. */
  readonly outDir?: string;
  readonly formats?: readonly Format[];
  /** File name stem of the outputs (default `book`). */
  readonly name?: string;
  /** Build only this page (title or source path) and its descendants. */
  readonly root?: string;
  /** Turn warnings into errors. */
  readonly strict?: boolean;
  /** Seconds since the epoch for every date in the outputs (default: `SOURCE_DATE_EPOCH`). */
  readonly sourceDateEpoch?: number;
  /** Fetch http(s) images (with a size and a time limit) instead of leaving them out. */
  readonly allowRemote?: boolean;
  /** A browser to reuse (the caller keeps ownership); otherwise one is launched and closed. */
  readonly browser?: Browser;
}

/** One chapter in the report. */
export interface ChapterReport {
  readonly title: string;
  readonly source: string;
  readonly depth: number;
  readonly id: string;
  readonly page?: number;
  readonly pageLabel?: string;
}

/** A diagnostic in the report. */
export interface ReportDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly message: string;
}

/** The machine-readable result of a build (the `--json` object). */
export interface BuildReport {
  readonly chapters: ChapterReport[];
  readonly warnings: ReportDiagnostic[];
  readonly errors: ReportDiagnostic[];
  readonly infos: ReportDiagnostic[];
  readonly outputs: string[];
  readonly timings: Record<string, number>;
}

/** The outputs as buffers, and the report. */
export interface BuildResult {
  readonly pdf?: Uint8Array;
  readonly epub?: Uint8Array;
  readonly html?: string;
  readonly report: BuildReport;
  /** Every diagnostic, sorted, with its severity (after `strict`). */
  readonly diagnostics: Diagnostic[];
  readonly ok: boolean;
}

class Timer {
  readonly timings: Record<string, number> = {};
  async time<T>(stage: string, fn: () => T | Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.timings[stage] = Math.round(performance.now() - start) / 1000;
    }
  }
}

function epochFrom(options: BuildOptions): number | undefined {
  if (options.sourceDateEpoch !== undefined) return options.sourceDateEpoch;
  const env = process.env.SOURCE_DATE_EPOCH;
  return env && /^\d+$/.test(env) ? Number(env) : undefined;
}

/** Builds a book. Input problems are reported in the result; only our own failures throw. */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const timer = new Timer();
  const diags = new Diagnostics();
  const root = resolve(options.source);
  const formats = options.formats ?? FORMATS;
  const name = options.name ?? 'book';
  const finish = (
    book: Book | undefined,
    out: Partial<Pick<BuildResult, 'pdf' | 'epub' | 'html'>>,
    pages?: ReadonlyMap<string, ChapterPage>,
    outputs: string[] = [],
  ): BuildResult => result(diags, options.strict === true, book, out, pages, outputs, timer.timings);

  if (!existsSync(root) || !statSync(root).isDirectory()) {
    diags.error('source/missing', `source folder ${options.source} does not exist or is not a folder`);
    return finish(undefined, {});
  }
  const site = await timer.time('config', () => loadSiteConfig(root, diags));
  const pages = await timer.time('load', () => loadPages(root, site, diags));
  if (pages.length === 0)
    diags.error(
      'source/empty',
      `no pages found in ${options.source} (a page is a .md file that starts with front matter)`,
    );
  const chapters = await timer.time('order', () => orderChapters(pages, site, options.root, diags));
  if (chapters.length === 0 && pages.length > 0 && !diags.hasErrors)
    diags.error('nav/empty', 'no page of the site is in the navigation, so the book would be empty');
  const rendered = await timer.time('render', () =>
    renderAll(chapters, pages, site, root, diags, options.allowRemote === true),
  );
  const remote =
    options.allowRemote && !diags.hasErrors
      ? await timer.time('remote', () => fetchRemoteImages(rendered.chapters, diags))
      : undefined;
  const assets = new Map([...rendered.assets, ...(remote?.assets ?? [])]);
  const title = bookTitle(site, options.root, chapters);
  const book: Book = {
    site: { ...site, title },
    title,
    chapters: remote?.chapters ?? rendered.chapters,
  };
  if (diags.hasErrors || (options.strict && diags.list().some((d) => d.severity === 'warning'))) {
    await remote?.dispose();
    return finish(book, {});
  }
  try {
    const out: { pdf?: Uint8Array; epub?: Uint8Array; html?: string } = {};
    const epoch = epochFrom(options);
    if (formats.includes('html')) out.html = await timer.time('html', () => renderHtml(book, name));
    if (formats.includes('epub')) {
      out.epub = await timer.time('epub', () =>
        renderEpub(book, { assets: assets, ...(epoch !== undefined && { sourceDateEpoch: epoch }) }, diags),
      );
    }
    let pagesOf: ReadonlyMap<string, ChapterPage> | undefined;
    if (formats.includes('pdf')) {
      try {
        const print = (browser: Browser) =>
          renderPdf(
            browser,
            book,
            {
              assets: assets,
              timeoutMs: timeoutFor(book),
              ...(epoch !== undefined && { sourceDateEpoch: epoch }),
            },
            diags,
          );
        const retried = (e: unknown) =>
          diags.info(
            'browser/retried',
            `Chromium crashed while printing (${e instanceof Error ? e.message : String(e)}); printed again with a fresh browser`,
          );
        const pdf = await timer.time('pdf', () =>
          options.browser ? print(options.browser) : withSharedBrowser(print, retried),
        );
        out.pdf = pdf.pdf;
        pagesOf = pdf.pages;
      } catch (e) {
        if (!(e instanceof BrowserNotFoundError)) throw e;
        diags.error('browser/not-found', e.message);
      }
    }
    const outputs =
      options.outDir && !diags.hasErrors
        ? await timer.time('write', () => writeOutputs(options.outDir!, name, out, assets))
        : [];
    return finish(book, out, pagesOf, outputs);
  } finally {
    // Fetched remote images live in a temporary folder until every output is written.
    await remote?.dispose();
  }
}

/** Page operations get more time for bigger books. */
function timeoutFor(book: Book): number {
  const size = book.chapters.reduce((n, c) => n + c.html.length, 0);
  return 60_000 + Math.ceil(size / 10_000) * 1_000;
}

function orderChapters(
  pages: Parameters<typeof buildNavTree>[0],
  site: SiteConfig,
  root: string | undefined,
  diags: Diagnostics,
): Chapter[] {
  const tree = buildNavTree(pages, site, diags);
  if (root === undefined) return flattenTree(tree);
  const { node, matches } = selectRoot(tree, root);
  if (!node) {
    diags.error(
      'root/not-found',
      matches === 0
        ? `--root "${root}" matches no page title or source path in the navigation`
        : `--root "${root}" matches ${matches} pages; give the source path instead`,
    );
    return [];
  }
  return flattenTree([node]);
}

function bookTitle(site: SiteConfig, root: string | undefined, chapters: readonly Chapter[]): string {
  const bookbinder = site.data.bookbinder;
  if (
    bookbinder &&
    typeof bookbinder === 'object' &&
    'title' in bookbinder &&
    typeof bookbinder.title === 'string'
  )
    return bookbinder.title;
  if (root !== undefined && chapters[0]) return chapters[0].title;
  return site.title || chapters[0]?.title || 'Untitled book';
}

function renderAll(
  chapters: readonly Chapter[],
  pages: Parameters<typeof buildLinkIndex>[1],
  site: SiteConfig,
  root: string,
  diags: Diagnostics,
  allowRemote: boolean,
): { chapters: RenderedChapter[]; assets: Map<string, string> } {
  const md = createMarkdown();
  const index = buildLinkIndex(chapters, pages);
  const usedIds = new Set<string>([
    'bb-title-page',
    'bb-contents',
    'bb-contents-title',
    ...chapters.map((c) => c.id),
  ]);
  const allAssets = new Map<string, string>();
  const out = chapters.map((chapter) => {
    const assets = new Map<string, Asset>();
    const resolveRef = makeResolver({ chapter, index, site, root, diags, assets, allowRemote });
    const r = renderOrKeepText(md, chapter, { usedIds, resolveRef }, diags);
    const safe = sanitizeChapter(chapter.page, r.html, r.styles, diags, { allowRemote });
    for (const a of assets.values()) allAssets.set(a.source, a.absPath);
    return {
      chapter,
      html: safe.html,
      headings: r.headings,
      styles: safe.styles,
      assets: [...assets.values()],
      anchors: r.anchors,
    };
  });
  return { chapters: out, assets: allAssets };
}

/** Renders a chapter; a page nested too deeply to parse is kept as plain text, never lost. */
function renderOrKeepText(
  md: ReturnType<typeof createMarkdown>,
  chapter: Chapter,
  ctx: Parameters<typeof renderChapter>[2],
  diags: Diagnostics,
): ReturnType<typeof renderChapter> {
  try {
    return renderChapter(md, chapter, ctx);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    diags.warn(
      'markdown/too-deep',
      'the page nests lists, quotes or HTML too deeply to parse; it is included as plain text',
      chapter.page.source,
      chapter.page.bodyLine,
    );
    return {
      html: `<pre class="unparsed">${escapeHtml(chapter.page.body)}</pre>\n`,
      headings: [],
      styles: [],
      anchors: {},
    };
  }
}

async function writeOutputs(
  outDir: string,
  name: string,
  out: { pdf?: Uint8Array; epub?: Uint8Array; html?: string },
  assets: ReadonlyMap<string, string>,
): Promise<string[]> {
  const written: string[] = [];
  await mkdir(outDir, { recursive: true });
  if (out.html !== undefined) {
    for (const [source, abs] of assets) {
      const target = join(outDir, assetsFolder(name), source);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(abs, target);
    }
    await writeAtomic(join(outDir, `${name}.html`), out.html);
    written.push(join(outDir, `${name}.html`));
  }
  if (out.epub) {
    await writeAtomic(join(outDir, `${name}.epub`), out.epub);
    written.push(join(outDir, `${name}.epub`));
  }
  if (out.pdf) {
    await writeAtomic(join(outDir, `${name}.pdf`), out.pdf);
    written.push(join(outDir, `${name}.pdf`));
  }
  return written;
}

function result(
  diags: Diagnostics,
  strict: boolean,
  book: Book | undefined,
  out: Partial<Pick<BuildResult, 'pdf' | 'epub' | 'html'>>,
  pages: ReadonlyMap<string, ChapterPage> | undefined,
  outputs: string[],
  timings: Record<string, number>,
): BuildResult {
  const all = sortDiagnostics(strict ? strictify(diags.list()) : diags.list());
  const strip = (d: Diagnostic): ReportDiagnostic => ({
    file: d.file,
    line: d.line,
    code: d.code,
    message: d.message,
  });
  const chapters: ChapterReport[] = (book?.chapters ?? []).map(({ chapter }) => {
    const p = pages?.get(chapter.id);
    return {
      title: chapter.title,
      source: chapter.page.source,
      depth: chapter.depth,
      id: chapter.id,
      ...(p && { page: p.page, pageLabel: p.pageLabel }),
    };
  });
  const errors = all.filter((d) => d.severity === 'error');
  return {
    ...out,
    report: {
      chapters,
      warnings: all.filter((d) => d.severity === 'warning').map(strip),
      errors: errors.map(strip),
      infos: all.filter((d) => d.severity === 'info').map(strip),
      outputs,
      timings,
    },
    diagnostics: all,
    ok: errors.length === 0,
  };
}
