/**
 * Footnotes as EPUB 3 readers expect them: the reference is an `epub:type="noteref"` link and
 * each note an `<aside epub:type="footnote">`, so readers can show the note in a pop-up. The
 * Markdown renderer's footnote markup (markdown-it-footnote's) is rewritten here, for the EPUB only.
 */
import {
  createElement,
  createText,
  type Element,
  elements,
  type Fragment,
  getAttr,
  hasClass,
  isElement,
  replaceWith,
  setAttr,
  textOf,
  append,
} from './dom.js';

/** Rewrites footnote references and the footnote list of one chapter in place. */
export function epubFootnotes(root: Fragment): void {
  const numbers = new Map<string, string>();
  for (const sup of elements(root)) {
    if (sup.tagName !== 'sup' || !hasClass(sup, 'footnote-ref')) continue;
    const a = sup.childNodes.find(isElement);
    if (!a || a.tagName !== 'a') continue;
    const target = (getAttr(a, 'href') ?? '').replace(/^.*#/, '');
    const label = textOf(a)
      .replace(/^\[|\]$/g, '')
      .replace(/:\d+$/, '');
    numbers.set(target, label);
    setAttr(a, 'epub:type', 'noteref');
    setAttr(a, 'role', 'doc-noteref');
    a.childNodes = [];
    append(a, createText(label));
  }
  for (const el of elements(root)) {
    if (el.tagName === 'hr' && hasClass(el, 'footnotes-sep')) replaceWith(el);
    if (el.tagName === 'section' && hasClass(el, 'footnotes')) rewriteList(el, numbers);
  }
}

function rewriteList(section: Element, numbers: ReadonlyMap<string, string>): void {
  setAttr(section, 'epub:type', 'footnotes');
  setAttr(section, 'aria-label', 'Notes');
  const asides: Element[] = [];
  for (const ol of section.childNodes) {
    if (!isElement(ol) || ol.tagName !== 'ol') continue;
    for (const li of ol.childNodes) {
      if (!isElement(li) || li.tagName !== 'li') continue;
      asides.push(toAside(li, numbers));
    }
  }
  section.childNodes = [];
  for (const aside of asides) append(section, aside);
}

function toAside(li: Element, numbers: ReadonlyMap<string, string>): Element {
  const id = getAttr(li, 'id') ?? '';
  const aside = createElement('aside', {
    id,
    class: 'footnote',
    'epub:type': 'footnote',
    role: 'doc-footnote',
  });
  let back: string | undefined;
  for (const a of elements(li)) {
    if (a.tagName !== 'a' || !hasClass(a, 'footnote-backref')) continue;
    back ??= getAttr(a, 'href');
    replaceWith(a);
  }
  for (const c of li.childNodes) append(aside, c);
  const number = numbers.get(id) ?? '';
  if (back && number) {
    const link = createElement('a', { href: back, class: 'footnote-number', role: 'doc-backlink' });
    append(link, createText(`${number}.`));
    const first = aside.childNodes.find(isElement);
    const holder = first && first.tagName === 'p' ? first : aside;
    link.parentNode = holder;
    holder.childNodes.unshift(link, createText(' '));
    holder.childNodes[1]!.parentNode = holder;
  }
  trimTrailingSpace(aside);
  return aside;
}

function trimTrailingSpace(el: Element): void {
  for (const p of elements(el)) {
    const last = p.childNodes[p.childNodes.length - 1];
    if (last && last.nodeName === '#text' && 'value' in last) last.value = last.value.replace(/\s+$/, '');
  }
}
