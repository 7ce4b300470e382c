/** Which pages go through Liquid (its own module: the stage and the renderer both ask). */
import type { Chapter } from '../model.js';

/** True when a chapter's page goes through Liquid (it has markup and does not opt out). */
export function usesLiquid(chapter: Chapter): boolean {
  return /\{[{%]/.test(chapter.page.body) && chapter.page.front.data.render_with_liquid !== false;
}
