/**
 * The package: our ejs templates (package document, NCX, navigation document, one per
 * chapter) filled with the book's data, the stylesheet, images and cover beside them, in a zip
 * written byte-for-byte reproducibly: `mimetype` first and stored, a fixed entry order and
 * fixed times.
 *
 * epub-gen-memory did this before; by then it only validated options and rendered these
 * templates (chapters reached it converted, images and the zip were ours), while loading and
 * running it (its HTML clean-up, option checks and JSZip) cost a quarter of a second per build.
 */
import { createRequire } from 'node:module';
import type { TemplateData } from './metadata.js';
import { writeZip } from './zip.js';

/** A file added to the EPUB beside what the templates produce (path inside OEBPS). */
export interface ExtraFile {
  readonly path: string;
  readonly data: Uint8Array | string;
}

/** The texts of the ejs templates. */
export interface EpubTemplates {
  readonly opf: string;
  readonly ncx: string;
  readonly nav: string;
  readonly chapter: string;
}

/** Everything the package holds. */
export interface PackageInput {
  readonly title: string;
  readonly authors: readonly string[];
  readonly lang: string;
  readonly css: string;
  readonly templates: EpubTemplates;
  /** The content documents: file name, title and finished XHTML body. */
  readonly chapters: readonly { readonly file: string; readonly title: string; readonly body: string }[];
  readonly bb: TemplateData;
  readonly extra: readonly ExtraFile[];
}

// ejs ships no typings; these are the calls made.
type Template = (data: Record<string, unknown>) => string;
const require = createRequire(import.meta.url);
const ejs = require('ejs') as { compile(template: string): Template };

const CONTAINER =
  '<?xml version="1.0" encoding="UTF-8" ?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>';

/** Renders the templates and writes the EPUB. */
export function packageEpub(input: PackageInput, date: Date): Promise<Uint8Array> {
  const book = { title: input.title, author: input.authors, tocTitle: 'Contents', bb: input.bb };
  const chapter = ejs.compile(input.templates.chapter);
  const files = new Map<string, Uint8Array | string>([
    ['META-INF/container.xml', CONTAINER],
    ['OEBPS/style.css', input.css],
    ['OEBPS/content.opf', ejs.compile(input.templates.opf)(book)],
    ['OEBPS/toc.ncx', ejs.compile(input.templates.ncx)(book)],
    ['OEBPS/toc.xhtml', ejs.compile(input.templates.nav)(book)],
  ]);
  for (const c of input.chapters)
    files.set(`OEBPS/${c.file}`, chapter({ lang: input.lang, title: c.title, content: c.body }));
  for (const e of input.extra) files.set(`OEBPS/${e.path}`, e.data);
  const names = [...files.keys()].sort((a, b) =>
    a === 'META-INF/container.xml' ? -1 : b === 'META-INF/container.xml' ? 1 : a < b ? -1 : a > b ? 1 : 0,
  );
  return writeZip(
    [
      { name: 'mimetype', data: 'application/epub+zip', store: true },
      ...names.map((name) => ({ name, data: files.get(name)! })),
    ],
    date,
  );
}
