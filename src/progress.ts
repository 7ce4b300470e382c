/**
 * Progress of a build as events, and the stderr reporter the CLI uses: a bar on a terminal,
 * plain lines elsewhere (CI logs), nothing with `--quiet`, colours only where they can show.
 */

/** One step of a build: a stage starting or ending, or a page done. */
export interface ProgressEvent {
  readonly stage: string;
  readonly phase: 'start' | 'end' | 'step';
  /** Pages done so far (`step`). */
  readonly done?: number;
  /** Pages in the stage (`step`). */
  readonly total?: number;
  /** How long the stage took (`end`). */
  readonly seconds?: number;
}

/** Where and how to report. */
export interface ProgressOptions {
  readonly write: (s: string) => void;
  /** A terminal: draw a bar that rewrites one line. */
  readonly tty: boolean;
  readonly color: boolean;
  readonly verbose: boolean;
}

/** Whether to colour stderr: a terminal, and neither `NO_COLOR` nor `TERM=dumb`. */
export function useColor(tty: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return tty && env.TERM !== 'dumb';
}

const STAGES: Record<string, string> = {
  config: 'reading _config.yml',
  load: 'loading pages',
  order: 'ordering chapters',
  render: 'rendering Markdown',
  diagrams: 'drawing mermaid diagrams',
  html: 'writing the HTML book',
  epub: 'making the EPUB',
  pdf: 'printing the PDF (Chromium)',
  write: 'writing files',
};

/** Makes a progress listener that writes to stderr in the style the terminal allows. */
export function progressReporter(options: ProgressOptions): {
  onProgress: (e: ProgressEvent) => void;
  done: () => void;
} {
  const dim = (s: string) => (options.color ? `\x1b[2m${s}\x1b[22m` : s);
  const cyan = (s: string) => (options.color ? `\x1b[36m${s}\x1b[39m` : s);
  let line = false;
  let lastPlain = -1;
  const clear = () => {
    if (line) options.write('\r\x1b[2K');
    line = false;
  };
  const onProgress = (e: ProgressEvent): void => {
    const label = STAGES[e.stage] ?? e.stage;
    if (e.phase === 'step' && e.done !== undefined && e.total !== undefined && e.total > 0) {
      if (options.tty) {
        const width = 24;
        const filled = Math.round((e.done / e.total) * width);
        clear();
        options.write(
          `${cyan('bookbinder')} ${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${e.done}/${e.total} pages`,
        );
        line = true;
      } else {
        // Plain logs: a line at each tenth, not one per page.
        const tenth = Math.floor((e.done / e.total) * 10);
        if (tenth !== lastPlain && (tenth > lastPlain || e.done === e.total)) {
          lastPlain = tenth;
          if (e.done === e.total || options.verbose)
            options.write(`bookbinder: ${label}: ${e.done}/${e.total} pages\n`);
        }
      }
      return;
    }
    if (e.phase === 'start') {
      lastPlain = -1;
      if (options.tty) {
        clear();
        options.write(`${cyan('bookbinder')} ${label}…`);
        line = true;
      } else options.write(`bookbinder: ${label}\n`);
      return;
    }
    if (e.phase === 'end' && options.verbose) {
      clear();
      options.write(`${dim(`bookbinder: ${e.stage} took ${(e.seconds ?? 0).toFixed(3)} s`)}\n`);
    }
  };
  return { onProgress, done: clear };
}
