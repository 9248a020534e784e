/**
 * Hybrid ElGamal on ristretto255 with a proof of knowledge of the ephemeral scalar
 * (docs/protocol.md §10.3). To seal `plaintext` to the public key Y in `context`:
 *   r ← random, R = r·G, S = r·Y
 *   key = SHA-256("undersigned/seal-key/v1" ‖ 0x00 ‖ R ‖ S)
 *   ct  = XChaCha20-Poly1305(key, nonce = 0^24, aad = context)(plaintext)
 *   π   = Schnorr PoK of r for R, over context ‖ ct
 * The key is used once (fresh r), so the fixed nonce is safe. π makes the ciphertext
 * non-malleable and binds it to its context (letter id ‖ nullifier): a sealed name copied into
 * another record fails π, so nobody can replay someone's ciphertext to have it decrypted
 * (the "Signed ElGamal" / TDH-style construction; Schnorr–Jakobsson 2000, Shoup–Gennaro 1998).
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { fromBase64, toBase64 } from '../encoding.ts';
import { type Check, fail, pass } from '../result.ts';
import { type Point, G, type Random, decodePoint, encodePoint, mul, randomScalar } from './group.ts';
import { type SigmaProof, proveSchnorr, verifySchnorr } from './proofs.ts';

export interface Sealed {
  /** Ephemeral point R = r·G (hex). */
  R: string;
  /** AEAD ciphertext (base64). */
  ct: string;
  /** Schnorr proof of knowledge of r, bound to the context and the ciphertext. */
  proof: SigmaProof;
}

const NONCE = new Uint8Array(24);

function sealKey(R: Point, S: Point): Uint8Array {
  return sha256(concatBytes(utf8ToBytes('undersigned/seal-key/v1'), new Uint8Array([0]), R.toBytes(), S.toBytes()));
}

function proofContext(context: string, ct: Uint8Array): string {
  return `${context}|${bytesToHex(sha256(ct))}`;
}

export function seal(plaintext: Uint8Array, Y: Point, context: string, random: Random): Sealed {
  const r = randomScalar(random);
  const R = mul(G, r);
  const ct = xchacha20poly1305(sealKey(R, mul(Y, r)), NONCE, utf8ToBytes(context)).encrypt(plaintext);
  return { R: encodePoint(R), ct: toBase64(ct), proof: proveSchnorr(r, R, proofContext(context, ct), random) };
}

/** Check the form and the proof of a sealed value (anyone can, without any key). */
export function checkSealed(sealed: Sealed, context: string): Check<{ R: Point; ct: Uint8Array }> {
  const R = decodePoint(sealed.R, 'sealed R');
  if (!R.ok) return R;
  const ct = fromBase64(sealed.ct);
  if (!ct || ct.length < 16 || ct.length > 4096) return fail('bad_sealed', 'sealed ciphertext is not base64 of 16 to 4096 bytes');
  const proof = verifySchnorr(R.point, sealed.proof, proofContext(context, ct));
  if (!proof.ok) return fail('bad_sealed_proof', 'the sealed value is not bound to this record (its proof of knowledge fails)');
  return pass({ R: R.point, ct });
}

/** Open with the shared point S = x·R (x the secret key, or combined from threshold partials). */
export function openSealed(sealed: Sealed, S: Point, context: string): Check<{ plaintext: Uint8Array }> {
  const checked = checkSealed(sealed, context);
  if (!checked.ok) return checked;
  try {
    const plaintext = xchacha20poly1305(sealKey(checked.R, S), NONCE, utf8ToBytes(context)).decrypt(checked.ct);
    return pass({ plaintext });
  } catch {
    return fail('sealed_decrypt_failed', 'the sealed value does not decrypt with this key');
  }
}
