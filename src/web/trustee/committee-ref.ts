/**
 * Is the committee key a letter (or a ballot) names the one the trustees generated on the public
 * log? Checked in the browser before a name is sealed or a vote encrypted to it (the CLI's
 * member.ts does the same): a server that put its own key in a letter or a ballot would otherwise
 * be able to open every sealed name, or read every vote.
 */
import { type CommitteeEntry, evaluateCommittee } from '../../core/committee.ts';
import type { Letter } from '../../core/letter.ts';
import { type Check, fail, pass } from '../../core/result.ts';
import { encodeKey } from '../../core/trustee/dkg.ts';

export function checkCommitteeRef(entries: readonly unknown[], ref: NonNullable<Letter['committee']>, what: 'letter' | 'ballot' = 'letter'): Check {
  // A letter's sealed names and a ballot's votes are refused with their own codes.
  const code = (c: 'committee_unverified' | 'committee_mismatch') => (what === 'letter' ? `sealed_${c}` : c);
  let evaluated: ReturnType<typeof evaluateCommittee>;
  try {
    evaluated = evaluateCommittee(entries as CommitteeEntry[]);
  } catch {
    return fail(code('committee_unverified'), 'the trustee committee entries the server sent are malformed');
  }
  if (!evaluated.ok || !evaluated.state.key) return fail(code('committee_unverified'), 'the trustee committee on the log does not check out');
  const key = encodeKey(evaluated.state.key);
  const state = evaluated.state;
  if (state.id !== ref.id || key.publicKey !== ref.publicKey || state.committee.k !== ref.k || state.committee.n !== ref.n) {
    return fail(code('committee_mismatch'), `the committee key this ${what} names is not the one the trustees generated on the log`);
  }
  return pass();
}
