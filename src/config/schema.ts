/**
 * The schema of bookbinder's own settings: `bookbinder.config.{yml,yaml,json,js,ts}` or the
 * `bookbinder:` key of `_config.yml`. One name for the schema and its inferred type; the JSON
 * Schema editors use is generated from it (`npm run schema`).
 */
import { z } from 'zod';

/** The output formats, as the CLI and the config spell them. */
export const FORMAT_NAMES = ['pdf', 'epub', 'html'] as const;

/** A file name stem: no folder separators, not `.` or `..`. */
const fileStem = z
  .string()
  .regex(/^[^/\\\0]+$/, 'must be a file name without folders')
  .refine((s) => s !== '.' && s !== '..', 'must be a file name without folders');

/** A CSS absolute length as `src/config/pdf.ts` reads it (`20mm`, `0.75in`, `54pt`, or 0). */
const length = z
  .union([z.literal(0), z.string().regex(/^\s*(\d+(\.\d+)?|\.\d+)\s*(mm|cm|in|pt|px|pc)\s*$/i)])
  .describe('A length such as 20mm, 0.75in or 54pt.');

/** Paper names and trim sizes `src/config/pdf.ts` understands. */
const pageSize = z
  .string()
  .regex(
    /^\s*(a4|a5|b5|letter|legal|(\d+(\.\d+)?|\.\d+)\s*(mm|cm|in|pt|px|pc)\s*([x×]\s*|\s+)(\d+(\.\d+)?|\.\d+)\s*(mm|cm|in|pt|px|pc))\s*$/i,
    'must be A4, Letter, A5, B5, Legal or a trim size such as "6in x 9in"',
  )
  .describe('A4, Letter, A5, B5, Legal or a trim size such as "6in x 9in". Default A4.');

/** Page settings of the print PDF; resolved with their defaults by `src/config/pdf.ts`. */
export const PdfSettings = z
  .strictObject({
    size: pageSize.optional(),
    margins: z
      .strictObject({
        top: length.optional(),
        bottom: length.optional(),
        inner: length.optional(),
        outer: length.optional(),
      })
      .optional()
      .describe('Page margins; inner is the binding side when two-sided. Defaults 22/22/20/20mm.'),
    margin: length.optional().describe('One margin for all four sides.'),
    margin_top: length.optional(),
    margin_bottom: length.optional(),
    margin_inner: length.optional(),
    margin_outer: length.optional(),
    two_sided: z
      .boolean()
      .optional()
      .describe('Mirror the margins and page numbers for printing both sides.'),
    chapters_on_right: z
      .boolean()
      .optional()
      .describe('Top-level chapters open on a right-hand page. Default: two_sided.'),
    toc_depth: z.int().min(1).optional().describe('How many navigation levels the contents list. Default 3.'),
    print_urls: z.boolean().optional().describe("Print an external link's URL after its text."),
    running_heads: z.boolean().optional().describe('Chapter titles at the top of pages. Default true.'),
    page_numbers: z
      .enum(['bottom-center', 'bottom-outer', 'top-outer', 'none'])
      .optional()
      .describe('Where the page number is printed.'),
    hyphenate: z
      .boolean()
      .optional()
      .describe('Hyphenate justified text in the book language. Default true.'),
    date: z
      .union([z.string(), z.literal(false)])
      .optional()
      .describe('The date on the title page; false for none. Default: the build date.'),
  })
  .describe('PDF page settings.');
/** Page settings of the print PDF, as written. */
export type PdfSettings = z.infer<typeof PdfSettings>;

const text = z.union([z.string(), z.number(), z.date()]);
const textList = z.union([z.string(), z.array(z.string())]);

/** EPUB metadata and options; resolved with their defaults by `src/config/epub.ts`. */
export const EpubSettings = z
  .strictObject({
    cover: z
      .union([z.string(), z.boolean()])
      .optional()
      .describe('An image path of the site, `generate` (default) or `none`.'),
    lang: text.optional().describe('Language of the EPUB. Default: the book language.'),
    identifier: text.optional().describe('dc:identifier. Default: derived from url and title.'),
    publisher: text.optional(),
    description: text.optional(),
    subjects: textList.optional().describe('Subjects, a list or comma separated. Default: keywords.'),
    rights: text.optional(),
    creators: textList.optional().describe('Creators beyond the author.'),
    date: text.optional().describe('The publication date. Default: the build date.'),
    accessibility_summary: text.optional().describe('Replaces the generated accessibility summary.'),
  })
  .describe('EPUB settings.');
/** EPUB settings, as written. */
export type EpubSettings = z.infer<typeof EpubSettings>;

/** Settings of `bookbinder preview`. */
export const PreviewConfig = z
  .strictObject({
    port: z
      .int()
      .min(0)
      .max(65535)
      .optional()
      .describe('Port on 127.0.0.1 the preview listens on; 0 picks a free one. Default 4000.'),
  })
  .describe('Settings of `bookbinder preview`.');
/** Settings of `bookbinder preview`. */
export type PreviewConfig = z.infer<typeof PreviewConfig>;

/** Everything bookbinder reads from a config file; every key is optional. */
export const BookbinderConfig = z
  .strictObject({
    $schema: z.string().optional().describe('The JSON Schema this file follows (for editors).'),
    source: z
      .string()
      .min(1)
      .optional()
      .describe('The Jekyll site folder, relative to the config file. CLI: `SOURCE`. Default `content`.'),
    output: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The output folder, relative to the config file; a config file inside the site may only name a folder inside it (such as `_book`). CLI: `-o, --output`. Default `output`.',
      ),
    formats: z
      .array(z.enum(FORMAT_NAMES))
      .min(1)
      .optional()
      .describe('The outputs to build. CLI: `-f, --format`. Default all three.'),
    name: fileStem.optional().describe('File name stem of the outputs. CLI: `-n, --name`. Default `book`.'),
    root: z
      .string()
      .min(1)
      .optional()
      .describe('Build only this page (title or source path) and its descendants. CLI: `-r, --root`.'),
    strict: z.boolean().optional().describe('Treat warnings as errors. CLI: `--strict`.'),
    allowRemote: z
      .boolean()
      .optional()
      .describe('Embed http(s) images, with a size and a time limit. CLI: `--allow-remote`. Default off.'),
    json: z.boolean().optional().describe('Print the JSON report on stdout. CLI: `--json`.'),
    quiet: z.boolean().optional().describe('Print only errors, no progress. CLI: `-q, --quiet`.'),
    verbose: z
      .boolean()
      .optional()
      .describe('Also print informational notes and stage timings. CLI: `-v, --verbose`.'),
    title: z.string().optional().describe("The book's title. Default: `title` of `_config.yml`."),
    author: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe('The author or authors. Default: `author` of `_config.yml`.'),
    description: z
      .string()
      .optional()
      .describe('Subject line of the PDF and EPUB. Default: `description` of `_config.yml`.'),
    lang: z
      .string()
      .regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/, 'must be a language tag such as en or pt-BR')
      .optional()
      .describe('Language tag of the book. Default: `lang` of `_config.yml`, else `en`.'),
    subtitle: z.string().optional().describe('A subtitle for the title page.'),
    chapter_toc: z
      .boolean()
      .optional()
      .describe("Keep the pages' own `{:toc}` contents lists (default) or drop them with `false`."),
    jekyll: z
      .union([z.literal(3), z.literal(4), z.literal('3'), z.literal('4')])
      .optional()
      .describe('Sort like Jekyll 3 (classic GitHub Pages) or 4. Default: guessed from the Gemfile, else 4.'),
    styles: z
      .array(z.string().min(1))
      .optional()
      .describe('CSS files added after the built-in styles (relative to the config file).'),
    titlePage: z
      .string()
      .min(1)
      .optional()
      .describe(
        'An HTML file replacing the title page template; `{{title}}`, `{{author}}`, `{{description}}` are filled in.',
      ),
    preview: PreviewConfig.optional(),
    pdf: PdfSettings.optional(),
    epub: EpubSettings.optional(),
  })
  .describe('bookbinder settings: bookbinder.config.{yml,yaml,json,js,ts} or `bookbinder:` in _config.yml.');
/** Everything bookbinder reads from a config file; every key is optional. */
export type BookbinderConfig = z.infer<typeof BookbinderConfig>;

/** The JSON Schema of {@link BookbinderConfig}, for editors (`$schema`, yaml-language-server). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(BookbinderConfig, { target: 'draft-7', io: 'input', unrepresentable: 'any' });
  return {
    ...schema,
    $id: 'https://bookbinder.invalid/bookbinder.config.schema.json',
    title: 'bookbinder configuration',
  };
}
