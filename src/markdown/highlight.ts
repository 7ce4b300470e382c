/**
 * Code highlighting at build time with highlight.js (synchronous, offline, no runtime script):
 * fenced blocks and Jekyll's `{% highlight lang linenos %}` (a fence with `linenos` in its info).
 */
import { createRequire } from 'node:module';
import type { HLJSApi, Language, LanguageFn } from 'highlight.js';

// Loading every grammar takes a quarter of a second: the core comes first, then each grammar a
// book uses, with the grammars it embeds (HTML's scripts and styles, JavaScript's templates),
// so that the output is the same as with all of them. `highlight.js` itself registers every
// grammar into this same core, and is the fallback for names only some grammar knows.
const require = createRequire(import.meta.url);
let core: HLJSApi | undefined;
let everything = false;
function hljs(): HLJSApi {
  core ??= require('highlight.js/lib/core') as HLJSApi;
  return core;
}

/** The grammar for a name, loading it (and what it embeds) on first use. */
function language(name: string): Language | undefined {
  const known = hljs().getLanguage(name);
  if (known || everything) return known;
  if (/^[a-z0-9-]+$/.test(name)) {
    let fn: LanguageFn | undefined;
    try {
      fn = require(`highlight.js/lib/languages/${name}`) as LanguageFn;
    } catch {
      fn = undefined;
    }
    if (fn) {
      hljs().registerLanguage(name, fn);
      const lang = hljs().getLanguage(name)!;
      const embedded = subLanguages(lang);
      if (embedded === 'all') loadEverything();
      else for (const sub of embedded) language(sub);
      return lang;
    }
  }
  loadEverything();
  return hljs().getLanguage(name);
}

function loadEverything(): void {
  if (!everything) require('highlight.js');
  everything = true;
}

/** The languages a grammar hands parts of its text to ('all' when it lets highlight.js guess). */
function subLanguages(lang: Language): Set<string> | 'all' {
  const out = new Set<string>();
  const seen = new Set<object>();
  let all = false;
  const visit = (mode: unknown): void => {
    if (mode === null || typeof mode !== 'object' || seen.has(mode)) return;
    seen.add(mode);
    if (Array.isArray(mode)) {
      for (const m of mode) visit(m);
      return;
    }
    const m = mode as Record<string, unknown>;
    const sub = m.subLanguage;
    if (typeof sub === 'string') out.add(sub);
    else if (Array.isArray(sub)) {
      if (sub.length === 0) all = true;
      for (const s of sub) if (typeof s === 'string') out.add(s);
    }
    for (const key of ['contains', 'variants', 'starts']) visit(m[key]);
  };
  visit(lang);
  return all ? 'all' : out;
}

/** Language names Rouge and kramdown pages use that highlight.js knows under another name. */
const ALIASES: Record<string, string> = {
  sh: 'bash',
  shell: 'bash',
  console: 'bash',
  zsh: 'bash',
  liquid: 'django',
  jinja: 'django',
  html: 'xml',
  svg: 'xml',
  yml: 'yaml',
  js: 'javascript',
  ts: 'typescript',
  py: 'python',
  rb: 'ruby',
  md: 'markdown',
  text: 'plaintext',
  plain: 'plaintext',
  txt: 'plaintext',
};

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The largest block highlighted, in characters. highlight.js runs synchronously, about a
 * megabyte in one to two seconds of a busy machine, and nothing (not even SIGTERM) is answered
 * meanwhile; 200,000 characters (some 5,000 lines) is far beyond a listing in a book.
 */
export const HIGHLIGHT_LIMIT = 200_000;

/** Highlights one block; unknown languages and blocks over the limit come back escaped, uncoloured. */
export function highlightCode(code: string, lang: string): string {
  const name = ALIASES[lang.toLowerCase()] ?? lang.toLowerCase();
  if (name !== '' && code.length <= HIGHLIGHT_LIMIT && language(name)) {
    return hljs().highlight(code, { language: name, ignoreIllegals: true }).value;
  }
  return escapeHtml(code);
}

/** Splits highlighted HTML into lines, closing and reopening spans that cross a line break. */
export function splitHighlightedLines(html: string): string[] {
  const lines: string[] = [];
  const open: string[] = [];
  let current = '';
  for (const part of html.split(/(<span[^>]*>|<\/span>|\n)/)) {
    if (part === '\n') {
      lines.push(current + '</span>'.repeat(open.length));
      current = open.join('');
    } else {
      if (part.startsWith('<span')) open.push(part);
      else if (part === '</span>') open.pop();
      current += part;
    }
  }
  lines.push(current);
  return lines;
}

/**
 * markdown-it's `highlight` option: returns the whole `<pre>` so the class names match what
 * just-the-docs styles (`div.highlighter-rouge`-like wrappers are not needed in a book).
 */
export function highlightFence(code: string, lang: string, attrs: string): string {
  const body = highlightCode(code.replace(/\n$/, ''), lang);
  const langClass = lang ? ` class="language-${escapeHtml(lang)}"` : '';
  if (!/(^|\s)linenos\b/.test(attrs))
    return `<pre class="highlight"><code${langClass}>${body}\n</code></pre>`;
  const lines = splitHighlightedLines(body)
    .map((l, i) => `<span class="line"><span class="lineno" aria-hidden="true">${i + 1}</span>${l}\n</span>`)
    .join('');
  return `<pre class="highlight linenos"><code${langClass}>${lines}</code></pre>`;
}
