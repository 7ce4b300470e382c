/**
 * The job JSON that `serve` (POST /render) and `worker` (a BullMQ job's data) both take:
 * validated once at the boundary, then rendered with a browser the service keeps warm.
 */
import { z } from 'zod';
import type { Browser } from 'puppeteer';
import { imageNameProblem, renderMarkdown } from '../api/render-markdown.js';
import { scopedBrowser } from '../browser/scoped.js';
import { fillTemplate, PAGE_SIZES, renderReport } from '../api/render-report.js';
import type { Diagnostic } from '../diagnostics.js';

const Band = z.strictObject({
  logo: z.string().optional(),
  text: z.string().optional(),
  pageNumbers: z.boolean().optional(),
});

/** A render job: a Markdown template, its data, the format and the report's options. */
export const RenderJob = z.strictObject({
  markdown: z.string().max(5_000_000),
  data: z.record(z.string(), z.unknown()).optional(),
  format: z.enum(['pdf', 'epub', 'html']).default('pdf'),
  /** Images by the name the Markdown uses, base64-encoded (names are relative paths). */
  images: z
    .record(z.string(), z.string())
    .superRefine((images, ctx) => {
      for (const name of Object.keys(images)) {
        const problem = imageNameProblem(name);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [name] });
      }
    })
    .optional(),
  /** Worker only: a folder the result is written to (instead of coming back through the queue). */
  outDir: z.string().optional(),
  /** Worker only: the result file's name in `outDir` (default: the job id and the format). */
  fileName: z
    .string()
    .regex(/^[^/\\\0]+$/)
    .optional(),
  options: z
    .strictObject({
      title: z.string().optional(),
      lang: z.string().optional(),
      pageSize: z
        .union([z.enum(PAGE_SIZES), z.strictObject({ width: z.string(), height: z.string() })])
        .optional(),
      margin: z
        .strictObject({
          top: z.string().optional(),
          right: z.string().optional(),
          bottom: z.string().optional(),
          left: z.string().optional(),
        })
        .optional(),
      header: Band.optional(),
      footer: Band.optional(),
      css: z.string().optional(),
    })
    .optional(),
});
/** A validated render job. */
export type RenderJob = z.infer<typeof RenderJob>;

/** MIME types of the formats. */
export const CONTENT_TYPES = {
  pdf: 'application/pdf',
  epub: 'application/epub+zip',
  html: 'text/html; charset=utf-8',
} as const;

/** What a job gives: the document, or the diagnostics saying why not. */
export interface JobResult {
  readonly ok: boolean;
  readonly format: RenderJob['format'];
  readonly data?: Uint8Array;
  readonly diagnostics: Diagnostic[];
}

/** Validates a job; the problems are `job/invalid` diagnostics naming the field. */
export function parseJob(input: unknown): { job?: RenderJob; diagnostics: Diagnostic[] } {
  const r = RenderJob.safeParse(input);
  if (r.success) return { job: r.data, diagnostics: [] };
  return {
    diagnostics: r.error.issues.map((i) => ({
      severity: 'error' as const,
      code: 'job/invalid',
      message: `${i.path.join('.') || '(job)'}: ${i.message}`,
      file: '',
      line: 0,
    })),
  };
}

/** Options that shape printed pages, which an EPUB (reflowing text) has none of. */
const PAGE_OPTIONS = ['pageSize', 'margin', 'header', 'footer'] as const;

/**
 * An EPUB job: the template filled once (Liquid is not applied again to the data), the job's
 * images packaged, its title, language and CSS applied; the page options are ignored, and an
 * info diagnostic (`job/ignored-option`) says which.
 */
async function runEpubJob(
  job: RenderJob,
  images: Readonly<Record<string, Uint8Array>>,
  browser: Browser,
  signal?: AbortSignal,
): Promise<JobResult> {
  const o = job.options ?? {};
  const filled = fillTemplate(job.markdown, job.data ?? {}, 'input.md');
  if (!filled.ok) return { ok: false, format: 'epub', diagnostics: filled.diagnostics };
  const ignored = PAGE_OPTIONS.filter((k) => o[k] !== undefined).map((k) => `options.${k}`);
  const notes: Diagnostic[] = ignored.map((name) => ({
    severity: 'info',
    code: 'job/ignored-option',
    message: `${name} applies to a PDF only (an EPUB reflows, it has no pages of a set size): ignored`,
    file: '',
    line: 0,
  }));
  // Its pages (diagrams, the cover) in a context of their own: a cancelled job stops at once.
  const scoped = await scopedBrowser(browser, signal);
  try {
    const r = await renderMarkdown(filled.text, {
      format: 'epub',
      browser: scoped.browser,
      images,
      liquid: false,
      ...(signal && { signal }),
      ...(o.title !== undefined && { title: o.title }),
      ...(o.lang !== undefined && { lang: o.lang }),
      ...(o.css !== undefined && { css: o.css }),
    });
    const diagnostics = [...notes, ...r.diagnostics];
    return { ok: r.ok, format: 'epub', ...(r.data && { data: r.data }), diagnostics };
  } finally {
    await scoped.close();
  }
}

/**
 * Renders a validated job with `browser`. When `signal` aborts, the render stops (its page or
 * browser context is closed) and the call rejects with the signal's reason.
 */
export async function runJob(
  job: RenderJob,
  browser: Browser,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<JobResult> {
  const images = Object.fromEntries(
    Object.entries(job.images ?? {}).map(([name, b64]) => [name, new Uint8Array(Buffer.from(b64, 'base64'))]),
  );
  if (job.format === 'epub') return runEpubJob(job, images, browser, signal);
  const o = job.options ?? {};
  const r = await renderReport(job.markdown, {
    format: job.format,
    browser,
    timeoutMs,
    ...(signal && { signal }),
    images,
    ...(job.data && { data: job.data }),
    ...(o.title !== undefined && { title: o.title }),
    ...(o.lang !== undefined && { lang: o.lang }),
    ...(o.pageSize !== undefined && { pageSize: o.pageSize }),
    ...(o.margin !== undefined && { margin: o.margin }),
    ...(o.header !== undefined && { header: o.header }),
    ...(o.footer !== undefined && { footer: o.footer }),
    ...(o.css !== undefined && { css: o.css }),
  });
  return { ok: r.ok, format: job.format, ...(r.data && { data: r.data }), diagnostics: r.diagnostics };
}
