/**
 * Watching the public log from this browser (docs/protocol.md §2): keep the last checkpoint seen,
 * and each time a newer one arrives, ask the server for a consistency proof (RFC 9162 §2.1.4)
 * that the new tree extends the old one. A server that shows different logs to different people
 * (a "split view"), or rewrites its history, must at some point sign two checkpoints that no
 * consistency proof can join: this browser then keeps both as evidence and says so in red.
 *
 * The log key is pinned: by the member's identity file when there is one (written at
 * enrollment), else by the first key this browser saw. The witness policy is pinned the same way
 * (first seen; core/member/seen-log.ts `pinPolicy`), and a different one is shown as a danger.
 *
 * Before a name is sealed or a vote encrypted, the committee's log view is taken only at a
 * checkpoint consistent with the last one this browser saw (`witnessedCommitteeView`); the prover
 * worker then checks its cosignatures and inclusion proofs (core/member/witnessed-log.ts).
 */
import { hexToBytes } from '../core/encoding.ts';
import { type Checkpoint, verifyCheckpoint } from '../core/log/checkpoint.ts';
import type { WitnessPolicy } from '../core/log/cosignature.ts';
import { type ReceiptWitnessing, checkConsistent, consistencyStep, pinPolicy, receiptWitnessing } from '../core/member/seen-log.ts';
import { type LogAnchor, type LogView, checkWitnessedCheckpoint } from '../core/member/witnessed-log.ts';
import { type Check, fail, pass } from '../core/result.ts';
import { ApiFailure, api, type WitnessStatus } from './api.ts';
import { device, type ForkEvidence } from './device.ts';

export type LogCheck =
  | { state: 'first'; checkpoint: Checkpoint; note: string; verifierKey: string }
  | { state: 'same' | 'grew'; checkpoint: Checkpoint; note: string; verifierKey: string; from: number }
  | { state: 'fork'; evidence: ForkEvidence; verifierKey: string }
  | { state: 'key-changed'; expected: string; got: string }
  | { state: 'policy-changed'; expected: WitnessPolicy | null; got: unknown; reason: string }
  | { state: 'bad-signature'; reason: string; verifierKey: string };

/** The states in which nothing new may be signed here until a person has looked (shown in red). */
export function isDanger(check: LogCheck | null): boolean {
  return !!check && (check.state === 'fork' || check.state === 'key-changed' || check.state === 'policy-changed' || check.state === 'bad-signature');
}

/**
 * This page load kept the first checkpoint: a second look in the same load (the app checks on
 * start, the log page checks again) is still the first view, not "no change since last time".
 */
let firstThisLoad = false;

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
  const served = await api.witnesses();
  const pinned = pinWitnesses(served.policy);
  if (!pinned.ok) return { state: 'policy-changed', expected: device.witnessPolicy(), got: served.policy, reason: pinned.reason };

  const note = await api.checkpoint();
  const now = verifyCheckpoint(note, expected);
  if (!now.ok) return { state: 'bad-signature', reason: now.reason, verifierKey: expected };

  const last = device.lastCheckpoint();
  const before = last && last.verifierKey === expected ? verifyCheckpoint(last.note, expected) : null;
  if (!last || !before || !before.ok) {
    device.setLastCheckpoint({ verifierKey: expected, note });
    firstThisLoad = true;
    return { state: 'first', checkpoint: now, note, verifierKey: expected };
  }

  const fork = (reason: string): LogCheck => {
    const evidence = { earlier: last.note, later: note, reason };
    device.setFork(evidence);
    return { state: 'fork', evidence, verifierKey: expected };
  };
  if (now.size < before.size) return fork(`the log shrank from ${before.size} to ${now.size} entries`);
  const step = consistencyStep(before, now);
  if (step.kind === 'same') {
    if (firstThisLoad) return { state: 'first', checkpoint: now, note, verifierKey: expected };
    return { state: 'same', checkpoint: now, note, verifierKey: expected, from: before.size };
  }
  const c = checkConsistent(before, now, step.kind === 'proof' ? await servedProof(step.from, step.to) : []);
  if (!c.ok) return fork(c.reason);
  device.setLastCheckpoint({ verifierKey: expected, note });
  firstThisLoad = false;
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
  const step = consistencyStep(old, now);
  const c = checkConsistent(old, now, step.kind === 'proof' ? await servedProof(step.from, step.to) : []);
  return c.ok ? null : c.reason;
}

/** The server's RFC 9162 consistency proof from `from` to `to`, as bytes (log_unverified when it is not hex). */
async function servedProof(from: number, to: number): Promise<Uint8Array[]> {
  const { proof } = await api.consistency(from, to);
  try {
    return proof.map(hexToBytes);
  } catch {
    throw new ApiFailure('log_unverified', 'the server sent a consistency proof that is not hex', 0);
  }
}

/** The served policy against the pinned one; pins it on first sight. */
function pinWitnesses(served: unknown): Check<{ policy: WitnessPolicy | undefined }> {
  const pinned = pinPolicy(device.witnessPolicy(), served);
  if (!pinned.ok) return pinned;
  if (pinned.pin) device.setWitnessPolicy(pinned.pin);
  return pass({ policy: pinned.policy });
}

/**
 * What this device pinned: the log key and the witness policy, with the server's witness status.
 * Throws an ApiFailure `log_key_changed`, `witness_policy_changed` or `witness_policy_invalid`
 * when the server no longer matches them (nothing is sealed or encrypted then).
 */
export async function pinnedAnchor(serverKey: string): Promise<{ anchor: LogAnchor; status: WitnessStatus }> {
  const verifierKey = expectedVerifierKey(serverKey);
  if (serverKey !== verifierKey) throw new ApiFailure('log_key_changed', 'the server signs its log with another key than the one this device pinned', 0);
  const status = await api.witnesses();
  const pinned = pinWitnesses(status.policy);
  if (!pinned.ok) throw new ApiFailure(pinned.code, pinned.reason, 0);
  return { anchor: pinned.policy ? { verifierKey, witnesses: pinned.policy } : { verifierKey }, status };
}

/**
 * A checkpoint the server shows now (the latest, a witnessed one, the one of a committee view) is
 * signed by the pinned key and consistent with the last one this browser saw: either may be the
 * larger (a witnessed checkpoint lags behind the latest). A larger one becomes the last seen; two
 * that no consistency proof joins are kept as fork evidence. Codes: log_fork, log_unverified.
 */
export async function checkAgainstSeen(note: string, verifierKey: string): Promise<Check<{ checkpoint: Checkpoint }>> {
  if (device.fork()) return fail('log_fork', 'this browser holds two versions of the log the server signed (see the log page)');
  const shown = verifyCheckpoint(note, verifierKey);
  if (!shown.ok) return fail('log_unverified', `the checkpoint the server sent: ${shown.reason}`);
  const last = device.lastCheckpoint();
  const before = last && last.verifierKey === verifierKey ? verifyCheckpoint(last.note, verifierKey) : null;
  if (!last || !before || !before.ok) {
    device.setLastCheckpoint({ verifierKey, note });
    return pass({ checkpoint: shown });
  }
  const step = consistencyStep(before, shown);
  let proof: Uint8Array[] = [];
  try {
    if (step.kind === 'proof') proof = await servedProof(step.from, step.to);
  } catch (e) {
    if (e instanceof ApiFailure) return fail(e.code, e.message);
    throw e;
  }
  const c = checkConsistent(before, shown, proof);
  if (!c.ok) {
    device.setFork({ earlier: last.note, later: note, reason: c.reason });
    return c;
  }
  if (step.kind === 'proof' && step.grew) device.setLastCheckpoint({ verifierKey, note });
  return pass({ checkpoint: shown });
}

/**
 * The committee's entries as the server serves them with inclusion proofs, at a checkpoint
 * consistent with what this browser saw, and the anchor the worker checks them with
 * (checkCommitteeOnLog). Throws an ApiFailure with the refusal's code.
 */
export async function witnessedCommitteeView(serverKey: string): Promise<{ view: LogView; anchor: LogAnchor }> {
  const { anchor } = await pinnedAnchor(serverKey);
  const view = await api.committeeProofs();
  if (typeof view?.checkpoint !== 'string' || !Array.isArray(view.entries)) throw new ApiFailure('log_unverified', 'the server sent a committee view that is not well formed', 0);
  const seen = await checkAgainstSeen(view.checkpoint, anchor.verifierKey);
  if (!seen.ok) throw new ApiFailure(seen.code, seen.reason, 0);
  return { view, anchor };
}

/**
 * A letter's or ballot's opening as the server serves it with its inclusion proof, at a checkpoint
 * consistent with what this browser saw, and the anchor the worker checks it with
 * (checkOpenedOnLog). Throws an ApiFailure with the refusal's code.
 */
export async function witnessedOpenedView(what: 'letter' | 'ballot', id: string, serverKey: string): Promise<{ view: LogView; anchor: LogAnchor }> {
  const { anchor } = await pinnedAnchor(serverKey);
  const view = what === 'letter' ? await api.letterOpened(id) : await api.ballotOpened(id);
  if (typeof view?.checkpoint !== 'string' || !Array.isArray(view.entries)) throw new ApiFailure(`${what}_not_on_log`, `the server sent a ${what} opening that is not well formed`, 0);
  const seen = await checkAgainstSeen(view.checkpoint, anchor.verifierKey);
  if (!seen.ok) throw new ApiFailure(seen.code, seen.reason, 0);
  return { view, anchor };
}

/**
 * Whether a receipt's checkpoint is witnessed yet: the latest witnessed checkpoint, checked under
 * the pinned anchor and against what this browser saw, covers it (a consistency proof from the
 * receipt's size). Null when the instance has no witnesses.
 */
export async function receiptWitnessed(receiptCheckpoint: string, serverKey: string): Promise<Check<{ status: ReceiptWitnessing }> | null> {
  const { anchor, status } = await pinnedAnchor(serverKey);
  if (!anchor.witnesses) return null;
  const receipt = verifyCheckpoint(receiptCheckpoint, anchor.verifierKey);
  if (!receipt.ok) return fail('log_unverified', `the receipt's checkpoint: ${receipt.reason}`);
  if (!status.witnessed) return receiptWitnessing(receipt, null, []);
  const w = checkWitnessedCheckpoint(status.witnessed.checkpoint, anchor);
  if (!w.ok) return w;
  const seen = await checkAgainstSeen(status.witnessed.checkpoint, anchor.verifierKey);
  if (!seen.ok) return seen;
  if (w.checkpoint.size < receipt.size) return receiptWitnessing(receipt, { checkpoint: w.checkpoint, witnesses: w.witnesses! }, []);
  let bytes: Uint8Array[];
  try {
    bytes = w.checkpoint.size > receipt.size ? await servedProof(receipt.size, w.checkpoint.size) : [];
  } catch (e) {
    if (e instanceof ApiFailure) return fail(e.code, e.message);
    throw e;
  }
  return receiptWitnessing(receipt, { checkpoint: w.checkpoint, witnesses: w.witnesses! }, bytes);
}
