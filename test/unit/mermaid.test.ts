/**
 * Mermaid fences without a browser: the Markdown stage's placeholders (only on sites with
 * `mermaid:`), reading them back after the sanitiser, replacing them, and the diagram cache.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DiagramResult, mermaidConfig } from '../../src/browser/mermaid.js';
import { sanitizeChapter } from '../../src/compose/sanitize.js';
import {
  cacheDiagram,
  cachedDiagram,
  diagramKey,
  diskCacheDir,
  forgetDiagrams,
} from '../../src/diagrams/cache.js';
import { drawDiagrams } from '../../src/diagrams/draw.js';
import { labelDiagram } from '../../src/diagrams/draw.js';
import { decodeText, findDiagrams, replaceDiagrams } from '../../src/diagrams/placeholders.js';
import { parseObjectLiteral } from '../../src/diagrams/site-config.js';
import { Diagnostics } from '../../src/diagnostics.js';
import { createMarkdown, renderChapter } from '../../src/markdown/render.js';
import type { Chapter, RenderedChapter } from '../../src/model.js';
import { page } from '../helpers.js';

const FLOW = 'flowchart TD\n    a["Start & <go>"] --> b\n';
const BODY = `Intro.\n\n\`\`\`mermaid\n${FLOW}\`\`\`\n\n\`\`\`js\nlet x = 1;\n\`\`\`\n`;

function rendered(mermaid: boolean, body = BODY): { html: string; chapter: Chapter } {
  const p = page('docs/d.md', 'title: D', body);
  const chapter: Chapter = { page: p, title: 'D', depth: 0, id: 'docs-d' };
  const r = renderChapter(createMarkdown({ mermaid }), chapter, {
    usedIds: new Set(['docs-d']),
    resolveRef: (_k, v) => v,
    sourceLines: true, // as the build renders: every block carries its line
  });
  // What the build does to every chapter before the diagram stage reads it.
  const safe = sanitizeChapter(p, r.html, r.styles, new Diagnostics());
  return { html: safe.html, chapter };
}

describe('mermaid fences', () => {
  it('stay ordinary code on a site without `mermaid:`', () => {
    const { html } = rendered(false);
    assert.deepEqual(findDiagrams(html), []);
    assert.match(html, /<code class="language-mermaid">flowchart TD/);
  });

  it('become placeholders holding their source and fence line, read back after the sanitiser', () => {
    const { html } = rendered(true);
    // The fence opens on body line 2 (0-based); the source comes back exactly as written.
    assert.deepEqual(findDiagrams(html), [{ source: FLOW, bodyLine: 2 }]);
    assert.match(html, /<code class="language-js">/, 'other fences are untouched');
  });

  it('only `mermaid` itself: another language or a different case is code', () => {
    const { html } = rendered(true, '```Mermaid\ngraph TD\n```\n\n```mermaidx\ngraph TD\n```\n');
    assert.deepEqual(findDiagrams(html), []);
  });

  it('replacing puts the figure in place, or leaves the plain code block', () => {
    const { html } = rendered(true, `\`\`\`mermaid\n${FLOW}\`\`\`\n\n\`\`\`mermaid\nbroken\n\`\`\`\n`);
    const out = replaceDiagrams(html, (ref, i) => (i === 0 ? `<figure>${ref.bodyLine}</figure>` : undefined));
    assert.match(out, /^<figure>0<\/figure>/);
    assert.match(out, /<pre class="highlight"><code class="language-mermaid">broken\n<\/code><\/pre>/);
    assert.doesNotMatch(out, /bb-mermaid/);
  });

  it('decodes the character references the sanitiser may write', () => {
    assert.equal(
      decodeText('a &amp;&lt;b&gt; &quot;c&quot; &#39;d&#x27; &unknown;'),
      'a &<b> "c" \'d\' &unknown;',
    );
  });
});

describe('diagram cache', () => {
  let dir: string;
  const saved = process.env.BOOKBINDER_CACHE_DIR;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bb-mermaid-cache-'));
    process.env.BOOKBINDER_CACHE_DIR = dir;
    forgetDiagrams();
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.BOOKBINDER_CACHE_DIR;
    else process.env.BOOKBINDER_CACHE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
    forgetDiagrams();
  });

  it('keys on the source, the mermaid version and the settings', () => {
    const k = diagramKey('graph TD', '11.0.0', { a: 1 });
    assert.equal(k, diagramKey('graph TD', '11.0.0', { a: 1 }));
    assert.notEqual(k, diagramKey('graph TD ', '11.0.0', { a: 1 }));
    assert.notEqual(k, diagramKey('graph TD', '11.0.1', { a: 1 }));
    assert.notEqual(k, diagramKey('graph TD', '11.0.0', { a: 2 }));
  });

  it('survives the process on disk, and ignores what is not a drawing', () => {
    const r: DiagramResult = { ok: true, svg: '<svg/>' };
    cacheDiagram('k1', r);
    forgetDiagrams();
    assert.deepEqual(cachedDiagram('k1'), r);
    assert.ok(existsSync(join(dir, 'mermaid', 'k1.json')));
    assert.equal(cachedDiagram('absent'), undefined);
    assert.equal(diskCacheDir({ BOOKBINDER_CACHE_DIR: '' }), undefined, 'an empty setting turns it off');
    assert.equal(diskCacheDir({ XDG_CACHE_HOME: '/c' }), join('/c', 'bookbinder', 'mermaid'));
  });

  it('a book whose diagrams are all cached starts no browser: the SVG is sanitised and its ids made unique', async () => {
    const { html, chapter } = rendered(
      true,
      `\`\`\`mermaid\n${FLOW}\`\`\`\n\n\`\`\`mermaid\n${FLOW}\`\`\`\n`,
    );
    const { mermaidVersion } = await import('../../src/browser/mermaid.js');
    const key = diagramKey(FLOW, mermaidVersion(), mermaidConfig());
    const token = `bbm${key.slice(0, 16)}`;
    // A cached drawing that was tampered with: the script goes, like anything else's.
    cacheDiagram(key, {
      ok: true,
      svg: `<svg xmlns="http://www.w3.org/2000/svg" id="${token}" viewBox="0 0 10 10" width="10" height="10"><script>alert(1)</script><text id="${token}-t">Start</text></svg>`,
    });
    const chapters: RenderedChapter[] = [
      { chapter, html, headings: [], styles: [], assets: [], anchors: {} },
    ];
    const diags = new Diagnostics();
    // No browser is given, and none may be launched: a launch would fail the stats below.
    const out = await drawDiagrams(chapters, {}, diags);
    assert.deepEqual(out.stats, { drawn: 0, cached: 1 });
    const got = out.chapters[0]!.html;
    assert.doesNotMatch(got, /script|alert/);
    assert.match(got, /<svg[^>]* id="docs-d-mermaid-1"/);
    assert.match(got, /<svg[^>]* id="docs-d-mermaid-2"/);
    assert.match(got, /id="docs-d-mermaid-2-t"/);
    assert.deepEqual(diags.list(), []);
  });
});

describe("the site's mermaid settings (_includes/mermaid_config.js)", () => {
  it('reads an object literal of plain values: bare or quoted keys, comments, trailing commas', () => {
    assert.deepEqual(
      parseObjectLiteral(
        '// theme\n{\n  theme: \'forest\', /* dark */\n  "themeVariables": { primaryColor: "#ff0000", },\n}\n',
      ),
      { theme: 'forest', themeVariables: { primaryColor: '#ff0000' } },
    );
    assert.deepEqual(parseObjectLiteral('{}'), {});
    assert.equal(parseObjectLiteral('(() => ({ theme: window.x }))()'), undefined);
    assert.equal(parseObjectLiteral('[1, 2]'), undefined);
  });

  it("goes under bookbinder's own: the theme is the site's, labels, fonts and safety stay the book's", () => {
    const c = mermaidConfig({
      theme: 'forest',
      securityLevel: 'loose',
      flowchart: { curve: 'linear', htmlLabels: true },
    });
    assert.equal(c.theme, 'forest');
    assert.equal(c.securityLevel, 'strict');
    assert.deepEqual(c.flowchart, { curve: 'linear', htmlLabels: false, useMaxWidth: false });
    assert.equal(mermaidConfig().theme, undefined, "mermaid's own default theme");
  });
});

describe('drawn diagrams are named for screen readers', () => {
  it('an unnamed drawing gets its kind and labels as aria-label; a named one stays', () => {
    const drawn =
      '<svg id="d" role="img" aria-roledescription="flowchart-v2"><style>#d{fill:red}</style>' +
      '<g><text>Start &amp; go</text></g><g><text>Done</text></g><text>Done</text></svg>';
    assert.match(labelDiagram(drawn), /^<svg aria-label="Flowchart: Start &amp; go, Done" id="d"/);
    const named = '<svg role="img" aria-labelledby="t"><title id="t">Flow</title><text>x</text></svg>';
    assert.equal(labelDiagram(named), named);
    assert.match(labelDiagram('<svg role="img"></svg>'), /aria-label="Diagram"/);
  });
});
