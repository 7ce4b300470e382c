/**
 * What Jekyll adds to Liquid: the `link`, `post_url`, `include` and `highlight` tags and the
 * `relative_url`, `absolute_url` and `markdownify` filters (liquidjs has the others).
 */
import { join, normalize, sep } from 'node:path';
import {
  type Context,
  type Emitter,
  Hash,
  type Liquid,
  type Parser,
  Tag,
  TagToken,
  type Template,
  type TopLevelToken,
  Value,
} from 'liquidjs';
import markdownit from 'markdown-it';
import { describeProblem, readSiteText } from '../source/site-files.js';

/** What the Jekyll tags need to know about the site and the page being rendered. */
export interface JekyllSite {
  /** The source folder (it holds `_includes/`). */
  readonly root: string;
  readonly baseurl: string;
  readonly url: string;
  /** Source path (relative, forward slashes) → the page's URL without baseurl. */
  readonly urls: ReadonlyMap<string, string>;
  /** The folder of the page being rendered, relative to the root (for `include_relative`). */
  pageDir(): string;
  /** Reports a problem at a token of the page being rendered. */
  warn(code: string, message: string, token: TagToken): void;
}

/** The longest run of backticks in a text, so a fence around it can be longer. */
function longestBackticks(text: string): number {
  let max = 0;
  for (const m of text.matchAll(/`+/g)) max = Math.max(max, m[0].length);
  return max;
}

/**
 * `{% highlight lang linenos %}…{% endhighlight %}` becomes a fenced code block, so the one
 * highlighter of the Markdown stage colours it (Jekyll runs Rouge at the same point).
 */
class HighlightTag extends Tag {
  private readonly templates: Template[] = [];
  private readonly info: string;
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remain, liquid);
    const parts = token.args.trim().split(/\s+/);
    const lang = parts[0] ?? '';
    this.info = [lang, ...(parts.slice(1).some((p) => p.startsWith('linenos')) ? ['linenos'] : [])]
      .join(' ')
      .trim();
    for (;;) {
      const t = remain.shift();
      if (!t) throw new Error(`tag ${token.getText()} not closed`);
      if (t instanceof TagToken && t.name === 'endhighlight') break;
      this.templates.push(parser.parseToken(t, remain));
    }
  }
  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    // Jekyll renders the Liquid inside the block before highlighting it.
    const raw = (yield this.liquid.renderer.renderTemplates(this.templates, ctx)) as string;
    const body = raw.replace(/^[ \t]*\r?\n/, '').replace(/\s+$/, '');
    const fence = '`'.repeat(Math.max(3, longestBackticks(body) + 1));
    emitter.write(`\n${fence}${this.info}\n${body}\n${fence}\n`);
  }
}

/** Makes the `link` tag: a site path of a page (`docs/a.md`) → its URL with baseurl. */
function linkTag(site: JekyllSite) {
  return class LinkTag extends Tag {
    private readonly target: string;
    constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
      super(token, remain, liquid);
      this.target = token.args.trim();
    }
    render(ctx: Context, emitter: Emitter): void {
      let path = this.target;
      if (path.includes('{{')) path = this.liquid.parseAndRenderSync(path, ctx.getAll()) as string;
      path = path.trim().replace(/^\/+/, '');
      const url = site.urls.get(path);
      if (url === undefined) {
        site.warn('liquid/link-not-found', `{% link ${path} %} names no page of the site`, this.token);
        emitter.write(`${site.baseurl}/${path}`);
        return;
      }
      emitter.write(`${site.baseurl}${url}`);
    }
  };
}

/** Makes the `post_url` tag: `2024-01-31-name` → Jekyll's default post URL. */
function postUrlTag(site: JekyllSite) {
  return class PostUrlTag extends Tag {
    private readonly post: string;
    constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
      super(token, remain, liquid);
      this.post = token.args.trim();
    }
    render(_ctx: Context, emitter: Emitter): void {
      const m = /^(?:.*\/)?(\d{4})-(\d{2})-(\d{2})-(.+?)(?:\.\w+)?$/.exec(this.post);
      if (!m) {
        site.warn('liquid/post-url', `{% post_url ${this.post} %} is not a dated post name`, this.token);
        return;
      }
      emitter.write(`${site.baseurl}/${m[1]}/${m[2]}/${m[3]}/${m[4]}.html`);
    }
  };
}

/**
 * Makes the `include` tag (a file of `_includes/`) or, with `relative`, `include_relative` (a
 * file beside the page); a missing file is a warning and inserts nothing.
 */
function includeTag(site: JekyllSite, relative: boolean) {
  const tagName = relative ? 'include_relative' : 'include';
  return class IncludeTag extends Tag {
    private readonly file: Value | string;
    private readonly hash: Hash;
    constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
      super(token, remain, liquid);
      const tk = token.tokenizer;
      tk.skipBlank();
      if (tk.peek() === '{' && tk.peek(1) === '{') {
        const end = tk.input.indexOf('}}', tk.p);
        this.file = new Value(tk.input.slice(tk.p + 2, end), liquid);
        tk.p = end + 2;
      } else {
        const begin = tk.p;
        while (tk.p < tk.N && !/\s/.test(tk.input[tk.p] ?? ' ')) tk.p++;
        this.file = tk.input.slice(begin, tk.p);
      }
      this.hash = new Hash(tk, true);
    }
    *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
      const name = typeof this.file === 'string' ? this.file : String(yield this.file.value(ctx, false));
      const base = relative ? site.pageDir() : '_includes';
      const folder = normalize(join(site.root, base));
      const path = normalize(join(folder, name));
      const shown = base === '' || base === '.' ? name : `${base}/${name}`;
      // `{% include ../x %}` may not leave `_includes/`; `include_relative` may not leave the site.
      const written = relative ? path.startsWith(normalize(site.root) + sep) : path.startsWith(folder + sep);
      const read = written ? readSiteText(site.root, path) : ({ problem: 'outside' } as const);
      if (!('content' in read)) {
        const outside = read.problem === 'outside';
        site.warn(
          outside ? 'liquid/include-outside' : 'liquid/include-missing',
          outside
            ? `{% ${tagName} ${name} %}: ${shown} ${describeProblem('outside')}; nothing is inserted`
            : `{% ${tagName} ${name} %}: ${shown} does not exist in the site; nothing is inserted`,
          this.token,
        );
        return;
      }
      const scope = (yield this.hash.render(ctx)) as Record<string, unknown>;
      const templates = this.liquid.parse(read.content, path);
      ctx.push({ include: scope });
      yield this.liquid.renderer.renderTemplates(templates, ctx, emitter);
      ctx.pop();
    }
  };
}

/** Liquid's view of a value as text: nil is empty, scalars print as themselves. */
function text(input: unknown): string {
  if (input === null || input === undefined) return '';
  if (typeof input === 'string') return input;
  if (typeof input === 'number' || typeof input === 'boolean') return `${input}`;
  return JSON.stringify(input);
}

/** Registers Jekyll's tags and filters on a liquidjs engine. */
export function registerJekyll(engine: Liquid, site: JekyllSite): void {
  engine.registerTag('highlight', HighlightTag);
  engine.registerTag('link', linkTag(site));
  engine.registerTag('post_url', postUrlTag(site));
  engine.registerTag('include', includeTag(site, false));
  engine.registerTag('include_relative', includeTag(site, true));
  const relative = (input: unknown): string => {
    const s = text(input);
    if (/^[a-z][a-z0-9+.-]*:/i.test(s)) return s;
    return `${site.baseurl}${s.startsWith('/') ? '' : '/'}${s}`;
  };
  engine.registerFilter('relative_url', relative);
  engine.registerFilter('absolute_url', (input: unknown) => {
    const r = relative(input);
    return /^[a-z][a-z0-9+.-]*:/i.test(r) ? r : `${site.url}${r}`;
  });
  // Ruby's `size` counts a hash's keys; liquidjs gives 0 for a mapping.
  engine.registerFilter('size', (input: unknown) => {
    if (typeof input === 'string' || Array.isArray(input)) return input.length;
    if (input !== null && typeof input === 'object') return Object.keys(input).length;
    return 0;
  });
  // Filters Jekyll has and liquidjs lacks, with Jekyll's meaning.
  engine.registerFilter('smartify', (input: unknown) => text(input));
  engine.registerFilter('inspect', (input: unknown) => JSON.stringify(input ?? null));
  engine.registerFilter('to_integer', (input: unknown) => Math.trunc(Number(input)) || 0);
  const md = markdownit({ html: true, typographer: true });
  engine.registerFilter('markdownify', (input: unknown) => md.render(text(input)));
}
