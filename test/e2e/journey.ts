/**
 * Steps of the web journey, driven through what a person sees: labels and button names come from
 * the app's own message catalogs (src/web/i18n), so the same steps run in English and in French.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { formatCheckpoint, signNote } from '../../src/core/log/checkpoint.ts';
import { hexToBytes } from '../../src/core/encoding.ts';
import { en } from '../../src/web/i18n/en.ts';
import { fr } from '../../src/web/i18n/fr.ts';
import { checkScreen, newTab, type Server, type Tab } from './support.ts';

export type Lang = 'en' | 'fr';
export type Catalog = Record<keyof typeof en, string>;
export const catalogs: Record<Lang, Catalog> = { en, fr };

/** A catalog message with its {placeholders} filled (numbers as the app formats them). */
export function msg(L: Catalog, key: keyof typeof en, vars: Record<string, string | number> = {}): string {
  const lang = L === fr ? 'fr' : 'en';
  return L[key].replace(/\{(\w+)\}/g, (m, k: string) => {
    const v = vars[k];
    return v === undefined ? m : typeof v === 'number' ? new Intl.NumberFormat(lang).format(v) : v;
  });
}

/** "N of M members signed" as the app writes it. */
export function countText(L: Catalog, n: number, m: number): string {
  const lang = L === fr ? 'fr' : 'en';
  const key = new Intl.PluralRules(lang).select(n) === 'one' ? 'count.signed.one' : 'count.signed.other';
  return msg(L, key as keyof typeof en, { n, m });
}

export interface Person {
  name: string;
  tab: Tab;
  passphrase: string;
  backup?: string;
}

export async function setUp(page: Page, server: Server, L: Catalog, groupName: string, screens: Map<string, string[]>, prefix: string) {
  await page.goto(`${server.url}/setup#${server.setupToken}`);
  await page.getByLabel(L['setup.name'], { exact: true }).waitFor();
  // The token left the address bar as soon as it was read.
  expect(new URL(page.url()).hash).toBe('');
  await checkScreen(page, `${prefix}-setup`, screens);
  await page.getByLabel(L['setup.name'], { exact: true }).fill(groupName);
  await page.getByRole('button', { exact: true, name: L['setup.submit'] }).click();
  await page.getByTestId('admin-token').waitFor();
  await page.getByRole('link', { exact: true, name: L['setup.continue'] }).click();
  await page.getByRole('heading', { level: 1, name: L['organizer.title'] }).waitFor();
}

export async function addMembers(page: Page, L: Catalog, one: string, csvNames: string[], dir: string) {
  await page.getByLabel(L['organizer.name'], { exact: true }).fill(one);
  await page.getByRole('button', { exact: true, name: L['organizer.add'] }).click();
  await page.getByText(msg(L, 'organizer.added', { name: one })).waitFor();
  const csv = join(dir, 'members.csv');
  writeFileSync(csv, ['name,riding', ...csvNames.map((n, i) => `"${n}",Riding ${i}`)].join('\n') + '\n');
  await page.getByLabel(L['organizer.csv'], { exact: true }).setInputFiles(csv);
  await page.getByRole('button', { exact: true, name: L['organizer.import'] }).click();
  await page.getByText(msg(L, csvNames.length === 1 ? 'organizer.imported.one' : 'organizer.imported.other', { n: csvNames.length })).waitFor();
}

/** The enrollment codes on the printable sheet, by member name. */
export async function readCodes(page: Page, L: Catalog): Promise<Map<string, string>> {
  await page.getByRole('link', { exact: true, name: L['organizer.navCodes'] }).click();
  await page.getByRole('heading', { level: 1, name: L['codes.title'] }).waitFor();
  const slips = page.locator('.slip');
  const codes = new Map<string, string>();
  for (let i = 0; i < (await slips.count()); i++) {
    const name = (await slips.nth(i).locator('.slip-name').textContent())!;
    codes.set(name, (await slips.nth(i).getByTestId('enrollment-code').textContent())!);
  }
  return codes;
}

/** Enroll through the four steps; returns the path of the backup file saved from the download. */
export async function enroll(p: Person, server: Server, code: string, L: Catalog, dir: string, shots?: { screens: Map<string, string[]>; prefix: string }) {
  const { page } = p.tab;
  await page.goto(`${server.url}/enroll`);
  await page.getByLabel(L['enroll.code'], { exact: true }).fill(code);
  await page.getByLabel(L['enroll.pass'], { exact: true }).fill(p.passphrase);
  await page.getByLabel(L['enroll.pass2'], { exact: true }).fill(p.passphrase);
  if (shots) await checkScreen(page, `${shots.prefix}-enroll`, shots.screens);
  await page.getByRole('button', { exact: true, name: L['enroll.make'] }).click();
  await page.getByRole('heading', { name: L['enroll.backupTitle'] }).waitFor({ timeout: 60_000 });
  if (shots) await checkScreen(page, `${shots.prefix}-enroll-backup`, shots.screens);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { exact: true, name: L['enroll.download'] }).click();
  const file = join(dir, `backup-${p.name.replace(/\W+/g, '-')}.json`);
  await (await download).saveAs(file);
  await page.getByRole('button', { exact: true, name: L['enroll.saved'] }).click();
  await page.getByLabel(L['enroll.backupFile'], { exact: true }).setInputFiles(file);
  await page.getByLabel(L['enroll.pass'], { exact: true }).fill(p.passphrase);
  if (shots) await checkScreen(page, `${shots.prefix}-enroll-confirm`, shots.screens);
  await page.getByRole('button', { exact: true, name: L['enroll.confirm'] }).click();
  await page.getByText(msg(L, 'enroll.done', { name: p.name })).waitFor({ timeout: 60_000 });
  if (shots) await checkScreen(page, `${shots.prefix}-enroll-done`, shots.screens);
  p.backup = file;
  return file;
}

export async function propose(page: Page, server: Server, L: Catalog, letter: { title: string; recipient: string; text: string; visibility?: string }) {
  await page.goto(`${server.url}/letters/new`);
  await page.getByLabel(L['propose.fieldTitle'], { exact: true }).fill(letter.title);
  await page.getByLabel(L['propose.recipient'], { exact: true }).fill(letter.recipient);
  await page.getByLabel(L['propose.text'], { exact: true }).fill(letter.text);
  if (letter.visibility) await page.getByLabel(letter.visibility, { exact: true }).check();
  await page.getByRole('button', { exact: true, name: L['propose.submit'] }).click();
  await page.waitForURL(/\/letters\/[0-9a-f]{64}$/, { timeout: 120_000 });
  await page.getByRole('heading', { name: L['letter.fingerprintTitle'] }).waitFor({ timeout: 60_000 });
  return new URL(page.url()).pathname.split('/').pop()!;
}

export async function openLetter(page: Page, server: Server, L: Catalog, id: string) {
  await page.goto(`${server.url}/letters/${id}`);
  await page.getByRole('heading', { name: L['letter.fingerprintTitle'] }).waitFor({ timeout: 60_000 });
}

export async function sign(page: Page, L: Catalog, how: 'anonymous' | 'named' | 'again') {
  if (how === 'named') {
    await page.getByRole('button', { exact: true, name: L['letter.signNamed'] }).click();
    await page.getByRole('button', { exact: true, name: L['letter.confirmNamed'] }).click();
    await page.getByText(L['letter.signedNamed']).waitFor({ timeout: 120_000 });
  } else {
    await page.getByRole('button', { exact: true, name: how === 'again' ? L['letter.signAgainAnonymous'] : L['letter.signAnonymous'] }).click();
    await page.getByText(L['letter.signedAnonymous']).waitFor({ timeout: 120_000 });
  }
}

export async function withdraw(page: Page, L: Catalog) {
  await page.getByRole('button', { exact: true, name: L['letter.withdraw'] }).click();
  await page.getByText(L['letter.withdrawn']).waitFor({ timeout: 120_000 });
}

export async function unlock(page: Page, server: Server, L: Catalog, passphrase: string, next = '/letters') {
  await page.goto(`${server.url}/unlock?next=${encodeURIComponent(next)}`);
  await page.getByLabel(L['enroll.pass'], { exact: true }).fill(passphrase);
  await page.getByRole('button', { exact: true, name: L['unlock.submit'] }).click();
  await page.waitForURL((u) => u.pathname === next, { timeout: 60_000 });
}

/** Export the closed letter's bundle from the organizer's letters screen. */
export async function exportBundle(page: Page, server: Server, L: Catalog, dir: string): Promise<string> {
  await page.goto(`${server.url}/organizer/letters`);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { exact: true, name: L['orgLetters.export'] }).click();
  const file = join(dir, 'bundle.json');
  await (await download).saveAs(file);
  return file;
}

export async function closeLetter(page: Page, server: Server, L: Catalog) {
  await page.goto(`${server.url}/organizer/letters`);
  await page.getByRole('button', { exact: true, name: L['orgLetters.close'] }).click();
  await page.getByRole('button', { exact: true, name: L['orgLetters.confirmClose'] }).click();
  await page.getByRole('button', { exact: true, name: L['orgLetters.export'] }).waitFor({ timeout: 60_000 });
}

/** Verify a file on the verify page, asserting that no request leaves the page once it is ready. */
export async function verifyFile(page: Page, server: Server, L: Catalog, file: string): Promise<{ valid: boolean; text: string; requests: string[] }> {
  await page.goto(`${server.url}/verify`);
  await page.getByText(L['verify.ready']).waitFor({ timeout: 60_000 });
  const requests: string[] = [];
  const onRequest = (r: { url(): string }) => requests.push(r.url());
  page.on('request', onRequest);
  page.context().on('request', onRequest);
  await page.getByLabel(L['verify.drop'], { exact: true }).setInputFiles(file);
  const verdict = page.getByTestId('verdict');
  await verdict.waitFor({ timeout: 120_000 });
  page.off('request', onRequest);
  page.context().off('request', onRequest);
  const heading = (await verdict.getByRole('heading').textContent())!;
  return { valid: heading === L['verify.valid'], text: (await verdict.textContent())!, requests };
}

/** A copy of a bundle with one change. */
export function tamper(file: string, dir: string, name: string, change: (b: Record<string, any>) => void): string {
  const bundle = JSON.parse(readFileSync(file, 'utf8'));
  change(bundle);
  const out = join(dir, `${name}.json`);
  writeFileSync(out, JSON.stringify(bundle));
  return out;
}

/**
 * A checkpoint the server's own key signed for a log that is not the real one: what a server
 * showing different logs to different people would hand out. Made here with the key from the
 * database, to give this browser the evidence of a fork.
 */
export async function forgedCheckpoint(server: Server, size: number): Promise<string> {
  const row = await server.instance.db.selectFrom('meta').select('value').where('key', '=', 'signing_key').executeTakeFirstOrThrow();
  const origin = server.instance.log.verifierKey().split('+')[0];
  return signNote(formatCheckpoint({ origin, size, rootHash: new Uint8Array(randomBytes(32)) }), { name: origin, secretKey: hexToBytes(row.value) });
}

/** One person's device with a fresh profile. */
export async function person(browser: Browser, name: string, lang: Lang, viewport: 'desktop' | 'phone' = 'desktop'): Promise<Person> {
  const tab = await newTab(browser, { locale: lang === 'fr' ? 'fr-CA' : 'en-CA', viewport });
  return { name, tab, passphrase: `${name.split(' ')[0].toLowerCase()} walks the long road home` };
}

export type Viewport = 'desktop' | 'phone';
const SIZES = { desktop: { width: 1280, height: 900 }, phone: { width: 360, height: 760 } };

/**
 * Every main screen, at desktop and phone width: axe-core and the width check on each, and a
 * screenshot named <lang>-<viewport>-<screen>.png.
 */
export async function tour(
  tabs: { member: Page; organizer: Page; visitor: Page },
  server: Server,
  L: Catalog,
  lang: Lang,
  letterId: string,
  bundle: string,
  screens: Map<string, string[]>,
) {
  const settle = async (page: Page, path: string, ready: () => Promise<unknown>) => {
    await page.goto(`${server.url}${path}`);
    await ready();
    await page.waitForLoadState('networkidle');
  };
  const h1 = (page: Page, text: string) => () => page.getByRole('heading', { level: 1, name: text }).waitFor({ timeout: 60_000 });
  for (const viewport of ['desktop', 'phone'] as const) {
    for (const page of Object.values(tabs)) await page.setViewportSize(SIZES[viewport]);
    const name = (screen: string) => `${lang}-${viewport}-${screen}`;
    const { member, organizer, visitor } = tabs;

    await settle(visitor, '/', () => visitor.getByRole('link', { exact: true, name: L['home.enroll'] }).waitFor());
    await checkScreen(visitor, name('home'), screens);
    await settle(member, '/', () => member.getByRole('heading', { name: L['home.memberTitle'] }).waitFor());
    await checkScreen(member, name('home-member'), screens);
    await settle(visitor, '/enroll', h1(visitor, L['enroll.title']));
    await checkScreen(visitor, name('enroll'), screens);
    await settle(visitor, '/restore', h1(visitor, L['restore.title']));
    await checkScreen(visitor, name('restore'), screens);
    await settle(member, '/unlock', h1(member, L['unlock.title']));
    await checkScreen(member, name('unlock'), screens);
    await settle(member, '/letters', () => member.getByTestId('count').first().waitFor());
    await checkScreen(member, name('letters'), screens);
    await settle(member, '/letters/new', h1(member, L['propose.title']));
    await checkScreen(member, name('propose'), screens);
    await settle(member, `/letters/${letterId}`, () => member.getByTestId('my-status').waitFor({ timeout: 60_000 }));
    await checkScreen(member, name('letter'), screens);
    await settle(member, '/log', () => member.getByTestId('log-status').waitFor());
    await checkScreen(member, name('log'), screens);
    await settle(organizer, '/organizer', () => organizer.locator('.roster .card').first().waitFor());
    await checkScreen(organizer, name('organizer-roster'), screens);
    await settle(organizer, '/organizer/codes', h1(organizer, L['codes.title']));
    await checkScreen(organizer, name('organizer-codes'), screens);
    await settle(organizer, '/organizer/letters', () => organizer.locator('.letters .card').first().waitFor());
    await checkScreen(organizer, name('organizer-letters'), screens);
    const checked = await verifyFile(visitor, server, L, bundle);
    expect(checked.valid).toBe(true);
    await checkScreen(visitor, name('verify-valid'), screens);
  }
}
