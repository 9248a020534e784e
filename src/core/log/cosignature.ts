/**
 * Witness cosignatures on checkpoints (C2SP tlog-cosignature v1, Ed25519 type 0x04,
 * https://c2sp.org/tlog-cosignature) and the witness policy a letter or ballot names (which
 * witnesses, how many must cosign).
 *
 * A cosignature is a signed-note signature line on a checkpoint:
 *
 *     — <witness name> base64(key ID[4] || timestamp[8, big-endian] || Ed25519 signature[64])
 *
 * key ID = SHA-256(name || 0x0A || 0x04 || public key)[:4]; the signature is over
 *
 *     cosignature/v1\n
 *     time <timestamp, decimal>\n
 *     <the checkpoint's note text, with its final newline>
 *
 * and says: "as of that time, this is the largest tree I have seen for this origin, and every
 * tree I saw before is a prefix of it". The Ed25519 message does not commit to the witness's
 * name, so a policy must not name one public key twice (it would count one witness twice).
 *
 * Pure: no I/O, no clock (the caller gives the timestamp), no randomness.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { z } from 'zod';
import { bytesToHex, concatBytes, toBase64, utf8ToBytes } from '../encoding.ts';
import { fail, pass, type Check } from '../result.ts';
import {
  SIGNATURE_PREFIX,
  ed25519Verify,
  equalBytes,
  isValidKeyName,
  keyIdOf,
  noteTextProblem,
  parseEd25519VerifierKey,
  parseNote,
  type NoteSigner,
  type VerifierKey,
} from './checkpoint.ts';

/** tlog-cosignature §Format: Ed25519 cosignatures are signature type 0x04. */
export const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;
const TIMESTAMP_SIZE = 8;
const COSIGNATURE_SIZE = TIMESTAMP_SIZE + 64;
/** tlog-cosignature §Format: the timestamp MUST NOT exceed 2^63 - 1. */
const MAX_TIMESTAMP = (1n << 63n) - 1n;
/** At most this many witnesses in a policy (a note carries at most 100 signatures). */
export const MAX_WITNESSES = 32;

// --- keys ------------------------------------------------------------------------------------

/** A witness's verifier key: `<name>+<hex key ID>+<base64(0x04 || public key)>`. */
export function cosignerVerifierKey(name: string, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new TypeError(`cosignerVerifierKey: invalid key name ${JSON.stringify(name)}`);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) throw new TypeError('cosignerVerifierKey: public key must be 32 bytes');
  const id = keyIdOf(name, publicKey, SIGNATURE_TYPE_COSIGNATURE_V1);
  return `${name}+${bytesToHex(id)}+${toBase64(concatBytes(new Uint8Array([SIGNATURE_TYPE_COSIGNATURE_V1]), publicKey))}`;
}

/** Parse a witness's verifier key (type 0x04); a note key (0x01) is refused, and the reverse. */
export function parseCosignerKey(text: string): Check<VerifierKey> {
  return parseEd25519VerifierKey(text, SIGNATURE_TYPE_COSIGNATURE_V1);
}

// --- signing ---------------------------------------------------------------------------------

/** tlog-cosignature §Ed25519 signed message. */
export function cosignedMessage(body: string, timestamp: number): Uint8Array {
  return utf8ToBytes(`cosignature/v1\ntime ${timestamp}\n${body}`);
}

/**
 * The cosignature line (ending in a newline) of a witness on the checkpoint `body` (note text),
 * at `timestamp` (POSIX seconds).
 */
export function cosignatureLine(body: string, timestamp: number, signer: { name: string; secretKey: Uint8Array } | NoteSigner): string {
  const why = noteTextProblem(body);
  if (why !== null) throw new TypeError(`cosignatureLine: ${why}`);
  if (!isValidKeyName(signer.name)) throw new TypeError(`cosignatureLine: invalid key name ${JSON.stringify(signer.name)}`);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError('cosignatureLine: the timestamp is a non-negative integer of seconds');
  const message = cosignedMessage(body, timestamp);
  let publicKey: Uint8Array;
  let signature: Uint8Array;
  if ('sign' in signer) {
    publicKey = signer.publicKey;
    signature = signer.sign(message);
  } else {
    publicKey = ed25519.getPublicKey(signer.secretKey);
    signature = ed25519.sign(message, signer.secretKey);
  }
  const stamp = new Uint8Array(TIMESTAMP_SIZE);
  new DataView(stamp.buffer).setBigUint64(0, BigInt(timestamp));
  const raw = concatBytes(keyIdOf(signer.name, publicKey, SIGNATURE_TYPE_COSIGNATURE_V1), stamp, signature);
  return `${SIGNATURE_PREFIX}${signer.name} ${toBase64(raw)}\n`;
}

/**
 * Add signature lines (each ending in a newline) to a signed note, dropping any line it already
 * has. The note keeps its own lines first, in order.
 */
export function addSignatureLines(note: string, lines: readonly string[]): string {
  const have = new Set(note.slice(note.lastIndexOf('\n\n') + 2).split('\n'));
  let out = note;
  for (const line of lines) {
    const bare = line.endsWith('\n') ? line.slice(0, -1) : line;
    if (have.has(bare)) continue;
    have.add(bare);
    out += `${bare}\n`;
  }
  return out;
}

/**
 * The note without the signature lines of these keys (by name and key ID): a checkpoint with its
 * log signature only, say, from one carrying cosignatures.
 */
export function withoutSignaturesOf(note: string, keys: readonly VerifierKey[]): string {
  const parsed = parseNote(note);
  if (!parsed.ok) return note;
  const lines = note.slice(parsed.body.length + 1).split('\n').filter((l) => l.length > 0);
  const kept = lines.filter((_, i) => !keys.some((k) => k.name === parsed.signatures[i].name && equalBytes(k.keyId, parsed.signatures[i].keyId)));
  return `${parsed.body}\n${kept.map((l) => `${l}\n`).join('')}`;
}

// --- a witness policy ------------------------------------------------------------------------

/**
 * The witnesses a letter or ballot relies on: a checkpoint counts only with `quorum` valid
 * cosignatures from distinct `witnesses` (verifier keys of type 0x04).
 */
export const WitnessPolicySchema = z
  .object({
    quorum: z.number().int().min(1).max(MAX_WITNESSES),
    witnesses: z.array(z.string().min(1).max(300)).min(1).max(MAX_WITNESSES),
  })
  .strict();
export type WitnessPolicy = z.infer<typeof WitnessPolicySchema>;

/** A policy whose keys all parse, name no key or name twice, and whose quorum it can reach. */
export function checkWitnessPolicy(policy: WitnessPolicy): Check<{ keys: VerifierKey[] }> {
  const keys: VerifierKey[] = [];
  for (const text of policy.witnesses) {
    const key = parseCosignerKey(text);
    if (!key.ok) return fail('witness_policy_invalid', `witness key ${JSON.stringify(text.slice(0, 80))}: ${key.reason}`);
    if (keys.some((k) => k.name === key.name)) return fail('witness_policy_invalid', `the witness ${key.name} is named twice`);
    if (keys.some((k) => equalBytes(k.publicKey, key.publicKey))) return fail('witness_policy_invalid', `the witness ${key.name} has another witness's key`);
    keys.push({ name: key.name, publicKey: key.publicKey, keyId: key.keyId });
  }
  if (policy.quorum > keys.length) return fail('witness_policy_invalid', `a quorum of ${policy.quorum} out of ${keys.length} witnesses can never be met`);
  return pass({ keys });
}

// --- verifying -------------------------------------------------------------------------------

export interface WitnessReport {
  name: string;
  verifierKey: string;
  /** A valid cosignature of this witness is on the checkpoint. */
  cosigned: boolean;
  /** Its time (POSIX seconds), when it cosigned. */
  timestamp?: number;
}

/**
 * Check the cosignatures of a policy's witnesses on a checkpoint note (whose log signature is
 * checked apart, by verifyCheckpoint). Lines of other keys are ignored (tlog-witness: "MUST
 * ignore any cosignatures from unknown keys"); a line under a policy witness's name and key ID
 * that does not verify is `witness_bad_cosignature` (someone forged it); fewer than the quorum of
 * witnesses with a valid line is `witness_quorum_not_met`. With `options.notAfter` (POSIX
 * seconds), a cosignature dated later counts as not there (tlog-cosignature: verifiers MAY reject
 * timestamps in the future).
 */
export function verifyCosignatures(
  noteText: string,
  policy: WitnessPolicy,
  options: { notAfter?: number } = {},
): Check<{ witnesses: WitnessReport[]; cosigned: number }> {
  const checked = checkWitnessPolicy(policy);
  if (!checked.ok) return checked;
  const note = parseNote(noteText);
  if (!note.ok) return note;
  const witnesses: WitnessReport[] = [];
  for (const [i, key] of checked.keys.entries()) {
    const report: WitnessReport = { name: key.name, verifierKey: policy.witnesses[i], cosigned: false };
    for (const sig of note.signatures) {
      if (sig.name !== key.name || !equalBytes(sig.keyId, key.keyId)) continue;
      const timestamp = readTimestamp(sig.signature);
      if (timestamp === null || !ed25519Verify(sig.signature.slice(TIMESTAMP_SIZE), cosignedMessage(note.body, timestamp), key.publicKey)) {
        return fail('witness_bad_cosignature', `the cosignature by ${key.name}+${bytesToHex(key.keyId)} does not verify`);
      }
      if (options.notAfter !== undefined && timestamp > options.notAfter) continue;
      if (!report.cosigned || timestamp > (report.timestamp ?? 0)) Object.assign(report, { cosigned: true, timestamp });
    }
    witnesses.push(report);
  }
  const cosigned = witnesses.filter((w) => w.cosigned).length;
  if (cosigned < policy.quorum) {
    return fail('witness_quorum_not_met', `${cosigned} of the ${policy.quorum} witness cosignatures needed are on the checkpoint`);
  }
  return pass({ witnesses, cosigned });
}

/** The timestamp of a cosignature's bytes (after the key ID), or null when malformed. */
export function readTimestamp(raw: Uint8Array): number | null {
  if (raw.length !== COSIGNATURE_SIZE) return null;
  const t = new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getBigUint64(0);
  if (t > MAX_TIMESTAMP || t > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(t);
}

/** The same policy: the same quorum and the same keys in the same order (undefined and null: none). */
export function samePolicy(a: WitnessPolicy | null | undefined, b: WitnessPolicy | null | undefined): boolean {
  if (a == null || b == null) return a == null && b == null;
  return a.quorum === b.quorum && a.witnesses.length === b.witnesses.length && a.witnesses.every((w, i) => w === b.witnesses[i]);
}

/** What a verdict says of the witnesses: the policy's quorum, how many cosigned, and each one. */
export interface WitnessSummary {
  quorum: number;
  cosigned: number;
  witnesses: WitnessReport[];
}

/**
 * The witness step of a bundle's verification: the policy a letter or ballot names (`policy`,
 * absent when it names none) is met by the cosignatures on the bundle's checkpoint. With
 * `expected` (a policy the verifier got out of band), the letter must name exactly that policy:
 * else `witness_policy_unexpected` (an operator could otherwise drop the witnesses altogether).
 */
export function checkWitnessed(checkpointNote: string, policy: WitnessPolicy | undefined, expected?: WitnessPolicy): Check<{ witnesses: WitnessSummary | null }> {
  if (expected !== undefined) {
    if (policy === undefined || !samePolicy(policy, expected)) return fail('witness_policy_unexpected', policy === undefined ? 'it names no witnesses, and you expected some' : 'it names other witnesses, or another quorum, than the ones you expected');
  }
  if (policy === undefined) return pass({ witnesses: null });
  const v = verifyCosignatures(checkpointNote, policy);
  if (!v.ok) return v;
  return pass({ witnesses: { quorum: policy.quorum, cosigned: v.cosigned, witnesses: v.witnesses } });
}
