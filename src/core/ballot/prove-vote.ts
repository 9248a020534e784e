/** The voter's side: encrypt a choice, prove it well formed, and prove membership (Semaphore). */
import type { Group } from '@semaphore-protocol/group';
import type { Identity } from '@semaphore-protocol/identity';
import { generateProof } from '@semaphore-protocol/proof';
import type { Artifacts } from '../prove.ts';
import { expectedNullifier } from '../prove.ts';
import type { Random } from '../trustee/group.ts';
import { publicKeyOf, signField } from '../identity.ts';
import { type Ballot, type VoteAction, type VoteRecord, encryptChoice, isRecorded, recordedVoteMessage, voteMessage, voteScope } from './ballot.ts';

export async function proveVote(
  ctx: { identity: Identity; group: Group; ballot: Ballot; ballotId: string; artifacts: Artifacts },
  choice: number,
  seq: number,
  random: Random,
): Promise<VoteRecord> {
  const scope = voteScope(ctx.ballotId);
  const nullifier = expectedNullifier(ctx.identity, scope);
  const action: VoteAction = isRecorded(ctx.ballot)
    ? {
        format: 'undersigned-vote/1',
        ballotId: ctx.ballotId,
        seq,
        choice: ctx.ballot.options[choice],
        named: { publicKey: publicKeyOf(ctx.identity), signature: signField(ctx.identity, recordedVoteMessage(ctx.ballotId, nullifier, ctx.ballot.options[choice])) },
      }
    : encryptChoice(ctx.ballot, ctx.ballotId, nullifier, choice, seq, random);
  const index = ctx.group.indexOf(ctx.identity.commitment);
  if (index < 0) throw new Error('this identity is not in the roster the ballot fixed');
  const depth = ctx.ballot.roster.depth;
  const mp = ctx.group.generateMerkleProof(index);
  const p = await generateProof(ctx.identity, { ...mp, siblings: [...mp.siblings] }, voteMessage(action), scope, depth, ctx.artifacts(depth));
  return {
    action,
    proof: {
      merkleTreeDepth: p.merkleTreeDepth,
      merkleTreeRoot: p.merkleTreeRoot.toString(),
      nullifier: p.nullifier.toString(),
      message: p.message.toString(),
      scope: p.scope.toString(),
      points: p.points.map(String),
    },
  };
}
