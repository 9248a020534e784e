/**
 * Step 11 of bundle verification (docs/bundle-format.md §4): the trustee committee a letter's
 * sealed names are encrypted to, and the reveal. Kept apart from bundle.ts because a letter
 * without a committee never reaches it.
 */
import { committeeOfBundle, transportKeys } from '../trustee/committee.ts';
import { canonicalJson } from '../encoding.ts';
import type { Letter } from '../letter/letter.ts';
import { type Logged, checkInLog, labelled } from '../log/logged.ts';
import type { Action } from '../letter/record.ts';
import { type Check, fail, pass } from '../result.ts';
import { type RevealEntry, type RevealResult, computeReveal, sealedToReveal } from '../sealed/reveal.ts';
import type { RosterMember } from '../roster/roster.ts';
import { type Point } from '../trustee/group.ts';
import { encodeKey } from '../trustee/dkg.ts';

export type { Logged };

export interface SealedSummary {
  total: number;
  revealed: number;
  stillSealed: number;
  invalid: string[];
  /**
   * Why names are (still) sealed: `none` (no sealed signature), `below-threshold` (they stay sealed
   * for good), `revealed`, or `pending`: the threshold was met but this bundle holds fewer than k
   * valid partials — the trustees have not acted yet, or whoever made the bundle left them out.
   */
  status: 'none' | 'below-threshold' | 'pending' | 'revealed';
}

export interface SealedInput {
  letter: Letter;
  letterId: string;
  checkpoint: { size: number; rootHash: Uint8Array };
  openedIndex: number;
  closedIndex: number;
  committee: readonly Logged[] | undefined;
  reveals: readonly Logged[] | undefined;
  records: readonly { nullifier: string; action: Action }[];
  count: number;
  byCommitment: ReadonlyMap<string, RosterMember>;
}

export function verifySealedPart(input: SealedInput): Check<{ reveal: RevealResult | null; sealed: SealedSummary }> {
  const none: SealedSummary = { total: 0, revealed: 0, stillSealed: 0, invalid: [], status: 'none' };
  if (!input.letter.committee) {
    if ((input.committee?.length ?? 0) > 0 || (input.reveals?.length ?? 0) > 0) {
      return fail('unexpected_committee', 'the bundle carries trustee entries for a letter without a committee');
    }
    return pass({ reveal: null, sealed: none });
  }
  const committee = input.committee ?? [];
  const reveals = input.reveals ?? [];
  // 11.1 The committee entries are in the log, before the letter opened.
  const inCommittee = checkInLog(labelled('committee entry', committee), input.checkpoint, { before: input.openedIndex });
  if (!inCommittee.ok) return inCommittee;
  // 11.2 Replaying them gives the committee key the letter fixed.
  const committeeOf = committeeOfBundle(committee.map((e) => e.entry));
  if (!committeeOf.ok) return committeeOf;
  const { state } = committeeOf;
  const key = encodeKey(committeeOf.key);
  const ref = input.letter.committee;
  if (ref.id !== state.id || ref.publicKey !== key.publicKey || ref.k !== state.committee.k || ref.n !== state.committee.n) {
    return fail('committee_mismatch', 'the letter fixed another committee key than the one the log gives');
  }
  // 11.3 The reveal entries are in the log after the close.
  const inReveals = checkInLog(labelled('reveal entry', reveals), input.checkpoint, { after: input.closedIndex });
  if (!inReveals.ok) return inReveals;
  if (reveals.some((e) => e.entry.kind !== 'reveal-partials')) return fail('wrong_entry_kind', 'a reveal entry is not a reveal-partials entry');
  // 11.4 The sealed names to reveal: the latest action of a nullifier, when it is a sealed support.
  const sealed = sealedToReveal(input.records);
  const shares: Point[] = committeeOf.key.publicShares;
  const reveal = computeReveal({
    letterId: input.letterId,
    committeeId: state.id,
    k: state.committee.k,
    publicShares: shares,
    transportKeys: transportKeys(state.committee),
    count: input.count,
    threshold: input.letter.revealThreshold,
    sealed,
    entries: reveals.map((e) => e.entry as RevealEntry),
    byCommitment: input.byCommitment,
  });
  if (!reveal.ok) return reveal;
  const r = reveal.result;
  return pass({
    reveal: r,
    sealed: {
      total: sealed.length,
      revealed: r.revealed.length,
      stillSealed: r.stillSealed,
      invalid: r.invalid.map((i) => i.reason),
      status: sealed.length === 0 ? 'none' : input.letter.revealThreshold < 1 || input.count < input.letter.revealThreshold ? 'below-threshold' : r.trustees.length ? 'revealed' : 'pending',
    },
  });
}

export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
