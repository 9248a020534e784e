/**
 * Decrypting a ballot's tally after the close (docs/protocol.md §12.3): each trustee publishes,
 * per option j, D_j = x_t·a_j (a_j the first half of the summed ciphertext) with a Chaum–Pedersen
 * proof against its public share. The first k entries whose every partial verifies combine by
 * Lagrange into S_j = x·a_j, so m_j·G = b_j − S_j, and m_j is found by search in [0, voters].
 * Only sums are ever decrypted: no single vote, and nothing before the close.
 */
import { z } from 'zod';
import { trusteeSign, trusteeVerify } from '../trustee/committee.ts';
import { type Check, fail, pass } from '../result.ts';
import { type Point, type Random } from '../trustee/group.ts';
import { checkPartial, combinePartials, makePartial } from '../trustee/threshold.ts';
import { type Ciphertext, decodeCiphertext, discreteLog } from './elgamal.ts';

const hex32 = z.string().regex(/^[0-9a-f]{64}$/);

export const TallyEntrySchema = z
  .object({
    kind: z.literal('tally-partials'),
    ballotId: hex32,
    committeeId: hex32,
    trustee: z.number().int().min(1),
    partials: z.array(z.object({ D: hex32, proof: z.object({ c: hex32, s: hex32 }).strict() }).strict()).max(50),
    /** Schnorr signature by the trustee's transport key over the rest of the entry. */
    signature: z.object({ c: hex32, s: hex32 }).strict(),
  })
  .strict();
export type TallyEntry = z.infer<typeof TallyEntrySchema>;

const ZERO = '0'.repeat(64);
const tallyContext = (ballotId: string, option: number) => `undersigned/tally/v1|${ballotId}|${option}`;

export function makeTallyEntry(args: { ballotId: string; committeeId: string; trustee: number; share: bigint; publicShare: Point; transportSecret: bigint; sums: readonly Ciphertext[] }, random: Random): TallyEntry {
  const body: Omit<TallyEntry, 'signature'> = {
    kind: 'tally-partials',
    ballotId: args.ballotId,
    committeeId: args.committeeId,
    trustee: args.trustee,
    partials: args.sums.map((sum, j) => {
      const ct = decodeCiphertext(sum, 'sum');
      if (!ct.ok) throw new Error(ct.reason);
      // No votes at all: the sum is (0, 0) and so is every partial; there is nothing to prove.
      if (ct.a.is0()) return { D: ZERO, proof: { c: ZERO, s: ZERO } };
      const p = makePartial(args.trustee, args.share, args.publicShare, ct.a, tallyContext(args.ballotId, j), random);
      return { D: p.D, proof: p.proof };
    }),
  };
  return { ...body, signature: trusteeSign(args.transportSecret, 'tally', body, random) };
}

export function checkTallyEntry(input: { ballotId: string; committeeId: string; publicShares: readonly Point[]; transportKeys: readonly Point[]; sums: readonly Ciphertext[] }, e: TallyEntry): Check<{ D: Point[] }> {
  if (e.ballotId !== input.ballotId || e.committeeId !== input.committeeId) return fail('bad_tally_entry', `trustee ${e.trustee}: partials for another ballot or committee`);
  const Y = input.publicShares[e.trustee - 1];
  const E = input.transportKeys[e.trustee - 1];
  if (!Y || !E) return fail('bad_tally_entry', `trustee ${e.trustee} is not on the committee`);
  const { signature, ...body } = e;
  if (!trusteeVerify(E, 'tally', body, signature)) return fail('unsigned_tally', `an entry in the name of trustee ${e.trustee} is not signed by them`);
  if (e.partials.length !== input.sums.length) return fail('bad_tally_entry', `trustee ${e.trustee}: one partial per option is needed`);
  const out: Point[] = [];
  for (const [j, p] of e.partials.entries()) {
    const ct = decodeCiphertext(input.sums[j], 'sum');
    if (!ct.ok) return fail('bad_tally_entry', ct.reason);
    if (ct.a.is0()) {
      if (p.D !== ZERO) return fail('bad_partial', `trustee ${e.trustee}'s partial of the empty option ${j} is not the identity`);
      out.push(ct.a);
      continue;
    }
    const c = checkPartial({ trustee: e.trustee, D: p.D, proof: p.proof }, Y, ct.a, tallyContext(input.ballotId, j));
    if (!c.ok) return fail('bad_partial', `trustee ${e.trustee}'s partial decryption of option ${j} does not verify`);
    out.push(c.D);
  }
  return pass({ D: out });
}

export interface TallyResult {
  counts: number[] | null;
  trustees: number[];
  misbehaving: { trustee: number; reason: string }[];
}

export function computeTally(input: { ballotId: string; committeeId: string; k: number; publicShares: readonly Point[]; transportKeys: readonly Point[]; sums: readonly Ciphertext[]; voters: number; entries: readonly TallyEntry[] }): Check<{ result: TallyResult }> {
  const result: TallyResult = { counts: null, trustees: [], misbehaving: [] };
  const valid: { trustee: number; D: Point[] }[] = [];
  for (const e of input.entries) {
    if (valid.some((v) => v.trustee === e.trustee)) continue;
    const c = checkTallyEntry(input, e);
    if (!c.ok) {
      if (c.code !== 'unsigned_tally') result.misbehaving.push({ trustee: e.trustee, reason: c.reason });
      continue;
    }
    if (valid.length < input.k) valid.push({ trustee: e.trustee, D: c.D });
  }
  if (valid.length < input.k) return pass({ result });
  result.trustees = valid.map((v) => v.trustee);
  const counts: number[] = [];
  for (const [j, sum] of input.sums.entries()) {
    const ct = decodeCiphertext(sum, 'sum');
    if (!ct.ok) return fail('bad_tally', ct.reason);
    const S = combinePartials(valid.map((v) => ({ trustee: v.trustee, D: v.D[j] })));
    const m = discreteLog(ct.b.subtract(S), input.voters);
    if (m === null) return fail('bad_tally', `option ${j} does not decrypt to a count between 0 and ${input.voters}`);
    counts.push(m);
  }
  if (counts.reduce((a, b) => a + b, 0) !== input.voters) return fail('bad_tally', 'the decrypted counts do not add up to the number of voters');
  result.counts = counts;
  return pass({ result });
}
