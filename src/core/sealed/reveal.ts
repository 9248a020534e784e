/**
 * Revealing sealed names after the close (docs/protocol.md §11.3). The rule, applied the same way
 * by the server and every verifier:
 * 1. Only records that are the latest action of their nullifier and a sealed `support` are ever
 *    decrypted: a sealed signature that was withdrawn stays sealed forever.
 * 2. If the count at the close is below the letter's reveal threshold, nothing may be decrypted;
 *    any partial decryption published anyway makes the result invalid (it would be a breach).
 * 3. Otherwise each trustee publishes one reveal-partials entry covering exactly those records.
 *    An entry with any partial that fails its DLEQ proof is ignored and its trustee named.
 *    The first k valid entries (log order, distinct trustees) open every sealed name.
 * 4. A sealed name that does not open to a valid named signature by a roster member is reported
 *    by record; the record still counts (its membership proof is valid) but names nobody.
 */
import { z } from 'zod';
import { trusteeSign, trusteeVerify } from '../trustee/committee.ts';
import type { Action } from '../letter/record.ts';
import { type Check, fail, pass } from '../result.ts';
import type { RosterMember } from '../roster/roster.ts';
import { openSealedName, sealedContext } from './sealed.ts';
import { type Point, type Random, decodePoint } from '../trustee/group.ts';
import type { Sealed } from '../trustee/seal.ts';
import { checkPartial, combinePartials, makePartial } from '../trustee/threshold.ts';

const hex32 = z.string().regex(/^[0-9a-f]{64}$/);
const decimal = z.string().regex(/^(0|[1-9][0-9]{0,77})$/);

export const RevealEntrySchema = z
  .object({
    kind: z.literal('reveal-partials'),
    letterId: hex32,
    committeeId: hex32,
    trustee: z.number().int().min(1),
    partials: z.array(z.object({ nullifier: decimal, D: hex32, proof: z.object({ c: hex32, s: hex32 }).strict() }).strict()),
    /** Schnorr signature by the trustee's transport key over the rest of the entry. */
    signature: z.object({ c: hex32, s: hex32 }).strict(),
  })
  .strict();
export type RevealEntry = z.infer<typeof RevealEntrySchema>;

export interface SealedRecord {
  /** Position of the record among the letter's records. */
  record: number;
  nullifier: string;
  sealed: Sealed;
}

/**
 * Rule 1: the sealed names to reveal — for each nullifier its latest action, when that is a sealed
 * support — in record order. `null` stands for a position that holds no signature record.
 */
export function sealedToReveal(records: readonly ({ nullifier: string; action: Action } | null)[]): SealedRecord[] {
  const latest = new Map<string, SealedRecord | null>();
  records.forEach((r, i) => {
    if (!r) return;
    latest.set(r.nullifier, r.action.action === 'support' && r.action.display === 'sealed' ? { record: i, nullifier: r.nullifier, sealed: r.action.sealed } : null);
  });
  return [...latest.values()].filter((s): s is SealedRecord => s !== null).sort((a, b) => a.record - b.record);
}

/** The signature records of a letter bundle, as `sealedToReveal` takes them. */
export function bundleSignatures(records: readonly { entry: { kind: string } }[]): ({ nullifier: string; action: Action } | null)[] {
  return records.map((r) => {
    const e = r.entry as { kind: string; record?: { action: Action; proof: { nullifier: string } } };
    return e.kind === 'signature' && e.record ? { nullifier: e.record.proof.nullifier, action: e.record.action } : null;
  });
}

export interface RevealResult {
  revealed: { record: number; nullifier: string; id: number; name: string }[];
  invalid: { record: number; nullifier: string; reason: string }[];
  stillSealed: number;
  misbehaving: { trustee: number; reason: string }[];
  trustees: number[];
}

export interface RevealInput {
  letterId: string;
  committeeId: string;
  k: number;
  publicShares: readonly Point[];
  transportKeys: readonly Point[];
  count: number;
  threshold: number;
  sealed: readonly SealedRecord[];
  entries: readonly RevealEntry[];
  byCommitment: ReadonlyMap<string, RosterMember>;
}

/**
 * The first and cheapest part of `checkRevealEntry`: the entry is for this letter and committee,
 * and signed by the trustee it names (one Schnorr verification; nothing about the sealed records).
 * A server runs it before anything costly, so an unsigned entry costs it almost nothing.
 */
export function checkRevealSigner(input: { letterId: string; committeeId: string; publicShares: readonly Point[]; transportKeys: readonly Point[] }, e: RevealEntry): Check<object> {
  if (e.letterId !== input.letterId || e.committeeId !== input.committeeId) return fail('bad_reveal', `trustee ${e.trustee}: partials for another letter or committee`);
  const Y = input.publicShares[e.trustee - 1];
  const E = input.transportKeys[e.trustee - 1];
  if (!Y || !E) return fail('bad_reveal', `trustee ${e.trustee} is not on the committee`);
  const { signature, ...body } = e;
  if (!trusteeVerify(E, 'reveal', body, signature)) return fail('unsigned_reveal', `an entry in the name of trustee ${e.trustee} is not signed by them`);
  return pass({});
}

/** Check one trustee's reveal entry; returns its partials as points by nullifier. */
export function checkRevealEntry(input: Omit<RevealInput, 'entries' | 'count' | 'threshold' | 'k' | 'byCommitment'>, e: RevealEntry): Check<{ D: Map<string, Point> }> {
  const signed = checkRevealSigner(input, e);
  if (!signed.ok) return signed;
  const Y = input.publicShares[e.trustee - 1];
  const wanted = new Map(input.sealed.map((s) => [s.nullifier, s]));
  if (e.partials.length !== wanted.size) return fail('bad_reveal', `trustee ${e.trustee}: partials must cover exactly the ${wanted.size} sealed signatures`);
  const out = new Map<string, Point>();
  for (const p of e.partials) {
    const s = wanted.get(p.nullifier);
    if (!s || out.has(p.nullifier)) return fail('bad_reveal', `trustee ${e.trustee}: a partial for a record that is not to be revealed`);
    const R = decodePoint(s.sealed.R, 'sealed R');
    if (!R.ok) return fail('bad_reveal', `record ${s.record}: ${R.reason}`);
    const c = checkPartial({ trustee: e.trustee, D: p.D, proof: p.proof }, Y, R.point, sealedContext(input.letterId, p.nullifier));
    if (!c.ok) return fail('bad_partial', `trustee ${e.trustee}'s partial decryption for record ${s.record} does not verify`);
    out.set(p.nullifier, c.D);
  }
  return pass({ D: out });
}

export function computeReveal(input: RevealInput): Check<{ result: RevealResult }> {
  const result: RevealResult = { revealed: [], invalid: [], stillSealed: input.sealed.length, misbehaving: [], trustees: [] };
  if (input.count < input.threshold || input.threshold === 0) {
    if (input.entries.length > 0) {
      return fail('reveal_below_threshold', `trustees published partial decryptions although the count (${input.count}) is below the reveal threshold (${input.threshold})`);
    }
    return pass({ result });
  }
  const valid: { trustee: number; D: Map<string, Point> }[] = [];
  for (const e of input.entries) {
    if (valid.some((v) => v.trustee === e.trustee)) continue;
    const c = checkRevealEntry(input, e);
    if (!c.ok) {
      // A forged (unsigned) entry blames nobody; a signed wrong one names its trustee.
      if (c.code !== 'unsigned_reveal') result.misbehaving.push({ trustee: e.trustee, reason: c.reason });
      continue;
    }
    if (valid.length < input.k) valid.push({ trustee: e.trustee, D: c.D });
  }
  if (valid.length < input.k) return pass({ result });
  result.trustees = valid.map((v) => v.trustee);
  result.stillSealed = 0;
  for (const s of input.sealed) {
    const shared = combinePartials(valid.map((v) => ({ trustee: v.trustee, D: v.D.get(s.nullifier)! })));
    const opened = openSealedName(s.sealed, shared, input.letterId, s.nullifier, input.byCommitment);
    if (opened.ok) result.revealed.push({ record: s.record, nullifier: s.nullifier, id: opened.signer.id, name: opened.signer.name });
    else result.invalid.push({ record: s.record, nullifier: s.nullifier, reason: `record ${s.record}: ${opened.reason}` });
  }
  result.revealed.sort((a, b) => a.id - b.id);
  return pass({ result });
}

/** A trustee's partial decryptions of every sealed record to be revealed. */
export function makeRevealEntry(
  args: { letterId: string; committeeId: string; trustee: number; share: bigint; publicShare: Point; transportSecret: bigint; sealed: readonly SealedRecord[] },
  random: Random,
): RevealEntry {
  const body: Omit<RevealEntry, 'signature'> = {
    kind: 'reveal-partials',
    letterId: args.letterId,
    committeeId: args.committeeId,
    trustee: args.trustee,
    partials: args.sealed.map((s) => {
      const R = decodePoint(s.sealed.R, 'sealed R');
      if (!R.ok) throw new Error(R.reason);
      const p = makePartial(args.trustee, args.share, args.publicShare, R.point, sealedContext(args.letterId, s.nullifier), random);
      return { nullifier: s.nullifier, D: p.D, proof: p.proof };
    }),
  };
  return { ...body, signature: trusteeSign(args.transportSecret, 'reveal', body, random) };
}
