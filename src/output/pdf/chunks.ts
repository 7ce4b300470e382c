/**
 * The book's body printed as chunks: runs of whole chapters, each laid out by Chromium as a
 * document of its own, in parallel. Every chapter starts on a new page, so cutting between two
 * chapters changes no line and no page break. Chunk boundaries are chosen from the chapters' ids
 * (content-defined, as rsync and backup tools cut their blocks), so editing one page leaves the
 * other chunks, and their printed PDFs, as they were.
 */
import { createHash } from 'node:crypto';

/** What the planner needs to know of a chapter. */
export interface ChunkInput {
  readonly id: string;
  readonly depth: number;
  /** Its HTML length, as a measure of its print cost. */
  readonly size: number;
}

/** Chunk-size settings. */
export interface ChunkSettings {
  /** The chunk size aimed at, in HTML characters (about 4,000 per page). */
  readonly target: number;
  /** Chunks may only start at top-level chapters (two-sided books: a chunk opens on a recto). */
  readonly topLevelOnly: boolean;
}

/**
 * Chunk sizes are powers of two between these, in HTML characters (about 4,000 a page). The
 * largest bounds memory: a page holds its chunk's layout, accessibility tree and pictures
 * while it prints, and its renderer's peak grows with it. At N=300 (1,709 pages, two pages
 * printing), chunks of 2^20 peaked at 1.16-1.20 GB for the whole build, 2^19 at 0.94-0.99 GB,
 * in the same time.
 */
export const CHUNK_MIN = 2 ** 17;
export const CHUNK_MAX = 2 ** 19;

/**
 * The chunk size aimed at for a body of `total` characters printed on `cores` cores: about two
 * chunks per core (each document costs Chromium a fixed share: fonts, styles, its accessibility
 * tree; measured at N=100 and 300, 2 per core beat 3 and 4), rounded to
 * a power of two (so that a small edit does not change it) between {@link CHUNK_MIN} and
 * {@link CHUNK_MAX} (below, a print's fixed costs dominate; above, memory grows and Chromium slows down).
 */
export function chunkTarget(total: number, cores: number): number {
  const ideal = total / (2 * Math.max(1, cores));
  return Math.min(CHUNK_MAX, Math.max(CHUNK_MIN, 2 ** Math.round(Math.log2(Math.max(1, ideal)))));
}

function hash32(s: string): number {
  return createHash('sha1').update(s).digest().readUInt32BE(0);
}

/**
 * Splits the chapters into chunks; returns the index of each chunk's first chapter. Once a
 * chunk holds three quarters of the target, the next chapter whose id's hash says so starts a
 * new one (about one chapter in every quarter target), and one that would take the chunk past
 * five quarters always does. So chunks stay near the target, and a cut depends on the chapters
 * just before it, not on everything before: after an edit, later cuts fall where they were.
 */
export function planChunks(chapters: readonly ChunkInput[], settings: ChunkSettings): number[] {
  const total = chapters.reduce((n, c) => n + c.size, 0);
  if (chapters.length === 0) return [];
  const { target } = settings;
  const eligible = (i: number): boolean => i > 0 && (!settings.topLevelOnly || chapters[i]!.depth === 0);
  const candidates = chapters.filter((_, i) => eligible(i)).length;
  if (candidates === 0 || total <= target * 1.25) return [0];
  const perQuarter = (target / 4) * ((candidates + 1) / total);
  const k = 2 ** Math.max(0, Math.round(Math.log2(Math.max(1, perQuarter))));
  const starts = [0];
  let size = chapters[0]!.size;
  for (let i = 1; i < chapters.length; i++) {
    const c = chapters[i]!;
    if (eligible(i)) {
      const cut = size + c.size > target * 1.25 || (size >= target * 0.75 && hash32(c.id) % k === 0);
      if (cut && size > 0) {
        starts.push(i);
        size = 0;
      }
    }
    size += c.size;
  }
  return starts;
}

/** The chapters' index ranges `[from, to)` of each chunk. */
export function chunkRanges(starts: readonly number[], count: number): [number, number][] {
  return starts.map((s, i) => [s, starts[i + 1] ?? count]);
}

const ID_ATTR = /\sid="([^"]*)"/g;
const HASH_HREF = /(<a\s[^>]*?href=")#([^"]*)"/g;

/** The ids (as written in the attribute, HTML-escaped) an HTML fragment defines. */
export function definedIds(html: string): Set<string> {
  const out = new Set<string>();
  for (const m of html.matchAll(ID_ATTR)) out.add(m[1]!);
  return out;
}

/** Undoes the HTML escaping of an attribute value. */
export function unescapeAttr(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) =>
    e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : "'",
  );
}

/**
 * The ids each separately printed document must give a named destination to, because another
 * document links to them (`docs[i]` defines `ids[i]`).
 */
export function linkTargets(docs: readonly string[], ids: readonly ReadonlySet<string>[]): Set<string>[] {
  const owner = new Map<string, number>();
  ids.forEach((set, i) => {
    for (const id of set) if (!owner.has(id)) owner.set(id, i);
  });
  const targets = docs.map(() => new Set<string>());
  docs.forEach((html, i) => {
    for (const m of html.matchAll(HASH_HREF)) {
      const id = m[2]!;
      const at = owner.get(id);
      if (at !== undefined && at !== i) targets[at]!.add(id);
    }
  });
  return targets;
}

/** Where links to another part's content point until the join turns them into destinations. */
export const CROSS_LINK_PREFIX = 'https://link.bookbinder.invalid/#';

/**
 * Rewrites a document's `#id` links to ids it does not define but another document does into
 * {@link CROSS_LINK_PREFIX} links, which the merge turns into links to the destination.
 */
export function rewriteCrossLinks(
  html: string,
  own: ReadonlySet<string>,
  known: (id: string) => boolean,
): string {
  return html.replace(HASH_HREF, (all, start: string, id: string) =>
    own.has(id) || !known(id) ? all : `${start}${CROSS_LINK_PREFIX}${encodeURIComponent(unescapeAttr(id))}"`,
  );
}
