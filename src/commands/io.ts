/** Types the CLI and its commands share (here, so that commands need not import the CLI). */

/** Flags of `bookbinder preflight`. */
export interface PreflightFlags {
  readonly twoSided?: boolean;
  readonly marginTop?: string;
  readonly marginBottom?: string;
  readonly marginInner?: string;
  readonly marginOuter?: string;
  readonly json?: boolean;
}

/** Where the CLI writes: stdout, stderr lines, and whether stderr is a terminal. */
export interface CliIo {
  readonly out: (s: string) => void;
  readonly err: (line: string) => void;
  readonly tty: boolean;
  readonly env: NodeJS.ProcessEnv;
}
