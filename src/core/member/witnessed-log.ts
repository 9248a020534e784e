/**
 * What a member's client accepts from the server only with proof from the public, witnessed log
 * (docs/protocol.md §2, docs/threat-model.md): a checkpoint signed by the log key the member
 * pinned AND cosigned by a quorum of the witnesses the member pinned; entries (a trustee
 * committee's) only with inclusion proofs against such a checkpoint. A server that shows one
 * member an invented committee must then put it on the one log every witness, trustee and
 * monitor sees, where the trustees it names find entries they never made.
 *
 * Used by the browser's prover worker and the member CLI before a letter is signed (the letter and
 * so the roster it counts against: checkOpenedOnLog) and before a name is sealed or a vote
 * encrypted (the committee: checkCommitteeOnLog). The caller also checks that the checkpoint extends the last one it saw (a
 * consistency proof: src/web/logwatch.ts, src/cli/member.ts).
 */
import { type Checkpoint, verifyCheckpoint } from '../log/checkpoint.ts';
import { type WitnessPolicy, type WitnessSummary, checkWitnessed, samePolicy } from '../log/cosignature.ts';
import { LogEntrySchema } from '../log/entry.ts';
import { checkInLog, labelled } from '../log/logged.ts';
import { type Check, fail, pass } from '../result.ts';
import { checkCommitteeRef } from './committee-ref.ts';
import { type Ballot, ballotId } from '../ballot/ballot.ts';
import { type Letter, letterId } from '../letter/letter.ts';

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
  const entries = parsedEntries(view);
  if (typeof entries === 'number') return fail(`${codePrefix}committee_unverified`, `committee entry ${entries} is malformed`);
  const inLog = checkInLog(labelled('committee entry', entries), cp.checkpoint);
  if (!inLog.ok) return fail(`${codePrefix}committee_unverified`, `the committee entries are not all in the witnessed log: ${inLog.reason}`);
  const ref2 = checkCommitteeRef(entries.map((e) => e.entry), ref, what, codePrefix);
  if (!ref2.ok) return ref2;
  return pass({ size: cp.checkpoint.size });
}

/** The view's entries parsed, or the position of the first malformed one. */
function parsedEntries(view: LogView) {
  const entries = [];
  if (!Array.isArray(view?.entries)) return 0;
  for (const [i, e] of view.entries.entries()) {
    const parsed = LogEntrySchema.safeParse(e?.entry);
    const proofOk = Array.isArray(e.proof) && e.proof.every((h: unknown) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h));
    if (!parsed.success || !proofOk || !Number.isSafeInteger(e.index) || e.index < 0) return i;
    entries.push({ index: e.index, entry: parsed.data, proof: e.proof });
  }
  return entries;
}

/**
 * The anchor of a client that keeps no policy of its own (the member CLI): the witnesses the letter
 * or ballot itself names. Its id, which the member holds, commits to them, so a server cannot
 * swap them for a policy of its choosing.
 */
export interface NamedAnchor {
  verifierKey: string;
  witnesses: 'as-named';
}

/**
 * The letter (or ballot) a member is about to sign (or vote on), taken from its `letter-opened`
 * (`ballot-opened`) entry on the witnessed log, never from the server's word: the view holds
 * exactly that one entry, the words it logs hash to the id, the checkpoint checks out
 * (checkWitnessedCheckpoint) and the entry is in its tree (an inclusion proof). The roster the
 * member proves membership of is then the one that letter fixes (its `roster` reference, which
 * the snapshot the server sends must match: core/roster/roster.ts checkRoster). A server that
 * shows one member a letter, or a roster, that nobody else sees must put it on the one log every
 * witness and monitor sees.
 * Codes (for a ballot, ballot_ for letter_): letter_not_on_log, letter_id_mismatch,
 * letter_log_unverified, letter_not_witnessed.
 */
export function checkOpenedOnLog(view: LogView, id: string, anchor: LogAnchor | NamedAnchor, what: 'letter'): Check<{ letter: Letter; index: number; size: number }>;
export function checkOpenedOnLog(view: LogView, id: string, anchor: LogAnchor | NamedAnchor, what: 'ballot'): Check<{ ballot: Ballot; index: number; size: number }>;
export function checkOpenedOnLog(view: LogView, id: string, anchor: LogAnchor | NamedAnchor, what: 'letter' | 'ballot'): Check<{ letter?: Letter; ballot?: Ballot; index: number; size: number }> {
  const notOnLog = `${what}_not_on_log`;
  const entries = parsedEntries(view);
  if (typeof entries === 'number') return fail(notOnLog, `the ${what}'s log entry is malformed`);
  if (entries.length !== 1) return fail(notOnLog, `expected the one entry that opened the ${what}, got ${entries.length}`);
  const [{ index, entry }] = entries;
  let opened: { letter: Letter } | { ballot: Ballot };
  if (entry.kind === 'letter-opened' && what === 'letter' && entry.letterId === id) {
    if (letterId(entry.letter) !== id) return fail('letter_id_mismatch', `the logged letter's words do not hash to its id`);
    opened = { letter: entry.letter };
  } else if (entry.kind === 'ballot-opened' && what === 'ballot' && entry.ballotId === id) {
    if (ballotId(entry.ballot) !== id) return fail('ballot_id_mismatch', `the logged ballot's question does not hash to its id`);
    opened = { ballot: entry.ballot };
  } else {
    return fail(notOnLog, `the entry at position ${index} (${entry.kind}) is not the opening of this ${what}`);
  }
  const witnesses = anchor.witnesses === 'as-named' ? ('letter' in opened ? opened.letter : opened.ballot).witnesses : anchor.witnesses;
  const cp = checkWitnessedCheckpoint(view.checkpoint, { verifierKey: anchor.verifierKey, witnesses }, `${what}_`);
  if (!cp.ok) return cp;
  const inLog = checkInLog(labelled(`the ${what}'s opening`, entries), cp.checkpoint);
  if (!inLog.ok) return fail(notOnLog, `the ${what} is not in the witnessed log: ${inLog.reason}`);
  return pass({ ...opened, index, size: cp.checkpoint.size });
}
