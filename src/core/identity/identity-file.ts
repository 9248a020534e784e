/**
 * Passphrase-encrypted identity file: a member's 32-byte Semaphore v4 private key, sealed so it can
 * be saved to disk or a browser download and opened later with the passphrase.
 *
 * - Key derivation: scrypt (RFC 7914) over the UTF-8 bytes of the NFC-normalized passphrase
 *   (Unicode UAX #15, so the same passphrase typed on different systems derives the same key),
 *   with a 16-byte salt, dkLen = 32. Default cost N = 2^17, r = 8, p = 1.
 * - Encryption: XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03, built on RFC 8439) with a 24-byte
 *   nonce, over the 32-byte private key. The associated data is the canonical JSON (RFC 8785 subset,
 *   see encoding.ts) of the whole header — every field except `ciphertext` — so no header field
 *   (format, KDF parameters, salt, nonce, commitment, label) can be altered without detection.
 * - The identity commitment (Semaphore v4: Poseidon of the public key) is stored in the clear as a
 *   decimal string, so a person can see which identity a file holds without the passphrase. After
 *   decryption it is recomputed from the key and must match.
 *
 * Pure: no I/O, no clock, no randomness. The caller supplies the salt and nonce (fresh random bytes,
 * a new pair for every seal).
 */
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { Identity } from '@semaphore-protocol/identity';
import { z } from 'zod';
import { canonicalBytes, fromBase64, toBase64, utf8ToBytes } from '../encoding.ts';
import { type Check, fail, pass } from '../result.ts';

export const IDENTITY_FILE_FORMAT = 'undersigned-identity/1';

export const PRIVATE_KEY_BYTES = 32;
export const SALT_BYTES = 16;
export const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const CIPHERTEXT_BYTES = PRIVATE_KEY_BYTES + TAG_BYTES;

/** Default scrypt cost: 128 MiB of memory, about a second in a browser. */
export const DEFAULT_KDF = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });

/**
 * Accepted scrypt parameters, both when sealing and when opening. Below the floor a stolen file is
 * too cheap to brute-force (`identity_file_weak_kdf`); above the ceiling opening a file would take
 * minutes or more memory than a browser tab has (`identity_file_malformed`).
 */
export const KDF_LIMITS = Object.freeze({
  minN: 2 ** 14,
  maxN: 2 ** 20,
  minR: 8,
  maxR: 16,
  minP: 1,
  maxP: 4,
  /** scrypt uses 128·N·r bytes; keep it within noble's default maxmem (1 GiB). */
  maxMemoryBytes: 2 ** 30,
});

/** Longest label string (instance name, member name), in UTF-16 code units. */
export const MAX_LABEL_LENGTH = 200;
/** Longest identity file accepted as text; a real one is well under 1 KiB. */
export const MAX_FILE_CHARS = 16 * 1024;

export interface KdfParams {
  N: number;
  r: number;
  p: number;
}

export interface IdentityFileLabel {
  /** Which instance (caucus, union local) the identity belongs to, for the person's benefit. */
  instance?: string;
  memberName?: string;
}

export interface IdentityFile {
  format: typeof IDENTITY_FILE_FORMAT;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: { name: 'xchacha20-poly1305'; nonce: string };
  /** Identity commitment, decimal. */
  commitment: string;
  label: IdentityFileLabel;
  ciphertext: string;
}

export interface SealIdentityFileInput {
  privateKey: Uint8Array;
  passphrase: string;
  /** 16 fresh random bytes. */
  salt: Uint8Array;
  /** 24 fresh random bytes. */
  nonce: Uint8Array;
  label?: IdentityFileLabel;
  kdf?: KdfParams;
}

export interface OpenedIdentityFile {
  privateKey: Uint8Array;
  commitment: string;
  label: IdentityFileLabel;
}

const labelString = z
  .string()
  .max(MAX_LABEL_LENGTH)
  .refine((s) => isWellFormed(s), 'not well-formed UTF-16');

const LabelSchema = z.strictObject({
  instance: labelString.optional(),
  memberName: labelString.optional(),
});

const IdentityFileSchema = z.strictObject({
  format: z.string(),
  kdf: z.strictObject({
    name: z.literal('scrypt'),
    N: z.number().int().positive(),
    r: z.number().int().positive(),
    p: z.number().int().positive(),
    salt: z.string(),
  }),
  cipher: z.strictObject({
    name: z.literal('xchacha20-poly1305'),
    nonce: z.string(),
  }),
  commitment: z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'must be a decimal integer'),
  label: LabelSchema,
  ciphertext: z.string(),
});

/**
 * Encrypt a private key into an identity file. Throws TypeError/RangeError on invalid arguments
 * (these come from the program, not from a file): wrong byte lengths, empty or ill-formed
 * passphrase, KDF parameters outside KDF_LIMITS, bad label.
 */
export async function sealIdentityFile(input: SealIdentityFileInput): Promise<IdentityFile> {
  const { privateKey, passphrase, salt, nonce } = input;
  requireBytes('privateKey', privateKey, PRIVATE_KEY_BYTES);
  requireBytes('salt', salt, SALT_BYTES);
  requireBytes('nonce', nonce, NONCE_BYTES);
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new TypeError('passphrase must be a non-empty string');
  if (!isWellFormed(passphrase)) throw new TypeError('passphrase is not well-formed UTF-16');
  const kdf = input.kdf ?? DEFAULT_KDF;
  const kdfCheck = checkKdf(kdf);
  if (!kdfCheck.ok) throw new RangeError(kdfCheck.reason);
  const labelCheck = LabelSchema.safeParse(input.label ?? {});
  if (!labelCheck.success) throw new TypeError(`label: ${describeIssue(labelCheck.error)}`);
  // Copy only the known keys, dropping undefined ones, so the label round-trips exactly.
  const label: IdentityFileLabel = {};
  if (labelCheck.data.instance !== undefined) label.instance = labelCheck.data.instance;
  if (labelCheck.data.memberName !== undefined) label.memberName = labelCheck.data.memberName;

  const header: Omit<IdentityFile, 'ciphertext'> = {
    format: IDENTITY_FILE_FORMAT,
    kdf: { name: 'scrypt', N: kdf.N, r: kdf.r, p: kdf.p, salt: toBase64(salt) },
    cipher: { name: 'xchacha20-poly1305', nonce: toBase64(nonce) },
    commitment: commitmentOf(privateKey),
    label,
  };
  const key = await deriveKey(passphrase, salt, kdf);
  try {
    const ciphertext = xchacha20poly1305(key, nonce, canonicalBytes(header)).encrypt(privateKey);
    return { ...header, ciphertext: toBase64(ciphertext) };
  } finally {
    key.fill(0);
  }
}

/**
 * Decrypt an identity file (JSON text or the parsed object). Codes:
 * identity_file_not_json, identity_file_malformed, identity_file_weak_kdf,
 * identity_file_wrong_passphrase, identity_file_commitment_mismatch.
 * All structural checks run before the (deliberately slow) key derivation.
 */
export async function openIdentityFile(json: unknown, passphrase: string): Promise<Check<OpenedIdentityFile>> {
  let value: unknown = json;
  if (typeof json === 'string') {
    if (json.length > MAX_FILE_CHARS) {
      return fail('identity_file_malformed', `an identity file is under ${MAX_FILE_CHARS} characters; this is ${json.length}`);
    }
    try {
      value = JSON.parse(json);
    } catch {
      return fail('identity_file_not_json', 'this is not an identity file: it is not valid JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('identity_file_malformed', 'an identity file is a JSON object');
  }
  const format = (value as { format?: unknown }).format;
  if (format !== IDENTITY_FILE_FORMAT) {
    const shown = typeof format === 'string' ? JSON.stringify(format.slice(0, 80)) : 'missing';
    return fail('identity_file_malformed', `format: expected "${IDENTITY_FILE_FORMAT}", found ${shown}`);
  }
  const parsed = IdentityFileSchema.safeParse(value);
  if (!parsed.success) return fail('identity_file_malformed', describeIssue(parsed.error));
  const file = parsed.data;

  const salt = fromBase64(file.kdf.salt);
  if (salt === null || salt.length !== SALT_BYTES) return malformedBytes('kdf.salt', SALT_BYTES, salt);
  const nonce = fromBase64(file.cipher.nonce);
  if (nonce === null || nonce.length !== NONCE_BYTES) return malformedBytes('cipher.nonce', NONCE_BYTES, nonce);
  const ciphertext = fromBase64(file.ciphertext);
  if (ciphertext === null || ciphertext.length !== CIPHERTEXT_BYTES) return malformedBytes('ciphertext', CIPHERTEXT_BYTES, ciphertext);
  const kdf = { N: file.kdf.N, r: file.kdf.r, p: file.kdf.p };
  const kdfCheck = checkKdf(kdf);
  if (!kdfCheck.ok) return kdfCheck;
  if (typeof passphrase !== 'string') return fail('identity_file_wrong_passphrase', 'the passphrase must be text');
  // Normalization of ill-formed strings is well defined, so no separate check: it just won't match.

  // Rebuild the header from the validated fields (same key set as sealIdentityFile writes).
  const { ciphertext: _ignored, ...header } = file;
  const key = await deriveKey(passphrase, salt, kdf);
  let privateKey: Uint8Array;
  try {
    privateKey = xchacha20poly1305(key, nonce, canonicalBytes(header)).decrypt(ciphertext);
  } catch {
    return fail(
      'identity_file_wrong_passphrase',
      'cannot open this identity file: wrong passphrase, or the file was altered',
    );
  } finally {
    key.fill(0);
  }
  const actual = commitmentOf(privateKey);
  if (actual !== file.commitment) {
    privateKey.fill(0);
    return fail(
      'identity_file_commitment_mismatch',
      `the file decrypts, but its key belongs to identity ${actual}, not the stated ${file.commitment}`,
    );
  }
  const label: IdentityFileLabel = {};
  if (file.label.instance !== undefined) label.instance = file.label.instance;
  if (file.label.memberName !== undefined) label.memberName = file.label.memberName;
  return pass({ privateKey, commitment: file.commitment, label });
}

/** Check scrypt parameters against KDF_LIMITS (used for both sealing and opening). */
export function checkKdf(kdf: KdfParams): Check {
  const { N, r, p } = kdf;
  for (const [name, v] of [['N', N], ['r', r], ['p', p]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) return fail('identity_file_malformed', `kdf.${name} must be a positive integer`);
  }
  if ((N & (N - 1)) !== 0 || N > 2 ** 30) return fail('identity_file_malformed', `kdf.N must be a power of two, not ${N}`);
  if (N < KDF_LIMITS.minN) {
    return fail('identity_file_weak_kdf', `kdf.N = ${N} is too weak; at least 2^${Math.log2(KDF_LIMITS.minN)} is required`);
  }
  if (r < KDF_LIMITS.minR) return fail('identity_file_weak_kdf', `kdf.r = ${r} is too weak; at least ${KDF_LIMITS.minR} is required`);
  if (N > KDF_LIMITS.maxN) {
    return fail('identity_file_malformed', `kdf.N = ${N} is more than this tool will run (2^${Math.log2(KDF_LIMITS.maxN)})`);
  }
  if (r > KDF_LIMITS.maxR) return fail('identity_file_malformed', `kdf.r = ${r} is more than this tool will run (${KDF_LIMITS.maxR})`);
  if (p < KDF_LIMITS.minP || p > KDF_LIMITS.maxP) {
    return fail('identity_file_malformed', `kdf.p = ${p} is outside ${KDF_LIMITS.minP}..${KDF_LIMITS.maxP}`);
  }
  if (128 * N * r > KDF_LIMITS.maxMemoryBytes) {
    return fail('identity_file_malformed', `kdf N = ${N}, r = ${r} needs more than ${KDF_LIMITS.maxMemoryBytes / 2 ** 20} MiB`);
  }
  return pass();
}

/** The Semaphore v4 identity commitment of a 32-byte private key, as a decimal string. */
export function commitmentOf(privateKey: Uint8Array): string {
  return new Identity(privateKey).commitment.toString();
}

function deriveKey(passphrase: string, salt: Uint8Array, kdf: KdfParams): Promise<Uint8Array> {
  const password = utf8ToBytes(passphrase.normalize('NFC'));
  return scryptAsync(password, salt, { N: kdf.N, r: kdf.r, p: kdf.p, dkLen: 32, maxmem: KDF_LIMITS.maxMemoryBytes + 2048 }).finally(
    () => password.fill(0),
  );
}

function requireBytes(name: string, value: unknown, length: number): void {
  if (!(value instanceof Uint8Array) || value.length !== length) throw new TypeError(`${name} must be a Uint8Array of ${length} bytes`);
}

function malformedBytes(field: string, expected: number, got: Uint8Array | null) {
  return fail(
    'identity_file_malformed',
    got === null ? `${field}: not valid base64` : `${field}: expected ${expected} bytes, found ${got.length}`,
  );
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue.path.length > 0 ? issue.path.join('.') : '(file)';
  return `${path}: ${issue.message}`;
}

/** String.prototype.isWellFormed (ES2024) without depending on the lib setting. */
function isWellFormed(s: string): boolean {
  return /^(?:[^\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/.test(s);
}
