/**
 * bookbinder's library API: build a just-the-docs folder into PDF, EPUB and HTML buffers, or
 * one Markdown string into a PDF or an EPUB; a report from a template and data, in memory; load and validate bookbinder's settings.
 * @packageDocumentation
 */

export {
  type RenderMarkdownOptions,
  type RenderMarkdownResult,
  renderMarkdown,
} from './api/render-markdown.js';
export {
  PAGE_SIZES,
  type RenderReportOptions,
  type RenderReportResult,
  type ReportBand,
  renderReport,
} from './api/render-report.js';
export { parseJob, RenderJob } from './service/job.js';
export { BrowserNotFoundError, findChromium } from './browser/launch.js';
export {
  type BuildOptions,
  type BuildReport,
  type BuildResult,
  build,
  type ChapterReport,
  FORMATS,
  type Format,
  type ReportDiagnostic,
  type SiteOverrides,
} from './build.js';
export {
  CONFIG_FILES,
  type ConfigDiagnostic,
  defineConfig,
  type LoadConfigOptions,
  type LoadedConfig,
  loadConfig,
} from './config/load.js';
export type { JekyllConfigFile } from './config/jekyll-file.js';
export { type CliFlags, resolveSettings, type Settings } from './config/resolve.js';
export { BookbinderConfig, configJsonSchema, PreviewConfig } from './config/schema.js';
export { type Diagnostic, formatDiagnostic, type Severity } from './diagnostics.js';
export type { Book, Chapter, Page, RenderedChapter, SiteConfig, Theme } from './model.js';
export { type PreviewOptions, type PreviewServer, startPreview } from './preview/server.js';
export { PrintCache } from './output/pdf/cache.js';
export { RenderCache } from './render-cache.js';
export type { ProgressEvent } from './progress.js';
export { preflight, PreflightError, type PreflightOptions, type PreflightReport } from './preflight/run.js';
export type { PreflightCode, PreflightProblem } from './preflight/checks.js';
