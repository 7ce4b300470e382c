/**
 * The entry of the Liquid stage: liquidjs and Jekyll's tags are loaded only when some page of
 * the book has Liquid markup, so that plain Markdown books do not pay for them.
 */
import type { Diagnostics } from '../diagnostics.js';
import type { Chapter } from '../model.js';
import type { LiquidInput } from './render.js';

/** True when a chapter's page goes through Liquid (it has markup and does not opt out). */
export function usesLiquid(chapter: Chapter): boolean {
  return /\{[{%]/.test(chapter.page.body) && chapter.page.front.data.render_with_liquid !== false;
}

/** Renders the Liquid of every chapter's page (see `renderLiquid`). */
export async function liquidStage(
  chapters: readonly Chapter[],
  input: LiquidInput,
  diags: Diagnostics,
  signal?: AbortSignal,
): Promise<Chapter[]> {
  if (!chapters.some(usesLiquid)) return [...chapters];
  const { renderLiquid } = await import('./render.js');
  return renderLiquid(chapters, input, diags, signal);
}
