/**
 * Watching the public log from this browser (docs/protocol.md §2): keep the last checkpoint seen,
 * and each time a newer one arrives, ask the server for a consistency proof (RFC 9162 §2.1.4)
 * that the new tree extends the old one. A server that shows different logs to different people
 * (a "split view"), or rewrites its history, must at some point sign two checkpoints that no
 * consistency proof can join: this browser then keeps both as evidence and says so in red.
 *
 * The log key is pinned: by the member's identity file when there is one (written at
 * enrollment), else by the first key this browser saw.
 */
import { hexToBytes } from '../core/encoding.ts';
import { type Checkpoint, verifyCheckpoint } from '../core/log/checkpoint.ts';
import { verifyConsistency } from '../core/log/merkle.ts';
import { api } from './api.ts';
import { device, type ForkEvidence } from './device.ts';

export type LogCheck =
  | { state: 'first'; checkpoint: Checkpoint; note: string; verifierKey: string }
  | { state: 'same' | 'grew'; checkpoint: Checkpoint; note: string; verifierKey: string; from: number }
  | { state: 'fork'; evidence: ForkEvidence; verifierKey: string }
  | { state: 'key-changed'; expected: string; got: string }
  | { state: 'bad-signature'; reason: string; verifierKey: string };

/** The key this browser expects the log to be signed with. */
export function expectedVerifierKey(serverKey: string): string {
  const pinned = device.identityFile()?.label.instance ?? device.seenVerifierKey();
  if (pinned) return pinned;
  device.setSeenVerifierKey(serverKey);
  return serverKey;
}

export async function checkLog(serverKey: string): Promise<LogCheck> {
  const expected = expectedVerifierKey(serverKey);
  const kept = device.fork();
  if (kept) return { state: 'fork', evidence: kept, verifierKey: expected };
  if (serverKey !== expected) return { state: 'key-changed', expected, got: serverKey };

  const note = await api.checkpoint();
  const now = verifyCheckpoint(note, expected);
  if (!now.ok) return { state: 'bad-signature', reason: now.reason, verifierKey: expected };

  const last = device.lastCheckpoint();
  const before = last && last.verifierKey === expected ? verifyCheckpoint(last.note, expected) : null;
  if (!last || !before || !before.ok) {
    device.setLastCheckpoint({ verifierKey: expected, note });
    return { state: 'first', checkpoint: now, note, verifierKey: expected };
  }

  const fork = (reason: string): LogCheck => {
    const evidence = { earlier: last.note, later: note, reason };
    device.setFork(evidence);
    return { state: 'fork', evidence, verifierKey: expected };
  };
  if (now.size < before.size) return fork(`the log shrank from ${before.size} to ${now.size} entries`);
  if (now.size === before.size) {
    if (bytesEqual(now.rootHash, before.rootHash)) return { state: 'same', checkpoint: now, note, verifierKey: expected, from: before.size };
    return fork(`two different logs of ${now.size} entries`);
  }
  const { proof } = await api.consistency(before.size, now.size);
  const c = verifyConsistency({ size1: before.size, size2: now.size, root1: before.rootHash, root2: now.rootHash, proof: proof.map(hexToBytes) });
  if (!c.ok) return fork(`the log of ${now.size} entries does not extend the one of ${before.size} (${c.reason})`);
  device.setLastCheckpoint({ verifierKey: expected, note });
  return { state: 'grew', checkpoint: now, note, verifierKey: expected, from: before.size };
}

/**
 * A kept receipt, checked against a later checkpoint: the tree its inclusion proof was made in
 * is a prefix of the current one, so the entry is still there. Returns null when it holds.
 */
export async function recheckReceipt(receiptCheckpoint: string, currentNote: string, verifierKey: string): Promise<string | null> {
  const old = verifyCheckpoint(receiptCheckpoint, verifierKey);
  if (!old.ok) return `the receipt's checkpoint: ${old.reason}`;
  const now = verifyCheckpoint(currentNote, verifierKey);
  if (!now.ok) return `the current checkpoint: ${now.reason}`;
  if (now.size < old.size) return `the log shrank from ${old.size} to ${now.size} entries`;
  if (now.size === old.size) return bytesEqual(now.rootHash, old.rootHash) ? null : 'two different logs of the same size';
  const { proof } = await api.consistency(old.size, now.size);
  const c = verifyConsistency({ size1: old.size, size2: now.size, root1: old.rootHash, root2: now.rootHash, proof: proof.map(hexToBytes) });
  return c.ok ? null : `the current log does not extend the one of the receipt (${c.reason})`;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
