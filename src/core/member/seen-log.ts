/**
 * What a member's client remembers of the log, and how it relates what it is shown now to what it
 * saw before (docs/protocol.md §2; RFC 9162 §2.1.4 consistency; C2SP tlog-witness for the
 * policy). Pure: the caller fetches the proofs and keeps the state (src/web/logwatch.ts).
 *
 * - The witness policy is pinned on first use, like the log key: a later different policy (or
 *   none, once one was pinned) is a change the member must see, never a silent update.
 * - A checkpoint shown now and the last one seen are two trees of one log: the smaller must be a
 *   prefix of the larger (one consistency proof, from the smaller size to the larger). Unlike the
 *   latest checkpoint, a witnessed one may lag behind what was seen, so either may be the larger.
 * - A receipt is witnessed once a checkpoint the pinned quorum cosigned is at least its size and
 *   consistent with it.
 */
import { type Checkpoint, equalBytes } from '../log/checkpoint.ts';
import { type WitnessPolicy, WitnessPolicySchema, type WitnessSummary, checkWitnessPolicy, samePolicy } from '../log/cosignature.ts';
import { verifyConsistency } from '../log/merkle.ts';
import { type Check, fail, pass } from '../result.ts';

/**
 * The policy to use given the one pinned (null: none yet) and the one the server serves now.
 * `pin` is the policy to keep when none was pinned. A policy never pinned is pinned on first
 * sight (an instance that adds witnesses is no weaker than one without); a pinned one that
 * changes or disappears is `witness_policy_changed`; a malformed one is `witness_policy_invalid`.
 */
export function pinPolicy(pinned: WitnessPolicy | null, served: unknown): Check<{ policy: WitnessPolicy | undefined; pin: WitnessPolicy | null }> {
  let policy: WitnessPolicy | null = null;
  if (served !== null && served !== undefined) {
    const parsed = WitnessPolicySchema.safeParse(served);
    if (!parsed.success) return fail('witness_policy_invalid', 'the server serves a witness policy that is not well formed');
    const checked = checkWitnessPolicy(parsed.data);
    if (!checked.ok) return checked;
    policy = parsed.data;
  }
  if (pinned === null) return pass({ policy: policy ?? undefined, pin: policy });
  if (!samePolicy(pinned, policy)) {
    return fail('witness_policy_changed', policy === null ? 'the server names no witnesses any more, but this device pinned some' : 'the server names other witnesses, or another quorum, than the ones this device pinned');
  }
  return pass({ policy: pinned, pin: null });
}

/** How the checkpoint shown now relates to the one seen before, before any proof is fetched. */
export type Step =
  | { kind: 'same' }
  | { kind: 'fork'; reason: string }
  /** Fetch the consistency proof from `from` to `to`; `grew`: the shown tree is the larger one. */
  | { kind: 'proof'; from: number; to: number; grew: boolean };

export function consistencyStep(seen: Checkpoint, shown: Checkpoint): Step {
  if (seen.origin !== shown.origin) return { kind: 'fork', reason: `two logs with different names (${JSON.stringify(seen.origin)}, ${JSON.stringify(shown.origin)})` };
  if (seen.size === shown.size) return equalBytes(seen.rootHash, shown.rootHash) ? { kind: 'same' } : { kind: 'fork', reason: `two different logs of ${shown.size} entries` };
  const grew = shown.size > seen.size;
  return { kind: 'proof', from: Math.min(seen.size, shown.size), to: Math.max(seen.size, shown.size), grew };
}

/** RFC 9162 §2.1.4.2: the smaller tree is a prefix of the larger. Code: log_fork. */
export function checkConsistent(seen: Checkpoint, shown: Checkpoint, proof: readonly Uint8Array[]): Check {
  const step = consistencyStep(seen, shown);
  if (step.kind === 'same') return pass();
  if (step.kind === 'fork') return fail('log_fork', step.reason);
  const [older, newer] = step.grew ? [seen, shown] : [shown, seen];
  const c = verifyConsistency({ size1: older.size, size2: newer.size, root1: older.rootHash, root2: newer.rootHash, proof });
  if (!c.ok) return fail('log_fork', `the log of ${newer.size} entries does not extend the one of ${older.size} (${c.reason})`);
  return pass();
}

/** A receipt's status against the latest witnessed checkpoint (null: none yet). */
export type ReceiptWitnessing = { state: 'witnessed'; size: number; witnesses: WitnessSummary } | { state: 'waiting'; witnessedSize: number };

/**
 * The receipt's checkpoint (`receipt`, checked already) is covered by the witnessed one
 * (`witnessed`, checked by checkWitnessedCheckpoint; null when the witnesses cosigned nothing
 * yet), with `proof` from the receipt's size to the witnessed size (empty when equal).
 * Code: log_fork.
 */
export function receiptWitnessing(
  receipt: Checkpoint,
  witnessed: { checkpoint: Checkpoint; witnesses: WitnessSummary } | null,
  proof: readonly Uint8Array[],
): Check<{ status: ReceiptWitnessing }> {
  if (witnessed === null || witnessed.checkpoint.size < receipt.size) return pass({ status: { state: 'waiting', witnessedSize: witnessed?.checkpoint.size ?? 0 } });
  const c = checkConsistent(receipt, witnessed.checkpoint, proof);
  if (!c.ok) return c;
  return pass({ status: { state: 'witnessed', size: witnessed.checkpoint.size, witnesses: witnessed.witnesses } });
}
