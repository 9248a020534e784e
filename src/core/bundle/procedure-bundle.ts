/**
 * The procedure bundle (docs/bundle-format.md §9): a notice letter's bundle, the secret ballot it
 * triggered, the trustees' tally and the decision, all checked offline against one signed log.
 */
import { z } from 'zod';
import { type Ballot, ballotId as computeBallotId, isRecorded, tallyCiphertexts, tallyRecorded, verifyVote } from '../ballot/ballot.ts';
import { BallotEntrySchemas } from '../ballot/entries.ts';
import { type TallyEntry, computeTally } from '../ballot/tally.ts';
import { BundleSchema, type BundleVerdict, LoggedEntrySchema, verifyBundle, verifyProofsInSlices, withEarlyProofs } from './bundle.ts';
import { committeeOfBundle, transportKeys } from '../trustee/committee.ts';
import { bytesToHex, canonicalJson } from '../encoding.ts';
import { verifyCheckpoint } from '../log/checkpoint.ts';
import { checkWitnessed, type WitnessPolicy, type WitnessSummary } from '../log/cosignature.ts';
import { checkInLog, labelled } from '../log/logged.ts';
import { rootFromLeafHashes } from '../log/merkle.ts';
import { PRESETS, decideProcedure, noticeThreshold } from '../ballot/procedures.ts';
import { type RootBuilder, RosterSnapshotSchema, checkRosterWith } from '../roster/roster.ts';
import type { SemaphoreProof, VerificationKeys } from '../crypto/semaphore.ts';
import { encodeKey } from '../trustee/dkg.ts';

export const PROCEDURE_BUNDLE_FORMAT = 'undersigned-procedure/1';
const hex32 = z.string().regex(/^[0-9a-f]{64}$/);

export const ProcedureBundleSchema = z
  .object({
    format: z.literal(PROCEDURE_BUNDLE_FORMAT),
    procedure: z.string().min(1).max(100),
    ballotId: hex32,
    log: z.object({ verifierKey: z.string().max(1000), checkpoint: z.string().max(10_000) }).strict(),
    notice: BundleSchema.nullable(),
    roster: RosterSnapshotSchema,
    committee: z.array(LoggedEntrySchema),
    opened: LoggedEntrySchema,
    votes: z.array(LoggedEntrySchema),
    closed: LoggedEntrySchema,
    tally: z.array(LoggedEntrySchema),
  })
  .strict();
export type ProcedureBundle = z.infer<typeof ProcedureBundleSchema>;

export type ProcedureVerdict =
  | {
      valid: true;
      procedure: string;
      ballotId: string;
      question: string;
      notice: { letterId: string; count: number; rosterSize: number; needed: number } | null;
      rosterSize: number;
      voters: number;
      tally: Record<string, number> | null;
      decision: string | null;
      detail: string;
      /** For a recorded ballot: each member's vote, by name. */
      recorded?: { name: string; choice: string }[];
      trustees: { used: number[]; misbehaving: { trustee: number; reason: string }[] };
      checkpoint: { origin: string; size: number; rootHash: string };
      verifierKey: string;
      /** The witnesses the ballot names and who cosigned the checkpoint; null when it names none. */
      witnesses: WitnessSummary | null;
    }
  | { valid: false; code: string; reason: string };

const invalid = (code: string, reason: string): ProcedureVerdict => ({ valid: false, code, reason });

export interface ProcedureVerifyOptions {
  keys: VerificationKeys;
  expectedVerifierKey?: string;
  /** A witness policy obtained out of band; when given, the ballot must name exactly it. */
  expectedWitnesses?: WitnessPolicy;
  onProgress?: (done: number, total: number) => void;
  rootOf?: RootBuilder;
  /** As for verifyBundle: the votes' proofs (and the notice's) checked together, from the start; same verdicts. */
  verifyProofs?: (proofs: SemaphoreProof[]) => Promise<boolean[]>;
}

export async function verifyProcedureBundle(json: unknown, options: ProcedureVerifyOptions): Promise<ProcedureVerdict> {
  // 1. Shape.
  const parsed = ProcedureBundleSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return invalid('bundle_malformed', `bundle field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const b = parsed.data;
  // The votes' proofs start now (read at step 8); a vote entry of the wrong kind is refused there.
  // Progress is the proofs' while they are checked together (the rest of a vote's checks is quick).
  const { verifyProofs } = options;
  const proofs = b.votes.flatMap((e) => (e.entry.kind === 'vote' ? [e.entry.record.proof] : []));
  return withEarlyProofs(verifyProofs && ((stop) => verifyProofsInSlices(proofs, verifyProofs, stop, options.onProgress)), (pending) => verifyProcedureSteps(b, options, pending));
}

async function verifyProcedureSteps(b: ProcedureBundle, options: ProcedureVerifyOptions, voteProofs: Promise<boolean[]> | null): Promise<ProcedureVerdict> {
  // 2. The checkpoint and its key.
  if (options.expectedVerifierKey !== undefined && options.expectedVerifierKey !== b.log.verifierKey) {
    return invalid('checkpoint_unexpected_key', 'the log is signed by another key than the one you expected');
  }
  const cp = verifyCheckpoint(b.log.checkpoint, b.log.verifierKey);
  if (!cp.ok) return invalid(cp.code, `checkpoint: ${cp.reason}`);
  // 3. Every entry in the log, in order: committee < opened < votes < closed < tally.
  const inLog = checkInLog(
    [...labelled('committee entry', b.committee), ['ballot-opened entry', b.opened], ...labelled('vote', b.votes), ['ballot-closed entry', b.closed], ...labelled('tally entry', b.tally)],
    cp,
  );
  if (!inLog.ok) return invalid(inLog.code, inLog.reason);
  // 4. The ballot, its procedure and its id.
  if (b.opened.entry.kind !== 'ballot-opened' || b.closed.entry.kind !== 'ballot-closed') return invalid('wrong_entry_kind', 'the ballot entries are of the wrong kind');
  const ballot: Ballot = b.opened.entry.ballot;
  const id = computeBallotId(ballot);
  if (id !== b.ballotId || b.opened.entry.ballotId !== id || b.closed.entry.ballotId !== id) return invalid('ballot_id_mismatch', 'the ballot id is not the hash of the ballot (its question or settings were changed)');
  const preset = PRESETS[ballot.procedure];
  if (!preset || ballot.procedure !== b.procedure) return invalid('unknown_procedure', `the bundle names the procedure "${b.procedure}", which this verifier does not know or the ballot does not use`);
  // 4b. The witnesses the ballot names cosigned the checkpoint (a quorum of them).
  const witnessed = checkWitnessed(b.log.checkpoint, ballot.witnesses, options.expectedWitnesses);
  if (!witnessed.ok) return invalid(witnessed.code, `witnesses: ${witnessed.reason}`);
  // 5. The notice: a valid letter bundle on the same log that reached the procedure's threshold.
  let notice: { letterId: string; count: number; rosterSize: number; needed: number } | null = null;
  if (!preset.notice && (b.notice || ballot.notice)) return invalid('unexpected_notice', `the procedure "${ballot.procedure}" takes no notice letter`);
  if (preset.notice) {
    if (!b.notice || ballot.notice !== b.notice.letterId) return invalid('notice_missing', 'the procedure needs its notice letter, and the bundle does not hold the one the ballot names');
    if (b.notice.log.verifierKey !== b.log.verifierKey) return invalid('notice_other_log', 'the notice is signed by another log key');
    const v: BundleVerdict = await verifyBundle(b.notice, { keys: options.keys, expectedVerifierKey: b.log.verifierKey, rootOf: options.rootOf, verifyProofs: options.verifyProofs });
    if (!v.valid) return invalid(v.code, `notice: ${v.reason}`);
    if (b.notice.closed.index >= b.opened.index) return invalid('notice_not_closed', 'the ballot opened before its notice letter closed');
    const needed = noticeThreshold(preset, v.rosterSize) ?? 0;
    if (v.count < needed) return invalid('notice_below_threshold', `the notice has ${v.count} signatures; the procedure needs ${needed}`);
    notice = { letterId: v.letterId, count: v.count, rosterSize: v.rosterSize, needed };
  }
  // 6. The roster the ballot fixed.
  const roster = await checkRosterWith(b.roster, ballot.roster, options.rootOf);
  if (!roster.ok) return invalid(roster.code, `roster: ${roster.reason}`);
  // 7. The committee whose key the votes are encrypted to.
  const committee = committeeOfBundle(b.committee.map((e) => e.entry));
  if (!committee.ok) return invalid(committee.code, committee.reason);
  const { state } = committee;
  const key = encodeKey(committee.key);
  if (ballot.committee.id !== state.id || ballot.committee.publicKey !== key.publicKey) return invalid('committee_mismatch', 'the ballot fixed another committee key than the one the log gives');
  // 8. Each vote on its own.
  const votes = [];
  const recordedVotes = [];
  const proofVerdicts = voteProofs ? await voteProofs : null;
  for (const [i, e] of b.votes.entries()) {
    if (e.entry.kind !== 'vote' || e.entry.ballotId !== id) return invalid('wrong_entry_kind', `vote ${i}: not a vote on this ballot`);
    // Every entry before i is a vote (or we returned), so vote i's verdict is at index i.
    const verdict = proofVerdicts ? async () => proofVerdicts[i] === true : undefined;
    const v = await verifyVote(e.entry.record, ballot, id, options.keys, roster.byCommitment, verdict);
    if (!v.ok) return invalid(v.code, `vote ${i}: ${v.reason}`);
    const base = { nullifier: e.entry.record.proof.nullifier, seq: e.entry.record.action.seq };
    votes.push({ ...base, cts: v.cts });
    if (v.recorded) recordedVotes.push({ ...base, ...v.recorded });
    if (!proofVerdicts) options.onProgress?.(i + 1, b.votes.length);
  }
  const recorded = isRecorded(ballot);
  // 9. The vote set is the one the close committed to, and its sums are the latest votes' sums.
  const closed = BallotEntrySchemas.closed.parse(b.closed.entry);
  // The votes' leaf hashes, as step 3 computed them (checkInLog's order: committee, opened, votes…).
  const root = bytesToHex(rootFromLeafHashes(inLog.leafHashes.slice(b.committee.length + 1, b.committee.length + 1 + b.votes.length)));
  if (closed.votes.size !== b.votes.length || closed.votes.root !== root) return invalid('votes_set_mismatch', 'the votes differ from (or are in another order than) the set the close committed to');
  const sums = tallyCiphertexts(votes, recorded ? 0 : ballot.options.length);
  if (!sums.ok) return invalid(sums.code, sums.reason);
  if (canonicalJson(sums.sums) !== canonicalJson(closed.sums) || sums.voters !== closed.voters) return invalid('tally_mismatch', 'the sums the close committed to are not the sums of the latest votes');
  // 10. The trustees' decryption of the sums, and the decision by the procedure's rule.
  if (b.tally.some((e) => e.entry.kind !== 'tally-partials')) return invalid('wrong_entry_kind', 'a tally entry is not a tally-partials entry');
  let tally: Record<string, number> | null = null;
  let voters = closed.voters;
  let recordedList: { name: string; choice: string }[] | undefined;
  let trustees: { used: number[]; misbehaving: { trustee: number; reason: string }[] } = { used: [], misbehaving: [] };
  if (recorded) {
    // A recorded ballot is counted in clear from the signed votes; no trustee decrypts anything.
    if (b.tally.length) return invalid('unexpected_tally', 'a recorded ballot has no tally decryption');
    const r = tallyRecorded(recordedVotes, ballot.options);
    if (!r.ok) return invalid(r.code, r.reason);
    tally = Object.fromEntries(ballot.options.map((o, j) => [o, r.counts[j]]));
    voters = r.voters;
    recordedList = r.recorded;
  } else {
    const t = computeTally({ ballotId: id, committeeId: state.id, k: state.committee.k, publicShares: committee.key.publicShares, transportKeys: transportKeys(state.committee), sums: closed.sums, voters: closed.voters, entries: b.tally.map((e) => e.entry as TallyEntry) });
    if (!t.ok) return invalid(t.code, t.reason);
    if (t.result.counts) tally = Object.fromEntries(ballot.options.map((o, j) => [o, t.result.counts![j]]));
    trustees = { used: t.result.trustees, misbehaving: t.result.misbehaving };
  }
  // The decision, by the procedure's rule, once the tally is known.
  const d = tally ? decideProcedure(preset, tally, ballot.roster.size) : null;
  return {
    valid: true,
    procedure: ballot.procedure,
    ballotId: id,
    question: ballot.question,
    notice,
    rosterSize: ballot.roster.size,
    voters,
    tally,
    decision: d?.decision ?? null,
    detail: d?.detail ?? `waiting for ${state.committee.k} trustees to decrypt the tally`,
    ...(recordedList ? { recorded: recordedList } : {}),
    trustees,
    checkpoint: { origin: cp.origin, size: cp.size, rootHash: bytesToHex(cp.rootHash) },
    verifierKey: b.log.verifierKey,
    witnesses: witnessed.witnesses,
  };
}
