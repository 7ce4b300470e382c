/**
 * The command line: argv → build() → diagnostics on stderr, the JSON report on stdout with
 * `--json`, and the exit code: 0 success, 1 bad input, 2 bad usage.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { build, FORMATS, type Format } from './build.js';
import { formatDiagnostic } from './diagnostics.js';
import { packageRoot } from './paths.js';

/** Exit codes of the CLI contract. */
export const EXIT = { ok: 0, badInput: 1, usage: 2 } as const;

function parseFormats(value: string): Format[] {
  const list = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = list.filter((f) => !(FORMATS as readonly string[]).includes(f));
  if (bad.length > 0 || list.length === 0) {
    throw new InvalidArgumentError(
      `unknown format ${bad.join(', ') || '(none)'}; choose from ${FORMATS.join(', ')}`,
    );
  }
  return [...new Set(list)] as Format[];
}

function parseName(value: string): string {
  if (!/^[^/\\\0]+$/.test(value) || value === '.' || value === '..')
    throw new InvalidArgumentError('must be a file name without folders');
  return value;
}

interface BuildFlags {
  output: string;
  format: Format[];
  name: string;
  root?: string;
  json?: boolean;
  strict?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  allowRemote?: boolean;
}

async function runBuild(
  source: string,
  flags: BuildFlags,
  write: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  const result = await build({
    source,
    outDir: flags.output,
    formats: flags.format,
    name: flags.name,
    strict: flags.strict === true,
    allowRemote: flags.allowRemote === true,
    ...(flags.root !== undefined && { root: flags.root }),
  });
  for (const d of result.diagnostics) {
    if (d.severity === 'info' && !flags.verbose) continue;
    if (d.severity !== 'error' && flags.quiet) continue;
    err(formatDiagnostic(d));
  }
  if (flags.json) write(`${JSON.stringify(result.report, null, 2)}\n`);
  if (!flags.quiet) {
    const { errors, warnings, chapters, outputs } = result.report;
    if (result.ok)
      err(
        `bookbinder: ${chapters.length} chapters → ${outputs.join(', ') || '(nothing written)'} (${warnings.length} warning${warnings.length === 1 ? '' : 's'})`,
      );
    else
      err(
        `bookbinder: build failed with ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was written`,
      );
  }
  return result.ok ? EXIT.ok : EXIT.badInput;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(
  argv: readonly string[],
  write: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(`${s}\n`),
): Promise<number> {
  const version = (JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8')) as { version: string })
    .version;
  let code: number = EXIT.ok;
  const program = new Command('bookbinder')
    .description('Turn a Jekyll just-the-docs site into a print-ready PDF, an EPUB 3 and one HTML book.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => write(s), writeErr: (s) => err(s.trimEnd()) })
    .showHelpAfterError('(run `bookbinder build --help` for usage)');
  program
    .command('build')
    .description('build SOURCE (default: content) into OUT/NAME.pdf, .epub and .html')
    .argument('[source]', 'the Jekyll site folder', 'content')
    .option('-o, --output <dir>', 'output folder', 'output')
    .addOption(
      new Option('-f, --format <list>', `comma-separated formats: ${FORMATS.join(',')}`)
        .argParser(parseFormats)
        .default([...FORMATS], FORMATS.join(',')),
    )
    .option('-n, --name <stem>', 'file name stem of the outputs', parseName, 'book')
    .option('-r, --root <title>', 'build only this page (title or source path) and its descendants')
    .option('--json', 'print a JSON report on stdout')
    .option('--strict', 'treat warnings as errors')
    .option(
      '--allow-remote',
      'fetch http(s) images (at most 10 MB and 15 s each) instead of leaving them out',
    )
    .option('-q, --quiet', 'print only errors')
    .option('-v, --verbose', 'also print informational notes')
    .action(async (source: string, flags: BuildFlags) => {
      code = await runBuild(source, flags, write, err);
    });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return EXIT.ok;
      return EXIT.usage;
    }
    err(`bookbinder: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.badInput;
  }
}
