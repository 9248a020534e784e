/**
 * Signature records (docs/protocol.md §6). A record is an action and a Semaphore proof:
 *   scope   = the letter id as an integer      (one nullifier per member per letter)
 *   message = SHA-256("undersigned/action/v1" ‖ 0x00 ‖ canonical action) as an integer
 * A named action also carries the member's EdDSA-Poseidon public key and a signature over
 *   SHA-256("undersigned/named/v1" ‖ 0x00 ‖ {letterId, nullifier}) >> 8
 * which ties that name to this nullifier and no other. `seq` grows with each action of the same
 * nullifier, so that the latest action is well defined whatever order a server replays them in.
 */
import { z } from 'zod';
import { taggedHash } from '../encoding.ts';
import { EdDSASignatureSchema, PointSchema, namedSigner } from '../identity/identity.ts';
import { type Letter, signatureScope } from './letter.ts';
import { fail, pass, type Check } from '../result.ts';
import type { RosterMember } from '../roster/roster.ts';
import { SemaphoreProofSchema, hexToBigint, verifySemaphoreProof, type VerificationKeys } from '../crypto/semaphore.ts';
import { SealedSchema } from '../trustee/dkg.ts';
import { checkSealed } from '../trustee/seal.ts';

const hex32 = z.string().regex(/^[0-9a-f]{64}$/);

export const NamedSchema = z.object({ publicKey: PointSchema, signature: EdDSASignatureSchema }).strict();

export const ActionSchema = z.union([
  z
    .object({
      format: z.literal('undersigned-action/1'),
      letterId: hex32,
      action: z.literal('support'),
      display: z.literal('anonymous'),
      seq: z.number().int().min(1).max(1_000_000),
    })
    .strict(),
  z
    .object({
      format: z.literal('undersigned-action/1'),
      letterId: hex32,
      action: z.literal('support'),
      display: z.literal('named'),
      seq: z.number().int().min(1).max(1_000_000),
      named: NamedSchema,
    })
    .strict(),
  z
    .object({
      format: z.literal('undersigned-action/1'),
      letterId: hex32,
      action: z.literal('support'),
      display: z.literal('sealed'),
      seq: z.number().int().min(1).max(1_000_000),
      /** The named part, sealed to the letter's trustee committee (src/core/sealed/sealed.ts). */
      sealed: SealedSchema,
    })
    .strict(),
  z
    .object({
      format: z.literal('undersigned-action/1'),
      letterId: hex32,
      action: z.literal('withdraw'),
      seq: z.number().int().min(1).max(1_000_000),
    })
    .strict(),
]);
export type Action = z.infer<typeof ActionSchema>;

export const SignatureRecordSchema = z.object({ action: ActionSchema, proof: SemaphoreProofSchema }).strict();
export type SignatureRecord = z.infer<typeof SignatureRecordSchema>;

export function actionHash(action: Action): string {
  return taggedHash('undersigned/action/v1', action);
}

export function actionMessage(action: Action): bigint {
  return hexToBigint(actionHash(action));
}

/** The field element a named signer signs: binds their name to this letter and nullifier. */
export function namedMessage(letterId: string, nullifier: string): bigint {
  return hexToBigint(taggedHash('undersigned/named/v1', { letterId, nullifier })) >> 8n;
}

/** The context a sealed name is encrypted and proven in: it cannot be moved to another record. */
export function sealedContext(letterId: string, nullifier: string): string {
  return `undersigned/sealed-signature/v1|${letterId}|${nullifier}`;
}

export interface RecordContext {
  letterId: string;
  letter: Letter;
  /** Roster members of the letter's snapshot by commitment, to resolve named signers. */
  byCommitment: ReadonlyMap<string, RosterMember>;
  keys: VerificationKeys;
}

/**
 * Every rule a single record must meet on its own (docs/protocol.md §6.2). Order matters only for
 * which reason is reported first: cheap structural checks run before the proof.
 */
export async function verifyRecord(record: SignatureRecord, ctx: RecordContext): Promise<Check<{ signer: RosterMember | null }>> {
  const checked = checkRecordWithoutProof(record, ctx);
  if (!checked.ok) return checked;
  // 7. The zero-knowledge proof itself.
  return withProofVerdict(checked, await verifySemaphoreProof(record.proof, ctx.keys));
}

/** Rule 7 on top of rules 1–6, from the proof's verdict (computed here or by a batch verifier). */
export function withProofVerdict<T extends object>(checked: Check<T>, proofValid: boolean): Check<T> {
  if (!checked.ok) return checked;
  return proofValid ? checked : fail('bad_proof', 'proof does not verify');
}

/**
 * Rules 1–6 of verifyRecord, everything but the zero-knowledge proof: for a verifier that checks
 * many records' proofs together (groth16-batch.ts) and then reports reasons in the same order.
 */
export function checkRecordWithoutProof(record: SignatureRecord, ctx: Omit<RecordContext, 'keys'>): Check<{ signer: RosterMember | null }> {
  const { action, proof } = record;
  // 1. The action is for this letter.
  if (action.letterId !== ctx.letterId) return fail('wrong_letter', 'the action names another letter');
  // 2. The proof is over this letter's scope (one nullifier per member per letter).
  if (proof.scope !== signatureScope(ctx.letterId).toString()) return fail('wrong_scope', 'the proof is not scoped to this letter');
  // 3. The proof is against the roster the letter fixed, at the letter's tree depth.
  if (proof.merkleTreeRoot !== ctx.letter.roster.root) return fail('wrong_root', 'the proof is against another roster root');
  if (proof.merkleTreeDepth !== ctx.letter.roster.depth) return fail('wrong_depth', 'the proof uses another tree depth than the letter');
  // 4. The proof's message commits to this exact action.
  if (proof.message !== actionMessage(action).toString()) return fail('wrong_message', 'the proof does not commit to this action');
  // 5. A named action is signed by a roster member's key, over this letter and nullifier.
  let signer: RosterMember | null = null;
  if (action.action === 'support' && action.display === 'named') {
    const named = namedSigner(action.named, namedMessage(ctx.letterId, proof.nullifier), ctx.byCommitment, 'the named signature');
    if (!named.ok) return fail(named.code, named.reason);
    signer = named.signer;
  }
  // 6. A sealed name is well formed and bound to this letter and nullifier (it cannot be opened here).
  if (action.action === 'support' && action.display === 'sealed') {
    if (!ctx.letter.committee) return fail('sealed_without_committee', 'this letter has no trustee committee, so it takes no sealed signatures');
    const sealed = checkSealed(action.sealed, sealedContext(ctx.letterId, proof.nullifier));
    if (!sealed.ok) return fail('bad_sealed', `the sealed name is invalid: ${sealed.reason}`);
  }
  return pass({ signer });
}
