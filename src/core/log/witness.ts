/**
 * The rules of a transparency-log witness (C2SP tlog-witness, https://c2sp.org/tlog-witness,
 * `add-checkpoint`), apart from its storage, clock, key and HTTP: the request body's format, and
 * the decision a witness takes on it given the checkpoint it cosigned last for that origin.
 *
 * Request body:
 *
 *     old <size of the checkpoint the client believes the witness cosigned last>\n
 *     <base64 hash>\n                  (zero to 63 lines: the RFC 6962 consistency proof)
 *     \n
 *     <the checkpoint, a signed note>
 *
 * Pure: no I/O, no clock.
 */
import { fromBase64, toBase64 } from '../encoding.ts';
import { fail, pass, type Check } from '../result.ts';
import { parseCheckpointBody, parseNote, verifyCheckpoint, type Checkpoint } from './checkpoint.ts';
import { HASH_SIZE, verifyConsistency } from './merkle.ts';

/** tlog-witness §add-checkpoint: the client MUST NOT send more than 63 consistency proof lines. */
export const MAX_PROOF_LINES = 63;
/** The largest request body a witness reads (a checkpoint note is small; 63 hashes are 2.8 kB). */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** tlog-witness: the 409 response carries the latest cosigned size with this content type. */
export const SIZE_CONTENT_TYPE = 'text/x.tlog.size';

export interface AddCheckpointRequest {
  oldSize: number;
  proof: Uint8Array[];
  /** The checkpoint note, with every signature line it came with. */
  checkpoint: string;
}

/** The request body of `add-checkpoint`. */
export function formatAddCheckpoint(request: AddCheckpointRequest): string {
  return `old ${request.oldSize}\n${request.proof.map((h) => `${toBase64(h)}\n`).join('')}\n${request.checkpoint}`;
}

/** Parse an `add-checkpoint` request body strictly; `witness_bad_request` says what is wrong. */
export function parseAddCheckpoint(body: string): Check<AddCheckpointRequest> {
  if (typeof body !== 'string') return fail('witness_bad_request', 'the body is not text');
  const blank = body.indexOf('\n\n');
  if (blank < 0) return fail('witness_bad_request', 'no empty line ends the old size and the proof');
  const head = body.slice(0, blank).split('\n');
  const checkpoint = body.slice(blank + 2);
  const old = /^old (0|[1-9][0-9]*)$/.exec(head[0]);
  if (old === null) return fail('witness_bad_request', 'the first line is not "old <size>" in canonical decimal');
  const oldSize = Number(old[1]);
  if (!Number.isSafeInteger(oldSize)) return fail('witness_bad_request', 'the old size is larger than 2^53 - 1');
  const lines = head.slice(1);
  if (lines.length > MAX_PROOF_LINES) return fail('witness_bad_request', `more than ${MAX_PROOF_LINES} consistency proof lines`);
  const proof: Uint8Array[] = [];
  for (const [i, line] of lines.entries()) {
    const hash = fromBase64(line);
    if (hash === null || hash.length !== HASH_SIZE) return fail('witness_bad_request', `proof line ${i + 1} is not the base64 of a ${HASH_SIZE}-byte hash`);
    proof.push(hash);
  }
  return pass({ oldSize, proof, checkpoint });
}

/** What the witness knows of a log: the keys it trusts for an origin, and what it cosigned last. */
export interface WitnessView {
  /** Verifier keys (type 0x01) trusted for this origin; undefined when the origin is unknown. */
  logKeys(origin: string): readonly string[] | undefined;
  /** The checkpoint last cosigned for this origin, or null if none. */
  latest(origin: string): { size: number; rootHash: Uint8Array } | null;
}

export type AddCheckpointDecision =
  /** Cosign `checkpoint` (note text `body`) and record it as the latest, atomically with the check. */
  | { ok: true; status: 200; checkpoint: Checkpoint; body: string }
  | { ok: false; status: 400 | 403 | 404 | 409 | 422; code: string; reason: string; latestSize?: number };

/**
 * tlog-witness §add-checkpoint, in the order of the specification: 404 an unknown origin, 403 no
 * valid signature from a trusted key, 400 an old size above the checkpoint's, 409 an old size that
 * is not the latest cosigned one (with `latestSize`), 422 a consistency proof that does not verify,
 * 409 the same size with another root hash.
 */
export function decideAddCheckpoint(requestBody: string, view: WitnessView): AddCheckpointDecision {
  const request = parseAddCheckpoint(requestBody);
  if (!request.ok) return { ok: false, status: 400, code: request.code, reason: request.reason };
  const note = parseNote(request.checkpoint);
  if (!note.ok) return { ok: false, status: 400, code: 'witness_bad_request', reason: `checkpoint: ${note.reason}` };
  const parsed = parseCheckpointBody(note.body);
  if (!parsed.ok) return { ok: false, status: 400, code: 'witness_bad_request', reason: `checkpoint: ${parsed.reason}` };
  const keys = view.logKeys(parsed.origin);
  if (keys === undefined) return { ok: false, status: 404, code: 'witness_unknown_log', reason: `this witness does not follow the log ${JSON.stringify(parsed.origin)}` };
  // "MUST ignore signatures from unknown keys": one trusted key whose signature verifies suffices.
  const signed = keys.map((k) => verifyCheckpoint(request.checkpoint, k, { origin: parsed.origin })).find((c) => c.ok);
  if (signed === undefined || !signed.ok) return { ok: false, status: 403, code: 'witness_bad_log_signature', reason: 'no signature on the checkpoint verifies under a key this witness trusts for its origin' };
  const { oldSize, proof } = request;
  if (oldSize > signed.size) return { ok: false, status: 400, code: 'witness_bad_request', reason: `the old size ${oldSize} is above the checkpoint's size ${signed.size}` };
  const latest = view.latest(signed.origin);
  const latestSize = latest?.size ?? 0;
  if (oldSize !== latestSize) return { ok: false, status: 409, code: 'witness_old_size_mismatch', reason: `the latest checkpoint this witness cosigned has size ${latestSize}`, latestSize };
  if (latest !== null && oldSize === signed.size) {
    const same = verifyConsistency({ size1: oldSize, size2: signed.size, root1: latest.rootHash, root2: signed.rootHash, proof });
    if (!same.ok) return { ok: false, status: 409, code: 'witness_fork', reason: `another root hash for the size ${oldSize} this witness cosigned: a split view`, latestSize };
  } else if (latest !== null) {
    const consistent = verifyConsistency({ size1: oldSize, size2: signed.size, root1: latest.rootHash, root2: signed.rootHash, proof });
    if (!consistent.ok) return { ok: false, status: 422, code: 'witness_inconsistent', reason: `the consistency proof from ${oldSize} to ${signed.size} does not verify: ${consistent.reason}` };
  } else if (proof.length !== 0) {
    return { ok: false, status: 422, code: 'witness_inconsistent', reason: 'the proof must be empty when the old size is 0' };
  }
  return { ok: true, status: 200, checkpoint: signed, body: note.body };
}
