/**
 * `--allow-remote`: http(s) images are fetched by us, once each, with a size and a time limit,
 * and then treated like the site's own files. Neither Chromium nor the EPUB packager ever
 * reaches the network; an image that fails becomes a visible placeholder with a warning.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostics } from '../diagnostics.js';
import type { RenderedChapter } from '../model.js';
import { missingImagePlaceholders, sourceLine } from './sanitize.js';

/** Limits for remote images. */
export interface RemoteLimits {
  /** Largest image accepted, in bytes. */
  readonly maxBytes: number;
  /** Time allowed for one image (connection and body), in milliseconds. */
  readonly timeoutMs: number;
}

/** The default limits: 10 MB and 15 seconds per image. */
export const DEFAULT_REMOTE_LIMITS: RemoteLimits = { maxBytes: 10 * 1024 * 1024, timeoutMs: 15_000 };

const EXT: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/svg+xml': 'svg',
  'image/avif': 'avif',
};

const REMOTE_SRC = /(<(?:img|image)\b[^<>]*?\s(?:src|href|xlink:href)=")(https?:\/\/[^"]+)(")/gi;

/** Fetched images, in a temporary folder the caller removes with {@link RemoteImages.dispose}. */
export interface RemoteImages {
  readonly chapters: RenderedChapter[];
  /** Asset path (as used in `bbasset:`) → file. */
  readonly assets: Map<string, string>;
  dispose(): Promise<void>;
}

/** Reads a response body, giving up beyond `maxBytes`. */
async function readLimited(res: Response, maxBytes: number): Promise<Uint8Array | 'too-large'> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return 'too-large';
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (!res.body) return new Uint8Array();
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel();
      return 'too-large';
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

async function fetchOne(
  url: string,
  limits: RemoteLimits,
): Promise<{ data: Uint8Array; ext: string } | string> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    const res = await fetch(url, { signal, redirect: 'follow', headers: { accept: 'image/*' } });
    if (!res.ok) return `HTTP ${res.status}`;
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const ext = EXT[type];
    if (!ext) return `not an image (${type || 'no content type'})`;
    const data = await readLimited(res, limits.maxBytes);
    if (data === 'too-large') return `larger than ${limits.maxBytes} bytes`;
    return { data, ext };
  } catch (e) {
    if (signal.aborted) return `no answer within ${limits.timeoutMs / 1000} s`;
    return e instanceof Error ? e.message : String(e);
  }
}

function unescapeAttr(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Fetches the remote images of every chapter and points them at local copies. */
export async function fetchRemoteImages(
  chapters: readonly RenderedChapter[],
  diags: Diagnostics,
  limits: RemoteLimits = DEFAULT_REMOTE_LIMITS,
): Promise<RemoteImages> {
  const urls = new Map<string, RenderedChapter>();
  for (const c of chapters)
    for (const m of c.html.matchAll(REMOTE_SRC)) if (!urls.has(m[2]!)) urls.set(m[2]!, c);
  const dir = urls.size > 0 ? await mkdtemp(join(tmpdir(), 'bookbinder-remote-')) : undefined;
  const assets = new Map<string, string>();
  const local = new Map<string, string>();
  // One at a time, in document order: a book's images are few, and the order stays stable.
  for (const [written, chapter] of urls) {
    const url = unescapeAttr(written);
    const got = await fetchOne(url, limits);
    if (typeof got === 'string') {
      const page = chapter.chapter.page;
      diags.warn(
        'image/remote-failed',
        `remote image ${url} was not included: ${got}`,
        page.source,
        sourceLine(page, url),
      );
      local.set(written, `bbmissing:${written}`);
      continue;
    }
    const name = `_remote/${createHash('sha256').update(url).digest('hex').slice(0, 16)}.${got.ext}`;
    const file = join(dir!, name.replace('/', '-'));
    await writeFile(file, got.data);
    assets.set(name, file);
    local.set(written, `bbasset:${name}`);
  }
  const out = chapters.map((c) => {
    const assetList = [...c.assets];
    const html = c.html.replace(REMOTE_SRC, (_all, pre: string, url: string, post: string) => {
      const to = local.get(url) ?? `bbmissing:${url}`;
      if (to.startsWith('bbasset:')) {
        const name = to.slice('bbasset:'.length);
        assetList.push({ source: name, absPath: assets.get(name)! });
      }
      return `${pre}${to}${post}`;
    });
    return { ...c, html: missingImagePlaceholders(html), assets: assetList };
  });
  return {
    chapters: out,
    assets,
    dispose: async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
