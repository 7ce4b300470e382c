/**
 * The orchestrator: reads as the list of stages. Load the site, order its pages, render each
 * once, compose, then write the outputs. It stops before the browser when the input has errors.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Browser } from 'puppeteer';
import { BrowserNotFoundError } from './browser/launch.js';
import { withSharedBrowser } from './browser/pool.js';
import { buildLinkIndex, checkFragments, type FragmentRef, makeResolver } from './compose/resolve.js';
import { fetchRemoteImages } from './compose/remote.js';
import { sanitizeChapter, sanitizeSvgFile } from './compose/sanitize.js';
import { bookHasDiagrams, drawDiagrams } from './diagrams/draw.js';
import { readMermaidConfig } from './diagrams/site-config.js';
import { checkThemeOverrides } from './compose/stitch.js';
import { type JekyllConfigFile, readJekyllConfig } from './config/jekyll-file.js';
import { loadSiteConfig } from './config/site.js';
import { loadTheme } from './config/theme.js';
import { type Diagnostic, Diagnostics, sortDiagnostics, strictify } from './diagnostics.js';
import { liquidStage } from './liquid/stage.js';
import { calloutsOf } from './markdown/callouts.js';
import { createMarkdown, escapeHtml, renderChapterAsync } from './markdown/render.js';
import type { Asset, Book, Chapter, Page, RenderedChapter, SiteConfig } from './model.js';
import { type CachedRender, chapterKey, hashParts, linkIndexKey, type RenderCache } from './render-cache.js';
import type { ProgressEvent } from './progress.js';
import { renderEpub, startCover } from './output/epub.js';
import type { CoverJob } from './output/epub/cover.js';
import { assetsFolder, renderHtml } from './output/html.js';
import type { PrintCache } from './output/pdf/cache.js';
import type { ChapterPage, PdfOptions, PdfResult } from './output/pdf/render.js';
import { refuseOutputDir } from './output/where.js';
import { OutputBatch, removeStaleTemporaries, targetOf } from './output/write.js';
import { ticker } from './ticker.js';
import { z } from 'zod';
import { type LoadedCollection, loadCollections, readCollections } from './source/collections.js';
import { loadPages } from './source/load.js';
import { readSiteText } from './source/site-files.js';
import { buildBookTree, flattenTree, type NavCollection, selectRoot } from './structure/nav.js';

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
  /** Overrides of what `_config.yml` says (a config file's `title`, `author`, …). */
  readonly site?: SiteOverrides;
  /** Config sections other modules read (`pdf`, `epub`), merged over `_config.yml`'s `bookbinder:`. */
  readonly sections?: Readonly<Record<string, unknown>>;
  /**
   * The source folder's `_config.yml` as the config stage (`loadConfig`) read and parsed it;
   * read here when absent (or when it belongs to another folder). Either way the file is read
   * and parsed once per build.
   */
  readonly jekyllConfig?: JekyllConfigFile;
  /** Stylesheet files added after the built-in styles. */
  readonly styles?: readonly string[];
  /** An HTML file replacing the title page template. */
  readonly titlePage?: string;
  /** Keeps rendered chapters between builds (preview): unchanged pages are not rendered again. */
  readonly renderCache?: RenderCache;
  /** Keeps printed PDF chunks between builds: chunks whose chapters did not change are not printed again. */
  readonly printCache?: PrintCache;
  /** Called as stages start and end and pages are rendered. */
  readonly onProgress?: (event: ProgressEvent) => void;
  /**
   * Cancels the build: long stages check it between steps, the browser is closed, nothing is
   * written, and `build` rejects with the signal's reason.
   */
  readonly signal?: AbortSignal;
}

/** Book metadata a config file may set over `_config.yml`. */
export interface SiteOverrides {
  readonly title?: string;
  readonly author?: readonly string[];
  readonly description?: string;
  readonly lang?: string;
  readonly jekyllVersion?: 3 | 4;
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
  /** The rendered book (absent when the source folder is missing), for previews and tools. */
  readonly book?: Book;
  /** The images the book uses: source path → absolute path. */
  readonly assets?: ReadonlyMap<string, string>;
}

class Timer {
  readonly timings: Record<string, number> = {};
  constructor(private readonly onProgress?: (event: ProgressEvent) => void) {}
  async time<T>(stage: string, fn: () => T | Promise<T>): Promise<T> {
    const start = performance.now();
    this.onProgress?.({ stage, phase: 'start' });
    try {
      return await fn();
    } finally {
      this.timings[stage] = Math.round(performance.now() - start) / 1000;
      this.onProgress?.({ stage, phase: 'end', seconds: this.timings[stage] });
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
  const invalid = invalidOptions(options);
  if (invalid) {
    const diags = new Diagnostics();
    diags.error('options/invalid', invalid);
    return result(diags, false, undefined, {}, undefined, [], {});
  }
  const timer = new Timer(options?.onProgress);
  const diags = new Diagnostics();
  const root = resolve(options.source);
  const formats = options.formats ?? FORMATS;
  const finish = (
    book: Book | undefined,
    out: Partial<Pick<BuildResult, 'pdf' | 'epub' | 'html'>>,
    pages?: ReadonlyMap<string, ChapterPage>,
    outputs: string[] = [],
  ): BuildResult => {
    seen.cover?.cancel(); // a cover drawn for an EPUB that is not made lets its thread go
    return {
      ...result(diags, options.strict === true, book, out, pages, outputs, timer.timings),
      ...(book && { book, assets: seen.assets }),
    };
  };
  const seen: { assets: Map<string, string>; cover?: CoverJob } = { assets: new Map<string, string>() };

  if (!existsSync(root) || !statSync(root).isDirectory()) {
    diags.error('source/missing', `source folder ${options.source} does not exist or is not a folder`);
    return finish(undefined, {});
  }
  // `_config.yml` is read and parsed here, once; every later stage works from this.
  const jekyll = options.jekyllConfig?.root === root ? options.jekyllConfig : readJekyllConfig(root);
  const refused = options.outDir !== undefined ? refuseOutputDir(root, options.outDir, jekyll) : undefined;
  if (refused) {
    diags.error('output/refused', refused);
    return finish(undefined, {});
  }
  // Chromium starts while the pages are read and rendered; it gets the book when it is ready.
  const pdfJob = formats.includes('pdf') ? startPdf(options, diags) : undefined;
  try {
    return await buildBook(options, root, jekyll, timer, diags, finish, seen, pdfJob);
  } finally {
    seen.cover?.cancel(); // also when cancelled or failed: the drawing thread must not hold the process
    pdfJob?.cancel();
    await pdfJob?.result.catch(() => undefined);
  }
}

/**
 * The options a caller may give, checked at the boundary: the library is called from JavaScript
 * too, where nothing stops `source: null` or `formats: ['docx']`. Other fields pass unchecked.
 */
const OptionsSchema = z.looseObject({
  source: z.string().min(1),
  outDir: z.string().min(1).optional(),
  formats: z.array(z.enum(FORMATS)).optional(),
  name: z
    .string()
    .regex(/^[^/\\\0]+$/)
    .refine((n) => n !== '.' && n !== '..')
    .optional(),
  root: z.string().optional(),
  strict: z.boolean().optional(),
  sourceDateEpoch: z.number().int().nonnegative().optional(),
  allowRemote: z.boolean().optional(),
  styles: z.array(z.string()).optional(),
  titlePage: z.string().optional(),
  onProgress: z.function().optional(),
});

/** Why the options cannot be used, or undefined when they can. */
function invalidOptions(options: unknown): string | undefined {
  const parsed = OptionsSchema.safeParse(options);
  if (parsed.success) return undefined;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`);
  return `invalid build options: ${issues.join('; ')} (formats are ${FORMATS.join(', ')})`;
}

/** A PDF being made: the browser is launched at once; the book follows. */
interface PdfJob {
  readonly start: (book: Book, pdf: Omit<PdfOptions, 'onPrinting'>) => void;
  /** No PDF after all (the input has errors): the job ends without printing. */
  readonly cancel: () => void;
  /** Resolves once the chunks are being printed (or the job is over). */
  readonly printing: Promise<void>;
  readonly result: Promise<PdfResult | undefined>;
}

function startPdf(options: BuildOptions, diags: Diagnostics): PdfJob {
  let give!: (job: { book: Book; pdf: Omit<PdfOptions, 'onPrinting'> } | undefined) => void;
  const given = new Promise<{ book: Book; pdf: Omit<PdfOptions, 'onPrinting'> } | undefined>((r) => {
    give = r;
  });
  let printingNow!: () => void;
  const printing = new Promise<void>((r) => {
    printingNow = r;
  });
  // The book is stitched and cut into chunks while Chromium starts.
  const prepared = given.then(async (job) => {
    if (!job) return undefined;
    // Loaded here: the PDF modules (pdf-lib, fontkit) cost an EPUB- or HTML-only build time.
    const { preparePdf } = await import('./output/pdf/render.js');
    return preparePdf(job.book, { ...job.pdf, onPrinting: printingNow }, diags);
  });
  prepared.catch(() => undefined);
  const print = async (browser: Browser): Promise<PdfResult | undefined> => {
    const job = await given;
    if (!job) return undefined;
    // The pages open while the book is stitched.
    const { openPdfPrinter } = await import('./output/pdf/printing.js');
    const made = openPdfPrinter(browser, job.pdf);
    const book = await prepared.catch(async (e: unknown) => {
      await made.printer.close();
      throw e;
    });
    if (book) return book.print(browser, made);
    await made.printer.close();
    return undefined;
  };
  const retried = (e: unknown) =>
    diags.info(
      'browser/retried',
      `Chromium crashed while printing (${e instanceof Error ? e.message : String(e)}); printed again with a fresh browser`,
    );
  const result = (options.browser ? print(options.browser) : withSharedBrowser(print, retried)).finally(
    printingNow,
  );
  // Awaited by the build; a failure before that must not become an unhandled rejection.
  result.catch(() => undefined);
  return {
    start: (book, pdf) => give({ book, pdf }),
    cancel: () => give(undefined),
    printing,
    result,
  };
}

async function buildBook(
  options: BuildOptions,
  root: string,
  jekyll: JekyllConfigFile,
  timer: Timer,
  diags: Diagnostics,
  finish: (
    book: Book | undefined,
    out: Partial<Pick<BuildResult, 'pdf' | 'epub' | 'html'>>,
    pages?: ReadonlyMap<string, ChapterPage>,
    outputs?: string[],
  ) => BuildResult,
  seen: { assets: Map<string, string>; cover?: CoverJob },
  pdfJob: PdfJob | undefined,
): Promise<BuildResult> {
  const formats = options.formats ?? FORMATS;
  const name = options.name ?? 'book';
  const site = await timer.time('config', () => withOverrides(loadSiteConfig(root, diags, jekyll), options));
  const { pages, collections } = await timer.time('load', () => loadSite(root, site, diags));
  if (pages.length === 0)
    diags.error(
      'source/empty',
      `no pages found in ${options.source} (a page is a .md file that starts with front matter)`,
    );
  const chapters = await timer.time('order', () =>
    orderChapters(pages, collections, site, options.root, diags),
  );
  if (chapters.length === 0 && pages.length > 0 && !diags.hasErrors)
    diags.error('nav/empty', 'no page of the site is in the navigation, so the book would be empty');
  const title = options.site?.title ?? bookTitle(site, options.root, chapters);
  // The EPUB's generated cover is drawn on another thread while the pages render.
  const cover = formats.includes('epub') && !diags.hasErrors ? startCover(site, title) : undefined;
  seen.cover = cover;
  const liquid = await timer.time('liquid', () =>
    liquidStage(chapters, { pages, site, root }, diags, options.signal),
  );
  const rendered = await timer.time('render', () => renderAll(liquid, pages, site, root, diags, options));
  const drawn = bookHasDiagrams(rendered.chapters)
    ? await timer.time('diagrams', () => drawBookDiagrams(rendered.chapters, root, options, diags))
    : rendered.chapters;
  const remote =
    options.allowRemote && !diags.hasErrors
      ? await timer.time('remote', () => fetchRemoteImages(drawn, diags))
      : undefined;
  const assets = new Map([...rendered.assets, ...(remote?.assets ?? [])]);
  seen.assets = assets;
  reportSvgFiles(assets, diags);
  const theme = loadTheme(options, root, diags);
  // The site's own book.css styles every output; its print.css only the PDF.
  checkThemeOverrides(root, diags);
  const bookCss = readSiteText(root, 'styles/book.css');
  const book: Book = {
    site: { ...site, title },
    title,
    chapters: remote?.chapters ?? drawn,
    ...((theme || 'content' in bookCss) && {
      theme: { css: [], ...theme, ...('content' in bookCss && { bookCss: bookCss.content }) },
    }),
  };
  if (fails(diags, options.strict === true)) {
    await remote?.dispose();
    return finish(book, {});
  }
  try {
    const out: { pdf?: Uint8Array; epub?: Uint8Array; html?: string } = {};
    const epoch = epochFrom(options);
    if (formats.includes('html')) out.html = await timer.time('html', () => renderHtml(book, name));
    // The PDF's chunks print in Chromium while the EPUB is made here.
    pdfJob?.start(book, {
      assets,
      timeoutMs: timeoutFor(book),
      themeDir: root,
      ...(options.printCache && { printCache: options.printCache }),
      ...(epoch !== undefined && { sourceDateEpoch: epoch }),
      ...(options.signal && { signal: options.signal }),
    });
    const pdfStart = performance.now();
    if (pdfJob) options.onProgress?.({ stage: 'pdf', phase: 'start' });
    await pdfJob?.printing;
    if (formats.includes('epub')) {
      out.epub = await timer.time('epub', () =>
        renderEpub(
          book,
          {
            assets,
            root,
            ...(epoch !== undefined && { sourceDateEpoch: epoch }),
            ...(cover && { cover }),
            ...(options.signal && { signal: options.signal }),
          },
          diags,
        ),
      );
    }
    let pagesOf: ReadonlyMap<string, ChapterPage> | undefined;
    if (pdfJob) {
      try {
        const pdf = await pdfJob.result;
        timer.timings.pdf = Math.round(performance.now() - pdfStart) / 1000;
        options.onProgress?.({ stage: 'pdf', phase: 'end', seconds: timer.timings.pdf });
        if (pdf) {
          out.pdf = pdf.pdf;
          pagesOf = pdf.pages;
          for (const [step, seconds] of Object.entries(pdf.timings)) timer.timings[`pdf.${step}`] = seconds;
        }
      } catch (e) {
        if (!(e instanceof BrowserNotFoundError)) throw e;
        diags.error('browser/not-found', e.message);
      }
    }
    // Decided before anything is written: with --strict a warning of an output stage (the
    // EPUB's, the PDF's) fails the build, and a failed build writes nothing.
    const outputs =
      options.outDir && !fails(diags, options.strict === true)
        ? await timer.time('write', () =>
            writeOrReport(options.outDir!, name, out, assets, diags, options.signal),
          )
        : [];
    return finish(book, out, pagesOf, outputs);
  } finally {
    // Fetched remote images live in a temporary folder until every output is written.
    await remote?.dispose();
  }
}

/** Whether the build has failed so far: an error, or a warning under `strict`. */
function fails(diags: Diagnostics, strict: boolean): boolean {
  return diags.hasErrors || (strict && diags.list().some((d) => d.severity === 'warning'));
}

/** The chapters with their diagrams drawn, in the caller's browser or the shared one. */
async function drawBookDiagrams(
  chapters: readonly RenderedChapter[],
  root: string,
  options: BuildOptions,
  diags: Diagnostics,
): Promise<RenderedChapter[]> {
  const siteConfig = readMermaidConfig(root, diags);
  const drawn = await drawDiagrams(
    chapters,
    {
      ...(siteConfig && { siteConfig }),
      ...(options.browser && { browser: options.browser }),
      ...(options.signal && { signal: options.signal }),
    },
    diags,
  );
  return drawn.chapters;
}

/** Says what the sanitiser takes out of each SVG image file (every output ships it without). */
function reportSvgFiles(assets: ReadonlyMap<string, string>, diags: Diagnostics): void {
  for (const [source, abs] of assets) {
    if (!/\.svg$/i.test(abs)) continue;
    let removed: readonly string[];
    try {
      removed = sanitizeSvgFile(readFileSync(abs, 'utf8')).removed;
    } catch {
      continue;
    }
    if (removed.length > 0)
      diags.warn(
        'image/svg-sanitized',
        `removed ${removed.slice(0, 5).join(', ')}${removed.length > 5 ? ', ...' : ''} from the SVG image (it is untrusted: nothing in it may run code or fetch from elsewhere)`,
        source,
        0,
      );
  }
}

/** Page operations get more time for bigger books. */
function timeoutFor(book: Book): number {
  const size = book.chapters.reduce((n, c) => n + c.html.length, 0);
  return 60_000 + Math.ceil(size / 10_000) * 1_000;
}

/**
 * Reads the site's pages and the documents of its collections. `pages` holds both (links and
 * Liquid reach documents as they reach pages); `collections` says which documents are in which
 * collection, in the navigation's order.
 */
function loadSite(
  root: string,
  site: SiteConfig,
  diags: Diagnostics,
): { pages: Page[]; collections: LoadedCollection[] } {
  const pages = loadPages(root, site, diags);
  const collections = loadCollections(root, readCollections(root, site, diags), site, diags);
  return { pages: [...pages, ...collections.flatMap((c) => c.docs)], collections };
}

function orderChapters(
  all: readonly Page[],
  collections: readonly LoadedCollection[],
  site: SiteConfig,
  root: string | undefined,
  diags: Diagnostics,
): Chapter[] {
  const listed: NavCollection[] = [];
  for (const c of collections) {
    if (!c.nav) {
      if (c.docs.length > 0)
        diags.info(
          'collection/not-in-nav',
          `the collection "${c.label}" is not listed under \`just_the_docs: collections:\`, so its ${c.docs.length} document(s) are not in the navigation nor in the book`,
          '_config.yml',
          1,
        );
      continue;
    }
    listed.push({ ...c, nav: c.nav });
  }
  const pages = all.filter((p) => p.collection === undefined);
  const tree = buildBookTree(pages, listed, site, diags);
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

/** Applies a config file's metadata and sections over what `_config.yml` said. */
function withOverrides(site: SiteConfig, options: BuildOptions): SiteConfig {
  const o = options.site ?? {};
  const own = site.data.bookbinder;
  const bookbinder = own !== null && typeof own === 'object' && !Array.isArray(own) ? own : {};
  return {
    ...site,
    ...(o.title !== undefined && { title: o.title }),
    ...(o.author !== undefined && { author: o.author }),
    ...(o.description !== undefined && { description: o.description }),
    ...(o.lang !== undefined && { lang: o.lang }),
    ...(o.jekyllVersion !== undefined && { jekyllVersion: o.jekyllVersion }),
    ...(options.sections && { data: { ...site.data, bookbinder: { ...bookbinder, ...options.sections } } }),
  };
}

async function renderAll(
  chapters: readonly Chapter[],
  pages: Parameters<typeof buildLinkIndex>[1],
  site: SiteConfig,
  root: string,
  diags: Diagnostics,
  options: BuildOptions,
): Promise<{ chapters: RenderedChapter[]; assets: Map<string, string> }> {
  const cache = options.renderCache;
  cache?.begin();
  const mermaid = mermaidEnabled(site);
  const md = createMarkdown({ callouts: calloutsOf(site.data, diags), mermaid });
  // `bookbinder: { chapter_toc: false }` in _config.yml drops the pages' own `{:toc}` lists.
  const bb = site.data.bookbinder;
  const chapterToc = !(bb && typeof bb === 'object' && 'chapter_toc' in bb && bb.chapter_toc === false);
  const index = buildLinkIndex(chapters, pages);
  const usedIds = new IdSet();
  for (const id of ['bb-title-page', 'bb-contents', 'bb-contents-title', ...chapters.map((c) => c.id)])
    usedIds.add(id);
  const allAssets = new Map<string, string>();
  const allowRemote = options.allowRemote === true;
  const fragments: FragmentRef[] = [];
  const indexKey = cache ? linkIndexKey(chapters, pages, site) : '';
  let chain = cache ? hashParts([...usedIds, String(chapterToc), String(allowRemote), String(mermaid)]) : '';
  // Chromium starts meanwhile, and its replies are read on this thread: let them through.
  const tick = ticker(8, options.signal);
  const out: RenderedChapter[] = [];
  for (const [i, chapter] of chapters.entries()) {
    const key = cache ? chapterKey(chain, indexKey, chapter) : '';
    const r =
      cache?.get(key) ??
      (await renderFresh(md, chapter, { index, site, root, usedIds, chapterToc, allowRemote }, tick));
    if (cache) {
      cache.set(key, r);
      for (const id of r.claimed) usedIds.add(id);
      chain = hashParts([chain, ...r.claimed]);
    }
    for (const d of r.diagnostics) diags.add(d.severity, d.code, d.message, d.file, d.line);
    for (const a of r.assets) allAssets.set(a.source, a.absPath);
    fragments.push(...r.fragments);
    options.onProgress?.({ stage: 'render', phase: 'step', done: i + 1, total: chapters.length });
    out.push({
      chapter,
      html: r.html,
      headings: r.headings,
      styles: r.styles,
      assets: r.assets,
      anchors: r.anchors,
      ...(r.pageTitle !== undefined && { pageTitle: r.pageTitle }),
    });
    await tick();
  }
  cache?.end();
  checkFragments(fragments, out, diags);
  return { chapters: out, assets: allAssets };
}

/**
 * Whether `mermaid` fences are diagrams: the site sets `mermaid:` in `_config.yml`, which is what
 * makes just-the-docs load mermaid (Liquid's truth: anything but nil and false).
 */
function mermaidEnabled(site: SiteConfig): boolean {
  const m = site.data.mermaid;
  return m !== undefined && m !== null && m !== false;
}

/**
 * Renders one chapter, collecting what a cache needs to replay it: ids claimed, diagnostics.
 * `tick` lets the event loop run (and a cancellation through) between its two long passes.
 */
async function renderFresh(
  md: ReturnType<typeof createMarkdown>,
  chapter: Chapter,
  ctx: {
    index: ReturnType<typeof buildLinkIndex>;
    site: SiteConfig;
    root: string;
    usedIds: IdSet;
    chapterToc: boolean;
    allowRemote: boolean;
  },
  tick: () => Promise<void>,
): Promise<CachedRender> {
  const local = new Diagnostics();
  const { source, bodyLine } = chapter.page;
  const warn = (code: string, message: string, line: number) =>
    local.warn(code, message, source, bodyLine + line);
  const assets = new Map<string, Asset>();
  // Ids are only ever added, in order: the new ones come last.
  const before = ctx.usedIds.size;
  const fragments: FragmentRef[] = [];
  const { chapterToc, allowRemote, ...resolveCtx } = ctx;
  const resolveRef = makeResolver({ ...resolveCtx, chapter, diags: local, assets, fragments, allowRemote });
  const r = await renderOrKeepText(
    md,
    chapter,
    { usedIds: ctx.usedIds, resolveRef, warn, chapterToc, sourceLines: true },
    local,
    tick,
  );
  await tick();
  const safe = sanitizeChapter(chapter.page, r.html, r.styles, local, { allowRemote });
  return {
    html: safe.html,
    headings: r.headings,
    styles: safe.styles,
    anchors: r.anchors,
    ...(r.pageTitle !== undefined && { pageTitle: r.pageTitle }),
    assets: [...assets.values()],
    claimed: idsAfter(ctx.usedIds, before),
    diagnostics: local.list(),
    fragments,
  };
}

/**
 * The book's ids, which also keeps them in a list in the order they came: what a chapter added
 * is a slice of it. (Walking the set from its start for each chapter cost O(ids × chapters):
 * 0.2 s of a 10,000-page site.) Create empty, then add: the list starts after `super()`.
 */
class IdSet extends Set<string> {
  readonly order: string[] = [];
  override add(id: string): this {
    if (!this.has(id)) this.order.push(id);
    return super.add(id);
  }
}

/** The ids added to a set after its first `count`. */
function idsAfter(ids: IdSet, count: number): string[] {
  return ids.order.slice(count);
}

/** Renders a chapter; a page nested too deeply to parse is kept as plain text, never lost. */
async function renderOrKeepText(
  md: ReturnType<typeof createMarkdown>,
  chapter: Chapter,
  ctx: Parameters<typeof renderChapterAsync>[2],
  diags: Diagnostics,
  tick: () => Promise<void>,
): Promise<Awaited<ReturnType<typeof renderChapterAsync>>> {
  try {
    return await renderChapterAsync(md, chapter, ctx, tick);
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

/**
 * Writes the outputs; a failure of the disk (a file where the folder should be, no permission,
 * a full disk) is an `output/write-failed` error naming the path, not a throw.
 */
async function writeOrReport(
  outDir: string,
  name: string,
  out: { pdf?: Uint8Array; epub?: Uint8Array; html?: string },
  assets: ReadonlyMap<string, string>,
  diags: Diagnostics,
  signal?: AbortSignal,
): Promise<string[]> {
  try {
    return await writeOutputs(outDir, name, out, assets, signal);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err.code !== 'string') throw e;
    const why: Record<string, string> = {
      ENOTDIR: 'a file is where a folder should be',
      EEXIST: 'a file is where a folder should be',
      EACCES: 'permission denied',
      EPERM: 'permission denied',
      EROFS: 'the file system is read-only',
      ENOSPC: 'the disk is full',
      EDQUOT: 'the disk quota is exceeded',
      EISDIR: 'a folder is where the file should be',
    };
    diags.error(
      'output/write-failed',
      `cannot write to ${err.path ? targetOf(err.path) : outDir}: ${why[err.code] ?? err.message} (${err.code})`,
    );
    return [];
  }
}

/**
 * Writes every output as a temporary in the output folder, then renames them all into place:
 * a failure (a full disk) or a cancellation before the renames leaves the previous outputs as
 * they were and no temporary behind.
 */
async function writeOutputs(
  outDir: string,
  name: string,
  out: { pdf?: Uint8Array; epub?: Uint8Array; html?: string },
  assets: ReadonlyMap<string, string>,
  signal?: AbortSignal,
): Promise<string[]> {
  // What a killed build of any format left goes, whichever formats this one makes.
  for (const file of [`${name}.html`, assetsFolder(name), `${name}.epub`, `${name}.pdf`])
    removeStaleTemporaries(join(outDir, file));
  const batch = new OutputBatch(outDir);
  try {
    // A book without images gets no images folder, unless one of an earlier build must go.
    const images =
      out.html !== undefined && (assets.size > 0 || existsSync(join(outDir, assetsFolder(name))));
    if (images) {
      await batch.folder(assetsFolder(name), async (dir) => {
        for (const [source, abs] of assets) {
          signal?.throwIfAborted();
          const target = join(dir, source);
          await mkdir(dirname(target), { recursive: true });
          // An SVG image is a document: the HTML book ships it sanitised, like inline SVG.
          if (/\.svg$/i.test(abs)) await writeFile(target, sanitizeSvgFile(await readFile(abs, 'utf8')).svg);
          else await copyFile(abs, target);
        }
      });
    }
    if (out.html !== undefined) await batch.file(`${name}.html`, out.html);
    if (out.epub) await batch.file(`${name}.epub`, out.epub);
    if (out.pdf) await batch.file(`${name}.pdf`, out.pdf);
    signal?.throwIfAborted();
    return await batch.commit();
  } finally {
    await batch.discard();
  }
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
