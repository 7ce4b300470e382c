/**
 * The Liquid stage: every chapter's body goes through liquidjs, with Jekyll's tags and filters,
 * before Markdown, as Jekyll does. A Liquid error is a warning at its line; the broken tag is
 * dropped and the rest of the page still renders.
 */
import { Context, Liquid, LiquidError, type Token } from 'liquidjs';
import { performance } from 'node:perf_hooks';
import type { Diagnostics } from '../diagnostics.js';
import type { Chapter, Page, SiteConfig } from '../model.js';
import { loadSiteData } from '../source/data.js';
import { ticker } from '../ticker.js';
import { registerJekyll } from './jekyll.js';
import { usesLiquid } from './uses.js';

/** What the stage needs besides the chapters. */
export interface LiquidInput {
  readonly pages: readonly Page[];
  readonly site: SiteConfig;
  /** The source folder (for `_includes/`). */
  readonly root: string;
}

/** Where diagnostics of the page being rendered go. */
interface Current {
  page?: Page;
  body?: string;
}

const MAX_REPAIRS = 50;

/** How liquidjs words a budget overrun. */
const LIMIT = /limit exceeded/;

/**
 * The budget of one page's Liquid. Liquid runs synchronously, so a runaway loop holds the
 * process (signals included) until the budget ends: half a second per page is far above any real
 * page (a loop over thousands of pages takes milliseconds) and keeps SIGTERM prompt. Memory is
 * counted by liquidjs in elements and characters allocated (ranges, strings, arrays); the parse
 * limit bounds the text parsed per page, includes included.
 */
export const LIQUID_LIMITS = { renderMs: 500, memory: 1_000_000, parse: 64_000_000 } as const;

/**
 * Renders the Liquid of every chapter's page; pages without Liquid markup are kept as they are.
 * Between pages the event loop runs (a signal can end the build) and `signal` is checked.
 */
export async function renderLiquid(
  chapters: readonly Chapter[],
  input: LiquidInput,
  diags: Diagnostics,
  signal?: AbortSignal,
): Promise<Chapter[]> {
  const current: Current = {};
  const engine = createEngine(input, diags, current);
  const siteScope = siteVariables(input, loadSiteData(input.root, input.site, diags));
  const tick = ticker(8, signal);
  const out: Chapter[] = [];
  for (const chapter of chapters) {
    await tick();
    const page = chapter.page;
    if (!usesLiquid(chapter)) {
      out.push(chapter);
      continue;
    }
    current.page = page;
    const r = renderPage(engine, page, { site: siteScope, page: pageVariables(page) }, diags, current);
    const moved = r.lines.some((src, k) => src !== k);
    out.push({ ...chapter, page: { ...page, body: r.body, ...(moved && { sourceLines: r.lines }) } });
  }
  return out;
}

function createEngine(input: LiquidInput, diags: Diagnostics, current: Current): Liquid {
  const engine = new Liquid({
    jekyllInclude: true,
    jekyllWhere: true,
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    dynamicPartials: false,
    timezoneOffset: 0,
    parseLimit: LIQUID_LIMITS.parse,
    memoryLimit: LIQUID_LIMITS.memory,
    renderLimit: LIQUID_LIMITS.renderMs,
  });
  // `{% link %}` names a document by Jekyll's `relative_path` (without `collections_dir`).
  const urls = new Map(input.pages.map((p) => [p.collection?.relativePath ?? p.source, p.url]));
  registerJekyll(engine, {
    root: input.root,
    baseurl: input.site.baseurl,
    url: input.site.url,
    urls,
    pageDir: () => current.page?.source.replace(/[^/]*$/, '').replace(/\/$/, '') ?? '',
    warn: (code, message, token) => {
      const page = current.page;
      if (!page) return;
      diags.warn(code, message, page.source, lineOf(token, page, current.body));
    },
  });
  return engine;
}

/** The 1-based file line of a token of the page body (0 when it comes from an include). */
function lineOf(token: Token | undefined, page: Page, body: string | undefined): number {
  if (!token || token.input !== body) return page.bodyLine;
  const before = token.input.slice(0, token.begin);
  return page.bodyLine + (before.match(/\n/g)?.length ?? 0);
}

/** A rendered body and, for each of its lines, the 0-based body line it came from. */
interface Rendered {
  readonly body: string;
  readonly lines: number[];
}

/**
 * Renders the top-level pieces one by one in one context, so each output line can be traced to
 * the source line it came from: diagnostics after a multi-line tag keep their true line.
 */
function renderTraced(
  engine: Liquid,
  src: string,
  file: string,
  scope: Record<string, unknown>,
  renderLimit: number,
): Rendered {
  const templates = engine.parse(src, file);
  const ctx = new Context(scope, engine.options, { sync: true, renderLimit }, { liquid: engine });
  let body = '';
  const lines: number[] = [0];
  let srcLine = 0;
  let at = 0;
  for (const [i, t] of templates.entries()) {
    const begin = t.token.begin;
    srcLine += countLines(src, at, begin);
    let out: string;
    try {
      out = engine.renderSync([t], ctx) as string;
    } catch (e) {
      // A block over the budget goes whole, up to the next top-level piece (its end tag too).
      if (LiquidError.is(e) && LIMIT.test(e.message))
        (e as LiquidError & { span?: [number, number] }).span = [
          begin,
          templates[i + 1]?.token.begin ?? src.length,
        ];
      throw e;
    }
    const span = countLines(src, begin, t.token.end);
    let k = 0;
    for (const ch of out) {
      if (ch !== '\n') continue;
      k++;
      lines.push(srcLine + Math.min(k, span));
    }
    body += out;
    srcLine += span;
    at = t.token.end;
  }
  return { body, lines };
}

function countLines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i !== -1 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function renderPage(
  engine: Liquid,
  page: Page,
  scope: Record<string, unknown>,
  diags: Diagnostics,
  current: Current,
): Rendered {
  let src = page.body;
  // Repairs share the page's budget: dropping one runaway loop must not start the clock again.
  const deadline = performance.now() + LIQUID_LIMITS.renderMs;
  for (let repair = 0; repair <= MAX_REPAIRS; repair++) {
    current.body = src;
    const left = deadline - performance.now();
    if (left <= 0) break;
    try {
      return renderTraced(engine, src, page.source, scope, left);
    } catch (e) {
      if (!LiquidError.is(e)) throw e;
      const err = e as LiquidError & { token?: Token };
      const token = err.token;
      const code = codeOf(err);
      diags.warn(code, messageOf(err), page.source, lineOf(token, page, src));
      if (code === 'liquid/limit' && /render/.test(err.message)) break;
      if (!token || token.input !== src || token.end <= token.begin) break;
      // Drop the broken tag, keeping its line breaks so later lines keep their numbers.
      const [from, to] = (err as { span?: [number, number] }).span ?? [token.begin, token.end];
      src = src.slice(0, from) + src.slice(from, to).replace(/[^\n]/g, '') + src.slice(to);
    }
  }
  const body = stripLiquid(src);
  return { body, lines: body.split('\n').map((_, k) => k) };
}

function codeOf(err: LiquidError): string {
  if (LIMIT.test(err.message)) return 'liquid/limit';
  if (/undefined filter/.test(err.message)) return 'liquid/unknown-filter';
  if (/tag .* not found/.test(err.message)) return 'liquid/unknown-tag';
  if (err.name === 'RenderError') return 'liquid/render-error';
  return 'liquid/syntax-error';
}

function messageOf(err: LiquidError): string {
  if (LIMIT.test(err.message)) {
    const what = /template render/.test(err.message)
      ? `took more than ${LIQUID_LIMITS.renderMs / 1000} s`
      : /memory/.test(err.message)
        ? `allocated more than ${LIQUID_LIMITS.memory.toLocaleString('en')} elements`
        : `parsed more than ${LIQUID_LIMITS.parse.toLocaleString('en')} characters`;
    const left = /template render/.test(err.message) ? 'its Liquid is left out' : 'the tag is left out';
    return `Liquid: the page's Liquid ${what} (a runaway loop or include?); ${left}`;
  }
  const first = err.message.split('\n')[0] ?? err.message;
  const text = first.replace(/,\s*(?:file|line):.*$/, '').trim();
  return `Liquid: ${text}; the tag is left out`;
}

/** The last resort when a page cannot be repaired: no Liquid markup shows as text. */
function stripLiquid(src: string): string {
  return src.replace(/\{%[\s\S]*?%\}/g, '').replace(/\{\{[\s\S]*?\}\}/g, '');
}

/**
 * `site.*`: `_config.yml`, the site's pages, its collections (`site.<label>`, `site.collections`,
 * `site.documents`), `_data/` as `site.data`, and the settings bookbinder normalised.
 */
function siteVariables(input: LiquidInput, data: Record<string, unknown>): Record<string, unknown> {
  const { site } = input;
  const pages = input.pages.filter((p) => p.collection === undefined).map(pageVariables);
  const docs = new Map<string, Record<string, unknown>[]>();
  for (const p of input.pages) {
    if (p.collection)
      docs.set(p.collection.label, [...(docs.get(p.collection.label) ?? []), pageVariables(p)]);
  }
  return {
    ...site.data,
    ...Object.fromEntries(docs),
    title: site.title || site.data.title,
    url: site.url,
    baseurl: site.baseurl,
    pages,
    html_pages: pages,
    posts: [],
    collections: [...docs].map(([label, list]) => ({ label, docs: list, relative_directory: `_${label}` })),
    documents: [...docs.values()].flat(),
    data,
    static_files: [],
  };
}

/** `page.*`: the front matter plus what Jekyll computes for a page or a document. */
function pageVariables(page: Page): Record<string, unknown> {
  const name = page.source.split('/').pop() ?? page.source;
  return {
    ...page.front.data,
    url: page.url,
    path: page.collection?.relativePath ?? page.source,
    name,
    dir: page.url.replace(/[^/]*$/, ''),
    ...(page.collection && {
      collection: page.collection.label,
      relative_path: page.collection.relativePath,
      slug: page.front.data.slug ?? name.replace(/\.[^.]*$/, ''),
    }),
  };
}
