/**
 * Is the committee key a letter (or a ballot) names the one the trustees generated on the public
 * log? Checked by the browser's prover worker and the member CLI before a name is sealed or a
 * vote encrypted to it: a server that put its own key in a letter or a ballot would otherwise
 * be able to open every sealed name, or read every vote.
 */
import { type CommitteeEntry, evaluateCommittee } from '../trustee/committee.ts';
import type { Letter } from '../letter/letter.ts';
import { type Check, fail, pass } from '../result.ts';
import { encodeKey } from '../trustee/dkg.ts';

/**
 * `entries`: the committee's log entries as the server sent them (checked here, never trusted).
 * Codes: committee_unverified, committee_mismatch, each after `codePrefix` — by default
 * `sealed_` for a letter (the web app refuses a sealed name with its own codes), none for a ballot.
 */
export function checkCommitteeRef(
  entries: readonly unknown[],
  ref: NonNullable<Letter['committee']>,
  what: 'letter' | 'ballot' = 'letter',
  codePrefix: string = what === 'letter' ? 'sealed_' : '',
): Check {
  const code = (c: 'committee_unverified' | 'committee_mismatch') => `${codePrefix}${c}`;
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
