/**
 * The render cache a preview keeps between builds: a chapter's Markdown is rendered again only
 * when what its HTML depends on changed — its own text and place in the book, the ids claimed
 * before it, and the site's link targets. Keys are content hashes, never file times.
 */
import { createHash } from 'node:crypto';
import type { FragmentRef } from './compose/resolve.js';
import type { Diagnostic } from './diagnostics.js';
import type { Asset, Chapter, Heading, Page, SiteConfig } from './model.js';

/** What one chapter's render produced, kept so a hit replays it exactly. */
export interface CachedRender {
  readonly html: string;
  readonly headings: RenderedHeadings;
  readonly styles: readonly string[];
  readonly anchors: Readonly<Record<string, string>>;
  readonly assets: readonly Asset[];
  /** Ids the render added to the book-wide set, in order. */
  readonly claimed: readonly string[];
  /** The page's own first heading, when it is the title as the page writes it. */
  readonly pageTitle?: string;
  readonly diagnostics: readonly Diagnostic[];
  /** Links with a `#fragment`, checked once every chapter's ids are known. */
  readonly fragments: readonly FragmentRef[];
}
type RenderedHeadings = readonly Heading[];

/** A content-keyed cache of rendered chapters, with hit and miss counts for the last build. */
export class RenderCache {
  readonly #entries = new Map<string, CachedRender>();
  #used = new Set<string>();
  /** Chapters served from the cache in the current build. */
  hits = 0;
  /** Chapters rendered in the current build. */
  misses = 0;

  /** Starts a build: resets the counts. */
  begin(): void {
    this.hits = 0;
    this.misses = 0;
    this.#used = new Set();
  }

  /** Ends a build: forgets entries the build did not use, so memory follows the book's size. */
  end(): void {
    for (const key of [...this.#entries.keys()]) if (!this.#used.has(key)) this.#entries.delete(key);
  }

  /** Forgets everything (an image or `_config.yml` changed: every render may differ). */
  clear(): void {
    this.#entries.clear();
  }

  /** The entry for `key`, counting a hit or a miss. */
  get(key: string): CachedRender | undefined {
    this.#used.add(key);
    const hit = this.#entries.get(key);
    if (hit) this.hits++;
    else this.misses++;
    return hit;
  }

  /** Stores a render. */
  set(key: string, value: CachedRender): void {
    this.#used.add(key);
    this.#entries.set(key, value);
  }

  /** The number of stored chapters. */
  get size(): number {
    return this.#entries.size;
  }
}

/** A SHA-256 over the parts, separated so that `["ab","c"]` and `["a","bc"]` differ. */
export function hashParts(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:${p}`);
  return h.digest('hex');
}

/** What every chapter's links depend on: the site's pages, the book's chapters, the site URL. */
export function linkIndexKey(chapters: readonly Chapter[], pages: readonly Page[], site: SiteConfig): string {
  return hashParts([
    site.url,
    site.baseurl,
    ...chapters.map((c) => `${c.id}\t${c.page.source}\t${c.page.url}`),
    ...pages.map((p) => `${p.source}\t${p.url}`),
  ]);
}

/** The key of one chapter's render, given the chain hash of the ids claimed before it. */
export function chapterKey(chain: string, indexKey: string, chapter: Chapter): string {
  return hashParts([
    chain,
    indexKey,
    chapter.id,
    chapter.title,
    String(chapter.depth),
    chapter.page.source,
    String(chapter.page.bodyLine),
    JSON.stringify(chapter.page.front.data),
    chapter.page.body,
  ]);
}
