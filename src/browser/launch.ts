/**
 * The one place that finds and launches Chromium: a system browser (puppeteer's download
 * cannot work offline), curated flags, a pipe instead of a socket so the browser dies with us.
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer';

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

/** Launches headless Chromium over a pipe. The caller closes it (see {@link withBrowser}). */
export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: findChromium(),
    headless: true,
    pipe: true,
    args: chromiumArgs(),
    handleSIGINT: true,
    handleSIGTERM: true,
    handleSIGHUP: true,
    env: { ...process.env, LANG: 'en_US.UTF-8', TZ: 'UTC' },
  });
}

/** Runs `fn` with a browser, closing it on every path out (errors included). */
export async function withBrowser<T>(fn: (browser: Browser) => Promise<T>): Promise<T> {
  const browser = await launchBrowser();
  try {
    return await fn(browser);
  } finally {
    await browser.close().catch(() => browser.process()?.kill('SIGKILL'));
  }
}
