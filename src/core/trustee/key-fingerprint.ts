/**
 * The fingerprint of a trustee's transport key, for people to compare out of band (issue 13
 * item 3): each trustee reads the words of their own key aloud to the organizer and the other
 * trustees; members compare the words their letter page shows with what the trustees said.
 *
 * The words are taken from a tagged SHA-256 of the key, not from the key's bytes: a ristretto255
 * encoding is never "negative" (its first byte is always even), so raw bytes would waste half of
 * the first word, and hashing keeps a key ground to share its first bytes with another from
 * also sharing its words.
 *
 * Pure: no I/O.
 */
import { type Committee, committeeId } from './dkg.ts';
import { taggedHash } from '../encoding.ts';

/** A hex digest to show with fingerprintWords (src/core/fingerprint-words.ts). */
export function transportKeyFingerprint(transportKey: string): string {
  return taggedHash('undersigned/trustee-key-words/v1', transportKey);
}

export interface ListedTrustee {
  index: number;
  name: string;
  transportKey: string;
}

/**
 * The trustees of the committee `id` names, from its committee-created entry among `entries`
 * (as a server sent them: checked here): null when no such entry hashes to `id`. A letter's id
 * fixes its committee id, which fixes these keys: so the words shown are those of the letter.
 */
export function trusteesOfCommittee(entries: readonly unknown[], id: string): ListedTrustee[] | null {
  for (const e of entries) {
    const entry = e as { kind?: unknown; committeeId?: unknown; committee?: Committee };
    if (entry?.kind !== 'committee-created' || entry.committeeId !== id || !entry.committee) continue;
    let hashed: string;
    try {
      hashed = committeeId(entry.committee);
    } catch {
      continue;
    }
    if (hashed !== id || !Array.isArray(entry.committee.trustees)) continue;
    return entry.committee.trustees.map((t) => ({ index: t.index, name: t.name, transportKey: t.transportKey }));
  }
  return null;
}
