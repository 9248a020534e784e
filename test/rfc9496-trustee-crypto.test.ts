import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import vectors from './fixtures/rfc9496/vectors.json' with { type: 'json' };
import { G, L, Point, decodePoint, decodeScalar, encodePoint, encodeScalar, mul, randomScalar } from '../src/core/trustee/group.ts';
import { proveDleq, proveSchnorr, verifyDleq, verifySchnorr } from '../src/core/trustee/proofs.ts';
import { checkSealed, openSealed, seal } from '../src/core/trustee/seal.ts';
import { type Committee, checkCommittee, committeeKey, judgeComplaint, makeContribution, receiveShare, transportEntry } from '../src/core/trustee/dkg.ts';
import { checkPartial, combinePartials, makePartial } from '../src/core/trustee/threshold.ts';
import { type CommitteeEntry, evaluateCommittee, trusteeSign } from '../src/core/trustee/committee.ts';
import { committeeId } from '../src/core/trustee/dkg.ts';

const random = (n: number) => new Uint8Array(randomBytes(n));
const enc = (s: string) => new TextEncoder().encode(s);
const flipHex = (hex: string, at = 0) => hex.slice(0, at) + ((parseInt(hex[at], 16) ^ 1).toString(16)) + hex.slice(at + 1);

describe('RFC 9496 ristretto255', () => {
  it('encodes the multiples 0..15 of the generator as Appendix A.1 lists', () => {
    vectors.multiplesOfGenerator.forEach((hex, i) => expect(encodePoint(mul(G, BigInt(i)))).toBe(hex));
  });
  it('decodes each A.1 encoding back to the same multiple', () => {
    vectors.multiplesOfGenerator.slice(1).forEach((hex, i) => {
      const d = decodePoint(hex, 'v');
      expect(d.ok && d.point.equals(mul(G, BigInt(i + 1)))).toBe(true);
    });
  });
  it('rejects the identity where a public element is expected', () => {
    expect(decodePoint(vectors.multiplesOfGenerator[0], 'v')).toMatchObject({ ok: false, code: 'bad_point' });
  });
  for (const [category, list] of Object.entries(vectors.badEncodings)) {
    it(`rejects every Appendix A.2 bad encoding: ${category}`, () => {
      for (const hex of list) expect(decodePoint(hex, 'v')).toMatchObject({ ok: false, code: 'bad_point' });
    });
  }
  it('rejects scalars that are not below the group order (non-canonical)', () => {
    expect(decodeScalar(encodeScalar(L - 1n), 's').ok).toBe(true);
    const lHex = Buffer.from(Array.from({ length: 32 }, (_, i) => Number((L >> BigInt(8 * i)) & 0xffn))).toString('hex');
    expect(decodeScalar(lHex, 's')).toMatchObject({ ok: false, code: 'bad_scalar' });
  });
});

describe('Schnorr and Chaum–Pedersen proofs', () => {
  const x = randomScalar(random);
  const X = mul(G, x);
  it('a Schnorr proof verifies in its context only', () => {
    const p = proveSchnorr(x, X, 'ctx-a', random);
    expect(verifySchnorr(X, p, 'ctx-a').ok).toBe(true);
    expect(verifySchnorr(X, p, 'ctx-b')).toMatchObject({ ok: false, code: 'bad_schnorr' });
    expect(verifySchnorr(mul(G, x + 1n), p, 'ctx-a').ok).toBe(false);
  });
  it('every altered element of a DLEQ proof is rejected', () => {
    const H = mul(G, randomScalar(random));
    const Y = mul(H, x);
    const p = proveDleq(x, X, H, Y, 'ctx', random);
    expect(verifyDleq(X, H, Y, p, 'ctx').ok).toBe(true);
    expect(verifyDleq(X, H, Y.add(G), p, 'ctx').ok).toBe(false);
    expect(verifyDleq(X.add(G), H, Y, p, 'ctx').ok).toBe(false);
    expect(verifyDleq(X, H.add(G), Y, p, 'ctx').ok).toBe(false);
    expect(verifyDleq(X, H, Y, { ...p, c: flipHex(p.c) }, 'ctx').ok).toBe(false);
    expect(verifyDleq(X, H, Y, { ...p, s: flipHex(p.s) }, 'ctx').ok).toBe(false);
    expect(verifyDleq(X, H, Y, p, 'ctx2').ok).toBe(false);
  });
  it('a DLEQ proof for unequal logarithms cannot be made to verify', () => {
    const H = mul(G, randomScalar(random));
    const Y = mul(H, x + 1n);
    expect(verifyDleq(X, H, Y, proveDleq(x, X, H, Y, 'ctx', random), 'ctx').ok).toBe(false);
  });
});

describe('sealed values (hybrid ElGamal with a proof of knowledge of r)', () => {
  const y = randomScalar(random);
  const Y = mul(G, y);
  it('opens with the right key and context', () => {
    const s = seal(enc('hello'), Y, 'letter|nullifier', random);
    const R = decodePoint(s.R, 'R');
    if (!R.ok) throw new Error();
    const o = openSealed(s, mul(R.point, y), 'letter|nullifier');
    expect(o.ok && new TextDecoder().decode(o.plaintext)).toBe('hello');
  });
  it('a sealed value copied into another record (another context) fails its proof', () => {
    const s = seal(enc('hello'), Y, 'letter|nullifier-1', random);
    expect(checkSealed(s, 'letter|nullifier-2')).toMatchObject({ ok: false, code: 'bad_sealed_proof' });
  });
  it('an altered ciphertext, R or proof is rejected', () => {
    const s = seal(enc('hello'), Y, 'ctx', random);
    const ct = Buffer.from(s.ct, 'base64');
    ct[0] ^= 1;
    expect(checkSealed({ ...s, ct: ct.toString('base64') }, 'ctx').ok).toBe(false);
    expect(checkSealed({ ...s, R: encodePoint(mul(G, 7n)) }, 'ctx').ok).toBe(false);
    expect(checkSealed({ ...s, proof: { ...s.proof, s: flipHex(s.proof.s) } }, 'ctx').ok).toBe(false);
  });
});

/** A whole DKG among n trustees, returning their shares and the committee key. */
function runDkg(k: number, n: number) {
  const secrets = Array.from({ length: n }, () => randomScalar(random));
  const committee: Committee = {
    format: 'undersigned-committee/1',
    name: 'Test trustees',
    k,
    n,
    trustees: secrets.map((s, i) => ({ index: i + 1, name: `Trustee ${i + 1}`, ...transportEntry(s, 'Test trustees', i + 1, random) })),
  };
  expect(checkCommittee(committee).ok).toBe(true);
  const contributions = secrets.map((s, i) => makeContribution(committee, i + 1, s, random));
  const shares = secrets.map((s, l) => {
    let x = 0n;
    for (const c of contributions) {
      const r = receiveShare(committee, c, l + 1, s, random);
      if (!r.ok) throw new Error(r.reason);
      x = (x + r.share) % L;
    }
    return x;
  });
  const key = committeeKey(committee, contributions, new Set());
  if (!key.ok) throw new Error(key.reason);
  return { committee, contributions, secrets, shares, key: key.key };
}

describe('distributed key generation and threshold decryption', () => {
  it('each trustee share matches its public share, and the shares interpolate to the key', () => {
    const { shares, key } = runDkg(3, 5);
    shares.forEach((x, i) => expect(mul(G, x).equals(key.publicShares[i])).toBe(true));
  });

  it('any k of n partials open a sealed value; k−1 do not (property)', () => {
    const { shares, key } = runDkg(3, 5);
    const sealed = seal(enc('Geneviève Côté'), key.publicKey, 'ctx', random);
    const R = decodePoint(sealed.R, 'R');
    if (!R.ok) throw new Error();
    const partials = shares.map((x, i) => makePartial(i + 1, x, key.publicShares[i], R.point, 'ctx', random));
    fc.assert(
      fc.property(fc.subarray([1, 2, 3, 4, 5], { minLength: 1, maxLength: 5 }), (subset) => {
        const parts = subset.map((t) => {
          const c = checkPartial(partials[t - 1], key.publicShares[t - 1], R.point, 'ctx');
          if (!c.ok) throw new Error(c.reason);
          return { trustee: t, D: c.D };
        });
        const opened = openSealed(sealed, combinePartials(parts), 'ctx');
        return subset.length >= 3 ? opened.ok && new TextDecoder().decode(opened.plaintext) === 'Geneviève Côté' : !opened.ok;
      }),
      { numRuns: 60 },
    );
  });

  it('a wrong partial is detected and names its trustee', () => {
    const { shares, key } = runDkg(2, 3);
    const R = mul(G, randomScalar(random));
    const bad = makePartial(2, shares[1] + 1n, key.publicShares[1], R, 'ctx', random);
    expect(checkPartial(bad, key.publicShares[1], R, 'ctx')).toMatchObject({ ok: false, code: 'bad_partial', reason: expect.stringContaining('trustee 2') });
    // A partial made for another record (context) does not verify either.
    const other = makePartial(1, shares[0], key.publicShares[0], R, 'ctx-other', random);
    expect(checkPartial(other, key.publicShares[0], R, 'ctx').ok).toBe(false);
  });

  it('a dealer who sends a bad share is caught by a complaint anyone can judge', () => {
    const { committee, secrets, contributions } = runDkg(2, 3);
    // Dealer 1 re-deals to trustee 2 a share sealed for the right key but of the wrong value.
    const c = structuredClone(contributions[0]);
    const E2 = decodePoint(committee.trustees[1].transportKey, 'E');
    if (!E2.ok) throw new Error();
    c.shares[1] = seal(enc(encodeScalar(12345n)), E2.point, `undersigned/dkg-share/v1|${c.committeeId}|1|2`, random);
    const r = receiveShare(committee, c, 2, secrets[1], random);
    expect(r.ok).toBe(false);
    if (r.ok || !('complaint' in r)) throw new Error('expected a complaint');
    expect(judgeComplaint(committee, c, r.complaint).ok).toBe(true);
    // The same complaint against the honest contribution is judged false.
    expect(judgeComplaint(committee, contributions[0], r.complaint).ok).toBe(false);
  });

  it('a contribution whose proof of knowledge is altered is rejected publicly', () => {
    const { committee, contributions } = runDkg(2, 3);
    const c = structuredClone(contributions[2]);
    c.proof.s = flipHex(c.proof.s);
    const key = committeeKey(committee, [contributions[0], contributions[1], c], new Set());
    expect(key.ok && key.key.qualified).toEqual([1, 2]);
  });

  it('the committee key is the sum of the qualified dealers constant terms', () => {
    const { key, contributions } = runDkg(2, 2);
    const sum = contributions.map((c) => decodePoint(c.commitments[0], 'C')).reduce((acc, d) => (d.ok ? acc.add(d.point) : acc), Point.ZERO);
    expect(sum.equals(key.publicKey)).toBe(true);
  });
});

describe('the committee as the log records it', () => {
  function entries(k: number, n: number) {
    const { committee, contributions, secrets } = runDkg(k, n);
    const id = committeeId(committee);
    const list: CommitteeEntry[] = [{ kind: 'committee-created', committeeId: id, committee }];
    contributions.forEach((c, i) => list.push({ kind: 'dkg-contribution', contribution: c, signature: trusteeSign(secrets[i], 'contribution', c, random) }));
    return { committee, contributions, secrets, id, list };
  }

  it('a complaint whose DLEQ proof fails is refused, even signed by its accuser, so it cannot blame anyone', () => {
    const { id, list, secrets } = entries(2, 3);
    const body = {
      kind: 'dkg-complaint' as const,
      committeeId: id,
      accuser: 2,
      complaints: [{ committeeId: id, dealer: 1, accuser: 2, shared: encodePoint(mul(G, 5n)), proof: { c: encodeScalar(1n), s: encodeScalar(2n) } }],
    };
    const forged: CommitteeEntry = { ...body, signature: trusteeSign(secrets[1], 'complaint', body, random) };
    expect(evaluateCommittee([...list, forged])).toMatchObject({ ok: false, code: 'bad_complaint' });
  });

  it('a contribution in another trustee’s name (not signed by them) is refused', () => {
    const { list, secrets } = entries(2, 3);
    const c = list[2] as Extract<CommitteeEntry, { kind: 'dkg-contribution' }>;
    const resigned: CommitteeEntry = { ...c, signature: trusteeSign(secrets[0], 'contribution', c.contribution, random) };
    expect(evaluateCommittee([list[0], list[1], resigned])).toMatchObject({ ok: false, code: 'bad_contribution' });
  });

  it('the key is ready once every trustee dealt and responded, and equals the sum of the dealers’ constant terms', () => {
    const { id, list, secrets } = entries(2, 3);
    for (let t = 1; t <= 3; t++) {
      const body = { committeeId: id, trustee: t };
      list.push({ kind: 'dkg-ack', ...body, signature: trusteeSign(secrets[t - 1], 'ack', body, random) });
    }
    const s = evaluateCommittee(list);
    expect(s.ok && s.state.key !== null && s.state.waitingFor.response.length === 0).toBe(true);
  });
});
