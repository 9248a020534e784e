/**
 * Threshold decryption of sealed values (docs/protocol.md §10.5). Trustee l with share x_l
 * publishes D_l = x_l·R with a Chaum–Pedersen proof that log_G(Y_l) = log_R(D_l). Any k valid
 * partials from distinct trustees combine by Lagrange interpolation at 0 into S = x·R, the shared
 * point that opens the seal. A wrong partial fails its proof and names its trustee.
 */
import { type Check, fail, pass } from '../result.ts';
import { type Point, type Random, decodePoint, encodePoint, lagrangeAtZero, mul, mulPublic } from './group.ts';
import { type SigmaProof, proveDleq, verifyDleq } from './proofs.ts';

export interface Partial {
  trustee: number;
  D: string;
  proof: SigmaProof;
}

export const partialContext = (context: string, trustee: number) => `undersigned/partial/v1|${context}|${trustee}`;

export function makePartial(trustee: number, share: bigint, publicShare: Point, R: Point, context: string, random: Random): Partial {
  const D = mul(R, share);
  return { trustee, D: encodePoint(D), proof: proveDleq(share, publicShare, R, D, partialContext(context, trustee), random) };
}

export function checkPartial(p: Partial, publicShare: Point, R: Point, context: string): Check<{ D: Point }> {
  const D = decodePoint(p.D, `trustee ${p.trustee} partial`);
  if (!D.ok) return D;
  const ok = verifyDleq(publicShare, R, D.point, p.proof, partialContext(context, p.trustee));
  if (!ok.ok) return fail('bad_partial', `trustee ${p.trustee}'s partial decryption does not verify`);
  return pass({ D: D.point });
}

/** S = Σ λ_l·D_l over exactly the given (already checked) partials. */
export function combinePartials(parts: readonly { trustee: number; D: Point }[]): Point {
  const indices = parts.map((p) => p.trustee);
  if (new Set(indices).size !== indices.length) throw new Error('partials must come from distinct trustees');
  let S: Point | null = null;
  for (const p of parts) {
    const term = mulPublic(p.D, lagrangeAtZero(p.trustee, indices));
    S = S ? S.add(term) : term;
  }
  if (!S) throw new Error('no partials');
  return S;
}
