/**
 * Messages between the trustee page and the trustee worker (trustee.worker.ts). The trustee's
 * secret is made or opened in the worker and stays there, in memory, until the page closes or
 * the trustee closes their file: the page only ever sees public values and the encrypted file.
 */
import type { TrusteeFile } from '../../core/trustee/trustee-file.ts';

/** What a duty is about: a letter (sealed names) or a ballot (its tally). */
export interface Subject {
  kind: 'letter' | 'ballot';
  id: string;
  title: string;
}

export interface LetterDuty {
  letterId: string;
  title: string;
  count: number;
  threshold: number;
  /** Sealed names that rule 1 would reveal (docs/protocol.md §11.3). */
  sealed: number;
  /** reveal: this trustee should publish; below: below the threshold, nothing will ever be decrypted; done: already published. */
  action: 'reveal' | 'below' | 'done';
}

export interface BallotDuty {
  ballotId: string;
  title: string;
  action: 'tally' | 'done';
}

export interface TrusteePlan {
  /** This trustee on the committee, or null when the file is not one of its trustees. */
  me: { index: number; name: string } | null;
  created: boolean;
  ready: boolean;
  /** The key generation step this trustee should take now. */
  dkg: 'deal' | 'respond' | null;
  /** Trustees the key generation waits for (not this one). */
  waitingFor: number[];
  failure: string | null;
  letters: LetterDuty[];
  ballots: BallotDuty[];
}

export type DutyEvent =
  | { kind: 'dealt' }
  | { kind: 'acked' }
  | { kind: 'complained'; dealers: number[] }
  | { kind: 'revealed'; subject: Subject; n: number }
  | { kind: 'tallied'; subject: Subject };

/**
 * `signed`: an entry the worker signed and is about to send; the page adds it to the trustee's
 * record of its own entries (src/core/trustee/own-entries.ts) before the answer to `run` arrives.
 */
export type TrusteeProgress = { stage: 'kdf' } | { stage: 'dkg' } | { stage: 'checking'; subject: Subject } | { stage: 'publishing'; subject: Subject } | { stage: 'signed'; entry: unknown };

export interface TrusteeCalls {
  /** A new trustee key from fresh randomness, sealed under the passphrase; the worker keeps it. */
  create: { in: { passphrase: string }; out: { file: TrusteeFile; transportKey: string } };
  /** Open a trustee file; with `expect`, only if it holds that key (the backup check), and without replacing the held key otherwise. */
  open: { in: { text: string; passphrase: string; expect?: string }; out: { transportKey: string } };
  /** Join the committee with an invitation code: the transport key and its proof of knowledge. */
  join: { in: { code: string }; out: { index: number; committeeCreated: boolean } };
  /** What this trustee would do now, read from the public log (nothing is published). */
  plan: { in: Record<string, never>; out: TrusteePlan };
  /** Do it: one key generation step, or every reveal and tally due (src/core/trustee/duties.ts). */
  run: { in: Record<string, never>; out: { events: DutyEvent[]; did: string[]; waiting: string | null } };
  /** Forget the key held in the worker. */
  forget: { in: Record<string, never>; out: Record<string, never> };
}
