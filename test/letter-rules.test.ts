/**
 * The server's rules for rosters, letters and signatures (src/server/services/enrollment.ts,
 * roster.ts, letters.ts), one test per rule, through `world.instance` with real SQLite and real
 * Semaphore proofs. Every refusal is checked to carry its stable code and to leave the log as it was.
 *
 * Shared fixtures (beforeAll): 13 members, 8 of them enrolled; letter A on that roster; member 9
 * enrolls; letter B on the new roster. Tests then use their own members (comments say which) so
 * that they do not depend on each other's order, and measure counts as differences.
 */
import { randomBytes } from 'node:crypto';
import { generateProof } from '@semaphore-protocol/proof';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../src/core/bundle/bundle.ts';
import { type Identity, identityFromPrivateKey, publicKeyOf, signField } from '../src/core/identity/identity.ts';
import { type Letter, signatureScope } from '../src/core/letter/letter.ts';
import type { LogEntry } from '../src/core/log/entry.ts';
import { type ProverContext, expectedNullifier, proveAction } from '../src/core/letter/prove.ts';
import { type Action, type SignatureRecord, actionMessage, namedMessage } from '../src/core/letter/record.ts';
import type { SemaphoreProof } from '../src/core/crypto/semaphore.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { ApiError } from '../src/server/errors.ts';
import { type OpenLetter, type World, makeWorld, openLetter } from './support/world.ts';

let world: World;
let A: OpenLetter;
let B: OpenLetter;

const newIdentity = () => identityFromPrivateKey(new Uint8Array(randomBytes(32)));

/** Enroll a not yet enrolled member with a fresh identity (appended to world.identities). */
async function enrollMember(memberId: number): Promise<Identity> {
  const { code } = await world.instance.enrollment.reissueCode(memberId);
  const identity = newIdentity();
  await world.instance.enrollment.enroll(code, identity.commitment.toString());
  world.identities.push(identity);
  return identity;
}

beforeAll(async () => {
  world = await makeWorld({ members: 13, enroll: 8 });
  A = await openLetter(world);
  await enrollMember(9); // identity 8
  B = await openLetter(world);
});

afterAll(async () => {
  await world?.close();
  await releaseSnarkjs();
});

/** The request is refused with `code` (a 4xx ApiError), and the log does not grow. */
async function refused(request: () => Promise<unknown>, code: string): Promise<void> {
  const before = await world.instance.log.size();
  const error = await request().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected a refusal with ${code}`).toBeInstanceOf(ApiError);
  expect(error).toMatchObject({ code });
  expect((error as ApiError).status).toBeGreaterThanOrEqual(400);
  expect((error as ApiError).status).toBeLessThan(500);
  expect(await world.instance.log.size()).toBe(before);
}

const count = async (l: OpenLetter) => (await world.instance.letters.status(l.id)).count!;
const named = async (l: OpenLetter) => (await world.instance.letters.status(l.id)).named!;

/** A record for any action the caller builds (e.g. a named part that should not verify), with a real proof. */
async function proveCustom(ctx: ProverContext, action: Action): Promise<SignatureRecord> {
  const merkleProof = ctx.group.generateMerkleProof(ctx.group.indexOf(ctx.identity.commitment));
  const depth = ctx.letter.roster.depth;
  const p = await generateProof(ctx.identity, { ...merkleProof, siblings: [...merkleProof.siblings] }, actionMessage(action), signatureScope(ctx.letterId), depth, ctx.artifacts(depth));
  const proof: SemaphoreProof = {
    merkleTreeDepth: p.merkleTreeDepth,
    merkleTreeRoot: p.merkleTreeRoot.toString(),
    nullifier: p.nullifier.toString(),
    message: p.message.toString(),
    scope: p.scope.toString(),
    points: p.points.map(String),
  };
  return { action, proof };
}

/** A named support action whose named part is signed by `signer` over (letterId, nullifier). */
function namedAction(letterId: string, seq: number, signer: Identity, signedLetterId: string, nullifier: string): Action {
  return {
    format: 'undersigned-action/1',
    letterId,
    action: 'support',
    display: 'named',
    seq,
    named: { publicKey: publicKeyOf(signer), signature: signField(signer, namedMessage(signedLetterId, nullifier)) },
  };
}

const nullifierOf = (identity: Identity, letter: OpenLetter) => expectedNullifier(identity, signatureScope(letter.id));

/** Every entry of the log so far. */
async function entries(): Promise<{ index: number; entry: LogEntry | null }[]> {
  return world.instance.letters.publicLog(0, await world.instance.log.size());
}

async function proposalOf(letter: OpenLetter): Promise<SemaphoreProof> {
  const opened = (await entries()).find((e) => e.entry?.kind === 'letter-opened' && e.entry.letterId === letter.id);
  if (opened?.entry?.kind !== 'letter-opened') throw new Error('letter not in the log');
  return opened.entry.proposal;
}

/** A letter object on the current roster (not proposed). */
async function draftLetter(overrides: Partial<Letter> = {}): Promise<Letter> {
  return { ...A.letter, roster: (await world.instance.roster.current()).ref, nonce: Buffer.from(randomBytes(16)).toString('hex'), ...overrides };
}

describe('signature records', () => {
  it('a record against another roster root is refused (a member enrolled after the letter opened cannot sign it)', async () => {
    // Member 9 (identity 8) enrolled after A opened: their proof can only be against B's roster.
    const record = await proveAction({ ...A.ctx(0), identity: world.identities[8], group: B.ctx(0).group }, { action: 'support', display: 'anonymous', seq: 1 });
    await refused(() => world.instance.letters.submitRecord(A.id, record), 'wrong_root');
  });

  it('a record for another letter is refused (wrong letter, or wrong scope when only the action is rewritten)', async () => {
    // Member 2 (identity 1) signs B; the record is not valid on A.
    const forB = await proveAction(B.ctx(1), { action: 'support', display: 'anonymous', seq: 1 });
    await refused(() => world.instance.letters.submitRecord(A.id, forB), 'wrong_letter');
    const relabelled: SignatureRecord = { ...forB, action: { ...forB.action, letterId: A.id } };
    await refused(() => world.instance.letters.submitRecord(A.id, relabelled), 'wrong_scope');
    // It was a good record all along, for B.
    await world.instance.letters.submitRecord(B.id, forB);
  });

  it('a named signature by a key not on the roster is refused', async () => {
    // Member 3 (identity 2) proves membership, but the name is an outsider's key.
    const outsider = newIdentity();
    const action = namedAction(A.id, 1, outsider, A.id, nullifierOf(world.identities[2], A));
    const record = await proveCustom(A.ctx(2), action);
    await refused(() => world.instance.letters.submitRecord(A.id, record), 'named_not_member');
  });

  it('a named signature that does not verify is refused (signed over another letter)', async () => {
    // Member 3's own key, but the named signature is over B's id: it cannot be moved onto A.
    const me = world.identities[2];
    const record = await proveCustom(A.ctx(2), namedAction(A.id, 1, me, B.id, nullifierOf(me, A)));
    await refused(() => world.instance.letters.submitRecord(A.id, record), 'named_bad_signature');
  });

  it('a replayed record is refused, and so is a lower seq', async () => {
    // Member 4 (identity 3).
    const seq5 = await A.sign(3, { action: 'support', display: 'anonymous', seq: 5 });
    await refused(() => world.instance.letters.submitRecord(A.id, seq5), 'replay');
    const seq3 = await proveAction(A.ctx(3), { action: 'withdraw', seq: 3 });
    await refused(() => world.instance.letters.submitRecord(A.id, seq3), 'replay');
    expect((await world.instance.letters.nullifierState(A.id, seq5.proof.nullifier)).seq).toBe(5);
  });

  it('a record after the deadline is refused', async () => {
    // Member 5 (identity 4). The same record is accepted once the clock is back before the deadline.
    const record = await proveAction(A.ctx(4), { action: 'support', display: 'anonymous', seq: 1 });
    const saved = world.clock.now;
    world.clock.now = new Date('2026-12-01T17:00:01Z');
    try {
      await refused(() => world.instance.letters.submitRecord(A.id, record), 'deadline_passed');
      expect((await world.instance.letters.status(A.id)).status).toBe('past-deadline');
    } finally {
      world.clock.now = saved;
    }
    await world.instance.letters.submitRecord(A.id, record);
  });

  it('a record after the close is refused, and a letter closes once', async () => {
    const D = await openLetter(world);
    const record = await proveAction(D.ctx(1), { action: 'support', display: 'anonymous', seq: 1 });
    await world.instance.letters.close(D.id);
    await refused(() => world.instance.letters.submitRecord(D.id, record), 'letter_closed');
    await refused(() => world.instance.letters.close(D.id), 'letter_closed');
  });

  describe('counting', () => {
    let E: OpenLetter;
    beforeAll(async () => {
      E = await openLetter(world);
    });

    it('the latest action per nullifier counts (sign, withdraw, sign again → counted once)', async () => {
      // Member 6 (identity 5).
      const start = await count(E);
      await E.sign(5, { action: 'support', display: 'anonymous', seq: 1 });
      expect(await count(E)).toBe(start + 1);
      await E.sign(5, { action: 'withdraw', seq: 2 });
      expect(await count(E)).toBe(start);
      await E.sign(5, { action: 'support', display: 'anonymous', seq: 3 });
      expect(await count(E)).toBe(start + 1);
    });

    it('a withdrawn signature is not counted, nor its name shown', async () => {
      // Member 7 (identity 6), named.
      const start = await count(E);
      await E.sign(6, { action: 'support', display: 'named', seq: 1 });
      expect(await count(E)).toBe(start + 1);
      expect(await named(E)).toContain('Member G');
      await E.sign(6, { action: 'withdraw', seq: 2 });
      expect(await count(E)).toBe(start);
      expect(await named(E)).not.toContain('Member G');
    });
  });

  it('a member cannot be named on two nullifiers (reachable when two members collude)', async () => {
    // One nullifier per identity per letter, so a member alone cannot reach this rule. But the
    // named signature only proves that the key holder consents: member 8 (identity 7) can sign
    // the named part over member 7's (identity 6's) nullifier, and the server accepts it...
    const lender = world.identities[7];
    const borrowed = await proveCustom(A.ctx(6), namedAction(A.id, 1, lender, A.id, nullifierOf(world.identities[6], A)));
    const before = await count(A);
    await world.instance.letters.submitRecord(A.id, borrowed);
    expect(await count(A)).toBe(before + 1);
    expect(await named(A)).toContain('Member H');
    // ...then member 8's own named signature would show them twice: refused.
    const own = await proveAction(A.ctx(7), { action: 'support', display: 'named', seq: 1 });
    await refused(() => world.instance.letters.submitRecord(A.id, own), 'named_twice');
  });
});

describe('proposing a letter', () => {
  it('a letter with a stale roster is refused', async () => {
    const stale = await draftLetter();
    await enrollMember(10); // the roster changes after the draft was made
    const proof = await proposalOf(A);
    await refused(() => world.instance.letters.propose(stale, proof), 'roster_changed');
  });

  it('a proposal proof for another letter is refused', async () => {
    const letter = await draftLetter();
    const proof = await proposalOf(A);
    await refused(() => world.instance.letters.propose(letter, proof), 'bad_proposal');
  });

  it('a letter whose deadline has passed is refused', async () => {
    const letter = await draftLetter({ deadline: '2026-11-25T11:59:59Z' });
    const proof = await proposalOf(A);
    await refused(() => world.instance.letters.propose(letter, proof), 'deadline_passed');
  });
});

describe('enrollment codes', () => {
  it('a code works once', async () => {
    const { code } = await world.instance.enrollment.reissueCode(11);
    await world.instance.enrollment.enroll(code, newIdentity().commitment.toString());
    await refused(() => world.instance.enrollment.enroll(code, newIdentity().commitment.toString()), 'code_used');
  });

  it('an expired code is refused', async () => {
    const { code, expiresAt } = await world.instance.enrollment.reissueCode(12);
    const saved = world.clock.now;
    world.clock.now = new Date(Date.parse(expiresAt) + 1000);
    try {
      await refused(() => world.instance.enrollment.enroll(code, newIdentity().commitment.toString()), 'code_expired');
    } finally {
      world.clock.now = saved;
    }
  });

  it('a reissued code replaces the old one', async () => {
    const { code: old } = await world.instance.enrollment.reissueCode(12);
    await world.instance.enrollment.reissueCode(12);
    await refused(() => world.instance.enrollment.enroll(old, newIdentity().commitment.toString()), 'code_used');
  });

  it('codes are case-, space- and dash-insensitive (and O reads as 0)', async () => {
    const { code } = await world.instance.enrollment.reissueCode(13);
    const typed = ` ${code.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o')} `;
    const { member } = await world.instance.enrollment.enroll(typed, newIdentity().commitment.toString());
    expect(member.id).toBe(13);
  });

  it('an unknown code is refused', async () => {
    await refused(() => world.instance.enrollment.enroll('ZZZZ-ZZZZ-ZZZZ-ZZZZ', newIdentity().commitment.toString()), 'code_invalid');
  });
});

describe('roster changes', () => {
  it('removing a member is a logged entry, and the member leaves the roster', async () => {
    // Member 8 (identity 7, leaf 7).
    const size = await world.instance.log.size();
    const receipt = await world.instance.enrollment.removeMember(8);
    expect(receipt.index).toBe(size);
    expect((await world.instance.letters.publicLog(size, size + 1))[0].entry).toEqual({ kind: 'member-removed', member: 8, leaf: 7 });
    const { snapshot } = await world.instance.roster.current();
    expect(snapshot.members.map((m) => m.id)).not.toContain(8);
    await refused(() => world.instance.enrollment.removeMember(8), 'member_not_found');
  });

  it('a replaced identity is a logged entry; its old commitment cannot sign a new letter, while records under the old roster still count', async () => {
    // Member 3 (identity 2, leaf 2) signs letter R, then loses their identity and replaces it.
    const R = await openLetter(world);
    const old = world.identities[2];
    await R.sign(2, { action: 'support', display: 'anonymous', seq: 1 });

    const { code } = await world.instance.enrollment.approveReplacement(3);
    const fresh = newIdentity();
    const size = await world.instance.log.size();
    await world.instance.enrollment.enroll(code, fresh.commitment.toString());
    expect((await world.instance.letters.publicLog(size, size + 1))[0].entry).toEqual({ kind: 'member-replaced', member: 3, leaf: 2, commitment: fresh.commitment.toString() });
    expect((await world.instance.roster.current()).snapshot.members.find((m) => m.id === 3)?.commitment).toBe(fresh.commitment.toString());

    // A new letter fixes the new commitment: the old identity is not in its tree at all...
    const C = await openLetter(world);
    const oldCtx: ProverContext = { ...C.ctx(0), identity: old };
    await expect(proveAction(oldCtx, { action: 'support', display: 'anonymous', seq: 1 })).rejects.toThrow(/not in the roster/);
    // ...and a proof against the old roster is against another root.
    const stale = await proveAction({ ...oldCtx, group: R.ctx(0).group }, { action: 'support', display: 'anonymous', seq: 1 });
    await refused(() => world.instance.letters.submitRecord(C.id, stale), 'wrong_root');
    // The new identity signs the new letter.
    await world.instance.letters.submitRecord(C.id, await proveAction({ ...C.ctx(0), identity: fresh }, { action: 'support', display: 'anonymous', seq: 1 }));
    expect(await count(C)).toBe(1);

    // The record made under the old roster still counts on the old letter, in its verified bundle.
    const closed = await world.instance.letters.close(R.id);
    expect(closed.count).toBe(1);
    const v = await verifyBundle(await world.instance.bundles.letter(R.id), { keys: nodeVerificationKeys, expectedVerifierKey: world.instance.log.verifierKey() });
    expect(v).toMatchObject({ valid: true, count: 1 });
  });
});
