/**
 * The verifier in one file (issue #15, build item 2), in Chromium: the HTML that `undersigned
 * verifier --out` writes, opened from disk (file://) in a browser context that is offline and whose
 * every request is recorded. A good letter and a good procedure from the bad-bundles corpus verify
 * with the right count; tampered ones are refused with the manifest's code and the same technical
 * reason `undersigned verify` gives (core's verifier run in Node here), in English and in French; no
 * request of any kind leaves the page; a screenshot at 360 px.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/core/bundle/bundle.ts';
import { verifyProcedureBundle } from '../../src/core/bundle/procedure-bundle.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../../src/node/artifacts.ts';
import { en } from '../../src/web/i18n/en.ts';
import { fr } from '../../src/web/i18n/fr.ts';
import { ROOT, axeViolations, haveChromium, launchBrowser, newTab, shot, startServer, tempDir, warnIfNoChromium, type Tab } from './support.ts';

warnIfNoChromium('web-verifier-file');

const text = async (l: Locator) => (await l.textContent())?.trim();

const FIXTURES = join(ROOT, 'test/fixtures/bad-bundles');
type Case = { file: string; verifier: 'letter' | 'procedure'; code: string };
const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as { cases: Case[] };
const caseOf = (file: string) => manifest.cases.find((c) => c.file === file)!;
// One per family: a structural refusal, a forged log signature, a proof that fails the pairing
// check (the WebAssembly's work), and a procedure's.
const TAMPERED = ['format-changed.json', 'checkpoint-signature-changed.json', 're-logged-a-proof-point-changed.json', 'procedure-a-vote-proof-point-changed.json'].map(caseOf);

/** What `undersigned verify` says of a file: the same core verifiers, in Node. */
async function nodeVerdict(file: string) {
  const parsed = JSON.parse(readFileSync(file, 'utf8'));
  if (parsed.format === 'undersigned-procedure/1') return verifyProcedureBundle(parsed, { keys: nodeVerificationKeys });
  return verifyBundle(parsed, { keys: nodeVerificationKeys });
}

describe.skipIf(!haveChromium)('the verifier in one file, opened from disk with no network', () => {
  let browser: Browser;
  let page: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = join(tempDir(), 'verify.html');
    execFileSync(process.execPath, [join(ROOT, 'bin/undersigned.mjs'), 'verifier', '--out', page]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await releaseSnarkjs();
  });

  /** A tab offline, every request it tries recorded (and aborted), on the file from disk. */
  async function open(locale: 'en-CA' | 'fr-CA', viewport: 'desktop' | 'phone'): Promise<Tab & { requests: string[] }> {
    const tab = await newTab(browser, { locale, viewport });
    const requests: string[] = [];
    tab.context.on('request', (r) => requests.push(r.url()));
    // Every request but the page's own navigation is refused (and still recorded above).
    await tab.context.route('**/*', (route) => (route.request().url() === pathToFileURL(page).href ? route.continue() : route.abort()));
    await tab.context.setOffline(true);
    await tab.page.goto(pathToFileURL(page).href);
    await tab.page.getByTestId('verify-ready').filter({ hasText: locale === 'fr-CA' ? fr['verify.ready'] : en['verify.ready'] }).waitFor({ timeout: 60_000 });
    return { ...tab, requests };
  }

  /** Besides the page itself: nothing (the worker's blob: URL is the page's own memory, not a request). */
  const outside = (requests: string[]) => requests.filter((u) => u !== pathToFileURL(page).href && !u.startsWith('blob:'));

  for (const [locale, L] of [['en-CA', en], ['fr-CA', fr]] as const) {
    it(`${locale}: a good letter and a good procedure verify, tampered files are refused with their code and the CLI's reason, and nothing is requested`, async () => {
      const tab = await open(locale, 'desktop');
      const { page: p } = tab;
      const drop = (file: string) => p.locator('#bundle-file').setInputFiles(file);

      await drop(join(FIXTURES, 'good/letter.json'));
      const verdict = p.getByTestId('verdict');
      await verdict.waitFor({ timeout: 60_000 });
      expect(await text(verdict.getByRole('heading'))).toBe(L['verify.valid']);
      const letter = await verifyBundle(JSON.parse(readFileSync(join(FIXTURES, 'good/letter.json'), 'utf8')), { keys: nodeVerificationKeys });
      if (!letter.valid) throw new Error('the good letter must verify in Node');
      expect(letter.count).toBe(3);
      const signed = (L[`count.signed.${letter.count === 1 ? 'one' : 'other'}` as keyof typeof L] as string).replace('{m}', String(letter.rosterSize));
      expect(await text(verdict.locator('.count'))).toBe(signed.replace('{n}', String(letter.count)));
      expect(await text(p.getByTestId('verify-named'))).toBe(letter.named.join(', '));

      await drop(join(FIXTURES, 'good/procedure.json'));
      await p.getByRole('heading', { name: L['verify.procedureValid'] }).waitFor({ timeout: 60_000 });

      for (const c of TAMPERED) {
        await drop(join(FIXTURES, c.file));
        const refused = p.locator(`[data-testid="verdict"][data-code="${c.code}"]`);
        await refused.waitFor({ timeout: 60_000 });
        expect(await text(refused.getByRole('heading'))).toBe(L['verify.invalid']);
        const cli = await nodeVerdict(join(FIXTURES, c.file));
        expect(cli.valid, c.file).toBe(false);
        if (cli.valid) continue;
        expect(cli.code, c.file).toBe(c.code);
        expect(await text(refused.locator('code'))).toBe(cli.reason);
        expect((await refused.getByTestId('verdict-reason').textContent())?.length, c.file).toBeGreaterThan(10);
      }

      expect(outside(tab.requests)).toEqual([]);
      expect(tab.problems).toEqual([]);
      await tab.context.close();
    }, 240_000);
  }

  it("the app's verify page offers the same file for download", async () => {
    const server = await startServer('Verifier caucus');
    try {
      const tab = await newTab(browser, { locale: 'fr-CA' });
      await tab.page.goto(`${server.url}/verify`);
      const link = tab.page.getByRole('link', { name: fr['verify.downloadVerifier'] });
      const [download] = await Promise.all([tab.page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toBe('undersigned-verify.html');
      const saved = join(tempDir(), 'downloaded.html');
      await download.saveAs(saved);
      expect(readFileSync(saved).equals(readFileSync(page))).toBe(true);
      expect(tab.problems).toEqual([]);
      await tab.context.close();
    } finally {
      await server.close();
    }
  }, 120_000);

  it('reads at 360 px (screenshot), switches language in place, and passes axe', async () => {
    const tab = await open('en-CA', 'phone');
    const { page: p } = tab;
    await p.locator('#bundle-file').setInputFiles(join(FIXTURES, 'good/sealed-letter.json'));
    await p.getByTestId('verdict').waitFor({ timeout: 60_000 });
    await p.getByRole('button', { name: 'Français' }).click();
    await p.getByRole('heading', { level: 1, name: fr['verifier.title'] }).waitFor();
    expect(await text(p.getByTestId('verdict').getByRole('heading'))).toBe(fr['verify.valid']);
    // The sealed names the trustees revealed are listed, as `undersigned verify` prints them.
    expect(await text(p.getByTestId('verify-sealed'))).toBe(fr['verify.sealedRevealed'].replace('{total}', '2').replace('{names}', 'Member A, Member B'));
    expect(await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(1);
    expect(await axeViolations(p)).toEqual([]);
    await shot(p, 'verifier-file-360-fr');
    await p.locator('#bundle-file').setInputFiles(join(FIXTURES, 'checkpoint-signature-changed.json'));
    await p.locator('[data-testid="verdict"][data-code="checkpoint_bad_signature"]').waitFor({ timeout: 60_000 });
    await shot(p, 'verifier-file-360-fr-refused');
    expect(outside(tab.requests)).toEqual([]);
    expect(tab.problems).toEqual([]);
    await tab.context.close();
  }, 180_000);
});
