/**
 * The book's fonts: open Noto faces installed from npm (@fontsource), served to the print page
 * through the sandbox and embedded by Chromium, so the PDF never depends on a machine's fonts.
 * Each package is split by Unicode range; the browser only loads the slices a book uses, and the
 * running heads pick the slice that holds each character.
 */
import type fontkitType from '@pdf-lib/fontkit';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { KATEX_FONT_PATH, katexFontFile } from './katex.js';
import { woffToSfnt } from './woff.js';

/** One `@font-face` slice of a font package. */
export interface FontSlice {
  readonly family: string;
  readonly style: string;
  readonly weight: number;
  /** The package's folder name, e.g. `noto-serif`. */
  readonly pkg: string;
  /** The file name stem in the package's `files/` folder (`.woff2` and `.woff` exist). */
  readonly file: string;
  /** Inclusive code point ranges; empty means every character. */
  readonly ranges: readonly (readonly [number, number])[];
}

/**
 * The packages and the weight files of each the book uses. Every face a style can ask for is
 * shipped (bold italic sans included): a face Chromium has to synthesize is embedded as a Type 3
 * font, which print preflight rejects. `whole` packages are used for every character they have,
 * whatever their stylesheet's `unicode-range` says (fontsource files Noto Sans Math as "latin").
 */
const PACKAGES: readonly { readonly pkg: string; readonly css: readonly string[]; readonly whole?: true }[] =
  [
    { pkg: 'noto-serif', css: ['400.css', '400-italic.css', '700.css', '700-italic.css'] },
    {
      pkg: 'noto-sans',
      css: ['400.css', '400-italic.css', '600.css', '600-italic.css', '700.css', '700-italic.css'],
    },
    { pkg: 'noto-sans-mono', css: ['400.css', '700.css'] },
    { pkg: 'noto-sans-math', css: ['400.css'], whole: true },
    { pkg: 'noto-sans-symbols-2', css: ['400.css'] },
    { pkg: 'noto-naskh-arabic', css: ['400.css', '700.css'] },
    { pkg: 'noto-sans-hebrew', css: ['400.css', '700.css'] },
    { pkg: 'noto-sans-devanagari', css: ['400.css', '700.css'] },
    { pkg: 'noto-sans-bengali', css: ['400.css', '700.css'] },
    { pkg: 'noto-sans-tamil', css: ['400.css', '700.css'] },
    { pkg: 'noto-sans-thai', css: ['400.css', '700.css'] },
    { pkg: 'noto-sans-georgian', css: ['400.css', '700.css'] },
    { pkg: 'noto-sans-armenian', css: ['400.css', '700.css'] },
    { pkg: 'noto-sans-ethiopic', css: ['400.css', '700.css'] },
    { pkg: 'noto-emoji', css: ['400.css', '700.css'] },
    { pkg: 'noto-sans-sc', css: ['400.css', '700.css'] },
    { pkg: 'noto-sans-jp', css: ['400.css', '700.css'] },
    { pkg: 'noto-sans-kr', css: ['400.css', '700.css'] },
  ];

/**
 * The families tried after a stack's first one, in order: symbols, the scripts of India, the
 * Middle East, South-East Asia and the Caucasus, a monochrome emoji font (before the CJK fonts,
 * whose slices also claim a few emoji), then Chinese (which has the kana too) and Korean.
 * A book in Japanese or Korean (its `lang`) gets Noto Sans JP or KR before the Chinese font, so
 * that its Han characters take their own forms.
 */
const FALLBACKS = [
  'Noto Sans Symbols 2',
  'Noto Naskh Arabic',
  'Noto Sans Hebrew',
  'Noto Sans Devanagari',
  'Noto Sans Bengali',
  'Noto Sans Tamil',
  'Noto Sans Thai',
  'Noto Sans Georgian',
  'Noto Sans Armenian',
  'Noto Sans Ethiopic',
  'Noto Sans Math',
  'Noto Emoji',
  'Noto Sans SC',
  'Noto Sans KR',
  'Noto Sans JP',
] as const;

function stack(first: string, lead: readonly string[] = []): string {
  const families = [first, ...lead, ...FALLBACKS.filter((f) => !lead.includes(f))];
  return families.map((f) => `"${f}"`).join(', ');
}

/** The font stacks of the print page: Latin, Greek and Cyrillic first, then {@link FALLBACKS}. */
export const FONT_STACKS = {
  serif: stack('Noto Serif'),
  sans: stack('Noto Sans'),
  mono: stack('Noto Sans Mono'),
} as const;

/** The stacks for a book in a language whose Han characters have their own forms. */
export const LANG_STACKS: Readonly<Record<'ja' | 'ko', typeof FONT_STACKS>> = {
  ja: {
    serif: stack('Noto Serif', ['Noto Sans JP']),
    sans: stack('Noto Sans', ['Noto Sans JP']),
    mono: stack('Noto Sans Mono', ['Noto Sans JP']),
  },
  ko: {
    serif: stack('Noto Serif', ['Noto Sans KR']),
    sans: stack('Noto Sans', ['Noto Sans KR']),
    mono: stack('Noto Sans Mono', ['Noto Sans KR']),
  },
};

/**
 * The print page's font variables (set on the root, which carries the book's language), and its
 * formulas' font: a bundled one with OpenType MATH, then the text stack for words in formulas.
 * No face is synthesized: Chromium embeds a made-up bold or italic as a Type 3 font, which print
 * preflight rejects, so a face a family lacks (bold ✔ from Noto Sans Symbols 2, italic Thai) is
 * drawn from the face it has.
 */
export function fontStackCss(): string {
  const vars = (s: typeof FONT_STACKS): string =>
    `--bb-font:${s.serif},serif;--bb-font-sans:${s.sans},sans-serif;--bb-font-mono:${s.mono},monospace`;
  return [
    `:root{${vars(FONT_STACKS)};font-synthesis:none}`,
    ...Object.entries(LANG_STACKS).map(([lang, s]) => `:root:lang(${lang}){${vars(s)}}`),
    `math{font-family:"Noto Sans Math",${FONT_STACKS.serif},math}`,
  ].join('\n');
}

const require = createRequire(import.meta.url);
const packageDirs = new Map<string, string>();

function packageDir(pkg: string): string {
  let dir = packageDirs.get(pkg);
  if (dir === undefined) {
    dir = dirname(require.resolve(`@fontsource/${pkg}/400.css`));
    packageDirs.set(pkg, dir);
  }
  return dir;
}

let cache: FontSlice[] | undefined;

/** Every slice of every book font, read once from the packages' CSS. */
export function fontSlices(): readonly FontSlice[] {
  if (cache) return cache;
  const out: FontSlice[] = [];
  for (const { pkg, css, whole } of PACKAGES) {
    for (const name of css) {
      const faces = parseFontFaces(readFileSync(join(packageDir(pkg), name), 'utf8'), pkg);
      out.push(...(whole ? faces.map((f) => ({ ...f, ranges: [] })) : faces));
    }
  }
  cache = out;
  return out;
}

/** Reads the `@font-face` rules of a fontsource stylesheet. */
export function parseFontFaces(css: string, pkg: string): FontSlice[] {
  const out: FontSlice[] = [];
  for (const [, body = ''] of css.matchAll(/@font-face\s*\{([^}]*)\}/g)) {
    const prop = (name: string): string | undefined =>
      new RegExp(`${name}\\s*:\\s*([^;]+);`).exec(body)?.[1]?.trim();
    const family = prop('font-family')?.replace(/['"]/g, '');
    const file = /url\(\.\/files\/([^)]+)\.woff2?\)/.exec(body)?.[1];
    if (!family || !file) continue;
    out.push({
      family,
      style: prop('font-style') ?? 'normal',
      weight: Number(prop('font-weight') ?? 400),
      pkg,
      file: basename(file),
      ranges: parseUnicodeRange(prop('unicode-range') ?? ''),
    });
  }
  return out;
}

function parseUnicodeRange(v: string): [number, number][] {
  return v
    .split(',')
    .map((s) => s.trim().replace(/^U\+/i, ''))
    .filter((s) => s !== '')
    .map((s) => {
      const [a = '0', b = a] = s.split('-');
      return [Number.parseInt(a.replace(/\?/g, '0'), 16), Number.parseInt(b.replace(/\?/g, 'F'), 16)];
    });
}

/** The URL path under which the print page asks for a slice. */
function slicePath(s: FontSlice): string {
  return `/fonts/${s.pkg}/${s.file}.woff2`;
}

/** `@font-face` rules for the print page, pointing at the sandbox's `/fonts/` paths. */
export function fontFaceCss(): string {
  return fontSlices()
    .map(
      (s) =>
        `@font-face{font-family:"${s.family}";font-style:${s.style};font-weight:${s.weight};font-display:block;` +
        `src:url(${slicePath(s)}) format("woff2");` +
        (s.ranges.length > 0
          ? `unicode-range:${s.ranges.map(([a, b]) => (a === b ? `U+${hex(a)}` : `U+${hex(a)}-${hex(b)}`)).join(',')};`
          : '') +
        '}',
    )
    .join('\n');
}

function hex(n: number): string {
  return n.toString(16).toUpperCase();
}

/**
 * Maps a sandbox path `/fonts/PKG/FILE.woff2` (or KaTeX's `/fonts/katex/FILE.woff2`) to the file
 * on disk; undefined for anything else.
 */
export function fontFile(path: string): string | undefined {
  if (path.startsWith(KATEX_FONT_PATH)) return katexFontFile(path);
  const m = /^\/fonts\/([a-z0-9-]+)\/([a-z0-9-]+\.woff2?)$/.exec(path);
  if (!m || !PACKAGES.some((p) => p.pkg === m[1])) return undefined;
  return join(packageDir(m[1]!), 'files', m[2]!);
}

/** Whether a slice's ranges hold a code point (a slice with no ranges holds every one). */
export function sliceCovers(s: FontSlice, cp: number): boolean {
  return s.ranges.length === 0 || s.ranges.some(([a, b]) => cp >= a && cp <= b);
}

/**
 * The slice of `family` (normal style, given weight) that draws a code point, if any: in its
 * range and, when its font can be read, in its glyphs.
 */
export function sliceFor(family: string, weight: number, cp: number): FontSlice | undefined {
  return fontSlices().find(
    (s) => s.family === family && s.weight === weight && s.style === 'normal' && sliceHas(s, cp),
  );
}

/** The `.woff` file of a slice (zlib-compressed, which pdf-lib's fontkit reads). */
export function sliceWoff(s: FontSlice): string {
  return join(packageDir(s.pkg), 'files', `${s.file}.woff`);
}

/**
 * The OpenType bytes of a slice, its WOFF inflated with Node's zlib. fontkit must not inflate
 * WOFF itself: its JavaScript inflater rejects valid streams ("Data error"), silently drops the
 * table, and the font then fails later on the missing `cmap` (noto-sans-sc slice 101, which
 * holds U+FE0F and a few Thai and Devanagari letters, crashed every PDF using one of them).
 */
export function sliceSfnt(s: FontSlice): Uint8Array {
  return woffToSfnt(readFileSync(sliceWoff(s)));
}

/** Told when a bundled font cannot be read: the file and why. */
export type FontProblem = (file: string, message: string) => void;

const glyphSets = new Map<string, Set<number> | Error>();

/**
 * The characters a slice really has glyphs for (read once per process with fontkit), or
 * undefined when the font cannot be read: its `unicode-range` is then trusted, and `problem`
 * is told (each time it is asked, so that every build reports it).
 */
function glyphsOf(slice: FontSlice, problem?: FontProblem): Set<number> | undefined {
  let set = glyphSets.get(slice.file);
  if (!set) {
    try {
      // Required here, not imported: loading fontkit costs every build a tenth of a second at start.
      const fontkit = require('@pdf-lib/fontkit') as typeof fontkitType;
      const sfnt = sliceSfnt(slice);
      const bytes = Buffer.from(sfnt.buffer, sfnt.byteOffset, sfnt.byteLength);
      set = new Set<number>(fontkit.create(bytes).characterSet);
    } catch (e) {
      set = e instanceof Error ? e : new Error(String(e));
    }
    glyphSets.set(slice.file, set);
  }
  if (set instanceof Error) {
    problem?.(`${slice.pkg}/${slice.file}.woff`, set.message);
    return undefined;
  }
  return set;
}

/** Whether a slice draws a code point: in its range, and in its font (when that can be read). */
function sliceHas(slice: FontSlice, cp: number, problem?: FontProblem): boolean {
  return sliceCovers(slice, cp) && (glyphsOf(slice, problem)?.has(cp) ?? true);
}

/** The families of a CSS font stack, in order. */
function familiesOf(stack: string): string[] {
  return [...stack.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}

/** The stacks a document uses: the default ones, or those of its root's language. */
function stacksFor(html: string): typeof FONT_STACKS {
  const lang = /<html\b[^>]*\blang="([a-zA-Z]+)/.exec(html)?.[1]?.toLowerCase();
  return lang === 'ja' || lang === 'ko' ? LANG_STACKS[lang] : FONT_STACKS;
}

/**
 * Characters that draw nothing themselves and need no glyph: controls, format characters
 * (joiners, directional marks, soft hyphens, emoji tags), variation selectors and spaces.
 */
const NEEDS_NO_GLYPH = /^[\p{Cc}\p{Cf}\p{Z}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}]$/u;

const drawable = new Map<number, boolean>();

/**
 * The code points of `cps` that no bundled font draws (any weight or style of any family of the
 * print stacks): they would print as empty boxes. Characters that need no glyph are left out.
 */
export function missingGlyphs(cps: readonly number[], problem?: FontProblem): number[] {
  const slices = fontSlices();
  return cps.filter((cp) => {
    let ok = drawable.get(cp);
    if (ok === undefined) {
      ok =
        NEEDS_NO_GLYPH.test(String.fromCodePoint(cp)) ||
        slices.some((s) => s.weight === 400 && s.style === 'normal' && sliceHas(s, cp, problem));
      drawable.set(cp, ok);
    }
    return !ok;
  });
}

/**
 * The code points a text uses, sorted. A chunk of a book is a million characters or more, so
 * the Basic Multilingual Plane is marked in a table rather than a set (several times faster).
 */
export function codePoints(text: string): number[] {
  const bmp = new Uint8Array(0x10000);
  const astral = new Set<number>();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) {
        astral.add(cp);
        i++;
        continue;
      }
    }
    bmp[c] = 1;
  }
  const out: number[] = [];
  for (let c = 0; c < 0x10000; c++) if (bmp[c]) out.push(c);
  return [...out, ...[...astral].sort((a, b) => a - b)];
}

/**
 * `<link rel="preload">` tags for the slices a document can use: for each character of `text`
 * (a whole document, stylesheets and all, so generated content is counted) and each of the
 * three font stacks, the first family of the stack that has it, in every weight and style. A
 * print page that skips its screen layout loads its fonts from these. A font that cannot be
 * read is told to `problem` and preloaded for its whole range.
 */
export function fontPreloads(text: string, problem?: FontProblem): string {
  const cps = codePoints(text);
  const slices = fontSlices();
  const families = [...new Set(slices.map((s) => s.family))];
  const byFamily = new Map(families.map((f) => [f, slices.filter((s) => s.family === f)]));
  const stacks = Object.values(stacksFor(text)).map((stack) =>
    familiesOf(stack).map((f) => byFamily.get(f) ?? []),
  );
  const wanted = new Set<FontSlice>();
  for (const cp of cps) {
    for (const stack of stacks) {
      for (const family of stack) {
        const hit = family.filter((s) => sliceCovers(s, cp));
        if (hit.length === 0) continue;
        // Chromium fetches every slice whose range covers the character, and falls back to
        // the next family only when the glyph is not in it after all (Noto Serif's Latin
        // slice claims U+2191 but has no arrow).
        for (const s of hit) wanted.add(s);
        const probe = hit.find((s) => s.weight === 400 && s.style === 'normal') ?? hit[0]!;
        if (sliceHas(probe, cp, problem)) break;
      }
    }
  }
  return slices
    .filter((s) => wanted.has(s))
    .map((s) => `<link rel="preload" href="${slicePath(s)}" as="font" type="font/woff2" crossorigin>`)
    .join('');
}
