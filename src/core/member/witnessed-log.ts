/**
 * What a member's client accepts from the server only with proof from the public, witnessed log
 * (docs/protocol.md §2, docs/threat-model.md): a checkpoint signed by the log key the member
 * pinned AND cosigned by a quorum of the witnesses the member pinned; entries (a trustee
 * committee's) only with inclusion proofs against such a checkpoint. A server that shows one
 * member an invented committee must then put it on the one log every witness, trustee and
 * monitor sees, where the trustees it names find entries they never made.
 *
 * Used by the browser's prover worker and the member CLI before a name is sealed or a vote
 * encrypted. The caller also checks that the checkpoint extends the last one it saw (a
 * consistency proof: src/web/logwatch.ts, src/cli/member.ts).
 */
import { type Checkpoint, verifyCheckpoint } from '../log/checkpoint.ts';
import { type WitnessPolicy, type WitnessSummary, checkWitnessed, samePolicy } from '../log/cosignature.ts';
import { LogEntrySchema } from '../log/entry.ts';
import { checkInLog, labelled } from '../log/logged.ts';
import { type Check, fail, pass } from '../result.ts';
import { checkCommitteeRef } from './committee-ref.ts';
import type { Letter } from '../letter/letter.ts';

/** What the member pinned: the log key, and the witness policy (none: an unwitnessed instance). */
export interface LogAnchor {
  verifierKey: string;
  witnesses?: WitnessPolicy;
}

/** A checkpoint and entries with their inclusion proofs against it, as the server sent them. */
export interface LogView {
  checkpoint: string;
  entries: readonly { index: number; entry: unknown; proof: readonly string[] }[];
}

/**
 * The checkpoint is signed by the pinned log key and cosigned by the pinned policy's quorum.
 * Codes (after `codePrefix`): log_unverified, not_witnessed.
 */
export function checkWitnessedCheckpoint(note: string, anchor: LogAnchor, codePrefix = ''): Check<{ checkpoint: Checkpoint; witnesses: WitnessSummary | null }> {
  const cp = verifyCheckpoint(note, anchor.verifierKey);
  if (!cp.ok) return fail(`${codePrefix}log_unverified`, `the log checkpoint the server sent: ${cp.reason}`);
  const w = checkWitnessed(note, anchor.witnesses);
  if (!w.ok) return fail(`${codePrefix}not_witnessed`, `the log checkpoint the server sent is not witnessed: ${w.reason}`);
  const { origin, size, rootHash, extensions } = cp;
  return pass({ checkpoint: { origin, size, rootHash, extensions }, witnesses: w.witnesses });
}

/**
 * A letter or ballot names the witness policy the member pinned (a server that drops the
 * witnesses from a new letter would otherwise need no cosignature on anything about it).
 * Code: witness_policy_changed.
 */
export function checkPolicyPinned(named: WitnessPolicy | undefined, anchor: LogAnchor, what: 'letter' | 'ballot' = 'letter'): Check {
  if (!samePolicy(named, anchor.witnesses)) return fail('witness_policy_changed', `this ${what} names other witnesses than the ones this device pinned for the instance`);
  return pass();
}

/**
 * The committee a letter or ballot names is the one its entries on the witnessed log give: the
 * checkpoint checks out (checkWitnessedCheckpoint), every entry is in it (inclusion proofs), and
 * replaying them gives the key, id, k and n the letter names (checkCommitteeRef).
 * Codes (after `codePrefix`): log_unverified, not_witnessed, committee_unverified, committee_mismatch.
 */
export function checkCommitteeOnLog(
  view: LogView,
  ref: NonNullable<Letter['committee']>,
  anchor: LogAnchor,
  what: 'letter' | 'ballot' = 'letter',
  codePrefix: string = what === 'letter' ? 'sealed_' : '',
): Check<{ size: number }> {
  const cp = checkWitnessedCheckpoint(view.checkpoint, anchor, codePrefix);
  if (!cp.ok) return cp;
  const entries = [];
  for (const [i, e] of view.entries.entries()) {
    const parsed = LogEntrySchema.safeParse(e.entry);
    if (!parsed.success || !Array.isArray(e.proof)) return fail(`${codePrefix}committee_unverified`, `committee entry ${i} is malformed`);
    entries.push({ index: e.index, entry: parsed.data, proof: e.proof });
  }
  const inLog = checkInLog(labelled('committee entry', entries), cp.checkpoint);
  if (!inLog.ok) return fail(`${codePrefix}committee_unverified`, `the committee entries are not all in the witnessed log: ${inLog.reason}`);
  const ref2 = checkCommitteeRef(entries.map((e) => e.entry), ref, what, codePrefix);
  if (!ref2.ok) return ref2;
  return pass({ size: cp.checkpoint.size });
}
