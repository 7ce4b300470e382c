/**
 * `bookbinder serve`: an HTTP API in front of a warm Chromium. `POST /render` takes a job's JSON
 * (see job.ts) or a zip or tar (.tar.gz too) of a whole site and answers with the document; bad input is a 4xx with
 * coded diagnostics as JSON. Limits: body size, time per request (a render past it is stopped,
 * then answered 504), renders at once plus a short queue (503 with Retry-After beyond it). `GET /health`, Prometheus `GET /metrics`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Browser } from 'puppeteer';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { relaunchingServiceBrowser } from '../browser/launch.js';
import type { Diagnostic } from '../diagnostics.js';
import { CONTENT_TYPES, type JobResult, parseJob, runJob } from './job.js';
import { type ArchiveKind, buildSiteArchive } from './site.js';

/** Settings of the server. */
export interface ServeOptions {
  readonly host?: string;
  readonly port?: number;
  /** A bearer token every request but /health must carry. */
  readonly token?: string;
  /** Largest request body in bytes (default 20 MB). */
  readonly maxBodyBytes?: number;
  /** Time allowed per render (default 60 s). */
  readonly timeoutMs?: number;
  /** Renders at once (default 2, the cores of a small machine). */
  readonly concurrency?: number;
  /** Requests waiting for a render slot before 503 (default 8). */
  readonly queue?: number;
}

/** A running server. */
export interface RenderServer {
  readonly url: string;
  readonly server: Server;
  /** Stops taking requests, finishes the running ones, closes Chromium. */
  close(): Promise<void>;
}

/** Media types of a whole site's archive (a tar may be gzip-compressed under any of its names). */
const ARCHIVE_TYPES: ReadonlyMap<string, ArchiveKind> = new Map([
  ['application/zip', 'zip'],
  ['application/x-zip-compressed', 'zip'],
  ['application/x-tar', 'tar'],
  ['application/tar', 'tar'],
  ['application/gzip', 'tar'],
  ['application/x-gzip', 'tar'],
  ['application/x-gtar', 'tar'],
  ['application/x-compressed-tar', 'tar'],
]);

/**
 * How long a cancelled render may take to stop before its slot is given back anyway (closing
 * its page makes it fail at once; only synchronous work, a Markdown parse, runs on).
 */
const CANCEL_GRACE_MS = 5_000;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function diag(code: string, message: string): Diagnostic {
  return { severity: 'error', code, message, file: '', line: 0 };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Reads a body up to `limit` bytes (413 beyond). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, 'http/body-too-large', `the body is over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'http/body-too-large', `the body is over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Starts the server (and its browser); resolves once it listens. */
export async function startServer(options: ServeOptions = {}): Promise<RenderServer> {
  const maxBody = options.maxBodyBytes ?? 20_000_000;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const concurrency = options.concurrency ?? 2;
  const queueMax = options.queue ?? 8;
  const token = options.token ? Buffer.from(`Bearer ${options.token}`) : undefined;

  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'bookbinder_' });
  const renders = new Counter({
    name: 'bookbinder_renders_total',
    help: 'Render requests by format and HTTP status.',
    labelNames: ['format', 'status'] as const,
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'bookbinder_render_seconds',
    help: 'Time to render a document.',
    labelNames: ['format'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const cancelled = new Counter({
    name: 'bookbinder_renders_cancelled_total',
    help: 'Renders stopped because they ran past the time limit.',
    labelNames: ['format'] as const,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'bookbinder_renders_running',
    help: 'Renders running.',
    registers: [registry],
  });
  const queued = new Gauge({
    name: 'bookbinder_renders_queued',
    help: 'Renders waiting.',
    registers: [registry],
  });

  /** The browser, relaunched when Chromium went away. */
  const service = await relaunchingServiceBrowser();
  const getBrowser = service.get;

  let running = 0;
  const waiting: (() => void)[] = [];
  let closing = false;
  const idle: (() => void)[] = [];
  const slot = async (): Promise<() => void> => {
    if (running >= concurrency) {
      if (waiting.length >= queueMax)
        throw new HttpError(503, 'http/busy', 'all render slots and the queue are full', {
          'retry-after': '1',
        });
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else running++;
    inFlight.set(running);
    queued.set(waiting.length);
    return () => {
      const next = waiting.shift();
      if (next) next();
      else running--;
      inFlight.set(running);
      queued.set(waiting.length);
      if (running === 0 && active === 0) for (const f of idle.splice(0)) f();
    };
  };

  /** What a request asks for, read and checked before it waits for a slot. */
  const readWork = async (
    req: IncomingMessage,
    url: URL,
  ): Promise<{
    format: string;
    run?: (b: Browser, signal: AbortSignal) => Promise<JobResult>;
    invalid?: JobResult;
  }> => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const archive = ARCHIVE_TYPES.get(type);
    if (type !== 'application/json' && !archive)
      throw new HttpError(
        415,
        'http/unsupported-media-type',
        'send application/json (a job), or a site as application/zip, application/x-tar or application/gzip (a .tar.gz)',
      );
    const body = await readBody(req, maxBody);
    if (archive) {
      const f = url.searchParams.get('format') ?? 'pdf';
      if (f !== 'pdf' && f !== 'epub' && f !== 'html')
        throw new HttpError(400, 'job/invalid', 'format: choose pdf, epub or html');
      return { format: f, run: (b, signal) => buildSiteArchive(body, archive, f, b, signal) };
    }
    let input: unknown;
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new HttpError(400, 'http/invalid-json', `the body is not JSON: ${(e as Error).message}`);
    }
    const parsed = parseJob(input);
    const job = parsed.job;
    if (!job)
      return { format: 'pdf', invalid: { ok: false, format: 'pdf', diagnostics: parsed.diagnostics } };
    return { format: job.format, run: (b, signal) => runJob(job, b, timeoutMs, signal) };
  };

  const render = async (req: IncomingMessage, url: URL): Promise<{ result: JobResult; format: string }> => {
    const { format, run, invalid } = await readWork(req, url);
    if (!run) return { result: invalid!, format };
    const release = await slot();
    const started = process.hrtime.bigint();
    const controller = new AbortController();
    const work = getBrowser().then((b) => run(b, controller.signal));
    let freed = false;
    const free = (): void => {
      if (freed) return;
      freed = true;
      release();
    };
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    void settled.finally(free);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new HttpError(504, 'http/timeout', `the render took over ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return { result: await Promise.race([work, timeout]), format };
    } catch (e) {
      if (e instanceof HttpError && e.code === 'http/timeout') {
        // The render is stopped (its page or browser context closed) and its slot given back
        // before the 504 goes out: a stream of slow jobs cannot hold the slots.
        controller.abort(e);
        cancelled.inc({ format });
        await Promise.race([settled, delay(CANCEL_GRACE_MS)]);
        free();
      }
      throw e;
    } finally {
      clearTimeout(timer);
      seconds.observe({ format }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/health') {
      sendJson(res, closing ? 503 : 200, {
        status: closing ? 'closing' : 'ok',
        running,
        queued: waiting.length,
      });
      return;
    }
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (token && (auth.length !== token.length || !timingSafeEqual(auth, token)))
      throw new HttpError(401, 'http/unauthorized', 'a valid bearer token is required', {
        'www-authenticate': 'Bearer',
      });
    if (req.method === 'GET' && url.pathname === '/metrics') {
      const text = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
      return;
    }
    if (url.pathname !== '/render') throw new HttpError(404, 'http/not-found', `no endpoint ${url.pathname}`);
    if (req.method !== 'POST')
      throw new HttpError(405, 'http/method-not-allowed', 'use POST', { allow: 'POST' });
    if (closing)
      throw new HttpError(503, 'http/closing', 'the server is shutting down', { 'retry-after': '5' });
    const { result, format } = await render(req, url);
    if (!result.ok || !result.data) {
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      const status = errors.some((d) => d.code === 'job/invalid') ? 400 : 422;
      renders.inc({ format, status: String(status) });
      sendJson(res, status, { ok: false, diagnostics: result.diagnostics });
      return;
    }
    renders.inc({ format, status: '200' });
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[result.format],
      'content-length': result.data.byteLength,
      'x-bookbinder-warnings': String(result.diagnostics.filter((d) => d.severity === 'warning').length),
    });
    res.end(result.data);
  };

  /** Requests being answered: a shutdown waits for each to be sent. */
  let active = 0;
  const server = createServer((req, res) => {
    active++;
    res.once('close', () => {
      active--;
      if (active === 0) for (const f of idle.splice(0)) f();
    });
    handle(req, res).catch((e: unknown) => {
      const err =
        e instanceof HttpError
          ? e
          : new HttpError(500, 'http/internal', e instanceof Error ? e.message : String(e));
      if (err.status >= 400) renders.inc({ format: 'unknown', status: String(err.status) });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // A body not read to its end (413) is not waited for: the connection is closed after the answer.
      if (err.status === 413) res.setHeader('connection', 'close');
      sendJson(res, err.status, { ok: false, diagnostics: [diag(err.code, err.message)] }, err.headers);
    });
  });
  server.requestTimeout = timeoutMs + 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    server,
    async close() {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (active > 0 || running > 0) await new Promise<void>((resolve) => idle.push(resolve));
      // Answers still being flushed go out first: a connection is closed once idle, and any
      // left after a few seconds (a client that keeps a connection open) is cut.
      server.closeIdleConnections();
      const poll = setInterval(() => server.closeIdleConnections(), 50);
      const cut = setTimeout(() => server.closeAllConnections(), 5_000);
      await stopped;
      clearInterval(poll);
      clearTimeout(cut);
      await service.close();
    },
  };
}
