/**
 * GFM task lists as kramdown-parser-gfm makes them: an item whose first paragraph starts with
 * `[ ]` or `[x]` begins with a disabled checkbox, and the list and its items get the classes
 * just-the-docs styles (`task-list`, `task-list-item`).
 */
import type { MarkdownIt, StateCore, Token } from 'markdown-it';

/** kramdown-parser-gfm's boxes, written as raw HTML so the inline parser keeps them as they are. */
const UNCHECKED = '<input type="checkbox" class="task-list-item-checkbox" disabled="disabled" />';
const CHECKED =
  '<input type="checkbox" class="task-list-item-checkbox" disabled="disabled" checked="checked" />';

/** The marker kramdown-parser-gfm looks for at the start of an item's first paragraph. */
const MARKER = /^\s*\[( |x)\]\s+/i;

/** Registers the rule; it runs on the block tokens, before inline parsing. */
export function taskListsPlugin(md: MarkdownIt): void {
  md.core.ruler.after('block', 'gfm_task_lists', taskListsRule);
}

function taskListsRule(state: StateCore): void {
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const list = tokens[i]!;
    if (list.type === 'bullet_list_open' || list.type === 'ordered_list_open') markList(tokens, i);
  }
}

/**
 * kramdown-parser-gfm decides item by item, and once one item was a task, every later item of the
 * list gets `task-list-item` too (earlier ones do not): the same here, so the words and classes
 * match the site.
 */
function markList(tokens: Token[], listIndex: number): void {
  const list = tokens[listIndex]!;
  let isTaskList = false;
  for (let j = listIndex + 1; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.level <= list.level) break;
    if (t.type !== 'list_item_open' || t.level !== list.level + 1) continue;
    const inline = tokens[j + 2];
    if (tokens[j + 1]?.type === 'paragraph_open' && inline?.type === 'inline') {
      const m = MARKER.exec(inline.content);
      if (m) {
        inline.content = (m[1] === ' ' ? UNCHECKED : CHECKED) + inline.content.slice(m[0].length);
        isTaskList = true;
      }
    }
    if (isTaskList) t.attrJoin('class', 'task-list-item');
  }
  if (isTaskList) list.attrJoin('class', 'task-list');
}
