/**
 * Entries on the log in a trustee's name that the trustee did not make (issue 13 item 3).
 *
 * A trustee keeps a record of what it made: the slot it joined (index and committee name, from
 * `POST /api/committee/slot`) and the digest of every entry it signed, written down *before* the
 * entry is sent (so a lost response never leaves a logged entry unrecorded). Watching the log
 * against that record catches:
 *   - slot_not_mine: the committee-created entry lists, in this trustee's slot, a transport key
 *     that is not its own. The join proof only shows that whoever put the key there knows its
 *     secret: an operator that invents the key passes every replay, and would then open the
 *     sealed names dealt to that slot. Only the trustee can tell the key is not theirs.
 *   - not_made_here: an entry in the trustee's name (dealer, accuser, trustee) whose digest is not
 *     in the record. `signedByMe` says which case it is: false, a forgery every replay refuses
 *     anyway (the operator is lying, the signature check does the rest); true, an entry made
 *     with this trustee's key somewhere else: the trustee file was copied, or used on another
 *     device. The record cannot tell those two apart; the trustee can.
 *   - made_twice: one entry in the trustee's name at two log indexes (a replay: a trustee never
 *     sends the same entry twice, each signature is fresh). Acks replay without failing the
 *     committee replay, so nothing else notices.
 * Entries before `since` (a record begun after the trustee had already acted) are judged for
 * slot_not_mine and made_twice only. What a record cannot catch: a log shown to this trustee
 * that differs from the one shown to members (a fork: the witnesses' job, and the fingerprint
 * words the trustees read aloud, ./key-fingerprint.ts); an entry withheld rather than forged.
 *
 * Pure: no I/O. The CLI keeps the record in a file next to the trustee file, the web app in the
 * browser's storage.
 */
import { z } from 'zod';
import { trusteeVerify, type SignedWhat } from './committee.ts';
import { taggedHash } from '../encoding.ts';
import { G, decodePoint, encodePoint, mul } from './group.ts';

const hex32 = z.string().regex(/^[0-9a-f]{64}$/);

export const OWN_RECORD_FORMAT = 'undersigned-trustee-own/1';

export const OwnRecordSchema = z
  .object({
    format: z.literal(OWN_RECORD_FORMAT),
    transportKey: hex32,
    /** The slot this trustee joined, when it joined with this record; null when the record began later. */
    slot: z.object({ index: z.number().int().min(1), committee: z.string().min(1) }).strict().nullable(),
    /** Log size when the record began: entries at lower indexes were made before it kept track. */
    since: z.number().int().min(0),
    /** entryDigest of every entry this trustee signed. */
    made: z.array(hex32),
  })
  .strict();
export type OwnRecord = z.infer<typeof OwnRecordSchema>;

export function newOwnRecord(transportKey: string, slot: OwnRecord['slot'], since: number): OwnRecord {
  return { format: OWN_RECORD_FORMAT, transportKey, slot, since, made: [] };
}

/** The record with one more entry made (a new object: the caller's record is left as it was). */
export function withMade(record: OwnRecord, entry: unknown): OwnRecord {
  const d = entryDigest(entry);
  return record.made.includes(d) ? record : { ...record, made: [...record.made, d] };
}

/** The transport key of a trustee secret, as the committee lists it. */
export function ownTransportKey(secret: bigint): string {
  return encodePoint(mul(G, secret));
}

export function entryDigest(entry: unknown): string {
  return taggedHash('undersigned/trustee-own-entry/v1', entry);
}

export type OwnAlarm =
  | { code: 'slot_not_mine'; index: number; slot: number; transportKey: string }
  | { code: 'not_made_here'; index: number; kind: string; signedByMe: boolean }
  | { code: 'made_twice'; index: number; kind: string; first: number };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The trustee index an entry is made in the name of, and how its signature is checked; null if none. */
function signer(e: Obj): { trustee: number; what: SignedWhat; body: unknown } | null {
  const { signature: _signature, ...rest } = e;
  switch (e.kind) {
    case 'dkg-contribution':
      return isObj(e.contribution) && typeof e.contribution.dealer === 'number' ? { trustee: e.contribution.dealer, what: 'contribution', body: e.contribution } : null;
    case 'dkg-ack':
      return typeof e.trustee === 'number' ? { trustee: e.trustee, what: 'ack', body: { committeeId: e.committeeId, trustee: e.trustee } } : null;
    case 'dkg-complaint':
      return typeof e.accuser === 'number' ? { trustee: e.accuser, what: 'complaint', body: rest } : null;
    case 'reveal-partials':
      return typeof e.trustee === 'number' ? { trustee: e.trustee, what: 'reveal', body: rest } : null;
    case 'tally-partials':
      return typeof e.trustee === 'number' ? { trustee: e.trustee, what: 'tally', body: rest } : null;
    default:
      return null;
  }
}

function signedBy(transportKey: string, what: SignedWhat, body: unknown, signature: unknown): boolean {
  const E = decodePoint(transportKey, 'transport key');
  if (!E.ok || !isObj(signature)) return false;
  try {
    return trusteeVerify(E.point, what, body, signature as { c: string; s: string });
  } catch {
    return false;
  }
}

/**
 * The alarms `entries` (the log, or any part of it, with each entry's log index) raise against a
 * trustee's record, in log order. Entries the trustee cannot judge (another trustee's, a member's,
 * hidden ones given as null) raise none.
 */
export function entriesNotMine(record: OwnRecord, entries: readonly { index: number; entry: unknown }[]): OwnAlarm[] {
  const alarms: OwnAlarm[] = [];
  const made = new Set(record.made);
  // Which slot is mine: the one I joined, else the one listing my key.
  let me = record.slot?.index ?? null;
  for (const { index, entry } of entries) {
    if (!isObj(entry) || entry.kind !== 'committee-created' || !isObj(entry.committee) || !Array.isArray(entry.committee.trustees)) continue;
    const trustees = entry.committee.trustees.filter(isObj);
    if (me === null) me = (trustees.find((t) => t.transportKey === record.transportKey)?.index as number | undefined) ?? null;
    const slot = trustees.find((t) => t.index === me);
    if (me !== null && slot && slot.transportKey !== record.transportKey) {
      alarms.push({ code: 'slot_not_mine', index, slot: me, transportKey: String(slot.transportKey) });
    }
  }
  if (me === null) return alarms;
  const seen = new Map<string, number>();
  for (const { index, entry } of entries) {
    if (!isObj(entry)) continue;
    const s = signer(entry);
    if (!s || s.trustee !== me) continue;
    const kind = String(entry.kind);
    const digest = entryDigest(entry);
    const first = seen.get(digest);
    if (first !== undefined) {
      alarms.push({ code: 'made_twice', index, kind, first });
      continue;
    }
    seen.set(digest, index);
    if (index >= record.since && !made.has(digest)) {
      alarms.push({ code: 'not_made_here', index, kind, signedByMe: signedBy(record.transportKey, s.what, s.body, entry.signature) });
    }
  }
  return alarms.sort((a, b) => a.index - b.index);
}

/** One line for a person, in English (the CLI's language): which entry, and what it claims. */
export function describeAlarm(a: OwnAlarm): string {
  switch (a.code) {
    case 'slot_not_mine':
      return `log entry ${a.index} (committee-created) lists transport key ${a.transportKey.slice(0, 16)}… for trustee ${a.slot}, your slot: it is not your key. Whoever holds it can open what is dealt or sealed to trustee ${a.slot}. Tell the organizer and the other trustees; do not let members sign sealed.`;
    case 'not_made_here':
      return a.signedByMe
        ? `log entry ${a.index} (${a.kind}) is in your name and signed with your key, but was not made with this trustee record: your trustee file was used elsewhere (another device, or a copy someone holds).`
        : `log entry ${a.index} (${a.kind}) is in your name but not signed with your key: a forgery (every client that replays the log refuses it; the server logged it anyway).`;
    case 'made_twice':
      return `log entry ${a.index} (${a.kind}) is a second copy of your entry at log index ${a.first}: you sent it once, the log replays it.`;
  }
}
