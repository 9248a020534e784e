/**
 * Secret ballots through the server's rules with real proofs: a leadership review on a 6-member
 * roster with a 2-of-3 committee — the notice, votes with a revote, refusals (replay, after the
 * close, altered proofs, a forged choice), the trustees' tally and the decision, verified offline.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ballot, type VoteRecord, encryptChoice, tallyCiphertexts, verifyVote } from '../src/core/ballot/ballot.ts';
import { decodeCiphertext, encodeCiphertext, encrypt, proveOneOf } from '../src/core/ballot/elgamal.ts';
import { proveVote } from '../src/core/ballot/prove-vote.ts';
import { RANDOMNESS_BYTES, verifySemaphoreProofs } from '../src/core/crypto/groth16-batch.ts';
import { verifyProcedureBundle } from '../src/core/bundle/procedure-bundle.ts';
import type { SemaphoreProof } from '../src/core/crypto/semaphore.ts';
import { trusteeStep } from '../src/core/trustee/duties.ts';
import { G, decodePoint, mul, randomScalar } from '../src/core/trustee/group.ts';
import { nodeArtifacts, nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { ApiError } from '../src/server/errors.ts';
import { inProcessTrusteeApi } from '../src/server/trustee-api.ts';
import { type World, formCommittee, makeWorld, openLetter } from './support/world.ts';

const random = (n: number) => new Uint8Array(randomBytes(n));
let world: World;
let ballot: Ballot;
let id: string;
const secrets: bigint[] = [];
const records: VoteRecord[] = [];

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  world = await makeWorld({ members: 6 });
  secrets.push(...(await formCommittee(world)));
  // The notice: 20% of 6 is 2 (rounded up), signed by name as the Act makes names public.
  const notice = await openLetter(world, { visibility: 'at-threshold' });
  await notice.sign(0, { action: 'support', display: 'named', seq: 1 });
  await notice.sign(1, { action: 'support', display: 'named', seq: 1 });
  await world.instance.letters.close(notice.id);
  const { ref } = await world.instance.roster.current();
  ballot = {
    format: 'undersigned-ballot/1',
    question: 'Should the leader of the party be replaced?',
    options: ['yes', 'no'],
    roster: ref,
    committee: (await world.instance.committee.letterRef())!,
    deadline: '2026-12-01T17:00:00Z',
    procedure: 'ca-leadership-review',
    notice: notice.id,
    nonce: '0123456789abcdef0123456789abcdef',
  };
  id = (await world.instance.ballots.open(ballot)).ballotId;
});

afterAll(async () => {
  await world.close();
  await releaseSnarkjs();
});

const ctx = async (i: number) => {
  const { group } = await world.instance.roster.current();
  return { identity: world.identities[i], group, ballot, ballotId: id, artifacts: nodeArtifacts };
};

describe('secret ballots', () => {
  it('a ballot needs its notice to reach the procedure threshold', async () => {
    const small = await openLetter(world);
    await small.sign(2, { action: 'support', display: 'anonymous', seq: 1 });
    await world.instance.letters.close(small.id);
    const { ref } = await world.instance.roster.current();
    expect(await refusal(world.instance.ballots.open({ ...ballot, roster: ref, notice: small.id, nonce: 'ff'.repeat(16) }))).toBe('notice_below_threshold');
  });

  it('votes are accepted; the latest vote per member counts (a revote replaces)', async () => {
    const plan: [number, number, number][] = [
      [0, 1, 1], // member 0 votes no…
      [0, 0, 2], // …then yes: the latest counts
      [1, 0, 1],
      [2, 0, 1],
      [3, 1, 1],
    ];
    for (const [who, choice, seq] of plan) {
      const r = await proveVote(await ctx(who), choice, seq, random);
      await world.instance.ballots.vote(id, r);
      records.push(r);
    }
  });

  it('a member cannot vote twice with the same seq (a replayed vote is refused)', async () => {
    expect(await refusal(world.instance.ballots.vote(id, records[2]))).toBe('replay');
  });

  it('any altered proof is refused', async () => {
    const r = structuredClone(records[3]);
    r.proof.points[2] = (BigInt(r.proof.points[2]) + 1n).toString();
    expect(await refusal(world.instance.ballots.vote(id, r))).toBe('bad_proof');
    const s = structuredClone(records[3]);
    if (!('choices' in s.action)) throw new Error('expected an encrypted vote');
    s.action.choices[0].proof.s[0] = 'ab'.repeat(32);
    expect(await verifyVote(s, ballot, id, nodeVerificationKeys)).toMatchObject({ ok: false });
  });

  // The forged ballot proofs themselves, with membership re-proven, are in test/attacks.test.ts.
  it('a forged vote carried by another vote’s membership proof is refused: the proof commits to another vote', async () => {
    const nullifier = records[4].proof.nullifier;
    const action = encryptChoice(ballot, id, nullifier, 0, 9, random);
    if (!('choices' in action)) throw new Error('expected an encrypted vote');
    const Y = decodePoint(ballot.committee.publicKey, 'Y');
    if (!Y.ok) throw new Error();
    // Replace the "no" ciphertext by a second 1 with a valid 0/1 proof: the sum is now 2.
    const r = randomScalar(random);
    const ct = encrypt(1, r, Y.point);
    action.choices[1] = { ct: encodeCiphertext(ct), proof: proveOneOf(ct, 1, r, [0, 1], Y.point, `undersigned/vote-option/v1|${id}|${nullifier}|1`, random) };
    const forged: VoteRecord = { action, proof: records[4].proof };
    expect(await verifyVote(forged, ballot, id, nodeVerificationKeys)).toMatchObject({ ok: false, code: 'wrong_message' });
  });

  it('closing commits the sums; a vote after the close is refused', async () => {
    const closed = await world.instance.ballots.close(id);
    expect(closed.voters).toBe(4);
    const late = await proveVote(await ctx(4), 0, 1, random);
    expect(await refusal(world.instance.ballots.vote(id, late))).toBe('ballot_closed');
  });

  it('k trustees decrypt the tally; the bundle verifies offline with the decision', async () => {
    for (const s of secrets.slice(0, 2)) await trusteeStep(inProcessTrusteeApi(world.instance), s, nodeVerificationKeys, random);
    const bundle = await world.instance.bundles.procedure(id);
    const v = await verifyProcedureBundle(bundle, { keys: nodeVerificationKeys });
    // yes: members 0, 1, 2 (3 votes) — a majority of all 6 needs 4: not removed.
    expect(v).toMatchObject({ valid: true, tally: { yes: 3, no: 1 }, decision: 'not-removed', voters: 4, notice: { count: 2, needed: 2 } });
    const tampered = structuredClone(bundle);
    tampered.votes.pop();
    expect(await verifyProcedureBundle(tampered, { keys: nodeVerificationKeys })).toMatchObject({ valid: false });
    // With a batch verifier (what the CLI passes), the same verdicts; a proof it rejects is named as one-by-one names it.
    const batch = (ps: SemaphoreProof[]) => verifySemaphoreProofs(ps, nodeVerificationKeys, randomBytes(ps.length * RANDOMNESS_BYTES));
    expect(await verifyProcedureBundle(bundle, { keys: nodeVerificationKeys, verifyProofs: batch })).toEqual(v);
    expect(await verifyProcedureBundle(tampered, { keys: nodeVerificationKeys, verifyProofs: batch })).toEqual(await verifyProcedureBundle(tampered, { keys: nodeVerificationKeys }));
    const voteCount = bundle.votes.length;
    const rejectingLastVote = async (ps: SemaphoreProof[]) => ps.map((_, i) => !(ps.length === voteCount && i === voteCount - 1));
    expect(await verifyProcedureBundle(bundle, { keys: nodeVerificationKeys, verifyProofs: rejectingLastVote })).toEqual({
      valid: false,
      code: 'bad_proof',
      reason: `vote ${voteCount - 1}: proof does not verify`,
    });
  });
});

describe('the homomorphic tally (property)', () => {
  it('for any sequence of votes with revotes, the summed plaintexts equal the reference count of latest votes', () => {
    const y = randomScalar(random);
    const Y = mul(G, y);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 2 })), { maxLength: 15 }), (plan) => {
        const seq = new Map<number, number>();
        const latest = new Map<number, number>();
        const votes = plan.map(([voter, choice]) => {
          const s = (seq.get(voter) ?? 0) + 1;
          seq.set(voter, s);
          latest.set(voter, choice);
          return { nullifier: String(voter + 1), seq: s, cts: [0, 1, 2].map((j) => encrypt(j === choice ? 1 : 0, randomScalar(random), Y)) };
        });
        const t = tallyCiphertexts(votes, 3);
        if (!t.ok) return false;
        return t.sums.every((sum, j) => {
          const ct = decodeCiphertext(sum, 's');
          if (!ct.ok) return false;
          const M = ct.b.subtract(mul(ct.a, y));
          const expected = [...latest.values()].filter((c) => c === j).length;
          return M.equals(mul(G, BigInt(expected)));
        });
      }),
      { numRuns: 25 },
    );
  });
});

describe('recorded votes (the Reform Act adoption votes record each member’s vote)', () => {
  it('votes are in clear and signed; the latest counts; the bundle lists each member’s vote by name', async () => {
    const { ref } = await world.instance.roster.current();
    const recorded: Ballot = { ...ballot, roster: ref, procedure: 'ca-adoption-vote', notice: null, question: 'Adopt s. 49.8?', nonce: 'cd'.repeat(16) };
    const rid = (await world.instance.ballots.open(recorded)).ballotId;
    const { group } = await world.instance.roster.current();
    const rctx = (i: number) => ({ identity: world.identities[i], group, ballot: recorded, ballotId: rid, artifacts: nodeArtifacts });
    await world.instance.ballots.vote(rid, await proveVote(rctx(0), 1, 1, random));
    await world.instance.ballots.vote(rid, await proveVote(rctx(0), 0, 2, random)); // changes to yes
    await world.instance.ballots.vote(rid, await proveVote(rctx(1), 0, 1, random));
    await world.instance.ballots.vote(rid, await proveVote(rctx(2), 1, 1, random));
    // A secret (encrypted) vote is refused on a recorded ballot, and a vote in clear on a secret one.
    const encrypted = await proveVote(await ctx(3), 0, 1, random);
    expect(await refusal(world.instance.ballots.vote(rid, { ...encrypted, action: { ...encrypted.action, ballotId: rid } }))).toMatch(/bad_vote|wrong_scope|wrong_message/);
    await world.instance.ballots.close(rid);
    const v = await verifyProcedureBundle(await world.instance.bundles.procedure(rid), { keys: nodeVerificationKeys });
    expect(v).toMatchObject({
      valid: true,
      tally: { yes: 2, no: 1 },
      decision: 'adopted',
      recorded: [
        { name: world.names[0], choice: 'yes' },
        { name: world.names[1], choice: 'yes' },
        { name: world.names[2], choice: 'no' },
      ],
    });
  });
});
