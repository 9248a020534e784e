/**
 * A member's receipt (docs/protocol.md §2): the server's proof that an entry the member sent is
 * in the log, and the check every client makes of it (the browser's prover worker, the member
 * CLI) against the log key the member pinned, never against what the server merely says.
 */
import { hexToBytes } from '../encoding.ts';
import { verifyCheckpoint } from '../log/checkpoint.ts';
import { type LogEntry, entryLeafHash } from '../log/entry.ts';
import { verifyInclusion } from '../log/merkle.ts';
import { type Check, fail, pass } from '../result.ts';

export interface Receipt {
  /** Position of the entry in the instance log. */
  index: number;
  leafHash: string;
  /** RFC 9162 inclusion proof of the entry in the tree of `checkpoint`. */
  proof: string[];
  /** The signed checkpoint (C2SP signed note) the proof is against. */
  checkpoint: string;
}

/**
 * Does `receipt` prove that `entry` (the one the member sent, hashed here, not the receipt's own
 * `leafHash`) is in a log signed with `verifierKey`? On success, the checkpoint's tree size.
 */
export function checkReceipt(receipt: Receipt, entry: LogEntry, verifierKey: string): Check<{ size: number }> {
  const cp = verifyCheckpoint(receipt.checkpoint, verifierKey);
  if (!cp.ok) return fail('bad_receipt', `the receipt's checkpoint: ${cp.reason}`);
  const inclusion = verifyInclusion({ leafHash: entryLeafHash(entry), index: receipt.index, size: cp.size, proof: receipt.proof.map(hexToBytes), root: cp.rootHash });
  if (!inclusion.ok) return fail('bad_receipt', `the receipt does not prove the entry is in the log: ${inclusion.reason}`);
  return pass({ size: cp.size });
}
