/**
 * The browser tests' world: a real instance (SQLite in a temporary directory, the real Fastify
 * app serving the built web app) listening on a free loopback port, Debian's Chromium driven by
 * playwright-core, axe-core run in each screen, and screenshots saved under test-results/.
 *
 * When /usr/bin/chromium is missing, the suites skip with a loud warning instead of failing.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApp } from '../../src/server/app.ts';
import type { Instance } from '../../src/server/instance.ts';
import { openOrInit } from '../../src/server/open.ts';
import { buildWitnessApp } from '../../src/witness/http.ts';
import { Witness, initWitness } from '../../src/witness/witness.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
export const ROOT = resolve(import.meta.dirname, '../..');
export const RESULTS = join(ROOT, 'test-results');
export const SCREENSHOTS = join(RESULTS, 'screenshots');

export function warnIfNoChromium(suite: string): void {
  // CI sets this: there, a missing browser is a failure, not a skip.
  if (!haveChromium && process.env.UNDERSIGNED_REQUIRE_BROWSER) throw new Error(`${suite}: Chromium is required (UNDERSIGNED_REQUIRE_BROWSER) but ${CHROMIUM} is missing`);
  if (!haveChromium) {
    console.warn(
      `\n⚠⚠⚠ ${suite}: SKIPPED — no Chromium at ${CHROMIUM}. The browser tests did not run.\n` +
        `    Install it (Debian: apt-get install -y chromium; .ci/run does) to run them.\n`,
    );
  }
}

export interface Server {
  url: string;
  setupToken: string;
  instance: Instance;
  dir: string;
  clock: { offsetMs: number };
  /** The in-process witnesses cosigning this server's checkpoints (`startServer(..., { witnesses })`). */
  witnesses: { name: string; url: string; verifierKey: string }[];
  /** Stop answering (to test a server that cannot be reached), then answer again. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

/** An in-process witness (C2SP tlog-witness over HTTP on a loopback port) that cosigns one log. */
async function startWitness(dir: string, name: string, logKey: string) {
  const verifierKey = initWitness(dir, `${name}.e2e.invalid/witness`).verifierKey;
  const witness = new Witness(dir);
  witness.addLog(logKey);
  const app = await buildWitnessApp(witness);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { name, verifierKey, url: `http://127.0.0.1:${address.port}`, close: async () => (await app.close(), witness.close()) };
}

/**
 * `publishWindowMs`: the server's publication window (0, the default here: publish at once).
 * `witnesses`: names of in-process witnesses to run, all needed (quorum = their number).
 * `minGroupSize`: the instance's (1 by default here: the journeys run groups of 4 to 6 and show
 * counts as a larger group's would; the small-group rule has its own tests, test/credentials.test.ts).
 */
export async function startServer(name = 'Test caucus', options: { publishWindowMs?: number; witnesses?: string[]; minGroupSize?: number } = {}): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-e2e-'));
  const clock = { offsetMs: 0 };
  const { instance, setupToken } = await openOrInit({
    dataDir: dir,
    name,
    origin: 'e2e.invalid/caucus',
    now: () => new Date(Date.now() + clock.offsetMs),
    settings: { minGroupSize: options.minGroupSize ?? 1 },
  });
  const witnesses: Awaited<ReturnType<typeof startWitness>>[] = [];
  for (const w of options.witnesses ?? []) witnesses.push(await startWitness(join(dir, `witness-${w}`), w, instance.log.verifierKey()));
  const witnessing = witnesses.length ? { endpoints: witnesses.map((w) => ({ url: w.url, verifierKey: w.verifierKey })), intervalMs: 200, waitMs: 15_000 } : undefined;
  let app = await buildApp({ instance, log: () => {}, publishWindowMs: options.publishWindowMs, witnesses: witnessing });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const port = address.port;
  return {
    url: `http://127.0.0.1:${port}`,
    setupToken: setupToken!,
    instance,
    dir,
    clock,
    witnesses: witnesses.map(({ name: n, url, verifierKey }) => ({ name: n, url, verifierKey })),
    async pause() {
      await app.close();
    },
    async resume() {
      app = await buildApp({ instance, log: () => {}, publishWindowMs: options.publishWindowMs, witnesses: witnessing });
      await app.listen({ port, host: '127.0.0.1' });
    },
    async close() {
      await app.close().catch(() => {});
      for (const w of witnesses) await w.close().catch(() => {});
      await instance.db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export type Viewport = 'desktop' | 'phone';
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 360, height: 760 } };

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught exceptions and Content-Security-Policy violations seen so far. */
  problems: string[];
}

/** A fresh browser profile (its own storage: one person's device). */
export async function newTab(browser: Browser, options: { locale?: 'en-CA' | 'fr-CA'; viewport?: Viewport } = {}): Promise<Tab> {
  const context = await browser.newContext({
    locale: options.locale ?? 'en-CA',
    viewport: VIEWPORTS[options.viewport ?? 'desktop'],
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.exposeFunction('__cspViolation', (v: string) => problems.push(`CSP: ${v}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __cspViolation: (v: string) => void }).__cspViolation(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { context, page, problems };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core in the page (evaluated over the devtools protocol, so the page's CSP is untouched). */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

/** Save a screenshot under test-results/screenshots/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Check a screen: no serious axe violation, nothing wider than the viewport, and a screenshot. */
export async function checkScreen(page: Page, name: string, report: Map<string, string[]>): Promise<void> {
  const violations = await axeViolations(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  const problems = [...violations];
  if (overflow > 1) problems.push(`page is ${overflow}px wider than the viewport`);
  report.set(name, problems);
  await shot(page, name);
}

export function writeReport(name: string, data: unknown): void {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, name), JSON.stringify(data, null, 2) + '\n');
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'undersigned-e2e-files-'));
}
