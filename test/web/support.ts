import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { seedDatabase } from '../../src/seed/seed.ts';
import { repo } from '../support/deploy-files.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Debian's chromium (apt-get install chromium); PLUGBOARD_CHROMIUM points elsewhere. */
export const chromiumPath = process.env.PLUGBOARD_CHROMIUM ?? '/usr/bin/chromium';
const hasBrowser = existsSync(chromiumPath);
const requireBrowser = process.env.CI === 'true';
if (!hasBrowser && !requireBrowser)
  console.log(
    `browser tests skipped: no chromium at ${chromiumPath} (apt-get install chromium, or set PLUGBOARD_CHROMIUM)`,
  );

/**
 * `describe` for browser tests: skipped (with the line above) when there is no chromium on a
 * developer's machine; under CI=true it runs, and fails at launch when chromium is missing.
 */
const runBrowserTests = hasBrowser || requireBrowser;
export const describeBrowser = describe.skipIf(!runBrowserTests);

/**
 * The file's session: started before its tests (when they run at all) and closed after them,
 * with the console checked for errors after each test. Call it at the top of a test file.
 */
export function useWebSession(options?: { env?: Record<string, string> }): () => WebSession {
  let session: WebSession | undefined;
  beforeAll(async () => {
    if (runBrowserTests) session = await startWebSession(options);
  }, 180_000);
  afterAll(() => session?.close());
  afterEach(() => session?.expectNoConsoleErrors());
  return () => {
    if (!session) throw new Error('the web session did not start');
    return session;
  };
}

/** Screenshots of the last run, one per page and state (gitignored; the README shows copies). */
export const screenshotDir = path.join(repo, 'web', 'screenshots');

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface WebSession {
  server: TestServer;
  /** Token of the seed's `demo` admin (what `npm start` prints). */
  demoToken: string;
  browser: Browser;
  /** Console errors and uncaught exceptions of every page opened so far (each prefixed with its URL). */
  errors: string[];
  /**
   * A fresh browser context (its own localStorage) and page on the server; signed in with
   * `token` when given. 1280×800 unless `width` says otherwise (360 for a phone).
   */
  open(pathname?: string, options?: { token?: string; width?: number; height?: number }): Promise<Page>;
  /** Saves a full-page screenshot to web/screenshots/<name>.png. */
  shot(page: Page, name: string): Promise<void>;
  /**
   * Fails when any page logged a console error or threw since the last call, other than those
   * matching `allow` (e.g. the browser's own line for a 401 a test provoked on purpose).
   */
  expectNoConsoleErrors(options?: { allow?: RegExp[] }): void;
  close(): Promise<void>;
}

/** Builds web/dist when stale (what `npm test` did already), so one test file also runs alone. */
async function buildWebIfStale() {
  await promisify(execFile)(process.execPath, ['bin/build-web.js', '--if-stale'], { cwd: repo });
}

/**
 * A real seeded server on loopback and Debian's chromium driven by playwright-core (which gives
 * each launch a fresh temporary profile, and each context its own storage).
 */
export async function startWebSession({ env }: { env?: Record<string, string> } = {}): Promise<WebSession> {
  if (!hasBrowser)
    throw new Error(
      `no chromium at ${chromiumPath}: CI=true runs the browser tests, so install it (apt-get install chromium)`,
    );
  await buildWebIfStale();
  const server = await startTestServer({ env });
  const { demoToken } = await seedDatabase(server.app.platform);
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: LAUNCH_ARGS,
    });
  } catch (err) {
    await server.stop();
    throw new Error(`could not launch chromium at ${chromiumPath}: ${(err as Error).message}`);
  }
  mkdirSync(screenshotDir, { recursive: true });
  const errors: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    server,
    demoToken,
    browser,
    errors,
    async open(pathname = '/', { token, width = 1280, height = 800 } = {}) {
      const context = await browser.newContext({ viewport: { width, height }, baseURL: server.url });
      contexts.push(context);
      if (token)
        await context.addInitScript({
          content: `try { localStorage.setItem('plugboard.token', ${JSON.stringify(token)}) } catch {}`,
        });
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`${page.url()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
      await page.goto(pathname, { waitUntil: 'load' });
      return page;
    },
    async shot(page, name) {
      await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
    },
    expectNoConsoleErrors({ allow = [] } = {}) {
      const seen = errors.splice(0).filter((e) => !allow.some((pattern) => pattern.test(e)));
      expect(seen, 'console errors').toEqual([]);
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await server.stop();
    },
  };
}
