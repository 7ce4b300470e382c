/**
 * The command line: argv → settings (flags over config files) → build(), preview or init;
 * diagnostics on stderr, the JSON report on stdout with `--json`, progress on stderr, and the
 * exit code: 0 success, 1 bad input, 2 bad usage.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { type BuildReport, build, FORMATS, type Format } from './build.js';
import { initBook } from './commands/init.js';
import type { ServeFlags, WorkerFlags } from './commands/service.js';
import { type ConfigDiagnostic, loadConfig } from './config/load.js';
import { type CliFlags, resolveSettings } from './config/resolve.js';
import { type Diagnostic, formatDiagnostic, sortDiagnostics, strictify } from './diagnostics.js';
import { signalExitCode, withSignalGuard } from './browser/launch.js';
import { refuseOutputDir } from './output/where.js';
import { packageRoot } from './paths.js';
import { progressReporter, useColor } from './progress.js';
import type { CliIo, PreflightFlags } from './commands/io.js';

export type { CliIo, PreflightFlags } from './commands/io.js';

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

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number');
  return n;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number above 0');
  return n;
}

interface Flags extends CliFlags {
  readonly config?: string;
}

/** Formats one diagnostic for stderr, with its code frame and, on a terminal, colour. */
export function formatForTerminal(d: ConfigDiagnostic, color: boolean): string {
  const text = formatDiagnostic(d);
  const painted = !color
    ? text
    : text.replace(/: (error|warning|info): /, (_, s: string) => {
        const code = s === 'error' ? 31 : s === 'warning' ? 33 : 36;
        return `: \x1b[1;${code}m${s}\x1b[0m: `;
      });
  return d.frame ? `${painted}\n${d.frame}` : painted;
}

function printDiagnostics(
  list: readonly ConfigDiagnostic[],
  opts: { quiet: boolean; verbose: boolean; color: boolean },
  io: CliIo,
): void {
  for (const d of list) {
    if (d.severity === 'info' && !opts.verbose) continue;
    if (d.severity !== 'error' && opts.quiet) continue;
    io.err(formatForTerminal(d, opts.color));
  }
}

/** Adds the config's diagnostics to a build report (strict applies to them too). */
function mergeReport(report: BuildReport, extra: readonly Diagnostic[]): BuildReport {
  const strip = (d: Diagnostic) => ({ file: d.file, line: d.line, code: d.code, message: d.message });
  const by = (s: Diagnostic['severity']) => extra.filter((d) => d.severity === s).map(strip);
  return {
    ...report,
    warnings: [...by('warning'), ...report.warnings],
    errors: [...by('error'), ...report.errors],
    infos: [...by('info'), ...report.infos],
  };
}

async function runBuild(source: string | undefined, flags: Flags, io: CliIo): Promise<number> {
  const loaded = await loadConfig({
    ...(source !== undefined && { source }),
    ...(flags.config !== undefined && { file: flags.config }),
  });
  const settings = resolveSettings(flags, loaded);
  const refused = refuseOutputDir(settings.build.source, settings.build.outDir, loaded.jekyll);
  if (refused) {
    io.err(`bookbinder: error: ${refused}`);
    return EXIT.usage;
  }
  const color = useColor(io.tty, io.env);
  const strict = settings.build.strict === true;
  // Sorting and strictify keep each object's extra fields, so the code frames survive.
  const configDiags = sortDiagnostics(
    strict ? strictify(loaded.diagnostics) : loaded.diagnostics,
  ) as ConfigDiagnostic[];
  const failedConfig = configDiags.some((d) => d.severity === 'error');
  // CI logs keep every write: a bar redrawn with \r would pile up there, so CI gets plain lines.
  const bar = io.tty && !io.env.CI;
  const progress =
    settings.quiet || failedConfig
      ? undefined
      : progressReporter({
          write: bar ? (s) => process.stderr.write(s) : (s) => io.err(s.replace(/\n$/, '')),
          tty: bar,
          color,
          verbose: settings.verbose,
        });
  // A failure no stage turned into a diagnostic (Chromium gone twice, our own bug) is still
  // reported as one, so that `--json` prints its object and the exit code keeps the contract.
  let crash: ConfigDiagnostic | undefined;
  // SIGINT/SIGTERM/SIGHUP cancel the build: its stages stop, Chromium closes, nothing is written.
  const controller = new AbortController();
  let stoppedBy: 'SIGINT' | 'SIGTERM' | 'SIGHUP' | undefined;
  const result = failedConfig
    ? undefined
    : await withSignalGuard(
        () =>
          build({
            ...settings.build,
            ...(progress && { onProgress: progress.onProgress }),
            signal: controller.signal,
          }),
        (signal) => {
          stoppedBy = signal;
          controller.abort(new Error(`stopped by ${signal}`));
        },
      ).catch((e: unknown) => {
        if (stoppedBy) {
          crash = {
            severity: 'error',
            code: 'build/cancelled',
            message: `the build was stopped by ${stoppedBy}; nothing was written`,
            file: '',
            line: 0,
          };
          return undefined;
        }
        const message = e instanceof Error ? e.message : String(e);
        crash = {
          severity: 'error',
          code: 'build/failed',
          message: `the build failed: ${message}`,
          file: '',
          line: 0,
        };
        if (settings.verbose && e instanceof Error && e.stack) io.err(e.stack);
        return undefined;
      });
  progress?.done();
  const all: ConfigDiagnostic[] = [...configDiags, ...(crash ? [crash] : []), ...(result?.diagnostics ?? [])];
  printDiagnostics(all, { quiet: settings.quiet, verbose: settings.verbose, color }, io);
  const empty: BuildReport = { chapters: [], warnings: [], errors: [], infos: [], outputs: [], timings: {} };
  const report = mergeReport(result?.report ?? empty, crash ? [...configDiags, crash] : configDiags);
  const ok = report.errors.length === 0;
  if (settings.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  if (!settings.quiet) {
    const { errors, warnings, chapters, outputs } = report;
    if (ok)
      io.err(
        `bookbinder: ${chapters.length} chapters → ${outputs.join(', ') || '(nothing written)'} (${warnings.length} warning${warnings.length === 1 ? '' : 's'})`,
      );
    else
      io.err(
        `bookbinder: build failed with ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was written`,
      );
  }
  if (stoppedBy) return signalExitCode(stoppedBy);
  return ok ? EXIT.ok : EXIT.badInput;
}

async function runPreview(source: string | undefined, flags: Flags, io: CliIo): Promise<number> {
  const load = () =>
    loadConfig({
      ...(source !== undefined && { source }),
      ...(flags.config !== undefined && { file: flags.config }),
    });
  const loaded = await load();
  const settings = resolveSettings(flags, loaded);
  const color = useColor(io.tty, io.env);
  printDiagnostics(loaded.diagnostics, { quiet: settings.quiet, verbose: settings.verbose, color }, io);
  if (loaded.diagnostics.some((d) => d.severity === 'error')) return EXIT.badInput;
  // Loaded only here: the preview's watcher and printer are not needed to build.
  const { startPreview } = await import('./preview/server.js');
  const server = await startPreview({
    ...settings.build,
    port: settings.port,
    watchFiles: loaded.files,
    // A changed config file applies at the next rebuild; a broken one keeps the last good settings.
    reload: async () => {
      const again = await load();
      printDiagnostics(again.diagnostics, { quiet: settings.quiet, verbose: settings.verbose, color }, io);
      if (again.diagnostics.some((d) => d.severity === 'error')) {
        // The last good settings, but `_config.yml` as it is now: the build reads it again.
        const { jekyllConfig: _stale, ...kept } = settings.build;
        return kept;
      }
      return resolveSettings(flags, again).build;
    },
    log: (s) => {
      if (!settings.quiet) io.err(s);
    },
  });
  io.err(`bookbinder: previewing ${settings.build.source} at ${server.url} (Ctrl-C to stop)`);
  await new Promise<void>((done) => {
    const stop = () => {
      void server.close().then(done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT.ok;
}

/** Options `build` and `preview` share. */
function commonOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'config file (default: bookbinder.config.* in SOURCE or here)')
    .option('-r, --root <title>', 'build only this page (title or source path) and its descendants')
    .option('--strict', 'treat warnings as errors')
    .option('--allow-remote', 'embed http(s) images (size- and time-limited); otherwise they are refused')
    .option('-q, --quiet', 'print only errors, no progress')
    .option('-v, --verbose', 'also print informational notes and stage timings');
}

/** Options only `build` has: where and what it writes. */
function outputOptions(cmd: Command): Command {
  return cmd
    .option('-o, --output <dir>', 'output folder (default: output)')
    .addOption(
      new Option(
        '-f, --format <list>',
        `comma-separated formats: ${FORMATS.join(',')} (default: all)`,
      ).argParser(parseFormats),
    )
    .option('-n, --name <stem>', 'file name stem of the outputs (default: book)', parseName);
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(
  argv: readonly string[],
  write: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(`${s}\n`),
  tty: boolean = process.stderr.isTTY === true,
): Promise<number> {
  const io: CliIo = { out: write, err, tty, env: process.env };
  const version = (JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8')) as { version: string })
    .version;
  let code: number = EXIT.ok;
  const program = new Command('bookbinder')
    .description('Turn a Jekyll just-the-docs site into a print-ready PDF, an EPUB 3 and one HTML book.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => write(s), writeErr: (s) => err(s.trimEnd()) })
    .showHelpAfterError('(run `bookbinder help` for usage)');
  commonOptions(
    outputOptions(
      program
        .command('build')
        .description('build SOURCE (default: content) into OUT/NAME.pdf, .epub and .html')
        .argument('[source]', 'the Jekyll site folder (default: content, or `source` of the config)'),
    ),
  )
    .option('--json', 'print a JSON report on stdout')
    .action(async (source: string | undefined, flags: Flags) => {
      code = await runBuild(source, flags, io);
    });
  commonOptions(
    program
      .command('preview')
      .description('serve the book as it will print on 127.0.0.1, rebuilding and reloading on every change')
      .argument('[source]', 'the Jekyll site folder (default: content, or `source` of the config)'),
  )
    .option('-p, --port <port>', 'port on 127.0.0.1; 0 picks a free one (default: 4000)', parsePort)
    .action(async (source: string | undefined, flags: Flags) => {
      code = await runPreview(source, flags, io);
    });
  program
    .command('preflight')
    .description('check a PDF as a printer would: text outside the block, fonts, stranded lines, bad breaks')
    .argument('<pdf>', 'the PDF to check')
    .option('--two-sided', 'the book was set two-sided (mirrored margins)')
    .option('--margin-top <length>', 'top margin (default 22mm)')
    .option('--margin-bottom <length>', 'bottom margin (default 22mm)')
    .option('--margin-inner <length>', 'inner (left) margin (default 20mm, two-sided 24mm)')
    .option('--margin-outer <length>', 'outer (right) margin (default 20mm, two-sided 18mm)')
    .option('--json', 'print the report as JSON on stdout')
    .action(async (pdf: string, flags: PreflightFlags) => {
      const { runPreflight } = await import('./commands/preflight.js');
      code = runPreflight(pdf, flags, io);
    });
  program
    .command('serve')
    .description('an HTTP API: POST /render (a job as JSON, or a zipped site) returns the PDF, EPUB or HTML')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('-p, --port <port>', 'port; 0 picks a free one', parsePort, 3000)
    .option('--token <token>', 'require `Authorization: Bearer TOKEN` (or set BOOKBINDER_TOKEN)')
    .option('--max-body <bytes>', 'largest request body', parseCount, 20_000_000)
    .option('--timeout <seconds>', 'time allowed per render', parseCount, 60)
    .option('--concurrency <n>', 'renders at once', parseCount, 2)
    .option('--queue <n>', 'requests waiting for a render before 503', parseCount, 8)
    .action(async (flags: ServeFlags) => {
      const { runServe } = await import('./commands/service.js');
      code = await runServe(flags, io);
    });
  program
    .command('worker')
    .description('render jobs from a BullMQ queue on Redis (the same job JSON as serve)')
    .requiredOption('--redis <url>', 'the Redis server, redis://host:port')
    .requiredOption('--queue <name>', 'the queue name')
    .option('--concurrency <n>', 'jobs at once', parseCount, 2)
    .option(
      '--lock-duration <seconds>',
      "a job's lock; a killed worker's job moves on after it",
      parseCount,
      30,
    )
    .option('--stalled-interval <seconds>', 'how often stalled jobs are looked for', parseCount, 15)
    .option('--timeout <seconds>', 'time allowed per render', parseCount, 60)
    .action(async (flags: WorkerFlags) => {
      const { runWorker } = await import('./commands/service.js');
      code = await runWorker(flags, io);
    });
  program
    .command('init')
    .description('scaffold a small book in DIR (default: here) that builds at once')
    .argument('[dir]', 'the folder to create the book in', '.')
    .option('--title <title>', 'the book title', 'My Book')
    .option('--force', 'write even where files of the same name exist')
    .action((dir: string, flags: { title: string; force?: boolean }) => {
      const r = initBook(dir, { title: flags.title, force: flags.force === true });
      for (const line of r.messages) err(line);
      code = r.ok ? EXIT.ok : EXIT.badInput;
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
