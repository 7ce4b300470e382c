/**
 * The print PDF: the stitched book laid out by headless Chromium in chunks of whole chapters,
 * printed in parallel, then the front matter with the page numbers those chunks gave. The parts
 * are joined byte for byte (`raw/`, keeping the tagged structure) with the running heads and
 * folios laid over the pages, the page labels, the bookmarks from the book's tree and the
 * metadata, reproducibly.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Browser, Page } from 'puppeteer';
import { type PdfConfig, readPdfConfig } from '../../config/pdf.js';
import type { ReferenceStyle } from '../../compose/finalize.js';
import { hyphenateHtmlCached, hyphenatorFor, keepWhole } from '../../compose/hyphenate.js';
import { BLANK_PAGE, destinationLinks, TITLE_VERSO } from '../../compose/print.js';
import { contentsHtml, type PrintOptions, stitchParts } from '../../compose/stitch.js';
import type { Diagnostics } from '../../diagnostics.js';
import type { Book } from '../../model.js';
import { type FontProblem, fontPreloads } from '../../fonts/bundled.js';
import { EMPTY_SHARE, type FigureScale, figureScales, figureStyle } from './figures.js';
import {
  checkLayout,
  FIGURE_ID_PREFIX,
  type LayoutReport,
  NO_SHRINK_CSS,
  reportLayout,
  TALL_FIGURE,
  textBlockHeight,
  textBlockWidth,
} from './layout.js';
import { katexHead, katexHtml } from './math.js';
import { fontProblemReporter, reportMissingGlyphs } from './glyphs.js';
import { cores, openPdfPrinter, type PdfPrinter } from './printing.js';
import type { RunningHeads } from './heads.js';
import { bookMetadata } from './metadata.js';
import { outlineDestinations, outlineTree } from './outline.js';
import { type PageInfo, planPages } from './pages.js';
import {
  chunkRanges,
  chunkTarget,
  definedIds,
  linkTargets,
  planChunks,
  rewriteCrossLinks,
  unescapeAttr,
} from './chunks.js';
import type { PrintCache } from './cache.js';
import { dropSoftHyphenText } from './text.js';
import { type HyphenTurn, HyphenTurnFinder, type TurnWord, turnWords } from './turns.js';
import { isEmptyRawPage, pageSize, type RawPart, readPart } from './raw/part.js';
import { type JoinPart, type JoinPlan, planJoin, writeJoin } from './raw/join.js';

/** Where each chapter starts in the PDF. */
export interface ChapterPage {
  /** 1-based page index in the file. */
  readonly page: number;
  /** The page number printed on that page. */
  readonly pageLabel: string;
}

/** The PDF and where its chapters start. */
export interface PdfResult {
  readonly pdf: Uint8Array;
  readonly pages: ReadonlyMap<string, ChapterPage>;
  /** Seconds spent in each step: stitch, print (the chunks), front, merge, finish. */
  readonly timings: Readonly<Record<string, number>>;
}

/** PDF options. */
export interface PdfOptions {
  readonly assets: ReadonlyMap<string, string>;
  /** Seconds since the epoch for dates (`SOURCE_DATE_EPOCH`), or undefined for now. */
  readonly sourceDateEpoch?: number;
  readonly timeoutMs: number;
  /** The source folder: its `templates/` and `styles/` override ours. */
  readonly themeDir?: string;
  /** Chunk size aimed at, in HTML characters (default: from the book's size, see {@link chunkTarget}). */
  readonly chunkTarget?: number;
  /** Pages printing at once (default: `BOOKBINDER_PDF_PAGES`, or one per core, at most four). */
  readonly concurrency?: number;
  /** Printed chunks from earlier builds (preview). */
  readonly printCache?: PrintCache;
  /** Called once the chunks are handed to Chromium (other work can then run here). */
  readonly onPrinting?: () => void;
  /** Cancels the print: checked before each chunk is built and after it is printed. */
  readonly signal?: AbortSignal;
}

const printStyle = (assetPaths: ReadonlyMap<string, string>): ReferenceStyle => ({
  chapterHref: (chapterId, bookId) => `#${bookId ?? chapterId}`,
  assetUrl: (source) => (assetPaths.has(source) ? `/src/${encodeURI(source)}` : source),
});

/**
 * The document as the print page gets it. Its screen rendering is switched off, so Chromium
 * lays the book out once, for print, instead of first for the screen (which cost as much again
 * as the print itself); the fonts that layout would have fetched are preloaded instead.
 */
function printOnly(html: string, problem: FontProblem): string {
  const at = html.indexOf('</head>');
  if (at === -1) return html;
  const head = `${fontPreloads(html, problem)}${katexHead(html)}<style>@media screen{body{display:none}}${NO_SHRINK_CSS}</style>`;
  return html.slice(0, at) + head + html.slice(at);
}

/** The date on the title page, in the book's language: fixed text, the epoch's day, or today. */
function titleDate(cfg: PdfConfig, lang: string, epoch: number | undefined): string {
  if (cfg.noDate) return '';
  if (cfg.date !== undefined) return cfg.date;
  const date = epoch === undefined ? new Date() : new Date(epoch * 1000);
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  } catch {
    return date.toISOString().slice(0, 10);
  }
}

/** How a chunk was (or must be) printed: on which hand its first page is, blank pages inside. */
export interface Variant {
  /** Its first page is a left-hand page (two-sided books). */
  readonly verso: boolean;
  /** Chapters with a blank page before them, inside the chunk. */
  readonly blanks: ReadonlySet<number>;
}

/** A printed part: the read PDF and where its chapters start (1-based, within the part). */
interface Printed {
  readonly part: RawPart;
  readonly pages: number;
  readonly starts: ReadonlyMap<string, number>;
  /** Words its pages break across a page turn. */
  readonly turns: readonly HyphenTurn[];
  /** Figures it left most of the page before empty for, and the scales that fit them there. */
  readonly figures: readonly FigureScale[];
  /** Its print cache key, when a cache is used. */
  readonly key?: string;
}

/**
 * How many times a chunk is printed again with the words it hyphenated across a page turn kept
 * whole (each time may break another word of the chapters that moved).
 */
const TURN_REPRINTS = 3;

/**
 * Prints the book. The body is cut into chunks of whole chapters that Chromium lays out in
 * parallel pages; their page counts give every chapter's page number, so the front matter
 * (title page and contents, with those numbers) is printed last, once. The join keeps the
 * tagged structure and resolves the links between the parts. In a two-sided book a
 * chunk that must start on a left-hand page, or needs blank pages so that its top-level
 * chapters open on the right, is printed again with those: page counts do not change, since
 * inner and outer margins only swap.
 */
export async function renderPdf(
  browser: Browser,
  book: Book,
  opts: PdfOptions,
  diags: Diagnostics,
): Promise<PdfResult> {
  return preparePdf(book, opts, diags).print(browser);
}

/** A book stitched and cut into chunks, ready to print (again, if a browser crashed). */
export interface PreparedPdf {
  /** Prints it, on `made`'s pages if given (which it then closes). */
  print(browser: Browser, made?: PdfPrinter): Promise<PdfResult>;
}

/**
 * The part of {@link renderPdf} that needs no browser (settings, the stitched book, its chunks
 * and their links), so that it runs while Chromium starts.
 */
export function preparePdf(book: Book, opts: PdfOptions, diags: Diagnostics): PreparedPdf {
  const stitchStart = performance.now();
  // `_config.yml` was read once by the config stage; its text gives a bad value's line.
  const cfg = readPdfConfig(book.site.data, diags, book.site.configText);
  const fontProblem = fontProblemReporter(diags);
  reportMissingGlyphs(book, diags, fontProblem);
  const style = printStyle(opts.assets);
  const tree = outlineTree(book.chapters);
  const words = cfg.hyphenate ? hyphenatorFor(book.site.lang) : undefined;
  if (cfg.hyphenate && !words)
    diags.info(
      'pdf/no-hyphenation',
      `no hyphenation patterns for language "${book.site.lang}"; text is not hyphenated`,
    );
  // Chapters are hyphenated as their chunk is built, so the first chunks print sooner.
  const hyphenate = (html: string): string =>
    words ? hyphenateHtmlCached(html, book.site.lang, words) : html;
  const print: PrintOptions = {
    config: cfg,
    destinations: ['bb-contents'],
    date: titleDate(cfg, book.site.lang, opts.sourceDateEpoch),
  };
  const parts = stitchParts(book, {
    medium: 'print',
    style,
    ...(opts.themeDir !== undefined && { themeDir: opts.themeDir }),
    print,
  });
  const chapters = book.chapters;
  const ids = chapters.map((c) => c.chapter.id);
  const ranges = chunkRanges(
    planChunks(
      chapters.map((c, i) => ({ id: c.chapter.id, depth: c.chapter.depth, size: parts.chapters[i]!.length })),
      {
        target:
          opts.chunkTarget ??
          envChunkTarget() ??
          chunkTarget(
            parts.chapters.reduce((n, c) => n + c.length, 0),
            cores(),
          ),
        topLevelOnly: cfg.twoSided,
      },
    ),
    chapters.length,
  );
  // Which document defines which id, and which ids other documents link to.
  const frontPlaceholder = `${parts.titlePage}\n${parts.toc}`;
  const bodies = ranges.map(([from, to]) => parts.chapters.slice(from, to));
  const docs = [frontPlaceholder, ...bodies.map((b) => b.join('\n'))];
  const definedBy = docs.map(definedIds);
  const outlineIds = new Set(outlineDestinations(tree));
  const targets = linkTargets(docs, definedBy);
  const known = (id: string): boolean => definedBy.some((set) => set.has(id));
  const stitched = Math.round(performance.now() - stitchStart) / 1000;
  return { print: (browser, made) => printPrepared(browser, made) };

  async function printPrepared(browser: Browser, made?: PdfPrinter): Promise<PdfResult> {
    const timings: Record<string, number> = { stitch: stitched };
    const clock = (name: string, since: number): void => {
      timings[name] = Math.round(performance.now() - since) / 1000;
    };
    let t = performance.now();

    // The running heads' titles are laid out while the pages print, once a page's width is known.
    // Loaded meanwhile, not at start: pdf-lib and fontkit are only needed for the heads' fonts.
    const headsReady = import('./heads.js').then((m) => ({
      drawableHead: m.drawableHead,
      heads: new m.RunningHeads(
        { bookTitle: book.title, chapterTitles: book.chapters.map((c) => c.chapter.title) },
        cfg,
        fontProblem,
      ),
    }));
    headsReady.catch(() => undefined);
    let warming: Promise<void> | undefined;
    const { printer, blocked } = made ?? openPdfPrinter(browser, opts);
    const layoutReports = new Map<number, LayoutReport>();
    const block = { top: cfg.top.pt, bottom: cfg.bottom.pt };
    // Per chunk: its figures set smaller to fit the rest of a page, by their number.
    const scales = new Map<number, Map<number, FigureScale>>();
    const blockWidth = textBlockWidth(cfg);
    const tallPx = TALL_FIGURE * textBlockHeight(cfg);
    // Summed over the pages printing at once: the layout check's share of the print.
    let layoutSeconds = 0;
    let reused = 0;
    /**
     * Prints a document built by `make` when a page is free (or found in the print cache). A
     * chunk of the body (`chunk`) is laid out and checked first; its findings replace those of
     * its earlier printing.
     */
    const printPart = async (make: () => string, chunk?: number): Promise<Printed> => {
      opts.signal?.throwIfAborted();
      let bytes: Uint8Array | undefined;
      const check =
        chunk === undefined
          ? undefined
          : async (page: Page): Promise<void> => {
              const start = performance.now();
              layoutReports.set(chunk, await checkLayout(page, blockWidth, tallPx));
              layoutSeconds += (performance.now() - start) / 1000;
            };
      let key: string | undefined;
      if (opts.printCache) {
        const html = make();
        key = createHash('sha256').update(html).digest('hex');
        bytes = opts.printCache.get(key);
        const known = opts.printCache.layout.get(key);
        if (bytes && (chunk === undefined || known)) {
          reused++;
          if (chunk !== undefined && known) layoutReports.set(chunk, known);
        } else {
          bytes = await printer.print(printOnly(html, fontProblem), check);
          opts.printCache.set(key, bytes);
          const found = chunk === undefined ? undefined : layoutReports.get(chunk);
          if (found) opts.printCache.layout.set(key, found);
        }
      } else
        bytes = await printer.print(() => {
          opts.signal?.throwIfAborted();
          return printOnly(make(), fontProblem);
        }, check);
      opts.signal?.throwIfAborted();
      // Read while other parts are still printing.
      const part = readPart(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
      const first = part.pages[0];
      if (first) warming ??= headsReady.then(({ heads }) => heads.warm(pageSize(part, first)[0]));
      const finder = new HyphenTurnFinder(part, block);
      await dropSoftHyphenText(part, finder);
      const starts = new Map([...part.dests].map(([id, d]) => [id, d.page + 1]));
      const tall = chunk === undefined ? [] : (layoutReports.get(chunk)?.tall ?? []);
      const figures =
        tall.length === 0
          ? []
          : figureScales(
              part,
              tall,
              block,
              new Set(
                ids
                  .slice(...ranges[chunk!]!)
                  .flatMap((id) => starts.get(id) ?? [])
                  .map((p) => p - 1),
              ),
              scales.get(chunk!) ?? new Map(),
            );
      // The figures' own destinations served this check only.
      const dests = new Map([...part.dests].filter(([id]) => !id.startsWith(FIGURE_ID_PREFIX)));
      return {
        part: dests.size === part.dests.size ? part : { ...part, dests },
        pages: part.pages.length,
        starts,
        turns: finder.turns(),
        figures,
        ...(key && { key }),
      };
    };
    // Per chapter: the words kept whole, since they fell across a page turn (lower-cased).
    const whole = new Map<number, Set<string>>();
    const chapterHtml = (k: number): string =>
      keepWhole(hyphenate(parts.chapters[k]!), whole.get(k) ?? new Set());
    const wordsOf = (c: number, p: Printed): TurnWord[] =>
      turnWords(p.turns, ids, ranges[c]![0], ranges[c]![1], p.starts, chapterHtml);
    let turnReprints = 0;
    let variantPrints = 0;
    /**
     * Keeps whole the words a printed chunk breaks across a page turn, and sets smaller the
     * figures it left a page half empty for; true if anything is new (it is printed again).
     */
    const settle = (c: number, p: Printed): boolean => {
      const words = wordsOf(c, p).filter((t) => t.found && addWord(t.chapter, t.word)).length > 0;
      const mine = scales.get(c) ?? new Map<number, FigureScale>();
      for (const f of p.figures) mine.set(f.n, f);
      if (p.figures.length > 0) scales.set(c, mine);
      return words || p.figures.length > 0;
    };
    /**
     * Prints a chunk, then again (a few times at most) with the words it broke across a page
     * turn kept whole. With a print cache, the last printing is kept under the key of the first
     * document, with the words it kept whole, and the documents between are dropped.
     */
    const printChunk = async (c: number, variant: Variant): Promise<Printed> => {
      const [from, to] = ranges[c]!;
      const cache = opts.printCache;
      const firstKey = cache ? createHash('sha256').update(chunkHtml(c, variant)).digest('hex') : undefined;
      const keptBefore = firstKey === undefined ? undefined : cache?.kept.get(firstKey);
      keptBefore?.words.forEach((words, j) => {
        for (const w of words) addWord(from + j, w);
      });
      if (keptBefore && keptBefore.figures.length > 0)
        scales.set(c, new Map(keptBefore.figures.map((f) => [f.n, f])));
      let printed = await printPart(() => chunkHtml(c, variant), c);
      const dropped: string[] = [];
      for (
        let pass = 0;
        pass < TURN_REPRINTS && (printed.turns.length > 0 || printed.figures.length > 0);
        pass++
      ) {
        if (!settle(c, printed)) break;
        if (printed.key !== undefined) dropped.push(printed.key);
        turnReprints++;
        printed = await printPart(() => chunkHtml(c, variant), c);
      }
      if (cache && firstKey !== undefined && (keptBefore || dropped.length > 0)) {
        for (const key of dropped) cache.delete(key);
        cache.keep(firstKey, {
          words: Array.from({ length: to - from }, (_, j) => [...(whole.get(from + j) ?? [])]),
          figures: [...(scales.get(c)?.values() ?? [])],
        });
      }
      return printed;
    };
    function addWord(k: number, word: string): boolean {
      const set = whole.get(k) ?? new Set<string>();
      whole.set(k, set);
      const w = word.toLowerCase();
      if (set.has(w)) return false;
      set.add(w);
      return true;
    }
    const chunkHtml = (c: number, variant: Variant): string => {
      const [from] = ranges[c]!;
      const own = definedBy[c + 1]!;
      const dests = [...own].map(unescapeAttr).filter((id) => outlineIds.has(id));
      const nav = destinationLinks([...new Set([...dests, ...[...targets[c + 1]!].map(unescapeAttr)])]);
      const sections = bodies[c]!.map(
        (_, j) => (variant.blanks.has(from + j) ? BLANK_PAGE : '') + katexHtml(chapterHtml(from + j)),
      );
      const body = rewriteCrossLinks(sections.join('\n'), own, known);
      const hands = variant.verso ? `<style>${swappedHands(cfg)}</style>` : '';
      const figures = figureStyle(scales.get(c)?.values() ?? []);
      return parts.assemble({ chapters: `${hands}${figures}${nav}\n${body}` });
    };
    const plain: Variant = { verso: false, blanks: new Set() };
    let printed: Printed[];
    let again: Printed[];
    let front: Printed | undefined;
    let frontBlank: boolean;
    let layout: Layout;
    let labels: Map<string, string>;
    try {
      // The biggest chunks first, so that the last to finish are small ones.
      const bySize = ranges
        .map((_, c) => c)
        .sort((a, b) => docs[b + 1]!.length - docs[a + 1]!.length || a - b);
      // Two-sided, most chunks are printed again (on the other hand, with blank pages inside): the
      // words they break across a page turn are kept whole in that printing. One-sided, at once.
      const later = cfg.twoSided;
      // Each chunk is built when a page is free to print it.
      const printing = new Map(
        bySize.map((c) => [c, later ? printPart(() => chunkHtml(c, plain), c) : printChunk(c, plain)]),
      );
      opts.onPrinting?.();
      printed = await Promise.all(ranges.map((_, c) => printing.get(c)!));
      const dirty = printed.map((p, c) => later && settle(c, p));
      clock('print', t);

      t = performance.now();
      let current = printed.map((p) => ({ p, v: plain }));
      for (let round = 0; ; round++) {
        const geometry = current.map(({ p, v }, c) => plainGeometry(p, v, ranges[c]!, ids));
        layout = layOut(
          ranges,
          geometry,
          chapters.map((c) => ({ id: c.chapter.id, depth: c.chapter.depth })),
          cfg.chaptersOnRight,
        );
        const { blankBefore, inner, chunkStart, bodyStart } = layout;
        labels = new Map([...bodyStart].map(([id, p]) => [id, String(p)]));
        const frontHtml = parts.assemble({
          // Two-sided, the contents open on a right-hand page: the title page's back stays blank.
          titlePage: parts.titlePage + (cfg.twoSided ? TITLE_VERSO : ''),
          toc: destinationLinks(frontDests(targets[0]!)) + contentsHtml(book, style, labels, cfg.tocDepth),
        });
        const printedFront = await printPart(() =>
          rewriteCrossLinks(frontHtml, definedIds(frontHtml), known),
        );
        // A theme (or the library's bare reports) may hide the title page and the contents; Chromium
        // still prints one empty page for them, which is left out.
        front = printedFront.part.pages.every((p) => isEmptyRawPage(printedFront.part, p))
          ? undefined
          : printedFront;
        frontBlank = cfg.chaptersOnRight && chapters.length > 0 && (front?.pages ?? 0) % 2 === 1;
        const frontPages = (front?.pages ?? 0) + (frontBlank ? 1 : 0);
        if (frontBlank) blankBefore.add(0);
        // Chunks printed on the wrong hand, or needing blank pages inside, or with words to keep
        // whole, are printed again.
        const previous = current;
        current = await Promise.all(
          ranges.map(async (_, c) => {
            const v: Variant = {
              verso: cfg.twoSided && (frontPages + chunkStart[c]!) % 2 === 0,
              blanks: inner[c]!,
            };
            const was = previous[c]!;
            if (!dirty[c] && sameVariant(v, was.v)) return was;
            dirty[c] = false;
            if (v.verso || v.blanks.size > 0) variantPrints++;
            else turnReprints++;
            return { p: await printChunk(c, v), v };
          }),
        );
        // A word kept whole may move a line, and a page, along: the book is then laid out again.
        const moved = current
          .map(({ p, v }, c) =>
            p === previous[c]!.p || sameGeometry(plainGeometry(p, v, ranges[c]!, ids), geometry[c]!) ? -1 : c,
          )
          .filter((c) => c >= 0);
        if (moved.length === 0) break;
        if (round === 2) {
          for (const c of moved)
            diags.warn(
              'pdf/toc-drift',
              `chunk ${c + 1} changed length when printed again (${geometry[c]!.pages} → ${plainGeometry(current[c]!.p, current[c]!.v, ranges[c]!, ids).pages} pages without blanks); contents numbers after it may be off`,
            );
          break;
        }
      }
      again = current.map(({ p }) => p);
      clock('front', t);
    } finally {
      await printer.close();
    }
    diags.info(
      'pdf/chunks',
      `the body was printed in ${ranges.length} chunk${ranges.length === 1 ? '' : 's'}${variantPrints > 0 ? `, ${variantPrints} printed again for two-sided layout` : ''}${turnReprints > 0 ? `, ${turnReprints} time${turnReprints === 1 ? '' : 's'} again to keep words off a page turn or fit figures to their page` : ''}${reused > 0 ? `; ${reused} document${reused === 1 ? '' : 's'} reused from the last build` : ''}`,
    );
    for (const t of again.flatMap((p, c) => wordsOf(c, p)))
      diags.warn(
        'layout/hyphen-page-turn',
        t.found
          ? `"${t.word}" is hyphenated across a page turn ("${t.turn.head}-" / "${t.turn.tail}"): its chapter was printed again with words kept whole ${TURN_REPRINTS} times without settling`
          : `a word is hyphenated across a page turn ("${t.turn.head}-" / "${t.turn.tail}") that was not found in the chapter to keep whole`,
        chapters[t.chapter]!.chapter.page.source,
        t.line,
      );
    for (const f of [...scales.values()].flatMap((m) => [...m.values()]))
      diags.info(
        'layout/figure-scaled',
        `a figure was set at ${Math.floor(f.scale * 100)}% of its size to fit the rest of its page, which it would have left more than ${Math.round(EMPTY_SHARE * 100)}% empty`,
        f.file,
        f.line,
      );
    timings.layout = Math.round(layoutSeconds * 1000) / 1000;
    reportLayout(
      [...layoutReports.keys()].sort((a, b) => a - b).map((c) => layoutReports.get(c)!),
      diags,
    );
    for (const url of blocked)
      diags.warn('pdf/request-blocked', `the PDF renderer was refused ${url.slice(0, 200)}`);

    t = performance.now();
    const blank = [cfg.width.pt, cfg.height.pt] as const;
    const joinParts: JoinPart[] = [
      ...(front ? [{ part: front.part }] : []),
      ...(frontBlank ? [{ blank }] : []),
      ...again.flatMap((p, c) => [...(layout.chunkBlank[c] ? [{ blank }] : []), { part: p.part }]),
    ];
    const joined = planJoin(joinParts);
    const starts = ids.map((id) => joined.dests.get(id)?.page);
    const plan = planPages(
      joined.pages.length,
      starts,
      layout.blankBefore,
      cfg.twoSided && front !== undefined,
    );
    const pages = new Map<string, ChapterPage>();
    ids.forEach((id, i) => {
      const page = starts[i];
      if (page === undefined) {
        diags.warn(
          'pdf/chapter-not-found',
          `chapter ${id} was not found in the laid-out PDF`,
          chapters[i]!.chapter.page.source,
          1,
        );
        return;
      }
      const label = plan[page - 1]!.label;
      pages.set(id, { page, pageLabel: label });
      if (labels.get(id) !== label)
        diags.warn(
          'pdf/toc-drift',
          `the contents page number of chapter ${id} (${labels.get(id) ?? 'none'}) is not where it starts (${label})`,
        );
    });
    clock('merge', t);

    t = performance.now();
    await warming;
    opts.signal?.throwIfAborted();
    const { heads, drawableHead } = await headsReady;
    const pdf = await finishPdf(joined, heads, drawableHead, book, plan, cfg, opts.sourceDateEpoch, diags);
    clock('finish', t);
    return { pdf, pages, timings };
  }
}

/** A chunk's length and where its chapters start (1-based), as printed without blank pages. */
export interface Geometry {
  readonly pages: number;
  readonly starts: ReadonlyMap<string, number>;
}

/**
 * The geometry of a chunk (chapters `from` to `to`) printed as `variant`, its blank pages taken
 * out: the hand a chunk is printed on changes no line, so this is where its chapters fall when it
 * is printed plain.
 */
export function plainGeometry(
  printed: Geometry,
  variant: Variant,
  [from, to]: readonly [number, number],
  ids: readonly string[],
): Geometry {
  const starts = new Map<string, number>();
  let before = 0;
  for (let k = from; k < to; k++) {
    if (variant.blanks.has(k)) before++;
    const at = printed.starts.get(ids[k]!);
    if (at !== undefined) starts.set(ids[k]!, at - before);
  }
  return { pages: printed.pages - variant.blanks.size, starts };
}

/** Same length, and the same chapters starting on the same pages. */
export function sameGeometry(a: Geometry, b: Geometry): boolean {
  if (a.pages !== b.pages || a.starts.size !== b.starts.size) return false;
  for (const [id, page] of a.starts) if (b.starts.get(id) !== page) return false;
  return true;
}

function sameVariant(a: Variant, b: Variant): boolean {
  return (
    a.verso === b.verso && a.blanks.size === b.blanks.size && [...a.blanks].every((k) => b.blanks.has(k))
  );
}

/** Where the chunks go in the body, once they are printed. */
export interface Layout {
  /** Chapters (by index) with a blank page before them. */
  readonly blankBefore: Set<number>;
  /** Per chunk: a blank page is put before it (by the merge). */
  readonly chunkBlank: readonly boolean[];
  /** Per chunk: chapters it must be printed again with a blank page before. */
  readonly inner: readonly ReadonlySet<number>[];
  /** Per chunk: its first body page (1-based). */
  readonly chunkStart: readonly number[];
  /** Each chapter's first body page, by id. */
  readonly bodyStart: ReadonlyMap<string, number>;
}

/**
 * Lays printed chunks end to end. Body page 1 is a right-hand page; with `chaptersOnRight`,
 * top-level chapters (and the first) open on a right-hand page: a blank page goes before a
 * chunk that would start on the left, and before a chapter inside a chunk that would, which
 * means printing that chunk again with it.
 */
export function layOut(
  ranges: readonly (readonly [number, number])[],
  printed: readonly { readonly pages: number; readonly starts: ReadonlyMap<string, number> }[],
  chapters: readonly { readonly id: string; readonly depth: number }[],
  chaptersOnRight: boolean,
): Layout {
  const blankBefore = new Set<number>();
  const chunkBlank: boolean[] = [];
  const inner: Set<number>[] = [];
  const chunkStart: number[] = [];
  const bodyStart = new Map<string, number>();
  const opensRight = (i: number) => chaptersOnRight && (chapters[i]!.depth === 0 || i === 0);
  let next = 1;
  ranges.forEach(([from, to], c) => {
    const part = printed[c]!;
    chunkBlank[c] = opensRight(from) && next % 2 === 0;
    if (chunkBlank[c]) {
      blankBefore.add(from);
      next++;
    }
    chunkStart[c] = next;
    const blanks = new Set<number>();
    for (let i = from; i < to; i++) {
      const local = part.starts.get(chapters[i]!.id);
      if (local === undefined) continue;
      let page = next - 1 + local + blanks.size;
      if (i > from && opensRight(i) && page % 2 === 0) {
        blanks.add(i);
        blankBefore.add(i);
        page++;
      }
      bodyStart.set(chapters[i]!.id, page);
    }
    inner[c] = blanks;
    next += part.pages + blanks.size;
  });
  return { blankBefore, chunkBlank, inner, chunkStart, bodyStart };
}

/** The ids of the front matter the body links to (the contents has its own destination). */
function frontDests(targets: ReadonlySet<string>): string[] {
  return [...targets].map(unescapeAttr).filter((id) => id !== 'bb-contents');
}

/** `@page` rules that swap the hands: a chunk whose first page is a left-hand page. */
function swappedHands(cfg: PdfConfig): string {
  if (!cfg.twoSided) return '';
  const { inner, outer } = cfg;
  return `@page :right{margin-left:${outer.css};margin-right:${inner.css}}\n@page :left{margin-left:${inner.css};margin-right:${outer.css}}`;
}

/** `BOOKBINDER_PDF_CHUNK`: the chunk size in HTML characters, for tests and tuning. */
function envChunkTarget(): number | undefined {
  const v = process.env.BOOKBINDER_PDF_CHUNK;
  return v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : undefined;
}

/**
 * Writes the book: the running heads and folios drawn over the printed pages, the page labels,
 * the bookmarks from the book's tree, the metadata.
 */
async function finishPdf(
  joined: JoinPlan,
  runningHeads: RunningHeads,
  drawableHead: (text: string) => boolean,
  book: Book,
  plan: readonly PageInfo[],
  cfg: PdfConfig,
  epoch: number | undefined,
  diags: Diagnostics,
): Promise<Uint8Array> {
  const unshaped = book.chapters.filter((c) => !drawableHead(c.chapter.title));
  if (cfg.runningHeads && unshaped.length > 0)
    diags.info(
      'pdf/running-head-unshaped',
      `${unshaped.length} chapter title(s) in a script that needs shaping (e.g. "${unshaped[0]!.chapter.title}") get the book title as running head${drawableHead(book.title) ? '' : ', and the book title none'}`,
    );
  const heads = await runningHeads.layer(
    joined.pages.map((p) => [p.width, p.height] as const),
    plan,
  );
  const firstBody = plan.findIndex((p) => p.chapter !== undefined);
  const meta = bookMetadata(book);
  const { pdf, deadLinks, missingBookmarks } = writeJoin(joined, {
    heads: {
      fonts: readPart(Buffer.from(heads.fonts.buffer, heads.fonts.byteOffset, heads.fonts.length)),
      fontRefs: heads.fontRefs,
      streams: heads.streams,
    },
    outline: outlineTree(book.chapters),
    frontCount: firstBody === -1 ? plan.length : firstBody,
    info: { ...meta, date: epoch === undefined ? new Date() : new Date(epoch * 1000) },
  });
  if (deadLinks.length > 0)
    diags.warn(
      'pdf/link-target-missing',
      `${deadLinks.length} link target(s) were not found in the PDF: ${deadLinks.slice(0, 5).join(', ')}`,
    );
  if (missingBookmarks.length > 0)
    diags.warn(
      'pdf/bookmark-target-missing',
      `${missingBookmarks.length} bookmark target(s) were not found in the PDF: ${missingBookmarks.slice(0, 5).join(', ')}`,
    );
  return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.length);
}
