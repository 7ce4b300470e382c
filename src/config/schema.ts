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

/**
 * A section another module reads with its own small typed reader (`src/config/pdf.ts`,
 * `src/config/epub.ts`): every mapping is accepted here, so those readers own its keys.
 */
const section = (what: string) => z.looseObject({}).describe(what);

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
      .describe('The output folder, relative to the config file. CLI: `-o, --output`. Default `output`.'),
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
    pdf: section('PDF settings, read by src/config/pdf.ts; any mapping is accepted here.').optional(),
    epub: section('EPUB settings, read by src/config/epub.ts; any mapping is accepted here.').optional(),
  })
  .describe('bookbinder settings: bookbinder.config.{yml,yaml,json,js,ts} or `bookbinder:` in _config.yml.');
/** Everything bookbinder reads from a config file; every key is optional. */
export type BookbinderConfig = z.infer<typeof BookbinderConfig>;

/** The JSON Schema of {@link BookbinderConfig}, for editors (`$schema`, yaml-language-server). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(BookbinderConfig, { target: 'draft-7', io: 'input' });
  return {
    ...schema,
    $id: 'https://bookbinder.invalid/bookbinder.config.schema.json',
    title: 'bookbinder configuration',
  };
}
