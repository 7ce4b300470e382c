/**
 * Markdown fixtures in markdown-it's format: each case is optional header lines, then a line
 * `.`, the Markdown, a line `.`, the expected HTML, a line `.`. A case is named by the file and
 * the line its Markdown starts on, so a failure points at it. A header line
 * `not kramdown: <reason>` marks bookbinder's own syntax, which the differential test against
 * real kramdown leaves out with that reason.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** One fixture case. */
export interface FixtureCase {
  /** 1-based line of the case's first Markdown line in its file. */
  readonly line: number;
  /** The header lines, joined with spaces ('' when there are none). */
  readonly header: string;
  readonly markdown: string;
  readonly html: string;
  /** Why real kramdown cannot be the reference for this case, or undefined. */
  readonly notKramdown: string | undefined;
}

/** Reads the cases of one fixture file; a malformed file throws with its line. */
export function readCases(path: string): FixtureCase[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const cases: FixtureCase[] = [];
  let i = 0;
  const block = (): { from: number; text: string } => {
    const from = i;
    while (i < lines.length && lines[i] !== '.') i++;
    if (i >= lines.length) throw new Error(`${path}:${from + 1}: a case block is not closed by a '.' line`);
    const text = lines.slice(from, i).join('\n');
    i++;
    return { from, text: text === '' ? '' : `${text}\n` };
  };
  while (i < lines.length) {
    const header: string[] = [];
    while (i < lines.length && lines[i] !== '.') {
      if (lines[i]!.trim() !== '') header.push(lines[i]!.trim());
      i++;
    }
    if (i >= lines.length) break;
    i++;
    const md = block();
    const html = block();
    const reason = header.map((h) => /^not kramdown:\s*(.*)$/.exec(h)?.[1]).find((r) => r !== undefined);
    cases.push({
      line: md.from + 1,
      header: header.join(' '),
      markdown: md.text,
      html: html.text,
      notKramdown: reason,
    });
  }
  return cases;
}

/** Writes cases back (UPDATE_FIXTURES), in the format readCases reads. */
export function writeCases(
  path: string,
  cases: readonly { header: string; markdown: string; html: string }[],
): void {
  const text = cases
    .map(
      (c) =>
        `${c.header ? `${c.header}\n` : ''}.\n${c.markdown}.\n${c.html}${c.html === '' || c.html.endsWith('\n') ? '' : '\n'}.\n`,
    )
    .join('\n');
  writeFileSync(path, text);
}
