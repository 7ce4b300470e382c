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

/** The packages and the weight files of each the book uses. */
const PACKAGES: readonly { readonly pkg: string; readonly css: readonly string[] }[] = [
  { pkg: 'noto-serif', css: ['400.css', '400-italic.css', '700.css', '700-italic.css'] },
  { pkg: 'noto-sans', css: ['400.css', '400-italic.css', '600.css', '700.css'] },
  { pkg: 'noto-sans-mono', css: ['400.css', '700.css'] },
  { pkg: 'noto-naskh-arabic', css: ['400.css', '700.css'] },
  { pkg: 'noto-sans-sc', css: ['400.css', '700.css'] },
  { pkg: 'noto-sans-symbols-2', css: ['400.css'] },
];

/**
 * The font stacks of the print page: Latin, Greek and Cyrillic first, then arrows and symbols,
 * Arabic and CJK as fallbacks.
 */
export const FONT_STACKS = {
  serif: '"Noto Serif", "Noto Sans Symbols 2", "Noto Naskh Arabic", "Noto Sans SC"',
  sans: '"Noto Sans", "Noto Sans Symbols 2", "Noto Naskh Arabic", "Noto Sans SC"',
  mono: '"Noto Sans Mono", "Noto Sans Symbols 2", "Noto Sans SC"',
} as const;

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
  for (const { pkg, css } of PACKAGES) {
    for (const name of css)
      out.push(...parseFontFaces(readFileSync(join(packageDir(pkg), name), 'utf8'), pkg));
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

/** Maps a sandbox path `/fonts/PKG/FILE.woff2` to the file on disk; undefined for anything else. */
export function fontFile(path: string): string | undefined {
  const m = /^\/fonts\/([a-z0-9-]+)\/([a-z0-9-]+\.woff2?)$/.exec(path);
  if (!m || !PACKAGES.some((p) => p.pkg === m[1])) return undefined;
  return join(packageDir(m[1]!), 'files', m[2]!);
}

/** Whether a slice's ranges hold a code point (a slice with no ranges holds every one). */
export function sliceCovers(s: FontSlice, cp: number): boolean {
  return s.ranges.length === 0 || s.ranges.some(([a, b]) => cp >= a && cp <= b);
}

/** The slice of `family` (normal style, given weight) that holds a code point, if any. */
export function sliceFor(family: string, weight: number, cp: number): FontSlice | undefined {
  return fontSlices().find(
    (s) => s.family === family && s.weight === weight && s.style === 'normal' && sliceCovers(s, cp),
  );
}

/** The `.woff` file of a slice (zlib-compressed, which pdf-lib's fontkit reads). */
export function sliceWoff(s: FontSlice): string {
  return join(packageDir(s.pkg), 'files', `${s.file}.woff`);
}

const glyphSets = new Map<string, Set<number>>();

/** The characters a slice really has glyphs for (read once per process with fontkit). */
function glyphsOf(slice: FontSlice): Set<number> {
  let set = glyphSets.get(slice.file);
  if (!set) {
    // Required here, not imported: loading fontkit costs every build a tenth of a second at start.
    const fontkit = require('@pdf-lib/fontkit') as typeof fontkitType;
    set = new Set<number>(fontkit.create(readFileSync(sliceWoff(slice))).characterSet);
    glyphSets.set(slice.file, set);
  }
  return set;
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
 * print page that skips its screen layout loads its fonts from these.
 */
export function fontPreloads(text: string): string {
  const cps = codePoints(text);
  const slices = fontSlices();
  const families = [...new Set(slices.map((s) => s.family))];
  const byFamily = new Map(families.map((f) => [f, slices.filter((s) => s.family === f)]));
  const stacks = Object.values(FONT_STACKS).map((stack) =>
    [...stack.matchAll(/"([^"]+)"/g)].map((m) => byFamily.get(m[1]!) ?? []),
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
        if (glyphsOf(probe).has(cp)) break;
      }
    }
  }
  return slices
    .filter((s) => wanted.has(s))
    .map((s) => `<link rel="preload" href="${slicePath(s)}" as="font" type="font/woff2" crossorigin>`)
    .join('');
}
