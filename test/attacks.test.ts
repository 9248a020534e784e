/**
 * Attacks, each made the way an attacker would make it, and refused for the right reason.
 *
 * Every forgery here passes every check before the one it targets: a forged vote carries a
 * membership proof re-proven over the forged action (so scope, root, depth, message and the
 * Semaphore proof itself are all valid); a forged tally or reveal entry carries real partial
 * decryptions made with the trustees' real key shares. Each test asserts the stable code (and the
 * reason where one code covers several rules), so it fails if the check it targets is removed.
 *
 * Shared world (beforeAll): 6 members, a 2-of-3 trustee committee formed on the log, a closed
 * notice letter signed by members 0 and 1, a leadership-review ballot with options yes/no, and
 * letter L (deadline 2026-12-01T17:00:00Z). Tests run in order: forged votes, the deadline,
 * then the ballot closes and is tallied; reveals and the foreign scope last.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ballot, type VoteAction, type VoteRecord, verifyVote, voteMessage, voteScope } from '../src/core/ballot/ballot.ts';
import { type Ciphertext, type OneOfProof, addCiphertexts, encodeCiphertext, proveOneOf, verifyOneOf } from '../src/core/ballot/elgamal.ts';
import { proveVote } from '../src/core/ballot/prove-vote.ts';
import { type TallyEntry, checkTallyEntry, computeTally, makeTallyEntry } from '../src/core/ballot/tally.ts';
import { type CommitteeState, evaluateCommittee, transportKeys } from '../src/core/trustee/committee.ts';
import { signatureScope } from '../src/core/letter/letter.ts';
import { expectedNullifier, proveAction, proveMembership } from '../src/core/letter/prove.ts';
import { type Action, type SignatureRecord, actionMessage, checkRecordWithoutProof, verifyRecord } from '../src/core/letter/record.ts';
import { type SealedRecord, checkRevealEntry, computeReveal, makeRevealEntry } from '../src/core/sealed/reveal.ts';
import type { RosterMember } from '../src/core/roster/roster.ts';
import { sealName } from '../src/core/sealed/sealed.ts';
import { verifySemaphoreProof } from '../src/core/crypto/semaphore.ts';
import { myShare } from '../src/core/trustee/duties.ts';
import { G, L as ORDER, type Point, decodePoint, mul, randomScalar } from '../src/core/trustee/group.ts';
import { nodeArtifacts, nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { ApiError } from '../src/server/errors.ts';
import { inProcessTrusteeApi } from '../src/server/trustee-api.ts';
import { type OpenLetter, type World, formCommittee, makeWorld, openLetter } from './support/world.ts';

const random = (n: number) => new Uint8Array(randomBytes(n));
let world: World;
let notice: OpenLetter;
let letter: OpenLetter;
let ballot: Ballot;
let id: string;
let Y: Point;
let committee: CommitteeState;
/** Each trustee's transport secret and key share, by index − 1. */
const secrets: bigint[] = [];
const shares: bigint[] = [];

const DEADLINE = '2026-12-01T17:00:00Z';

beforeAll(async () => {
  world = await makeWorld({ members: 6 });
  secrets.push(...(await formCommittee(world)));
  const replay = evaluateCommittee(await inProcessTrusteeApi(world.instance).committeeEntries());
  if (!replay.ok || !replay.state.key) throw new Error('the committee did not form');
  committee = replay.state;
  const key = replay.state.key;
  for (const [i, s] of secrets.entries()) shares.push(myShare(committee.committee, committee.contributions.values(), key.qualified, i + 1, s, random));

  notice = await openLetter(world, { visibility: 'at-threshold' });
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
    deadline: DEADLINE,
    procedure: 'ca-leadership-review',
    notice: notice.id,
    nonce: Buffer.from(randomBytes(16)).toString('hex'),
  };
  id = (await world.instance.ballots.open(ballot)).ballotId;
  const decoded = decodePoint(ballot.committee.publicKey, 'committee key');
  if (!decoded.ok) throw new Error(decoded.reason);
  Y = decoded.point;
  letter = await openLetter(world, { deadline: DEADLINE });
}, 60_000);

afterAll(async () => {
  await world?.close();
  await releaseSnarkjs();
});

/** The request is refused with `code` (a 4xx ApiError), and the log does not grow. */
async function refused(request: () => Promise<unknown>, code: string, reason?: string): Promise<void> {
  const before = await world.instance.log.size();
  const error = await request().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected a refusal with ${code}`).toBeInstanceOf(ApiError);
  expect(error).toMatchObject({ code });
  if (reason) expect((error as ApiError).message).toContain(reason);
  expect((error as ApiError).status).toBeGreaterThanOrEqual(400);
  expect((error as ApiError).status).toBeLessThan(500);
  expect(await world.instance.log.size()).toBe(before);
}

/** With the clock at `at`, run `f`; the clock is put back whatever happens. */
async function at<T>(instant: Date, f: () => Promise<T>): Promise<T> {
  const saved = world.clock.now;
  world.clock.now = instant;
  try {
    return await f();
  } finally {
    world.clock.now = saved;
  }
}

// The contexts every per-option and sum proof is bound to (src/core/ballot/ballot.ts).
const optionContext = (nullifier: string, i: number) => `undersigned/vote-option/v1|${id}|${nullifier}|${i}`;
const sumContext = (nullifier: string) => `undersigned/vote-sum/v1|${id}|${nullifier}`;

type Ct = { a: Point; b: Point };
/** Enc_Y(m; r) for any m mod ℓ, −1 included (the library's `encrypt` takes a small number). */
const enc = (m: bigint, r: bigint): Ct => ({ a: mul(G, r), b: mul(G, m).add(mul(Y, r)) });

/**
 * A forged vote by member `i`: the attacker builds the action from their own nullifier, then
 * proves membership over it with the same prover proveVote uses, so the Semaphore proof is valid
 * and commits to the forged action.
 */
async function forgeVote(i: number, build: (nullifier: string) => { choices: { ct: Ciphertext; proof: OneOfProof }[]; sum: OneOfProof }): Promise<VoteRecord> {
  const scope = voteScope(id);
  const identity = world.identities[i];
  const nullifier = expectedNullifier(identity, scope);
  const action: VoteAction = { format: 'undersigned-vote/1', ballotId: id, seq: 1, ...build(nullifier) };
  const { group } = await world.instance.roster.current();
  const proof = await proveMembership({ identity, group, depth: ballot.roster.depth, artifacts: nodeArtifacts, what: 'ballot' }, voteMessage(action), scope);
  return { action, proof };
}

/** The forged vote passes every check before the ballot proofs: scope, root, depth, message, and its Semaphore proof verifies. */
async function expectValidMembership(r: VoteRecord): Promise<void> {
  expect(r.proof.scope).toBe(voteScope(id).toString());
  expect(r.proof.merkleTreeRoot).toBe(ballot.roster.root);
  expect(r.proof.merkleTreeDepth).toBe(ballot.roster.depth);
  expect(r.proof.message).toBe(voteMessage(r.action).toString());
  expect(await verifySemaphoreProof(r.proof, nodeVerificationKeys)).toBe(true);
}

describe('forged votes (each with a valid membership proof over the forged action)', () => {
  it('a vote encrypting 2 in one option is refused: the option is not proven to be 0 or 1', async () => {
    // Member 0: "yes" holds an honest 0, "no" holds a 2. Two forgeries of the 0/1 proof of the 2.
    const forge = (proofOf2: (ct: Ct, r: bigint, nullifier: string) => OneOfProof) =>
      forgeVote(0, (nullifier) => {
        const [r0, r1] = [randomScalar(random), randomScalar(random)];
        const ct0 = enc(0n, r0);
        const ct1 = enc(2n, r1);
        return {
          choices: [
            { ct: encodeCiphertext(ct0), proof: proveOneOf(ct0, 0, r0, [0, 1], Y, optionContext(nullifier, 0), random) },
            { ct: encodeCiphertext(ct1), proof: proofOf2(ct1, r1, nullifier) },
          ],
          // The sum holds 2: no valid exactly-one proof exists either; the per-option rule refuses it first.
          sum: proveOneOf(addCiphertexts([ct0, ct1]), 1, r0 + r1, [1], Y, sumContext(nullifier), random),
        };
      });
    // (i) A valid 0/1 proof of another ciphertext (an honest encryption of 1), copied onto the 2.
    const reused = await forge((_ct, _r, nullifier) => {
      const r = randomScalar(random);
      return proveOneOf(enc(1n, r), 1, r, [0, 1], Y, optionContext(nullifier, 1), random);
    });
    // (ii) A sound proof, with the real randomness, that the ciphertext holds 0, 1 or 2 (three branches).
    const wider = await forge((ct, r, nullifier) => {
      const proof = proveOneOf(ct, 2, r, [0, 1, 2], Y, optionContext(nullifier, 1), random);
      expect(verifyOneOf(ct, [0, 1, 2], Y, proof, optionContext(nullifier, 1))).toEqual({ ok: true });
      return proof;
    });
    for (const forged of [reused, wider]) {
      await expectValidMembership(forged);
      expect(await verifyVote(forged, ballot, id, nodeVerificationKeys)).toEqual({ ok: false, code: 'bad_vote', reason: 'option 1 is not proven to be 0 or 1' });
      await refused(() => world.instance.ballots.vote(id, forged), 'bad_vote', 'option 1 is not proven to be 0 or 1');
    }
  });

  it('a vote of 2 and −1 whose sum is proven to be 1 is refused: the options are not proven to be 0 or 1', async () => {
    // Member 1: "yes" holds 2, "no" holds −1 (ℓ − 1): the sum is a genuine encryption of 1, so
    // its exactly-one proof is valid; only the per-option proofs can stop it.
    const forged = await forgeVote(1, (nullifier) => {
      const [r0, r1] = [randomScalar(random), randomScalar(random)];
      const ct0 = enc(2n, r0);
      const ct1 = enc(ORDER - 1n, r1);
      const sum = addCiphertexts([ct0, ct1]);
      const sumProof = proveOneOf(sum, 1, r0 + r1, [1], Y, sumContext(nullifier), random);
      expect(verifyOneOf(sum, [1], Y, sumProof, sumContext(nullifier))).toEqual({ ok: true });
      return {
        // The best the attacker can do: run the honest prover claiming 1 and 0.
        choices: [
          { ct: encodeCiphertext(ct0), proof: proveOneOf(ct0, 1, r0, [0, 1], Y, optionContext(nullifier, 0), random) },
          { ct: encodeCiphertext(ct1), proof: proveOneOf(ct1, 0, r1, [0, 1], Y, optionContext(nullifier, 1), random) },
        ],
        sum: sumProof,
      };
    });
    await expectValidMembership(forged);
    expect(await verifyVote(forged, ballot, id, nodeVerificationKeys)).toEqual({ ok: false, code: 'bad_vote', reason: 'option 0 is not proven to be 0 or 1' });
    await refused(() => world.instance.ballots.vote(id, forged), 'bad_vote', 'option 0 is not proven to be 0 or 1');
  });

  it('a vote for two options (each a proven 0/1) is refused: it is not proven to choose exactly one option', async () => {
    // Member 0: both options hold 1, each with a valid 0/1 proof; the sum holds 2, and the
    // exactly-one proof is the honest prover run on that lie.
    const forged = await forgeVote(0, (nullifier) => {
      const [r0, r1] = [randomScalar(random), randomScalar(random)];
      const [ct0, ct1] = [enc(1n, r0), enc(1n, r1)];
      const choices = [
        { ct: encodeCiphertext(ct0), proof: proveOneOf(ct0, 1, r0, [0, 1], Y, optionContext(nullifier, 0), random) },
        { ct: encodeCiphertext(ct1), proof: proveOneOf(ct1, 1, r1, [0, 1], Y, optionContext(nullifier, 1), random) },
      ];
      expect(verifyOneOf(ct0, [0, 1], Y, choices[0].proof, optionContext(nullifier, 0))).toEqual({ ok: true });
      expect(verifyOneOf(ct1, [0, 1], Y, choices[1].proof, optionContext(nullifier, 1))).toEqual({ ok: true });
      return { choices, sum: proveOneOf(addCiphertexts([ct0, ct1]), 1, r0 + r1, [1], Y, sumContext(nullifier), random) };
    });
    await expectValidMembership(forged);
    expect(await verifyVote(forged, ballot, id, nodeVerificationKeys)).toEqual({ ok: false, code: 'bad_vote', reason: 'the vote is not proven to choose exactly one option' });
    await refused(() => world.instance.ballots.vote(id, forged), 'bad_vote', 'not proven to choose exactly one option');
  });
});

describe('the deadline is exclusive (a record or vote arriving at the deadline is late)', () => {
  it('a record arriving exactly at the deadline is refused; one a millisecond before is accepted', async () => {
    // Member 2 on letter L.
    const record = await proveAction(letter.ctx(2), { action: 'support', display: 'anonymous', seq: 1 });
    await at(new Date(DEADLINE), () => refused(() => world.instance.letters.submitRecord(letter.id, record), 'deadline_passed'));
    await at(new Date(Date.parse(DEADLINE) - 1), () => world.instance.letters.submitRecord(letter.id, record));
    expect((await world.instance.letters.nullifierState(letter.id, record.proof.nullifier)).seq).toBe(1);
  });

  it('a vote arriving exactly at the deadline is refused; one a millisecond before is accepted', async () => {
    // Member 4 votes yes.
    const { group } = await world.instance.roster.current();
    const vote = await proveVote({ identity: world.identities[4], group, ballot, ballotId: id, artifacts: nodeArtifacts }, 0, 1, random);
    await at(new Date(DEADLINE), () => refused(() => world.instance.ballots.vote(id, vote), 'deadline_passed'));
    await at(new Date(Date.parse(DEADLINE) - 1), () => world.instance.ballots.vote(id, vote));
    expect((await world.instance.ballots.nullifierState(id, vote.proof.nullifier)).seq).toBe(1);
  });
});

describe('the tally', () => {
  let sums: { a: string; b: string }[];
  let voters: number;
  let tallyInput: Omit<Parameters<typeof computeTally>[0], 'voters' | 'entries'>;
  const entryOf = (trustee: number, transportSecret = secrets[trustee - 1]): TallyEntry =>
    makeTallyEntry({ ballotId: id, committeeId: committee.id, trustee, share: shares[trustee - 1], publicShare: committee.key!.publicShares[trustee - 1], transportSecret, sums }, random);

  beforeAll(async () => {
    // Members 3 (yes) and 5 (no) vote; with member 4's yes: 2 yes, 1 no, 3 voters.
    const { group } = await world.instance.roster.current();
    for (const [who, choice] of [
      [3, 0],
      [5, 1],
    ]) {
      await world.instance.ballots.vote(id, await proveVote({ identity: world.identities[who], group, ballot, ballotId: id, artifacts: nodeArtifacts }, choice, 1, random));
    }
    await world.instance.ballots.close(id);
    const closed = (await world.instance.bundles.procedure(id)).closed.entry;
    if (closed.kind !== 'ballot-closed') throw new Error('expected the ballot-closed entry');
    sums = closed.sums;
    voters = closed.voters;
    tallyInput = { ballotId: id, committeeId: committee.id, k: 2, publicShares: committee.key!.publicShares, transportKeys: transportKeys(committee.committee), sums };
  }, 60_000);

  it('with the true number of voters the trustees’ partials decrypt the tally (the baseline)', () => {
    expect(voters).toBe(3);
    expect(computeTally({ ...tallyInput, voters, entries: [entryOf(1), entryOf(2)] })).toMatchObject({ ok: true, result: { counts: [2, 1], trustees: [1, 2], misbehaving: [] } });
  });

  it('a number of voters off by one, with every option still in range, is refused: the counts do not add up', () => {
    // 2 and 1 both lie in [0, 2] and in [0, 4]: only the sum rule can catch the claimed 2 or 4.
    for (const claimed of [voters - 1, voters + 1]) {
      const t = computeTally({ ...tallyInput, voters: claimed, entries: [entryOf(1), entryOf(2)] });
      expect(t).toMatchObject({ ok: false, code: 'bad_tally', reason: expect.stringContaining('do not add up') });
    }
  });

  it('a tally entry in a trustee’s name signed by another trustee’s transport key is unsigned, and blames nobody', () => {
    // Trustee 1 publishes trustee 2's (otherwise valid) partials, signing with its own key.
    const forged = entryOf(2, secrets[0]);
    expect(checkTallyEntry(tallyInput, forged)).toEqual({ ok: false, code: 'unsigned_tally', reason: 'an entry in the name of trustee 2 is not signed by them' });
    // The same in computeTally, with wrong partials: ignored, and trustee 2 is not named.
    const wrong = makeTallyEntry({ ballotId: id, committeeId: committee.id, trustee: 2, share: shares[1] + 1n, publicShare: committee.key!.publicShares[1], transportSecret: secrets[0], sums }, random);
    expect(computeTally({ ...tallyInput, voters, entries: [wrong, entryOf(1), entryOf(3)] })).toMatchObject({ ok: true, result: { counts: [2, 1], trustees: [1, 3], misbehaving: [] } });
  });
});

describe('reveal entries', () => {
  const letterId = 'ab'.repeat(32);
  let sealed: SealedRecord[];
  let input: Omit<Parameters<typeof computeReveal>[0], 'entries'>;
  const entryOf = (trustee: number, o: { share?: bigint; transportSecret?: bigint } = {}) =>
    makeRevealEntry(
      { letterId, committeeId: committee.id, trustee, share: o.share ?? shares[trustee - 1], publicShare: committee.key!.publicShares[trustee - 1], transportSecret: o.transportSecret ?? secrets[trustee - 1], sealed },
      random,
    );

  beforeAll(async () => {
    // Members 0 and 1 sealed their names to the committee on a letter that reached its threshold.
    sealed = [0, 1].map((i) => {
      const nullifier = expectedNullifier(world.identities[i], signatureScope(letterId));
      return { record: i, nullifier, sealed: sealName(world.identities[i], letterId, nullifier, Y, random) };
    });
    const { snapshot } = await world.instance.roster.current();
    const byCommitment = new Map<string, RosterMember>(snapshot.members.filter((m) => m.commitment).map((m) => [m.commitment!, m]));
    input = { letterId, committeeId: committee.id, k: 2, publicShares: committee.key!.publicShares, transportKeys: transportKeys(committee.committee), count: 2, threshold: 2, sealed, byCommitment };
  });

  it('a reveal entry in a trustee’s name signed by another trustee’s transport key is unsigned', () => {
    // Trustee 1 publishes trustee 2's well-formed partials, signing with its own transport secret.
    const forged = entryOf(2, { transportSecret: secrets[0] });
    expect(checkRevealEntry(input, forged)).toEqual({ ok: false, code: 'unsigned_reveal', reason: 'an entry in the name of trustee 2 is not signed by them' });
    // Baseline: signed by trustee 2, the same partials pass.
    expect(checkRevealEntry(input, entryOf(2))).toMatchObject({ ok: true });
  });

  it('an unsigned entry with a wrong partial is ignored without blaming the trustee it names; a signed one names its trustee', () => {
    const framed = entryOf(2, { share: shares[1] + 1n, transportSecret: secrets[0] });
    const guilty = entryOf(2, { share: shares[1] + 1n });
    expect(checkRevealEntry(input, guilty)).toMatchObject({ ok: false, code: 'bad_partial', reason: expect.stringContaining('trustee 2') });
    const revealed = [world.names[0], world.names[1]];
    const withFramed = computeReveal({ ...input, entries: [framed, entryOf(1), entryOf(3)] });
    expect(withFramed).toMatchObject({ ok: true, result: { misbehaving: [], trustees: [1, 3] } });
    if (withFramed.ok) expect(withFramed.result.revealed.map((r) => r.name)).toEqual(revealed);
    const withGuilty = computeReveal({ ...input, entries: [guilty, entryOf(1), entryOf(3)] });
    expect(withGuilty).toMatchObject({ ok: true, result: { misbehaving: [{ trustee: 2, reason: expect.stringContaining('does not verify') }], trustees: [1, 3] } });
  });
});

describe('double signing through a foreign scope', () => {
  it('a record on the letter’s own roster and action but scoped to another letter is refused (wrong_scope), by the verifier and the server', async () => {
    // Member 2 already signed L (the deadline test). Scoping a new proof to the notice letter's
    // id gives them a fresh nullifier on L, so they would count twice.
    const identity = world.identities[2];
    const action: Action = { format: 'undersigned-action/1', letterId: letter.id, action: 'support', display: 'anonymous', seq: 1 };
    const { group } = letter.ctx(2);
    const proof = await proveMembership({ identity, group, depth: letter.letter.roster.depth, artifacts: nodeArtifacts, what: 'letter' }, actionMessage(action), signatureScope(notice.id));
    const record: SignatureRecord = { action, proof };
    // Everything but the scope is the letter's own, and the proof is a valid Semaphore proof.
    expect(proof.merkleTreeRoot).toBe(letter.letter.roster.root);
    expect(proof.merkleTreeDepth).toBe(letter.letter.roster.depth);
    expect(proof.message).toBe(actionMessage(action).toString());
    expect(proof.nullifier).not.toBe(expectedNullifier(identity, signatureScope(letter.id)));
    expect(await verifySemaphoreProof(proof, nodeVerificationKeys)).toBe(true);

    const { snapshot } = await world.instance.roster.current();
    const byCommitment = new Map<string, RosterMember>(snapshot.members.filter((m) => m.commitment).map((m) => [m.commitment!, m]));
    const ctx = { letterId: letter.id, letter: letter.letter, byCommitment };
    const expected = { ok: false, code: 'wrong_scope', reason: 'the proof is not scoped to this letter' };
    const before = (await world.instance.letters.status(letter.id)).count;
    await refused(() => world.instance.letters.submitRecord(letter.id, record), 'wrong_scope');
    expect((await world.instance.letters.status(letter.id)).count).toBe(before);
    expect(checkRecordWithoutProof(record, ctx)).toEqual(expected);
    expect(await verifyRecord(record, { ...ctx, keys: nodeVerificationKeys })).toEqual(expected);
  });
});
