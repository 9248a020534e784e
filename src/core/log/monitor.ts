/**
 * A log monitor (RFC 9162 §8.2; DESIGN §2 "monitors replay the whole log and check its rules";
 * docs/monitor.md): everything a monitor checks about a log it downloaded, with no I/O. The
 * command (src/cli/commands/monitor.ts) fetches; this module judges.
 *
 * Two parts, in the order the monitor runs them:
 *   1. `checkHead`: the checkpoint is signed by the pinned log key, does not roll back or fork
 *      from the checkpoint saved last time (RFC 9162 §2.1.4.2 consistency), and its root is the
 *      RFC 9162 root of the entries served (each leaf hash recomputed from its entry).
 *   2. `checkLogRules`: a walk over the entries in log order, holding the protocol's rules, each
 *      by the core function the server and the verifiers use where one exists (evaluateCommittee,
 *      checkRecordWithoutProof, tally, checkRevealEntry, checkTallyEntry, rosterRef).
 * The first anomaly stops the walk: it has a stable code (docs/monitor.md), the log index it is
 * at (for a checkpoint: its tree size) and one sentence. Nothing here throws on bad input.
 *
 * What is not checked here: Semaphore proofs (membership, proposals, votes; `undersigned verify`
 * checks a closed letter's or ballot's proofs), encrypted votes and the sums of a ballot close,
 * and entries the server withholds (signatures of a letter whose count is hidden) beyond their
 * leaf hash.
 */
import { type CommitteeEntry, type CommitteeState, evaluateCommittee, transportKeys } from '../trustee/committee.ts';
import { bytesToHex, canonicalJson, hexToBytes } from '../encoding.ts';
import { DEFAULT_MIN_GROUP_SIZE, countHiddenFromPublic, letterId as computeLetterId, type Letter } from '../letter/letter.ts';
import { ballotId as computeBallotId, type Ballot } from '../ballot/ballot.ts';
import { checkTallyEntry } from '../ballot/tally.ts';
import { checkRecordWithoutProof } from '../letter/record.ts';
import { checkRevealEntry, sealedToReveal } from '../sealed/reveal.ts';
import { type RosterMember, type RosterRef, rosterDigest, rosterRef } from '../roster/roster.ts';
import { SNARK_FIELD } from '../crypto/semaphore.ts';
import { tally } from '../letter/tally.ts';
import { encodeKey } from '../trustee/dkg.ts';
import { type Checkpoint, verifyCheckpoint } from './checkpoint.ts';
import { type WitnessPolicy, checkWitnessPolicy, samePolicy } from './cosignature.ts';
import { type EntryOf, type LogEntry, LogEntrySchema, entryLeafHash } from './entry.ts';
import { rootFromLeafHashes, verifyConsistency } from './merkle.ts';

/** The first rule a log breaks: a stable code, where, and one sentence. */
export interface Anomaly {
  code: string;
  /** The entry's log index; for a checkpoint anomaly, the checkpoint's tree size. */
  index: number;
  reason: string;
}

export type MonitorCheck<T> = ({ ok: true } & T) | { ok: false; anomaly: Anomaly };

const anomaly = (code: string, index: number, reason: string): { ok: false; anomaly: Anomaly } => ({ ok: false, anomaly: { code, index, reason } });

/** An entry as GET /api/log/entries serves it (docs/api.md §Log): `entry` null when withheld. */
export interface ServedEntry {
  index: number;
  leafHash: string;
  entry: unknown;
}

/** What a monitor keeps between runs: the last checkpoint it accepted. */
export interface SavedHead {
  size: number;
  /** Hex root hash at `size`. */
  root: string;
}

// --- 1. the head -------------------------------------------------------------------------------

export interface HeadInput {
  /** The checkpoint as served (a signed note). */
  checkpoint: string;
  /** The log key (signed-note verifier key) pinned or given. */
  logKey: string;
  /** Every entry from 0 to the checkpoint's size − 1. */
  entries: readonly ServedEntry[];
  /** The checkpoint accepted last time, if any. */
  saved?: SavedHead;
  /** RFC 9162 consistency proof (hex) from saved.size to the checkpoint's size, when saved.size < size. */
  consistency?: readonly string[];
}

/**
 * The checkpoint verifies under the log key, extends the saved one, and commits to exactly these
 * entries. Returns the checkpoint and the parsed entries (null where withheld).
 */
export function checkHead(input: HeadInput): MonitorCheck<{ checkpoint: Checkpoint; entries: (LogEntry | null)[] }> {
  const cp = verifyCheckpoint(input.checkpoint, input.logKey);
  if (!cp.ok) return anomaly('checkpoint_signature', checkpointSize(input.checkpoint), `the checkpoint does not verify under the log key (${cp.reason})`);
  const { size, rootHash } = cp;
  const root = bytesToHex(rootHash);
  const saved = input.saved;
  if (saved) {
    if (size < saved.size) return anomaly('rollback', size, `the log shrank: the checkpoint is at size ${size}, but one at size ${saved.size} was seen before`);
    if (size === saved.size && root !== saved.root) return anomaly('fork', size, `two different roots for size ${size}: the log shown now is not the one seen before`);
    if (size > saved.size) {
      const proof = (input.consistency ?? []).map((h) => hexToBytes(h));
      const c = verifyConsistency({ size1: saved.size, size2: size, root1: hexToBytes(saved.root), root2: rootHash, proof });
      if (!c.ok) return anomaly('fork', size, `the checkpoint at size ${size} does not extend the one at size ${saved.size} seen before (${c.reason})`);
    }
  }
  if (input.entries.length !== size) return anomaly('entries_missing', Math.min(input.entries.length, size), `the server served ${input.entries.length} entries for a log of ${size}`);
  const leaves: Uint8Array[] = [];
  const parsed: (LogEntry | null)[] = [];
  for (let i = 0; i < size; i++) {
    const served = input.entries[i];
    if (served.index !== i) return anomaly('entries_missing', i, `entry ${i} is missing (the server served index ${served.index} in its place)`);
    if (!/^[0-9a-f]{64}$/.test(served.leafHash)) return anomaly('entry_malformed', i, `entry ${i} has no valid leaf hash`);
    if (served.entry === null) {
      leaves.push(hexToBytes(served.leafHash));
      parsed.push(null);
      continue;
    }
    const e = LogEntrySchema.safeParse(served.entry);
    if (!e.success) return anomaly('entry_malformed', i, `entry ${i} is not a log entry (${e.error.issues[0].path.join('.')}: ${e.error.issues[0].message})`);
    const leaf = entryLeafHash(e.data);
    if (bytesToHex(leaf) !== served.leafHash) return anomaly('leaf_hash_mismatch', i, `entry ${i}'s leaf hash is not the hash of the entry served`);
    leaves.push(leaf);
    parsed.push(e.data);
  }
  if (bytesToHex(rootFromLeafHashes(leaves)) !== root) return anomaly('root_mismatch', size, `the entries served do not hash to the checkpoint's root at size ${size}`);
  return { ok: true, checkpoint: cp, entries: parsed };
}

function checkpointSize(note: string): number {
  const n = Number(String(note).split('\n')[1]);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

// --- 2. the rules ------------------------------------------------------------------------------

export interface MonitorSummary {
  entries: number;
  /** Entries whose body the server withholds (signatures of letters whose count is hidden). */
  withheld: number;
  members: number;
  letters: number;
  closes: number;
  signatures: number;
  ballots: number;
  ballotCloses: number;
  committees: number;
  reveals: number;
  tallies: number;
  /** witness-policy entries. */
  policies: number;
}

interface LetterState {
  letter: Letter;
  closed: EntryOf<'letter-closed'> | null;
  byCommitment: Map<string, RosterMember>;
  leaves: Uint8Array[];
  records: { nullifier: string; action: EntryOf<'signature'>['record']['action']; signer: RosterMember | null }[];
  revealers: Set<number>;
}

interface BallotState {
  ballot: Ballot;
  closed: EntryOf<'ballot-closed'> | null;
  leaves: Uint8Array[];
  talliers: Set<number>;
}

interface MemberState {
  id: number;
  name: string;
  leaf: number | null;
  commitment: string | null;
}

/**
 * Replay the log's entries (index i at position i; null where withheld) and check each against the
 * protocol's rules. `logKey`, when given, must be the key the `instance-created` entry states.
 */
export function checkLogRules(entries: readonly (LogEntry | null)[], options: { logKey?: string; minGroupSize?: number } = {}): MonitorCheck<{ summary: MonitorSummary }> {
  const minGroupSize = options.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE;
  const members = new Map<number, MemberState>();
  const everAdded = new Set<number>();
  const commitments = new Map<string, number>();
  let leafCount = 0;
  const refsSeen = new Set<string>();
  const letters = new Map<string, LetterState>();
  const ballots = new Map<string, BallotState>();
  const committees = new Map<string, CommitteeEntry[]>();
  let policy: WitnessPolicy | null = null;
  const ready = new Map<string, CommitteeState>();
  // A withheld body must be a signature of a letter whose count is still hidden: one opened before
  // it, never closed (a close makes its records public), and not counted live (a live letter of a
  // group smaller than the instance's minimum group size is not counted live either, §7.3).
  const closedEver = new Set(entries.flatMap((e) => (e?.kind === 'letter-closed' ? [e.letterId] : [])));
  const summary: MonitorSummary = { entries: entries.length, withheld: 0, members: 0, letters: 0, closes: 0, signatures: 0, ballots: 0, ballotCloses: 0, committees: 0, reveals: 0, tallies: 0, policies: 0 };

  const snapshot = () => ({ leafCount, members: [...members.values()].sort((a, b) => a.id - b.id) });
  /** The roster a letter or ballot opened at `i` fixed must be the roster the log gives at `i`. */
  const rosterMatches = (ref: RosterRef): string | null => {
    const snap = snapshot();
    if (rosterDigest(snap) !== ref.digest) return 'its roster digest is not that of the roster on the log at that point';
    const key = canonicalJson(ref);
    if (refsSeen.has(key)) return null;
    const computed = rosterRef(snap);
    if (!computed.ok) return `the roster on the log at that point is not well formed (${computed.reason})`;
    if (canonicalJson(computed.ref) !== key) return 'its roster (root, size or depth) is not the roster on the log at that point';
    refsSeen.add(key);
    return null;
  };
  const committeeMatches = (ref: { id: string; publicKey: string; k: number; n: number }): string | null => {
    const state = ready.get(ref.id);
    if (!state?.key) return `committee ${ref.id.slice(0, 12)}… has no completed key generation on the log before it`;
    if (encodeKey(state.key).publicKey !== ref.publicKey || state.committee.k !== ref.k || state.committee.n !== ref.n) return 'its committee key or threshold is not the one the committee entries give';
    return null;
  };

  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (i === 0) {
      if (e?.kind !== 'instance-created') return anomaly('first_entry', 0, 'the log does not start with an instance-created entry');
      if (options.logKey !== undefined && e.verifierKey !== options.logKey) return anomaly('log_key_mismatch', 0, 'the instance-created entry states another log key than the one the checkpoint is checked with');
      continue;
    }
    if (e === null) {
      const hiding = [...letters.entries()].some(([id, l]) => !closedEver.has(id) && countHiddenFromPublic(l.letter, minGroupSize));
      if (!hiding) return anomaly('withheld_unexplained', i, `entry ${i}'s body is withheld, but no letter whose count is hidden is open at that point`);
      summary.withheld++;
      continue;
    }
    switch (e.kind) {
      case 'instance-created':
        return anomaly('instance_created_twice', i, 'a second instance-created entry');

      // The witness policy: a valid one (or none), which every letter and ballot opened after it names.
      case 'witness-policy': {
        if (e.policy !== null) {
          const checked = checkWitnessPolicy(e.policy);
          if (!checked.ok) return anomaly('witness_policy_invalid', i, checked.reason);
        }
        policy = e.policy;
        summary.policies++;
        break;
      }

      // Roster changes (docs/protocol.md §3): the replay src/server/instance.ts makes, with the
      // rules the server applies before logging each change.
      case 'member-added':
        if (everAdded.has(e.member)) return anomaly('roster_change_invalid', i, `member ${e.member} is added a second time`);
        everAdded.add(e.member);
        members.set(e.member, { id: e.member, name: e.name, leaf: null, commitment: null });
        break;
      case 'member-enrolled': {
        const m = members.get(e.member);
        if (!m) return anomaly('roster_change_invalid', i, `member ${e.member} enrolls without being on the roster`);
        if (m.commitment !== null) return anomaly('roster_change_invalid', i, `member ${e.member} enrolls a second time`);
        if (e.leaf !== leafCount) return anomaly('roster_change_invalid', i, `member ${e.member} enrolls at leaf ${e.leaf}, not the next leaf ${leafCount}`);
        const bad = commitmentProblem(e.commitment, commitments);
        if (bad) return anomaly('roster_change_invalid', i, `member ${e.member}: ${bad}`);
        members.set(e.member, { ...m, leaf: e.leaf, commitment: e.commitment });
        commitments.set(e.commitment, e.member);
        leafCount++;
        break;
      }
      case 'member-replaced': {
        const m = members.get(e.member);
        if (!m || m.commitment === null) return anomaly('roster_change_invalid', i, `member ${e.member} has no identity to replace`);
        if (e.leaf !== m.leaf) return anomaly('roster_change_invalid', i, `member ${e.member}'s replacement names leaf ${e.leaf}, not their leaf ${m.leaf}`);
        const bad = commitmentProblem(e.commitment, commitments);
        if (bad) return anomaly('roster_change_invalid', i, `member ${e.member}: ${bad}`);
        commitments.delete(m.commitment);
        commitments.set(e.commitment, e.member);
        members.set(e.member, { ...m, commitment: e.commitment });
        break;
      }
      case 'member-removed': {
        const m = members.get(e.member);
        if (!m) return anomaly('roster_change_invalid', i, `member ${e.member} is removed without being on the roster`);
        if (e.leaf !== m.leaf) return anomaly('roster_change_invalid', i, `member ${e.member}'s removal names leaf ${e.leaf}, not their leaf ${m.leaf}`);
        if (m.commitment) commitments.delete(m.commitment);
        members.delete(e.member);
        break;
      }

      // Letters: one open, records only while open, at most one close that commits to them.
      case 'letter-opened': {
        if (letters.has(e.letterId)) return anomaly('letter_opened_twice', i, `letter ${short(e.letterId)} is opened a second time`);
        if (computeLetterId(e.letter) !== e.letterId) return anomaly('letter_id_mismatch', i, `the letter opened as ${short(e.letterId)} does not hash to that id`);
        const roster = rosterMatches(e.letter.roster);
        if (roster) return anomaly('letter_roster_mismatch', i, `letter ${short(e.letterId)}: ${roster}`);
        if (!samePolicy(e.letter.witnesses, policy)) return anomaly('letter_witness_policy_mismatch', i, `letter ${short(e.letterId)} names other witnesses than the instance's policy on the log at that point`);
        if (e.letter.committee) {
          const c = committeeMatches(e.letter.committee);
          if (c) return anomaly('letter_committee_mismatch', i, `letter ${short(e.letterId)}: ${c}`);
        }
        const byCommitment = new Map<string, RosterMember>();
        for (const m of members.values()) if (m.commitment) byCommitment.set(m.commitment, { ...m });
        letters.set(e.letterId, { letter: e.letter, closed: null, byCommitment, leaves: [], records: [], revealers: new Set() });
        summary.letters++;
        break;
      }
      case 'signature': {
        const l = letters.get(e.letterId);
        if (!l) return anomaly('unknown_letter', i, `a signature for letter ${short(e.letterId)}, which was never opened`);
        if (l.closed) return anomaly('entry_after_close', i, `a signature for letter ${short(e.letterId)} after its close`);
        const checked = checkRecordWithoutProof(e.record, { letterId: e.letterId, letter: l.letter, byCommitment: l.byCommitment });
        if (!checked.ok) return anomaly('record_invalid', i, `a signature for letter ${short(e.letterId)} breaks a record rule (${checked.code}: ${checked.reason})`);
        l.leaves.push(entryLeafHash(e));
        l.records.push({ nullifier: e.record.proof.nullifier, action: e.record.action, signer: checked.signer });
        summary.signatures++;
        break;
      }
      case 'letter-closed': {
        const l = letters.get(e.letterId);
        if (!l) return anomaly('unknown_letter', i, `a close for letter ${short(e.letterId)}, which was never opened`);
        if (l.closed) return anomaly('letter_closed_twice', i, `letter ${short(e.letterId)} is closed a second time`);
        const root = bytesToHex(rootFromLeafHashes(l.leaves));
        if (e.records.size !== l.leaves.length || e.records.root !== root) {
          return anomaly('close_records_mismatch', i, `the close of letter ${short(e.letterId)} commits to ${e.records.size} records, not the ${l.leaves.length} signature entries on the log`);
        }
        const t = tally(l.records.map((r) => ({ nullifier: r.nullifier, action: r.action, signerName: r.signer?.name ?? null, signerId: r.signer?.id ?? null })));
        if (!t.ok) return anomaly('close_result_mismatch', i, `letter ${short(e.letterId)}'s records do not count (${t.code}: ${t.reason})`);
        if (t.tally.count !== e.result.count || t.tally.named.map((n) => n.name).join('\n') !== e.result.named.join('\n')) {
          return anomaly('close_result_mismatch', i, `the close of letter ${short(e.letterId)} states ${e.result.count} signatures and ${e.result.named.length} named; its records give ${t.tally.count} and ${t.tally.named.length}`);
        }
        l.closed = e;
        summary.closes++;
        break;
      }
      case 'reveal-partials': {
        const l = letters.get(e.letterId);
        if (!l) return anomaly('unknown_letter', i, `partial decryptions for letter ${short(e.letterId)}, which was never opened`);
        if (!l.closed) return anomaly('reveal_before_close', i, `trustee ${e.trustee} published partial decryptions for letter ${short(e.letterId)} before its close`);
        const threshold = l.letter.revealThreshold;
        if (threshold === 0 || l.closed.result.count < threshold) {
          return anomaly('reveal_below_threshold', i, `partial decryptions for letter ${short(e.letterId)}, which closed with ${l.closed.result.count} signatures, below its reveal threshold ${threshold}`);
        }
        const state = l.letter.committee ? ready.get(l.letter.committee.id) : undefined;
        if (!state?.key || e.committeeId !== state.id) return anomaly('reveal_invalid', i, `partial decryptions for letter ${short(e.letterId)} by a committee the letter did not fix`);
        if (l.revealers.has(e.trustee)) return anomaly('reveal_twice', i, `trustee ${e.trustee} published partial decryptions for letter ${short(e.letterId)} a second time`);
        const sealed = sealedToReveal(l.records);
        const c = checkRevealEntry({ letterId: e.letterId, committeeId: state.id, publicShares: state.key.publicShares, transportKeys: transportKeys(state.committee), sealed }, e);
        if (!c.ok) return anomaly(c.code === 'unsigned_reveal' ? 'reveal_unsigned' : 'reveal_invalid', i, c.reason);
        l.revealers.add(e.trustee);
        summary.reveals++;
        break;
      }

      // Ballots: the same shape as letters, with a trustee tally after the close.
      case 'ballot-opened': {
        if (ballots.has(e.ballotId)) return anomaly('ballot_opened_twice', i, `ballot ${short(e.ballotId)} is opened a second time`);
        if (computeBallotId(e.ballot) !== e.ballotId) return anomaly('ballot_id_mismatch', i, `the ballot opened as ${short(e.ballotId)} does not hash to that id`);
        const roster = rosterMatches(e.ballot.roster);
        if (roster) return anomaly('ballot_roster_mismatch', i, `ballot ${short(e.ballotId)}: ${roster}`);
        if (!samePolicy(e.ballot.witnesses, policy)) return anomaly('ballot_witness_policy_mismatch', i, `ballot ${short(e.ballotId)} names other witnesses than the instance's policy on the log at that point`);
        const c = committeeMatches(e.ballot.committee);
        if (c) return anomaly('ballot_committee_mismatch', i, `ballot ${short(e.ballotId)}: ${c}`);
        ballots.set(e.ballotId, { ballot: e.ballot, closed: null, leaves: [], talliers: new Set() });
        summary.ballots++;
        break;
      }
      case 'vote': {
        const b = ballots.get(e.ballotId);
        if (!b) return anomaly('unknown_ballot', i, `a vote for ballot ${short(e.ballotId)}, which was never opened`);
        if (b.closed) return anomaly('entry_after_close', i, `a vote for ballot ${short(e.ballotId)} after its close`);
        b.leaves.push(entryLeafHash(e));
        break;
      }
      case 'ballot-closed': {
        const b = ballots.get(e.ballotId);
        if (!b) return anomaly('unknown_ballot', i, `a close for ballot ${short(e.ballotId)}, which was never opened`);
        if (b.closed) return anomaly('ballot_closed_twice', i, `ballot ${short(e.ballotId)} is closed a second time`);
        if (e.votes.size !== b.leaves.length || e.votes.root !== bytesToHex(rootFromLeafHashes(b.leaves))) {
          return anomaly('close_records_mismatch', i, `the close of ballot ${short(e.ballotId)} commits to ${e.votes.size} votes, not the ${b.leaves.length} vote entries on the log`);
        }
        b.closed = e;
        summary.ballotCloses++;
        break;
      }
      case 'tally-partials': {
        const b = ballots.get(e.ballotId);
        if (!b) return anomaly('unknown_ballot', i, `tally partials for ballot ${short(e.ballotId)}, which was never opened`);
        if (!b.closed) return anomaly('tally_before_close', i, `trustee ${e.trustee} published tally partials for ballot ${short(e.ballotId)} before its close`);
        const state = ready.get(b.ballot.committee.id);
        if (!state?.key || e.committeeId !== state.id) return anomaly('tally_invalid', i, `tally partials for ballot ${short(e.ballotId)} by a committee the ballot did not fix`);
        if (b.talliers.has(e.trustee)) return anomaly('tally_twice', i, `trustee ${e.trustee} published tally partials for ballot ${short(e.ballotId)} a second time`);
        const c = checkTallyEntry({ ballotId: e.ballotId, committeeId: state.id, publicShares: state.key.publicShares, transportKeys: transportKeys(state.committee), sums: b.closed.sums }, e);
        if (!c.ok) return anomaly(c.code === 'unsigned_tally' ? 'tally_unsigned' : 'tally_invalid', i, c.reason);
        b.talliers.add(e.trustee);
        summary.tallies++;
        break;
      }

      // Committee entries: each committee's history so far must replay (evaluateCommittee).
      default: {
        const id = e.kind === 'dkg-contribution' ? e.contribution.committeeId : e.committeeId;
        const history = committees.get(id) ?? [];
        if (e.kind === 'committee-created') {
          if (committees.has(id)) return anomaly('committee_invalid', i, `committee ${short(id)} is created a second time`);
          summary.committees++;
        } else if (!committees.has(id)) return anomaly('committee_invalid', i, `a ${e.kind} entry for committee ${short(id)}, which was never created`);
        if (e.kind === 'committee-ready' && ready.has(id)) return anomaly('committee_invalid', i, `committee ${short(id)} is declared ready a second time`);
        history.push(e);
        committees.set(id, history);
        const replay = evaluateCommittee(history);
        if (!replay.ok) return anomaly('committee_invalid', i, `committee ${short(id)}'s entries do not replay (${replay.code}: ${replay.reason})`);
        if (e.kind === 'committee-ready') ready.set(id, replay.state);
      }
    }
  }
  summary.members = members.size;
  return { ok: true, summary };
}

function commitmentProblem(commitment: string, held: ReadonlyMap<string, number>): string | null {
  if (BigInt(commitment) >= SNARK_FIELD) return 'the identity commitment is not a field element';
  if (held.has(commitment)) return `the identity commitment is already member ${held.get(commitment)}'s`;
  return null;
}

const short = (id: string) => `${id.slice(0, 12)}…`;
