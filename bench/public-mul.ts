/**
 * Issue #19 item 1: variable-time multiplication where everything is public. Times, in one
 * process and alternating rounds (so load on this shared machine hits both alike), the vote
 * proof check `verifyOneOf` (2 options) and a trustee's `verifyDleq` as they are now (mulPublic:
 * noble's multiplyUnsafe) against the same equations with the constant-time `mul` (the code
 * before). Both paths must accept every proof, or the run aborts. Not a test: timing never goes
 * into `npm test`. Run: node --import tsx bench/public-mul.ts [--proofs N] [--rounds R]
 */
import { randomBytes } from 'node:crypto';
import { encrypt, proveOneOf, verifyOneOf } from '../src/core/ballot/elgamal.ts';
import { G, L, type Point, mul, mulPublic, randomScalar } from '../src/core/trustee/group.ts';
import { proveDleq, verifyDleq } from '../src/core/trustee/proofs.ts';
import { challenge, decodeScalar } from '../src/core/trustee/group.ts';

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const N = arg('--proofs', 100);
const ROUNDS = arg('--rounds', 5);
const random = (n: number) => new Uint8Array(randomBytes(n));

// The constant-time baseline of the two checks: the same equations as src/core, with `mul`.
function oneOfConstantTime(ct: { a: Point; b: Point }, values: number[], Y: Point, proof: { c: string[]; s: string[] }, context: string): boolean {
  const commitments: Point[] = [];
  let sum = 0n;
  for (let i = 0; i < values.length; i++) {
    const c = decodeScalar(proof.c[i], 'c');
    const s = decodeScalar(proof.s[i], 's');
    if (!c.ok || !s.ok) return false;
    sum = (sum + c.scalar) % L;
    const bv = ct.b.subtract(mul(G, BigInt(values[i])));
    commitments.push(mul(G, s.scalar).subtract(mul(ct.a, c.scalar)), mul(Y, s.scalar).subtract(mul(bv, c.scalar)));
  }
  return challenge('undersigned/one-of/v1', [context, Y, ct.a, ct.b, values.join(','), ...commitments]) === sum;
}
function dleqConstantTime(X: Point, H: Point, Y: Point, proof: { c: string; s: string }, context: string): boolean {
  const c = decodeScalar(proof.c, 'c');
  const s = decodeScalar(proof.s, 's');
  if (!c.ok || !s.ok) return false;
  const A = mul(G, s.scalar).subtract(mul(X, c.scalar));
  const B = mul(H, s.scalar).subtract(mul(Y, c.scalar));
  return challenge('undersigned/dleq/v1', [X, H, Y, A, B, context]) === c.scalar;
}

const Y = mul(G, randomScalar(random));
const votes = Array.from({ length: N }, (_, i) => {
  const r = randomScalar(random);
  const m = i % 2;
  const ct = encrypt(m, r, Y);
  return { ct, proof: proveOneOf(ct, m, r, [0, 1], Y, `vote ${i}`, random), context: `vote ${i}` };
});
const partials = Array.from({ length: N }, (_, i) => {
  const x = randomScalar(random);
  const X = mul(G, x);
  const H = mul(G, randomScalar(random));
  const D = mul(H, x);
  return { X, H, D, proof: proveDleq(x, X, H, D, `partial ${i}`, random), context: `partial ${i}` };
});

const time = (f: () => boolean) => {
  const t = performance.now();
  if (!f()) throw new Error('a verifier refused a valid proof: timing an early exit measures nothing');
  return performance.now() - t;
};
const rows: Record<string, number[]> = { oneOfNow: [], oneOfBefore: [], dleqNow: [], dleqBefore: [] };
for (let round = 0; round < ROUNDS; round++) {
  rows.oneOfBefore.push(time(() => votes.every((v) => oneOfConstantTime(v.ct, [0, 1], Y, v.proof, v.context))));
  rows.oneOfNow.push(time(() => votes.every((v) => verifyOneOf(v.ct, [0, 1], Y, v.proof, v.context).ok)));
  rows.dleqBefore.push(time(() => partials.every((p) => dleqConstantTime(p.X, p.H, p.D, p.proof, p.context))));
  rows.dleqNow.push(time(() => partials.every((p) => verifyDleq(p.X, p.H, p.D, p.proof, p.context).ok)));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const per = (k: string) => median(rows[k]) / N;
const out = {
  proofs: N,
  rounds: ROUNDS,
  msPerOneOf: { constantTime: +per('oneOfBefore').toFixed(3), variableTime: +per('oneOfNow').toFixed(3), ratio: +(per('oneOfBefore') / per('oneOfNow')).toFixed(2) },
  msPerDleq: { constantTime: +per('dleqBefore').toFixed(3), variableTime: +per('dleqNow').toFixed(3), ratio: +(per('dleqBefore') / per('dleqNow')).toFixed(2) },
  mulPublicCheck: mulPublic(G, 5n).equals(mul(G, 5n)),
};
console.log(JSON.stringify(out));
