/**
 * Sealed signatures (docs/protocol.md §11): the named part of a signature — the member's public
 * key and their EdDSA signature over (letter, nullifier) — sealed to the trustee committee's key
 * in the context "undersigned/sealed-signature/v1|letterId|nullifier". The record counts now like
 * an anonymous one; the name is revealed only if, at the close, the count reaches the letter's
 * reveal threshold and k trustees publish their partial decryptions.
 */
import { canonicalBytes } from '../encoding.ts';
import { type Identity, namedSigner, publicKeyOf, signField } from '../identity/identity.ts';
import { NamedSchema, namedMessage, sealedContext } from '../letter/record.ts';
import { type Check, fail, pass } from '../result.ts';
import type { RosterMember } from '../roster/roster.ts';
import { type Point, type Random } from '../trustee/group.ts';
import { type Sealed, openSealed, seal } from '../trustee/seal.ts';

export { sealedContext };

/** Every sealed name is this many bytes before encryption (canonical JSON, then spaces). */
export const SEALED_PLAINTEXT_BYTES = 640;

/** Seal the member's name (key + signature over letter and nullifier) to the committee key. */
export function sealName(identity: Identity, letterId: string, nullifier: string, committeeKey: Point, random: Random): Sealed {
  const named = { publicKey: publicKeyOf(identity), signature: signField(identity, namedMessage(letterId, nullifier)) };
  // Padded with spaces (still valid JSON) to a fixed size, so ciphertext lengths say nothing about the name.
  const bytes = canonicalBytes(named);
  if (bytes.length > SEALED_PLAINTEXT_BYTES) throw new Error('named signature longer than the sealed size');
  const padded = new Uint8Array(SEALED_PLAINTEXT_BYTES).fill(0x20);
  padded.set(bytes);
  return seal(padded, committeeKey, sealedContext(letterId, nullifier), random);
}

/**
 * Open a sealed name with the combined shared point and check it: it must decrypt, parse as a
 * named signature, be signed over this letter and nullifier, by a key on the letter's roster.
 * Anything else is "sealed content invalid": the record still counts, but names nobody.
 */
export function openSealedName(
  sealed: Sealed,
  shared: Point,
  letterId: string,
  nullifier: string,
  byCommitment: ReadonlyMap<string, RosterMember>,
): Check<{ signer: RosterMember }> {
  const opened = openSealed(sealed, shared, sealedContext(letterId, nullifier));
  if (!opened.ok) return fail('sealed_content_invalid', 'the sealed name does not decrypt');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(opened.plaintext));
  } catch {
    return fail('sealed_content_invalid', 'the sealed name is not JSON');
  }
  const named = NamedSchema.safeParse(value);
  if (!named.success) return fail('sealed_content_invalid', 'the sealed name is not a named signature');
  const signed = namedSigner(named.data, namedMessage(letterId, nullifier), byCommitment, 'the sealed name');
  if (!signed.ok) return fail('sealed_content_invalid', signed.reason);
  return pass({ signer: signed.signer });
}
