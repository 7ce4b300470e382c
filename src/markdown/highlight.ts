/**
 * Code highlighting at build time with highlight.js (synchronous, offline, no runtime script):
 * fenced blocks and Jekyll's `{% highlight lang linenos %}` (a fence with `linenos` in its info).
 */
import { createRequire } from 'node:module';
import type { HLJSApi } from 'highlight.js';

// Loading every grammar takes a quarter of a second: only books with code pay for it.
const require = createRequire(import.meta.url);
let loaded: HLJSApi | undefined;
function hljs(): HLJSApi {
  loaded ??= require('highlight.js') as HLJSApi;
  return loaded;
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

/** Highlights one block; unknown languages come back escaped, uncoloured. */
export function highlightCode(code: string, lang: string): string {
  const name = ALIASES[lang.toLowerCase()] ?? lang.toLowerCase();
  if (name !== '' && hljs().getLanguage(name)) {
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
