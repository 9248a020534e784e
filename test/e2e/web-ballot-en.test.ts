/**
 * Ballots that need no notice, in English, in a real Chromium: the organizer opens an interim
 * leader election (candidates typed in the form) and a recorded adoption vote from the Ballots
 * page; a member votes in both; after the close and the trustees' tally, the election page names
 * the winner and the recorded vote lists each member's name and choice — both as this browser
 * verified them. Bad input in the form (one candidate, a past deadline) is refused with nothing opened.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ballot, ballotId as computeBallotId } from '../../src/core/ballot/ballot.ts';
import { bytesToHex, canonicalJson } from '../../src/core/encoding.ts';
import { proveVote } from '../../src/core/ballot/prove-vote.ts';
import { identityFromPrivateKey, type Identity } from '../../src/core/identity/identity.ts';
import { rosterRef } from '../../src/core/roster/roster.ts';
import { Point } from '../../src/core/trustee/group.ts';
import { enrollMembers, formCommittee, random, trusteesStep } from '../../src/cli/demo-world.ts';
import { nodeArtifacts, releaseSnarkjs } from '../../src/node/artifacts.ts';
import { addMembers, catalogs, enroll, msg, person, readCodes, setUp, type Person } from './journey.ts';
import { checkScreen, haveChromium, launchBrowser, newTab, startServer, tempDir, warnIfNoChromium, writeReport, type Server, type Tab } from './support.ts';

const L = catalogs.en;

warnIfNoChromium('election and recorded vote journey (English)');

describe.skipIf(!haveChromium)('an election and a recorded vote, opened from the Ballots page, in English', () => {
  const screens = new Map<string, string[]>();
  let server: Server;
  let browser: Browser;
  let dir: string;
  let organizer: Tab;
  let alice: Person;
  const others: Identity[] = [];
  const secrets: bigint[] = [];
  const ids: Record<'election' | 'adoption', string> = { election: '', adoption: '' };

  beforeAll(async () => {
    server = await startServer('Caucus of the Example Party');
    browser = await launchBrowser();
    dir = tempDir();
  });

  afterAll(async () => {
    writeReport('axe-ballot-en.json', Object.fromEntries(screens));
    await browser?.close();
    await server?.close();
    await releaseSnarkjs();
  });

  it('sets up four members (one in the browser) and a 2-of-3 trustee committee', async () => {
    organizer = await newTab(browser, { locale: 'en-CA' });
    await setUp(organizer.page, server, L, 'Caucus of the Example Party', screens, 'en-ballot');
    // Before any committee, the Ballots page says what a secret ballot needs instead of a form.
    await organizer.page.goto(`${server.url}/ballots`);
    await organizer.page.getByText(L['open.noCommittee']).waitFor();
    expect(await organizer.page.getByRole('button', { name: L['open.submit'] }).count()).toBe(0);
    await organizer.page.goto(`${server.url}/organizer`);
    await addMembers(organizer.page, L, 'Alice Tremblay', ['Bob Roy'], dir);
    const codes = await readCodes(organizer.page, L);
    alice = await person(browser, 'Alice Tremblay', 'en');
    await enroll(alice, server, codes.get('Alice Tremblay')!, L, dir);
    const bob = identityFromPrivateKey(random(32));
    await server.instance.enrollment.enroll(codes.get('Bob Roy')!, bob.commitment.toString());
    others.push(bob, ...(await enrollMembers(server.instance, ['Chloé Gagnon', 'Dan Smith'])));
    secrets.push(...(await formCommittee(server.instance, 'Trustees', 2, ['T1', 'T2', 'T3'])).secrets);
    expect(await server.instance.committee.letterRef()).not.toBeNull();
  });

  it('refuses an election with one candidate and a deadline in the past, opening nothing', async () => {
    const page = organizer.page;
    await page.goto(`${server.url}/ballots`);
    await page.getByLabel(L['open.procedure'], { exact: true }).selectOption('ca-interim-leader');
    await page.getByLabel(L['open.candidates'], { exact: true }).fill('Alice Tremblay\n  \nAlice Tremblay');
    await page.getByRole('button', { exact: true, name: L['open.submit'] }).click();
    await page.getByText(L['open.needTwo']).waitFor();
    await page.getByLabel(L['open.candidates'], { exact: true }).fill('Alice Tremblay\nBob Roy');
    await page.getByLabel(L['open.deadline'], { exact: true }).fill('2020-01-01T10:00');
    await page.getByRole('button', { exact: true, name: L['open.submit'] }).click();
    await page.getByText(L['propose.deadlinePast']).waitFor();
    expect(await server.instance.ballots.list()).toEqual([]);
  });

  it('opens an interim leader election and a recorded adoption vote from the Ballots page', async () => {
    const page = organizer.page;
    const open = async (procedure: string, candidates?: string) => {
      await page.goto(`${server.url}/ballots`);
      await page.getByLabel(L['open.procedure'], { exact: true }).selectOption(procedure);
      if (candidates) await page.getByLabel(L['open.candidates'], { exact: true }).fill(candidates);
      if (procedure === 'ca-interim-leader') await checkScreen(page, 'en-ballots-open', screens);
      await page.getByRole('button', { exact: true, name: L['open.submit'] }).click();
      await page.waitForURL(/\/ballots\/[0-9a-f]{64}\?opened=1$/, { timeout: 60_000 });
      return new URL(page.url()).pathname.split('/').pop()!;
    };
    ids.election = await open('ca-interim-leader', 'Alice Tremblay\nBob Roy\nChloé Gagnon');
    ids.adoption = await open('ca-adoption-vote');
    expect((await server.instance.ballots.get(ids.election)).ballot.options).toEqual(['Alice Tremblay', 'Bob Roy', 'Chloé Gagnon']);
    expect((await server.instance.ballots.get(ids.adoption)).ballot.procedure).toBe('ca-adoption-vote');
  });

  it('a member votes in both; the recorded vote warns that the name and choice will be public', async () => {
    const page = alice.tab.page;
    await page.goto(`${server.url}/ballots/${ids.election}`);
    await page.getByRole('radio', { name: 'Bob Roy', exact: true }).check({ timeout: 60_000 });
    await page.getByRole('button', { exact: true, name: L['ballot.vote'] }).click();
    await page.getByTestId('vote-done').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('vote-done').textContent()).toBe(L['ballot.voted']);

    await page.goto(`${server.url}/ballots/${ids.adoption}`);
    await page.getByText(L['ballot.recorded']).waitFor({ timeout: 60_000 });
    await page.getByRole('radio', { name: L['result.option.yes'], exact: true }).check();
    await checkScreen(page, 'en-ballot-recorded', screens);
    await page.getByRole('button', { exact: true, name: L['ballot.vote'] }).click();
    await page.getByTestId('vote-done').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('vote-done').textContent()).toBe(L['ballot.votedRecorded']);

    // The others vote on the server side: Bob and Chloé for Bob, Dan for Chloé; Bob votes no on the adoption.
    const { snapshot } = await server.instance.roster.current();
    const computed = rosterRef(snapshot);
    if (!computed.ok) throw new Error(computed.reason);
    for (const [which, plan] of [
      ['election', [[0, 1], [1, 1], [2, 2]]],
      ['adoption', [[0, 1]]],
    ] as const) {
      const ballotId = ids[which];
      const { ballot } = await server.instance.ballots.get(ballotId);
      for (const [who, choice] of plan) {
        await server.instance.ballots.vote(ballotId, await proveVote({ identity: others[who], group: computed.group, ballot: ballot as Ballot, ballotId, artifacts: nodeArtifacts }, choice, 1, random));
      }
    }
  });

  it('after the close and the tally, the pages show the winner and the recorded votes by name', async () => {
    for (const id of [ids.election, ids.adoption]) await server.instance.ballots.close(id);
    await trusteesStep(server.instance, secrets.slice(0, 2));

    const page = alice.tab.page;
    await page.goto(`${server.url}/ballots/${ids.election}`);
    await page.getByTestId('decision').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('decision').textContent()).toBe(`${L['result.decision']} ${msg(L, 'result.elected', { name: 'Bob Roy' })}`);
    expect(await page.getByTestId('tally').textContent()).toBe('Alice Tremblay0Bob Roy3Chloé Gagnon1');
    await checkScreen(page, 'en-ballot-election-result', screens);

    await page.goto(`${server.url}/ballots/${ids.adoption}`);
    await page.getByTestId('decision').waitFor({ timeout: 120_000 });
    // 1 yes, 1 no of the votes cast: not a majority of votes cast.
    expect(await page.getByTestId('decision').textContent()).toBe(`${L['result.decision']} ${L['result.outcome.not-adopted']}`);
    const result = (await page.getByTestId('result').textContent())!;
    expect(result).toContain(`Alice Tremblay — ${L['result.option.yes']}`);
    expect(result).toContain(`Bob Roy — ${L['result.option.no']}`);
    await checkScreen(page, 'en-ballot-recorded-result', screens);

    await page.goto(`${server.url}/ballots`);
    await expect.poll(() => page.getByTestId('ballot-status').allTextContents()).toEqual([L['status.closed'], L['status.closed']]);
  });

  it('a server naming a key of its own choosing for a ballot gets no vote: not on the log (ballot_not_on_log), or logged with a key the trustees never made (committee_mismatch)', async () => {
    // A malicious server makes up a ballot (its id is the honest hash of the ballot it serves) that
    // names a committee key the trustees never generated: one whose secret the server holds.
    const { ballot: honest, row } = await server.instance.ballots.get(ids.election);
    const forged: Ballot = {
      ...(honest as Ballot),
      question: 'Who should be interim leader? (forged key)',
      deadline: new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      committee: { ...(honest as Ballot).committee, publicKey: bytesToHex(Point.BASE.multiply(12345n).toBytes()) },
    };
    const forgedId = computeBallotId(forged);
    await server.instance.db
      .insertInto('ballots')
      .values({ id: forgedId, body: canonicalJson(forged), opened_idx: row.opened_idx, closed_idx: null, deadline: forged.deadline })
      .execute();
    const page = alice.tab.page;
    const tryVote = async (error: string) => {
      await page.goto(`${server.url}/ballots/${forgedId}`);
      await page.getByRole('radio', { name: 'Bob Roy', exact: true }).check({ timeout: 60_000 });
      await page.getByRole('button', { exact: true, name: L['ballot.vote'] }).click();
      await page.getByText(L[error as keyof typeof L]).waitFor({ timeout: 120_000 });
      expect(await page.getByTestId('vote-done').count()).toBe(0);
    };
    // Served but never logged: its opening is not on the log, so the browser votes on nothing.
    await tryVote('error.ballot_not_on_log');
    // Logged for real by the operator (straight into its log): on the log, but its key is not the
    // one the trustees' entries give.
    const opened = await server.instance.db.transaction().execute((trx) => server.instance.log.append({ kind: 'ballot-opened', ballotId: forgedId, ballot: forged }, trx));
    await server.instance.db.updateTable('ballots').set({ opened_idx: opened.index }).where('id', '=', forgedId).execute();
    const before = (await server.instance.log.view()).size;
    await tryVote('error.committee_mismatch');
    expect((await server.instance.log.view()).size).toBe(before);
    expect(await server.instance.db.selectFrom('votes').select('seq').where('ballot_id', '=', forgedId).execute()).toEqual([]);
  });

  it('no screen has a serious accessibility problem, an overflow or a console error', () => {
    for (const [name, problems] of screens) expect(problems, name).toEqual([]);
    for (const tab of [organizer, alice.tab]) expect(tab.problems).toEqual([]);
  });
});
