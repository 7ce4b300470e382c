/**
 * Renders one chapter's Markdown once, with kramdown's ids and syntax, into HTML whose links
 * and images are placeholders (`bbref:`, `bbasset:`) that each output resolves its own way.
 */

import type { StateCore, Token } from 'markdown-it';
import markdownit, { type MarkdownIt } from 'markdown-it';
import anchorPlugin from 'markdown-it-anchor';
import abbr from 'markdown-it-abbr';
import deflist from 'markdown-it-deflist';
import type { Chapter, Heading } from '../model.js';
import { type Callout, calloutsPlugin } from './callouts.js';
import { definitionTermsPlugin } from './definition-terms.js';
import { kramdownEmphasisPlugin } from './emphasis.js';
import { type Warn, type WarnEnv, warnAt } from './env.js';
import { extensionsPlugin } from './extensions.js';
import { footnotesPlugin } from './footnotes.js';
import { HIGHLIGHT_LIMIT, highlightFence } from './highlight.js';
import { type HtmlEnv, htmlBlocksPlugin } from './html-blocks.js';
import { htmlMarkdownPlugin } from './html-markdown.js';
import { kramdownPlugin, TOC_MARKER } from './kramdown.js';
import { type LinksEnv, linksPlugin, type RefResolver } from './links.js';
import { mathPlugin } from './math.js';
import { mermaidPlugin } from './mermaid.js';
import { gfmSlug, SlugCounter } from './slug.js';
import { type SourceLinesEnv, sourceLinesPlugin } from './source-lines.js';
import { kramdownTablesPlugin } from './tables.js';
import { taskListsPlugin } from './task-lists.js';
import { unclosedCommentPlugin } from './unclosed-comment.js';

/** What rendering needs to know about the book beyond the page itself. */
export interface RenderContext {
  /** Ids already used in the book (chapter ids, earlier chapters' headings); filled as we go. */
  readonly usedIds: Set<string>;
  readonly resolveRef: RefResolver;
  /** Reports a problem at a 0-based line of the page body. */
  readonly warn?: Warn;
  /** `false` drops `{:toc}` lists instead of filling them with the chapter's headings. */
  readonly chapterToc?: boolean;
  /** Marks blocks with `data-line`, their line in the page's file (for layout diagnostics). */
  readonly sourceLines?: boolean;
}

/** How the markdown-it instance is set up for a site. */
export interface MarkdownOptions {
  /** The callouts `_config.yml` declares. */
  readonly callouts?: readonly Callout[];
  /** The site configures `mermaid:`: `mermaid` fences are diagrams, not code. */
  readonly mermaid?: boolean;
}

/** The result of rendering one chapter. */
export interface ChapterRender {
  readonly html: string;
  readonly headings: Heading[];
  readonly styles: string[];
  readonly anchors: Record<string, string>;
  /** The page's first heading, when it repeats the title up to case and quotes (see titleRule). */
  readonly pageTitle?: string;
}

/** The part of markdown-it-anchor's options we use, typed against markdown-it 15's own types. */
interface AnchorOptions {
  level: number[];
  tabIndex: false;
  slugifyWithState: (text: string, state: StateCore) => string;
  callback: (token: Token, info: { slug: string; title: string }) => void;
}
const anchor = anchorPlugin as unknown as (md: MarkdownIt, options: AnchorOptions) => void;

interface RenderEnv extends HtmlEnv, LinksEnv, WarnEnv, SourceLinesEnv {
  docId: string;
  chapter: Chapter;
  counter: SlugCounter;
  usedIds: Set<string>;
  anchors: Record<string, string>;
  headings: Heading[];
  pageTitle?: string;
}

/** Claims a book-wide id for a page-local one, keeping it when it is still free. */
function claim(env: RenderEnv, local: string): string {
  let id = local;
  if (env.usedIds.has(id)) {
    id = `${env.chapter.id}-${local}`;
    for (let n = 2; env.usedIds.has(id); n++) id = `${env.chapter.id}-${local}-${n}`;
  }
  env.usedIds.add(id);
  env.anchors[local] ??= id;
  return id;
}

/** Creates the markdown-it instance bookbinder renders every page with. */
export function createMarkdown(options: MarkdownOptions = {}): MarkdownIt {
  // markdown-it's default nesting limit (100) silently drops the rest of a page nested deeper;
  // without a limit, only a stack overflow can stop it, which build.ts catches and reports.
  const md = markdownit({
    html: true,
    linkify: false,
    typographer: true,
    highlight: highlightFence,
    maxNesting: 100_000,
  });
  md.disable(['replacements']);
  md.use(htmlMarkdownPlugin);
  md.use(extensionsPlugin);
  md.use(unclosedCommentPlugin);
  md.use(mathPlugin);
  md.use(kramdownPlugin);
  md.use(taskListsPlugin);
  md.use(kramdownTablesPlugin);
  md.use(kramdownEmphasisPlugin);
  md.use(footnotesPlugin);
  md.use(deflist);
  md.use(definitionTermsPlugin);
  md.use(abbr);
  md.use(htmlBlocksPlugin);
  md.use(calloutsPlugin, options.callouts ?? []);
  md.core.ruler.after('kramdown_block_ial', 'bookbinder_explicit_ids', explicitIdsRule);
  md.use(anchor, {
    level: [1, 2, 3, 4, 5, 6],
    tabIndex: false,
    slugifyWithState: (text: string, state: StateCore) => {
      const env = state.env as unknown as RenderEnv;
      return claim(env, env.counter.next(gfmSlug(text)));
    },
    callback: (token, info) => {
      const noToc = String(token.attrGet('class') ?? '')
        .split(/\s+/)
        .includes('no_toc');
      recordHeading(
        String(token.attrGet('id') ?? info.slug),
        Number(token.tag.slice(1)),
        info.title,
        noToc,
        token,
      );
    },
  });
  md.core.ruler.push('bookbinder_title', titleRule);
  md.core.ruler.push('bookbinder_big_code', bigCodeRule);
  md.use(linksPlugin);
  kramdownTypography(md);
  if (options.mermaid) md.use(mermaidPlugin);
  // Last: it wraps the renderers of code and math, and marks the tokens every rule has made.
  md.use(sourceLinesPlugin);
  return md;
}

// markdown-it-anchor's callback has no state; headings are collected through the token meta.
function recordHeading(
  id: string,
  level: number,
  text: string,
  noToc: boolean,
  token: { meta: unknown },
): void {
  token.meta = { bbHeading: { id, level, text, noToc } satisfies Heading };
}

/** A code block too big to highlight is kept uncoloured; the author is told where. */
function bigCodeRule(state: StateCore): void {
  for (const t of state.tokens) {
    if (t.type !== 'fence' || t.content.length <= HIGHLIGHT_LIMIT || !t.info.trim()) continue;
    warnAt(
      state.env,
      'code/not-highlighted',
      `this code block has ${t.content.length.toLocaleString('en')} characters, more than the ${HIGHLIGHT_LIMIT.toLocaleString('en')} highlighted; it is kept uncoloured`,
      t.map?.[0] ?? 0,
    );
  }
}

/** Explicit ids (`{#id}`, `{: #id}`) become book-unique before automatic ids are made. */
function explicitIdsRule(state: StateCore): void {
  const env = state.env as unknown as RenderEnv;
  for (const t of state.tokens) {
    const id = t.attrGet('id');
    if (id !== null && t.nesting !== -1) t.attrSet('id', claim(env, String(id)));
  }
}

function headingText(state: StateCore, i: number): string {
  return (state.tokens[i + 1]?.children ?? [])
    .filter((c) => c.type === 'text' || c.type === 'code_inline')
    .map((c) => c.content)
    .join('');
}

/**
 * Collects headings in order, and folds a page's first heading into the chapter title when it
 * repeats it (the seed's pages open with `## Conclusion` under the title "Conclusion"). The site
 * shows the page's heading, not the front matter: when the two differ in case or quotes
 * ("Crows and ravens" under `title: crows and ravens`), the chapter is titled as the page writes it.
 */
function titleRule(state: StateCore): void {
  const env = state.env as unknown as RenderEnv;
  const tokens = state.tokens;
  const first = tokens.findIndex((t) => t.type !== 'html_block');
  const t = tokens[first];
  const own = t?.type === 'heading_open' ? headingText(state, first) : '';
  if (t?.type === 'heading_open' && norm(own) === norm(env.chapter.title)) {
    if (own.trim() !== env.chapter.title.trim()) env.pageTitle = own.replace(/\s+/g, ' ').trim();
    const id = t.attrGet('id');
    if (id !== null) {
      for (const [local, book] of Object.entries(env.anchors))
        if (book === id) env.anchors[local] = env.chapter.id;
    }
    tokens.splice(first, 3);
  }
  for (const tok of tokens) {
    const h = (tok.meta as { bbHeading?: Heading } | null)?.bbHeading;
    if (tok.type === 'heading_open' && h) env.headings.push(h);
  }
}

/** Text compared up to case, spacing and straight or curly quotes. */
function norm(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u201a\u201b\u2032`]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u2033]/g, '"')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Text in which some conversion below may apply (one scan, not six, for most text). */
const TYPOGRAPHY = /--|\.\.\.|'\d|<< | >>/;

/** kramdown's typographic conversions: `--` en dash, `---` em dash, `...` ellipsis, `<<`/`>>`. */
function kramdownTypography(md: MarkdownIt): void {
  md.core.ruler.after('inline', 'kramdown_typography', (state: StateCore) => {
    for (const block of state.tokens) {
      if (block.type !== 'inline' || !block.children) continue;
      let inLink = 0;
      for (const t of block.children) {
        if (t.type === 'link_open') inLink++;
        if (t.type === 'link_close') inLink--;
        if (t.type !== 'text' || inLink < 0 || !TYPOGRAPHY.test(t.content)) continue;
        t.content = t.content
          .replace(/(^|[^-])---(?!-)/g, '$1\u2014')
          .replace(/(^|[^-])--(?!-)/g, '$1\u2013')
          .replace(/\.\.\./g, '\u2026')
          .replace(/(^|[\s(])'(?=\d)/g, '$1\u2019')
          .replace(/<< /g, '\u00ab\u00a0')
          .replace(/ >>/g, '\u00a0\u00bb');
      }
    }
  });
}

/** Builds a chapter-local contents list, as kramdown's `{:toc}` does. */
export function localToc(headings: readonly Heading[], chapterId: string): string {
  const shown = headings.filter((h) => !h.noToc);
  if (shown.length === 0) return '';
  let html = '';
  const stack: number[] = [];
  for (const h of shown) {
    if (stack.length === 0) {
      html += '<ul class="chapter-toc">';
      stack.push(h.level);
    } else if (h.level > stack[stack.length - 1]!) {
      html += '<ul>';
      stack.push(h.level);
    } else {
      html += '</li>';
      while (stack.length > 1 && h.level < stack[stack.length - 1]!) {
        html += '</ul></li>';
        stack.pop();
      }
    }
    html += `<li><a href="bbref:${chapterId}#${h.id}">${escapeHtml(h.text)}</a>`;
  }
  html += '</li>';
  while (stack.length > 1) {
    html += '</ul></li>';
    stack.pop();
  }
  return `<nav class="chapter-toc" aria-label="Contents of this chapter">${html}</ul></nav>`;
}

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Renders one chapter. Headings get kramdown ids made unique across the book. */
export function renderChapter(md: MarkdownIt, chapter: Chapter, ctx: RenderContext): ChapterRender {
  const env = renderEnv(chapter, ctx);
  const html = md.render(chapter.page.body, env as unknown as Record<string, unknown>);
  return finishChapter(html, env, chapter, ctx);
}

/**
 * {@link renderChapter} with a turn of the event loop (`pause`) after each of markdown-it's core
 * rules (block, inline, footnotes, …) and before the HTML is written: a single huge page (10,000
 * footnotes) is then no longer one synchronous call of seconds, and SIGTERM is answered within
 * one rule's time.
 */
export async function renderChapterAsync(
  md: MarkdownIt,
  chapter: Chapter,
  ctx: RenderContext,
  pause: () => Promise<void>,
): Promise<ChapterRender> {
  const env = renderEnv(chapter, ctx);
  // What MarkdownIt#parse does, a rule at a time.
  const state = new md.core.State(chapter.page.body, md, env as unknown as Record<string, unknown>);
  for (const rule of md.core.ruler.getRules('')) {
    rule(state);
    await pause();
  }
  const html = md.renderer.render(state.tokens, md.options, env as unknown as Record<string, unknown>);
  await pause();
  return finishChapter(html, env, chapter, ctx);
}

/** The environment the book's markdown-it rules read and fill for one chapter. */
function renderEnv(chapter: Chapter, ctx: RenderContext): RenderEnv {
  // Lines Liquid moved are reported where they were written.
  const map = chapter.page.sourceLines;
  const written = (line: number): number => map?.[line] ?? line;
  const warn = ctx.warn;
  const env: RenderEnv = {
    docId: chapter.id,
    chapter,
    counter: new SlugCounter(),
    usedIds: ctx.usedIds,
    anchors: {},
    headings: [],
    styles: [],
    resolveRef: map ? (kind, value, line) => ctx.resolveRef(kind, value, written(line)) : ctx.resolveRef,
    ...(warn && {
      warn: (code: string, message: string, line: number) => warn(code, message, written(line)),
    }),
    ...(ctx.sourceLines && { sourceLine: (line: number) => chapter.page.bodyLine + written(line) }),
  };
  return env;
}

/** The chapter from its rendered HTML: ids not mapped yet, the local contents. */
function finishChapter(source: string, env: RenderEnv, chapter: Chapter, ctx: RenderContext): ChapterRender {
  let html = source;
  // A set of the book ids already mapped: looking each id up among the values was quadratic.
  const mapped = new Set(Object.values(env.anchors));
  for (const m of html.matchAll(/\sid="([^"]+)"/g)) {
    const id = m[1]!;
    if (id in env.anchors || mapped.has(id)) continue;
    env.anchors[id] = id;
    mapped.add(id);
  }
  if (html.includes(TOC_MARKER))
    html = html.replaceAll(TOC_MARKER, ctx.chapterToc === false ? '' : localToc(env.headings, chapter.id));
  return {
    html,
    headings: env.headings,
    styles: env.styles ?? [],
    anchors: env.anchors,
    ...(env.pageTitle !== undefined && { pageTitle: env.pageTitle }),
  };
}
