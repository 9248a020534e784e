/**
 * A large roster on the organizer's page, in a real Chromium: 2,500 members are shown 50 at a time
 * (the page never asks for the whole snapshot), the pager walks them, and the search finds a member
 * by part of a name, ignoring case and accents, in English and in French.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogs, msg, setUp } from './journey.ts';
import { checkScreen, haveChromium, launchBrowser, newTab, startServer, warnIfNoChromium, writeReport, type Server, type Tab } from './support.ts';

warnIfNoChromium('web-roster-large');

const MEMBERS = 2500;

describe.skipIf(!haveChromium)('the organizer’s roster page with 2,500 members', () => {
  let server: Server;
  let browser: Browser;
  let tab: Tab;
  const screens = new Map<string, string[]>();
  const L = catalogs.en;
  const F = catalogs.fr;
  const wholeRosterRequests: string[] = [];

  beforeAll(async () => {
    server = await startServer('A large union local');
    browser = await launchBrowser();
    const names = Array.from({ length: MEMBERS }, (_, i) => `Member ${String(i + 1).padStart(4, '0')}`);
    names[1733] = 'Émilie Lévesque-Tremblay';
    await server.instance.enrollment.addMembers(names.map((name) => ({ name })));
  });

  afterAll(async () => {
    writeReport('axe-roster-large.json', Object.fromEntries(screens));
    await browser?.close();
    await server?.close();
  });

  it('shows 50 members, the counts of the whole roster, and pages through them', async () => {
    tab = await newTab(browser, { locale: 'en-CA' });
    tab.page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/api/roster' && !u.searchParams.has('limit')) wholeRosterRequests.push(r.url());
    });
    await setUp(tab.page, server, L, 'A large union local', screens, 'roster-large');
    const page = tab.page;
    await page.goto(`${server.url}/organizer`);
    await page.getByText(msg(L, 'organizer.rosterCounts', { n: MEMBERS, e: 0 })).waitFor();
    const range = (from: number, to: number) => msg(L, 'organizer.pageRange', { from, to, total: MEMBERS });
    await page.getByText(range(1, 50)).first().waitFor();
    expect(await page.locator('ul.roster > li').count()).toBe(50);
    await expect(page.locator('ul.roster > li').first().textContent()).resolves.toContain('Member 0001');
    await page.getByRole('button', { name: L['organizer.nextPage'] }).first().click();
    await page.getByText(range(51, 100)).first().waitFor();
    await expect(page.locator('ul.roster > li').first().textContent()).resolves.toContain('Member 0051');
    expect(await page.getByRole('button', { name: L['organizer.previousPage'] }).first().isEnabled()).toBe(true);
    await checkScreen(page, 'roster-large-page-2', screens);
  });

  it('finds a member by part of the name, whatever the case and accents, and shows everyone again', async () => {
    const page = tab.page;
    await page.getByLabel(L['organizer.search']).fill('levesque');
    await page.getByRole('button', { name: L['organizer.searchButton'] }).click();
    await page.getByText(msg(L, 'organizer.matches.one', { n: 1, q: 'levesque' })).waitFor();
    expect(await page.locator('ul.roster > li').count()).toBe(1);
    await expect(page.locator('ul.roster > li').first().textContent()).resolves.toContain('Émilie Lévesque-Tremblay');
    expect(await page.getByRole('button', { name: L['organizer.nextPage'] }).count()).toBe(0); // one page: no pager
    await page.getByLabel(L['organizer.search']).fill('nobody by that name');
    await page.getByRole('button', { name: L['organizer.searchButton'] }).click();
    await page.getByText(msg(L, 'organizer.noMatch', { q: 'nobody by that name' })).waitFor();
    await page.getByRole('button', { name: L['organizer.showAll'] }).click();
    await page.getByText(msg(L, 'organizer.pageRange', { from: 1, to: 50, total: MEMBERS })).first().waitFor();
    await checkScreen(page, 'roster-large-search', screens);
  });

  it('pages in French too, and never fetched the whole roster', async () => {
    const page = tab.page;
    await page.getByRole('button', { exact: true, name: 'Français' }).click();
    await page.getByText(msg(F, 'organizer.rosterCounts', { n: MEMBERS, e: 0 })).waitFor();
    await page.getByText(msg(F, 'organizer.pageRange', { from: 1, to: 50, total: MEMBERS })).first().waitFor();
    await page.getByRole('button', { name: F['organizer.nextPage'] }).first().click();
    await page.getByText(msg(F, 'organizer.pageRange', { from: 51, to: 100, total: MEMBERS })).first().waitFor();
    await checkScreen(page, 'roster-large-fr', screens);
    await page.getByRole('button', { exact: true, name: 'English' }).click();
    expect(wholeRosterRequests).toEqual([]);
    for (const [name, problems] of screens) expect(problems, name).toEqual([]);
    expect(tab.problems).toEqual([]);
  });
});
