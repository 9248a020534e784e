/**
 * `undersigned demo`: a throwaway instance in a temporary directory, run end to end through the
 * same server-side checks as the real thing (every proof is really made and really verified):
 * enroll the members, open a letter, sign, withdraw, sign again, close, export the bundle.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle } from '../core/bundle/bundle.ts';
import { type Letter, letterId as computeLetterId } from '../core/letter/letter.ts';
import { plausibleNames } from './demo-names.ts';
import { type ProverContext, proveAction, proveProposal } from '../core/letter/prove.ts';
import { rosterRef } from '../core/roster/roster.ts';
import { nodeArtifacts, nodeVerificationKeys } from '../node/artifacts.ts';
import { trusteeStep } from '../core/trustee/duties.ts';
import { inProcessTrusteeApi } from '../server/trustee-api.ts';
import { openOrInit } from '../server/open.ts';
import { enrollMembers, formCommittee } from './demo-world.ts';
import { startDemoWitnesses } from './demo-witnesses.ts';
import { CliError } from './errors.ts';
import { Progress } from './progress.ts';

export interface DemoOptions {
  members: number;
  signers: number;
  named: number;
  /** Signers who sign sealed (after the named ones); needs `trustees`. */
  sealed?: number;
  /** Reveal threshold of the letter. */
  threshold?: number;
  /** A k-of-n trustee committee, e.g. { k: 3, n: 5 }. One trustee stays offline at the reveal when n > k. */
  trustees?: { k: number; n: number };
  /** In-process witnesses, all of which must cosign the bundle's checkpoint (0: none). */
  witnesses?: number;
  /** Report progress lines on stderr. */
  log?: (line: string) => void;
}

const random = (n: number) => new Uint8Array(randomBytes(n));

export async function runDemo(input: DemoOptions): Promise<{ bundle: Bundle; names: string[] }> {
  let options = input;
  const { members, signers, named } = options;
  const log = options.log ?? (() => {});
  if (!Number.isInteger(members) || members < 3 || members > 100_000) throw new CliError('usage', '--members must be an integer from 3 to 100000', 2);
  if (!Number.isInteger(signers) || signers < 1 || signers > members - 1) {
    throw new CliError('usage', `--signers must be from 1 to ${members - 1} (one more member withdraws for good)`, 2);
  }
  if (!Number.isInteger(named) || named < 0 || named > signers) throw new CliError('usage', '--named must be from 0 to --signers', 2);
  const sealedCount = options.sealed ?? 0;
  const threshold = options.threshold ?? 0;
  if (!Number.isInteger(sealedCount) || sealedCount < 0 || named + sealedCount > signers) throw new CliError('usage', '--named plus --sealed must not exceed --signers', 2);
  // Sealed signatures need a committee: 3 of 5 unless told otherwise.
  if (sealedCount > 0 && !options.trustees) options = { ...options, trustees: { k: 3, n: 5 } };
  if (options.trustees && (options.trustees.k < 2 || options.trustees.k > options.trustees.n || options.trustees.n > 20)) {
    throw new CliError('usage', '--trustees k/n needs 2 ≤ k ≤ n ≤ 20', 2);
  }
  if (options.trustees && threshold < 1) throw new CliError('usage', 'a letter with sealed signatures needs --threshold of at least 1', 2);

  const dir = mkdtempSync(join(tmpdir(), 'undersigned-demo-'));
  try {
    const { instance } = await openOrInit({ dataDir: dir, name: 'Demo caucus', origin: 'demo.undersigned.invalid/caucus' });
    const witnesses = await startDemoWitnesses(instance, options.witnesses ?? 0, log);
    try {
    const trusteeCount = options.trustees?.n ?? 0;
    const allNames = plausibleNames(members + trusteeCount, new Uint8Array(randomBytes(32)));
    const names = allNames.slice(0, members);
    log(`roster: adding ${members} members`);
    const identities = await enrollMembers(instance, names, 'enrolling');

    // The trustee committee: each trustee joins with its code, then deals and checks shares.
    let trusteeSecrets: bigint[] = [];
    let committeeRef: Letter['committee'];
    if (options.trustees) {
      const { k, n } = options.trustees;
      const formed = await formCommittee(instance, 'Demo trustees', k, allNames.slice(members));
      trusteeSecrets = formed.secrets;
      committeeRef = formed.ref;
      log(`trustees: ${k} of ${n} committee formed, key ${formed.ref.publicKey.slice(0, 16)}…`);
    }

    const { snapshot, ref } = await instance.roster.current();
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
      revealThreshold: threshold,
      visibility: 'live',
      ...(committeeRef ? { committee: committeeRef } : {}),
      ...(witnesses.policy ? { witnesses: witnesses.policy } : {}),
      nonce: Buffer.from(randomBytes(16)).toString('hex'),
    };
    const id = computeLetterId(letter);
    const ctx = (i: number): ProverContext => ({ identity: identities[i], group: computed.group, letter, letterId: id, artifacts: nodeArtifacts });
    log(`letter ${id.slice(0, 16)}…: proposed anonymously by a member`);
    await instance.letters.propose(letter, await proveProposal(ctx(members - 1)));

    // Who does what: signers are members 0..signers-1, the first `named` of them named; one signer
    // withdraws and signs again; one more member signs and withdraws for good.
    type Display = 'anonymous' | 'named' | 'sealed';
    const displayOf = (i: number): Display => (i < named ? 'named' : i < named + sealedCount ? 'sealed' : 'anonymous');
    const plan: { who: number; action: 'support' | 'withdraw'; display?: Display; seq: number }[] = [];
    for (let i = 0; i < signers; i++) plan.push({ who: i, action: 'support', display: displayOf(i), seq: 1 });
    const changer = signers - 1;
    plan.push({ who: changer, action: 'withdraw', seq: 2 });
    plan.push({ who: changer, action: 'support', display: displayOf(changer), seq: 3 });
    const quitter = signers;
    plan.splice(Math.floor(signers / 2), 0, { who: quitter, action: 'support', display: 'anonymous', seq: 1 });
    plan.push({ who: quitter, action: 'withdraw', seq: 2 });

    const signing = new Progress('signing', plan.length);
    for (let i = 0; i < plan.length; i++) {
      const p = plan[i];
      const record = await proveAction(ctx(p.who), { action: p.action, display: p.display, seq: p.seq, random });
      await instance.letters.submitRecord(id, record);
      signing.tick(i + 1);
    }
    log(`${plan.length} signature records made and verified (${signers} standing, 1 withdrawn for good)`);

    const closed = await instance.letters.close(id);
    log(`closed: ${closed.count} of ${members} signed`);
    if (options.trustees) {
      // Every trustee but one (offline) recomputes the count from the public records and, if the
      // threshold is met, publishes its partial decryptions; k of them are enough.
      const online = trusteeSecrets.slice(0, Math.max(options.trustees.k, options.trustees.n - 1));
      for (const secret of online) {
        const step = await trusteeStep(inProcessTrusteeApi(instance), secret, nodeVerificationKeys, random);
        for (const line of step.did) log(`trustee: ${line}`);
      }
    }
    const bundle = await instance.bundles.letter(id);
    return { bundle, names: names.slice(0, named) };
    } finally {
      await witnesses.stop();
      await instance.db.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
