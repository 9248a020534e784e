/**
 * Ways to damage (or harmlessly re-randomize) a real Semaphore proof, for tests that compare batch
 * and one-by-one verification. Point arithmetic uses mcl-wasm's public API on its own instance,
 * independent of src/core/crypto/bn254.ts, so the tests do not check our code with itself.
 */
import mcl from 'mcl-wasm';
import type { SemaphoreProof } from '../../src/core/crypto/semaphore.ts';

/** BN254's base field and group orders, from EIP-197. */
export const P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
export const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

export const MUTATIONS = [
  'none', // the proof as made
  're-randomized', // (t·A, B/t, C): Groth16 proofs are malleable, this one is still valid
  'swap-proof', // another proof's points with this proof's signals
  'swap-A',
  'swap-B',
  'swap-C',
  'negate-C',
  'A-plus-generator',
  'nullifier+1',
  'root+1',
  'message+1',
  'scope+1',
  'other-depth', // verified against another depth's key
  'A-off-curve',
  'B-off-curve',
  'B-twist-not-G2', // on the twist E'(Fp2), outside the order-r subgroup
  'B-plus-torsion', // B + T with T of order dividing the cofactor: on the twist, not in G2
  'coordinate-plus-p', // A.x + p: same residue, out of range
  'nullifier-plus-r', // same residue mod r, out of range
  'A-infinity', // (0, 0)
  'C-infinity',
] as const;
export type Mutation = (typeof MUTATIONS)[number];
/** The mutations after which the proof is still valid. */
export const STILL_VALID: readonly Mutation[] = ['none', 're-randomized'];

type G1 = InstanceType<typeof mcl.G1>;
type G2 = InstanceType<typeof mcl.G2>;

const g1Of = (x: string, y: string): G1 => {
  const g = new mcl.G1();
  g.setStr(`1 ${x} ${y}`, 10);
  return g;
};
const g1Coords = (g: G1): [string, string] => {
  if (g.isZero()) return ['0', '0'];
  const [, x, y] = mcl.normalize(g).getStr(10).split(' ');
  return [x, y];
};
// Semaphore packs B as [x.c1, x.c0, y.c1, y.c0] at points[2..5] (src/core/crypto/semaphore.ts).
const g2Of = (pts: readonly string[]): G2 => {
  const g = new mcl.G2();
  g.setStr(`1 ${pts[3]} ${pts[2]} ${pts[5]} ${pts[4]}`, 10);
  return g;
};
const g2Coords = (g: G2): [string, string, string, string] => {
  const [, x0, x1, y0, y1] = mcl.normalize(g).getStr(10).split(' ');
  return [x1, x0, y1, y0];
};

/** [k]Q by double-and-add: mcl's own multiplication (GLV) is only correct on G2 itself. */
function mulGeneric(q: G2, k: bigint): G2 {
  let acc = new mcl.G2();
  for (const bit of k.toString(2)) {
    acc = mcl.dbl(acc);
    if (bit === '1') acc = mcl.add(acc, q);
  }
  return acc;
}

/** A point of E'(Fp2) from a seed: x from a hash, y a square root of x³ + 3/ξ. */
export function twistPoint(seed: string): G2 {
  const b = mcl.div(fp2(3, 0), fp2(9, 1));
  for (let i = 0; ; i++) {
    const [a, b1] = [new mcl.Fp(), new mcl.Fp()];
    a.setHashOf(`${seed}/${i}/a`);
    b1.setHashOf(`${seed}/${i}/b`);
    const x = new mcl.Fp2();
    x.set_a(a);
    x.set_b(b1);
    const [ok, y] = mcl.squareRoot(mcl.add(mcl.mul(mcl.sqr(x), x), b));
    if (!ok) continue;
    const q = new mcl.G2();
    q.setX(x);
    q.setY(y);
    q.setZ(fp2(1, 0));
    return q;
  }
}

function fp2(a: number, b: number) {
  const f = new mcl.Fp2();
  f.setInt(a, b);
  return f;
}

/** True when Q is in G2, by the definition: [r]Q = O. */
export function inG2ByDefinition(q: G2): boolean {
  return mulGeneric(q, R).isZero();
}

/** Coordinates of a G2 point as the four decimals of Semaphore's packing (points[2..5]). */
export function packedG2(q: G2): [string, string, string, string] {
  return g2Coords(q);
}

export async function initMcl(): Promise<void> {
  await mcl.init(mcl.BN_SNARK1);
  // Let mcl hold points outside G2 (its default refuses them when decoding).
  mcl.verifyOrderG2(false);
}

/** A function that applies a mutation to proofs[base]; `other` picks the proof to swap with. */
export async function mutator(proofs: readonly SemaphoreProof[]): Promise<(base: number, mutation: Mutation, other: number) => SemaphoreProof> {
  await initMcl();
  const notG2 = twistPoint('not in G2');
  const torsion = mulGeneric(twistPoint('torsion'), R); // order divides the cofactor 2p − r
  const generator = g1Of('1', '2'); // G1's generator (EIP-197)
  return (base, mutation, other) => {
    const p = proofs[base % proofs.length];
    const o = proofs[other % proofs.length === base % proofs.length ? (base + 1) % proofs.length : other % proofs.length];
    const pts = [...p.points];
    const with_ = (changes: Partial<SemaphoreProof>): SemaphoreProof => ({ ...p, points: pts, ...changes });
    const plus = (s: string, d: bigint) => (BigInt(s) + d).toString();
    switch (mutation) {
      case 'none':
        return with_({});
      case 're-randomized': {
        const t = new mcl.Fr();
        t.setHashOf(`t/${base}/${other}`);
        const a = mcl.mul(g1Of(pts[0], pts[1]), t);
        const b = mcl.mul(g2Of(pts), mcl.inv(t));
        [pts[0], pts[1]] = g1Coords(a);
        [pts[2], pts[3], pts[4], pts[5]] = g2Coords(b);
        return with_({});
      }
      case 'swap-proof':
        return with_({ points: [...o.points] });
      case 'swap-A':
        [pts[0], pts[1]] = [o.points[0], o.points[1]];
        return with_({});
      case 'swap-B':
        for (let i = 2; i < 6; i++) pts[i] = o.points[i];
        return with_({});
      case 'swap-C':
        [pts[6], pts[7]] = [o.points[6], o.points[7]];
        return with_({});
      case 'negate-C':
        pts[7] = (P - BigInt(pts[7])).toString();
        return with_({});
      case 'A-plus-generator':
        [pts[0], pts[1]] = g1Coords(mcl.add(g1Of(pts[0], pts[1]), generator));
        return with_({});
      case 'nullifier+1':
        return with_({ nullifier: plus(p.nullifier, 1n) });
      case 'root+1':
        return with_({ merkleTreeRoot: plus(p.merkleTreeRoot, 1n) });
      case 'message+1':
        return with_({ message: plus(p.message, 1n) });
      case 'scope+1':
        return with_({ scope: plus(p.scope, 1n) });
      case 'other-depth':
        return with_({ merkleTreeDepth: p.merkleTreeDepth === 20 ? 21 : 20 });
      case 'A-off-curve':
        pts[1] = ((BigInt(pts[1]) + 1n) % P).toString();
        return with_({});
      case 'B-off-curve':
        pts[5] = ((BigInt(pts[5]) + 1n) % P).toString();
        return with_({});
      case 'B-twist-not-G2':
        [pts[2], pts[3], pts[4], pts[5]] = g2Coords(notG2);
        return with_({});
      case 'B-plus-torsion':
        [pts[2], pts[3], pts[4], pts[5]] = g2Coords(mcl.add(g2Of(pts), torsion));
        return with_({});
      case 'coordinate-plus-p':
        pts[0] = plus(pts[0], P);
        return with_({});
      case 'nullifier-plus-r':
        return with_({ nullifier: plus(p.nullifier, R) });
      case 'A-infinity':
        [pts[0], pts[1]] = ['0', '0'];
        return with_({});
      case 'C-infinity':
        [pts[6], pts[7]] = ['0', '0'];
        return with_({});
    }
  };
}
