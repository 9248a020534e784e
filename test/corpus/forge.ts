/**
 * What a malicious server can do to a bundle it makes, as pure functions: rebuild a log that
 * holds exactly the bundle's entries and sign it with a key of its own (so that the bundle is
 * self-consistent as a log, and only the semantic checks can refuse it), re-commit a close to
 * records as they now are, and small edits of signed notes. Used by the bad-bundle generator
 * (generate.ts) and by the tests that play the forger (test/bundle-tampering.test.ts).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Bundle, LoggedEntry } from '../../src/core/bundle/bundle.ts';
import { bytesToHex, sha256, utf8ToBytes } from '../../src/core/encoding.ts';
import { formatCheckpoint, signNote, verifierKey as makeVerifierKey } from '../../src/core/log/checkpoint.ts';
import { type LogEntry, entryLeafHash } from '../../src/core/log/entry.ts';
import { MerkleTree, rootFromLeafHashes } from '../../src/core/log/merkle.ts';
import type { ProcedureBundle } from '../../src/core/bundle/procedure-bundle.ts';

/** The origin of the worlds test/support/world.ts makes. */
export const ORIGIN = 'test.invalid/caucus';

/** A fresh log key (deterministic), under the same origin as the real log. */
export const forgerSecret = sha256(utf8ToBytes('forger'));
export const forgerKey = makeVerifierKey(ORIGIN, ed25519.getPublicKey(forgerSecret));

/** Sign a checkpoint for a tree with `secretKey` (default: the forger's). */
export function checkpointFor(tree: MerkleTree, secretKey = forgerSecret): string {
  return signNote(formatCheckpoint({ origin: ORIGIN, size: tree.size, rootHash: tree.root() }), { name: ORIGIN, secretKey });
}

/** Put `logged` at positions 0..n−1 of a new log signed by the forger; returns that log. */
export function relogEntries(logged: readonly LoggedEntry[]): Bundle['log'] {
  const tree = new MerkleTree(logged.map((l) => entryLeafHash(l.entry)));
  logged.forEach((l, i) => {
    l.index = i;
    l.proof = tree.inclusionProof(i).map(bytesToHex);
  });
  return { verifierKey: forgerKey, checkpoint: checkpointFor(tree) };
}

/** A letter bundle's entries in log order: committee, opened, records, closed, reveals. */
const letterEntries = (b: Bundle): LoggedEntry[] => [...(b.committee ?? []), b.opened, ...b.records, b.closed, ...(b.reveals ?? [])];

/** Rebuild a log holding exactly the letter bundle's entries, signed by the forger. */
export function relog(b: Bundle): Bundle {
  b.log = relogEntries(letterEntries(b));
  return b;
}

/** The leaf hashes' root of a list of logged entries, as a close commits to it. */
const setOf = (list: readonly LoggedEntry[]) => ({ size: list.length, root: bytesToHex(rootFromLeafHashes(list.map((r) => entryLeafHash(r.entry)))) });

/** Make the close commit to the bundle's records as they now are (then re-log). */
export function reclose(b: Bundle): Bundle {
  entry(b.closed.entry, 'letter-closed').records = setOf(b.records);
  return relog(b);
}

/**
 * Rebuild one log holding the procedure bundle's entries and its notice's (notice first, then
 * the committee, the ballot, its votes, its close and the tally), signed by the forger.
 */
export function relogProcedure(b: ProcedureBundle): ProcedureBundle {
  const notice = b.notice ? letterEntries(b.notice) : [];
  b.log = relogEntries([...notice, ...b.committee, b.opened, ...b.votes, b.closed, ...b.tally]);
  if (b.notice) b.notice.log = b.log;
  return b;
}

/** Make the ballot's close commit to the bundle's votes as they now are (then re-log). */
export function recloseBallot(b: ProcedureBundle): ProcedureBundle {
  entry(b.closed.entry, 'ballot-closed').votes = setOf(b.votes);
  return relogProcedure(b);
}

/** Narrow a logged entry to its kind for editing. */
export function entry<K extends LogEntry['kind']>(e: LogEntry, kind: K): Extract<LogEntry, { kind: K }> {
  if (e.kind !== kind) throw new Error(`expected a ${kind} entry, got ${e.kind}`);
  return e as Extract<LogEntry, { kind: K }>;
}

/** Add one to a decimal string. */
export const bump = (s: string) => (BigInt(s) + 1n).toString();

/** Change one character of the base64 signature of a signed note, keeping it canonical base64. */
export function flipSignature(note: string): string {
  const lines = note.split('\n');
  const i = lines.findIndex((l) => l.startsWith('\u2014 '));
  const at = lines[i].length - 10; // inside the signature bytes, away from key ID and padding
  lines[i] = lines[i].slice(0, at) + (lines[i][at] === 'A' ? 'B' : 'A') + lines[i].slice(at + 1);
  return lines.join('\n');
}

/** Replace the checkpoint's body line `line` (0 origin, 1 size, 2 root), keeping the signature. */
export function editCheckpointLine(note: string, line: number, value: (old: string) => string): string {
  const lines = note.split('\n');
  lines[line] = value(lines[line]);
  return lines.join('\n');
}
