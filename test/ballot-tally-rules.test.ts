/**
 * The trustees' tally of a secret ballot (src/core/ballot/tally.ts, docs/protocol.md §12.3) and
 * the shape checks of the ballot proofs (src/core/ballot/elgamal.ts), one rule a test, each
 * asserting the code and reason the verifier gives. A 2-of-3 key shared by hand (Shamir over
 * ristretto255's scalars), real encryptions, real partial decryptions with DLEQ proofs.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Ciphertext, addCiphertexts, encodeCiphertext, encrypt, proveOneOf, verifyOneOf } from '../src/core/ballot/elgamal.ts';
import { type TallyEntry, checkTallyEntry, computeTally, makeTallyEntry } from '../src/core/ballot/tally.ts';
import { trusteeSign } from '../src/core/trustee/committee.ts';
import { G, L, mod, mul, randomScalar } from '../src/core/trustee/group.ts';

const random = (n: number) => new Uint8Array(randomBytes(n));
const ballotId = 'ab'.repeat(32);
const committeeId = 'cd'.repeat(32);

// f(x) = x0 + a1·x: trustee i holds f(i); the committee key is x0·G.
const x0 = randomScalar(random);
const a1 = randomScalar(random);
const shares = [1n, 2n, 3n].map((i) => mod(x0 + a1 * i));
const publicShares = shares.map((s) => mul(G, s));
const Y = mul(G, x0);
const transportSecrets = shares.map(() => randomScalar(random));
const transportKeys = transportSecrets.map((t) => mul(G, t));

/** Three voters: two chose option 0, one option 1; option 2 drew no vote at all (its sum is (0, 0)). */
const votes = [0, 0, 1].map((choice) => [0, 1, 2].map((j) => encrypt(j === choice ? 1 : 0, randomScalar(random), Y)));
const sums: Ciphertext[] = [0, 1, 2].map((j) => (j === 2 ? { a: '0'.repeat(64), b: '0'.repeat(64) } : encodeCiphertext(addCiphertexts(votes.map((v) => v[j])))));

const entryOf = (trustee: number, over: Partial<{ ballotId: string; committeeId: string; share: bigint; sums: Ciphertext[] }> = {}): TallyEntry =>
  makeTallyEntry(
    {
      ballotId: over.ballotId ?? ballotId,
      committeeId: over.committeeId ?? committeeId,
      trustee,
      share: over.share ?? shares[trustee - 1],
      publicShare: publicShares[trustee - 1],
      transportSecret: transportSecrets[trustee - 1],
      sums: over.sums ?? sums,
    },
    random,
  );

/** Re-sign an edited entry with its trustee's transport key (a trustee who misbehaves, not a forger). */
function resigned(e: TallyEntry, signer = e.trustee): TallyEntry {
  const { signature: _, ...body } = e;
  return { ...body, signature: trusteeSign(transportSecrets[signer - 1], 'tally', body, random) };
}

const input = { ballotId, committeeId, publicShares, transportKeys, sums };
const tallyOf = (entries: TallyEntry[], voters = 3) => computeTally({ ...input, k: 2, voters, entries });

describe('a trustee’s tally entry', () => {
  it('a well-made entry gives one partial per option, the empty option’s being the identity', () => {
    const c = checkTallyEntry(input, entryOf(1));
    expect(c.ok).toBe(true);
    if (c.ok) expect(c.D[2].is0()).toBe(true);
  });

  it('an entry for another ballot or another committee is refused, and names its trustee', () => {
    expect(checkTallyEntry(input, entryOf(1, { ballotId: 'ef'.repeat(32) }))).toEqual({ ok: false, code: 'bad_tally_entry', reason: 'trustee 1: partials for another ballot or committee' });
    expect(checkTallyEntry(input, entryOf(2, { committeeId: 'ef'.repeat(32) }))).toEqual({ ok: false, code: 'bad_tally_entry', reason: 'trustee 2: partials for another ballot or committee' });
  });

  it('an entry in the name of a trustee the committee does not have is refused', () => {
    const e = { ...entryOf(1), trustee: 4 };
    expect(checkTallyEntry(input, e)).toEqual({ ok: false, code: 'bad_tally_entry', reason: 'trustee 4 is not on the committee' });
  });

  it('an entry in a trustee’s name signed by another trustee is unsigned', () => {
    expect(checkTallyEntry(input, resigned(entryOf(2), 1))).toEqual({ ok: false, code: 'unsigned_tally', reason: 'an entry in the name of trustee 2 is not signed by them' });
  });

  it('an entry without one partial per option is refused', () => {
    const e = entryOf(1);
    expect(checkTallyEntry(input, resigned({ ...e, partials: e.partials.slice(0, 2) }))).toEqual({ ok: false, code: 'bad_tally_entry', reason: 'trustee 1: one partial per option is needed' });
  });

  it('the partial of an option nobody chose must be the identity', () => {
    const e = entryOf(1);
    const partials = [...e.partials];
    partials[2] = partials[0];
    expect(checkTallyEntry(input, resigned({ ...e, partials }))).toEqual({ ok: false, code: 'bad_partial', reason: "trustee 1's partial of the empty option 2 is not the identity" });
  });

  it('a partial decryption made with a wrong share does not verify, and says which option', () => {
    expect(checkTallyEntry(input, entryOf(3, { share: mod(shares[2] + 1n) }))).toEqual({ ok: false, code: 'bad_partial', reason: "trustee 3's partial decryption of option 0 does not verify" });
  });

  it('a sum that is no ciphertext is refused', () => {
    const bad = [...sums];
    bad[1] = { a: 'ff'.repeat(32), b: sums[1].b };
    expect(checkTallyEntry({ ...input, sums: bad }, entryOf(1))).toMatchObject({ ok: false, code: 'bad_tally_entry' });
  });
});

describe('the tally from the entries', () => {
  it('k valid entries decrypt the counts; the trustees used are named in log order', () => {
    expect(tallyOf([entryOf(2), entryOf(1)])).toEqual({ ok: true, result: { counts: [2, 1, 0], trustees: [2, 1], misbehaving: [] } });
  });

  it('only the first k valid entries are used; a trustee’s second entry is ignored', () => {
    expect(tallyOf([entryOf(3), entryOf(3), entryOf(1), entryOf(2)])).toEqual({ ok: true, result: { counts: [2, 1, 0], trustees: [3, 1], misbehaving: [] } });
  });

  it('one trustee’s entries, however many, are not k: nothing is decrypted', () => {
    expect(tallyOf([entryOf(1), entryOf(1)])).toEqual({ ok: true, result: { counts: null, trustees: [], misbehaving: [] } });
  });

  it('a signed wrong entry names its trustee as misbehaving and the others still decrypt', () => {
    expect(tallyOf([entryOf(3, { share: 5n }), entryOf(1), entryOf(2)])).toEqual({
      ok: true,
      result: { counts: [2, 1, 0], trustees: [1, 2], misbehaving: [{ trustee: 3, reason: "trustee 3's partial decryption of option 0 does not verify" }] },
    });
  });

  it('a count beyond the number of voters is refused (the close stated too few voters)', () => {
    expect(tallyOf([entryOf(1), entryOf(2)], 1)).toEqual({ ok: false, code: 'bad_tally', reason: 'option 0 does not decrypt to a count between 0 and 1' });
  });

  it('counts that do not add up to the voters are refused (the close stated too many)', () => {
    expect(tallyOf([entryOf(1), entryOf(2)], 4)).toEqual({ ok: false, code: 'bad_tally', reason: 'the decrypted counts do not add up to the number of voters' });
  });
});

describe('the shape of a one-of proof', () => {
  const r = randomScalar(random);
  const ct = encrypt(1, r, Y);
  const proof = proveOneOf(ct, 1, r, [0, 1], Y, 'ctx', random);

  it('a proof with another number of branches than values is refused', () => {
    expect(verifyOneOf(ct, [0, 1], Y, { c: proof.c.slice(0, 1), s: proof.s }, 'ctx')).toEqual({ ok: false, code: 'bad_ballot_proof', reason: 'the proof has the wrong number of branches' });
    expect(verifyOneOf(ct, [0, 1], Y, { c: proof.c, s: proof.s.slice(0, 1) }, 'ctx')).toEqual({ ok: false, code: 'bad_ballot_proof', reason: 'the proof has the wrong number of branches' });
  });

  it('a scalar at or beyond the group order is refused as not canonical (no second encoding of a proof)', () => {
    // The same scalar plus ℓ, still 32 little-endian bytes (ℓ < 2^253, so no overflow).
    const littleEndian = (hex: string) => BigInt('0x' + hex.match(/../g)!.reverse().join(''));
    const plusL = (hex: string) => (littleEndian(hex) + L).toString(16).padStart(64, '0').match(/../g)!.reverse().join('');
    expect(verifyOneOf(ct, [0, 1], Y, { c: [plusL(proof.c[0]), proof.c[1]], s: proof.s }, 'ctx')).toEqual({ ok: false, code: 'bad_ballot_proof', reason: 'a proof scalar is not canonical' });
    expect(verifyOneOf(ct, [0, 1], Y, { c: proof.c, s: [proof.s[0], plusL(proof.s[1])] }, 'ctx')).toEqual({ ok: false, code: 'bad_ballot_proof', reason: 'a proof scalar is not canonical' });
  });

  it('a valid proof for the values claimed passes; for other values it does not', () => {
    expect(verifyOneOf(ct, [0, 1], Y, proof, 'ctx')).toEqual({ ok: true });
    expect(verifyOneOf(ct, [0, 2], Y, proof, 'ctx')).toEqual({ ok: false, code: 'bad_ballot_proof', reason: 'the ciphertext is not proven to hold an allowed value' });
  });
});
