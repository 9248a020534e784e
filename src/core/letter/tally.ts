/**
 * Counting (docs/protocol.md §7): records are taken in log order; for each nullifier `seq` must
 * strictly increase, and only its latest action counts. N = nullifiers whose latest action is
 * `support`; the named list is the signers whose latest action is a named `support`.
 */
import { fail, pass, type Check } from '../result.ts';
import type { Action } from './record.ts';

export interface TallyInput {
  nullifier: string;
  action: Action;
  /** Roster name of a named signer (already verified), else null. */
  signerName: string | null;
  signerId: number | null;
}

export interface Tally {
  count: number;
  named: { id: number; name: string }[];
  /** Distinct nullifiers that acted at all (support or withdraw). */
  participants: number;
}

export function tally(records: readonly TallyInput[]): Check<{ tally: Tally }> {
  const latest = new Map<string, TallyInput>();
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const previous = latest.get(r.nullifier);
    if (previous && r.action.seq <= previous.action.seq) {
      return fail('replay', `record ${i}: seq ${r.action.seq} does not follow seq ${previous.action.seq} of the same signer (a replayed or reordered action)`);
    }
    latest.set(r.nullifier, r);
  }
  let count = 0;
  const named: { id: number; name: string }[] = [];
  const namedIds = new Set<number>();
  for (const r of latest.values()) {
    if (r.action.action !== 'support') continue;
    count++;
    if (r.signerName !== null && r.signerId !== null) {
      // One member cannot be shown twice, whichever nullifiers their key signed for.
      if (namedIds.has(r.signerId)) return fail('named_twice', `${r.signerName} is named by two different signatures`);
      namedIds.add(r.signerId);
      named.push({ id: r.signerId, name: r.signerName });
    }
  }
  named.sort((a, b) => a.id - b.id);
  return pass({ tally: { count, named, participants: latest.size } });
}
