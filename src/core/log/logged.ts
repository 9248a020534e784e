/**
 * Entries a bundle carries with their log positions and inclusion proofs: the one check every
 * verifier runs on them (a letter's records, a committee's events, reveals, votes, tallies).
 */
import { hexToBytes } from '../encoding.ts';
import { type Check, fail, pass } from '../result.ts';
import { type LogEntry, entryLeafHash } from './entry.ts';
import { verifyInclusion } from './merkle.ts';

export interface Logged {
  index: number;
  entry: LogEntry;
  proof: readonly string[];
}

/** `list` labelled for `checkInLog`: "record 0", "record 1"… */
export function labelled<E extends Logged>(label: string, list: readonly E[]): [string, E][] {
  return list.map((e, i) => [`${label} ${i}`, e]);
}

/**
 * Each entry is in the log at the position it claims (an inclusion proof against the checkpoint),
 * at strictly increasing positions, all strictly between `after` and `before`. On success, the
 * entries' leaf hashes, in order (a caller that commits to a set of them need not hash them again).
 */
export function checkInLog(
  entries: readonly (readonly [string, Logged])[],
  checkpoint: { size: number; rootHash: Uint8Array },
  bounds: { after?: number; before?: number } = {},
): Check<{ leafHashes: Uint8Array[] }> {
  const leafHashes: Uint8Array[] = [];
  let previous = bounds.after ?? -1;
  const before = bounds.before ?? Number.MAX_SAFE_INTEGER;
  for (const [label, e] of entries) {
    if (e.index <= previous || e.index >= before) return fail('entries_out_of_order', `${label}: log position ${e.index} is out of order`);
    previous = e.index;
    const leafHash = entryLeafHash(e.entry);
    const inc = verifyInclusion({ leafHash, index: e.index, size: checkpoint.size, proof: e.proof.map(hexToBytes), root: checkpoint.rootHash });
    if (!inc.ok) return fail('not_in_log', `${label}: not in the log at position ${e.index} (${inc.reason})`);
    leafHashes.push(leafHash);
  }
  return pass({ leafHashes });
}
