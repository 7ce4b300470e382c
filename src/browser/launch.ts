/**
 * The one place that finds and launches Chromium: a system browser (puppeteer's download
 * cannot work offline), curated flags, a pipe instead of a socket so the browser dies with us.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer';

/** Thrown when no Chromium can be found; the message says how to get one. */
export class BrowserNotFoundError extends Error {}

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** Finds a Chromium executable: `PUPPETEER_EXECUTABLE_PATH`, then the usual install paths. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.PUPPETEER_EXECUTABLE_PATH ?? env.CHROME_PATH;
  if (explicit) {
    if (existsSync(explicit)) return explicit;
    throw new BrowserNotFoundError(`PUPPETEER_EXECUTABLE_PATH is set to ${explicit}, but no file is there`);
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  throw new BrowserNotFoundError(
    'no Chromium found for the PDF. Install one (Debian/Ubuntu: `apt-get install -y chromium`; ' +
      'or run `bash setup.sh`), or set PUPPETEER_EXECUTABLE_PATH to a Chrome/Chromium binary. ' +
      'EPUB and HTML builds (--format epub,html) do not need a browser.',
  );
}

/** The flags every launch uses: headless, offline, quiet, and no sandbox when running as root. */
export function chromiumArgs(): string[] {
  const args = [
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-default-apps',
    '--disable-extensions',
    '--disable-quic',
    '--no-first-run',
    '--no-default-browser-check',
    '--mute-audio',
    '--hide-scrollbars',
    '--font-render-hinting=none',
    '--lang=en-US',
  ];
  if (process.getuid?.() === 0 || process.env.CI) args.push('--no-sandbox');
  return args;
}

let fontConfig: string | undefined;

function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A fontconfig file that names no font folder. Chromium on Linux finds fonts through fontconfig:
 * given this one it sees none of the machine's, so every glyph of the PDF comes from the fonts the
 * print page loads (bookbinder's bundled ones, or the site's own `@font-face`). A character none
 * of them has prints as an empty box, which the build reports (`font/missing-glyph`), instead of
 * silently embedding whatever the machine has. Written once per process, removed at exit.
 */
export function isolatedFontConfig(): string {
  if (fontConfig === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'bookbinder-fonts-'));
    const file = join(dir, 'fonts.conf');
    writeFileSync(
      file,
      '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n' +
        `<fontconfig><cachedir>${xmlText(join(dir, 'cache'))}</cachedir></fontconfig>\n`,
    );
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    fontConfig = file;
  }
  return fontConfig;
}

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
const live = new Set<Browser>();
/** Browsers launched or launching: the signal handlers stay while this is above zero. */
let holders = 0;

/**
 * How long a build cancelled by a signal may take to end by itself before the process ends.
 * Short: the exit hooks close Chromium and remove temporaries too, and the bound for
 * the whole is two seconds, a synchronous step still running when the signal came included.
 */
export const SIGNAL_GRACE_MS = 250;
/** Told of a signal while {@link withSignalGuard} runs with a handler: it cancels the build. */
let graceful: ((signal: keyof typeof SIGNALS) => void) | undefined;
let cancelled = false;

// Puppeteer's own SIGTERM handler closes the browser but lets the build run on. Ours cancels
// the build (its stages stop, Chromium closes, temporaries go) and ends the process if that has
// not happened within the grace time, or at a second signal: puppeteer's `exit` hook then kills
// Chromium's whole process group synchronously (also a browser still starting, not in `live`).
function onSignal(signal: keyof typeof SIGNALS): void {
  if (graceful && !cancelled) {
    cancelled = true;
    setTimeout(() => exitNow(signal), SIGNAL_GRACE_MS).unref();
    graceful(signal);
    return;
  }
  exitNow(signal);
}

function exitNow(signal: keyof typeof SIGNALS): void {
  for (const b of live) b.process()?.kill('SIGKILL');
  process.exit(128 + SIGNALS[signal]);
}

function hold(): void {
  if (holders++ === 0) for (const s of Object.keys(SIGNALS)) process.on(s, onSignal);
}

function letGo(): void {
  if (--holders === 0) for (const s of Object.keys(SIGNALS)) process.off(s, onSignal);
}

function track(browser: Browser): void {
  live.add(browser);
  browser.once('disconnected', () => {
    live.delete(browser);
    letGo();
  });
}

/**
 * Keeps the signal handlers installed while `fn` runs, so that SIGINT/SIGTERM/SIGHUP between
 * two browsers of one build (a crashed one and the one printing again) still end it cleanly.
 * With `onSignal`, the first signal is handed to it (to cancel the build, which then ends by
 * itself); the process ends anyway {@link SIGNAL_GRACE_MS} later, or at a second signal.
 */
export async function withSignalGuard<T>(
  fn: () => Promise<T>,
  onSignal?: (signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP') => void,
): Promise<T> {
  hold();
  graceful = onSignal;
  cancelled = false;
  try {
    return await fn();
  } finally {
    graceful = undefined;
    letGo();
  }
}

/** The exit code a process ended by `signal` conventionally has (128 + its number). */
export function signalExitCode(signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP'): number {
  return 128 + SIGNALS[signal];
}

/** How many browsers this process has running now (for tests and diagnostics). */
export function liveBrowsers(): number {
  return live.size;
}

/**
 * Launches headless Chromium over a pipe: when this process dies, even by SIGKILL, the pipe
 * closes and Chromium exits with it. SIGINT, SIGTERM and SIGHUP end the build and the browser.
 * The caller closes it (see {@link withBrowser} and {@link closeBrowser}).
 */
export async function launchBrowser(): Promise<Browser> {
  // Handlers go in before Chromium starts: a signal during the launch must not orphan it.
  hold();
  let browser: Browser;
  try {
    browser = await startChromium();
  } catch (e) {
    letGo();
    throw e;
  }
  track(browser);
  return browser;
}

/** Starts Chromium over a pipe with the curated flags (no signal handling of its own). */
async function startChromium(): Promise<Browser> {
  // Loaded on first launch: importing puppeteer costs a build that needs no browser time.
  const { default: puppeteer } = await import('puppeteer');
  return puppeteer.launch({
    executablePath: findChromium(),
    headless: true,
    pipe: true,
    args: chromiumArgs(),
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    env: { ...process.env, LANG: 'en_US.UTF-8', TZ: 'UTC', FONTCONFIG_FILE: isolatedFontConfig() },
  });
}

/**
 * Launches Chromium for a long-running service (`serve`, `worker`), which handles signals
 * itself: a SIGTERM there finishes the running jobs before the browser is closed, where a build
 * ends at once. Chromium still exits with this process, even on SIGKILL (the pipe closes).
 */
export function launchServiceBrowser(): Promise<Browser> {
  return startChromium();
}

/** Closes a browser, killing it when it does not close in time (or already crashed). */
export async function closeBrowser(browser: Browser, graceMs = 5_000): Promise<void> {
  const proc = browser.process();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([browser.close().catch(() => undefined), timeout]);
  clearTimeout(timer);
  if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
}

/** True when an error means Chromium itself went away (crashed or was killed). */
export function isBrowserCrash(browser: Browser): boolean {
  return !browser.connected;
}

/**
 * Runs `fn` with a browser of its own, closing it on every path out. If Chromium crashes
 * during `fn`, a fresh one is launched and `fn` runs once more (`onRetry` is told why).
 */
export async function withBrowser<T>(
  fn: (browser: Browser) => Promise<T>,
  onRetry: (error: unknown) => void = () => undefined,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const browser = await launchBrowser();
    try {
      return await fn(browser);
    } catch (e) {
      if (attempt > 0 || !isBrowserCrash(browser)) throw e;
      onRetry(e);
    } finally {
      await closeBrowser(browser);
    }
  }
}

/**
 * A service's browser, launched now (a failure to launch throws here, at start-up) and again
 * whenever Chromium went away: `get` gives the live one, `close` closes whichever is current.
 */
export async function relaunchingServiceBrowser(): Promise<{
  get: () => Promise<Browser>;
  close: () => Promise<void>;
}> {
  let browser: Promise<Browser> = launchServiceBrowser();
  await browser;
  return {
    get: async () => {
      const b = await browser.catch(() => undefined);
      if (b?.connected) return b;
      browser = launchServiceBrowser();
      return browser;
    },
    close: async () => {
      const b = await browser.catch(() => undefined);
      if (b) await closeBrowser(b);
    },
  };
}
