/**
 * Printed PDF chunks kept between builds (a preview, a program that rebuilds): a chunk whose
 * HTML did not change is not printed again. Kept apart from the renderer so that holding one
 * costs no PDF modules.
 */
import type { FigureScale } from './figures.js';
import type { LayoutReport } from './layout.js';

/**
 * What a chunk printed again was settled with: the words of each of its chapters kept whole
 * (off a page turn) and the figures set smaller to fit their page.
 */
export interface Settled {
  readonly words: readonly (readonly string[])[];
  readonly figures: readonly FigureScale[];
}

/** Content-keyed printed chunks, least recently used dropped beyond `maxBytes`. */
export class PrintCache {
  readonly #entries = new Map<string, Uint8Array>();
  /** What the layout check found in each printed chunk (it does not run again on a hit). */
  readonly layout = new Map<string, LayoutReport>();
  /**
   * For a chunk printed again with words kept whole (off a page turn) or figures set smaller,
   * by its first document's key: what it was settled with. The last printing is stored under
   * its own key.
   */
  readonly kept = new Map<string, Settled>();
  /** Remembers what a chunk was settled with (the most recent few thousand chunks). */
  keep(key: string, settled: Settled): void {
    this.kept.delete(key);
    this.kept.set(key, settled);
    if (this.kept.size > 4096) this.kept.delete(this.kept.keys().next().value!);
  }
  constructor(private readonly maxBytes = 512 * 2 ** 20) {}
  get(key: string): Uint8Array | undefined {
    const v = this.#entries.get(key);
    if (v) {
      // Most recently used last.
      this.#entries.delete(key);
      this.#entries.set(key, v);
    }
    return v;
  }
  /** Forgets a document (one printed again since). */
  delete(key: string): void {
    this.#entries.delete(key);
    this.layout.delete(key);
  }
  set(key: string, pdf: Uint8Array): void {
    this.#entries.set(key, pdf);
    let bytes = 0;
    for (const v of this.#entries.values()) bytes += v.length;
    for (const [k, v] of this.#entries) {
      if (bytes <= this.maxBytes || this.#entries.size <= 1) break;
      this.#entries.delete(k);
      this.layout.delete(k);
      this.kept.delete(k);
      bytes -= v.length;
    }
  }
}
