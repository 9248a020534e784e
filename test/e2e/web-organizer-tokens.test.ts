/**
 * The organizer's tokens in a real Chromium (issue #14): the token typed on a new device is
 * checked with GET /api/admin/whoami (no deliberate 400 in the console any more), the roster page
 * lists the organizer tokens and revokes one — another device's, then its own, which signs the page
 * out. axe-core and a screenshot of the tokens section (test-results/screenshots). Then the other
 * side of the group-size rule: in a group below the instance's minimum, the letters page says
 * why the count of a live letter is hidden.
 */
import { randomBytes } from 'node:crypto';
import { identityFromPrivateKey } from '../../src/core/identity/identity.ts';
import type { World } from '../support/world.ts';
import { openLetter } from '../support/world.ts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogs, msg, setUp } from './journey.ts';
import { checkScreen, haveChromium, launchBrowser, newTab, startServer, warnIfNoChromium, writeReport, type Server } from './support.ts';

warnIfNoChromium('web-organizer-tokens');

describe.skipIf(!haveChromium)('organizer tokens on the organizer page', () => {
  let server: Server;
  let browser: Browser;
  const screens = new Map<string, string[]>();
  const L = catalogs.en;
  const adminStatus = async (token: string) => (await fetch(`${server.url}/api/admin/whoami`, { headers: { authorization: `Bearer ${token}` } })).status;

  beforeAll(async () => {
    server = await startServer('Token caucus');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    writeReport('axe-organizer-tokens.json', Object.fromEntries(screens));
    await browser?.close();
    await server?.close();
  });

  it('a token typed on a new device is checked by whoami: a wrong one is refused, a good one opens the page, with no console error', async () => {
    // Token 1, made through the setup page on the organizer's first device.
    const first = await newTab(browser);
    await setUp(first.page, server, L, 'Token caucus', screens, 'tokens');
    // Token 2, from a second setup link, typed on a second device.
    const second = (await (
      await fetch(`${server.url}/api/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: await server.instance.admin.newSetupToken() }) })
    ).json()) as { adminToken: string };
    const tab = await newTab(browser);
    const adminCalls: string[] = [];
    tab.page.on('response', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/admin/')) adminCalls.push(`${r.request().method()} ${u.pathname} ${r.status()}`);
    });
    await tab.page.goto(`${server.url}/organizer`);
    await tab.page.getByLabel(L['organizer.token'], { exact: true }).fill('not-a-token');
    await tab.page.getByRole('button', { exact: true, name: L['organizer.useToken'] }).click();
    await tab.page.getByText(L['error.unauthorized']).waitFor();
    const problemsBefore = tab.problems.length; // the browser reports the refused 401 itself
    await tab.page.getByLabel(L['organizer.token'], { exact: true }).fill(second.adminToken);
    await tab.page.getByRole('button', { exact: true, name: L['organizer.useToken'] }).click();
    await tab.page.getByRole('heading', { level: 1, name: L['organizer.title'] }).waitFor();
    await tab.page.getByTestId('organizer-tokens').locator('li').nth(1).waitFor();
    expect(tab.problems.slice(problemsBefore)).toEqual([]);
    expect(adminCalls.filter((c) => c.startsWith('POST /api/admin/members/0/code'))).toEqual([]);
    expect(adminCalls.slice(0, 2)).toEqual(['GET /api/admin/whoami 401', 'GET /api/admin/whoami 200']);
    expect(adminCalls.every((c) => !/ 400$/.test(c)), adminCalls.join('\n')).toBe(true);

    // The list: token 1 (the first device's) and token 2, marked as this device's.
    const items = tab.page.getByTestId('organizer-tokens').locator('li');
    expect(await items.count()).toBe(2);
    await expect(items.nth(0).textContent()).resolves.toContain(msg(L, 'tokens.name', { id: 1 }));
    await expect(items.nth(1).textContent()).resolves.toContain(L['tokens.current']);
    await tab.page.getByRole('heading', { level: 2, name: L['tokens.title'] }).scrollIntoViewIfNeeded();
    await checkScreen(tab.page, 'organizer-tokens', screens);
    expect(screens.get('organizer-tokens')).toEqual([]);

    // Revoke token 1: the first device's token stops working at once.
    const firstToken = (await first.page.evaluate(() => Object.entries(localStorage).find(([k]) => /admin/i.test(k))?.[1] ?? null)) as string | null;
    expect(firstToken).not.toBeNull();
    expect(await adminStatus(JSON.parse(firstToken!) as string)).toBe(200);
    await tab.page.getByRole('button', { name: msg(L, 'tokens.revokeLabel', { id: 1 }) }).click();
    await tab.page.getByRole('button', { name: msg(L, 'tokens.confirmRevoke', { id: 1 }) }).click();
    await expect.poll(() => items.count()).toBe(1);
    expect(await adminStatus(JSON.parse(firstToken!) as string)).toBe(401);

    // Revoke its own token: the page asks for a token again.
    await tab.page.getByRole('button', { name: msg(L, 'tokens.revokeLabel', { id: 2 }) }).click();
    await tab.page.getByRole('button', { name: msg(L, 'tokens.confirmRevokeOwn', { id: 2 }) }).click();
    await tab.page.getByLabel(L['organizer.token'], { exact: true }).waitFor();
    expect(await adminStatus(second.adminToken)).toBe(401);
    expect(await server.instance.admin.listTokens()).toEqual([]);
  }, 120_000);

  it('below the minimum group size, a live letter says its count waits for the close', async () => {
    await server.instance.admin.configure({ minGroupSize: 5 });
    const added = await server.instance.enrollment.addMembers(['Ann', 'Ben', 'Cy'].map((name) => ({ name })));
    const identities = [];
    for (const m of added) {
      const id = identityFromPrivateKey(new Uint8Array(randomBytes(32)));
      await server.instance.enrollment.enroll(m.code, id.commitment.toString());
      identities.push(id);
    }
    const letter = await openLetter({ instance: server.instance, identities } as unknown as World, { deadline: new Date(Date.now() + 7 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z') });
    await letter.sign(1, { action: 'support', display: 'anonymous', seq: 1 });
    const tab = await newTab(browser);
    await tab.page.goto(`${server.url}/letters`);
    await tab.page.getByText(L['count.hiddenSmallGroup']).waitFor();
    await checkScreen(tab.page, 'letters-small-group', screens);
    expect(screens.get('letters-small-group')).toEqual([]);
    expect(tab.problems).toEqual([]);
  }, 120_000);
});
