/**
 * `bookbinder preflight BOOK.pdf`: the print preflight of ../preflight/run.ts on the command
 * line. One line per problem on stderr, like a compiler's (`book.pdf: page 12: problem: …
 * [preflight/single-line-page]`), the report as JSON on stdout with `--json`; exit 1 when
 * anything was found or the file cannot be checked.
 */
import type { CliIo, PreflightFlags } from './io.js';
import { preflight, PreflightError } from '../preflight/run.js';

/** Runs the preflight for the CLI; returns the exit code (0 clean, 1 problems or unreadable). */
export function runPreflight(pdf: string, flags: PreflightFlags, io: CliIo): number {
  let report;
  try {
    report = preflight(pdf, {
      twoSided: flags.twoSided === true,
      margins: {
        ...(flags.marginTop !== undefined && { top: flags.marginTop }),
        ...(flags.marginBottom !== undefined && { bottom: flags.marginBottom }),
        ...(flags.marginInner !== undefined && { inner: flags.marginInner }),
        ...(flags.marginOuter !== undefined && { outer: flags.marginOuter }),
      },
    });
  } catch (e) {
    if (!(e instanceof PreflightError)) throw e;
    io.err(`bookbinder: error: ${e.message} [preflight/unreadable]`);
    return 1;
  }
  for (const p of report.problems)
    io.err(`${pdf}: ${p.page > 0 ? `page ${p.page}: ` : ''}problem: ${p.message} [${p.code}]`);
  const n = report.problems.length;
  io.err(
    `bookbinder: preflight of ${pdf}: ${report.pages} pages, ${n === 0 ? 'no problem' : `${n} problem${n === 1 ? '' : 's'}`}`,
  );
  if (flags.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  return n === 0 ? 0 : 1;
}
