import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/**
 * A real Chromium for tests, on a fresh machine with only `npm install`: the one that ships inside the
 * `@sparticuz/chromium` package (a Linux x64/arm64 build, brotli-packed in the package and unpacked to the temp
 * directory on first use), driven by `puppeteer-core`. Where that build does not run (macOS, Windows) — or when
 * `SOCPULSE_CHROMIUM` names a browser — a system Chrome or Chromium is used instead.
 */

/** Flags for a quiet, offline, throwaway browser: no GPU, no sandbox (root in CI), nothing fetched in the background. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
];

const SYSTEM_BROWSERS = [
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
];

/** The browser executable: `SOCPULSE_CHROMIUM`, else the npm package's Chromium on Linux, else a system one. */
export async function chromiumExecutable(): Promise<string> {
  const named = process.env.SOCPULSE_CHROMIUM;
  if (named) {
    if (!existsSync(named)) throw new Error(`SOCPULSE_CHROMIUM names ${named}, which does not exist`);
    return named;
  }
  if (process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64')) {
    const { default: chromium } = await import('@sparticuz/chromium');
    return chromium.executablePath();
  }
  const system = SYSTEM_BROWSERS.find((p) => existsSync(p));
  if (!system)
    throw new Error(
      `no Chromium: @sparticuz/chromium runs on Linux only, and none of ${SYSTEM_BROWSERS.join(', ')} exists; set SOCPULSE_CHROMIUM`,
    );
  return system;
}

/** A launched browser with its own empty profile; `close()` ends it and removes the profile. */
export interface TestBrowser {
  browser: Browser;
  /** A page of the given viewport showing `html` (images as data: URIs load; nothing else is fetched). */
  open(html: string, viewport: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Launch Chromium headless with a new empty user-data-dir. */
export async function launchBrowser(): Promise<TestBrowser> {
  const executablePath = await chromiumExecutable();
  const profile = mkdtempSync(join(tmpdir(), 'socpulse-chromium-'));
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    userDataDir: profile,
    protocolTimeout: 120_000,
  });
  return {
    browser,
    async open(html, viewport) {
      const page = await browser.newPage();
      // Offline: a mail client shows what the message carries; any request out of the page is refused.
      await page.setRequestInterception(true);
      page.on('request', (r) => {
        const url = r.url();
        void (url.startsWith('data:') || url === 'about:blank' ? r.continue() : r.abort());
      });
      await page.setViewport({ ...viewport, deviceScaleFactor: 1 });
      await page.setContent(html, { waitUntil: 'load' });
      return page;
    },
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
