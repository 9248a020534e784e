/**
 * What a trustee does, one step at a time (docs/protocol.md §10.6, §11.3): deal its shares, check
 * the shares dealt to it (ack or complain), and, for every closed letter that reached its reveal
 * threshold, recompute the count from the bundle itself and publish its partial decryptions.
 * The transport is injected (HTTP for the daemon, in-process for the demo), and nothing the
 * server says is believed without being checked here.
 */
import { type VerificationKeys } from '../crypto/semaphore.ts';
import { type BundleVerdict, type Bundle, verifyBundle } from '../bundle/bundle.ts';
import { type CommitteeEntry, evaluateCommittee, trusteeSign } from './committee.ts';
import { bundleSignatures, makeRevealEntry, type RevealEntry, sealedToReveal } from '../sealed/reveal.ts';
import { type Committee, committeeId, makeContribution, receiveShare } from './dkg.ts';
import { type TallyEntry, makeTallyEntry } from '../ballot/tally.ts';
import { type ProcedureBundle, verifyProcedureBundle } from '../bundle/procedure-bundle.ts';
import { G, L, type Random, encodePoint, mul } from './group.ts';

export interface TrusteeApi {
  committeeEntries(): Promise<CommitteeEntry[]>;
  submitCommitteeEntry(entry: CommitteeEntry): Promise<unknown>;
  /** Closed letters that take sealed signatures. */
  closedSealedLetters(): Promise<string[]>;
  bundle(letterId: string): Promise<Bundle>;
  submitReveal(letterId: string, entry: RevealEntry): Promise<unknown>;
  /** Closed ballots, their procedure bundles, and where tally partials go. */
  closedBallots(): Promise<string[]>;
  procedureBundle(ballotId: string): Promise<ProcedureBundle>;
  submitTally(ballotId: string, entry: TallyEntry): Promise<unknown>;
}

export interface TrusteeStepResult {
  did: string[];
  waiting: string | null;
}

function myIndex(committee: Committee, secret: bigint): number {
  const mine = encodePoint(mul(G, secret));
  return committee.trustees.find((t) => t.transportKey === mine)?.index ?? 0;
}

/** This trustee's key share, recomputed from the public contributions. */
export function myShare(committee: Committee, contributions: Iterable<{ dealer: number } & Parameters<typeof receiveShare>[1]>, qualified: number[], me: number, secret: bigint, random: Random): bigint {
  let x = 0n;
  for (const c of contributions) {
    if (!qualified.includes(c.dealer)) continue;
    const r = receiveShare(committee, c, me, secret, random);
    if (!r.ok) throw new Error(`cannot recompute my share from dealer ${c.dealer}: ${r.reason}`);
    x = (x + r.share) % L;
  }
  return x;
}

export async function trusteeStep(api: TrusteeApi, secret: bigint, keys: VerificationKeys, random: Random): Promise<TrusteeStepResult> {
  const did: string[] = [];
  const entries = await api.committeeEntries();
  if (!entries.length) return { did, waiting: 'the committee is not formed yet: waiting for every trustee to join' };
  const evaluated = evaluateCommittee(entries);
  if (!evaluated.ok) throw new Error(`the committee on the log does not check out: ${evaluated.reason}`);
  const state = evaluated.state;
  const me = myIndex(state.committee, secret);
  if (!me) throw new Error('this trustee file is not one of the committee’s trustees');

  // 1. Deal.
  if (state.waitingFor.contribution.includes(me)) {
    const contribution = makeContribution(state.committee, me, secret, random);
    await api.submitCommitteeEntry({ kind: 'dkg-contribution', contribution, signature: trusteeSign(secret, 'contribution', contribution, random) });
    did.push('dealt my shares');
    return { did, waiting: null };
  }
  if (state.waitingFor.contribution.length) {
    return { did, waiting: `waiting for trustees ${state.waitingFor.contribution.join(', ')} to deal` };
  }
  // 2. Check what was dealt to me: ack, or a complaint per cheating dealer.
  if (state.waitingFor.response.includes(me)) {
    const complaints = [];
    for (const c of state.contributions.values()) {
      const r = receiveShare(state.committee, c, me, secret, random);
      if (!r.ok && 'complaint' in r) complaints.push(r.complaint);
    }
    if (complaints.length) {
      const body = { kind: 'dkg-complaint' as const, committeeId: committeeId(state.committee), accuser: me, complaints };
      await api.submitCommitteeEntry({ ...body, signature: trusteeSign(secret, 'complaint', body, random) });
      did.push(`complained about trustees ${complaints.map((c) => c.dealer).join(', ')}`);
    }
    if (!complaints.length) {
      const body = { committeeId: committeeId(state.committee), trustee: me };
      await api.submitCommitteeEntry({ kind: 'dkg-ack', ...body, signature: trusteeSign(secret, 'ack', body, random) });
      did.push('checked my shares and acknowledged them');
    }
    return { did, waiting: null };
  }
  if (!state.key) return { did, waiting: state.failure ?? `waiting for trustees ${state.waitingFor.response.join(', ')} to check their shares` };

  // 3. Reveal, for each closed letter whose own records reach its threshold.
  for (const letterId of await api.closedSealedLetters()) {
    const bundle = await api.bundle(letterId);
    if ((bundle.reveals ?? []).some((r) => r.entry.kind === 'reveal-partials' && r.entry.trustee === me)) continue;
    // Recompute everything from the public records, as any verifier would, before decrypting anything.
    const verdict: BundleVerdict = await verifyBundle(bundle, { keys });
    if (!verdict.valid) {
      did.push(`refused to reveal for letter ${letterId.slice(0, 12)}…: its bundle does not verify (${verdict.reason})`);
      continue;
    }
    const letter = bundle.opened.entry.kind === 'letter-opened' ? bundle.opened.entry.letter : null;
    if (verdict.letterId !== letterId || !letter?.committee || letter.committee.id !== state.id) {
      did.push(`refused to reveal for letter ${letterId.slice(0, 12)}…: the server sent another letter's bundle, or one for another committee`);
      continue;
    }
    if (letter.revealThreshold < 1 || verdict.count < letter.revealThreshold) {
      did.push(`letter ${letterId.slice(0, 12)}… closed at ${verdict.count}, below its threshold ${letter.revealThreshold}: nothing to reveal`);
      continue;
    }
    const sealed = sealedToReveal(bundleSignatures(bundle.records));
    const share = myShare(state.committee, state.contributions.values(), state.key.qualified, me, secret, random);
    const entry = makeRevealEntry({ letterId, committeeId: state.id, trustee: me, share, publicShare: state.key.publicShares[me - 1], transportSecret: secret, sealed }, random);
    await api.submitReveal(letterId, entry);
    did.push(`published my partial decryptions for letter ${letterId.slice(0, 12)}… (${sealed.length} sealed names)`);
  }
  // 4. Decrypt the tally of each closed ballot, after checking every vote and the sums myself.
  for (const ballotId of await api.closedBallots()) {
    const bundle = await api.procedureBundle(ballotId);
    if (bundle.tally.some((e) => e.entry.kind === 'tally-partials' && e.entry.trustee === me)) continue;
    const verdict = await verifyProcedureBundle(bundle, { keys });
    if (!verdict.valid) {
      did.push(`refused to decrypt ballot ${ballotId.slice(0, 12)}…: its bundle does not verify (${verdict.reason})`);
      continue;
    }
    if (bundle.closed.entry.kind !== 'ballot-closed' || bundle.closed.entry.sums.length === 0) continue; // recorded ballots: nothing to decrypt
    const share = myShare(state.committee, state.contributions.values(), state.key.qualified, me, secret, random);
    const entry = makeTallyEntry({ ballotId, committeeId: state.id, trustee: me, share, publicShare: state.key.publicShares[me - 1], transportSecret: secret, sums: bundle.closed.entry.sums }, random);
    await api.submitTally(ballotId, entry);
    did.push(`published my partial decryption of the tally of ballot ${ballotId.slice(0, 12)}… (${verdict.voters} voters)`);
  }
  return { did, waiting: null };
}
