/** Heading ids as Jekyll's kramdown (GFM input) makes them, so existing `page/#id` links land. */

const NON_WORD = /[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu;

/** `Kramdown::Parser::GFM#generate_gfm_header_id` without the per-document counter. */
export function gfmSlug(text: string): string {
  return text.toLowerCase().replace(NON_WORD, '').replaceAll(' ', '-');
}

/** kramdown's per-document counter: the first `intro` stays, the next is `intro-1`. */
export class SlugCounter {
  readonly #counts = new Map<string, number>();

  /** Returns the id kramdown gives the next heading with this base slug. */
  next(base: string): string {
    const n = (this.#counts.get(base) ?? -1) + 1;
    this.#counts.set(base, n);
    const id = n > 0 ? `${base}-${n}` : base;
    return id === '' ? 'section' : id;
  }
}
