/**
 * bookbinder's library API: build a just-the-docs folder into PDF, EPUB and HTML buffers.
 * @packageDocumentation
 */

export { BrowserNotFoundError, findChromium } from './browser/launch.js';
export {
  type BuildOptions,
  type BuildReport,
  type BuildResult,
  build,
  type ChapterReport,
  FORMATS,
  type Format,
} from './build.js';
export type { Diagnostic, Severity } from './diagnostics.js';
export type { Book, Chapter, Page, RenderedChapter, SiteConfig } from './model.js';
