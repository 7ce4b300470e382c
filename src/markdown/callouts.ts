/**
 * just-the-docs callouts: the `callouts:` of `_config.yml` (title and colour per class). A block
 * with such a class (`{: .note}`) gets its title as real text, so it reads in every output and
 * every e-reader; `.note-title` blocks take their first paragraph as the title.
 */
import type { MarkdownIt, StateCore, Token } from 'markdown-it';
import type { Diagnostics } from '../diagnostics.js';

/** One callout class as `_config.yml` declares it. */
export interface Callout {
  readonly name: string;
  readonly title?: string;
  /** A just-the-docs palette name: `blue`, `grey-lt`, … */
  readonly color: string;
}

/** just-the-docs' colour palette (`_sass/support/_variables.scss`), 000 to 300 for each hue. */
export const PALETTE: Readonly<Record<string, readonly [string, string, string, string]>> = {
  'grey-dk': ['#959396', '#5c5962', '#44434d', '#27262b'],
  'grey-lt': ['#f5f6fa', '#eeebee', '#ecebed', '#e6e1e8'],
  purple: ['#7253ed', '#5e41d0', '#4e26af', '#381885'],
  blue: ['#2c84fa', '#2869e6', '#264caf', '#183385'],
  green: ['#41d693', '#11b584', '#009c7b', '#026e57'],
  yellow: ['#ffeb82', '#fadf50', '#f7d12e', '#e7af06'],
  red: ['#f77e7e', '#f96e65', '#e94c4c', '#dd2e2e'],
};

/** Reads `callouts:` from the `_config.yml` mapping; bad entries are warnings and left out. */
export function calloutsOf(data: Readonly<Record<string, unknown>>, diags?: Diagnostics): Callout[] {
  const raw = data.callouts;
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    diags?.warn(
      'config/callouts',
      '`callouts` in _config.yml is not a mapping; it is ignored',
      '_config.yml',
    );
    return [];
  }
  const out: Callout[] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    if (!/^[A-Za-z_][\w-]*$/.test(name)) continue;
    const v = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
    const color = typeof v.color === 'string' ? v.color : 'grey-dk';
    if (!(color in PALETTE)) {
      diags?.warn(
        'config/callout-color',
        `callout "${name}" has colour "${color}", which just-the-docs does not have (${Object.keys(PALETTE).join(', ')}); grey-dk is used`,
        '_config.yml',
      );
    }
    out.push({
      name,
      color: color in PALETTE ? color : 'grey-dk',
      ...(typeof v.title === 'string' && v.title.trim() !== '' && { title: v.title.trim() }),
    });
  }
  return out;
}

/** The CSS of the configured callouts, as just-the-docs' `callouts.scss` makes it. */
export function calloutCss(callouts: readonly Callout[], opacity = 0.2): string {
  return callouts
    .map(({ name, color }) => {
      const [c000, , , c300] = PALETTE[color] ?? PALETTE['grey-dk']!;
      const bg = hexToRgba(c000, opacity);
      const sel = (suffix: string) =>
        [
          `p.${name}`,
          `blockquote.${name}`,
          `div.${name}`,
          `p.${name}-title`,
          `blockquote.${name}-title`,
          `div.${name}-title`,
        ]
          .map((s) => s + suffix)
          .join(', ');
      return (
        `${sel('')} { background: ${bg}; border-left: 4px solid ${c300}; border-radius: 4px; padding: 0.6rem 0.9rem; margin: 1em 0; color: inherit; }\n` +
        `${sel(' > .callout-title')} { color: ${darken(c300, 0.45)}; }`
      );
    })
    .join('\n');
}

/** A darker shade, so callout titles keep a 4.5:1 contrast on the tinted background. */
function darken(hex: string, amount: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  const ch = (shift: number) => Math.round(((n >> shift) & 255) * (1 - amount));
  return `#${[16, 8, 0].map((s) => ch(s).toString(16).padStart(2, '0')).join('')}`;
}

function hexToRgba(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

function classesOf(t: Token): string[] {
  return String(t.attrGet('class') ?? '')
    .split(/\s+/)
    .filter(Boolean);
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Registers the rule that writes callout titles into the document. */
export function calloutsPlugin(md: MarkdownIt, callouts: readonly Callout[]): void {
  const byName = new Map(callouts.map((c) => [c.name, c]));
  const byTitleName = new Map(callouts.map((c) => [`${c.name}-title`, c]));
  md.core.ruler.push('jtd_callouts', (state: StateCore) => {
    const tokens = state.tokens;
    for (let i = tokens.length - 1; i >= 0; i--) {
      const t = tokens[i]!;
      if (t.nesting !== 1 || !/^(paragraph|blockquote)_open$/.test(t.type)) continue;
      const classes = classesOf(t);
      if (classes.some((c) => byTitleName.has(c))) {
        markFirstParagraph(tokens, i);
        continue;
      }
      const callout = classes.map((c) => byName.get(c)).find((c) => c !== undefined);
      if (!callout?.title) continue;
      const title = `<span class="callout-title">${escapeHtml(callout.title)}</span>`;
      if (t.type === 'paragraph_open') {
        const inline = tokens[i + 1];
        if (inline?.type !== 'inline' || !inline.children) continue;
        const tok = new state.Token('html_inline', '', 0);
        tok.content = title;
        inline.children.unshift(tok);
      } else {
        const tok = new state.Token('html_block', '', 0);
        tok.content = `<p class="callout-title">${escapeHtml(callout.title)}</p>\n`;
        tok.level = t.level + 1;
        tokens.splice(i + 1, 0, tok);
      }
    }
  });
}

/** `{: .note-title}` on a quote: its first paragraph is the title. */
function markFirstParagraph(tokens: Token[], openIndex: number): void {
  const next = tokens[openIndex + 1];
  if (next?.type === 'paragraph_open') next.attrJoin('class', 'callout-title');
}
