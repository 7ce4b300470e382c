/** The environment fields every bookbinder markdown-it plugin may use to report problems. */

/** Reports a problem at a 0-based line of the page body. */
export type Warn = (code: string, message: string, line: number) => void;

/** Environment fields shared by the plugins that report diagnostics. */
export interface WarnEnv {
  warn?: Warn;
}

/** Reports through the environment, when the caller gave a reporter. */
export function warnAt(env: unknown, code: string, message: string, line: number): void {
  (env as WarnEnv | undefined)?.warn?.(code, message, line);
}
