/**
 * Issue 13 items 3 and 4 in a real Chromium against a real server run with two in-process
 * witnesses (quorum 2): a member proposes a letter taking sealed signatures in the browser (it
 * names the witness policy the browser pinned, so the server accepts it), signs it sealed (the
 * prover worker took the committee only from a checkpoint both witnesses cosigned, with inclusion
 * proofs), and the receipt says it is witnessed by 2 of 2. The log page shows the cosigned
 * checkpoint (which witness, when), the witnesses and the entries; a browser's first visit says
 * it is the first view it keeps. The organizer opens a secret ballot on the Ballots page (it
 * names the pinned witnesses too), and it takes a vote the same way, with a witnessed receipt.
 * Then the server lies (Playwright's page.route plays it): it serves the committee at the bare,
 * unwitnessed checkpoint (to a voter and to a sealed signer), or an invented committee in a tree
 * of its own signed with the log key; the browser refuses to encrypt or seal, with the refusal's
 * code, and nothing reaches /api/ballots/:id/votes or /api/letters/:id/records. It serves the
 * letter's own opening at the bare checkpoint: the browser will not sign it, even anonymously. (With the
 * worker's checkCommitteeOnLog replaced by the old check of unproven entries, the bare-checkpoint
 * test fails: the record is proven and sent.) A browser that pinned other witnesses shows the
 * change in red and proposes nothing. Real proofs; axe-core, overflow and a screenshot per screen
 * (test-results/screenshots/witnessed-*).
 */
import { join } from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join as joinCommittee, keygen, loadTrustee, runOnce } from '../../src/cli/trustee.ts';
import { bytesToHex, hexToBytes } from '../../src/core/encoding.ts';
import { formatCheckpoint, signNote } from '../../src/core/log/checkpoint.ts';
import { parseCosignerKey, withoutSignaturesOf } from '../../src/core/log/cosignature.ts';
import { entryLeafHash, type LogEntry } from '../../src/core/log/entry.ts';
import { MerkleTree } from '../../src/core/log/merkle.ts';
import { catalogs, enroll, msg, openLetter, person, type Person } from './journey.ts';
import { checkScreen, haveChromium, launchBrowser, startServer, tempDir, warnIfNoChromium, type Server } from './support.ts';

const { en, fr } = catalogs;
const LETTER = {
  title: 'Request for an open budget meeting',
  recipient: 'The treasurer',
  text: 'We, the undersigned, ask the treasurer to hold an open budget meeting before the vote.',
};

warnIfNoChromium('witnessed log (web)');

describe.skipIf(!haveChromium)('a witnessed instance, in a real browser', () => {
  const screens = new Map<string, string[]>();
  let server: Server;
  let browser: Browser;
  let dir: string;
  let alice: Person;
  let bob: Person;
  let letterId: string;
  let adminToken: string;

  async function screen(page: Page, name: string) {
    await page.evaluate(() => window.scrollTo(0, 0));
    await checkScreen(page, `witnessed-${name}`, screens);
    expect(screens.get(`witnessed-${name}`)).toEqual([]);
  }
  const policy = () => ({ quorum: 2, witnesses: server.witnesses.map((w) => w.verifierKey) });

  beforeAll(async () => {
    server = await startServer('Witnessed caucus', { witnesses: ['north', 'south'] });
    browser = await launchBrowser();
    dir = tempDir();
    const setup = await fetch(`${server.url}/api/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: server.setupToken, name: 'Witnessed caucus' }) });
    expect(setup.status).toBe(200);
    adminToken = ((await setup.json()) as { adminToken: string }).adminToken;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('two members enroll, and three trustees form the committee (with the trustee CLI’s functions)', async () => {
    const codes = await server.instance.enrollment.addMembers([{ name: 'Alice Tremblay' }, { name: 'Bob Roy' }]);
    alice = await person(browser, 'Alice Tremblay', 'en');
    bob = await person(browser, 'Bob Roy', 'fr', 'phone');
    await enroll(alice, server, codes[0].code, en, dir);
    await enroll(bob, server, codes[1].code, fr, dir);

    const invites = await server.instance.committee.create({ name: 'Trustees', k: 2, trustees: ['Tess Martin', 'Ulysse Bouchard', 'Victor Lee'] });
    const secrets: bigint[] = [];
    for (const [i, name] of ['tess', 'ulysse', 'victor'].entries()) {
      const file = join(dir, `${name}.json`);
      await keygen(file, `${name} keeps the key safe`);
      const secret = await loadTrustee(file, `${name} keeps the key safe`);
      await joinCommittee(server.url, invites[i].code, secret);
      secrets.push(secret);
    }
    for (const s of secrets) await runOnce(server.url, s);
    for (const s of secrets) await runOnce(server.url, s);
    expect(await server.instance.committee.letterRef()).not.toBeNull();
  }, 300_000);

  it('Alice proposes a letter taking sealed signatures: it names the witnesses her browser pinned, and the server accepts it', async () => {
    const a = alice.tab.page;
    await a.goto(`${server.url}/letters/new`);
    await a.getByLabel(en['propose.fieldTitle'], { exact: true }).fill(LETTER.title);
    await a.getByLabel(en['propose.recipient'], { exact: true }).fill(LETTER.recipient);
    await a.getByLabel(en['propose.text'], { exact: true }).fill(LETTER.text);
    await a.getByLabel(en['propose.sealed'], { exact: true }).check();
    await a.getByLabel(en['propose.sealedThreshold'], { exact: true }).fill('1');
    await a.getByRole('button', { exact: true, name: en['propose.submit'] }).click();
    await a.waitForURL(/\/letters\/[0-9a-f]{64}$/, { timeout: 120_000 });
    letterId = new URL(a.url()).pathname.split('/').pop()!;
    const { letter } = await server.instance.letters.status(letterId);
    expect(letter.witnesses).toEqual(policy());
    expect(letter.committee).toEqual(await server.instance.committee.letterRef());
    // The browser pinned the policy it was served, like the log key.
    expect(JSON.parse((await a.evaluate(() => localStorage.getItem('undersigned.witnessPolicy')))!)).toEqual(policy());
  }, 180_000);

  it('Alice signs sealed: the committee came from the witnessed log, and the receipt says witnessed by 2 of 2', async () => {
    const a = alice.tab.page;
    const asked: string[] = [];
    a.on('request', (r) => asked.push(new URL(r.url()).pathname));
    await openLetter(a, server, en, letterId);
    await a.getByRole('button', { exact: true, name: en['letter.signSealed'] }).click();
    await a.getByRole('button', { exact: true, name: en['letter.confirmSealed'] }).click();
    await a.getByText(msg(en, 'letter.signedSealed', { t: 1 })).waitFor({ timeout: 120_000 });
    // The committee with its proofs was fetched before the sealed record was sent.
    const proofs = asked.indexOf('/api/committee/proofs');
    expect(proofs).toBeGreaterThanOrEqual(0);
    expect(proofs).toBeLessThan(asked.indexOf(`/api/letters/${letterId}/records`));
    const witnessed = a.getByTestId('receipt-witnessed');
    await expect.poll(() => witnessed.getAttribute('data-state'), { timeout: 30_000 }).toBe('witnessed');
    const [before, after] = msg(en, 'witnessed.yes', { k: 2, n: 2, names: 'north.e2e.invalid/witness, south.e2e.invalid/witness', size: '#' }).split('#');
    expect(await witnessed.textContent()).toContain(before);
    expect(await witnessed.textContent()).toContain(after);
    expect(await server.instance.letters.status(letterId)).toMatchObject({ count: 1 });
    await screen(a, 'en-desktop-letter-receipt');
  }, 180_000);

  it('the log page: the checkpoint the witnesses cosigned (who, when), the witnesses, the entries newest first', async () => {
    const a = alice.tab.page;
    await a.goto(`${server.url}/log`);
    const cosigs = a.getByTestId('cosignature');
    await expect.poll(() => cosigs.count(), { timeout: 30_000 }).toBe(2);
    for (const i of [0, 1]) {
      expect(await cosigs.nth(i).getAttribute('data-cosigned')).toBe('true');
      expect(await cosigs.nth(i).textContent()).toContain(server.witnesses[i].verifierKey.split('+')[0]);
    }
    const listed = a.getByTestId('witness');
    expect(await listed.count()).toBe(2);
    for (const [i, w] of server.witnesses.entries()) expect(await listed.nth(i).textContent()).toContain(w.verifierKey);
    expect(await a.getByTestId('witness-alarm').count()).toBe(0);
    const entries = a.getByTestId('log-entry');
    await expect.poll(() => entries.count()).toBeGreaterThan(10);
    const size = await server.instance.log.size();
    // Newest first: the first row is the last entry.
    expect(await entries.first().textContent()).toContain(String(size - 1));
    const texts = (await a.getByTestId('log-entries').textContent())!;
    expect(texts).toContain(msg(en, 'logEntry.letterOpened', { title: LETTER.title, recipient: LETTER.recipient, id: `${letterId.slice(0, 12)}…` }));
    expect(texts).toContain('witness-policy');
    await screen(a, 'en-desktop-log');
  }, 120_000);

  it('a browser’s first visit to the log page says it is the first view it keeps (in French, at 360 px)', async () => {
    const visitor = await person(browser, 'Visitor', 'fr', 'phone');
    const v = visitor.tab.page;
    await v.goto(`${server.url}/log`);
    await v.getByTestId('log-status').waitFor({ timeout: 30_000 });
    expect(await v.getByTestId('log-status').textContent()).toBe(fr['log.first']);
    await expect.poll(() => v.getByTestId('cosignature').count(), { timeout: 30_000 }).toBe(2);
    await screen(v, 'fr-phone-log');
    // A second look later in another page load: no change since.
    await v.reload();
    await v.getByTestId('log-status').waitFor({ timeout: 30_000 });
    expect(await v.getByTestId('log-status').textContent()).toBe(fr['log.same']);
    expect(visitor.tab.problems).toEqual([]);
  }, 120_000);

  let ballotId: string;
  it('the organizer opens a secret ballot on the Ballots page: it names the witnesses the organizer’s browser pinned, and the server accepts it', async () => {
    const organizer = await person(browser, 'Organizer', 'en');
    const o = organizer.tab.page;
    await o.goto(`${server.url}/`);
    await o.evaluate((token) => localStorage.setItem('undersigned.admin', JSON.stringify(token)), adminToken);
    await o.goto(`${server.url}/ballots`);
    await o.getByLabel(en['open.procedure'], { exact: true }).selectOption('ca-interim-leader', { timeout: 30_000 });
    await o.getByLabel(en['open.candidates'], { exact: true }).fill('Alice Tremblay\nBob Roy');
    await o.getByRole('button', { exact: true, name: en['open.submit'] }).click();
    await o.waitForURL(/\/ballots\/[0-9a-f]{64}\?opened=1$/, { timeout: 60_000 });
    ballotId = new URL(o.url()).pathname.split('/').pop()!;
    const { ballot } = await server.instance.ballots.get(ballotId);
    expect(ballot.witnesses).toEqual(policy());
    expect(ballot.committee).toEqual(await server.instance.committee.letterRef());
    expect(organizer.tab.problems).toEqual([]);
    await organizer.tab.context.close();
  }, 120_000);

  it('a secret ballot naming the witnesses: Alice votes in the browser (the committee from the witnessed log), her receipt is witnessed', async () => {
    const a = alice.tab.page;
    const asked: string[] = [];
    a.on('request', (r) => asked.push(new URL(r.url()).pathname));
    await a.goto(`${server.url}/ballots/${ballotId}`);
    await a.getByRole('radio', { name: 'Bob Roy', exact: true }).check({ timeout: 60_000 });
    await a.getByRole('button', { exact: true, name: en['ballot.vote'] }).click();
    await a.getByTestId('vote-done').waitFor({ timeout: 120_000 });
    expect(asked.indexOf('/api/committee/proofs')).toBeGreaterThanOrEqual(0);
    expect(asked.indexOf('/api/committee/proofs')).toBeLessThan(asked.indexOf(`/api/ballots/${ballotId}/votes`));
    await expect.poll(() => a.getByTestId('receipt-witnessed').getAttribute('data-state'), { timeout: 30_000 }).toBe('witnessed');
    await screen(a, 'en-desktop-ballot-receipt');
  }, 180_000);

  it('the same ballot, with the committee served at the bare checkpoint: Bob’s vote is not encrypted (not_witnessed), nothing is sent', async () => {
    const b = bob.tab.page;
    let votes = 0;
    await b.route('**/api/committee/proofs', async (route: Route) => {
      const real = await (await fetch(`${server.url}/api/committee/proofs`)).json();
      await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ ...real, checkpoint: withoutSignaturesOf(real.checkpoint, witnessKeys()) }) });
    });
    await b.route('**/api/ballots/*/votes', async (route: Route) => {
      votes++;
      await route.abort();
    });
    await b.goto(`${server.url}/ballots/${ballotId}`);
    await b.getByRole('radio', { name: 'Alice Tremblay', exact: true }).check({ timeout: 60_000 });
    await b.getByRole('button', { exact: true, name: fr['ballot.vote'] }).click();
    const error = b.locator('.notice.error[role=alert]');
    await error.first().waitFor({ timeout: 120_000 });
    expect(await error.first().textContent()).toContain(fr['error.not_witnessed']);
    expect(votes).toBe(0);
    await b.unrouteAll();
  }, 180_000);

  const witnessKeys = () =>
    server.witnesses.map((w) => {
      const k = parseCosignerKey(w.verifierKey);
      if (!k.ok) throw new Error(k.reason);
      return k;
    });

  /** Serve /api/committee/proofs as a lying server would, and count what reaches the records route. */
  async function lie(page: Page, rewrite: (view: { checkpoint: string; entries: { index: number; entry: unknown; proof: string[] }[] }) => unknown): Promise<{ records: number }> {
    const seen = { records: 0 };
    await page.route('**/api/committee/proofs', async (route: Route) => {
      const real = await (await fetch(`${server.url}/api/committee/proofs`)).json();
      await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(rewrite(real)) });
    });
    await page.route('**/api/letters/*/records', async (route: Route) => {
      seen.records++;
      await route.abort();
    });
    return seen;
  }

  async function trySealed(page: Page, L: typeof en): Promise<string> {
    await openLetter(page, server, L, letterId);
    await page.getByRole('button', { exact: true, name: L['letter.signSealed'] }).click();
    await page.getByRole('button', { exact: true, name: L['letter.confirmSealed'] }).click();
    // A refusal, or (if the check let it through) the record kept for retry after the aborted send.
    const outcome = page.locator('.notice.error[role=alert]').or(page.getByText(L['letter.keptForRetry']));
    await outcome.first().waitFor({ timeout: 120_000 });
    return (await outcome.first().textContent())!;
  }

  it('a server that serves the committee at the bare, unwitnessed checkpoint: Bob’s browser refuses to seal (sealed_not_witnessed), nothing is sent', async () => {
    const b = bob.tab.page;
    const seen = await lie(b, (view) => ({ ...view, checkpoint: withoutSignaturesOf(view.checkpoint, witnessKeys()) }));
    const text = await trySealed(b, fr);
    expect(text).toContain(fr['error.sealed_not_witnessed']);
    expect(text).toContain('sealed_not_witnessed');
    expect(seen.records).toBe(0);
    expect(await b.evaluate(() => localStorage.getItem('undersigned.outbox'))).toBeNull();
    expect((await server.instance.letters.status(letterId)).count).toBe(1);
    await screen(b, 'fr-phone-refused-unwitnessed');
    await b.unrouteAll();
  }, 180_000);

  it('a server that shows the letter itself at the bare, unwitnessed checkpoint: Bob’s browser will not sign it even anonymously (letter_not_witnessed), nothing is sent', async () => {
    const b = bob.tab.page;
    const seen = { records: 0, opened: 0 };
    await b.route('**/api/letters/*/opened', async (route: Route) => {
      seen.opened++;
      const real = await (await fetch(`${server.url}${new URL(route.request().url()).pathname}`)).json();
      await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ ...real, checkpoint: withoutSignaturesOf(real.checkpoint, witnessKeys()) }) });
    });
    await b.route('**/api/letters/*/records', async (route: Route) => {
      seen.records++;
      await route.abort();
    });
    await openLetter(b, server, fr, letterId);
    await b.getByRole('button', { exact: true, name: fr['letter.signAnonymous'] }).click();
    const outcome = b.locator('.notice.error[role=alert]').or(b.getByText(fr['letter.keptForRetry']));
    await outcome.first().waitFor({ timeout: 120_000 });
    const text = (await outcome.first().textContent())!;
    expect(text).toContain(fr['error.letter_not_witnessed']);
    expect(seen).toEqual({ records: 0, opened: 1 });
    expect(await b.evaluate(() => localStorage.getItem('undersigned.outbox'))).toBeNull();
    expect((await server.instance.letters.status(letterId)).count).toBe(1);
    await screen(b, 'fr-phone-refused-letter-unwitnessed');
    await b.unrouteAll();
  }, 180_000);

  it('a server that shows an invented committee from a tree of its own, signed with the log key and the witnesses’ lines copied: refused, nothing is sent', async () => {
    const b = bob.tab.page;
    const row = await server.instance.db.selectFrom('meta').select('value').where('key', '=', 'signing_key').executeTakeFirstOrThrow();
    const origin = server.instance.log.verifierKey().split('+')[0];
    const seen = await lie(b, (view) => {
      // The real committee entries, with the ready entry's key replaced by the operator's own,
      // in a tree holding only them: a checkpoint of the same size as the real one.
      const entries = view.entries.map((e) => {
        const entry = structuredClone(e.entry) as LogEntry;
        if (entry.kind === 'committee-ready') entry.publicKey = bytesToHex(hexToBytes(entry.publicKey).map((x, i) => (i === 5 ? x ^ 1 : x)));
        return entry;
      });
      const tree = new MerkleTree();
      for (const e of entries) tree.append(entryLeafHash(e));
      const size = tree.size;
      const note = signNote(formatCheckpoint({ origin, size, rootHash: tree.root() }), { name: origin, secretKey: hexToBytes(row.value) });
      const lines = view.checkpoint.slice(view.checkpoint.indexOf('\n\n') + 2).split('\n').filter((l) => !l.startsWith(`— ${origin} `) && l.length > 0);
      return { checkpoint: note + lines.map((l) => `${l}\n`).join(''), entries: entries.map((entry, i) => ({ index: i, entry, proof: tree.inclusionProof(i, size).map(bytesToHex) })) };
    });
    const text = await trySealed(b, fr);
    // Its tree does not extend the log Bob's browser saw: caught in the page, before the worker.
    expect(text).toContain(fr['error.log_fork']);
    expect(seen.records).toBe(0);
    expect(await b.evaluate(() => localStorage.getItem('undersigned.outbox'))).toBeNull();
    expect((await server.instance.letters.status(letterId)).count).toBe(1);
    await b.unrouteAll();
    // Bob reports it; then he clears the warning on the log page: both heads are forgotten, and the
    // next look at the log is a first view again.
    await b.goto(`${server.url}/log`);
    const danger = b.getByTestId('fork-warning');
    await danger.waitFor({ timeout: 30_000 });
    expect(await danger.getByRole('heading', { level: 2 }).textContent()).toBe(fr['log.forkTitle']);
    await danger.getByRole('button', { exact: true, name: fr['log.clear'] }).click();
    await danger.getByRole('button', { exact: true, name: fr['log.clearConfirm'] }).click();
    await danger.waitFor({ state: 'detached', timeout: 30_000 });
    expect(await b.evaluate(() => localStorage.getItem('undersigned.fork'))).toBeNull();
  }, 180_000);

  it('a browser that pinned other witnesses shows the change in red, will not propose a letter naming the new ones, and takes them only once the member accepts them', async () => {
    const a = alice.tab.page;
    // As if the server had swapped its witnesses since Alice's browser pinned them (one dropped, quorum 1).
    await a.evaluate((p) => localStorage.setItem('undersigned.witnessPolicy', JSON.stringify(p)), { quorum: 1, witnesses: [server.witnesses[0].verifierKey] });
    await a.goto(`${server.url}/letters`);
    await a.locator('.banner.danger').waitFor({ timeout: 30_000 });
    await a.goto(`${server.url}/log`);
    const danger = a.getByTestId('fork-warning');
    await danger.waitFor({ timeout: 30_000 });
    expect(await danger.getByRole('heading', { level: 2 }).textContent()).toBe(en['log.policyTitle']);
    expect(await danger.textContent()).toContain(en['log.policyMeaning']);
    await screen(a, 'en-desktop-log-policy-changed');
    const before = await server.instance.log.size();
    await a.goto(`${server.url}/letters/new`);
    await a.getByLabel(en['propose.fieldTitle'], { exact: true }).fill('Another letter');
    await a.getByLabel(en['propose.recipient'], { exact: true }).fill('The treasurer');
    await a.getByLabel(en['propose.text'], { exact: true }).fill('Some words.');
    await a.getByRole('button', { exact: true, name: en['propose.submit'] }).click();
    await a.getByText(en['error.witness_policy_changed']).waitFor({ timeout: 60_000 });
    expect(await server.instance.log.size()).toBe(before);
    // Alice asks the organizer, who confirms the keys by another channel: she accepts them on the log page.
    await a.goto(`${server.url}/log`);
    await danger.waitFor({ timeout: 30_000 });
    expect(await danger.textContent()).toContain(en['log.policyDo2']);
    expect(await danger.textContent()).not.toContain(en['log.do3']);
    await danger.getByRole('button', { exact: true, name: en['log.policyAccept'] }).click();
    await danger.getByRole('button', { exact: true, name: en['log.policyAcceptConfirm'] }).click();
    await danger.waitFor({ state: 'detached', timeout: 30_000 });
    expect(JSON.parse((await a.evaluate(() => localStorage.getItem('undersigned.witnessPolicy')))!)).toEqual(policy());
  }, 120_000);

  it('no page logged an error or met a Content-Security-Policy violation', () => {
    expect(alice.tab.problems).toEqual([]);
    const aborted = (p: string) => p.includes('Failed to load resource') || p.includes('ERR_FAILED');
    expect(bob.tab.problems.filter((p) => !aborted(p))).toEqual([]);
  });
});
