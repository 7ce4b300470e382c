/**
 * Draws Mermaid diagrams as SVG in headless Chromium, in one page per build that loads nothing
 * from the network: the page, the mermaid modules and the book's fonts are answered from disk
 * under a private origin, and every other request is refused and reported.
 *
 * The SVG that comes back is self-contained: mermaid's `<style>` sheet is resolved into each
 * element's own `style` (the sanitiser drops style sheets, and a book's CSS must not restyle a
 * diagram: just-the-docs' `.label` would turn mermaid's labels into badges), classes are
 * dropped, labels are SVG `<text>` (no HTML in `<foreignObject>`), and the root has a
 * `width`, a `height` and a `viewBox`.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Browser, HTTPRequest, Page } from 'puppeteer';
import { FONT_STACKS, fontFaceCss, fontFile, fontStackCss } from '../fonts/bundled.js';

/** The private origin of the diagram page. */
export const DIAGRAM_ORIGIN = 'https://diagrams.bookbinder.invalid';

/** What drawing one diagram gave. */
export type DiagramResult = (
  | { readonly ok: true; readonly svg: string }
  | {
      readonly ok: false;
      /** Mermaid's own words (first lines). */
      readonly message: string;
      /** The 1-based line of the diagram's source the error names, when it names one. */
      readonly line?: number;
    }
) & {
  /** What the diagram asked to fetch, and was refused. */
  readonly blocked?: readonly string[];
};

/** A page drawing diagrams; close it when done. */
export interface DiagramPage {
  /** Draws one diagram; `id` prefixes every id inside its SVG. */
  render(id: string, source: string): Promise<DiagramResult>;
  close(): Promise<void>;
}

/** Settings of a diagram page. */
export interface DiagramPageOptions {
  /** Told of every request the page made that was not answered from disk. */
  readonly onBlocked: (url: string) => void;
  /** Told of every request the page made (tests check that none left it). */
  readonly onRequest?: (url: string) => void;
  readonly timeoutMs: number;
  /** Mermaid's settings ({@link mermaidConfig}). */
  readonly config: Record<string, unknown>;
}

const require = createRequire(import.meta.url);
let distDir: string | undefined;
/** The folder of mermaid's browser builds. */
function mermaidDist(): string {
  distDir ??= join(dirname(require.resolve('mermaid/package.json')), 'dist');
  return distDir;
}

let version: string | undefined;
/** The mermaid version drawing the diagrams (part of every cache key). */
export function mermaidVersion(): string {
  version ??= (require('mermaid/package.json') as { version: string }).version;
  return version;
}

/**
 * Mermaid's settings: labels as SVG text, the book's sans-serif fonts (the ones text is measured
 * with are the ones it prints with), ids that do not depend on chance, and no click handlers or
 * HTML in labels (`strict`). `secure` keeps `%%{init}%%` directives in a diagram from turning
 * HTML labels back on.
 */
export function mermaidConfig(site: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const font = `${FONT_STACKS.sans}, sans-serif`;
  const ours: Record<string, unknown> = {
    startOnLoad: false,
    securityLevel: 'strict',
    deterministicIds: true,
    htmlLabels: false,
    fontFamily: font,
    themeVariables: { fontFamily: font },
    flowchart: { htmlLabels: false, useMaxWidth: false },
    class: { htmlLabels: false, useMaxWidth: false },
    state: { useMaxWidth: false },
    er: { useMaxWidth: false },
    sequence: {
      useMaxWidth: false,
      actorFontFamily: font,
      noteFontFamily: font,
      messageFontFamily: font,
    },
    gantt: { useMaxWidth: false, fontFamily: font },
    journey: { useMaxWidth: false },
    pie: { useMaxWidth: false },
    mindmap: { useMaxWidth: false },
    secure: ['secure', 'securityLevel', 'startOnLoad', 'maxTextSize', 'maxEdges', 'htmlLabels'],
  };
  // The site's settings (`_includes/mermaid_config.js`: a theme, its colours, curves) under
  // ours, one level deep: a book keeps its fonts, its SVG labels and its safety.
  const out: Record<string, unknown> = { ...site };
  for (const [k, v] of Object.entries(ours)) {
    const theirs = site[k];
    out[k] = isPlainObject(v) && isPlainObject(theirs) ? { ...theirs, ...v } : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The page the diagrams are drawn in: the book's fonts, the sans-serif stack, no margins. Every
 * SVG text is set in the book's sans-serif, whatever mermaid asks: Chromium runs with none of
 * the machine's fonts, so a bare `sans-serif` (which mermaid measures first, and some diagram
 * types write) has no font at all here nor in the PDF.
 */
function pageHtml(): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>diagrams</title><style>' +
    `${fontFaceCss()}\n${fontStackCss()}\n` +
    'body{margin:0;font-family:var(--bb-font-sans);font-size:16px;color:#000}' +
    'svg text,svg tspan,svg textPath{font-family:var(--bb-font-sans)!important}' +
    '</style></head><body><div id="work"></div></body></html>'
  );
}

/** The file a request under the origin names, or undefined when it names none we serve. */
function fileFor(path: string): string | undefined {
  if (path.startsWith('/fonts/')) return fontFile(path);
  if (!path.startsWith('/mermaid/') || !path.endsWith('.mjs')) return undefined;
  const dist = mermaidDist();
  const file = resolve(dist, `.${path.slice('/mermaid'.length)}`);
  const rel = relative(dist, file);
  return rel.startsWith('..') || rel.startsWith(sep) ? undefined : file;
}

async function answer(req: HTTPRequest, options: DiagramPageOptions): Promise<void> {
  const url = req.url();
  options.onRequest?.(url);
  if (!url.startsWith(`${DIAGRAM_ORIGIN}/`)) {
    options.onBlocked(url);
    return req.abort('blockedbyclient');
  }
  const path = decodeURIComponent(new URL(url).pathname);
  if (path === '/index.html')
    return req.respond({ status: 200, contentType: 'text/html; charset=utf-8', body: pageHtml() });
  if (path === '/favicon.ico') return req.respond({ status: 204, body: '' });
  const file = fileFor(path);
  if (!file) {
    options.onBlocked(url);
    return req.abort('blockedbyclient');
  }
  try {
    const body = await readFile(file);
    const type = file.endsWith('.mjs') ? 'text/javascript' : 'font/woff2';
    return req.respond({ status: 200, contentType: type, body });
  } catch {
    options.onBlocked(url);
    return req.abort('failed');
  }
}

/**
 * Opens the diagram page in `browser` and loads mermaid into it. Mermaid's ES module build is
 * used, not its 3.5 MB single-file bundle: its diagram types are separate modules loaded as a
 * book uses them, and the page was ready in 0.7 s instead of 8 to 12 s on a busy machine.
 */
export async function openDiagramPage(browser: Browser, options: DiagramPageOptions): Promise<DiagramPage> {
  const page = await browser.newPage();
  try {
    page.setDefaultTimeout(options.timeoutMs);
    await page.setRequestInterception(true);
    page.on('request', (req: HTTPRequest) => void answer(req, options).catch(() => undefined));
    await page.goto(`${DIAGRAM_ORIGIN}/index.html`, { waitUntil: 'load', timeout: options.timeoutMs });
    await page.evaluate(
      async (url: string, config: Record<string, unknown>) => {
        const mod = (await import(url)) as { default: { initialize(c: unknown): void } };
        mod.default.initialize(config);
        (globalThis as unknown as { bbMermaid: unknown }).bbMermaid = mod.default;
      },
      `${DIAGRAM_ORIGIN}/mermaid/mermaid.esm.min.mjs`,
      options.config,
    );
  } catch (e) {
    await page.close().catch(() => undefined);
    throw e;
  }
  return {
    render: (id, source) => renderIn(page, id, source, options.timeoutMs),
    close: () => page.close().catch(() => undefined),
  };
}

async function renderIn(page: Page, id: string, source: string, timeoutMs: number): Promise<DiagramResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`drawing the diagram took more than ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([page.evaluate(drawInPage, id, source), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs in the page: draws one diagram and makes its SVG self-contained. Kept free of anything
 * outside itself (puppeteer sends its text to the page).
 */
async function drawInPage(id: string, source: string): Promise<DiagramResult> {
  interface Mermaid {
    parse(text: string): Promise<unknown>;
    render(id: string, text: string): Promise<{ svg: string }>;
  }
  const mermaid = (globalThis as unknown as { bbMermaid: Mermaid }).bbMermaid;
  const SVG_NS = 'http://www.w3.org/2000/svg';
  /**
   * What SVG 1.1 (the EPUB's schema) and an HTML parser need: the root is an image, a `rect`
   * has its size, mermaid's own attributes (`name`, `data-*`, kilobytes of edge points) go, and
   * an SVG 2 drop shadow, which HTML parsers lower-case into an unknown element, is drawn with
   * SVG 1.1 filter primitives (or dropped, when nothing uses it).
   */
  // Geometry attributes mermaid also writes on elements they mean nothing to (`x1` on a path,
  // `width` on a circle), which SVG 1.1 does not allow there.
  const GEOMETRY: Record<string, RegExp> = {
    x1: /^(line|linearGradient)$/,
    y1: /^(line|linearGradient)$/,
    x2: /^(line|linearGradient)$/,
    y2: /^(line|linearGradient)$/,
    width: /^(svg|rect|image|use|foreignObject|pattern|mask|filter|symbol|fe[A-Z]\w*)$/,
    height: /^(svg|rect|image|use|foreignObject|pattern|mask|filter|symbol|fe[A-Z]\w*)$/,
    cx: /^(circle|ellipse|radialGradient)$/,
    cy: /^(circle|ellipse|radialGradient)$/,
    r: /^(circle|radialGradient)$/,
    rx: /^(rect|ellipse)$/,
    ry: /^(rect|ellipse)$/,
    points: /^(polygon|polyline)$/,
  };
  /**
   * Every id of the diagram starts with its own `id` (the stage makes that prefix unique in the
   * book), and appears once: mermaid names some parts without it (a sequence diagram's stick
   * figures, drawn twice with one id). References follow the ids they name.
   */
  const ownIds = (root: SVGSVGElement): void => {
    const renamed = new Map<string, string>();
    const seen = new Set<string>();
    for (const el of [root, ...Array.from(root.querySelectorAll('[id]'))]) {
      const old = el.id;
      if (seen.has(old)) {
        el.removeAttribute('id');
        continue;
      }
      seen.add(old);
      if (!old.startsWith(id)) {
        renamed.set(old, `${id}-${old}`);
        el.id = `${id}-${old}`;
      }
    }
    if (renamed.size === 0) return;
    for (const el of [root, ...Array.from(root.querySelectorAll('*'))]) {
      for (const a of Array.from(el.attributes)) {
        const v = /^aria-(labelledby|describedby)$/.test(a.name)
          ? a.value
              .split(/\s+/)
              .map((t) => renamed.get(t) ?? t)
              .join(' ')
          : a.value.replace(/#([^\s"')]+)/g, (m, ref: string) => {
              const to = renamed.get(ref);
              return to === undefined ? m : `#${to}`;
            });
        if (v !== a.value) el.setAttribute(a.name, v);
      }
    }
  };
  const validForEpub = (root: SVGSVGElement): void => {
    root.setAttribute('role', 'img');
    ownIds(root);
    for (const el of Array.from(root.querySelectorAll('*'))) {
      for (const a of Array.from(el.attributes))
        if (
          a.name === 'name' ||
          a.name.startsWith('data-') ||
          (GEOMETRY[a.name] !== undefined && !GEOMETRY[a.name]!.test(el.localName))
        )
          el.removeAttribute(a.name);
      if (el instanceof SVGRectElement) {
        if (!el.hasAttribute('width')) el.setAttribute('width', String(el.width.baseVal.value));
        if (!el.hasAttribute('height')) el.setAttribute('height', String(el.height.baseVal.value));
      }
    }
    const used = root.outerHTML;
    for (const filter of Array.from(root.querySelectorAll('filter'))) {
      const shadows = Array.from(filter.children).filter((c) => c.localName === 'feDropShadow');
      if (shadows.length === 0) continue;
      // Referenced as `url(#id)` in an attribute or `url("#id")` in a style (`&quot;` here).
      if (!filter.id || !new RegExp(`#${filter.id}(\\)|"|&quot;|')`).test(used)) {
        filter.remove();
        continue;
      }
      for (const s of shadows) {
        const at = (n: string, d: string): string => s.getAttribute(n) ?? d;
        const make = (tag: string, attrs: Record<string, string>): Element => {
          const e = document.createElementNS(SVG_NS, tag);
          for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
          return e;
        };
        const merge = make('feMerge', {});
        merge.append(make('feMergeNode', {}), make('feMergeNode', { in: 'SourceGraphic' }));
        s.replaceWith(
          make('feGaussianBlur', { in: 'SourceAlpha', stdDeviation: at('stdDeviation', '2') }),
          make('feOffset', { dx: at('dx', '2'), dy: at('dy', '2'), result: 'offset' }),
          make('feFlood', {
            'flood-color': at('flood-color', '#000'),
            'flood-opacity': at('flood-opacity', '1'),
          }),
          make('feComposite', { in2: 'offset', operator: 'in' }),
          merge,
        );
      }
    }
  };
  const work = document.getElementById('work')!;
  const failure = (e: unknown): DiagramResult => {
    const text = e instanceof Error ? e.message : String(e);
    const line = /\bon line (\d+)/i.exec(text)?.[1];
    // A parse error quotes the text around the error and points at it with `---^`: the line
    // number says where, so the quote and the pointer are left out.
    const lines = text.split('\n');
    if (/^-*\^$/.test(lines[2]?.trim() ?? '')) lines.splice(1, 2);
    const message = lines.slice(0, 3).join(' ').replace(/\s+/g, ' ').trim().slice(0, 300);
    return { ok: false, message, ...(line !== undefined && { line: Number(line) }) };
  };
  // The fonts of the characters the diagram writes, in the weights it may use, are loaded before
  // mermaid measures its labels: measured with a font not yet there, boxes would not fit them.
  const stack = getComputedStyle(document.body).fontFamily;
  await Promise.all(
    ['400', '700', 'italic 400'].map((w) =>
      document.fonts.load(`${w} 16px ${stack}`, source).catch(() => []),
    ),
  );
  let svgText: string;
  try {
    await mermaid.parse(source);
    svgText = (await mermaid.render(id, source)).svg;
  } catch (e) {
    return failure(e);
  } finally {
    // A failed render leaves its scratch element in the body.
    for (const el of Array.from(document.body.children)) if (el !== work) el.remove();
  }
  work.innerHTML = svgText;
  const svg = work.querySelector('svg');
  if (!svg) return { ok: false, message: 'mermaid drew no SVG' };
  if (svg.querySelector('foreignObject'))
    return { ok: false, message: 'mermaid drew HTML labels, which no book output can keep' };

  const INHERITED = [
    'fill',
    'fill-opacity',
    'fill-rule',
    'stroke',
    'stroke-width',
    'stroke-opacity',
    'stroke-dasharray',
    'stroke-dashoffset',
    'stroke-linecap',
    'stroke-linejoin',
    'stroke-miterlimit',
    'font-family',
    'font-size',
    'font-weight',
    'font-style',
    'text-anchor',
    'dominant-baseline',
    'letter-spacing',
    'word-spacing',
    'text-transform',
    'white-space',
    'color',
    'visibility',
    'marker-start',
    'marker-mid',
    'marker-end',
  ];
  const OWN = [
    'opacity',
    'display',
    'filter',
    'alignment-baseline',
    'stop-color',
    'stop-opacity',
    'text-decoration-line',
  ];
  // What an element of the same name has when no style sheet says anything: a probe outside it.
  const probeRoot = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  work.append(probeRoot);
  const initial = new Map<string, CSSStyleDeclaration>();
  const initialOf = (tag: string): CSSStyleDeclaration => {
    let cs = initial.get(tag);
    if (!cs) {
      const probe = document.createElementNS('http://www.w3.org/2000/svg', tag);
      probeRoot.append(probe);
      cs = getComputedStyle(probe);
      initial.set(tag, cs);
    }
    return cs;
  };
  const bodyStyle = getComputedStyle(document.body);
  const styled: [Element, string][] = [];
  const visit = (el: Element, parent: CSSStyleDeclaration): void => {
    const cs = getComputedStyle(el);
    const base = initialOf(el.localName);
    const decls: string[] = [];
    for (const p of INHERITED) {
      const v = cs.getPropertyValue(p);
      // The root writes every inherited property: in a book it sits inside other styles.
      if (el === svg || v !== parent.getPropertyValue(p)) decls.push(`${p}:${v}`);
    }
    for (const p of OWN) {
      const v = cs.getPropertyValue(p);
      if (v !== base.getPropertyValue(p)) decls.push(`${p}:${v}`);
    }
    styled.push([el, decls.join(';')]);
    for (const child of Array.from(el.children)) visit(child, cs);
  };
  visit(svg, bodyStyle);
  probeRoot.remove();
  // The style now says what the presentation attributes said (or what overrode them): a
  // `font-family="sans-serif"` left behind would print with no font at all.
  const presentation = new Set([...INHERITED, ...OWN]);
  for (const [el, css] of styled) {
    if (css === '') el.removeAttribute('style');
    else el.setAttribute('style', css);
    el.removeAttribute('class');
    for (const a of Array.from(el.attributes)) if (presentation.has(a.name)) el.removeAttribute(a.name);
  }
  for (const style of Array.from(svg.querySelectorAll('style'))) style.remove();
  validForEpub(svg);
  const box = svg.viewBox.baseVal;
  const round = (n: number): string => String(Math.round(n * 100) / 100);
  if (box && box.width > 0 && box.height > 0) {
    svg.setAttribute('width', round(box.width));
    svg.setAttribute('height', round(box.height));
  } else {
    const r = svg.getBBox();
    svg.setAttribute('viewBox', `${round(r.x)} ${round(r.y)} ${round(r.width)} ${round(r.height)}`);
    svg.setAttribute('width', round(r.width));
    svg.setAttribute('height', round(r.height));
  }
  const out = new XMLSerializer().serializeToString(svg);
  work.innerHTML = '';
  return { ok: true, svg: out };
}
