/**
 * Distributed key generation for a k-of-n trustee committee: Joint-Feldman (Pedersen 1991,
 * "A threshold cryptosystem without a trusted party") with a proof of knowledge of each dealer's
 * constant term, and public complaints. docs/protocol.md §10.4.
 *
 * Each trustee i (1..n) deals a random polynomial f_i of degree k−1: it publishes Feldman
 * commitments C_ij = a_ij·G (j = 0..k−1), a Schnorr proof of knowledge of a_i0, and the shares
 * s_il = f_i(l) sealed to each trustee l's transport key. Trustee l checks s_il·G = Σ_j l^j·C_ij.
 * A wrong share is answered by a complaint that reveals the shared point of that one seal with a
 * DLEQ proof, so anyone can decrypt it and see who lied. The committee key is Y = Σ_{i∈Q} C_i0 and
 * trustee l's public share is Y_l = Σ_{i∈Q} Σ_j l^j·C_ij, over the qualified dealers Q.
 *
 * Gennaro, Jarecki, Krawczyk and Rabin (1999, "Secure distributed key generation for discrete-log
 * based cryptosystems") show that Joint-Feldman lets a rushing adversary bias the distribution of
 * Y; the same authors (2003, "Secure applications of Pedersen's distributed key generation
 * protocol") prove that threshold ElGamal-style decryption stays secure with such a key, which is
 * the only use made of it here.
 */
import { z } from 'zod';
import { taggedHash } from '../encoding.ts';
import { type Check, fail, pass } from '../result.ts';
import {
  type Point,
  G,
  type Random,
  challenge,
  decodePoint,
  decodeScalar,
  encodePoint,
  encodeScalar,
  evalCommitments,
  evalPolynomial,
  mul,
} from './group.ts';
import { proveDleq, proveSchnorr, verifyDleq, verifySchnorr } from './proofs.ts';
import { type Sealed, checkSealed, openSealed, seal } from './seal.ts';

const pointHex = z.string().regex(/^[0-9a-f]{64}$/);
const SigmaSchema = z.object({ c: pointHex, s: pointHex }).strict();
export const SealedSchema = z.object({ R: pointHex, ct: z.string().max(8000), proof: SigmaSchema }).strict();

export const CommitteeSchema = z
  .object({
    format: z.literal('undersigned-committee/1'),
    name: z.string().min(1).max(200),
    k: z.number().int().min(1).max(50),
    n: z.number().int().min(1).max(50),
    trustees: z.array(z.object({ index: z.number().int().min(1), name: z.string().min(1).max(200), transportKey: pointHex, proof: SigmaSchema }).strict()),
  })
  .strict()
  .refine((c) => c.k <= c.n && c.trustees.length === c.n && c.trustees.every((t, i) => t.index === i + 1), 'k ≤ n and trustees numbered 1..n');
export type Committee = z.infer<typeof CommitteeSchema>;

export const ContributionSchema = z
  .object({
    committeeId: z.string().regex(/^[0-9a-f]{64}$/),
    dealer: z.number().int().min(1),
    commitments: z.array(pointHex),
    proof: SigmaSchema,
    shares: z.array(SealedSchema),
  })
  .strict();
export type Contribution = z.infer<typeof ContributionSchema>;

export const ComplaintSchema = z
  .object({
    committeeId: z.string().regex(/^[0-9a-f]{64}$/),
    dealer: z.number().int().min(1),
    accuser: z.number().int().min(1),
    /** The shared point e_l·R of the disputed seal, with a DLEQ proof against the accuser's transport key. */
    shared: pointHex,
    proof: SigmaSchema,
  })
  .strict();
export type Complaint = z.infer<typeof ComplaintSchema>;

export function committeeId(committee: Committee): string {
  return taggedHash('undersigned/committee/v1', committee);
}

const transportContext = (name: string, index: number) => `undersigned/trustee-transport/v1|${name}|${index}`;
const dealerContext = (id: string, dealer: number) => `undersigned/dkg-dealer/v1|${id}|${dealer}`;
const shareContext = (id: string, dealer: number, recipient: number) => `undersigned/dkg-share/v1|${id}|${dealer}|${recipient}`;
const complaintContext = (id: string, dealer: number, accuser: number) => `undersigned/dkg-complaint/v1|${id}|${dealer}|${accuser}`;

/** A trustee's transport key entry: public key and a proof that they hold its secret. */
export function transportEntry(secret: bigint, committeeName: string, index: number, random: Random) {
  const E = mul(G, secret);
  return { transportKey: encodePoint(E), proof: proveSchnorr(secret, E, transportContext(committeeName, index), random) };
}

export function checkCommittee(committee: Committee): Check {
  for (const t of committee.trustees) {
    const E = decodePoint(t.transportKey, `trustee ${t.index} transport key`);
    if (!E.ok) return E;
    const ok = verifySchnorr(E.point, t.proof, transportContext(committee.name, t.index));
    if (!ok.ok) return fail('bad_transport_key', `trustee ${t.index} (${t.name}): proof of the transport key does not verify`);
  }
  return pass();
}

/** The dealer's polynomial, derived from its transport secret (so no extra secret must be stored). */
export function dealerPolynomial(secret: bigint, id: string, k: number): bigint[] {
  return Array.from({ length: k }, (_, j) => challenge('undersigned/dkg-polynomial/v1', [encodeScalar(secret), id, String(j)]));
}

export function makeContribution(committee: Committee, dealer: number, secret: bigint, random: Random): Contribution {
  const id = committeeId(committee);
  const coeffs = dealerPolynomial(secret, id, committee.k);
  const commitments = coeffs.map((a) => mul(G, a));
  const shares: Sealed[] = committee.trustees.map((t) => {
    const E = decodePoint(t.transportKey, 'transport key');
    if (!E.ok) throw new Error(E.reason);
    const s = evalPolynomial(coeffs, t.index);
    return seal(new TextEncoder().encode(encodeScalar(s)), E.point, shareContext(id, dealer, t.index), random);
  });
  return {
    committeeId: id,
    dealer,
    commitments: commitments.map(encodePoint),
    proof: proveSchnorr(coeffs[0], commitments[0], dealerContext(id, dealer), random),
    shares,
  };
}

/** Public checks of a contribution: shape, commitments, proof of knowledge, every seal's proof. */
export function checkContribution(committee: Committee, c: Contribution): Check<{ commitments: Point[] }> {
  const id = committeeId(committee);
  if (c.committeeId !== id) return fail('wrong_committee', 'the contribution is for another committee');
  if (c.dealer < 1 || c.dealer > committee.n) return fail('bad_contribution', `dealer ${c.dealer} is not a trustee`);
  if (c.commitments.length !== committee.k) return fail('bad_contribution', `dealer ${c.dealer}: needs ${committee.k} commitments`);
  if (c.shares.length !== committee.n) return fail('bad_contribution', `dealer ${c.dealer}: needs ${committee.n} shares`);
  const commitments: Point[] = [];
  for (const [j, hex] of c.commitments.entries()) {
    const P = decodePoint(hex, `dealer ${c.dealer} commitment ${j}`);
    if (!P.ok) return P;
    commitments.push(P.point);
  }
  const pok = verifySchnorr(commitments[0], c.proof, dealerContext(id, c.dealer));
  if (!pok.ok) return fail('bad_contribution', `dealer ${c.dealer}: proof of knowledge of the secret does not verify`);
  for (const [l, s] of c.shares.entries()) {
    const ok = checkSealed(s, shareContext(id, c.dealer, l + 1));
    if (!ok.ok) return fail('bad_contribution', `dealer ${c.dealer}: share for trustee ${l + 1}: ${ok.reason}`);
  }
  return pass({ commitments });
}

/** What trustee `me` learns from one dealer's contribution: its share, or a complaint. */
export function receiveShare(
  committee: Committee,
  c: Contribution,
  me: number,
  secret: bigint,
  random: Random,
): Check<{ share: bigint }> | { ok: false; code: 'complaint'; reason: string; complaint: Complaint } {
  const id = committeeId(committee);
  const checked = checkContribution(committee, c);
  if (!checked.ok) return checked;
  const sealed = c.shares[me - 1];
  const R = decodePoint(sealed.R, 'share R');
  if (!R.ok) return R;
  const S = mul(R.point, secret);
  const share = parseShare(sealed, S, shareContext(id, c.dealer, me));
  if (share !== null && mul(G, share).equals(evalCommitments(checked.commitments, me))) return pass({ share });
  const E = mul(G, secret);
  const complaint: Complaint = {
    committeeId: id,
    dealer: c.dealer,
    accuser: me,
    shared: encodePoint(S),
    proof: proveDleq(secret, E, R.point, S, complaintContext(id, c.dealer, me), random),
  };
  return { ok: false, code: 'complaint', reason: `dealer ${c.dealer} sent trustee ${me} a share that does not match its commitments`, complaint };
}

function parseShare(sealed: Sealed, S: Point, context: string): bigint | null {
  const opened = openSealed(sealed, S, context);
  if (!opened.ok) return null;
  const text = new TextDecoder().decode(opened.plaintext);
  const s = decodeScalar(text, 'share');
  return s.ok ? s.scalar : null;
}

/**
 * Judge a complaint publicly. Returns pass when the complaint is upheld (the dealer cheated), and
 * a failure naming the accuser when the share was in fact good or the complaint is malformed.
 */
export function judgeComplaint(committee: Committee, c: Contribution, complaint: Complaint): Check {
  const id = committeeId(committee);
  const checked = checkContribution(committee, c);
  if (!checked.ok) return pass(); // a contribution that fails public checks disqualifies its dealer anyway
  const accuser = committee.trustees[complaint.accuser - 1];
  if (!accuser || complaint.dealer !== c.dealer) return fail('bad_complaint', 'the complaint names the wrong dealer or accuser');
  const E = decodePoint(accuser.transportKey, 'transport key');
  const S = decodePoint(complaint.shared, 'complaint shared point');
  const R = decodePoint(c.shares[complaint.accuser - 1].R, 'share R');
  if (!E.ok || !S.ok || !R.ok) return fail('bad_complaint', 'the complaint has a malformed point');
  const dleq = verifyDleq(E.point, R.point, S.point, complaint.proof, complaintContext(id, c.dealer, complaint.accuser));
  if (!dleq.ok) return fail('bad_complaint', `trustee ${complaint.accuser}'s complaint does not prove the decryption key`);
  const share = parseShare(c.shares[complaint.accuser - 1], S.point, shareContext(id, c.dealer, complaint.accuser));
  if (share !== null && mul(G, share).equals(evalCommitments(checked.commitments, complaint.accuser))) {
    return fail('false_complaint', `trustee ${complaint.accuser} complained about a share that is correct`);
  }
  return pass();
}

export interface CommitteeKey {
  publicKey: Point;
  /** Y_l for l = 1..n (index l−1). */
  publicShares: Point[];
  qualified: number[];
}

/** Combine the qualified dealers' commitments into the committee key and public shares. */
export function committeeKey(committee: Committee, contributions: readonly Contribution[], disqualified: ReadonlySet<number>): Check<{ key: CommitteeKey }> {
  const byDealer = new Map<number, Point[]>();
  for (const c of contributions) {
    if (disqualified.has(c.dealer) || byDealer.has(c.dealer)) continue;
    const checked = checkContribution(committee, c);
    if (checked.ok) byDealer.set(c.dealer, checked.commitments);
  }
  const qualified = [...byDealer.keys()].sort((a, b) => a - b);
  if (qualified.length < committee.k) return fail('dkg_failed', `only ${qualified.length} trustees dealt correctly; ${committee.k} are needed`);
  let Y = G.subtract(G);
  const shares: Point[] = Array.from({ length: committee.n }, () => G.subtract(G));
  for (const i of qualified) {
    const C = byDealer.get(i)!;
    Y = Y.add(C[0]);
    for (let l = 1; l <= committee.n; l++) shares[l - 1] = shares[l - 1].add(evalCommitments(C, l));
  }
  return pass({ key: { publicKey: Y, publicShares: shares, qualified } });
}

export function encodeKey(key: CommitteeKey) {
  return { publicKey: encodePoint(key.publicKey), publicShares: key.publicShares.map(encodePoint), qualified: key.qualified };
}
