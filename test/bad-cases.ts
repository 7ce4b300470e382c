/**
 * The bad-input cases: each a tiny site (files by path) and the exact diagnostic it must give.
 * Built as data so every case is generated the same way in a temporary folder; cases whose
 * input cannot live in git as a plain file (binary, invalid UTF-8, huge) are made here too.
 */

/** One bad-input case. */
export interface BadCase {
  readonly name: string;
  /** Files of the site, by path; `index.md` is added when absent so the book is not empty. */
  readonly files: Readonly<Record<string, string | Uint8Array>>;
  /** The diagnostic that must be reported. */
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly file: string;
  readonly line: number;
  /** Build with `strict`. */
  readonly strict?: boolean;
  /** Text that must (or must not, with `!`) be in the HTML book. */
  readonly html?: readonly string[];
  /** Source folder to build, relative to the temporary folder (default: the site). */
  readonly source?: string;
  readonly root?: string;
  /** Do not add the default `index.md`. */
  readonly bare?: boolean;
  /** Symbolic links to make: link path → target. */
  readonly symlinks?: Readonly<Record<string, string>>;
  /** Files to extend, sparsely, to this many bytes. */
  readonly sparse?: Readonly<Record<string, number>>;
  /** Named pipes (FIFOs) to make, by path. */
  readonly fifos?: readonly string[];
  /** Write the outputs into this folder, relative to the temporary folder (default: none). */
  readonly outDir?: string;
  /** The formats to build (default: html). */
  readonly formats?: readonly ('html' | 'epub' | 'pdf')[];
}

const fm = (front: string, body = '# Heading\n\nText.\n'): string => `---\n${front}\n---\n${body}`;
const INDEX = fm('title: Home\nnav_order: 1');

/** Latin-1 bytes: valid in Latin-1, invalid as UTF-8 (on line 4). */
const LATIN1 = Buffer.concat([
  Buffer.from('---\ntitle: Caf\n---\n'),
  Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x0a]),
]);

/** A "billion laughs" YAML bomb: nine anchors of nine aliases each (9^9 values expanded), lines 1-9. */
const BOMB = ['a: &a [x, x, x, x, x, x, x, x, x]']
  .concat([...'bcdefghi'].map((n, i) => `${n}: &${n} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`))
  .join('\n')
  .concat('\n');

/** A collection `recipes` that just-the-docs lists, its settings on lines 2-8. */
const RECIPES =
  'title: T\ncollections:\n  recipes:\n    output: true\njust_the_docs:\n  collections:\n    recipes:\n      name: Recipes\n';

/** A small valid SVG image. */
const SQUARE =
  '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>';

export const CASES: readonly BadCase[] = [
  {
    name: 'invalid YAML: unclosed flow sequence',
    files: { 'a.md': fm('title: A\nparent: [unclosed\nnav_order: 1') },
    code: 'front-matter/invalid-yaml',
    severity: 'error',
    file: 'a.md',
    // The parser notices the missing `]` on the next line.
    line: 4,
  },
  {
    name: 'invalid YAML: tab indentation',
    files: { 'a.md': fm('title: A\nlist:\n\t- x') },
    code: 'front-matter/invalid-yaml',
    severity: 'error',
    file: 'a.md',
    line: 4,
  },
  {
    name: 'invalid YAML: bad indentation of a mapping',
    files: { 'a.md': fm('title: A\n  nav_order: 2\n nav_exclude: true') },
    code: 'front-matter/invalid-yaml',
    severity: 'error',
    file: 'a.md',
    line: 2,
  },
  {
    name: 'invalid YAML: unterminated quoted string',
    files: { 'a.md': fm('title: "A\nnav_order: 2') },
    code: 'front-matter/invalid-yaml',
    severity: 'error',
    file: 'a.md',
    // Where the parser gives up looking for the closing quote: the last line of the front matter.
    line: 3,
  },
  {
    name: 'front matter is a list',
    files: { 'a.md': fm('- a\n- b') },
    code: 'front-matter/not-a-mapping',
    severity: 'error',
    file: 'a.md',
    line: 2,
  },
  {
    name: 'front matter is a string',
    files: { 'a.md': fm('just some words') },
    code: 'front-matter/not-a-mapping',
    severity: 'error',
    file: 'a.md',
    line: 2,
  },
  {
    name: 'nav_order is a list',
    files: { 'a.md': fm('title: A\nnav_order: [1, 2]') },
    code: 'front-matter/invalid-nav-order',
    severity: 'warning',
    file: 'a.md',
    line: 3,
  },
  {
    name: 'nav_order is a mapping',
    files: { 'a.md': fm('title: A\nnav_order: {a: 1}') },
    code: 'front-matter/invalid-nav-order',
    severity: 'warning',
    file: 'a.md',
    line: 3,
  },
  {
    name: 'nav_order is a boolean',
    files: { 'a.md': fm('title: A\nnav_exclude: false\nnav_order: yes') },
    code: 'front-matter/invalid-nav-order',
    severity: 'warning',
    file: 'a.md',
    line: 4,
  },
  {
    name: 'nav_order is a date',
    files: { 'a.md': fm('title: A\nnav_order: 2024-01-02') },
    code: 'front-matter/invalid-nav-order',
    severity: 'warning',
    file: 'a.md',
    line: 3,
  },
  {
    name: 'title is a mapping',
    files: { 'a.md': fm('nav_order: 2\ntitle: {a: 1}') },
    code: 'front-matter/invalid-value',
    severity: 'warning',
    file: 'a.md',
    line: 3,
  },
  {
    name: 'empty title falls back to the first heading',
    files: { 'a.md': fm('title: ""\nnav_order: 2', 'Intro.\n\n## Second Thoughts {#x}\n') },
    code: 'front-matter/empty-title',
    severity: 'warning',
    file: 'a.md',
    line: 2,
    html: ['<h1 class="chapter-title">Second Thoughts</h1>'],
  },
  {
    name: 'empty title without a heading falls back to the file name',
    files: { 'docs/field-notes.md': fm("title: ''\nnav_order: 2", 'No heading here.\n') },
    code: 'front-matter/empty-title',
    severity: 'warning',
    file: 'docs/field-notes.md',
    line: 2,
    html: ['<h1 class="chapter-title">field-notes</h1>', 'No heading here.'],
  },
  {
    name: 'missing title: left out, as just-the-docs leaves it out of the navigation',
    files: { 'a.md': fm('nav_order: 2') },
    code: 'nav/untitled',
    severity: 'warning',
    file: 'a.md',
    line: 1,
  },
  {
    name: 'missing title on a nav_exclude page: a note only',
    files: { 'a.md': fm('nav_exclude: true') },
    code: 'nav/untitled',
    severity: 'info',
    file: 'a.md',
    line: 1,
  },
  {
    name: 'missing parent: placed at the top level',
    files: { 'a.md': fm('title: A\nparent: Nobody') },
    code: 'nav/missing-parent',
    severity: 'warning',
    file: 'a.md',
    line: 3,
    html: ['<h1 class="chapter-title">A</h1>'],
  },
  {
    name: 'too deeply nested to parse: kept as plain text',
    files: { 'a.md': fm('title: A', `${'>'.repeat(20_000)} deep\n\nAFTER THE DEEP PART\n`) },
    code: 'markdown/too-deep',
    severity: 'warning',
    file: 'a.md',
    line: 4,
    html: ['AFTER THE DEEP PART'],
  },
  {
    name: "title cycle: two pages are each other's parent",
    files: { 'a.md': fm('title: Egg\nparent: Hen'), 'b.md': fm('title: Hen\nparent: Egg') },
    code: 'nav/cycle',
    severity: 'error',
    file: 'a.md',
    line: 3,
  },
  {
    name: 'title cycle: a page is its own parent',
    files: { 'a.md': fm('title: Loop\nparent: Loop') },
    code: 'nav/cycle',
    severity: 'error',
    file: 'a.md',
    line: 3,
  },
  {
    name: 'duplicate titles with no way to tell them apart',
    files: {
      'a/x.md': fm('title: Same\nnav_order: 2'),
      'b/x.md': fm('title: Same\nnav_order: 2'),
    },
    code: 'nav/order-tie',
    severity: 'warning',
    file: 'a/x.md',
    line: 3,
  },
  {
    name: 'a child of duplicate parents appears once',
    files: {
      'a/x.md': fm('title: Same\nnav_order: 2'),
      'b/x.md': fm('title: Same\nnav_order: 3'),
      'c.md': fm('title: Child\nparent: Same'),
    },
    code: 'nav/repeated',
    severity: 'warning',
    file: 'c.md',
    line: 1,
  },
  {
    name: 'empty source folder',
    files: { '_config.yml': 'title: Nothing\n' },
    bare: true,
    code: 'source/empty',
    severity: 'error',
    file: '',
    line: 0,
  },
  {
    name: 'missing source folder',
    files: {},
    source: 'no-such-folder',
    code: 'source/missing',
    severity: 'error',
    file: '',
    line: 0,
  },
  {
    name: 'source is a file, not a folder',
    files: { 'file.txt': 'hello' },
    source: 'site/file.txt',
    code: 'source/missing',
    severity: 'error',
    file: '',
    line: 0,
  },
  {
    name: 'every page is excluded',
    files: { 'index.md': fm('title: Home\nnav_exclude: true') },
    code: 'nav/empty',
    severity: 'error',
    file: '',
    line: 0,
  },
  {
    name: 'binary file with a .md name',
    files: { 'a.md': Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0x00, 0x01, 0x02, 0x0a]) },
    code: 'source/binary',
    severity: 'warning',
    file: 'a.md',
    line: 0,
  },
  {
    name: 'not UTF-8 (Latin-1), at the line of the first bad byte',
    files: { 'a.md': LATIN1 },
    code: 'source/not-utf8',
    severity: 'error',
    file: 'a.md',
    line: 4,
  },
  {
    // Unreadable even for root (CI runs as root, which chmod cannot stop): a sparse 3 GB file
    // is beyond what Node reads into memory, and costs no disk.
    name: 'unreadable file (too big to read)',
    files: { 'a.md': fm('title: A') },
    sparse: { 'a.md': 3 * 1024 ** 3 },
    code: 'source/unreadable',
    severity: 'error',
    file: 'a.md',
    line: 0,
  },
  {
    name: 'symbolic link image pointing out of the source folder',
    files: { 'a.md': fm('title: A', '![secret](leak.png)\n') },
    symlinks: { 'leak.png': '/etc/hostname' },
    code: 'image/missing',
    severity: 'warning',
    file: 'a.md',
    line: 4,
    html: ['[image not found: secret]'],
  },
  {
    name: 'control characters no output can hold',
    files: { 'a.md': fm('title: A', 'Fine.\n\nBell \u0007 and form feed \u000c.\n') },
    code: 'source/control-characters',
    severity: 'warning',
    file: 'a.md',
    line: 6,
    html: ['Bell  and form feed .'],
  },
  {
    name: 'a control character in the title, by YAML escape',
    files: { 'a.md': fm('nav_order: 2\ntitle: "Ding \\u0007 dong"') },
    code: 'source/control-characters',
    severity: 'warning',
    file: 'a.md',
    line: 3,
    html: ['<h1 class="chapter-title">Ding  dong</h1>'],
  },
  {
    name: 'the same id twice in a page',
    files: { 'a.md': fm('title: A', '<p id="x">one</p>\n\n<p id="x">two</p>\n') },
    code: 'html/duplicate-id',
    severity: 'warning',
    file: 'a.md',
    line: 4,
    html: ['<p id="x">one</p>', '<p>two</p>'],
  },
  {
    name: 'unclosed front matter',
    files: { 'a.md': '---\ntitle: A\n\n# Body\n' },
    code: 'front-matter/unclosed',
    severity: 'warning',
    file: 'a.md',
    line: 1,
  },
  {
    name: 'BOM and CRLF: lines still right',
    files: { 'a.md': '\ufeff---\r\ntitle: A\r\nnav_order: 2\r\n---\r\n# A\r\n\r\n[x](/nowhere/)\r\n' },
    code: 'link/unresolved',
    severity: 'warning',
    file: 'a.md',
    line: 7,
    html: ['<h1 class="chapter-title">A</h1>'],
  },
  {
    name: 'CR-only line ends',
    files: { 'a.md': '---\rtitle: A\r---\r# A\r\r[x](/nowhere/)\r' },
    code: 'link/unresolved',
    severity: 'warning',
    file: 'a.md',
    line: 6,
  },
  {
    name: 'broken link',
    files: { 'a.md': fm('title: A', 'One.\n\nTwo [link](/does/not/exist/).\n') },
    code: 'link/unresolved',
    severity: 'warning',
    file: 'a.md',
    line: 6,
  },
  {
    name: 'broken link is an error with --strict',
    files: { 'a.md': fm('title: A', '[link](/does/not/exist/)\n') },
    code: 'link/unresolved',
    severity: 'error',
    strict: true,
    file: 'a.md',
    line: 4,
  },
  {
    name: 'link to a page outside the book',
    files: { 'a.md': fm('title: A', '[hidden](/b/)\n'), 'b.md': fm('title: B\nnav_exclude: true') },
    code: 'link/outside-book',
    severity: 'warning',
    file: 'a.md',
    line: 4,
  },
  {
    name: 'javascript: link',
    files: { 'a.md': fm('title: A', 'Please <a href="javascript:alert(1)">click</a>.\n') },
    code: 'link/unsafe',
    severity: 'warning',
    file: 'a.md',
    line: 4,
    html: ['!javascript:'],
  },
  {
    name: 'missing image: warning and a visible placeholder with the alt text',
    files: { 'a.md': fm('title: A', 'Text.\n\n![A lighthouse at dusk](img/none.png)\n') },
    code: 'image/missing',
    severity: 'warning',
    file: 'a.md',
    line: 6,
    html: ['[image not found: A lighthouse at dusk]'],
  },
  {
    name: 'image outside the source folder',
    files: { 'a.md': fm('title: A', '![x](../../etc/passwd)\n') },
    code: 'image/outside-root',
    severity: 'warning',
    file: 'a.md',
    line: 4,
  },
  {
    name: 'file: image',
    files: { 'a.md': fm('title: A', '<img src="file:///etc/passwd" alt="x">\n') },
    code: 'image/unsafe',
    severity: 'warning',
    file: 'a.md',
    line: 4,
    html: ['!/etc/passwd'],
  },
  {
    name: 'remote image without --allow-remote',
    files: { 'a.md': fm('title: A', '<img src="http://127.0.0.1:9/x.png" alt="far away">\n') },
    code: 'image/remote',
    severity: 'warning',
    file: 'a.md',
    line: 4,
    html: ['[image not found: far away]', '!src="http://127.0.0.1'],
  },
  {
    name: 'script element',
    files: { 'a.md': fm('title: A', 'Text.\n\n<script>document.title = "pwned"</script>\n') },
    code: 'html/script-removed',
    severity: 'warning',
    file: 'a.md',
    line: 6,
    html: ['!pwned', '!<script'],
  },
  {
    name: 'event handler attribute',
    files: { 'a.md': fm('title: A', '<p onclick="steal()">Hello</p>\n') },
    code: 'html/event-handler-removed',
    severity: 'warning',
    file: 'a.md',
    line: 4,
    html: ['<p>Hello</p>', '!steal'],
  },
  {
    name: 'iframe',
    files: { 'a.md': fm('title: A', '<iframe src="https://example.com/"></iframe>\n') },
    code: 'html/element-removed',
    severity: 'warning',
    file: 'a.md',
    line: 4,
    // Gone, but a note with its address stands in its place.
    html: ['!<iframe', 'class="bb-embed"', 'Embedded content from example.com'],
  },
  {
    name: 'meta refresh',
    files: { 'a.md': fm('title: A', '<meta http-equiv="refresh" content="0; url=https://example.com/">\n') },
    code: 'html/element-removed',
    severity: 'warning',
    file: 'a.md',
    line: 4,
    html: ['!http-equiv'],
  },
  {
    name: 'remote url() in a page <style> block',
    files: {
      'a.md': fm(
        'title: A',
        '<style>\n.x { background: url(https://example.com/t.png); color: red }\n</style>\n',
      ),
    },
    code: 'html/css-url-removed',
    severity: 'warning',
    file: 'a.md',
    line: 5,
    html: ['color: red', '!example.com'],
  },
  {
    name: 'symbolic link page is not followed',
    files: { 'a.md': fm('title: A') },
    symlinks: { 'link.md': 'a.md' },
    code: 'source/symlink',
    severity: 'warning',
    file: 'link.md',
    line: 0,
  },
  {
    name: '--root matches no page',
    files: {},
    root: 'Nowhere',
    code: 'root/not-found',
    severity: 'error',
    file: '',
    line: 0,
  },
  {
    name: 'equal nav_order: a tie, kept in path order',
    files: { 'a.md': fm('title: A\nnav_order: 5'), 'b.md': fm('title: B\nnav_order: 5') },
    code: 'nav/order-tie',
    severity: 'warning',
    file: 'a.md',
    line: 3,
  },
  // Files outside the site are never read, also through symbolic links (issue 18, point 1).
  {
    name: '{% include %} of a symbolic link to a file outside the site',
    files: {
      'a.md': fm('title: A', 'Before.\n\n{% include leak.html %}\n\nAfter.\n'),
      '_includes/ok.html': 'x',
    },
    symlinks: { '_includes/leak.html': '/etc/passwd' },
    code: 'liquid/include-outside',
    severity: 'warning',
    file: 'a.md',
    line: 6,
    html: ['!root:x:0', 'After.'],
  },
  {
    name: '{% include_relative %} of a symbolic link to a file outside the site',
    files: { 'docs/a.md': fm('title: A', 'Before.\n\n{% include_relative leak.txt %}\n') },
    symlinks: { 'docs/leak.txt': '/etc/passwd' },
    code: 'liquid/include-outside',
    severity: 'warning',
    file: 'docs/a.md',
    line: 6,
    html: ['!root:x:0', 'Before.'],
  },
  {
    name: '{% include %} through an _includes folder that links outside the site',
    files: { 'a.md': fm('title: A', '{% include passwd %}\n') },
    symlinks: { _includes: '/etc' },
    code: 'liquid/include-outside',
    severity: 'warning',
    file: 'a.md',
    line: 4,
    html: ['!root:x:0'],
  },
  {
    name: '{% include %} climbing out of _includes with ..',
    files: { 'a.md': fm('title: A', '{% include ../../../../../../etc/passwd %}\n') },
    code: 'liquid/include-outside',
    severity: 'warning',
    file: 'a.md',
    line: 4,
    html: ['!root:x:0'],
  },
  {
    name: '_config.yml is a symbolic link to a file outside the site',
    files: {},
    symlinks: { '_config.yml': '/etc/passwd' },
    code: 'config/outside-site',
    severity: 'error',
    file: '_config.yml',
    line: 0,
  },
  {
    name: 'a folder of _data that links outside the site',
    files: { 'a.md': fm('title: A', 'Users: {{ site.data.etc.passwd }}.\n'), '_data/own.yml': 'a: 1\n' },
    symlinks: { '_data/etc': '/etc' },
    code: 'source/symlink',
    severity: 'warning',
    file: '_data/etc',
    line: 0,
    html: ['!root:x:0', 'Users: .'],
  },
  {
    name: '_data itself links outside the site',
    files: { 'a.md': fm('title: A', 'Users: {{ site.data.passwd }}.\n') },
    symlinks: { _data: '/etc' },
    code: 'source/outside-site',
    severity: 'warning',
    file: '_data',
    line: 0,
    html: ['!root:x:0'],
  },
  // Kept, as kramdown keeps it, with a warning (issue 18, point 14).
  {
    name: 'an unclosed <!-- keeps the rest of the page',
    files: { 'a.md': fm('title: A', 'Before.\n\n<!-- never closed\n\nAFTER-THE-COMMENT\n\n## Later\n') },
    code: 'markdown/unclosed-comment',
    severity: 'warning',
    file: 'a.md',
    line: 6,
    html: ['AFTER-THE-COMMENT', '<h2', '&lt;!'],
  },
  {
    name: 'an unclosed {::comment} is kept as text',
    files: { 'a.md': fm('title: A', '{::comment}\nSTILL-HERE\n\nAFTER\n') },
    code: 'kramdown/unclosed-extension',
    severity: 'warning',
    file: 'a.md',
    line: 4,
    html: ['STILL-HERE', 'AFTER'],
  },
  {
    name: 'an unclosed {::nomarkdown} is kept as text',
    files: { 'a.md': fm('title: A', 'Text.\n\n{::nomarkdown}\n<b>RAW</b>\n\nAFTER\n') },
    code: 'kramdown/unclosed-extension',
    severity: 'warning',
    file: 'a.md',
    line: 6,
    html: ['<b>RAW</b>', 'AFTER'],
  },
  // Files that are not pages say so (issue 18, point 16).
  {
    name: 'a FIFO named like a page is not read, and named',
    files: {},
    fifos: ['page.md'],
    code: 'source/not-a-file',
    severity: 'info',
    file: 'page.md',
    line: 0,
  },
  {
    name: '---js front matter: not a page, and named',
    files: { 'a.md': '---js\n{ title: "A" }\n---\n# A\n' },
    code: 'front-matter/not-yaml',
    severity: 'info',
    file: 'a.md',
    line: 1,
  },
  // SVG presentation attributes fetch nothing; only same-document url(#id) stays (point 2).
  {
    name: 'SVG fill, filter, mask, clip-path, marker and cursor with remote url()',
    files: {
      'a.md': fm(
        'title: A',
        'Text.\n\n<svg width="10" height="10"><defs><linearGradient id="g"/><linearGradient id="h" href="http://127.0.0.1:9/grad.svg#x"/></defs>' +
          '<rect fill="url(http://127.0.0.1:9/fill)" stroke="url(#g)" filter="url(http://127.0.0.1:9/f)" mask="url(\'//127.0.0.1:9/m\')" ' +
          'clip-path="u\\72l(http://127.0.0.1:9/c)" marker-start="url(http://127.0.0.1:9/ms)" marker-end="url(data:image/svg+xml,x)" ' +
          'cursor="url(http://127.0.0.1:9/cur), auto" style="fill: url(http://127.0.0.1:9/style)" width="5" height="5"/></svg>\n',
      ),
    },
    code: 'html/css-url-removed',
    severity: 'warning',
    file: 'a.md',
    line: 6,
    html: ['!127.0.0.1', 'stroke="url(#g)"', '!data:image/svg', '<rect'],
  },
  // Issue 18, helper h18: alias bombs, and what the output stages check.
  {
    name: 'a YAML alias bomb in _config.yml: an error at the alias, not the memory exhausted',
    files: { '_config.yml': `title: Bomb\n${BOMB}` },
    code: 'config/invalid-yaml',
    severity: 'error',
    file: '_config.yml',
    line: 10,
  },
  {
    name: 'a YAML alias bomb in front matter: an error at the alias',
    files: { 'a.md': fm(`title: A\n${BOMB.trimEnd()}`) },
    code: 'front-matter/invalid-yaml',
    severity: 'error',
    file: 'a.md',
    line: 11,
  },
  {
    name: 'a YAML alias bomb in a data file: site.data lacks it, at the alias',
    files: { '_data/bomb.yml': BOMB, 'a.md': fm('title: A', '{{ site.data.bomb.i.size }}\n') },
    code: 'data/invalid-yaml',
    severity: 'warning',
    file: '_data/bomb.yml',
    line: 9,
  },
  {
    name: 'a YAML alias bomb in a collection document: an error at the alias',
    files: {
      '_config.yml': RECIPES,
      '_recipes/b.md': fm(
        `title: B\n${BOMB.split('\n').slice(0, 4).join('\n')}\ne: [${Array(9).fill('*d').join(', ')}]`,
      ),
    },
    code: 'front-matter/invalid-yaml',
    severity: 'error',
    file: '_recipes/b.md',
    line: 7,
  },
  {
    name: 'aliases four levels deep in _config.yml are refused too (820 values)',
    files: {
      '_config.yml': `title: T\n${BOMB.split('\n').slice(0, 3).join('\n')}\nd: [${Array(9).fill('*c').join(', ')}]\n`,
    },
    code: 'config/invalid-yaml',
    severity: 'error',
    file: '_config.yml',
    line: 5,
  },
  // Where the outputs go (points 7 and 13): refused before anything is read, or a coded error.
  {
    name: 'the output folder is the source folder',
    files: {},
    outDir: 'site',
    code: 'output/refused',
    severity: 'error',
    file: '',
    line: 0,
  },
  {
    name: 'the output folder is under /proc',
    files: {},
    outDir: '../../proc/bb-refused',
    code: 'output/refused',
    severity: 'error',
    file: '',
    line: 0,
  },
  {
    name: 'the output folder is inside the source, where the next build would read it',
    files: { 'docs/a.md': fm('title: A') },
    outDir: 'site/docs',
    code: 'output/refused',
    severity: 'error',
    file: '',
    line: 0,
  },
  {
    name: '-o names a file: a coded error, no stack',
    files: { 'book/index.md': INDEX, out: 'a file' },
    bare: true,
    source: 'site/book',
    outDir: 'site/out/below',
    code: 'output/write-failed',
    severity: 'error',
    file: '',
    line: 0,
  },
  {
    name: 'a folder holds the name of the book file',
    files: { 'book/index.md': INDEX, 'out/book.html/keep': 'x' },
    bare: true,
    source: 'site/book',
    outDir: 'site/out',
    code: 'output/write-failed',
    severity: 'error',
    file: '',
    line: 0,
  },
  // --strict is decided before writing (point 16): a warning of the EPUB stage fails the build.
  {
    name: '--strict with a warning of the EPUB stage (an image without alt text)',
    files: { 'a.md': fm('title: A', 'Text.\n\n<img src="pic.svg">\n'), 'pic.svg': SQUARE },
    formats: ['epub'],
    strict: true,
    code: 'image/no-alt',
    severity: 'error',
    file: 'a.md',
    line: 6,
  },
  {
    name: '--strict with a Markdown warning, outputs asked for',
    files: { 'a.md': fm('title: A', 'Text.\n\n[x](/nowhere/)\n') },
    formats: ['html', 'epub'],
    outDir: 'out',
    strict: true,
    code: 'link/unresolved',
    severity: 'error',
    file: 'a.md',
    line: 6,
  },
  // Liquid: every broken tag is named at its line, the rest of the page kept.
  {
    name: 'Liquid: {% if %} without a condition',
    files: { 'a.md': fm('title: A', 'Text.\n\n{% if %}x{% endif %}\n\nKEPT\n') },
    code: 'liquid/syntax-error',
    severity: 'warning',
    file: 'a.md',
    line: 6,
    html: ['KEPT'],
  },
  {
    name: 'Liquid: an unclosed {% for %}',
    files: { 'a.md': fm('title: A', 'Text.\n\n{% for i in (1..3) %}{{ i }}\n') },
    code: 'liquid/syntax-error',
    severity: 'warning',
    file: 'a.md',
    line: 6,
  },
  {
    name: 'Liquid: an unknown tag',
    files: { 'a.md': fm('title: A', 'Text.\n\n{% frobnicate %}\n') },
    code: 'liquid/unknown-tag',
    severity: 'warning',
    file: 'a.md',
    line: 6,
  },
  {
    name: 'Liquid: an unknown filter',
    files: { 'a.md': fm('title: A', 'Text.\n\n{{ "x" | frobnicate }}\n') },
    code: 'liquid/unknown-filter',
    severity: 'warning',
    file: 'a.md',
    line: 6,
  },
  {
    name: 'Liquid: an include that does not exist',
    files: { 'a.md': fm('title: A', 'Text.\n\n{% include nope.html %}\n') },
    code: 'liquid/include-missing',
    severity: 'warning',
    file: 'a.md',
    line: 6,
  },
  {
    name: 'Liquid: {% link %} to no page',
    files: { 'a.md': fm('title: A', 'Text.\n\n[x]({% link nope.md %})\n') },
    code: 'liquid/link-not-found',
    severity: 'warning',
    file: 'a.md',
    line: 6,
  },
  {
    name: 'Liquid: {% post_url %} to no post',
    files: { 'a.md': fm('title: A', 'Text.\n\n[x]({% post_url 2020-01-01-nope %})\n') },
    code: 'link/unresolved',
    severity: 'warning',
    file: 'a.md',
    line: 6,
  },
  {
    name: 'Liquid: a loop of 100,000,000 turns ends at its budget',
    files: { 'a.md': fm('title: A', 'Text.\n\n{% for i in (1..100000000) %}{{ i }} {% endfor %}\n') },
    code: 'liquid/limit',
    severity: 'warning',
    file: 'a.md',
    line: 6,
  },
  // Markdown and kramdown.
  {
    name: 'an unknown kramdown extension',
    files: { 'a.md': fm('title: A', 'Text.\n\n{::frob}x{:/frob}\n') },
    code: 'kramdown/unknown-extension',
    severity: 'warning',
    file: 'a.md',
    line: 6,
  },
  {
    name: 'a link to an id no heading has',
    files: { 'a.md': fm('title: A', '# A\n\nSee [x](#nowhere).\n') },
    code: 'link/missing-anchor',
    severity: 'warning',
    file: 'a.md',
    line: 6,
  },
  {
    name: 'math KaTeX cannot read is kept as TeX',
    files: { 'a.md': fm('title: A', 'Text.\n\n$$\\frac{1}{$$\n') },
    code: 'math/invalid',
    severity: 'warning',
    file: 'a.md',
    line: 6,
  },
  {
    name: 'a code block too big to highlight is kept uncoloured',
    files: { 'a.md': fm('title: A', `Text.\n\n\`\`\`js\n${'let a = 1;\n'.repeat(30_000)}\`\`\`\n`) },
    code: 'code/not-highlighted',
    severity: 'warning',
    file: 'a.md',
    line: 6,
  },
  // Raw HTML and SVG: what could run or fetch is removed, and said.
  {
    name: 'formaction and srcdoc attributes',
    files: { 'a.md': fm('title: A', 'Text.\n\n<div formaction="x" srcdoc="y">KEPT</div>\n') },
    code: 'html/attribute-removed',
    severity: 'warning',
    file: 'a.md',
    line: 6,
    html: ['KEPT', '!srcdoc'],
  },
  {
    name: 'a <form> posting to javascript:',
    files: {
      'a.md': fm('title: A', 'Text.\n\n<form action="javascript:alert(1)"><button>b</button></form>\n'),
    },
    code: 'html/element-removed',
    severity: 'warning',
    file: 'a.md',
    line: 6,
    html: ['!javascript:'],
  },
  {
    name: 'an SVG image file with a script',
    files: {
      'a.md': fm('title: A', 'Text.\n\n![pic](pic.svg)\n'),
      'pic.svg':
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><script>alert(1)</script><rect width="4" height="4"/></svg>',
    },
    code: 'image/svg-sanitized',
    severity: 'warning',
    file: 'pic.svg',
    line: 0,
  },
  // Navigation.
  {
    name: 'nav_exclude: true leaves the page out, and says so',
    files: { 'a.md': fm('title: A\nnav_exclude: true') },
    code: 'nav/excluded',
    severity: 'info',
    file: 'a.md',
    line: 3,
  },
  {
    name: 'the child of an excluded page',
    files: {
      'a.md': fm('title: A\nnav_exclude: true\nhas_children: true'),
      'b.md': fm('title: B\nparent: A'),
    },
    code: 'nav/not-shown',
    severity: 'info',
    file: 'b.md',
    line: 3,
  },
  {
    name: 'a parent not under the grand_parent named',
    files: {
      'a.md': fm('title: A\nhas_children: true'),
      'g.md': fm('title: G\nhas_children: true'),
      'b.md': fm('title: B\nparent: A\ngrand_parent: G'),
    },
    code: 'nav/unmatched-parent',
    severity: 'warning',
    file: 'b.md',
    line: 3,
  },
  // Data files and _config.yml.
  {
    name: 'a CSV data file with an unclosed quote',
    files: { '_data/x.csv': 'a,b\n1,"2\n3,4\n', 'a.md': fm('title: A', '{{ site.data.x }}\n') },
    code: 'data/invalid-table',
    severity: 'warning',
    file: '_data/x.csv',
    line: 2,
  },
  {
    name: 'a JSON data file with an unclosed array',
    files: {
      '_data/x.json': '{\n  "a": [1,\n  "b": }\n}\n',
      'a.md': fm('title: A', '{{ site.data.x.a }}\n'),
    },
    code: 'data/invalid-json',
    severity: 'warning',
    file: '_data/x.json',
    line: 3,
  },
  {
    name: '_config.yml that is a list',
    files: { '_config.yml': '- a\n- b\n' },
    code: 'config/not-a-mapping',
    severity: 'warning',
    file: '_config.yml',
    line: 1,
  },
  {
    name: '_config.yml with an unclosed flow sequence',
    files: { '_config.yml': 'title: T\nexclude: [a\n' },
    code: 'config/invalid-yaml',
    severity: 'error',
    file: '_config.yml',
    line: 3,
  },
  {
    name: 'callouts: that is not a mapping',
    files: { '_config.yml': 'title: T\ncallouts: [a, b]\n' },
    code: 'config/callouts',
    severity: 'warning',
    file: '_config.yml',
    line: 0,
  },
  {
    name: 'a callout colour just-the-docs does not have',
    files: { '_config.yml': 'title: T\ncallouts:\n  warn:\n    color: octarine\n' },
    code: 'config/callout-color',
    severity: 'warning',
    file: '_config.yml',
    line: 0,
  },
  // Collections.
  {
    name: 'a collection listed by just-the-docs but not defined',
    files: { '_config.yml': 'title: T\njust_the_docs:\n  collections:\n    recipes:\n      name: Recipes\n' },
    code: 'collection/undefined',
    severity: 'warning',
    file: '_config.yml',
    line: 4,
  },
  {
    name: 'a collection without its folder',
    files: { '_config.yml': RECIPES },
    code: 'collection/missing-folder',
    severity: 'warning',
    file: '_config.yml',
    line: 7,
  },
  {
    name: 'just_the_docs collections: as a list',
    files: { '_config.yml': 'title: T\njust_the_docs:\n  collections: [recipes]\n' },
    code: 'collection/invalid-config',
    severity: 'warning',
    file: '_config.yml',
    line: 3,
  },
  {
    name: 'a collection document with published: false',
    files: {
      '_config.yml': RECIPES,
      '_recipes/b.md': fm('title: B\npublished: false'),
      '_recipes/c.md': fm('title: C'),
    },
    code: 'collection/unpublished',
    severity: 'info',
    file: '_recipes/b.md',
    line: 3,
  },
  {
    name: 'a collection with output: false',
    files: {
      '_config.yml':
        'title: T\ncollections:\n  recipes: {}\njust_the_docs:\n  collections:\n    recipes:\n      name: Recipes\n',
      '_recipes/b.md': fm('title: B'),
    },
    code: 'collection/no-output',
    severity: 'info',
    file: '_config.yml',
    line: 6,
  },
  {
    name: 'a collection not listed by just-the-docs',
    files: {
      '_config.yml': 'title: T\ncollections:\n  recipes:\n    output: true\n',
      '_recipes/b.md': fm('title: B'),
    },
    code: 'collection/not-in-nav',
    severity: 'info',
    file: '_config.yml',
    line: 1,
  },
];

/** The case list's default home page. */
export const INDEX_PAGE = INDEX;
