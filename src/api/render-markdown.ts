/**
 * `renderMarkdown(markdown, options)`: one Markdown string to a PDF or an EPUB in one call —
 * the common case of a program attaching a generated report. The string becomes a one-page
 * site in a private temporary folder, goes through the same pipeline as a whole book, and the
 * folder is removed before the call returns.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import type { Browser } from 'puppeteer';
import { stringify } from 'yaml';
import { type BuildReport, build, type ReportDiagnostic } from '../build.js';
import { sanitizeStyleSheet } from '../compose/css.js';
import type { Diagnostic } from '../diagnostics.js';

/** How to render a Markdown string. */
export interface RenderMarkdownOptions {
  /** The output: a print PDF or an EPUB 3. */
  readonly format: 'pdf' | 'epub';
  /** The title; by default the text of a leading `# Heading` (which then is not repeated). */
  readonly title?: string;
  readonly author?: string | readonly string[];
  readonly description?: string;
  /** Language tag (default `en`). */
  readonly lang?: string;
  /** The name diagnostics give the Markdown (default `input.md`). */
  readonly fileName?: string;
  /** Stylesheet files added after the built-in styles. */
  readonly styles?: readonly string[];
  /**
   * `false` leaves out the PDF's title page and contents, for a short report that should start
   * on its first page (default `true`: laid out like a book).
   */
  readonly frontPages?: boolean;
  /** Seconds since the epoch for dates in the output (default: `SOURCE_DATE_EPOCH`, else now). */
  readonly sourceDateEpoch?: number;
  /** A browser to reuse for the PDF (the caller keeps ownership). */
  readonly browser?: Browser;
  /** Cancels the render: the build stops between steps and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Images by the name the Markdown uses (`![chart](chart.png)`, `img/logo.svg`): written
   * beside it in the temporary site, so they are in the PDF and packaged in the EPUB like a
   * site's images (SVG sanitised the same way). A name is a relative path inside the site (see
   * {@link imageNameProblem}); an unsafe one throws a RangeError.
   */
  readonly images?: Readonly<Record<string, Uint8Array>>;
  /**
   * `false` when the Markdown has been through Liquid already (a template filled with data):
   * Liquid is then not applied again, so data that looks like Liquid stays text.
   */
  readonly liquid?: boolean;
  /** CSS added after the built-in styles, sanitised as a report's is (nothing outside is loaded). */
  readonly css?: string;
}

/** Files of the temporary site that an image may not replace. */
const RESERVED = new Set(['index.md', '_config.yml', '_bare.css', '_job.css']);

/**
 * Why `name` cannot be an image's name in the temporary site (undefined when it can): it must be
 * a relative path with no `.` or `..` segment, backslash or NUL, and not one of the site's files.
 */
export function imageNameProblem(name: string): string | undefined {
  if (name === '' || name.startsWith('/') || /[\\\0]/.test(name) || /(^|\/)\.\.?(\/|$)/.test(name))
    return 'an image name is a relative path without ".", ".." segments, backslashes or NUL';
  if (RESERVED.has(name)) return `an image may not be named ${name} (a file of the generated site)`;
  return undefined;
}

/** Writes the images into `dir` (names checked first: none may leave it). */
async function writeImages(dir: string, images: Readonly<Record<string, Uint8Array>>): Promise<void> {
  for (const [name, bytes] of Object.entries(images)) {
    const problem = imageNameProblem(name);
    const target = resolve(dir, name);
    if (problem || !target.startsWith(dir + sep))
      throw new RangeError(`image ${name}: ${problem ?? 'outside the site'}`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
  }
}

/** The document as bytes, and the same report a book build gives. */
export interface RenderMarkdownResult {
  /** The PDF or EPUB; absent when the input had errors (see `diagnostics`). */
  readonly data?: Uint8Array;
  readonly report: BuildReport;
  /** Every diagnostic, with lines counted in the Markdown string (1-based). */
  readonly diagnostics: Diagnostic[];
  readonly ok: boolean;
}

/** Hides the title page and the contents (the PDF's page numbers then start with the text). */
const BARE_CSS = '.title-page, .book-toc { display: none !important; }\n';

/** Splits off a leading `# Title` line, which becomes the document title. */
function leadingTitle(markdown: string): { title?: string; body: string; skipped: number } {
  const m = /^(?:[ \t]*\r?\n)*#[ \t]+(.+?)[ \t#]*\r?\n/.exec(`${markdown}\n`);
  if (!m?.[1]) return { body: markdown, skipped: 0 };
  const skipped = m[0].split('\n').length - 1;
  return { title: m[1].trim(), body: markdown.split('\n').slice(skipped).join('\n'), skipped };
}

/** Renders one Markdown string (kramdown syntax, like a page's body) into a PDF or an EPUB. */
export async function renderMarkdown(
  markdown: string,
  options: RenderMarkdownOptions,
): Promise<RenderMarkdownResult> {
  const lead = options.title === undefined ? leadingTitle(markdown) : { body: markdown, skipped: 0 };
  const title = options.title ?? lead.title ?? 'Untitled';
  const matter = { title, nav_order: 1, ...(options.liquid === false && { render_with_liquid: false }) };
  const front = `---\n${stringify(matter).trimEnd()}\n---\n`;
  // File line of the Markdown's first line, so diagnostics can be given in the caller's lines.
  const offset = front.split('\n').length - 1 - lead.skipped;
  const site: Record<string, unknown> = { title, lang: options.lang ?? 'en' };
  if (options.author !== undefined) site.author = options.author;
  if (options.description !== undefined) site.description = options.description;
  const dir = await mkdtemp(join(tmpdir(), 'bookbinder-md-'));
  try {
    await writeFile(join(dir, '_config.yml'), stringify(site));
    await writeFile(join(dir, 'index.md'), front + lead.body);
    await writeImages(dir, options.images ?? {});
    const styles = [...(options.styles ?? [])];
    if (options.css !== undefined) {
      await writeFile(join(dir, '_job.css'), sanitizeStyleSheet(options.css).css);
      styles.push(join(dir, '_job.css'));
    }
    if (options.frontPages === false) {
      await writeFile(join(dir, '_bare.css'), BARE_CSS);
      styles.push(join(dir, '_bare.css'));
    }
    const result = await build({
      source: dir,
      formats: [options.format],
      ...(styles.length > 0 && { styles }),
      ...(options.sourceDateEpoch !== undefined && { sourceDateEpoch: options.sourceDateEpoch }),
      ...(options.browser && { browser: options.browser }),
      ...(options.signal && { signal: options.signal }),
    });
    const name = options.fileName ?? 'input.md';
    const place = <T extends { file: string; line: number }>(d: T): T =>
      d.file === 'index.md'
        ? { ...d, file: name, line: Math.max(1, d.line - offset) }
        : d.file === '_config.yml'
          ? { ...d, file: '', line: 0 }
          : d;
    const fix = (list: ReportDiagnostic[]) => list.map(place);
    const { report } = result;
    const data = options.format === 'pdf' ? result.pdf : result.epub;
    return {
      ...(data && { data }),
      report: {
        ...report,
        chapters: report.chapters.map((c) => ({ ...c, source: name })),
        warnings: fix(report.warnings),
        errors: fix(report.errors),
        infos: fix(report.infos),
      },
      diagnostics: result.diagnostics.map(place),
      ok: result.ok,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
