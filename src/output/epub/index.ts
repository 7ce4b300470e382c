/**
 * The EPUB 3: one XHTML document per chapter (named after the chapter id), nested navigation
 * and NCX, landmarks, a cover, full metadata with accessibility properties, images packed from
 * the source folder, and a reproducible zip. Reads as the list of steps.
 */
import { readEpubConfig } from '../../config/epub.js';
import { componentCss } from '../../compose/components.js';
import { chapterTable, finalizeHtml, type ReferenceStyle } from '../../compose/finalize.js';
import { chapterSection, hoistedStyles, readAsset } from '../../compose/stitch.js';
import { Diagnostics } from '../../diagnostics.js';
import type { Book, SiteConfig } from '../../model.js';
import { type ChapterDoc, finishChapter, prepareChapter } from './chapter.js';
import { coverImage, type CoverJob, coverPage, drawCoverAside, imageSize } from './cover.js';
import { ImageStore } from './images.js';
import { metadataOf, type TemplateData } from './metadata.js';
export { stableIdentifier } from './metadata.js';
import { landmarks, navList, ncxPoints } from './nav.js';
import { type ExtraFile, packageEpub } from './package.js';
import { ASSET_PREFIX } from './refs.js';
import { lowerStylesheet } from './stylesheet.js';
import { ticker } from '../../ticker.js';

/** EPUB options. */
export interface EpubOptions {
  /** Source path → absolute path of every asset the chapters use. */
  readonly assets: ReadonlyMap<string, string>;
  /** The source folder (for a configured cover image). */
  readonly root: string;
  readonly sourceDateEpoch?: number;
  /** The generated cover, when the build started drawing it early ({@link startCover}). */
  readonly cover?: CoverJob;
  /** Cancels the EPUB: checked between chapters, and the making rejects with its reason. */
  readonly signal?: AbortSignal;
}

/**
 * Starts drawing the generated cover if the config asks for one: call it as early as the title
 * is known, so that the drawing (on another thread) overlaps the rendering of the pages.
 */
export function startCover(site: SiteConfig, title: string): CoverJob | undefined {
  // Only the cover setting is read here; renderEpub reports what is wrong with the config.
  const config = readEpubConfig(site, new Diagnostics());
  if (config.cover.kind !== 'generate') return undefined;
  return drawCoverAside({ title, authors: config.creators ?? site.author, lang: config.lang });
}

/** The file name of a chapter inside the EPUB. */
export function epubFileName(chapterId: string): string {
  return `${chapterId}.xhtml`;
}

/** The navigation document's file name. */
export const NAV_FILE = 'toc.xhtml';
/** The cover page's file name. */
export const COVER_FILE = 'cover.xhtml';

const epubStyle: ReferenceStyle = {
  chapterHref: (chapterId, bookId) => `${epubFileName(chapterId)}${bookId ? `#${bookId}` : ''}`,
  assetUrl: (source) => `${ASSET_PREFIX}${source}`,
};

/** Builds the EPUB of a book. */
export async function renderEpub(book: Book, opts: EpubOptions, diags: Diagnostics): Promise<Uint8Array> {
  const { site } = book;
  const config = readEpubConfig(site, diags);
  const date = opts.sourceDateEpoch === undefined ? new Date() : new Date(opts.sourceDateEpoch * 1000);
  const table = chapterTable(book.chapters);
  const store = new ImageStore();
  const authors = config.creators ?? site.author;
  // Started first: a generated cover is drawn in a worker while the chapters are converted.
  const coverDrawn = coverImage(
    config.cover,
    opts.root,
    { title: book.title, authors, lang: config.lang },
    diags,
    opts.cover,
  );
  coverDrawn.catch(() => undefined);

  // While the PDF prints, Chromium's requests are answered on this thread: let them through.
  const tick = ticker(8, opts.signal);
  const docs: ChapterDoc[] = [];
  for (const c of book.chapters) {
    docs.push(
      prepareChapter({
        file: epubFileName(c.chapter.id),
        html: chapterSection(c, finalizeHtml(c.html, table, epubStyle)),
        store,
        assets: opts.assets,
        diags,
        source: c.chapter.page.source,
        body: c.chapter.page.body,
        bodyLine: c.chapter.page.bodyLine,
      }),
    );
    await tick();
  }
  const idsByFile = new Map(docs.map((d) => [d.file, d.ids]));
  const siteBase = site.url ? `${site.url}${site.baseurl}` : '';
  const finished: ReturnType<typeof finishChapter>[] = [];
  for (const [i, d] of docs.entries()) {
    const page = book.chapters[i]!.chapter.page;
    const report = (fragment: string): void =>
      diags.warn(
        'epub/missing-anchor',
        `link to #${fragment} names no heading or id in the book; in the EPUB it leads to the top of the page`,
        page.source,
        lineIn(page.body, page.bodyLine, `#${fragment}`),
      );
    finished.push(finishChapter(d, { file: d.file, idsByFile, siteBase, pageUrl: page.url, report }));
    await tick();
  }

  const cover = await coverDrawn;
  const coverImg = cover ? store.addBytes(cover.bytes, cover.name, 'cover') : undefined;
  if (typeof coverImg === 'string')
    diags.warn(
      'epub/cover',
      `cover image ${cover?.name} is not a PNG, JPEG, GIF, WebP or SVG file; no cover`,
    );
  const hasCover = coverImg !== undefined && typeof coverImg !== 'string';
  const images = store.list();

  const entries = book.chapters.map((c) => ({
    file: epubFileName(c.chapter.id),
    title: c.chapter.title,
    depth: c.chapter.depth,
  }));
  const ncx = ncxPoints(entries);
  const bb: TemplateData = {
    ...metadataOf(book, config, date, {
      hasImages: images.some((im) => im.id !== 'cover-image'),
      hasMath: finished.some((f) => f.properties.includes('mathml')),
    }),
    depth: ncx.depth,
    navList: navList(entries),
    ncxPoints: ncx.xml,
    landmarks: landmarks(hasCover ? COVER_FILE : undefined, NAV_FILE, entries[0]?.file),
    chapters: entries.map((e, i) => ({
      id: `c-${book.chapters[i]!.chapter.id}`,
      href: e.file,
      properties: finished[i]!.properties.join(' '),
    })),
    images: images.map((im) => ({
      id: im.id,
      href: im.href,
      mediaType: im.mediaType,
      properties: im.id === 'cover-image' ? 'cover-image' : '',
    })),
    cover: hasCover ? COVER_FILE : '',
  };
  const lowered = lowerStylesheet([
    book.theme?.bookCss ?? readAsset('styles', 'book.css'),
    componentCss(book.site),
    readAsset('styles', 'epub.css'),
    ...(book.theme?.css ?? []),
    ...hoistedStyles(book.chapters),
    ...new Set(docs.flatMap((d) => d.styles)),
  ]);
  if (lowered.dropped.length > 0)
    diags.info(
      'epub/css-lowered',
      `left out of the EPUB's stylesheet, as e-readers' CSS engines cannot use them: ${lowered.dropped.join('; ')}`,
    );
  const extra: ExtraFile[] = [];
  for (const im of images) extra.push({ path: im.href, data: await im.data });
  if (hasCover && coverImg)
    extra.push({
      path: COVER_FILE,
      data: coverPage(coverImg.href, `Cover of ${book.title}`, config.lang, cover && imageSize(cover.bytes)),
    });
  return packageEpub(
    {
      title: book.title,
      authors,
      lang: config.lang,
      css: lowered.css,
      templates: {
        opf: readAsset('templates', 'epub/content.opf.ejs'),
        ncx: readAsset('templates', 'epub/toc.ncx.ejs'),
        nav: readAsset('templates', 'epub/nav.xhtml.ejs'),
        chapter: readAsset('templates', 'epub/chapter.xhtml.ejs'),
      },
      chapters: entries.map((e, i) => ({ file: e.file, title: e.title, body: finished[i]!.xhtml })),
      bb,
      extra,
    },
    date,
  );
}

/** The source line of the first body line holding `needle` (the body's first line otherwise). */
function lineIn(body: string, bodyLine: number, needle: string): number {
  const i = body.split('\n').findIndex((l) => l.includes(needle));
  return i === -1 ? bodyLine : bodyLine + i;
}
