/**
 * End to end, print PDF: a book generated here (our own text; three navigation levels, more
 * than 60 A5 pages, two-sided) is built twice with SOURCE_DATE_EPOCH and inspected with
 * pdftotext, pdfinfo, pdffonts and qpdf: contents numbers, roman/arabic labels, running heads,
 * bookmarks, metadata, fonts and byte-identical rebuilds.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools, run, runCli } from '../helpers.js';

interface Report {
  chapters: { title: string; source: string; depth: number; id: string; page: number; pageLabel: string }[];
  warnings: { code: string; message: string }[];
}

interface Outline {
  title: string;
  kids: Outline[];
}

const WORDS = (
  'binding signature folio quire margin gutter leading kerning ligature serif typeface colophon ' +
  'frontispiece endpaper headband spine board cloth paper grain deckle watermark imposition sheet ' +
  'gathering sewing thread glue press plough trimming gilding tooling lettering stamping embossing ' +
  'proof galley compositor justification hyphenation paragraph indentation orphan widow baseline'
).split(' ');

/** Deterministic filler text: `n` sentences, different for each seed. */
function prose(seed: number, n: number): string {
  const out: string[] = [];
  for (let s = 0; s < n; s++) {
    const words: string[] = [];
    for (let w = 0; w < 14; w++) words.push(WORDS[(seed * 7 + s * 13 + w * w * 3) % WORDS.length]!);
    const sentence = words.join(' ');
    out.push(sentence[0]!.toUpperCase() + sentence.slice(1) + '.');
  }
  return out.join(' ');
}

/** A page: its front matter, its body and the headings the outline must show. */
interface GenPage {
  path: string;
  title: string;
  front: string;
  body: string;
  headings: Outline[];
  children: GenPage[];
}

function leaf(path: string, title: string, front: string, seed: number, extra = ''): GenPage {
  const a = `${title} Materials`;
  const b = `${title} Methods`;
  const c = `${title} Details`;
  const body = [
    `## ${a}`,
    prose(seed, 10),
    `### ${c}`,
    prose(seed + 1, 9),
    `## Unlisted ${title}\n{: .no_toc}`,
    prose(seed + 2, 4),
    `## ${b}`,
    prose(seed + 3, 12),
    extra,
  ].join('\n\n');
  return {
    path,
    title,
    front,
    body,
    headings: [
      { title: a, kids: [{ title: c, kids: [] }] },
      { title: b, kids: [] },
    ],
    children: [],
  };
}

const EXTRA = [
  '| Format | Width | Height |\n|---|---|---|\n| A5 | 148 mm | 210 mm |\n| B5 | 176 mm | 250 mm |',
  'A note on sources.[^1] See [the long address](https://example.org/a/very/long/address/that/has/to/wrap/somewhere/in/the/line).',
  '[^1]: Written for this test.',
  '中文排版需要合适的字体。',
  'هذا نص عربي قصير للاختبار.',
].join('\n\n');

/** Three parts, each with three chapters; the second chapter of each part has two sections. */
function generate(): GenPage[] {
  const parts: GenPage[] = [];
  let seed = 1;
  for (let p = 1; p <= 3; p++) {
    const partTitle = `Part ${['One', 'Two', 'Three'][p - 1]}`;
    const part = leaf(`docs/p${p}/index.md`, partTitle, `has_children: true\nnav_order: ${p}`, seed++);
    for (let c = 1; c <= 3; c++) {
      const title = `${partTitle} Chapter ${c}`;
      const chapter = leaf(
        `docs/p${p}/c${c}/index.md`,
        title,
        `parent: ${partTitle}\nnav_order: ${c}${c === 2 ? '\nhas_children: true' : ''}`,
        seed++,
        p === 1 && c === 1 ? EXTRA : '',
      );
      if (c === 2) {
        for (let s = 1; s <= 2; s++) {
          chapter.children.push(
            leaf(
              `docs/p${p}/c${c}/s${s}.md`,
              `${title} Section ${s}`,
              `parent: ${title}\ngrand_parent: ${partTitle}\nnav_order: ${s}`,
              seed++,
            ),
          );
        }
      }
      part.children.push(chapter);
    }
    parts.push(part);
  }
  return parts;
}

function writeSite(dir: string, pages: readonly GenPage[]): void {
  writeFileSync(
    join(dir, '_config.yml'),
    [
      'title: The Generated Binding Book',
      'description: A book made up by the test suite',
      'author: [Ada Tester, Ben Checker]',
      'keywords: [bookbinding, typesetting]',
      'lang: en',
      'bookbinder:',
      '  subtitle: Sixty pages and more',
      '  pdf:',
      '    size: A5',
      '    two_sided: true',
      '    toc_depth: 3',
      '    print_urls: true',
      '',
    ].join('\n'),
  );
  const write = (p: GenPage): void => {
    const file = join(dir, p.path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, `---\ntitle: ${p.title}\n${p.front}\n---\n\n${p.body}\n`);
    p.children.forEach(write);
  };
  pages.forEach(write);
}

function expectedOutline(pages: readonly GenPage[]): Outline[] {
  return pages.map((p) => ({ title: p.title, kids: [...p.headings, ...expectedOutline(p.children)] }));
}

function pageText(pdf: string, page: number): string {
  return run('pdftotext', ['-f', String(page), '-l', String(page), '-layout', pdf, '-']);
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

// Printed as one chunk (the default for a book this size), and cut into chunks of a chapter or
// two, so that the merge, the links between chunks and the two-sided reprints are checked too.
for (const chunk of [undefined, '20000'])
  describe(`print PDF of a generated 60-page book${chunk ? ', printed in chunks' : ''} (end to end)`, function () {
    this.timeout(300_000);
    const site = mkdtempSync(join(tmpdir(), 'bb-pdfbook-'));
    const pages = generate();
    let report: Report & { infos: { code: string; message: string }[] };
    let pdf: string;
    let again: string;

    before(function () {
      requireTools(this, 'chromium', 'pdftotext', 'pdfinfo', 'pdffonts', 'qpdf');
      writeSite(site, pages);
      const build = (out: string): typeof report => {
        const r = runCli(['build', site, '-o', out, '--format', 'pdf', '--json'], {
          SOURCE_DATE_EPOCH: '1700000000',
          ...(chunk && { BOOKBINDER_PDF_CHUNK: chunk }),
        });
        assert.equal(r.status, 0, r.stderr);
        return JSON.parse(r.stdout) as typeof report;
      };
      report = build(join(site, '_out1'));
      build(join(site, '_out2'));
      pdf = join(site, '_out1', 'book.pdf');
      again = join(site, '_out2', 'book.pdf');
    });

    it('has three levels, at least 60 pages and no warnings', () => {
      assert.deepEqual([...new Set(report.chapters.map((c) => c.depth))].sort(), [0, 1, 2]);
      const count = Number(/Pages:\s+(\d+)/.exec(run('pdfinfo', [pdf]))?.[1]);
      assert.ok(count >= 60, `${count} pages`);
      assert.deepEqual(report.warnings, []);
      const chunks = report.infos.find((i) => i.code === 'pdf/chunks')?.message ?? '';
      // As one chunk, it holds every part, so it is printed again with blank pages before them.
      if (chunk) assert.match(chunks, /in ([3-9]|\d\d+) chunks\b/);
      else assert.match(chunks, /in 1 chunk, 1 printed again\b/);
    });

    it('every link lands on a page; none is left pointing at another chunk', () => {
      const json = JSON.parse(run('qpdf', ['--json', pdf])) as {
        qpdf: [unknown, Record<string, { value?: Record<string, unknown> }>];
      };
      const objects = json.qpdf[1];
      const pageRefs = new Set(
        Object.entries(objects)
          .filter(([, o]) => o.value?.['/Type'] === '/Page')
          .map(([k]) => k.replace(/^obj:/, '')),
      );
      let internal = 0;
      for (const o of Object.values(objects)) {
        const v = o.value;
        if (v?.['/Subtype'] !== '/Link') continue;
        assert.doesNotMatch(JSON.stringify(v), /bookbinder\.invalid/);
        const dest = v['/Dest'];
        if (Array.isArray(dest)) {
          assert.ok(pageRefs.has(String(dest[0])), `link to ${JSON.stringify(dest)}`);
          internal++;
        }
      }
      assert.ok(
        internal >= report.chapters.length,
        `${internal} internal links (the contents has one per chapter)`,
      );
      assert.match(run('qpdf', ['--check', pdf]), /No syntax or stream encoding errors/);
    });

    it('one structure tree: every marked page and link has its parent-tree entry, ids are unique', () => {
      const json = JSON.parse(run('qpdf', ['--json', pdf])) as {
        qpdf: [unknown, Record<string, { value?: Record<string, unknown> }>];
      };
      const objects = json.qpdf[1];
      const get = (ref: unknown) => objects[`obj:${String(ref)}`]?.value ?? {};
      const all = Object.values(objects).map((o) => o.value ?? {});
      const catalog = all.find((v) => v['/Type'] === '/Catalog')!;
      const rootRef = catalog['/StructTreeRoot'];
      const root = get(rootRef);
      const kids = root['/K'] as string[];
      assert.ok(kids.length >= 2, 'the front matter and the body each bring their document element');
      for (const k of kids) assert.equal(get(k)['/P'], rootRef);
      const nums = get(root['/ParentTree'])['/Nums'] as unknown[];
      const keys = new Set(nums.filter((_, i) => i % 2 === 0) as number[]);
      let marked = 0;
      for (const v of all) {
        const key = v['/Type'] === '/Page' ? v['/StructParents'] : v['/StructParent'];
        if (typeof key !== 'number') continue;
        assert.ok(keys.has(key), `parent-tree key ${key}`);
        marked++;
      }
      assert.ok(marked > 60, `${marked} pages and links are marked`);
      assert.ok(Number(root['/ParentTreeNextKey']) > Math.max(...keys));
      const names = get(root['/IDTree'])['/Names'] as string[];
      const ids = names.filter((_, i) => i % 2 === 0);
      assert.deepEqual(ids, [...new Set(ids)].sort(), 'the id tree is sorted, without duplicates');
      for (let i = 0; i < names.length; i += 2) assert.equal(get(names[i + 1])['/ID'], names[i]);
    });

    it('every contents number is the number printed on the page where that chapter starts', () => {
      const contents = run('pdftotext', [
        '-f',
        '2',
        '-l',
        String(report.chapters[0]!.page - 1),
        '-layout',
        pdf,
        '-',
      ]);
      for (const c of report.chapters) {
        const m = new RegExp(`^\\s*${c.title}[ .]*\\s(\\S+)\\s*$`, 'm').exec(contents);
        assert.ok(m, `${c.title} in the contents`);
        assert.equal(m[1], c.pageLabel, `${c.title}: contents says ${m[1]}`);
        const text = lines(pageText(pdf, c.page));
        // A long title may wrap onto two lines; nothing (no running head) comes before it.
        assert.ok(
          text.join(' ').startsWith(c.title),
          `${c.title} opens page ${c.page} with no running head above it: ${text[0]}`,
        );
        assert.equal(text[text.length - 1], c.pageLabel, `folio ${c.pageLabel} printed on page ${c.page}`);
      }
    });

    it('labels the front matter in roman numerals and the body from 1 in arabic', () => {
      const json = JSON.parse(run('qpdf', ['--json', pdf])) as {
        pagelabels: { index: number; label: Record<string, unknown> }[];
      };
      const front = report.chapters[0]!.page - 1;
      assert.deepEqual(
        json.pagelabels.map((l) => [l.index, l.label['/S']]),
        [
          [0, '/r'],
          [front, '/D'],
        ],
      );
      assert.equal(report.chapters[0]!.pageLabel, '1');
      // Two-sided: the title page's back is blank and the contents open on the right, on iii.
      assert.deepEqual(lines(pageText(pdf, 2)), [], 'the back of the title page is blank');
      assert.deepEqual(lines(pageText(pdf, 3)).slice(-1), ['iii'], 'the contents page shows iii');
      assert.equal(
        lines(pageText(pdf, 1)).pop(),
        'A book made up by the test suite',
        'no number on the title page',
      );
    });

    it('running heads: the chapter title on right-hand pages, the book title on left-hand pages', () => {
      let checked = 0;
      for (const [i, c] of report.chapters.entries()) {
        const next = report.chapters[i + 1]?.page ?? c.page + 2;
        for (let p = c.page + 1; p < next; p++) {
          const head = lines(pageText(pdf, p))[0];
          if (head === undefined) continue; // a blank page before a part
          assert.equal(head, p % 2 === 1 ? c.title : 'The Generated Binding Book', `head of page ${p}`);
          checked++;
        }
      }
      assert.ok(checked >= 20, `${checked} body pages checked`);
    });

    it('parts open on right-hand pages (blank pages inserted)', () => {
      for (const c of report.chapters.filter((x) => x.depth === 0)) assert.equal(c.page % 2, 1, c.title);
    });

    it('the bookmarks are the book tree: pages at their depth, their headings below, no .no_toc', () => {
      const json = JSON.parse(run('qpdf', ['--json', pdf])) as { outlines: Outline[] };
      const strip = (o: readonly Outline[]): Outline[] =>
        o.map((x) => ({ title: x.title, kids: strip(x.kids) }));
      assert.deepEqual(strip(json.outlines), expectedOutline(pages));
    });

    it('metadata: title, authors, subject, keywords, language, producer, dates from SOURCE_DATE_EPOCH', () => {
      const info = run('pdfinfo', [pdf]);
      assert.match(info, /Title:\s+The Generated Binding Book\n/);
      assert.match(info, /Author:\s+Ada Tester, Ben Checker\n/);
      assert.match(info, /Subject:\s+A book made up by the test suite\n/);
      assert.match(info, /Keywords:\s+bookbinding typesetting\n/);
      assert.match(info, /Producer:\s+bookbinder/);
      assert.match(info, /CreationDate:\s+Tue Nov 14 22:13:20 2023 UTC/);
      assert.match(info, /Page size:\s+4(19\.\d+|20) x 59[45](\.\d+)? pts \(A5\)/);
      assert.match(info, /Tagged:\s+yes/);
      assert.match(readFileSync(pdf, 'latin1'), /\/Lang \(en\)/);
    });

    it('embeds only the bundled Noto fonts, CJK and Arabic included', () => {
      const fonts = lines(run('pdffonts', [pdf])).slice(2);
      assert.ok(fonts.length > 0);
      for (const f of fonts) assert.match(f, /^[A-Z]{6}\+Noto\S*\s.*\syes\s+yes\s+yes\s/, f);
      const names = fonts.join('\n');
      assert.match(names, /NotoSansSC/);
      assert.match(names, /NotoNaskhArabic/);
    });

    it('hyphenates running text, keeps soft hyphens out of the text layer, prints external URLs', () => {
      const text = run('pdftotext', [pdf, '-']);
      assert.doesNotMatch(text, /\u00ad/);
      // Chromium marks each soft hyphen with an /ActualText span; they are emptied, not removed.
      const qdf = run('qpdf', ['--qdf', '--object-streams=disable', pdf, '-']);
      assert.ok((qdf.match(/\/ActualText (<>|\(\))/g) ?? []).length > 100, 'soft hyphens were laid out');
      assert.doesNotMatch(qdf, /\/ActualText <feff00ad>/i);
      assert.match(text.replace(/\s+/g, ''), /thelongaddress<https:\/\/example\.org\/a\/very\/long\/address/);
    });

    it('two builds with SOURCE_DATE_EPOCH are byte-identical', () => {
      assert.ok(readFileSync(pdf).equals(readFileSync(again)));
    });
  });
