/**
 * `bookbinder preview`: serves the book as it will print on 127.0.0.1, rebuilds it when a file
 * of the site changes (re-rendering only the pages whose Markdown changed), reloads the page
 * through server-sent events and shows the current diagnostics on it. The PDF itself, exactly
 * paginated, is one click away at `/book.pdf`.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type FSWatcher, watch } from 'chokidar';
import type { Browser } from 'puppeteer';
import { launchBrowser } from '../browser/launch.js';
import { MEDIA_TYPES } from '../browser/serve.js';
import { type BuildOptions, type BuildResult, build } from '../build.js';
import { sanitizeSvgFile } from '../compose/sanitize.js';
import { type Diagnostic, Diagnostics, formatDiagnostic } from '../diagnostics.js';
import { PrintCache } from '../output/pdf/cache.js';
import { renderPdf } from '../output/pdf/render.js';
import { RenderCache } from '../render-cache.js';
import { previewPage } from './page.js';

/** How to run a preview. */
export interface PreviewOptions extends BuildOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** Lines for the user (rebuilds, problems). */
  readonly log?: (line: string) => void;
  /**
   * Reads the build options again before each rebuild (the config file may have changed);
   * without it the options given here are used every time.
   */
  readonly reload?: () => Promise<BuildOptions>;
  /** Extra files to watch besides the source folder (a config file outside it). */
  readonly watchFiles?: readonly string[];
}

/** A running preview. */
export interface PreviewServer {
  /** `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** Completed builds so far (the first is 1). */
  readonly generation: number;
  /** Chapters rendered and taken from the cache in the last build. */
  readonly lastStats: { readonly rendered: number; readonly cached: number };
  /** Pages listening for reloads right now. */
  readonly listeners: number;
  /** Resolves when the build after the current one (or the one in progress) is done. */
  nextBuild(): Promise<number>;
  /** Stops watching, closes the server, the event streams and the browser. */
  close(): Promise<void>;
}

/** Starts the preview: builds once, then serves and watches. */
export async function startPreview(options: PreviewOptions): Promise<PreviewServer> {
  const log = options.log ?? (() => undefined);
  const cache = new RenderCache();
  // Printed chunks: after an edit, /book.pdf prints only the chunk that changed and the contents.
  const printCache = new PrintCache();
  const clients = new Set<ServerResponse>();
  let current: BuildResult | undefined;
  let generation = 0;
  let stats = { rendered: 0, cached: 0 };
  let building: Promise<void> | undefined;
  let dirty = false;
  let waiters: ((g: number) => void)[] = [];
  let pdf: { generation: number; data: Promise<Uint8Array> } | undefined;
  let browser: Promise<Browser> | undefined;
  /** What printing the current build's PDF reported. */
  let pdfDiagnostics: readonly Diagnostic[] = [];

  const runBuild = async (): Promise<void> => {
    const start = performance.now();
    const opts = options.reload ? await options.reload() : options;
    const result = await build({ ...opts, formats: [], renderCache: cache });
    current = result;
    generation++;
    pdfDiagnostics = [];
    stats = { rendered: cache.misses, cached: cache.hits };
    const { warnings, errors } = result.report;
    log(
      `bookbinder: built in ${((performance.now() - start) / 1000).toFixed(2)} s — ${stats.rendered} page${stats.rendered === 1 ? '' : 's'} rendered, ${stats.cached} from cache; ${errors.length} error${errors.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`,
    );
    for (const res of clients) res.write(`event: build\ndata: ${generation}\n\n`);
    const ready = waiters;
    waiters = [];
    for (const w of ready) w(generation);
  };
  const schedule = (): void => {
    if (building) {
      dirty = true;
      return;
    }
    building = runBuild()
      .catch((e: unknown) =>
        log(`bookbinder: preview build failed: ${e instanceof Error ? e.message : String(e)}`),
      )
      .finally(() => {
        building = undefined;
        if (dirty) {
          dirty = false;
          schedule();
        }
      });
  };

  schedule();
  await building;

  const source = resolve(options.source);
  const outDir = options.outDir === undefined ? undefined : resolve(options.outDir);
  const watcher: FSWatcher = watch([source, ...(options.watchFiles ?? [])], {
    ignoreInitial: true,
    ignored: (path: string) => {
      const rel = relative(source, path);
      if (outDir !== undefined && (path === outDir || path.startsWith(`${outDir}${sep}`))) return true;
      return rel.split(sep).some((part) => ['node_modules', '.git', '_site', '.jekyll-cache'].includes(part));
    },
  });
  let timer: NodeJS.Timeout | undefined;
  watcher.on('all', (_event, path: string) => {
    // A changed image or _config.yml can change any page's render; Markdown changes key themselves.
    if (!/\.(md|markdown|mkdown|mkdn|mkd)$/i.test(path)) cache.clear();
    if (timer) clearTimeout(timer);
    timer = setTimeout(schedule, 80);
  });
  await new Promise<void>((ready) => watcher.once('ready', () => ready()));

  const printPdf = (book: NonNullable<BuildResult['book']>, assets: ReadonlyMap<string, string>) => {
    browser ??= launchBrowser();
    const printed = generation;
    return browser.then(async (b) => {
      // The PDF's own diagnostics (a page that overflows, a font missing) are logged and shown
      // on the page, as the build's are.
      const diags = new Diagnostics();
      const out = await renderPdf(
        b,
        book,
        { assets, timeoutMs: 120_000, printCache, themeDir: source },
        diags,
      );
      if (printed === generation) pdfDiagnostics = diags.list();
      for (const d of diags.list()) if (d.severity !== 'info') log(`bookbinder: ${formatDiagnostic(d)}`);
      return out.pdf;
    });
  };

  // A request the server cannot understand gets an answer, never a throw: a throw in a request
  // handler would end the preview for every later request.
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      answer(req, res);
    } catch (e) {
      log(`bookbinder: preview: ${req.url ?? ''}: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
    }
  };

  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    const path = requestPath(req.url);
    if (path === undefined) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request: malformed URL');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(`retry: 500\nevent: build\ndata: ${generation}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (path === '/' || path === '/index.html') {
      const nonce = randomBytes(16).toString('base64');
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        // Only the reload script (with the nonce) runs; scripts in the book's pages never do.
        'content-security-policy': `default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; script-src 'nonce-${nonce}'; connect-src 'self'`,
      });
      res.end(current ? previewPage(current, generation, nonce, pdfDiagnostics) : 'building…');
      return;
    }
    if (path === '/status.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ generation, ...stats, report: current?.report }));
      return;
    }
    if (path === '/book.pdf' && current?.book) {
      if (pdf?.generation !== generation)
        pdf = { generation, data: printPdf(current.book, current.assets ?? new Map<string, string>()) };
      pdf.data.then(
        (data) => {
          res.writeHead(200, { 'content-type': 'application/pdf', 'cache-control': 'no-store' });
          res.end(Buffer.from(data));
        },
        (e: unknown) => {
          pdf = undefined;
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end(`the PDF could not be printed: ${e instanceof Error ? e.message : String(e)}`);
        },
      );
      return;
    }
    const file = path.startsWith('/src/') ? current?.assets?.get(path.slice(5)) : undefined;
    if (file && extname(file).toLowerCase() === '.svg') {
      // An SVG file is a document that can script and fetch: the preview serves it with the
      // same sanitiser as the outputs, and a policy that lets it load nothing.
      readFile(file, 'utf8').then(
        (text) => {
          res.writeHead(200, {
            'content-type': 'image/svg+xml',
            'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            'x-content-type-options': 'nosniff',
          });
          res.end(sanitizeSvgFile(text).svg);
        },
        () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'),
      );
      return;
    }
    if (file) {
      res.writeHead(200, {
        'content-type': MEDIA_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'x-content-type-options': 'nosniff',
      });
      createReadStream(file)
        .on('error', () => res.end())
        .pipe(res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  };

  const server: Server = createServer(handle);
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(options.port, '127.0.0.1', () => ready());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/`,
    get generation() {
      return generation;
    },
    get lastStats() {
      return stats;
    },
    get listeners() {
      return clients.size;
    },
    nextBuild: () => new Promise<number>((done) => waiters.push(done)),
    close: async () => {
      if (timer) clearTimeout(timer);
      await watcher.close();
      for (const res of clients) res.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await building;
      const b = await browser?.catch(() => undefined);
      await b?.close().catch(() => b.process()?.kill('SIGKILL'));
    },
  };
}

/** The decoded path of a request URL, or undefined when it is malformed (`/%E0%A4%A`). */
function requestPath(url: string | undefined): string | undefined {
  try {
    return decodeURIComponent(new URL(url ?? '/', 'http://127.0.0.1').pathname);
  } catch {
    return undefined;
  }
}
