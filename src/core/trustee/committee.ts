/**
 * The trustee committee as the public log records it (docs/protocol.md §10.6). Its life:
 *   committee-created  the roster of trustees and their transport keys (each with a proof of knowledge)
 *   dkg-contribution   one per trustee: Feldman commitments and shares sealed to each trustee,
 *                      signed (Schnorr, transport key) so nobody can deal in another's name
 *   dkg-ack | dkg-complaint  one per trustee: "my shares check out", or a complaint anyone can judge
 *   committee-ready    the key and public shares; anyone recomputes them from the entries above
 * `evaluateCommittee` replays those entries; the server and every verifier use it, so they agree.
 */
import { z } from 'zod';
import { taggedHash } from '../encoding.ts';
import { type Check, fail, pass } from '../result.ts';
import {
  type Committee,
  type CommitteeKey,
  CommitteeSchema,
  type Complaint,
  ComplaintSchema,
  type Contribution,
  ContributionSchema,
  checkCommittee,
  checkContribution,
  committeeId,
  committeeKey,
  encodeKey,
  judgeComplaint,
} from './dkg.ts';
import { type Point, type Random, decodePoint, mul, G } from './group.ts';
import { type SigmaProof, proveSchnorr, verifySchnorr } from './proofs.ts';

const hex32 = z.string().regex(/^[0-9a-f]{64}$/);
export const SigmaSchema = z.object({ c: hex32, s: hex32 }).strict();

export const CommitteeEntrySchemas = {
  created: z.object({ kind: z.literal('committee-created'), committeeId: hex32, committee: CommitteeSchema }).strict(),
  contribution: z.object({ kind: z.literal('dkg-contribution'), contribution: ContributionSchema, signature: SigmaSchema }).strict(),
  ack: z.object({ kind: z.literal('dkg-ack'), committeeId: hex32, trustee: z.number().int().min(1), signature: SigmaSchema }).strict(),
  /**
   * All of one trustee's complaints at once: a trustee responds once, with an ack or its complaints.
   * Signed by the accuser over the whole entry, so whoever logs it cannot drop one of them.
   */
  complaint: z
    .object({
      kind: z.literal('dkg-complaint'),
      committeeId: hex32,
      accuser: z.number().int().min(1),
      complaints: z.array(ComplaintSchema).min(1).max(50),
      signature: SigmaSchema,
    })
    .strict(),
  ready: z
    .object({
      kind: z.literal('committee-ready'),
      committeeId: hex32,
      publicKey: hex32,
      publicShares: z.array(hex32),
      qualified: z.array(z.number().int().min(1)),
    })
    .strict(),
};

export type CommitteeEntry =
  | z.infer<typeof CommitteeEntrySchemas.created>
  | z.infer<typeof CommitteeEntrySchemas.contribution>
  | z.infer<typeof CommitteeEntrySchemas.ack>
  | z.infer<typeof CommitteeEntrySchemas.complaint>
  | z.infer<typeof CommitteeEntrySchemas.ready>;

const signedContext = (what: string, body: unknown) => `undersigned/trustee-signed/v1|${what}|${taggedHash('undersigned/trustee-signed/v1', body)}`;

/**
 * A trustee's signature (Schnorr with its transport key) over an entry it makes. `what` is part of
 * the signed context, so a signature made for one kind of entry never verifies as another.
 */
export type SignedWhat = 'contribution' | 'ack' | 'complaint' | 'reveal' | 'tally';

export function trusteeSign(secret: bigint, what: SignedWhat, body: unknown, random: Random): SigmaProof {
  return proveSchnorr(secret, mul(G, secret), signedContext(what, body), random);
}

/** Check a trustee's signature with its transport key: an unsigned entry cannot blame anyone. */
export function trusteeVerify(transportKey: Point, what: SignedWhat, body: unknown, signature: SigmaProof): boolean {
  return verifySchnorr(transportKey, signature, signedContext(what, body)).ok;
}

/** The committee's transport keys, by trustee index − 1. */
export function transportKeys(committee: Committee): Point[] {
  return committee.trustees.map((t) => {
    const d = decodePoint(t.transportKey, 'transport key');
    if (!d.ok) throw new Error(d.reason);
    return d.point;
  });
}

function transportKey(committee: Committee, trustee: number): Point | null {
  const t = committee.trustees[trustee - 1];
  if (!t) return null;
  const d = decodePoint(t.transportKey, 'transport key');
  return d.ok ? d.point : null;
}

export interface CommitteeState {
  committee: Committee;
  id: string;
  contributions: Map<number, Contribution>;
  acks: Set<number>;
  complaints: Complaint[];
  disqualified: Set<number>;
  falseComplaints: number[];
  /** Trustees whose contribution is missing, then those whose ack or complaint is missing. */
  waitingFor: { contribution: number[]; response: number[] };
  key: CommitteeKey | null;
  failure: string | null;
}

/** Replay a committee's entries (in log order) and say where it stands. Invalid entries are refused. */
export function evaluateCommittee(entries: readonly CommitteeEntry[]): Check<{ state: CommitteeState }> {
  const first = entries[0];
  if (!first || first.kind !== 'committee-created') return fail('committee_missing', 'the committee-created entry is missing');
  const committee = first.committee;
  const id = committeeId(committee);
  if (first.committeeId !== id) return fail('committee_id_mismatch', 'the committee id is not the hash of the committee');
  const ok = checkCommittee(committee);
  if (!ok.ok) return ok;
  const state: CommitteeState = {
    committee,
    id,
    contributions: new Map(),
    acks: new Set(),
    complaints: [],
    disqualified: new Set(),
    falseComplaints: [],
    waitingFor: { contribution: [], response: [] },
    key: null,
    failure: null,
  };
  let readyEntry: z.infer<typeof CommitteeEntrySchemas.ready> | null = null;
  for (const [i, e] of entries.slice(1).entries()) {
    const where = `committee entry ${i + 1}`;
    switch (e.kind) {
      case 'committee-created':
        return fail('committee_twice', `${where}: a second committee-created entry`);
      case 'dkg-contribution': {
        const c = e.contribution;
        const E = transportKey(committee, c.dealer);
        if (!E || c.committeeId !== id) return fail('bad_contribution', `${where}: not a trustee of this committee`);
        if (state.contributions.has(c.dealer)) return fail('bad_contribution', `${where}: trustee ${c.dealer} dealt twice`);
        if (!verifySchnorr(E, e.signature, signedContext('contribution', c)).ok) return fail('bad_contribution', `${where}: not signed by trustee ${c.dealer}`);
        const checked = checkContribution(committee, c);
        if (!checked.ok) return fail(checked.code, `${where}: ${checked.reason}`);
        state.contributions.set(c.dealer, c);
        break;
      }
      case 'dkg-ack': {
        const E = transportKey(committee, e.trustee);
        if (!E || e.committeeId !== id) return fail('bad_ack', `${where}: not a trustee of this committee`);
        if (!verifySchnorr(E, e.signature, signedContext('ack', { committeeId: id, trustee: e.trustee })).ok) {
          return fail('bad_ack', `${where}: not signed by trustee ${e.trustee}`);
        }
        if (state.contributions.size < committee.n) return fail('bad_ack', `${where}: an ack before every trustee dealt`);
        state.acks.add(e.trustee);
        break;
      }
      case 'dkg-complaint': {
        const E = transportKey(committee, e.accuser);
        if (!E || e.committeeId !== id) return fail('bad_complaint', `${where}: not a trustee of this committee`);
        // Signed over the whole entry (docs/protocol.md §10.6): a complaint dropped, added or moved
        // after the accuser signed, or an entry logged in its name, no longer verifies.
        // (An entry from before complaints were signed, read from storage without its schema, has none.)
        const { signature, ...body } = e;
        if (!SigmaSchema.safeParse(signature).success || !trusteeVerify(E, 'complaint', body, signature)) return fail('unsigned_complaint', `${where}: a complaint entry in the name of trustee ${e.accuser} is not signed by them`);
        if (state.contributions.size < committee.n) return fail('bad_complaint', `${where}: a complaint before every trustee dealt`);
        if (state.acks.has(e.accuser) || state.complaints.some((c) => c.accuser === e.accuser)) return fail('bad_complaint', `${where}: trustee ${e.accuser} already responded`);
        for (const c of e.complaints) {
          const dealt = state.contributions.get(c.dealer);
          if (!dealt || c.committeeId !== id || c.accuser !== e.accuser) return fail('bad_complaint', `${where}: a complaint about a contribution that does not exist`);
          const verdict = judgeComplaint(committee, dealt, c);
          // A complaint whose DLEQ proof fails was not made by the accuser (it needs their secret): refuse it.
          if (!verdict.ok && verdict.code === 'bad_complaint') return fail('bad_complaint', `${where}: ${verdict.reason}`);
          if (verdict.ok) state.disqualified.add(c.dealer);
          else state.falseComplaints.push(c.accuser);
          state.complaints.push(c);
        }
        break;
      }
      case 'committee-ready':
        readyEntry = e;
        break;
    }
  }
  const all = committee.trustees.map((t) => t.index);
  state.waitingFor.contribution = all.filter((t) => !state.contributions.has(t));
  const responded = new Set([...state.acks, ...state.complaints.map((c) => c.accuser)]);
  state.waitingFor.response = state.waitingFor.contribution.length ? all : all.filter((t) => !responded.has(t));
  if (state.waitingFor.contribution.length === 0 && state.waitingFor.response.length === 0) {
    const key = committeeKey(committee, [...state.contributions.values()], state.disqualified);
    if (key.ok) state.key = key.key;
    else state.failure = key.reason;
  }
  if (readyEntry) {
    if (!state.key) return fail('committee_not_ready', 'a committee-ready entry before the key generation completed');
    const expected = encodeKey(state.key);
    if (
      readyEntry.committeeId !== id ||
      readyEntry.publicKey !== expected.publicKey ||
      readyEntry.publicShares.join() !== expected.publicShares.join() ||
      readyEntry.qualified.join() !== expected.qualified.join()
    ) {
      return fail('committee_key_mismatch', 'the committee-ready entry does not match the key the contributions give');
    }
  }
  return pass({ state });
}

const COMMITTEE_KINDS: ReadonlySet<string> = new Set(['committee-created', 'dkg-contribution', 'dkg-ack', 'dkg-complaint', 'committee-ready']);

/**
 * The committee a bundle's committee entries give (docs/bundle-format.md §4 step 11.2, §9 step 7):
 * committee events only, replayed by `evaluateCommittee`, ending with the committee-ready entry
 * that states the key. Letters and procedures both take their committee from here.
 */
export function committeeOfBundle(entries: readonly { kind: string }[]): Check<{ state: CommitteeState; key: CommitteeKey }> {
  if (entries.some((e) => !COMMITTEE_KINDS.has(e.kind))) return fail('wrong_entry_kind', 'a committee entry is not a committee event');
  const evaluated = evaluateCommittee(entries as CommitteeEntry[]);
  if (!evaluated.ok) return fail(evaluated.code, `committee: ${evaluated.reason}`);
  const { state } = evaluated;
  if (!state.key || entries[entries.length - 1]?.kind !== 'committee-ready') {
    return fail('committee_not_ready', 'the committee entries do not end with a completed key generation');
  }
  return pass({ state, key: state.key });
}

export type { Committee, Contribution, Complaint };
