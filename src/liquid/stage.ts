/**
 * The entry of the Liquid stage: liquidjs and Jekyll's tags are loaded only when some page of
 * the book has Liquid markup, so that plain Markdown books do not pay for them.
 */
import type { Diagnostics } from '../diagnostics.js';
import type { Chapter } from '../model.js';
import { usesLiquid } from './uses.js';
import type { LiquidInput } from './render.js';

export { usesLiquid } from './uses.js';

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
