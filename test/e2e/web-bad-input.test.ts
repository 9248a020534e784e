/**
 * Bad input in the browser, each with a clear message in the person's language and nothing they
 * hold lost: wrong, reused and expired enrollment codes; a wrong backup passphrase; corrupt,
 * foreign and other-identity backup files; an expired membership session; a server that cannot
 * be reached while signing (the signature is kept and sent later), and one that refuses it for
 * good once it comes back.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealIdentityFile } from '../../src/core/identity/identity-file.ts';
import { type Catalog, catalogs, countText, enroll, msg, openLetter, person, propose, sign, unlock, type Person } from './journey.ts';
import { haveChromium, launchBrowser, newTab, startServer, tempDir, warnIfNoChromium, type Server, type Tab } from './support.ts';

warnIfNoChromium('web bad input');

const en = catalogs.en;
const fr = catalogs.fr;

/** Steps 1–3 of enrollment (identity made, backup saved and re-opened), stopping before the code is spent. */
async function makeIdentity(page: Page, server: Server, L: Catalog, code: string, passphrase: string, dir: string, name: string): Promise<string> {
  await page.goto(`${server.url}/enroll`);
  await page.getByLabel(L['enroll.code'], { exact: true }).fill(code);
  await page.getByLabel(L['enroll.pass'], { exact: true }).fill(passphrase);
  await page.getByLabel(L['enroll.pass2'], { exact: true }).fill(passphrase);
  await page.getByRole('button', { exact: true, name: L['enroll.make'] }).click();
  const download = page.waitForEvent('download', { timeout: 60_000 });
  await page.getByRole('button', { exact: true, name: L['enroll.download'] }).click({ timeout: 60_000 });
  const file = join(dir, `${name}.json`);
  await (await download).saveAs(file);
  await page.getByRole('button', { exact: true, name: L['enroll.saved'] }).click();
  return file;
}

async function confirmBackup(page: Page, L: Catalog, file: string, passphrase: string) {
  await page.getByLabel(L['enroll.backupFile'], { exact: true }).setInputFiles(file);
  await page.getByLabel(L['enroll.pass'], { exact: true }).fill(passphrase);
  await page.getByRole('button', { exact: true, name: L['enroll.confirm'] }).click();
}

/** Press Tab until the focused element has this text (or label), or matches this CSS selector. */
async function tabTo(page: Page, target: { name: string } | { selector: string }): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate((t) => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return false;
      if ('selector' in t) return el.matches(t.selector);
      return (el.getAttribute('aria-label') ?? el.textContent ?? '').trim() === t.name;
    }, target);
    if (hit) return;
  }
  throw new Error(`could not reach ${JSON.stringify(target)} with the Tab key`);
}

const alert = (page: Page, text: string) => page.getByRole('alert').filter({ hasText: text }).first().waitFor({ timeout: 60_000 });

describe.skipIf(!haveChromium)('bad input in the web app', () => {
  let server: Server;
  let browser: Browser;
  let dir: string;
  let codes: Map<string, string>;
  let ann: Person;
  const pass = 'a quiet river at dawn';

  beforeAll(async () => {
    server = await startServer();
    await server.instance.admin.setup(server.setupToken);
    const added = await server.instance.enrollment.addMembers(['Ann Lee', 'Ben Ng', 'Cid Roy', 'Dee Fox', 'Eve Poe'].map((name) => ({ name })));
    codes = new Map(added.map((m) => [m.name, m.code]));
    browser = await launchBrowser();
    dir = tempDir();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a mistyped code is caught before anything is made; an unknown one after, and it can be corrected', async () => {
    ann = await person(browser, 'Ann Lee', 'en');
    const { page } = ann.tab;
    await page.goto(`${server.url}/enroll`);
    await page.getByLabel(en['enroll.code'], { exact: true }).fill('HELLO');
    await page.getByLabel(en['enroll.pass'], { exact: true }).fill(pass);
    await page.getByLabel(en['enroll.pass2'], { exact: true }).fill(pass);
    await page.getByRole('button', { exact: true, name: en['enroll.make'] }).click();
    await alert(page, en['enroll.codeShape']);

    const file = await makeIdentity(page, server, en, 'ABCD-EFGH-JKMN-PQRS', pass, dir, 'ann');
    await confirmBackup(page, en, file, pass);
    await alert(page, en['error.code_invalid']);
    // The identity and its backup stay valid: only the code is corrected.
    await page.getByLabel(en['enroll.code'], { exact: true }).fill(codes.get('Ann Lee')!.toLowerCase());
    await page.getByRole('button', { exact: true, name: en['action.retry'] }).click();
    await page.getByText(msg(en, 'enroll.done', { name: 'Ann Lee' })).waitFor({ timeout: 60_000 });
    ann.backup = file;
    const enrolled = (await server.instance.roster.current()).snapshot.members.find((m) => m.name === 'Ann Lee')!;
    expect(enrolled.commitment).toBe(JSON.parse(readFileSync(file, 'utf8')).commitment);
  });

  it('a reused code and an expired code each say so, and ask for a new one', async () => {
    const other = await newTab(browser);
    await makeIdentity(other.page, server, en, codes.get('Ann Lee')!, pass, dir, 'reuse');
    await confirmBackup(other.page, en, join(dir, 'reuse.json'), pass);
    await alert(other.page, en['error.code_used']);

    server.clock.offsetMs = 15 * 24 * 3600 * 1000;
    try {
      await makeIdentity(other.page, server, en, codes.get('Eve Poe')!, pass, dir, 'late');
      await confirmBackup(other.page, en, join(dir, 'late.json'), pass);
      await alert(other.page, en['error.code_expired']);
    } finally {
      server.clock.offsetMs = 0;
    }
  });

  it('at the backup check: a wrong passphrase, then another identity’s file, are refused; the right one enrolls', async () => {
    const ben = await person(browser, 'Ben Ng', 'en');
    const file = await makeIdentity(ben.tab.page, server, en, codes.get('Ben Ng')!, ben.passphrase, dir, 'ben');
    await confirmBackup(ben.tab.page, en, file, 'not the passphrase');
    await alert(ben.tab.page, en['error.identity_file_wrong_passphrase']);
    await confirmBackup(ben.tab.page, en, ann.backup!, pass);
    await alert(ben.tab.page, en['error.backup_other_identity']);
    await confirmBackup(ben.tab.page, en, file, ben.passphrase);
    await ben.tab.page.getByText(msg(en, 'enroll.done', { name: 'Ben Ng' })).waitFor({ timeout: 60_000 });
  });

  it('restore on a new device, in French: corrupt, foreign and wrong-passphrase backups are refused, then it works', async () => {
    const tab: Tab = await newTab(browser, { locale: 'fr-CA' });
    const { page } = tab;
    const tryRestore = async (file: string, passphrase: string) => {
      await page.goto(`${server.url}/restore`);
      await page.getByLabel(fr['enroll.backupFile'], { exact: true }).setInputFiles(file);
      await page.getByLabel(fr['enroll.pass'], { exact: true }).fill(passphrase);
      await page.getByRole('button', { exact: true, name: fr['restore.submit'] }).click();
    };
    const truncated = join(dir, 'truncated.json');
    writeFileSync(truncated, readFileSync(ann.backup!, 'utf8').slice(0, 120));
    await tryRestore(truncated, pass);
    await alert(page, fr['error.identity_file_not_json']);

    const notBackup = join(dir, 'not-a-backup.json');
    writeFileSync(notBackup, JSON.stringify({ format: 'something-else/1', hello: 'world' }));
    await tryRestore(notBackup, pass);
    await alert(page, fr['error.identity_file_malformed']);

    const foreign = join(dir, 'foreign.json');
    const sealed = await sealIdentityFile({
      privateKey: new Uint8Array(randomBytes(32)),
      passphrase: pass,
      salt: new Uint8Array(randomBytes(16)),
      nonce: new Uint8Array(randomBytes(24)),
      label: { instance: 'other.invalid/group+01020304+AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=' },
      kdf: { N: 2 ** 14, r: 8, p: 1 },
    });
    writeFileSync(foreign, JSON.stringify(sealed));
    await tryRestore(foreign, pass);
    await alert(page, fr['error.backup_other_instance']);

    await tryRestore(ann.backup!, 'pas la bonne phrase');
    await alert(page, fr['error.identity_file_wrong_passphrase']);

    await tryRestore(ann.backup!, pass);
    await page.getByText(msg(fr, 'restore.done', { name: 'Ann Lee' })).waitFor({ timeout: 60_000 });

    // Locked again, a wrong passphrase at unlock is refused; the identity stays on the device.
    await page.getByRole('button', { exact: true, name: fr['nav.lock'] }).click();
    await page.goto(`${server.url}/unlock`);
    await page.getByLabel(fr['enroll.pass'], { exact: true }).fill('encore faux');
    await page.getByRole('button', { exact: true, name: fr['unlock.submit'] }).click();
    await alert(page, fr['error.identity_file_wrong_passphrase']);
    expect(await page.evaluate(() => localStorage.getItem('undersigned.identity'))).not.toBeNull();
    await unlock(page, server, fr, pass);
    expect(tab.problems).toEqual([]);
  });

  it('an expired membership session is renewed with a notice, and the members-only count shows again', async () => {
    const { page } = ann.tab;
    const id = await propose(page, server, en, {
      title: 'Members-only count',
      recipient: 'The chair',
      text: 'Only members see how many signed.',
      visibility: en['visibility.members'],
    });
    await sign(page, en, 'anonymous');
    await expect.poll(() => page.getByTestId('count').textContent()).toBe(countText(en, 1, 5));
    server.clock.offsetMs = 61 * 60 * 1000;
    try {
      await openLetter(page, server, en, id);
      await page.getByText(en['session.renewed']).waitFor({ timeout: 60_000 });
      await expect.poll(() => page.getByTestId('count').textContent()).toBe(countText(en, 1, 5));
    } finally {
      server.clock.offsetMs = 0;
    }
  });

  it('with the keyboard alone: skip link first, unlock, sign', async () => {
    const { page } = ann.tab;
    const id = await propose(page, server, en, { title: 'Keyboard only', recipient: 'The chair', text: 'Signed without a mouse.' });
    await page.getByRole('button', { exact: true, name: en['nav.lock'] }).click();
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(en['nav.skip']);

    await page.goto(`${server.url}/unlock?next=${encodeURIComponent(`/letters/${id}`)}`);
    await page.getByRole('heading', { level: 1, name: en['unlock.title'] }).waitFor();
    await tabTo(page, { selector: 'input[type=password]' });
    await page.keyboard.type(pass);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === `/letters/${id}`, { timeout: 60_000 });
    await page.getByTestId('my-status').waitFor({ timeout: 60_000 });
    await tabTo(page, { name: en['letter.signAnonymous'] });
    await page.keyboard.press('Enter');
    await page.getByText(en['letter.signedAnonymous']).waitFor({ timeout: 120_000 });
    await tabTo(page, { name: en['letter.withdraw'] });
    await page.keyboard.press('Enter');
    await page.getByText(en['letter.withdrawn']).waitFor({ timeout: 120_000 });
  });

  it('a signature made while the server cannot be reached is kept on the device, survives a reload, and is sent later', async () => {
    const cid = await person(browser, 'Cid Roy', 'en');
    await enroll(cid, server, codes.get('Cid Roy')!, en, dir);
    const { page } = cid.tab;
    const id = await propose(page, server, en, { title: 'Kept while offline', recipient: 'The chair', text: 'Signed on a bad connection.' });
    const before = (await server.instance.letters.status(id)).count;
    await page.route('**/api/letters/*/records', (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { exact: true, name: en['letter.signAnonymous'] }).click();
    await alert(page, en['letter.keptForRetry']);
    expect(JSON.parse((await page.evaluate(() => localStorage.getItem('undersigned.outbox')))!)).toHaveLength(1);
    expect((await server.instance.letters.status(id)).count).toBe(before);

    await page.reload();
    await alert(page, en['letter.keptForRetry']);
    await page.getByText(msg(en, 'banner.outbox', { n: 1 })).waitFor();
    // Nothing new can be signed on this letter while a signature waits.
    expect(await page.getByRole('button', { exact: true, name: en['letter.signAnonymous'] }).count()).toBe(0);

    await page.unroute('**/api/letters/*/records');
    await page.getByRole('button', { exact: true, name: en['letter.retryNow'] }).click();
    await page.getByText(en['letter.sentLater']).waitFor({ timeout: 60_000 });
    expect((await server.instance.letters.status(id)).count).toBe((before ?? 0) + 1);
    expect(await page.evaluate(() => localStorage.getItem('undersigned.outbox'))).toBeNull();
    await expect.poll(() => page.getByTestId('my-status').textContent()).toBe(en['letter.statusAnonymous']);
    expect(cid.tab.problems.filter((p) => !p.includes('ERR_CONNECTION_REFUSED') && !p.includes('Failed to fetch'))).toEqual([]);
  });

  it('a kept signature that the server refuses for good once it is back is reported, not dropped silently', async () => {
    const dee = await person(browser, 'Dee Fox', 'en');
    await enroll(dee, server, codes.get('Dee Fox')!, en, dir);
    const { page } = dee.tab;
    const id = await propose(page, server, en, { title: 'Closed while offline', recipient: 'The chair', text: 'Too late.' });
    await page.route('**/api/letters/*/records', (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { exact: true, name: en['letter.signAnonymous'] }).click();
    await alert(page, en['letter.keptForRetry']);
    await server.instance.letters.close(id);
    await page.unroute('**/api/letters/*/records');
    await page.getByRole('button', { exact: true, name: en['letter.retryNow'] }).click();
    await alert(page, en['error.letter_closed']);
  });
});
