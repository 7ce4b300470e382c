/**
 * The diagram stage: between rendering and composing, each `mermaid` placeholder of the book
 * becomes an SVG figure, drawn once per distinct source (cached across builds) in one page of
 * the build's Chromium. A diagram that does not parse is a warning at its line and stays code.
 * A book without diagrams never gets here; one whose diagrams are all cached starts no browser.
 */
import type { Browser } from 'puppeteer';
import { BrowserNotFoundError } from '../browser/launch.js';
import {
  type DiagramPage,
  type DiagramResult,
  mermaidConfig,
  mermaidVersion,
  openDiagramPage,
} from '../browser/mermaid.js';
import { pageSlot, withSharedBrowser } from '../browser/pool.js';
import { sanitizeSvgFile } from '../compose/sanitize.js';
import type { Diagnostics } from '../diagnostics.js';
import { escapeHtml } from '../markdown/render.js';
import type { RenderedChapter } from '../model.js';
import { cacheDiagram, cachedDiagram, diagramKey } from './cache.js';
import { decodeText, type DiagramRef, findDiagrams, hasDiagrams, replaceDiagrams } from './placeholders.js';

/** How the diagrams are drawn. */
export interface DrawOptions {
  /** A browser to draw in (the caller keeps it); otherwise the shared one. */
  readonly browser?: Browser;
  /** Time for one diagram. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Told of every request the diagram page makes (tests check that none leaves it). */
  readonly onRequest?: (url: string) => void;
  /** The site's mermaid settings (`_includes/mermaid_config.js`), under bookbinder's own. */
  readonly siteConfig?: Readonly<Record<string, unknown>>;
}

/** What the stage did, for timings and tests. */
export interface DrawStats {
  /** Distinct diagrams drawn in the browser in this build. */
  readonly drawn: number;
  /** Distinct diagrams found in the cache. */
  readonly cached: number;
}

/** Whether any chapter of the book holds a diagram placeholder. */
export function bookHasDiagrams(chapters: readonly RenderedChapter[]): boolean {
  return chapters.some((c) => hasDiagrams(c.html));
}

/** Replaces the book's diagram placeholders with SVG figures (or code, for broken diagrams). */
export async function drawDiagrams(
  chapters: readonly RenderedChapter[],
  options: DrawOptions,
  diags: Diagnostics,
): Promise<{ chapters: RenderedChapter[]; stats: DrawStats }> {
  const config = mermaidConfig(options.siteConfig);
  const version = mermaidVersion();
  const keyOf = new Map<string, string>();
  for (const c of chapters)
    for (const ref of findDiagrams(c.html))
      if (!keyOf.has(ref.source)) keyOf.set(ref.source, diagramKey(ref.source, version, config));
  const results = new Map<string, DiagramResult>();
  const missing: [string, string][] = [];
  for (const [source, key] of keyOf) {
    const hit = cachedDiagram(key);
    if (hit) results.set(key, hit);
    else missing.push([source, key]);
  }
  const cached = results.size;
  if (missing.length > 0) await drawMissing(missing, results, config, options, diags);
  const out = chapters.map((c) => withFigures(c, keyOf, results, version, diags));
  return { chapters: out, stats: { drawn: results.size - cached, cached } };
}

/** Draws the diagrams not in the cache, in one page of the build's browser. */
async function drawMissing(
  missing: readonly [string, string][],
  results: Map<string, DiagramResult>,
  config: Record<string, unknown>,
  options: DrawOptions,
  diags: Diagnostics,
): Promise<void> {
  // Requests are refused while one diagram is drawn at a time: each is told to its diagram.
  const blocked = new Set<string>();
  let refusedOutside = false;
  const draw = async (browser: Browser): Promise<void> => {
    const release = await pageSlot(browser);
    const open = (): Promise<DiagramPage> =>
      openDiagramPage(browser, {
        onBlocked: (url) => {
          if (current === undefined) refusedOutside = true;
          else blocked.add(url);
        },
        ...(options.onRequest && { onRequest: options.onRequest }),
        timeoutMs: options.timeoutMs ?? 60_000,
        config,
      });
    let page: DiagramPage | undefined;
    let current: string | undefined;
    try {
      for (const [source, key] of missing) {
        if (results.has(key)) continue;
        options.signal?.throwIfAborted();
        page ??= await open();
        try {
          current = key;
          blocked.clear();
          const drawn = await page.render(`bbm${key.slice(0, 16)}`, source).finally(() => {
            current = undefined;
          });
          const r = blocked.size > 0 ? { ...drawn, blocked: [...blocked].sort() } : drawn;
          results.set(key, r);
          cacheDiagram(key, r);
        } catch (e) {
          // A diagram that hangs or crashes the page is not cached; the next gets a fresh page.
          if (!browser.connected) throw e;
          results.set(key, { ok: false, message: e instanceof Error ? e.message : String(e) });
          await page.close();
          page = undefined;
        }
      }
    } finally {
      await page?.close();
      release();
    }
  };
  try {
    if (options.browser) await draw(options.browser);
    else await withSharedBrowser(draw);
  } catch (e) {
    if (options.signal?.aborted) throw e;
    const why = e instanceof BrowserNotFoundError ? e.message : e instanceof Error ? e.message : String(e);
    diags.warn('mermaid/no-browser', `the diagrams could not be drawn, they stay as code: ${why}`);
  }
  // Our own page asking for something we do not serve is our bug, not the author's.
  if (refusedOutside)
    diags.info('mermaid/page-blocked', 'the diagram page asked for something it is not given');
}

/** A chapter with its placeholders replaced. */
function withFigures(
  c: RenderedChapter,
  keyOf: ReadonlyMap<string, string>,
  results: ReadonlyMap<string, DiagramResult>,
  version: string,
  diags: Diagnostics,
): RenderedChapter {
  if (!hasDiagrams(c.html)) return c;
  const page = c.chapter.page;
  const fileLine = (bodyLine: number): number => page.bodyLine + (page.sourceLines?.[bodyLine] ?? bodyLine);
  const html = replaceDiagrams(c.html, (ref, index) => {
    const key = keyOf.get(ref.source)!;
    const r = results.get(key);
    if (!r) return undefined;
    for (const url of r.blocked ?? [])
      diags.warn(
        'mermaid/blocked',
        `the diagram asks for ${url.slice(0, 120)}, which is not fetched (nothing in a book comes from elsewhere)`,
        page.source,
        fileLine(ref.bodyLine),
      );
    if (!r.ok) {
      diags.warn(
        'mermaid/invalid',
        `the mermaid diagram cannot be drawn (mermaid ${version}: ${r.message}); it is kept as code`,
        page.source,
        fileLine(errorLine(ref, r.line)),
      );
      return undefined;
    }
    const id = `${c.chapter.id}-mermaid-${index + 1}`;
    const svg = labelDiagram(sanitizeSvgFile(r.svg.replaceAll(`bbm${key.slice(0, 16)}`, id)).svg.trim());
    return `<figure class="diagram mermaid">${svg}</figure>\n`;
  });
  return { ...c, html };
}

/** mermaid's `aria-roledescription` values, as a reader would name the kind of diagram. */
const KINDS: Readonly<Record<string, string>> = {
  'flowchart-v2': 'Flowchart',
  flowchart: 'Flowchart',
  graph: 'Flowchart',
  sequence: 'Sequence diagram',
  class: 'Class diagram',
  classDiagram: 'Class diagram',
  stateDiagram: 'State diagram',
  state: 'State diagram',
  er: 'Entity relationship diagram',
  gantt: 'Gantt chart',
  pie: 'Pie chart',
  journey: 'User journey',
  mindmap: 'Mind map',
  timeline: 'Timeline',
  gitGraph: 'Git graph',
};

/**
 * A drawn diagram is an image (`role="img"`), so its own text is hidden from a screen reader:
 * one the author gave no `accTitle` gets a name from its kind and its labels (axe/Ace
 * svg-img-alt), e.g. "Flowchart: Start, Check, Done".
 */
export function labelDiagram(svg: string): string {
  const open = /^<svg\b[^>]*>/.exec(svg)?.[0];
  if (!open || /\saria-label(?:ledby)?="[^"]*\S/.test(open) || /^<svg\b[^>]*>\s*<title>/.test(svg))
    return svg;
  const role = /\saria-roledescription="([^"]*)"/.exec(open)?.[1] ?? '';
  const kind = KINDS[role] ?? 'Diagram';
  const words: string[] = [];
  const body = svg.slice(open.length).replace(/<(style|title|desc)\b[^>]*>[\s\S]*?<\/\1>/g, '');
  for (const m of body.matchAll(/>([^<>]+)</g)) {
    const w = decodeText(m[1]!).replace(/\s+/g, ' ').trim();
    if (w !== '' && !words.includes(w)) words.push(w);
  }
  let label = words.length > 0 ? `${kind}: ${words.join(', ')}` : kind;
  if (label.length > 200) label = `${label.slice(0, 199).replace(/\s+\S*$/, '')}…`;
  return svg.replace(/^<svg\b/, `<svg aria-label="${escapeHtml(label)}"`);
}

/**
 * The 0-based body line a diagram's error names: mermaid counts lines from its first non-blank
 * line; beyond the diagram (or unnamed), the fence's own line.
 */
function errorLine(ref: DiagramRef, line: number | undefined): number {
  if (line === undefined || line < 1) return ref.bodyLine;
  const lines = ref.source.split('\n');
  const blank = lines.findIndex((l) => l.trim() !== '');
  const at = (blank < 0 ? 0 : blank) + line;
  return at <= lines.length ? ref.bodyLine + at : ref.bodyLine;
}
