/**
 * Diagnostics are data: stages collect them with a stable code and a file:line, and the CLI
 * formats them like a compiler. Nothing here prints.
 */

/** How serious a diagnostic is; `--strict` turns warnings into errors. */
export type Severity = 'error' | 'warning' | 'info';

/** One message about the input, tied to a place in it when there is one. */
export interface Diagnostic {
  readonly severity: Severity;
  /** Stable, documented identifier such as `front-matter/invalid-yaml`. */
  readonly code: string;
  readonly message: string;
  /** Path relative to the source folder, or empty when the message is about the whole build. */
  readonly file: string;
  /** 1-based line, 0 when unknown. */
  readonly line: number;
}

/** Collects diagnostics during a build. */
export class Diagnostics {
  readonly #items: Diagnostic[] = [];

  /** Adds one diagnostic. */
  add(severity: Severity, code: string, message: string, file = '', line = 0): void {
    this.#items.push({ severity, code, message, file, line });
  }

  /** Adds an error. */
  error(code: string, message: string, file = '', line = 0): void {
    this.add('error', code, message, file, line);
  }

  /** Adds a warning. */
  warn(code: string, message: string, file = '', line = 0): void {
    this.add('warning', code, message, file, line);
  }

  /** Adds an informational note. */
  info(code: string, message: string, file = '', line = 0): void {
    this.add('info', code, message, file, line);
  }

  /** True when any error was collected. */
  get hasErrors(): boolean {
    return this.#items.some((d) => d.severity === 'error');
  }

  /** All diagnostics, sorted by file, line and code (stable). */
  list(): Diagnostic[] {
    return sortDiagnostics(this.#items);
  }
}

/** Sorts diagnostics by file, then line, keeping insertion order for ties. */
export function sortDiagnostics(items: readonly Diagnostic[]): Diagnostic[] {
  return items
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      if (a.d.file !== b.d.file) {
        if (a.d.file === '') return -1;
        if (b.d.file === '') return 1;
        return a.d.file < b.d.file ? -1 : 1;
      }
      return a.d.line - b.d.line || a.i - b.i;
    })
    .map((x) => x.d);
}

/** Turns warnings into errors (`--strict`). */
export function strictify(items: readonly Diagnostic[]): Diagnostic[] {
  return items.map((d) => (d.severity === 'warning' ? { ...d, severity: 'error' } : d));
}

/** Formats one diagnostic like a compiler: `docs/a.md:14: warning: message [code]`. */
export function formatDiagnostic(d: Diagnostic): string {
  const place = d.file ? `${d.file}${d.line > 0 ? `:${d.line}` : ''}: ` : '';
  return `${place}${d.severity}: ${d.message} [${d.code}]`;
}
