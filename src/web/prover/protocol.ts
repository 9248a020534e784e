/**
 * Messages between the pages and the prover worker (prover.worker.ts). Everything that touches
 * the identity secret or makes a proof runs in the worker: the page hands it the private key it
 * unlocked (hex) with each request and gets back only public values.
 */
import type { Ballot, VoteRecord } from '../../core/ballot/ballot.ts';
import type { IdentityFile, IdentityFileLabel } from '../../core/identity-file.ts';
import type { Letter } from '../../core/letter.ts';
import type { LogEntry } from '../../core/log/entry.ts';
import type { SignatureRecord } from '../../core/record.ts';
import type { RosterRef, RosterSnapshot } from '../../core/roster.ts';
import type { SemaphoreProof } from '../../core/semaphore.ts';
import type { Receipt } from '../api.ts';

export type LetterFields = Pick<Letter, 'title' | 'text' | 'recipient' | 'deadline' | 'revealThreshold' | 'visibility' | 'committee'>;

export interface ProverCalls {
  /** A new identity from fresh randomness, sealed under the passphrase. */
  'create-identity': { in: { passphrase: string; label: IdentityFileLabel }; out: { file: IdentityFile; privateKey: string; commitment: string } };
  /** Open a backup file: the private key (hex) and its commitment. */
  'open-identity': { in: { text: string; passphrase: string }; out: { privateKey: string; commitment: string; label: IdentityFileLabel } };
  /** The identity commitment of a private key. */
  commitment: { in: { privateKey: string }; out: { commitment: string } };
  /** A letter the server sent, checked: its id is the hash of its words and settings. */
  'check-letter': { in: { letterId: string; letter: unknown }; out: { letter: Letter } };
  /** This member's nullifier on a letter (to ask the server for their latest action). */
  nullifier: { in: { privateKey: string; letterId: string }; out: { nullifier: string } };
  /**
   * A signature record. A sealed one also takes the committee's log entries: the worker checks the
   * letter's committee key against them before sealing the name to it (never the server's word).
   */
  'prove-action': {
    in: {
      privateKey: string;
      letterId: string;
      letter: Letter;
      snapshot: RosterSnapshot;
      choice: { action: 'support' | 'withdraw'; display?: 'anonymous' | 'named' | 'sealed'; seq: number };
      committeeEntries?: unknown[];
    };
    out: { record: SignatureRecord; ms: number };
  };
  /** A proposal. A letter that takes sealed signatures also takes the committee's log entries (checked as for 'prove-action'). */
  'prove-proposal': {
    in: { privateKey: string; fields: LetterFields; snapshot: RosterSnapshot; ref: RosterRef; nonce: string; committeeEntries?: unknown[] };
    out: { letter: Letter; letterId: string; proposal: SemaphoreProof };
  };
  'prove-session': { in: { privateKey: string; snapshot: RosterSnapshot; ref: RosterRef; challenge: string }; out: { proof: SemaphoreProof } };
  /** A ballot the server sent, checked: its id is the hash of its question, options and settings. */
  'check-ballot': { in: { ballotId: string; ballot: unknown }; out: { ballot: Ballot } };
  /** This member's nullifier on a ballot (to ask the server whether they already voted). */
  'vote-nullifier': { in: { privateKey: string; ballotId: string }; out: { nullifier: string } };
  /**
   * A vote: the choice encrypted to the trustee committee (checked first against the committee
   * entries on the log), its 0-or-1 and exactly-one proofs, and the membership proof.
   */
  'prove-vote': {
    in: { privateKey: string; ballotId: string; ballot: Ballot; snapshot: RosterSnapshot; committeeEntries: unknown[]; choice: number; seq: number };
    out: { record: VoteRecord; ms: number };
  };
  /** Fetch the circuit of this depth and build the curve ahead of a proof (a member about to sign). */
  prepare: { in: { depth: number }; out: Record<string, never> };
  /** A receipt proves `entry` is in a log signed with `verifierKey`. */
  'check-receipt': { in: { receipt: Receipt; entry: LogEntry; verifierKey: string }; out: { size: number } };
}

export type Progress =
  | { stage: 'kdf' }
  | { stage: 'artifacts'; loaded: number; total: number }
  | { stage: 'proving' };
