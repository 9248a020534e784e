/**
 * The whole journey in a real Chromium against a real server, in one language: organizer setup, three
 * members enroll on their own devices (separate browser profiles, one at phone width), one
 * proposes a letter, two sign (one by name), a third signs and withdraws, every device sees the
 * same count, the organizer closes and exports, and the verify page — with no request — says the
 * bundle is valid and a tampered one is not, with its reason. Then every main screen at desktop
 * and phone width (axe-core, screenshots), the language switch, and a log fork.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/core/bundle/bundle.ts';
import { nodeVerificationKeys } from '../../src/node/artifacts.ts';
import { readFileSync } from 'node:fs';
import {
  addMembers,
  catalogs,
  closeLetter,
  countText,
  enroll,
  exportBundle,
  forgedCheckpoint,
  openLetter,
  person,
  propose,
  readCodes,
  setUp,
  sign,
  tamper,
  tour,
  verifyFile,
  withdraw,
  type Lang,
  type Person,
} from './journey.ts';
import { axeViolations, checkScreen, haveChromium, launchBrowser, newTab, shot, startServer, tempDir, warnIfNoChromium, writeReport, type Server, type Tab } from './support.ts';
import type { Browser } from 'playwright-core';

const TEXTS = {
  en: {
    first: {
      title: 'Request for a leadership review',
      recipient: 'The caucus chair',
      text: 'We, the undersigned members of caucus, ask the chair to convene a leadership review under section 49.2 of the Parliament of Canada Act.',
    },
    second: { title: 'Secret ballot on the interim leader', recipient: 'The caucus chair', text: 'We ask that the interim leader be chosen by secret ballot.' },
  },
  fr: {
    first: {
      title: 'Demande de révision de la direction',
      recipient: 'La présidence du caucus',
      text: 'Nous, membres soussignés du caucus, demandons à la présidence de convoquer une révision de la direction en vertu de l’article 49.2 de la Loi sur le Parlement du Canada.',
    },
    second: { title: 'Scrutin secret pour la direction intérimaire', recipient: 'La présidence du caucus', text: 'Nous demandons que la direction intérimaire soit choisie par scrutin secret.' },
  },
};

export function journeySuite(lang: Lang): void {
  const label = lang === 'en' ? 'English' : 'French';
  warnIfNoChromium(`web journey (${label})`);
  const other = lang === 'en' ? 'fr' : 'en';
  describe.skipIf(!haveChromium)(`the web journey, in ${label}`, () => {
    const L = catalogs[lang];
    const screens = new Map<string, string[]>();
    let server: Server;
    let browser: Browser;
    let dir: string;
    let organizer: Tab;
    let visitor: Tab;
    let alice: Person;
    let bob: Person;
    let chloe: Person;
    let letterId: string;
    let bundle: string;

    beforeAll(async () => {
      server = await startServer();
      browser = await launchBrowser();
      dir = tempDir();
    });

    afterAll(async () => {
      writeReport(`axe-${lang}.json`, Object.fromEntries(screens));
      await browser?.close();
      await server?.close();
    });

    it('the organizer sets up the group and adds members, one by hand and three from a CSV file', async () => {
      organizer = await newTab(browser, { locale: lang === 'fr' ? 'fr-CA' : 'en-CA' });
      await setUp(organizer.page, server, L, lang === 'en' ? 'Caucus of the Example Party' : 'Caucus du Parti Exemple', screens, `${lang}-desktop`);
      await addMembers(organizer.page, L, 'Alice Tremblay', ['Bob Roy', 'Chloé Gagnon', 'Dan Smith'], dir);
      await expect.poll(() => organizer.page.locator('.roster .card').count()).toBe(4);
      const codes = await readCodes(organizer.page, L);
      expect([...codes.keys()]).toEqual(['Alice Tremblay', 'Bob Roy', 'Chloé Gagnon', 'Dan Smith']);
      await organizer.page.emulateMedia({ media: 'print' });
      await shot(organizer.page, `${lang}-print-codes`);
      await organizer.page.emulateMedia({ media: 'screen' });

      alice = await person(browser, 'Alice Tremblay', lang);
      bob = await person(browser, 'Bob Roy', lang, 'phone');
      chloe = await person(browser, 'Chloé Gagnon', lang);
      await enroll(alice, server, codes.get('Alice Tremblay')!, L, dir, { screens, prefix: `${lang}-desktop` });
      await enroll(bob, server, codes.get('Bob Roy')!, L, dir, { screens, prefix: `${lang}-phone` });
      await enroll(chloe, server, codes.get('Chloé Gagnon')!, L, dir);
      const { snapshot } = await server.instance.roster.current();
      expect(snapshot.members.filter((m) => m.commitment !== null).map((m) => m.name)).toEqual(['Alice Tremblay', 'Bob Roy', 'Chloé Gagnon']);
    });

    it('one proposes a letter; two sign, one of them by name; a third signs and withdraws', async () => {
      letterId = await propose(alice.tab.page, server, L, TEXTS[lang].first);
      await sign(alice.tab.page, L, 'anonymous');
      await openLetter(bob.tab.page, server, L, letterId);
      await sign(bob.tab.page, L, 'named');
      await openLetter(chloe.tab.page, server, L, letterId);
      await sign(chloe.tab.page, L, 'anonymous');
      await withdraw(chloe.tab.page, L);
    });

    it('every device shows the same count and named signer, and each member their own status', async () => {
      const expected = countText(L, 2, 4);
      for (const page of [alice.tab.page, bob.tab.page, chloe.tab.page, organizer.page]) {
        await openLetter(page, server, L, letterId);
        await expect.poll(() => page.getByTestId('count').textContent()).toBe(expected);
        expect(await page.getByTestId('named').textContent()).toContain('Bob Roy');
      }
      await expect.poll(() => alice.tab.page.getByTestId('my-status').textContent()).toBe(L['letter.statusAnonymous']);
      await expect.poll(() => bob.tab.page.getByTestId('my-status').textContent()).toBe(L['letter.statusNamed']);
      await expect.poll(() => chloe.tab.page.getByTestId('my-status').textContent()).toBe(L['letter.statusWithdrew']);
      // The receipt kept in the browser was re-checked against the log as it is now.
      await expect.poll(() => alice.tab.page.getByTestId('receipt').textContent()).toContain(L['letter.receiptChecked'].split('{')[0]);
      const status = await server.instance.letters.status(letterId);
      expect(status).toMatchObject({ count: 2, named: ['Bob Roy'] });
    });

    it('the organizer closes and exports; the verify page says valid without a single request', async () => {
      await closeLetter(organizer.page, server, L);
      bundle = await exportBundle(organizer.page, server, L, dir);
      const offline = await verifyBundle(JSON.parse(readFileSync(bundle, 'utf8')), { keys: nodeVerificationKeys });
      expect(offline).toMatchObject({ valid: true, count: 2, rosterSize: 4, named: ['Bob Roy'] });

      visitor = await newTab(browser, { locale: lang === 'fr' ? 'fr-CA' : 'en-CA' });
      const result = await verifyFile(visitor.page, server, L, bundle);
      expect(result.requests).toEqual([]);
      expect(result.valid).toBe(true);
      expect(result.text).toContain(countText(L, 2, 4));
      expect(result.text).toContain('Bob Roy');
    });

    it('a tampered bundle is not valid, and the page says why', async () => {
      const cases: [string, (b: Record<string, any>) => void, keyof typeof catalogs.en][] = [
        ['claimed-count', (b) => (b.result.count = 3), 'error.result_mismatch'],
        ['dropped-record', (b) => b.records.splice(0, 1), 'error.records_set_mismatch'],
        ['named-changed', (b) => (b.result.named = ['Dan Smith']), 'error.result_mismatch'],
        ['text-changed', (b) => (b.opened.entry.letter.text += ' And resign.'), 'error.not_in_log'],
      ];
      for (const [name, change, reason] of cases) {
        const result = await verifyFile(visitor.page, server, L, tamper(bundle, dir, name, change));
        expect(result.requests, name).toEqual([]);
        expect(result.valid, name).toBe(false);
        expect(result.text, name).toContain(L[reason]);
      }
      await checkScreen(visitor.page, `${lang}-desktop-verify-invalid`, screens);
      const garbage = tamper(bundle, dir, 'not-a-bundle', (b) => {
        for (const k of Object.keys(b)) delete b[k];
      });
      const result = await verifyFile(visitor.page, server, L, garbage);
      expect(result.valid).toBe(false);
      expect(result.text).toContain(L['error.bundle_malformed']);
    });

    it('a second letter whose count only members see: members see it through a membership session', async () => {
      const members = await propose(chloe.tab.page, server, L, { ...TEXTS[lang].second, visibility: L['visibility.members'] });
      await sign(chloe.tab.page, L, 'anonymous');
      await expect.poll(() => chloe.tab.page.getByTestId('count').textContent()).toBe(countText(L, 1, 4));
      await openLetter(visitor.page, server, L, members);
      expect(await visitor.page.getByTestId('count').textContent()).toBe(L['count.hiddenMembers']);
      await openLetter(alice.tab.page, server, L, members);
      await expect.poll(() => alice.tab.page.getByTestId('count').textContent()).toBe(countText(L, 1, 4));
      letterId = members;
    });

    it('every main screen passes axe-core and fits 360 px (screenshots in test-results/screenshots)', async () => {
      await tour({ member: alice.tab.page, organizer: organizer.page, visitor: visitor.page }, server, L, lang, letterId, bundle, screens);
      const failing = [...screens].filter(([, problems]) => problems.length > 0);
      expect(failing).toEqual([]);
    });

    it('the language can be switched on any page, and the choice is remembered', async () => {
      const page = visitor.page;
      const O = catalogs[other];
      await page.goto(`${server.url}/log`);
      await page.getByRole('heading', { level: 1, name: L['log.title'] }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      await page.getByRole('button', { exact: true, name: other === 'fr' ? 'Français' : 'English' }).click();
      await page.getByRole('heading', { level: 1, name: O['log.title'] }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe(other);
      await page.reload();
      await page.getByRole('heading', { level: 1, name: O['log.title'] }).waitFor();
      await page.getByRole('button', { exact: true, name: lang === 'fr' ? 'Français' : 'English' }).click();
      await page.getByRole('heading', { level: 1, name: L['log.title'] }).waitFor();
    });

    it('the log page checks consistency, and shows a red warning when the server signed two incompatible logs', async () => {
      const page = visitor.page;
      await page.goto(`${server.url}/log`);
      await page.getByTestId('log-status').waitFor({ timeout: 30_000 });
      const size = await server.instance.log.size();
      const forged = await forgedCheckpoint(server, size);
      await page.evaluate(
        ([note, key]) => localStorage.setItem('undersigned.checkpoint', JSON.stringify({ verifierKey: key, note })),
        [forged, server.instance.log.verifierKey()],
      );
      await page.reload();
      const warning = page.getByTestId('fork-warning');
      await warning.waitFor({ timeout: 30_000 });
      expect(await warning.textContent()).toContain(L['log.forkMeaning']);
      await checkScreen(page, `${lang}-desktop-log-fork`, screens);
      await page.setViewportSize({ width: 360, height: 760 });
      await checkScreen(page, `${lang}-phone-log-fork`, screens);
      await page.goto(`${server.url}/letters`);
      await page.getByText(L['banner.fork']).waitFor();
      expect(screens.get(`${lang}-desktop-log-fork`)).toEqual([]);
    });

    it('axe-core really runs in these pages: it reports a button without a name', async () => {
      await visitor.page.goto(`${server.url}/`);
      await visitor.page.getByRole('heading', { level: 1 }).waitFor();
      await visitor.page.evaluate(() => document.querySelector('main')!.appendChild(document.createElement('button')));
      expect((await axeViolations(visitor.page)).join('\n')).toMatch(/button-name/);
    });

    it('no page logged an error or met a Content-Security-Policy violation', () => {
      for (const tab of [organizer, visitor, alice.tab, bob.tab, chloe.tab]) expect(tab.problems).toEqual([]);
    });
  });
}
