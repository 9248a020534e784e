/**
 * The real bundles the corpus is made from, and the forgeries that need secrets (a member's
 * identity to re-prove membership, a trustee's transport key to sign): everything an attacker
 * holding those secrets, and running the server, could produce.
 *
 * One instance of 8 members with a 2-of-3 trustee committee:
 *   letter     a plain letter: 0 anonymous, 1 named (Member B), 2 anonymous, 2 withdraws, 2 signs again
 *   sealed     a sealed letter (threshold 2): 0 and 1 sealed, 2 anonymous; trustees 1 and 3 reveal
 *   procedure  a leadership review: a notice signed by 0 and 1 by name (20% of 8 is 2), a secret
 *              ballot (0 votes no then yes, 1 and 2 yes, 3 no), trustees 1 and 2 decrypt the tally
 * And a second instance whose committee is another one (for bundles carrying "another committee").
 */
import { randomBytes } from 'node:crypto';
import type { Ballot, VoteRecord } from '../../src/core/ballot/ballot.ts';
import { type VoteAction, voteMessage, voteScope } from '../../src/core/ballot/ballot.ts';
import { addCiphertexts, encodeCiphertext, proveOneOf } from '../../src/core/ballot/elgamal.ts';
import { proveVote } from '../../src/core/ballot/prove-vote.ts';
import type { Bundle } from '../../src/core/bundle/bundle.ts';
import { type CommitteeEntry, trusteeSign } from '../../src/core/trustee/committee.ts';
import { proposalMessage, proposalScope, signatureScope } from '../../src/core/letter/letter.ts';
import type { ProcedureBundle } from '../../src/core/bundle/procedure-bundle.ts';
import { expectedNullifier, proveMembership } from '../../src/core/letter/prove.ts';
import type { SemaphoreProof } from '../../src/core/crypto/semaphore.ts';
import { type Action, type SignatureRecord, actionMessage } from '../../src/core/letter/record.ts';
import type { RevealEntry } from '../../src/core/sealed/reveal.ts';
import { sealName } from '../../src/core/sealed/sealed.ts';
import { trusteeStep } from '../../src/core/trustee/duties.ts';
import { G, decodePoint, mul, randomScalar } from '../../src/core/trustee/group.ts';
import { nodeArtifacts, nodeVerificationKeys } from '../../src/node/artifacts.ts';
import { inProcessTrusteeApi } from '../../src/server/trustee-api.ts';
import { formCommittee, makeWorld, openLetter } from '../support/world.ts';

const random = (n: number) => new Uint8Array(randomBytes(n));

export interface Corpus {
  letter: Bundle;
  sealed: Bundle;
  procedure: ProcedureBundle;
  /** Forgeries that need a secret, for the cases to put in place. */
  forged: {
    /** Valid membership proofs that differ from the plain letter's proposal in one public signal. */
    proposal: { otherRoster: SemaphoreProof; otherDepth: SemaphoreProof; otherScope: SemaphoreProof; otherMessage: SemaphoreProof };
    /** Records on the plain letter that one record rule each refuses (membership proven over each). */
    records: { otherRoster: SignatureRecord; otherDepth: SignatureRecord; otherLetter: SignatureRecord; sealedWithoutCommittee: SignatureRecord };
    /** A sealed record on the sealed letter whose sealed name is bound to another nullifier. */
    sealedForAnotherNullifier: SignatureRecord;
    /** Member D's record on the plain letter's own root and action, scoped to another letter. */
    foreignScopeRecord: SignatureRecord;
    /** The sealed letter's second reveal entry (trustee 3's), re-signed with trustee 1's key. */
    revealSignedByOther: RevealEntry;
    /** Another instance's committee entries (a complete, valid key generation of its own). */
    otherCommittee: CommitteeEntry[];
    /** Member E's votes, each with membership re-proven over the forged vote. */
    voteEncryptingTwo: VoteRecord;
    voteTwoAndMinusOne: VoteRecord;
    voteTwoChoices: VoteRecord;
  };
}

export async function makeCorpus(): Promise<Corpus> {
  const world = await makeWorld({ members: 8 });
  const other = await makeWorld({ members: 1 });
  try {
    const secrets = await formCommittee(world);
    await formCommittee(other);
    const otherCommittee = (await other.instance.committee.entries()).map((e) => e.entry);
    const committeeRef = (await world.instance.committee.letterRef())!;

    // The plain letter.
    const plain = await openLetter(world);
    await plain.sign(0, { action: 'support', display: 'anonymous', seq: 1 });
    await plain.sign(1, { action: 'support', display: 'named', seq: 1 });
    await plain.sign(2, { action: 'support', display: 'anonymous', seq: 1 });
    await plain.sign(2, { action: 'withdraw', seq: 2 });
    await plain.sign(2, { action: 'support', display: 'anonymous', seq: 3 });
    await world.instance.letters.close(plain.id);
    const letter = await world.instance.bundles.letter(plain.id);
    // Double signing: the letter's root and action, another scope (so another nullifier).
    const action: Action = { format: 'undersigned-action/1', letterId: plain.id, action: 'support', display: 'anonymous', seq: 1 };
    const depth = plain.letter.roster.depth;
    const member = (i: number, d = depth) => ({ ...plain.ctx(i), depth: d, what: 'letter' });
    const foreignScopeRecord: SignatureRecord = { action, proof: await proveMembership(member(3), actionMessage(action), signatureScope('ef'.repeat(32))) };
    const outsider = { identity: other.identities[0], group: (await other.instance.roster.current()).group, depth, artifacts: nodeArtifacts, what: 'letter' };
    const proposal = {
      otherRoster: await proveMembership(outsider, proposalMessage(plain.id), proposalScope(plain.id)),
      otherDepth: await proveMembership(member(4, depth + 1), proposalMessage(plain.id), proposalScope(plain.id)),
      otherScope: await proveMembership(member(4), proposalMessage(plain.id), signatureScope(plain.id)),
      otherMessage: await proveMembership(member(4), actionMessage(action), proposalScope(plain.id)),
    };

    // One record rule each: another roster, another depth, an action naming another letter, a sealed
    // name on a letter without a committee (sealed to the committee's key all the same).
    const scope = signatureScope(plain.id);
    const committeeKey = decodePoint(committeeRef.publicKey, 'committee key');
    if (!committeeKey.ok) throw new Error(committeeKey.reason);
    const otherLetterAction: Action = { ...action, letterId: 'ef'.repeat(32) };
    const sealedAction: Action = {
      format: 'undersigned-action/1',
      letterId: plain.id,
      action: 'support',
      display: 'sealed',
      seq: 1,
      sealed: sealName(world.identities[6], plain.id, expectedNullifier(world.identities[6], scope), committeeKey.point, random),
    };
    const records = {
      otherRoster: { action, proof: await proveMembership(outsider, actionMessage(action), scope) },
      otherDepth: { action, proof: await proveMembership(member(5, depth + 1), actionMessage(action), scope) },
      otherLetter: { action: otherLetterAction, proof: await proveMembership(member(5), actionMessage(otherLetterAction), scope) },
      sealedWithoutCommittee: { action: sealedAction, proof: await proveMembership(member(6), actionMessage(sealedAction), scope) },
    };

    // The sealed letter, revealed by trustees 1 and 3.
    const sealedLetter = await openLetter(world, { committee: committeeRef, revealThreshold: 2 });
    await sealedLetter.sign(0, { action: 'support', display: 'sealed', seq: 1, random });
    await sealedLetter.sign(1, { action: 'support', display: 'sealed', seq: 1, random });
    await sealedLetter.sign(2, { action: 'support', display: 'anonymous', seq: 1 });
    await world.instance.letters.close(sealedLetter.id);
    for (const s of [secrets[0], secrets[2]]) await trusteeStep(inProcessTrusteeApi(world.instance), s, nodeVerificationKeys, random);
    const sealed = await world.instance.bundles.letter(sealedLetter.id);
    const sealedScope = signatureScope(sealedLetter.id);
    const misbound: Action = {
      format: 'undersigned-action/1',
      letterId: sealedLetter.id,
      action: 'support',
      display: 'sealed',
      seq: 1,
      sealed: sealName(world.identities[5], sealedLetter.id, '12345', committeeKey.point, random),
    };
    const sealedForAnotherNullifier: SignatureRecord = {
      action: misbound,
      proof: await proveMembership({ ...sealedLetter.ctx(5), depth: sealedLetter.letter.roster.depth, what: 'letter' }, actionMessage(misbound), sealedScope),
    };
    const third = sealed.reveals![1].entry as RevealEntry;
    const { signature: _, ...body } = third;
    const revealSignedByOther: RevealEntry = { ...body, signature: trusteeSign(secrets[0], 'reveal', body, random) };

    // The leadership review: notice, ballot, votes, tally by trustees 1 and 2.
    const notice = await openLetter(world, { visibility: 'at-threshold' });
    await notice.sign(0, { action: 'support', display: 'named', seq: 1 });
    await notice.sign(1, { action: 'support', display: 'named', seq: 1 });
    await world.instance.letters.close(notice.id);
    const { ref, group } = await world.instance.roster.current();
    const ballot: Ballot = {
      format: 'undersigned-ballot/1',
      question: 'Should the leader of the party be replaced?',
      options: ['yes', 'no'],
      roster: ref,
      committee: committeeRef,
      deadline: '2026-12-01T17:00:00Z',
      procedure: 'ca-leadership-review',
      notice: notice.id,
      nonce: '0123456789abcdef0123456789abcdef',
    };
    const id = (await world.instance.ballots.open(ballot)).ballotId;
    const vctx = (i: number) => ({ identity: world.identities[i], group, ballot, ballotId: id, artifacts: nodeArtifacts });
    for (const [who, choice, seq] of [
      [0, 1, 1],
      [0, 0, 2],
      [1, 0, 1],
      [2, 0, 1],
      [3, 1, 1],
    ]) {
      await world.instance.ballots.vote(id, await proveVote(vctx(who), choice, seq, random));
    }
    await world.instance.ballots.close(id);
    for (const s of [secrets[0], secrets[1]]) await trusteeStep(inProcessTrusteeApi(world.instance), s, nodeVerificationKeys, random);
    const procedure = await world.instance.bundles.procedure(id);

    // Forged votes by member E (index 4), membership re-proven over each.
    const Y = decodePoint(committeeRef.publicKey, 'committee key');
    if (!Y.ok) throw new Error(Y.reason);
    const voter = vctx(4);
    const nullifier = expectedNullifier(voter.identity, voteScope(id));
    const optionContext = (j: number) => `undersigned/vote-option/v1|${id}|${nullifier}|${j}`;
    const sumContext = `undersigned/vote-sum/v1|${id}|${nullifier}`;
    const reprove = async (vote: VoteAction): Promise<VoteRecord> => ({
      action: vote,
      proof: await proveMembership({ ...voter, depth: ballot.roster.depth, what: 'ballot' }, voteMessage(vote), voteScope(id)),
    });
    /** Enc(m; r) for any integer m, negative ones included (m·G computed as −(|m|·G)). */
    const enc = (m: bigint, r: bigint) => {
      const mG = m < 0n ? mul(G, -m).negate() : m === 0n ? G.subtract(G) : mul(G, m);
      return { a: mul(G, r), b: mul(Y.point, r).add(mG) };
    };
    // The sum proof is always made as if the total held 1: valid when it does, invalid otherwise.
    const forge = async (plaintexts: [bigint, bigint]) => {
      const rs = plaintexts.map(() => randomScalar(random));
      const cts = plaintexts.map((m, j) => enc(m, rs[j]));
      // Each option's 0/1 proof made as if it held 0 when it does, else as if it held 1 (valid only for 0 and 1).
      const choices = cts.map((ct, j) => ({ ct: encodeCiphertext(ct), proof: proveOneOf(ct, plaintexts[j] === 0n ? 0 : 1, rs[j], [0, 1], Y.point, optionContext(j), random) }));
      const total = addCiphertexts(cts);
      const R = rs.reduce((a, r) => a + r, 0n);
      const sum = proveOneOf(total, 1, R, [1], Y.point, sumContext, random);
      return reprove({ format: 'undersigned-vote/1', ballotId: id, seq: 1, choices, sum });
    };
    return {
      letter,
      sealed,
      procedure,
      forged: {
        proposal,
        records,
        sealedForAnotherNullifier,
        foreignScopeRecord,
        revealSignedByOther,
        otherCommittee,
        voteEncryptingTwo: await forge([2n, 0n]),
        voteTwoAndMinusOne: await forge([2n, -1n]),
        voteTwoChoices: await forge([1n, 1n]),
      },
    };
  } finally {
    await world.close();
    await other.close();
  }
}
