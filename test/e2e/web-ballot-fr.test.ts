/**
 * A Reform Act leadership review from notice to decision, in French, in a real Chromium against a
 * real server (issue #6): the organizer sets up a caucus of six; two members enroll in their
 * browsers, four more on the server side; a notice letter is proposed and signed by name by 20%
 * (2 of 6); the organizer closes it, and the Letters page offers to open the ballot the notice
 * calls for; members vote in the browser (one changes their mind and votes again) and in-process;
 * the organizer closes the ballot; the page waits for the trustees; three of five trustees decrypt;
 * the page shows the tally and the decision it verified itself, and the verify page checks the
 * downloaded file offline. 4 "oui" of 6 members is a majority of all members: the leader is removed.
 * The server publishes in shuffled windows of 1.5 s, as `serve` does (5 s by default).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ballot } from '../../src/core/ballot/ballot.ts';
import { proveVote } from '../../src/core/ballot/prove-vote.ts';
import type { Letter } from '../../src/core/letter/letter.ts';
import { verifyProcedureBundle } from '../../src/core/bundle/procedure-bundle.ts';
import { proveAction } from '../../src/core/letter/prove.ts';
import { rosterRef } from '../../src/core/roster/roster.ts';
import type { Identity } from '../../src/core/identity/identity.ts';
import { enrollMembers, formCommittee, random, trusteesStep } from '../../src/cli/demo-world.ts';
import { nodeArtifacts, nodeVerificationKeys, releaseSnarkjs } from '../../src/node/artifacts.ts';
import { addMembers, catalogs, closeLetter, enroll, msg, person, propose, readCodes, setUp, sign, verifyFile, type Person } from './journey.ts';
import { checkScreen, haveChromium, launchBrowser, newTab, startServer, tempDir, warnIfNoChromium, writeReport, type Server, type Tab } from './support.ts';

const L = catalogs.fr;

warnIfNoChromium('leadership review journey (French)');

describe.skipIf(!haveChromium)('a leadership review from notice to decision, in French', () => {
  const screens = new Map<string, string[]>();
  let server: Server;
  let browser: Browser;
  let dir: string;
  let organizer: Tab;
  let amelie: Person;
  let benoit: Person;
  const others: Identity[] = [];
  const secrets: bigint[] = [];
  let noticeId: string;
  let ballotId: string;
  let resultFile: string;

  beforeAll(async () => {
    // As `undersigned serve` runs it: signatures and votes published in shuffled windows.
    server = await startServer('Caucus du Parti Exemple', { publishWindowMs: 1500 });
    browser = await launchBrowser();
    dir = tempDir();
  });

  afterAll(async () => {
    writeReport('axe-ballot-fr.json', Object.fromEntries(screens));
    await browser?.close();
    await server?.close();
    await releaseSnarkjs();
  });

  it('the organizer sets up a caucus of six; two enroll in their browsers, four on the server side', async () => {
    organizer = await newTab(browser, { locale: 'fr-CA' });
    await setUp(organizer.page, server, L, 'Caucus du Parti Exemple', screens, 'fr-ballot');
    await addMembers(organizer.page, L, 'Amélie Tremblay', ['Benoît Gagnon'], dir);
    const codes = await readCodes(organizer.page, L);
    amelie = await person(browser, 'Amélie Tremblay', 'fr');
    benoit = await person(browser, 'Benoît Gagnon', 'fr', 'phone');
    await enroll(amelie, server, codes.get('Amélie Tremblay')!, L, dir);
    await enroll(benoit, server, codes.get('Benoît Gagnon')!, L, dir);
    others.push(...(await enrollMembers(server.instance, ['Chantal Roy', 'Denis Côté', 'Élise Bouchard', 'François Lévesque'])));
    const { snapshot } = await server.instance.roster.current();
    expect(snapshot.members.filter((m) => m.commitment !== null)).toHaveLength(6);
  });

  it('three of five trustees form the committee that alone can decrypt the tally', async () => {
    secrets.push(...(await formCommittee(server.instance, 'Fiduciaires', 3, ['T1', 'T2', 'T3', 'T4', 'T5'])).secrets);
    expect(await server.instance.committee.letterRef()).not.toBeNull();
  });

  it('the notice is signed by name by 20% of the caucus (2 of 6), then closed', async () => {
    noticeId = await propose(amelie.tab.page, server, L, {
      title: 'Avis d’examen de la direction',
      recipient: 'La présidence du caucus',
      text: 'Nous, membres soussignés du caucus, demandons un examen de la direction en vertu de la Loi sur le Parlement du Canada.',
    });
    await sign(amelie.tab.page, L, 'named');
    const status = await server.instance.letters.status(noticeId);
    const letter = status.letter as Letter;
    const { snapshot } = await server.instance.roster.current();
    const computed = rosterRef(snapshot);
    if (!computed.ok) throw new Error(computed.reason);
    await server.instance.letters.submitRecord(
      noticeId,
      await proveAction({ identity: others[0], group: computed.group, letter, letterId: noticeId, artifacts: nodeArtifacts }, { action: 'support', display: 'named', seq: 1 }),
    );
    await closeLetter(organizer.page, server, L);
    expect(await server.instance.letters.status(noticeId)).toMatchObject({ status: 'closed', count: 2, named: ['Amélie Tremblay', 'Chantal Roy'] });
  });

  it('the closed notice offers to open the leadership review’s ballot, and the organizer opens it', async () => {
    const page = organizer.page;
    await page.goto(`${server.url}/organizer/letters`);
    const offer = page.getByText(msg(L, 'open.noticeReached', { list: '' }).slice(0, 30));
    await offer.waitFor();
    expect(await offer.textContent()).toContain('Examen de la direction (Loi sur le Parlement du Canada)');
    await page.getByRole('button', { exact: true, name: L['open.fromNotice'] }).click();
    await page.getByLabel(L['open.procedure'], { exact: true }).selectOption('ca-leadership-review');
    expect(await page.getByLabel(L['open.question'], { exact: true }).inputValue()).toBe('Le chef du parti doit-il être remplacé ?');
    await checkScreen(page, 'fr-ballot-open', screens);
    await page.getByRole('button', { exact: true, name: L['open.submit'] }).click();
    await page.waitForURL(/\/ballots\/[0-9a-f]{64}\?opened=1$/, { timeout: 60_000 });
    await page.getByText(L['open.opened']).waitFor();
    ballotId = new URL(page.url()).pathname.split('/').pop()!;
    const { ballot } = await server.instance.ballots.get(ballotId);
    expect(ballot).toMatchObject({ procedure: 'ca-leadership-review', notice: noticeId, options: ['yes', 'no'] });
  });

  it('members vote in their browsers — one changes their mind and votes again — and on the server side', async () => {
    const vote = async (p: Person, option: 'result.option.yes' | 'result.option.no', again = false) => {
      const page = p.tab.page;
      await page.goto(`${server.url}/ballots/${ballotId}`);
      await page.getByRole('radio', { name: L[option], exact: true }).check({ timeout: 60_000 });
      await page.getByRole('button', { exact: true, name: again ? L['ballot.voteAgain'] : L['ballot.vote'] }).click();
      await page.getByTestId('vote-done').waitFor({ timeout: 120_000 });
      expect(await page.getByTestId('vote-done').textContent()).toBe(L['ballot.voted']);
    };
    await amelie.tab.page.goto(`${server.url}/ballots`);
    await amelie.tab.page.getByRole('link', { name: 'Le chef du parti doit-il être remplacé ?' }).waitFor();
    await checkScreen(amelie.tab.page, 'fr-ballots', screens);
    await vote(amelie, 'result.option.yes');
    await checkScreen(amelie.tab.page, 'fr-ballot-voted', screens);
    await vote(benoit, 'result.option.no');
    await benoit.tab.page.reload();
    await benoit.tab.page.getByText(L['ballot.alreadyVoted']).waitFor({ timeout: 60_000 });
    await checkScreen(benoit.tab.page, 'fr-phone-ballot-revote', screens);
    await vote(benoit, 'result.option.yes', true);

    const { ballot } = await server.instance.ballots.get(ballotId);
    const { snapshot } = await server.instance.roster.current();
    const computed = rosterRef(snapshot);
    if (!computed.ok) throw new Error(computed.reason);
    const ctx = (identity: Identity) => ({ identity, group: computed.group, ballot: ballot as Ballot, ballotId, artifacts: nodeArtifacts });
    // Chantal and Denis vote yes, Élise no; François does not vote.
    for (const [i, choice] of [[0, 0], [1, 0], [2, 1]] as const) await server.instance.ballots.vote(ballotId, await proveVote(ctx(others[i]), choice, 1, random));
  });

  it('the organizer closes the ballot; the page waits for the trustees, then shows the verified decision', async () => {
    const page = organizer.page;
    await page.goto(`${server.url}/ballots/${ballotId}`);
    await page.getByRole('button', { exact: true, name: L['ballot.close'] }).click();
    await page.getByRole('button', { exact: true, name: L['ballot.confirmClose'] }).click();
    await page.getByText(msg(L, 'ballot.closedNotice', { n: 5 })).waitFor({ timeout: 60_000 });
    await page.getByTestId('waiting').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('waiting').textContent()).toBe(msg(L, 'ballot.waiting', { k: 3, n: 5 }));
    expect(await page.getByTestId('tally').count()).toBe(0);

    // Three of the five trustees check the votes and publish their partial decryptions.
    await trusteesStep(server.instance, secrets.slice(0, 3));

    await page.getByRole('button', { exact: true, name: L['ballot.refresh'] }).click();
    await page.getByTestId('tally').waitFor({ timeout: 120_000 });
    const tally = await page.getByTestId('tally').textContent();
    expect(tally).toBe(`${L['result.option.yes']}4${L['result.option.no']}1`);
    expect(await page.getByTestId('decision').textContent()).toBe(`${L['result.decision']} ${L['result.outcome.removed']}`);
    expect(await page.getByTestId('voters').textContent()).toBe(msg(L, 'result.voters', { n: 5, m: 6 }));
    await checkScreen(page, 'fr-ballot-result', screens);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { exact: true, name: L['ballot.download'] }).click();
    resultFile = join(dir, 'procedure.json');
    await (await download).saveAs(resultFile);
    // The same file, checked by the command-line verifier's code: the page said what it says.
    const offline = await verifyProcedureBundle(JSON.parse(readFileSync(resultFile, 'utf8')), { keys: nodeVerificationKeys });
    expect(offline).toMatchObject({ valid: true, tally: { yes: 4, no: 1 }, decision: 'removed', voters: 5, rosterSize: 6, notice: { count: 2, needed: 2 } });
  });

  it('the verify page checks the procedure file offline and names the decision', async () => {
    const visitor = await newTab(browser, { locale: 'fr-CA' });
    const checked = await verifyFile(visitor.page, server, L, resultFile);
    expect(checked.requests).toEqual([]);
    expect(checked.text).toContain(L['verify.procedureValid']);
    expect(checked.text).toContain(L['result.outcome.removed']);
    await checkScreen(visitor.page, 'fr-verify-procedure', screens);
    await visitor.context.close();
  });

  it('no screen of the journey has a serious accessibility problem, an overflow or a console error', () => {
    for (const [name, problems] of screens) expect(problems, name).toEqual([]);
    for (const tab of [organizer, amelie.tab, benoit.tab]) expect(tab.problems).toEqual([]);
  });
});
