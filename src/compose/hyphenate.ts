/**
 * Build-time hyphenation: Chromium ships no hyphenation dictionaries on Linux, so justified
 * text would have rivers. Soft hyphens (U+00AD) are inserted into the words of running text with
 * the `hyphen` package's patterns for the book's language; code, headings, URLs and the like
 * are left alone.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

/** Hyphenates one word with soft hyphens. */
export type WordHyphenator = (word: string) => string;

const require = createRequire(import.meta.url);

/** The hyphenator for a BCP 47 language tag (`en`, `de-CH`, `pt-BR`), or undefined if none. */
export function hyphenatorFor(lang: string): WordHyphenator | undefined {
  if (!hyphenators.has(lang)) hyphenators.set(lang, loadHyphenator(lang));
  return hyphenators.get(lang);
}

const hyphenators = new Map<string, WordHyphenator | undefined>();

function loadHyphenator(lang: string): WordHyphenator | undefined {
  const tag = lang.toLowerCase().replace(/_/g, '-');
  const candidates = [tag, tag.split('-')[0] ?? tag];
  for (const code of candidates) {
    if (!/^[a-z]{2,3}(-[a-z0-9]+)*$/.test(code)) continue;
    let mod: unknown;
    try {
      mod = require(`hyphen/${code}`);
    } catch {
      continue;
    }
    if (
      mod !== null &&
      typeof mod === 'object' &&
      'hyphenateSync' in mod &&
      typeof mod.hyphenateSync === 'function'
    ) {
      const fn = mod.hyphenateSync as (
        text: string,
        options: { hyphenChar: string; minWordLength: number },
      ) => string;
      // No break point inside an f-ligature (ff, fi, fl): Chromium then shapes the soft hyphen
      // on its own and takes it from a machine font.
      // Words repeat (Zipf): each distinct word is hyphenated once per process.
      const words = new Map<string, string>();
      return (word) => {
        let out = words.get(word);
        if (out === undefined) {
          out = fn(word, { hyphenChar: '\u00ad', minWordLength: 6 }).replace(/f\u00ad(?=[fil])/g, 'f');
          if (words.size > 200_000) words.clear();
          words.set(word, out);
        }
        return out;
      };
    }
  }
  return undefined;
}

/** Elements whose text is not hyphenated. */
const SKIP = new Set([
  'pre',
  'code',
  'kbd',
  'samp',
  'script',
  'style',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'math',
  'svg',
  'var',
  'tt',
]);

/** Words of six letters or more in the scripts hyphenation patterns exist for (not CJK, Arabic…). */
const ALPHABETIC_WORD = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{M}]{6,}/gu;

/**
 * Rewrites the text of an HTML fragment (never its tags or attribute values), leaving alone the
 * text inside the elements `skip` names by their lower-cased tag name and start tag.
 */
function mapText(
  html: string,
  skip: (name: string, tag: string) => boolean,
  edit: (text: string, at: number) => string,
): string {
  const skipped: string[] = [];
  return html.replace(
    /(<[^>]*>)|([^<]+)/g,
    (_all, tag: string | undefined, text: string | undefined, at: number) => {
      if (tag !== undefined) {
        const m = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/.exec(tag);
        const name = m?.[2]?.toLowerCase();
        if (name && (skipped.includes(name) || skip(name, tag)) && !tag.endsWith('/>')) {
          if (m?.[1] === '/') {
            const i = skipped.lastIndexOf(name);
            if (i >= 0) skipped.splice(i, 1);
          } else skipped.push(name);
        }
        return tag;
      }
      if (skipped.length > 0 || text === undefined) return text ?? '';
      return edit(text, at);
    },
  );
}

/** Inserts soft hyphens into the text of an HTML fragment, outside code, headings and URLs. */
export function hyphenateHtml(html: string, hyphenate: WordHyphenator): string {
  // A URL set to break at its punctuation (`bb-url`) is not hyphenated either.
  const skip = (name: string, tag: string): boolean => SKIP.has(name) || /\sclass="[^"]*\bbb-url\b/.test(tag);
  return mapText(html, skip, (text) =>
    text.replace(/[^\s]+/g, (token) =>
      /[/@\\]|:\/\/|&[a-z#0-9]+;|^www\./i.test(token) ? token : token.replace(ALPHABETIC_WORD, hyphenate),
    ),
  );
}

/** Hyphenated chapters of recent builds, by language and content hash (a preview rebuilds often). */
const recent = new Map<string, string>();
const RECENT_LIMIT = 4000;

/**
 * {@link hyphenateHtml} for a book's language, remembering recent results: a rebuild after one
 * page changed hyphenates only that page again.
 */
export function hyphenateHtmlCached(html: string, lang: string, hyphenate: WordHyphenator): string {
  const key = `${lang}:${createHash('sha1').update(html).digest('base64')}`;
  const hit = recent.get(key);
  if (hit !== undefined) {
    recent.delete(key);
    recent.set(key, hit);
    return hit;
  }
  const out = hyphenateHtml(html, hyphenate);
  recent.set(key, out);
  if (recent.size > RECENT_LIMIT) recent.delete(recent.keys().next().value!);
  return out;
}

/** A run of letters holding a soft hyphen: a word as {@link hyphenateHtml} left it. */
const HYPHENATED_WORD = /[\p{L}\p{M}\u00ad]*\u00ad[\p{L}\p{M}\u00ad]*/gu;

/** Elements whose text a compound is never looked for in, nor wrapped in: not running text. */
const NOT_PROSE = new Set(['script', 'style', 'svg', 'math', 'textarea', 'title']);

/**
 * A compound the author wrote with hyphens ("re-enter", "just-the-docs"), soft hyphens
 * {@link hyphenateHtml} put into its parts included.
 */
const COMPOUND = /[\p{L}\p{M}\u00ad]+(?:[-\u2010][\p{L}\p{M}\u00ad]+)+/gu;

/**
 * Keeps the given words whole (lower-cased, written without soft hyphens) wherever they occur
 * in a hyphenated HTML fragment, so that one that fell across a page turn goes to the next
 * line: a word loses its soft hyphens; a compound written with hyphens ("re-enter"), where
 * Chromium breaks a line too, is set in a span that does not break.
 */
export function keepWhole(html: string, words: ReadonlySet<string>): string {
  if (words.size === 0) return html;
  const out = html.replace(HYPHENATED_WORD, (m) => {
    const word = m.replace(/\u00ad/g, '');
    return words.has(word.toLowerCase()) ? word : m;
  });
  if (![...words].some((w) => w.includes('-'))) return out;
  return mapText(
    out,
    (name) => NOT_PROSE.has(name),
    (text) =>
      text.replace(COMPOUND, (m) => {
        const word = m.replace(/\u00ad/g, '');
        return words.has(word.toLowerCase().replace(/\u2010/g, '-'))
          ? `<span class="bb-nobr">${word}</span>`
          : m;
      }),
  );
}

/**
 * The compound of a hyphenated HTML fragment that the author's own hyphen breaks between the
 * letters `head` and `tail` (whatever their case), written without soft hyphens and with
 * ASCII hyphens, and where it first occurs; undefined when no compound joins them so.
 */
export function brokenCompound(
  html: string,
  head: string,
  tail: string,
): { word: string; at: number } | undefined {
  if (head === '' || tail === '') return undefined;
  const h = head.toLowerCase();
  const t = tail.toLowerCase();
  let found: { word: string; at: number } | undefined;
  mapText(
    html,
    (name) => NOT_PROSE.has(name),
    (text, at) => {
      if (found) return text;
      for (const m of text.matchAll(COMPOUND)) {
        const word = m[0].replace(/\u00ad/g, '').replace(/\u2010/g, '-');
        const parts = word.toLowerCase().split('-');
        if (parts.some((p, i) => p === h && parts[i + 1] === t)) {
          found = { word, at: at + m.index };
          break;
        }
      }
      return text;
    },
  );
  return found;
}

/**
 * The word of a hyphenated HTML fragment that a soft hyphen breaks after the letters `head`,
 * the next line starting with `tail` (empty when unknown), and where it first occurs; the
 * letters are compared regardless of case (a style may set them in capitals). When no word
 * reads `head + tail` (the next page may open with a table's repeated header), the first word
 * broken after `head` is taken.
 */
export function brokenWord(
  html: string,
  head: string,
  tail: string,
): { word: string; at: number } | undefined {
  const h = head.toLowerCase();
  const whole = (head + tail).toLowerCase();
  let first: { word: string; at: number } | undefined;
  for (const m of html.matchAll(HYPHENATED_WORD)) {
    const word = m[0].replace(/\u00ad/g, '');
    const lower = word.toLowerCase();
    if (!lower.startsWith(h)) continue;
    // The soft hyphen must be right after the head's letters.
    let letters = 0;
    let breaks = false;
    for (const ch of m[0]) {
      if (ch === '\u00ad') breaks ||= letters === head.length;
      else letters += ch.length;
    }
    if (!breaks) continue;
    const found = { word, at: m.index };
    if (tail !== '' && lower === whole) return found;
    first ??= found;
  }
  return first;
}
