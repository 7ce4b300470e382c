/**
 * A deterministic generator of synthetic just-the-docs books for benchmarks: parts (top-level
 * pages), chapters under them, sections inside chapters, tables, code, footnotes and images.
 * Same N and seed → same bytes. The text is our own pseudo-random prose.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const WORDS = (
  'binding folio signature quire leaf spine board paper press type margin gutter column measure leading ' +
  'kerning ligature serif sans italic roman chapter section verse index glossary appendix preface reader ' +
  'printer edition proof galley plate etching ink vellum cloth thread needle awl bone folder cover jacket ' +
  'colophon imprint catalogue archive library shelf volume tome manuscript codex scroll tablet draft ' +
  'the a of and to in is that for on with as by at from it this which be are was were an or not but'
).split(' ');

/** A small seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sentence(rand: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)]!);
  const s = out.join(' ');
  return `${s[0]!.toUpperCase()}${s.slice(1)}.`;
}

function paragraph(rand: () => number, words: number): string {
  const parts: string[] = [];
  let left = words;
  while (left > 0) {
    const n = Math.min(left, 8 + Math.floor(rand() * 14));
    parts.push(sentence(rand, n));
    left -= n;
  }
  return parts.join(' ');
}

const STYLE = '<style>\n.dont-break-out { overflow-wrap: break-word; word-break: break-word; }\n</style>\n';

/** One chapter of about `words` words, in the seed page's form. */
function chapter(rand: () => number, title: string, words: number, siblings: string): string {
  const lines: string[] = [STYLE, '<div class="dont-break-out" markdown="1">', '', '1. TOC', '{:toc}', ''];
  let left = words;
  let section = 0;
  let footnotes = 0;
  while (left > 0) {
    section++;
    lines.push(`## ${title} section ${section}`, '');
    for (let p = 0; p < 3 && left > 0; p++) {
      const n = Math.min(left, 120 + Math.floor(rand() * 80));
      let text = paragraph(rand, n);
      if (rand() < 0.25) {
        footnotes++;
        text += `[^n${footnotes}]`;
      }
      lines.push(text, '');
      left -= n;
    }
    if (section % 2 === 0) {
      lines.push(`### Details ${section}`, '', '| Term | Meaning | Count |', '|------|---------|------:|');
      for (let r = 0; r < 5; r++)
        lines.push(`| ${WORDS[r + section]} | ${sentence(rand, 5)} | ${Math.floor(rand() * 1000)} |`);
      lines.push('');
      left -= 40;
    }
    if (section % 3 === 0) {
      lines.push(
        '```js',
        `const section${section} = ${Math.floor(rand() * 100)};`,
        `console.log(section${section});`,
        '```',
        '',
      );
    }
    if (section === 2) lines.push('![A small figure](/assets/figure.svg)', '');
  }
  lines.push('***', '', '#### Table of Contents', '{: .no_toc}', '', siblings, '', '***', '');
  for (let f = 1; f <= footnotes; f++) lines.push(`[^n${f}]: ${sentence(rand, 10)}`);
  lines.push('', '</div>', '');
  return lines.join('\n');
}

/** Writes a book of `n` chapters (grouped in parts of 10) into `dir`, replacing it. */
export function generateBook(dir: string, n: number, seed = 1, wordsPerChapter = 2300): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'docs'), { recursive: true });
  mkdirSync(join(dir, 'assets'), { recursive: true });
  const rand = prng(seed);
  writeFileSync(
    join(dir, '_config.yml'),
    `title: Synthetic Book ${n}\nauthor: Bench\ndescription: A generated book of ${n} chapters.\nlang: en\nurl: "https://bench.example.org"\npermalink: pretty\n`,
  );
  writeFileSync(
    join(dir, 'assets', 'figure.svg'),
    '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="80" viewBox="0 0 300 80"><rect width="300" height="80" fill="#eef"/><text x="150" y="45" text-anchor="middle" font-size="20">figure</text></svg>\n',
  );
  const parts = Math.ceil(n / 10);
  for (let p = 1; p <= parts; p++) {
    const partTitle = `Part ${p}`;
    writeFileSync(
      join(dir, 'docs', `part-${p}.md`),
      `---\ntitle: ${partTitle}\nnav_order: ${p}\nhas_children: true\n---\n${paragraph(rand, 60)}\n`,
    );
    const first = (p - 1) * 10 + 1;
    const last = Math.min(n, p * 10);
    const siblings = `<ul>${Array.from({ length: last - first + 1 }, (_, i) => `<li><a href="/docs/chapter-${first + i}/">Chapter ${first + i}</a></li>`).join('')}</ul>`;
    for (let c = first; c <= last; c++) {
      const title = `Chapter ${c}`;
      const front = `---\nlayout: default\ntitle: ${title}\nparent: ${partTitle}\nnav_order: ${c}\n---\n`;
      writeFileSync(
        join(dir, 'docs', `chapter-${c}.md`),
        front + chapter(rand, title, wordsPerChapter, siblings),
      );
    }
  }
}

/**
 * Writes a site of `pages` short pages (about 120 words, a heading, a list and a link to the
 * next page each) into `dir`, replacing it: sections of 50 pages under parts of 10 sections,
 * the shape of a large documentation site rather than a long book.
 */
export function generateSite(dir: string, pages: number, seed = 2): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'docs'), { recursive: true });
  const rand = prng(seed);
  writeFileSync(
    join(dir, '_config.yml'),
    `title: Synthetic Site ${pages}\nauthor: Bench\ndescription: A generated site of ${pages} short pages.\nlang: en\nurl: "https://bench.example.org"\npermalink: pretty\n`,
  );
  const perSection = 50;
  const sections = Math.ceil(pages / perSection);
  for (let s = 1; s <= sections; s++) {
    const part = Math.ceil(s / 10);
    const sectionTitle = `Section ${s}`;
    if ((s - 1) % 10 === 0) {
      writeFileSync(
        join(dir, 'docs', `part-${part}.md`),
        `---\ntitle: Part ${part}\nnav_order: ${part}\nhas_children: true\n---\n${paragraph(rand, 30)}\n`,
      );
    }
    writeFileSync(
      join(dir, 'docs', `section-${s}.md`),
      `---\ntitle: ${sectionTitle}\nparent: Part ${part}\nnav_order: ${s}\nhas_children: true\n---\n${paragraph(rand, 30)}\n`,
    );
    const first = (s - 1) * perSection + 1;
    const last = Math.min(pages, s * perSection);
    for (let p = first; p <= last; p++) {
      const next = p < pages ? p + 1 : 1;
      const body = [
        `## Page ${p} overview`,
        '',
        paragraph(rand, 60),
        '',
        `- ${sentence(rand, 6)}`,
        `- ${sentence(rand, 6)}`,
        '',
        `### Details of page ${p}`,
        '',
        `${paragraph(rand, 40)} See [page ${next}](/docs/page-${next}/).`,
        '',
      ].join('\n');
      writeFileSync(
        join(dir, 'docs', `page-${p}.md`),
        `---\ntitle: Page ${p}\nparent: ${sectionTitle}\ngrand_parent: Part ${part}\nnav_order: ${p}\n---\n${body}`,
      );
    }
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, ''))) {
  const [dir, count, kind] = process.argv.slice(2);
  if (kind === 'site') generateSite(dir ?? '/tmp/bb-site', Number(count ?? 1000));
  else generateBook(dir ?? '/tmp/bb-book', Number(count ?? 10));
}
