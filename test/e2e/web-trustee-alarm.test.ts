/**
 * Issue 13 item 3 in a real Chromium against a real server: the trustee page shows every trustee's
 * key as fingerprint words (its own marked as the one to read aloud), the letter page lists the
 * trustees of a letter's committee with the same words under the sealed-signature rule, and when
 * the operator logs a second copy of the trustee's acknowledgement (its database edited through
 * the instance's own append), the trustee page raises a red alarm naming the entry, in English
 * and in French, at desktop and at phone width. axe-core, overflow and a screenshot per screen
 * (test-results/screenshots/trustee-alarm-*).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join as joinCommittee, keygen, loadTrustee, runOnce } from '../../src/cli/trustee.ts';
import { fingerprintWords } from '../../src/core/fingerprint-words.ts';
import { identityFromPrivateKey } from '../../src/core/identity/identity.ts';
import { transportKeyFingerprint } from '../../src/core/trustee/key-fingerprint.ts';
import { ownTransportKey } from '../../src/core/trustee/own-entries.ts';
import { type World, openLetter } from '../support/world.ts';
import { catalogs, msg } from './journey.ts';
import { checkScreen, haveChromium, launchBrowser, newTab, startServer, tempDir, warnIfNoChromium, type Server, type Tab } from './support.ts';

const { en, fr } = catalogs;
const PASSPHRASE = 'Tess keeps the key in a drawer';

warnIfNoChromium('trustee alarms (web)');

describe.skipIf(!haveChromium)('trustee key words and alarms, in a real browser', () => {
  const screens = new Map<string, string[]>();
  let server: Server;
  let browser: Browser;
  let dir: string;
  let tess: Tab;
  let tessKey: string;
  const keys = new Map<number, string>();

  /** A screen checked from the top: no serious axe violation, nothing wider than the viewport. */
  async function screen(page: Page, name: string) {
    await page.evaluate(() => window.scrollTo(0, 0));
    await checkScreen(page, `trustee-alarm-${name}`, screens);
    expect(screens.get(`trustee-alarm-${name}`)).toEqual([]);
  }
  const words = (key: string, lang: 'en' | 'fr' = 'en') => fingerprintWords(transportKeyFingerprint(key), lang).join('');

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    dir = tempDir();
    const setup = await fetch(`${server.url}/api/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: server.setupToken, name: 'Caucus' }) });
    expect(setup.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a trustee who joined on the page sees every trustee’s key as words, their own marked to be read aloud', async () => {
    const invites = await server.instance.committee.create({ name: 'Trustees', k: 2, trustees: ['Tess Martin', 'Ulysse Bouchard', 'Victor Lee'] });
    tess = await newTab(browser);
    const page = tess.page;
    await page.goto(`${server.url}/trustee`);
    const joining = page.getByRole('region', { name: en['trustee.joinTitle'] });
    await joining.getByLabel(en['trustee.code'], { exact: true }).fill(invites[0].code);
    await joining.getByLabel(en['trustee.pass'], { exact: true }).fill(PASSPHRASE);
    await joining.getByLabel(en['trustee.pass2'], { exact: true }).fill(PASSPHRASE);
    await page.getByRole('button', { exact: true, name: en['trustee.make'] }).click();
    await page.getByRole('heading', { name: en['trustee.backupTitle'] }).waitFor({ timeout: 60_000 });
    const download = page.waitForEvent('download');
    await page.getByRole('button', { exact: true, name: en['trustee.download'] }).click();
    const file = join(dir, 'tess-trustee.json');
    await (await download).saveAs(file);
    await page.getByRole('button', { exact: true, name: en['trustee.saved'] }).click();
    const confirming = page.getByRole('region', { name: en['trustee.confirmTitle'] });
    await confirming.getByLabel(en['trustee.file'], { exact: true }).setInputFiles(file);
    await confirming.getByLabel(en['trustee.pass'], { exact: true }).fill(PASSPHRASE);
    await page.getByRole('button', { exact: true, name: en['trustee.confirm'] }).click();
    await page.getByText(en['trustee.youPending']).waitFor({ timeout: 60_000 });
    tessKey = ownTransportKey(await loadTrustee(file, PASSPHRASE));
    keys.set(1, tessKey);

    const secrets: bigint[] = [];
    for (const [i, name] of ['Ulysse', 'Victor'].entries()) {
      const f = join(dir, `${name}.json`);
      await keygen(f, `${name} keeps the key safe`);
      const s = await loadTrustee(f, `${name} keeps the key safe`);
      await joinCommittee(server.url, invites[i + 1].code, s);
      secrets.push(s);
      keys.set(i + 2, ownTransportKey(s));
    }
    await page.getByText(en['trustee.todo.deal']).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { exact: true, name: en['trustee.do'] }).click();
    await page.getByText(en['trustee.done.dealt']).waitFor({ timeout: 60_000 });
    for (const s of secrets) await runOnce(server.url, s);
    await page.getByText(en['trustee.todo.respond']).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { exact: true, name: en['trustee.do'] }).click();
    await page.getByText(en['trustee.done.acked']).waitFor({ timeout: 60_000 });
    for (const s of secrets) await runOnce(server.url, s);
    await page.getByRole('button', { exact: true, name: en['trustee.refresh'] }).click();
    await page.getByTestId('trustee-nothing').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('committee-status').textContent(), { timeout: 30_000 }).toContain(en['committee.ready']);

    // Each trustee's words are those of its key; Tess's are marked as hers, and there is no alarm.
    const mine = page.getByTestId('trustee-key-mine');
    expect(await mine.textContent()).toContain(en['trustee.keyYours']);
    expect((await mine.locator('.words').textContent())!).toBe(words(tessKey));
    const listed = page.getByTestId('trustee-keys').locator('li');
    await expect.poll(() => listed.count()).toBe(3);
    for (const [index, key] of keys) expect(await listed.nth(index - 1).locator('.words').textContent()).toBe(words(key));
    expect(await page.getByTestId('trustee-alarm').count()).toBe(0);
    // The record this browser keeps: the slot Tess joined, her contribution and her ack.
    const record = JSON.parse((await page.evaluate((k) => localStorage.getItem(`undersigned.trustee-own.${k}`), tessKey))!);
    expect(record).toMatchObject({ slot: { index: 1, committee: 'Trustees' }, since: 0 });
    expect(record.made).toHaveLength(2);
    await screen(page, 'en-desktop-trustee-keys');
  }, 300_000);

  it('the letter page lists the letter’s trustees with the words of their keys, to compare in person', async () => {
    const identity = identityFromPrivateKey(new Uint8Array(randomBytes(32)));
    const [added] = await server.instance.enrollment.addMembers([{ name: 'Alice Tremblay' }]);
    await server.instance.enrollment.enroll(added.code, identity.commitment.toString());
    const world = { instance: server.instance, identities: [identity] } as unknown as World;
    const deadline = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const letter = await openLetter(world, { committee: (await server.instance.committee.letterRef())!, revealThreshold: 1, deadline });

    for (const [lang, viewport] of [['en', 'desktop'], ['fr', 'phone']] as const) {
      const L = catalogs[lang];
      const visitor = await newTab(browser, { locale: lang === 'fr' ? 'fr-CA' : 'en-CA', viewport });
      await visitor.page.goto(`${server.url}/letters/${letter.id}`);
      const sealed = visitor.page.getByTestId('sealed');
      await sealed.getByTestId('trustee-keys').waitFor({ timeout: 60_000 });
      expect(await sealed.textContent()).toContain(L['sealed.trusteesText']);
      const listed = sealed.getByTestId('trustee-keys').locator('li');
      expect(await listed.count()).toBe(3);
      expect(await listed.nth(1).textContent()).toContain('2. Ulysse Bouchard');
      for (const [index, key] of keys) expect(await listed.nth(index - 1).locator('.words').textContent()).toBe(words(key, lang));
      await screen(visitor.page, `${lang}-${viewport}-letter-trustees`);
      await visitor.context.close();
    }
  }, 300_000);

  it('a second copy of the trustee’s acknowledgement on the log: a red alarm with its index, nothing more done; in French at 360 px', async () => {
    const ack = (await server.instance.committee.entries()).find((e) => e.entry.kind === 'dkg-ack' && e.entry.trustee === 1)!;
    const again = await server.instance.db.transaction().execute((trx) => server.instance.log.append(ack.entry, trx));
    const page = tess.page;
    await page.getByRole('button', { exact: true, name: en['trustee.refresh'] }).click();
    const alarm = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: en['trustee.alarmTitle'] }) });
    await alarm.waitFor({ timeout: 30_000 });
    expect(await alarm.textContent()).toContain(msg(en, 'trustee.alarm.twice', { index: again.index, kind: 'dkg-ack', first: ack.index }));
    expect(await alarm.textContent()).toContain(en['trustee.alarmWhat']);
    expect(await page.getByRole('button', { exact: true, name: en['trustee.do'] }).count()).toBe(0);
    await screen(page, 'en-desktop-trustee-alarm');

    await page.setViewportSize({ width: 360, height: 760 });
    await page.locator('button.lang').click();
    const alerte = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: fr['trustee.alarmTitle'] }) });
    await alerte.waitFor();
    expect(await alerte.textContent()).toContain(msg(fr, 'trustee.alarm.twice', { index: again.index, kind: 'dkg-ack', first: ack.index }));
    expect(await page.getByTestId('trustee-key-mine').textContent()).toContain(fr['trustee.keyYours']);
    await screen(page, 'fr-phone-trustee-alarm');
    expect(tess.problems).toEqual([]);
  }, 120_000);
});
