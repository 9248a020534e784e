/** The voter's side: encrypt a choice, prove it well formed, and prove membership (Semaphore). */
import type { Group } from '@semaphore-protocol/group';
import type { Identity } from '@semaphore-protocol/identity';
import type { Artifacts } from '../letter/prove.ts';
import { expectedNullifier, proveMembership } from '../letter/prove.ts';
import type { Random } from '../trustee/group.ts';
import { publicKeyOf, signField } from '../identity/identity.ts';
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
  const proof = await proveMembership({ ...ctx, depth: ctx.ballot.roster.depth, what: 'ballot' }, voteMessage(action), scope);
  return { action, proof };
}
