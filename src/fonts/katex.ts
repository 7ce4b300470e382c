/**
 * KaTeX's fonts, bundled with the `katex` package: where they are on disk and the sandbox path
 * the print page asks for them under. Kept with the other bundled fonts, before the stages
 * (compose, the browser, the outputs) that serve or embed them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** KaTeX's folder (`dist/`), where its stylesheet and fonts are. */
export function katexDist(): string {
  return join(dirname(require.resolve('katex/package.json')), 'dist');
}

/** The URL path under which the print page asks for KaTeX's fonts. */
export const KATEX_FONT_PATH = '/fonts/katex/';

let fontNames: string[] | undefined;

/** KaTeX's font files (`KaTeX_Main-Regular.woff2`, …). */
export function katexFonts(): string[] {
  fontNames ??= [
    ...readFileSync(join(katexDist(), 'katex.css'), 'utf8').matchAll(/url\(fonts\/(KaTeX_[\w-]+\.woff2)\)/g),
  ].map((m) => m[1]!);
  return fontNames;
}

/** Maps a sandbox path `/fonts/katex/KaTeX_….woff2` to KaTeX's file; undefined for anything else. */
export function katexFontFile(path: string): string | undefined {
  if (!path.startsWith(KATEX_FONT_PATH)) return undefined;
  const name = path.slice(KATEX_FONT_PATH.length);
  return katexFonts().includes(name) ? join(katexDist(), 'fonts', name) : undefined;
}
