/**
 * `undersigned demo --procedure <preset>`: a whole procedure on a throwaway instance — the notice
 * letter signed by the preset's threshold, a trustee committee, the secret ballot with a revote,
 * the trustees' tally — through the same server checks as the real thing, with real proofs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Ballot, ballotId as computeBallotId } from '../core/ballot/ballot.ts';
import { proveVote } from '../core/ballot/prove-vote.ts';
import { type Letter, letterId as computeLetterId } from '../core/letter/letter.ts';
import { plausibleNames } from './demo-names.ts';
import type { ProcedureBundle } from '../core/bundle/procedure-bundle.ts';
import { PRESETS, noticeThreshold } from '../core/ballot/procedures.ts';
import { proveAction, proveProposal } from '../core/letter/prove.ts';
import { rosterRef } from '../core/roster/roster.ts';
import { trusteeStep } from '../core/trustee/duties.ts';
import { nodeArtifacts, nodeVerificationKeys } from '../node/artifacts.ts';
import { openOrInit } from '../server/open.ts';
import { startDemoWitnesses } from './demo-witnesses.ts';
import { inProcessTrusteeApi } from '../server/trustee-api.ts';
import { enrollMembers, formCommittee } from './demo-world.ts';
import { CliError } from './errors.ts';
import { Progress } from './progress.ts';

const random = (n: number) => new Uint8Array(randomBytes(n));
const instant = (ms: number) => new Date(Date.now() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface ProcedureDemoOptions {
  procedure: string;
  members: number;
  yes: number;
  no: number;
  trustees?: { k: number; n: number };
  /** In-process witnesses, all of which must cosign the bundle's checkpoints (0: none). */
  witnesses?: number;
  log?: (line: string) => void;
}

export async function runProcedureDemo(options: ProcedureDemoOptions): Promise<ProcedureBundle> {
  const log = options.log ?? (() => {});
  const preset = PRESETS[options.procedure];
  if (!preset) throw new CliError('usage', `unknown --procedure "${options.procedure}"; known: ${Object.keys(PRESETS).join(', ')}`, 2);
  if (preset.ballot.options === 'candidates') throw new CliError('usage', `the demo runs yes/no procedures; "${options.procedure}" elects among candidates`, 2);
  const { members, yes, no } = options;
  if (!Number.isInteger(members) || members < 3 || members > 100_000) throw new CliError('usage', '--members must be from 3 to 100000', 2);
  if (!Number.isInteger(yes) || !Number.isInteger(no) || yes < 0 || no < 0 || yes + no > members) throw new CliError('usage', '--yes plus --no must be at most --members', 2);
  const trustees = options.trustees ?? { k: 3, n: 5 };

  const dir = mkdtempSync(join(tmpdir(), 'undersigned-demo-'));
  try {
    const { instance } = await openOrInit({ dataDir: dir, name: 'Demo caucus', origin: 'demo.undersigned.invalid/caucus' });
    const witnesses = await startDemoWitnesses(instance, options.witnesses ?? 0, log);
    const named = witnesses.policy ? { witnesses: witnesses.policy } : {};
    try {
    const allNames = plausibleNames(members + trustees.n, random(32));
    const identities = await enrollMembers(instance, allNames.slice(0, members), 'enrolling');
    log(`roster: ${members} members enrolled`);

    // The trustee committee that alone can decrypt the tally (k of n, together).
    const { secrets, ref: committee } = await formCommittee(instance, 'Demo trustees', trustees.k, allNames.slice(members));
    log(`trustees: ${trustees.k} of ${trustees.n} committee ready`);

    const { snapshot, ref } = await instance.roster.current();
    const computed = rosterRef(snapshot);
    if (!computed.ok) throw new Error(computed.reason);

    // 1. The notice, signed by exactly the preset's threshold (named if the rule makes names public).
    let noticeId: string | null = null;
    if (preset.notice) {
      const needed = noticeThreshold(preset, members) ?? 0;
      const letter: Letter = {
        format: 'undersigned-letter/1',
        title: preset.title.en,
        text: `${preset.trigger.en}\n\nSource: ${preset.source.citation}`,
        recipient: 'The caucus chair',
        roster: ref,
        deadline: instant(7 * 86_400_000),
        revealThreshold: 0,
        visibility: preset.notice.visibility,
        ...named,
        nonce: Buffer.from(random(16)).toString('hex'),
      };
      noticeId = computeLetterId(letter);
      const ctx = (i: number) => ({ identity: identities[i], group: computed.group, letter, letterId: noticeId!, artifacts: nodeArtifacts });
      await instance.letters.propose(letter, await proveProposal(ctx(0)));
      const display = preset.notice.revealSigners === 'all' ? 'named' : 'anonymous';
      const signing = new Progress('notice', needed);
      for (let i = 0; i < needed; i++) {
        await instance.letters.submitRecord(noticeId, await proveAction(ctx(i), { action: 'support', display, seq: 1 }));
        signing.tick(i + 1);
      }
      await instance.letters.close(noticeId);
      log(`notice: ${needed} of ${members} signed (${display}), the procedure's threshold`);
    }

    // 2. The secret ballot.
    const ballot: Ballot = {
      format: 'undersigned-ballot/1',
      question: preset.ballot.question.en,
      options: preset.ballot.options,
      roster: ref,
      committee,
      deadline: instant(7 * 86_400_000),
      procedure: options.procedure,
      notice: noticeId,
      ...named,
      nonce: Buffer.from(random(16)).toString('hex'),
    };
    const { ballotId } = await instance.ballots.open(ballot);
    if (ballotId !== computeBallotId(ballot)) throw new Error('ballot id mismatch');
    const yesIndex = ballot.options.indexOf('yes');
    const noIndex = ballot.options.indexOf('no');
    const vctx = (i: number) => ({ identity: identities[i], group: computed.group, ballot, ballotId, artifacts: nodeArtifacts });
    const plan: { who: number; choice: number; seq: number }[] = [];
    for (let i = 0; i < yes + no; i++) plan.push({ who: i, choice: i < yes ? yesIndex : noIndex, seq: 1 });
    // A member changes their mind: first votes the other way, then revotes; the latest counts.
    if (plan.length) plan.unshift({ who: 0, choice: plan[0].choice === yesIndex ? noIndex : yesIndex, seq: 1 }), (plan[1].seq = 2);
    const voting = new Progress('voting', plan.length);
    for (let i = 0; i < plan.length; i++) {
      const p = plan[i];
      await instance.ballots.vote(ballotId, await proveVote(vctx(p.who), p.choice, p.seq, random));
      voting.tick(i + 1);
    }
    const closed = await instance.ballots.close(ballotId);
    log(`ballot: ${plan.length} votes cast (one revote), ${closed.voters} voters counted`);

    // 3. The tally: every trustee but one (offline) checks the votes and decrypts its part.
    for (const s of secrets.slice(0, Math.max(trustees.k, trustees.n - 1))) {
      const step = await trusteeStep(inProcessTrusteeApi(instance), s, nodeVerificationKeys, random);
      for (const line of step.did) log(`trustee: ${line}`);
    }
    return await instance.bundles.procedure(ballotId);
    } finally {
      await witnesses.stop();
      await instance.db.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
