/** kramdown span IALs: `[x](y){: .btn}` after a link, emphasis, code span, image or HTML element. */
import type { StateCore, Token } from 'markdown-it';
import { applyAttributes, parseAttributeList } from './attributes.js';

/** The opening `html_inline` of the element a closing `html_inline` ends, or undefined. */
function htmlOpenerOf(children: Token[], closeIndex: number): Token | undefined {
  const m = /^<\/([A-Za-z][\w-]*)\s*>$/.exec(children[closeIndex]!.content);
  if (!m) return undefined;
  const tag = m[1]!.toLowerCase();
  let depth = 0;
  for (let j = closeIndex - 1; j >= 0; j--) {
    const c = children[j]!;
    if (c.type !== 'html_inline') continue;
    if (new RegExp(`^<\\/${tag}\\s*>$`, 'i').test(c.content)) depth++;
    else if (new RegExp(`^<${tag}[\\s>]`, 'i').test(c.content)) {
      if (depth === 0) return c;
      depth--;
    }
  }
  return undefined;
}

const SPAN_TARGETS: Record<string, string> = {
  link_close: 'link_open',
  em_close: 'em_open',
  strong_close: 'strong_open',
  s_close: 's_open',
};

const SPAN_IAL = /^\{:(?!:)((?:[^}"']|"[^"]*"|'[^']*')*)\}/;

/** `[text](url){: .btn}`: a span IAL right after a link, emphasis, code span, image or HTML element. */
export function spanIalRule(state: StateCore): void {
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const children = block.children;
    for (let i = 1; i < children.length; i++) {
      const t = children[i]!;
      if (t.type !== 'text') continue;
      const m = SPAN_IAL.exec(t.content);
      if (!m) continue;
      const prev = children[i - 1]!;
      let target: Token | undefined;
      if (prev.type === 'code_inline' || prev.type === 'image') target = prev;
      if (prev.type === 'html_inline') target = htmlOpenerOf(children, i - 1);
      const openType = SPAN_TARGETS[prev.type];
      if (openType) {
        for (let j = i - 2; j >= 0; j--) {
          if (children[j]!.type === openType && children[j]!.level === prev.level) {
            target = children[j];
            break;
          }
        }
      }
      if (!target) continue;
      applyAttributes(target, parseAttributeList(m[1]!));
      t.content = t.content.slice(m[0].length);
    }
  }
}
