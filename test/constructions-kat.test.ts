import { describe, expect, it } from 'vitest';
import { decodeCiphertext } from '../src/core/ballot/elgamal.ts';
import { verifyOneOf } from '../src/core/ballot/elgamal.ts';
import { decodePoint } from '../src/core/trustee/group.ts';
import { verifyDleq, verifySchnorr } from '../src/core/trustee/proofs.ts';
import { openSealed } from '../src/core/trustee/seal.ts';
import { mul } from '../src/core/trustee/group.ts';
import { decodeScalar } from '../src/core/trustee/group.ts';
import committed from './fixtures/constructions/vectors.json' with { type: 'json' };
import { vectors } from './fixtures/constructions/generate.ts';

const point = (hex: string) => {
  const d = decodePoint(hex, 'p');
  if (!d.ok) throw new Error(d.reason);
  return d.point;
};

describe('known-answer vectors for our constructions', () => {
  it('regenerating from the seed gives the committed vectors byte for byte', () => {
    expect(JSON.parse(JSON.stringify(vectors()))).toEqual(committed);
  });
  it('the committed proofs verify, and the sealed value opens with the committed key', () => {
    const X = point(committed.keys.X);
    const H = point(committed.keys.H);
    const Y = point(committed.keys.Y);
    expect(verifySchnorr(X, committed.schnorr, 'kat-context').ok).toBe(true);
    expect(verifyDleq(X, H, Y, committed.dleq, 'kat-context').ok).toBe(true);
    const x = decodeScalar(committed.keys.x, 'x');
    if (!x.ok) throw new Error();
    const opened = openSealed(committed.seal.sealed, mul(point(committed.seal.sealed.R), x.scalar), committed.seal.context);
    expect(opened.ok && Buffer.from(opened.plaintext).toString('hex')).toBe(committed.seal.plaintext);
    const ct = decodeCiphertext(committed.oneOf.ciphertext, 'ct');
    if (!ct.ok) throw new Error();
    expect(verifyOneOf(ct, [0, 1], X, committed.oneOf.proof, 'kat-vote').ok).toBe(true);
  });
});
