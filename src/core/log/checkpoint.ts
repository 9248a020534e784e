/**
 * Transparency log checkpoints (C2SP tlog-checkpoint, https://c2sp.org/tlog-checkpoint) carried
 * in signed notes (C2SP signed-note, https://c2sp.org/signed-note), signed with Ed25519
 * (signature type 0x01). Verifier keys use the `<name>+<hex key ID>+<base64(0x01 || key)>` text
 * form of golang.org/x/mod/sumdb/note.
 *
 * A signed note:
 *
 *     <text, each line ending in \n>
 *     <blank line>
 *     — <key name> <base64(4-byte key ID || signature)>\n   (one or more)
 *
 * Parsing never throws: it returns a `Check` with a stable `code` (`note_*`, `verifier_key_*`,
 * `checkpoint_*`). Producing functions (`formatCheckpoint`, `verifierKey`, `signNote`) throw on
 * programmer errors such as an invalid key name.
 *
 * Pure: no I/O, no clock, no randomness (Ed25519 signing is deterministic, RFC 8032 §5.1.6).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, concatBytes, fromBase64, sha256, toBase64, utf8ToBytes } from '../encoding.ts';
import { fail, pass, type Check } from '../result.ts';
import { HASH_SIZE } from './merkle.ts';

/** signed-note §Signature types: 0x01 is Ed25519. */
export const SIGNATURE_TYPE_ED25519 = 0x01;
const ED25519_PUBLIC_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;
const KEY_ID_SIZE = 4;
/**
 * signed-note §Format: verifiers SHOULD limit the number of signatures and MUST accept at least 16.
 * 100 is the limit of golang.org/x/mod/sumdb/note.
 */
export const MAX_SIGNATURES = 100;
/** Em dash (U+2014) then space (U+0020): the start of every signature line. */
export const SIGNATURE_PREFIX = '\u2014 ';

export interface NoteSignature {
  /** Key name. */
  name: string;
  /** 4-byte key ID (big-endian uint32). */
  keyId: Uint8Array;
  /** The signature bytes after the key ID. */
  signature: Uint8Array;
}

export interface Note {
  /** The signed text: every line, including the final newline, without the blank line. */
  body: string;
  signatures: NoteSignature[];
}

export interface VerifierKey {
  name: string;
  /** 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** 4-byte key ID. */
  keyId: Uint8Array;
}

export interface Checkpoint {
  /** First line: the log's identity. */
  origin: string;
  /** Second line: number of leaves. */
  size: number;
  /** Third line: the RFC 9162 root hash at `size`. */
  rootHash: Uint8Array;
  /** Any further lines, opaque, each non-empty. */
  extensions: string[];
}

// --- key names, key IDs, verifier keys -------------------------------------------------------

/**
 * Unicode spaces as Go's unicode.IsSpace sees them (which golang.org/x/mod/sumdb/note uses):
 * \t \n \v \f \r, U+0085, and the Z categories (Zs, Zl, Zp; U+00A0 and U+3000 among them).
 */
// Stryker disable next-line Regex: its \V is no regex under the u flag (a load error, not a mutant).
const UNICODE_SPACE = /[\t\n\v\f\r\u0085\p{Z}]/u;

/** signed-note §Format: key names are non-empty, with no Unicode spaces and no plus (U+002B). */
export function isValidKeyName(name: string): boolean {
  return (
    typeof name === 'string' && name.length > 0 && isWellFormed(name) && !UNICODE_SPACE.test(name) && !name.includes('+') && !hasControl(name)
  );
}

/** signed-note §Ed25519 signatures: key ID = SHA-256(key name || 0x0A || 0x01 || public key)[:4]. */
export function keyId(name: string, publicKey: Uint8Array): Uint8Array {
  if (!isValidKeyName(name)) throw new TypeError(`keyId: invalid key name ${JSON.stringify(name)}`);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_SIZE) {
    throw new TypeError(`keyId: public key must be ${ED25519_PUBLIC_KEY_SIZE} bytes`);
  }
  return keyIdOf(name, publicKey);
}

/** `<name>+<8 hex digits of key ID>+<base64(0x01 || public key)>`. */
export function verifierKey(name: string, publicKey: Uint8Array): string {
  const id = keyId(name, publicKey);
  return `${name}+${bytesToHex(id)}+${toBase64(concatBytes(new Uint8Array([SIGNATURE_TYPE_ED25519]), publicKey))}`;
}

/** Parse `<name>+<hex key ID>+<base64(0x01 || public key)>`, checking that the key ID matches. */
export function parseVerifierKey(text: string): Check<VerifierKey> {
  return parseEd25519VerifierKey(text, SIGNATURE_TYPE_ED25519);
}

/**
 * Parse `<name>+<hex key ID>+<base64(type || Ed25519 public key)>` for an Ed25519-based signature
 * type: 0x01 (a note signature) or 0x04 (a tlog-cosignature/v1, log/cosignature.ts). The key ID
 * is SHA-256(name || 0x0A || type || key)[:4] for both.
 */
export function parseEd25519VerifierKey(text: string, type: number): Check<VerifierKey> {
  if (typeof text !== 'string') return fail('verifier_key_malformed', 'the verifier key is not a string');
  // The name has no '+', the key ID neither; the base64 key may (so split at the first two only).
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) return fail('verifier_key_malformed', 'a verifier key is <name>+<key ID>+<key>');
  const name = text.slice(0, first);
  const idHex = text.slice(first + 1, second);
  const keyB64 = text.slice(second + 1);
  if (!isValidKeyName(name)) return fail('verifier_key_malformed', `invalid key name ${JSON.stringify(name)}`);
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) return fail('verifier_key_malformed', 'the key ID is not 8 hex digits');
  const key = fromBase64(keyB64);
  if (key === null || key.length === 0) return fail('verifier_key_malformed', 'the key is not standard padded base64');
  if (key[0] !== type) return fail('verifier_key_unknown_algorithm', `signature type 0x${hex2(key[0])} is not the expected 0x${hex2(type)}`);
  if (key.length !== 1 + ED25519_PUBLIC_KEY_SIZE) return fail('verifier_key_malformed', `an Ed25519 public key is ${ED25519_PUBLIC_KEY_SIZE} bytes`);
  const publicKey = key.slice(1);
  const id = keyIdOf(name, publicKey, type);
  if (bytesToHex(id) !== idHex.toLowerCase()) return fail('verifier_key_id_mismatch', 'the key ID does not match the name and key');
  // A key that strict verification (see verifyCheckpoint) would refuse every signature under is
  // reported here: a non-canonical or off-curve encoding, or a small-order point.
  if (!isUsableEd25519Key(publicKey)) return fail('verifier_key_malformed', 'the key is not a canonical Ed25519 point of large order');
  return pass({ name, publicKey, keyId: id });
}

// --- signed notes ----------------------------------------------------------------------------

/**
 * An Ed25519 note signer whose key is already expanded: its public key, and a function that signs
 * (RFC 8032, deterministic). The server builds one with its platform's Ed25519 (node:crypto, ~15x
 * faster than deriving the key and signing in JavaScript for every checkpoint); the signatures are
 * the same bytes either way, Ed25519 being deterministic.
 */
export interface NoteSigner {
  name: string;
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/**
 * Sign `body` (the note text, ending in a newline) with an Ed25519 key; returns the signed note:
 * body, blank line, one signature line. `secretKey` is the 32-byte RFC 8032 private key (seed);
 * a NoteSigner may be given instead.
 */
export function signNote(body: string, signer: { name: string; secretKey: Uint8Array } | NoteSigner): string {
  const why = noteTextProblem(body);
  if (why !== null) throw new TypeError(`signNote: ${why}`);
  if (!isValidKeyName(signer.name)) throw new TypeError(`signNote: invalid key name ${JSON.stringify(signer.name)}`);
  let publicKey: Uint8Array;
  let signature: Uint8Array;
  // signed-note §Ed25519 signatures: RFC 8032 Ed25519 over the note text (with its final newline).
  if ('sign' in signer) {
    publicKey = signer.publicKey;
    signature = signer.sign(utf8ToBytes(body));
    if (publicKey.length !== ED25519_PUBLIC_KEY_SIZE || signature.length !== 64) throw new TypeError('signNote: the signer gave a key or signature of the wrong size');
  } else {
    if (!(signer.secretKey instanceof Uint8Array) || signer.secretKey.length !== 32) throw new TypeError('signNote: secret key must be 32 bytes');
    publicKey = ed25519.getPublicKey(signer.secretKey);
    signature = ed25519.sign(utf8ToBytes(body), signer.secretKey);
  }
  const encoded = toBase64(concatBytes(keyIdOf(signer.name, publicKey), signature));
  return `${body}\n${SIGNATURE_PREFIX}${signer.name} ${encoded}\n`;
}

/**
 * Parse a signed note strictly per signed-note §Format, without verifying any signature. A byte
 * input must be valid UTF-8 (a BOM is kept as text, not stripped); a string input must be
 * well-formed UTF-16.
 */
export function parseNote(note: string | Uint8Array): Check<Note> {
  let text: string;
  if (note instanceof Uint8Array) {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note);
    } catch {
      return fail('note_invalid_utf8', 'the note is not valid UTF-8');
    }
  } else if (typeof note === 'string') {
    if (!isWellFormed(note)) return fail('note_invalid_utf8', 'the note has unpaired surrogates and cannot be UTF-8');
    text = note;
  } else {
    return fail('note_invalid_utf8', 'the note is neither a string nor bytes');
  }
  // §Format: no ASCII control characters other than newline.
  if (hasControl(text)) return fail('note_control_character', 'the note contains an ASCII control character other than newline');
  // §Format: the text is separated from the signatures by the last empty line.
  const split = text.lastIndexOf('\n\n');
  if (split < 0) return fail('note_missing_blank_line', 'no blank line separates the text from the signatures');
  const body = text.slice(0, split + 1);
  const block = text.slice(split + 2);
  if (block.length === 0) return fail('note_no_signatures', 'the note has no signature lines');
  if (!block.endsWith('\n')) return fail('note_unterminated_line', 'the last signature line does not end in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) return fail('note_too_many_signatures', `more than ${MAX_SIGNATURES} signatures`);
  const signatures: NoteSignature[] = [];
  for (const [i, line] of lines.entries()) {
    // §Signatures: "— <key name> base64(32-bit key ID || signature)"
    if (!line.startsWith(SIGNATURE_PREFIX)) return fail('note_bad_signature_line', `signature line ${i + 1} does not start with an em dash and a space`);
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    if (space < 0) return fail('note_bad_signature_line', `signature line ${i + 1} has no space between name and signature`);
    const name = rest.slice(0, space);
    if (!isValidKeyName(name)) return fail('note_bad_key_name', `signature line ${i + 1} has an invalid key name`);
    const raw = fromBase64(rest.slice(space + 1));
    if (raw === null) return fail('note_bad_signature_encoding', `signature line ${i + 1} is not standard padded base64`);
    if (raw.length < KEY_ID_SIZE + 1) return fail('note_bad_signature_encoding', `signature line ${i + 1} is too short for a key ID and a signature`);
    signatures.push({ name, keyId: raw.slice(0, KEY_ID_SIZE), signature: raw.slice(KEY_ID_SIZE) });
  }
  return pass({ body, signatures });
}

// --- checkpoints -----------------------------------------------------------------------------

/** tlog-checkpoint §Note text: `<origin>\n<size>\n<base64 root>\n` then extension lines. */
export function formatCheckpoint(checkpoint: {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions?: readonly string[];
}): string {
  const { origin, size, rootHash, extensions = [] } = checkpoint;
  if (typeof origin !== 'string' || origin.length === 0 || origin.includes('\n') || hasControl(origin) || !isWellFormed(origin)) {
    throw new TypeError('formatCheckpoint: origin must be a non-empty line of text');
  }
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError('formatCheckpoint: size must be a non-negative safe integer');
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== HASH_SIZE) throw new TypeError(`formatCheckpoint: root hash must be ${HASH_SIZE} bytes`);
  for (const line of extensions) {
    if (typeof line !== 'string' || line.length === 0 || line.includes('\n') || hasControl(line) || !isWellFormed(line)) {
      throw new TypeError('formatCheckpoint: extension lines must be non-empty lines of text');
    }
  }
  return [origin, String(size), toBase64(rootHash), ...extensions].map((l) => `${l}\n`).join('');
}

/** Parse a checkpoint body strictly (tlog-checkpoint §Note text). Does not check any signature. */
export function parseCheckpointBody(body: string): Check<Checkpoint> {
  if (typeof body !== 'string' || !body.endsWith('\n')) return fail('checkpoint_malformed', 'the checkpoint does not end in a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) return fail('checkpoint_malformed', 'a checkpoint has at least three lines');
  const [origin, sizeText, rootText, ...extensions] = lines;
  // 1. origin: non-empty.
  if (origin.length === 0) return fail('checkpoint_malformed', 'the origin line is empty');
  // 2. tree size: ASCII decimal, no leading zeroes unless the tree is empty.
  if (!/^(?:0|[1-9][0-9]*)$/.test(sizeText)) return fail('checkpoint_bad_size', 'the tree size is not a canonical decimal number');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) return fail('checkpoint_bad_size', 'the tree size is larger than 2^53 - 1');
  // 3. root hash: base64 of the RFC 6962 (= RFC 9162) root.
  const rootHash = fromBase64(rootText);
  if (rootHash === null) return fail('checkpoint_bad_root_hash', 'the root hash is not standard padded base64');
  if (rootHash.length !== HASH_SIZE) return fail('checkpoint_bad_root_hash', `the root hash is ${rootHash.length} bytes, not ${HASH_SIZE}`);
  // 4. extension lines: opaque, each non-empty.
  if (extensions.some((l) => l.length === 0)) return fail('checkpoint_malformed', 'an extension line is empty');
  return pass({ origin, size, rootHash, extensions });
}

/**
 * Verify a checkpoint note against one trusted Ed25519 verifier key and parse its body.
 *
 * Per signed-note §Signatures: signatures whose (name, key ID) are not the key's are ignored;
 * every signature that does match must verify (else `checkpoint_bad_signature`); at least one must
 * exist (else `checkpoint_unknown_key`). The body is only parsed once a signature verified.
 * `options.origin`, when given, must equal the origin line (key name and origin may differ: the
 * Go checksum database signs origin "go.sum database tree" with key "sum.golang.org").
 *
 * Ed25519 is checked with @noble/curves' `zip215: false`, i.e. strict RFC 8032 / FIPS 186-5
 * decoding: non-canonical encodings of R and A and small-order public keys are rejected (S >= L is
 * rejected in both modes). The noble default, ZIP-215, is meant for consensus systems that must
 * agree with other ZIP-215 nodes on every edge case; here we want one valid encoding per
 * signature (non-malleable, strongly binding), and the spec names RFC 8032. Signatures made by any
 * RFC 8032 signer, e.g. Go's crypto/ed25519, always pass the strict rules; only hand-crafted edge
 * cases that some lenient verifier might accept are refused, which is the safe direction.
 */
export function verifyCheckpoint(
  noteText: string | Uint8Array,
  verifierKeyText: string,
  options: { origin?: string } = {},
): Check<Checkpoint> {
  const key = parseVerifierKey(verifierKeyText);
  if (!key.ok) return key;
  const note = parseNote(noteText);
  if (!note.ok) return note;
  const message = utf8ToBytes(note.body);
  let verified = 0;
  for (const sig of note.signatures) {
    if (sig.name !== key.name || !equalBytes(sig.keyId, key.keyId)) continue;
    if (sig.signature.length !== ED25519_SIGNATURE_SIZE || !ed25519Verify(sig.signature, message, key.publicKey)) {
      return fail('checkpoint_bad_signature', `the signature by ${key.name}+${bytesToHex(key.keyId)} does not verify`);
    }
    verified++;
  }
  if (verified === 0) return fail('checkpoint_unknown_key', `no signature by ${key.name}+${bytesToHex(key.keyId)}`);
  const checkpoint = parseCheckpointBody(note.body);
  if (!checkpoint.ok) return checkpoint;
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    return fail('checkpoint_wrong_origin', `the origin is ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(options.origin)}`);
  }
  const { origin, size, rootHash, extensions } = checkpoint;
  return pass({ origin, size, rootHash, extensions });
}

// --- internals -------------------------------------------------------------------------------

/** signed-note §Signature types: SHA-256(name || 0x0A || type || public key)[:4]. */
export function keyIdOf(name: string, publicKey: Uint8Array, type = SIGNATURE_TYPE_ED25519): Uint8Array {
  return sha256(concatBytes(utf8ToBytes(name), new Uint8Array([0x0a, type]), publicKey)).slice(0, KEY_ID_SIZE);
}

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

function isUsableEd25519Key(publicKey: Uint8Array): boolean {
  try {
    return !ed25519.Point.fromBytes(publicKey, false).isSmallOrder();
  } catch {
    return false;
  }
}

export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** Why `text` cannot be the text of a note, or null. */
export function noteTextProblem(text: string): string | null {
  if (typeof text !== 'string' || !isWellFormed(text)) return 'the text is not well-formed Unicode';
  if (!text.endsWith('\n')) return 'the text must end in a newline';
  if (hasControl(text)) return 'the text contains an ASCII control character other than newline';
  return null;
}

/**
 * No unpaired surrogates, so the text has a UTF-8 encoding. (String.prototype.isWellFormed is
 * ES2024; this keeps the module on the project's ES2022 lib and older browsers.)
 */
export function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** Any code unit below U+0020 other than newline. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
  }
  return false;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
