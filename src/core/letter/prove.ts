/**
 * The prover side: make the Semaphore proofs that propose a letter and that sign or withdraw.
 * Kept apart from verification (as Semaphore keeps generate and verify apart) so that a verifier
 * never loads the prover or its ~MB artifacts. Artifacts are passed in by the caller: file paths
 * in Node, same-origin URLs in a browser; nothing is ever downloaded from elsewhere.
 */
import type { Group } from '@semaphore-protocol/group';
import type { Identity } from '@semaphore-protocol/identity';
import { generateProof } from '@semaphore-protocol/proof';
import { poseidon2 } from 'poseidon-lite/poseidon2';
import { publicKeyOf, signField } from '../identity/identity.ts';
import { type Letter, proposalMessage, proposalScope, signatureScope } from './letter.ts';
import { type Action, type SignatureRecord, actionMessage, namedMessage } from './record.ts';
import { sealName } from '../sealed/sealed.ts';
import { type SemaphoreProof, semaphoreHash } from '../crypto/semaphore.ts';
import { type Random, decodePoint } from '../trustee/group.ts';

export type Artifacts = (depth: number) => { wasm: string; zkey: string };

export interface ProverContext {
  identity: Identity;
  /** The Semaphore group built from the roster snapshot the letter fixed. */
  group: Group;
  letter: Letter;
  letterId: string;
  artifacts: Artifacts;
}

/** The nullifier a proof will output: Poseidon(H(scope), secret), as in the Semaphore v4 circuit. */
export function expectedNullifier(identity: Identity, scope: bigint): string {
  return poseidon2([semaphoreHash(scope), identity.secretScalar]).toString();
}

/**
 * A Semaphore proof that `identity` is a leaf of `group`, over `message` and `scope`, made with
 * the circuit of the given depth (the one the letter or ballot fixed: LeanIMT proofs can be
 * shorter than the tree depth, and the circuit wants the fixed one).
 */
export async function proveMembership(
  m: { identity: Identity; group: Group; depth: number; artifacts: Artifacts; what: string },
  message: bigint,
  scope: bigint,
): Promise<SemaphoreProof> {
  const index = m.group.indexOf(m.identity.commitment);
  if (index < 0) throw new Error(`this identity is not in the roster the ${m.what} fixed`);
  const merkleProof = m.group.generateMerkleProof(index);
  const p = await generateProof(m.identity, { ...merkleProof, siblings: [...merkleProof.siblings] }, message, scope, m.depth, m.artifacts(m.depth));
  return {
    merkleTreeDepth: p.merkleTreeDepth,
    merkleTreeRoot: p.merkleTreeRoot.toString(),
    nullifier: p.nullifier.toString(),
    message: p.message.toString(),
    scope: p.scope.toString(),
    points: p.points.map(String),
  };
}

function prove(ctx: ProverContext, message: bigint, scope: bigint): Promise<SemaphoreProof> {
  return proveMembership({ ...ctx, depth: ctx.letter.roster.depth, what: 'letter' }, message, scope);
}

/** A membership proof that proposes `letter`, without saying which member proposes it. */
export function proveProposal(ctx: ProverContext): Promise<SemaphoreProof> {
  return prove(ctx, proposalMessage(ctx.letterId), proposalScope(ctx.letterId));
}

export interface ActionChoice {
  action: 'support' | 'withdraw';
  display?: 'anonymous' | 'named' | 'sealed';
  seq: number;
  /** Randomness for sealing a name to the letter's committee (needed for `sealed`). */
  random?: Random;
}

/** A signature record: the action, named if asked, and its proof. */
export async function proveAction(ctx: ProverContext, choice: ActionChoice): Promise<SignatureRecord> {
  const scope = signatureScope(ctx.letterId);
  const base = { format: 'undersigned-action/1' as const, letterId: ctx.letterId, seq: choice.seq };
  let action: Action;
  if (choice.action === 'withdraw') {
    action = { ...base, action: 'withdraw' };
  } else if (choice.display === 'named') {
    const nullifier = expectedNullifier(ctx.identity, scope);
    action = {
      ...base,
      action: 'support',
      display: 'named',
      named: { publicKey: publicKeyOf(ctx.identity), signature: signField(ctx.identity, namedMessage(ctx.letterId, nullifier)) },
    };
  } else if (choice.display === 'sealed') {
    if (!ctx.letter.committee || !choice.random) throw new Error('a sealed signature needs a letter with a committee, and randomness');
    const key = decodePoint(ctx.letter.committee.publicKey, 'committee key');
    if (!key.ok) throw new Error(key.reason);
    const nullifier = expectedNullifier(ctx.identity, scope);
    action = { ...base, action: 'support', display: 'sealed', sealed: sealName(ctx.identity, ctx.letterId, nullifier, key.point, choice.random) };
  } else {
    action = { ...base, action: 'support', display: 'anonymous' };
  }
  const proof = await prove(ctx, actionMessage(action), scope);
  return { action, proof };
}
