/**
 * Is the committee key a letter names the one the trustees generated on the public log? Checked
 * in the browser before a name is sealed to it (the CLI's member.ts does the same): a server that
 * put its own key in a letter would otherwise be able to open every sealed name.
 */
import { type CommitteeEntry, evaluateCommittee } from '../../core/committee.ts';
import type { Letter } from '../../core/letter.ts';
import { type Check, fail, pass } from '../../core/result.ts';
import { encodeKey } from '../../core/trustee/dkg.ts';

export function checkCommitteeRef(entries: readonly unknown[], ref: NonNullable<Letter['committee']>): Check {
  let evaluated: ReturnType<typeof evaluateCommittee>;
  try {
    evaluated = evaluateCommittee(entries as CommitteeEntry[]);
  } catch {
    return fail('sealed_committee_unverified', 'the trustee committee entries the server sent are malformed');
  }
  if (!evaluated.ok || !evaluated.state.key) return fail('sealed_committee_unverified', 'the trustee committee on the log does not check out');
  const key = encodeKey(evaluated.state.key);
  const state = evaluated.state;
  if (state.id !== ref.id || key.publicKey !== ref.publicKey || state.committee.k !== ref.k || state.committee.n !== ref.n) {
    return fail('sealed_committee_mismatch', 'the committee key this letter names is not the one the trustees generated on the log');
  }
  return pass();
}
