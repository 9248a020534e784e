/**
 * `undersigned demo`: a throwaway instance in a temporary directory, run end to end through the
 * same server-side checks as the real thing (every proof is really made and really verified):
 * enroll the members, open a letter, sign, withdraw, sign again, close, export the bundle.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle } from '../core/bundle.ts';
import { identityFromPrivateKey, type Identity } from '../core/identity.ts';
import { type Letter, letterId as computeLetterId } from '../core/letter.ts';
import { plausibleNames } from '../core/names.ts';
import { type ProverContext, proveAction, proveProposal } from '../core/prove.ts';
import { rosterRef } from '../core/roster.ts';
import { nodeArtifacts } from '../node/artifacts.ts';
import { openOrInit } from '../server/open.ts';
import { CliError } from './errors.ts';
import { Progress } from './progress.ts';

export interface DemoOptions {
  members: number;
  signers: number;
  named: number;
  /** Report progress lines on stderr. */
  log?: (line: string) => void;
}

export async function runDemo(options: DemoOptions): Promise<{ bundle: Bundle; names: string[] }> {
  const { members, signers, named } = options;
  const log = options.log ?? (() => {});
  if (!Number.isInteger(members) || members < 3 || members > 100_000) throw new CliError('usage', '--members must be an integer from 3 to 100000', 2);
  if (!Number.isInteger(signers) || signers < 1 || signers > members - 1) {
    throw new CliError('usage', `--signers must be from 1 to ${members - 1} (one more member withdraws for good)`, 2);
  }
  if (!Number.isInteger(named) || named < 0 || named > signers) throw new CliError('usage', '--named must be from 0 to --signers', 2);

  const dir = mkdtempSync(join(tmpdir(), 'undersigned-demo-'));
  try {
    const { instance } = await openOrInit({ dataDir: dir, name: 'Demo caucus', origin: 'demo.undersigned.invalid/caucus' });
    const names = plausibleNames(members, new Uint8Array(randomBytes(32)));
    log(`roster: adding ${members} members`);
    const added = await instance.addMembers(names.map((name) => ({ name })));

    const identities: Identity[] = [];
    const enrolling = new Progress('enrolling', members);
    for (let i = 0; i < added.length; i++) {
      const identity = identityFromPrivateKey(new Uint8Array(randomBytes(32)));
      await instance.enroll(added[i].code, identity.commitment.toString());
      identities.push(identity);
      enrolling.tick(i + 1);
    }

    const { snapshot, ref } = await instance.roster();
    const computed = rosterRef(snapshot);
    if (!computed.ok) throw new Error(computed.reason);
    const letter: Letter = {
      format: 'undersigned-letter/1',
      title: 'Request for a leadership review',
      text:
        'We, the undersigned members of the caucus, ask the caucus chair to convene a leadership review ' +
        'under section 49.8 of the Parliament of Canada Act.\n\n' +
        'Nous, membres soussignés du caucus, demandons au président du caucus de convoquer un examen de la direction.',
      recipient: 'The caucus chair',
      roster: ref,
      deadline: new Date(Date.now() + 7 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      revealThreshold: 0,
      visibility: 'live',
      nonce: Buffer.from(randomBytes(16)).toString('hex'),
    };
    const id = computeLetterId(letter);
    const ctx = (i: number): ProverContext => ({ identity: identities[i], group: computed.group, letter, letterId: id, artifacts: nodeArtifacts });
    log(`letter ${id.slice(0, 16)}…: proposed anonymously by a member`);
    await instance.proposeLetter(letter, await proveProposal(ctx(members - 1)));

    // Who does what: signers are members 0..signers-1, the first `named` of them named; one signer
    // withdraws and signs again; one more member signs and withdraws for good.
    const plan: { who: number; action: 'support' | 'withdraw'; display?: 'anonymous' | 'named'; seq: number }[] = [];
    for (let i = 0; i < signers; i++) plan.push({ who: i, action: 'support', display: i < named ? 'named' : 'anonymous', seq: 1 });
    const changer = signers - 1;
    plan.push({ who: changer, action: 'withdraw', seq: 2 });
    plan.push({ who: changer, action: 'support', display: changer < named ? 'named' : 'anonymous', seq: 3 });
    const quitter = signers;
    plan.splice(Math.floor(signers / 2), 0, { who: quitter, action: 'support', display: 'anonymous', seq: 1 });
    plan.push({ who: quitter, action: 'withdraw', seq: 2 });

    const signing = new Progress('signing', plan.length);
    for (let i = 0; i < plan.length; i++) {
      const p = plan[i];
      const record = await proveAction(ctx(p.who), { action: p.action, display: p.display, seq: p.seq });
      await instance.submitRecord(id, record);
      signing.tick(i + 1);
    }
    log(`${plan.length} signature records made and verified (${signers} standing, 1 withdrawn for good)`);

    const closed = await instance.closeLetter(id);
    log(`closed: ${closed.count} of ${members} signed`);
    const bundle = await instance.bundle(id);
    await instance.db.destroy();
    return { bundle, names: names.slice(0, named) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
