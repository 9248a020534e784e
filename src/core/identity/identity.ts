/**
 * A member's identity: a Semaphore v4 identity (EdDSA-Poseidon key pair on Baby Jubjub),
 * commitment = Poseidon(public key). The 32-byte private key is made from randomness the caller
 * passes in and never leaves the member's side except inside a passphrase-encrypted identity file.
 */
import { verifyBabyJubSignature } from '../crypto/babyjub.ts';
import { Identity } from '@semaphore-protocol/identity';
import { z } from 'zod';

export { Identity };

const decimal = z.string().regex(/^(0|[1-9][0-9]{0,77})$/);

/** A Baby Jubjub point as two decimal strings. */
export const PointSchema = z.tuple([decimal, decimal]);
export const EdDSASignatureSchema = z.object({ R8: PointSchema, S: decimal }).strict();
export type EdDSASignature = z.infer<typeof EdDSASignatureSchema>;

export function identityFromPrivateKey(privateKey: Uint8Array): Identity {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== 32) {
    throw new TypeError('an identity private key is exactly 32 bytes');
  }
  return new Identity(privateKey);
}

export function commitmentOf(publicKey: readonly [string, string]): string {
  return Identity.generateCommitment([BigInt(publicKey[0]), BigInt(publicKey[1])]).toString();
}

export function publicKeyOf(identity: Identity): [string, string] {
  return [identity.publicKey[0].toString(), identity.publicKey[1].toString()];
}

export function signField(identity: Identity, message: bigint): EdDSASignature {
  const s = identity.signMessage(message);
  return { R8: [s.R8[0].toString(), s.R8[1].toString()], S: s.S.toString() };
}

/** zk-kit's EdDSA-Poseidon check (Identity.verifySignature), in extended coordinates (babyjub.ts): about 20× faster. */
export function verifyFieldSignature(message: bigint, signature: EdDSASignature, publicKey: readonly [string, string]): boolean {
  try {
    return verifyBabyJubSignature(message, { R8: [BigInt(signature.R8[0]), BigInt(signature.R8[1])], S: BigInt(signature.S) }, [BigInt(publicKey[0]), BigInt(publicKey[1])]);
  } catch {
    return false;
  }
}

/**
 * Who made a named signature over `message`: the roster member whose commitment is that of the
 * signing key, provided the signature verifies. `what` names the thing in the reasons.
 */
export function namedSigner<M>(
  named: { publicKey: readonly [string, string]; signature: EdDSASignature },
  message: bigint,
  byCommitment: ReadonlyMap<string, M>,
  what: string,
): { ok: true; signer: M } | { ok: false; code: 'named_not_member' | 'named_bad_signature'; reason: string } {
  const signer = byCommitment.get(commitmentOf(named.publicKey));
  if (signer === undefined) return { ok: false, code: 'named_not_member', reason: `${what} is signed by a key that is not on the roster` };
  if (!verifyFieldSignature(message, named.signature, named.publicKey)) return { ok: false, code: 'named_bad_signature', reason: `${what} does not verify` };
  return { ok: true, signer };
}
