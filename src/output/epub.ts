/**
 * The EPUB 3: epub-gen-memory packages one XHTML file per chapter with our own templates
 * (nested navigation, NCX depth, accessibility metadata, stable identifier); a post-processing
 * step gives images stable names and rebuilds the zip with fixed entry order and times.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { EPub, type Options } from 'epub-gen-memory';
import JSZip from 'jszip';
import { componentCss } from '../compose/components.js';
import { chapterTable, finalizeHtml, type ReferenceStyle } from '../compose/finalize.js';
import { chapterSection, hoistedStyles, readAsset } from '../compose/stitch.js';
import type { Diagnostics } from '../diagnostics.js';
import { shieldMath, unshieldMath } from '../markdown/math.js';
import { escapeHtml } from '../markdown/render.js';
import type { Book, RenderedChapter } from '../model.js';

/** EPUB options. */
export interface EpubOptions {
  readonly assets: ReadonlyMap<string, string>;
  readonly sourceDateEpoch?: number;
}

interface TemplateData {
  identifier: string;
  date: string;
  modified: string;
  rights: string;
  depth: number;
  navList: string;
  ncxPoints: string;
  itemIds: string[];
  properties: string[];
}

/** The file name of a chapter inside the EPUB. */
export function epubFileName(chapterId: string): string {
  return `${chapterId}.xhtml`;
}

const epubStyle = (assets: ReadonlyMap<string, string>): ReferenceStyle => ({
  chapterHref: (chapterId, bookId) => `${epubFileName(chapterId)}${bookId ? `#${bookId}` : ''}`,
  assetUrl: (source) => {
    const abs = assets.get(source);
    return abs ? pathToFileURL(abs).href : source;
  },
});

/** A stable `urn:uuid:` from the site URL and title (name-based, SHA-1, like UUID v5). */
export function stableIdentifier(url: string, title: string): string {
  const h = createHash('sha1').update(`${url}\n${title}`).digest('hex');
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

function navList(chapters: readonly RenderedChapter[]): string {
  let html = '';
  let depth = -1;
  for (const { chapter } of chapters) {
    if (chapter.depth > depth) for (let d = depth; d < chapter.depth; d++) html += '<ol>';
    else {
      html += '</li>';
      for (let d = depth; d > chapter.depth; d--) html += '</ol></li>';
    }
    depth = chapter.depth;
    html += `<li><a href="${epubFileName(chapter.id)}">${escapeHtml(chapter.title)}</a>`;
  }
  if (depth >= 0) html += '</li>';
  for (let d = depth; d > 0; d--) html += '</ol></li>';
  if (depth >= 0) html += '</ol>';
  return html;
}

function ncxPoints(chapters: readonly RenderedChapter[]): string {
  let xml = '';
  let depth = -1;
  chapters.forEach(({ chapter }, i) => {
    for (let d = depth; d >= chapter.depth; d--) xml += '</navPoint>';
    depth = chapter.depth;
    xml += `<navPoint id="nav-${chapter.id}" playOrder="${i + 1}"><navLabel><text>${escapeHtml(chapter.title)}</text></navLabel><content src="${epubFileName(chapter.id)}"/>`;
  });
  for (let d = depth; d >= 0; d--) xml += '</navPoint>';
  return xml;
}

function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

class BookEpub extends EPub {
  constructor(
    options: ConstructorParameters<typeof EPub>[0],
    content: ConstructorParameters<typeof EPub>[1],
    private readonly mathStore: readonly string[],
  ) {
    super(options, content);
  }

  /** Renames images to stable names and rebuilds the zip deterministically. */
  async finish(date: Date): Promise<Uint8Array> {
    const renames = new Map<string, string>();
    for (const image of this.images) {
      const stem = createHash('sha1').update(image.url).digest('hex').slice(0, 12);
      renames.set(`images/${image.id}.${image.extension}`, `images/img-${stem}.${image.extension}`);
    }
    const out = new JSZip();
    // DOS times in a zip are local time: shift so every time zone writes the same bytes.
    const stamp = new Date(date.getTime() + date.getTimezoneOffset() * 60_000);
    out.file('mimetype', 'application/epub+zip', { compression: 'STORE', date: stamp });
    const names = Object.keys(this.zip.files)
      .filter((n) => n !== 'mimetype' && !this.zip.files[n]!.dir)
      .sort((a, b) =>
        a === 'META-INF/container.xml' ? -1 : b === 'META-INF/container.xml' ? 1 : a < b ? -1 : a > b ? 1 : 0,
      );
    for (const name of names) {
      const file = this.zip.files[name]!;
      const rel = name.replace(/^OEBPS\//, '');
      const renamed = renames.get(rel);
      const target = renamed ? `OEBPS/${renamed}` : name;
      if (/\.(xhtml|opf|ncx|css)$/.test(name)) {
        let text = await file.async('string');
        for (const [from, to] of renames) text = text.split(from).join(to);
        if (name.endsWith('.xhtml')) text = unshieldMath(text, this.mathStore);
        out.file(target, text, { date: stamp, createFolders: false });
      } else {
        out.file(target, await file.async('uint8array'), { date: stamp, createFolders: false });
      }
    }
    return out.generateAsync({
      type: 'uint8array',
      compression: 'DEFLATE',
      compressionOptions: { level: 9 },
      mimeType: 'application/epub+zip',
    });
  }
}

/** Builds the EPUB of a book. */
export async function renderEpub(book: Book, opts: EpubOptions, diags: Diagnostics): Promise<Uint8Array> {
  const table = chapterTable(book.chapters);
  const style = epubStyle(opts.assets);
  const { site } = book;
  const date = opts.sourceDateEpoch === undefined ? new Date() : new Date(opts.sourceDateEpoch * 1000);
  const mathStore: string[] = [];
  const content = book.chapters.map((c) => ({
    title: c.chapter.title,
    filename: epubFileName(c.chapter.id),
    content: shieldMath(chapterSection(c, finalizeHtml(c.html, table, style)), mathStore),
  }));
  const bb: TemplateData = {
    identifier: stableIdentifier(site.url, book.title),
    date: isoSeconds(date),
    modified: isoSeconds(date),
    rights: typeof site.data.copyright === 'string' ? site.data.copyright : '',
    depth: Math.max(1, ...book.chapters.map((c) => c.chapter.depth + 1)),
    navList: navList(book.chapters),
    ncxPoints: ncxPoints(book.chapters),
    itemIds: book.chapters.map((c) => `c-${c.chapter.id}`),
    properties: book.chapters.map((c) =>
      [/<svg[\s>]/.test(c.html) && 'svg', /<math[\s>]/.test(c.html) && 'mathml'].filter(Boolean).join(' '),
    ),
  };
  const css = [
    readAsset('styles', 'book.css'),
    componentCss(book.site),
    readAsset('styles', 'epub.css'),
    ...hoistedStyles(book.chapters),
  ].join('\n');
  const options: Options & { bb: TemplateData } = {
    title: book.title,
    author: site.author.length > 0 ? [...site.author] : ['Unknown'],
    publisher:
      typeof site.data.publisher === 'string' ? site.data.publisher : site.author.join(', ') || book.title,
    description: site.description || book.title,
    lang: site.lang,
    tocTitle: 'Contents',
    prependChapterTitles: false,
    numberChaptersInTOC: false,
    date: date.toISOString(),
    version: 3,
    css,
    contentOPF: readAsset('templates', 'epub/content.opf.ejs'),
    tocNCX: readAsset('templates', 'epub/toc.ncx.ejs'),
    tocXHTML: readAsset('templates', 'epub/nav.xhtml.ejs'),
    chapterXHTML: readAsset('templates', 'epub/chapter.xhtml.ejs'),
    fetchTimeout: 10_000,
    retryTimes: 1,
    ignoreFailedDownloads: true,
    verbose: (type, ...args) => {
      if (type === 'warn' && !String(args[0]).includes("isn't allowed"))
        diags.warn('epub/packaging', args.map(String).join(' '));
    },
    bb,
  };
  const epub = new BookEpub(options, content, mathStore);
  await epub.render();
  void readFileSync;
  return epub.finish(date);
}
