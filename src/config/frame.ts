/** Code frames: the lines around a problem in a config file, with the line and column marked. */

/** Renders lines `line-2 … line+1` of `text` with a gutter, a `>` on `line`, a caret at `column`. */
export function codeFrame(text: string, line: number, column = 0, span = 1): string {
  const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
  if (line < 1 || line > lines.length) return '';
  const first = Math.max(1, line - 2);
  const last = Math.min(lines.length, line + 1);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const mark = n === line ? '>' : ' ';
    const src = lines[n - 1] ?? '';
    out.push(`${mark} ${String(n).padStart(width)} | ${src}`.trimEnd());
    if (n === line && column > 0) {
      const pad = src.slice(0, column - 1).replace(/[^\t]/g, ' ');
      out.push(`  ${' '.repeat(width)} | ${pad}${'^'.repeat(Math.max(1, span))}`);
    }
  }
  return out.join('\n');
}
