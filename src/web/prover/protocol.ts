/**
 * Messages between the pages and the prover worker (prover.worker.ts). Everything that touches
 * the identity secret or makes a proof runs in the worker: the page hands it the private key it
 * unlocked (hex) with each request and gets back only public values.
 */
import type { Ballot, VoteRecord } from '../../core/ballot/ballot.ts';
import type { IdentityFile, IdentityFileLabel } from '../../core/identity/identity-file.ts';
import type { Letter } from '../../core/letter/letter.ts';
import type { LogEntry } from '../../core/log/entry.ts';
import type { LogAnchor, LogView } from '../../core/member/witnessed-log.ts';
import type { SignatureRecord } from '../../core/letter/record.ts';
import type { RosterRef, RosterSnapshot } from '../../core/roster/roster.ts';
import type { SemaphoreProof } from '../../core/crypto/semaphore.ts';
import type { Receipt } from '../api.ts';

export type LetterFields = Pick<Letter, 'title' | 'text' | 'recipient' | 'deadline' | 'revealThreshold' | 'visibility' | 'committee' | 'witnesses'>;

/**
 * The committee's log entries with inclusion proofs against a checkpoint (as GET
 * /api/committee/proofs serves them, already found consistent with what this browser saw), and
 * what this device pinned: the worker accepts the committee only if checkCommitteeOnLog passes.
 */
export interface CommitteeOnLog {
  view: LogView;
  anchor: LogAnchor;
}

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
   * A signature record, on the letter as its opening on the witnessed log gives it (never the
   * server's word; the roster snapshot must match the roster that letter fixed). A sealed one also takes the committee on the witnessed log: the worker
   * checks the checkpoint's cosignatures, the entries' inclusion, the letter's committee key
   * against them and the letter's witness policy against the pinned one before sealing the name
   * (never the server's word).
   */
  'prove-action': {
    in: {
      privateKey: string;
      letterId: string;
      /** The letter's opening on the witnessed log: the worker signs only the letter it finds there. */
      opened: CommitteeOnLog;
      snapshot: RosterSnapshot;
      choice: { action: 'support' | 'withdraw'; display?: 'anonymous' | 'named' | 'sealed'; seq: number };
      committee?: CommitteeOnLog;
    };
    out: { record: SignatureRecord; ms: number };
  };
  /** A proposal. A letter that takes sealed signatures also takes the committee on the witnessed log (checked as for 'prove-action'). */
  'prove-proposal': {
    in: { privateKey: string; fields: LetterFields; snapshot: RosterSnapshot; ref: RosterRef; nonce: string; committee?: CommitteeOnLog };
    out: { letter: Letter; letterId: string; proposal: SemaphoreProof };
  };
  'prove-session': { in: { privateKey: string; snapshot: RosterSnapshot; ref: RosterRef; challenge: string }; out: { proof: SemaphoreProof } };
  /** A ballot the server sent, checked: its id is the hash of its question, options and settings. */
  'check-ballot': { in: { ballotId: string; ballot: unknown }; out: { ballot: Ballot } };
  /** This member's nullifier on a ballot (to ask the server whether they already voted). */
  'vote-nullifier': { in: { privateKey: string; ballotId: string }; out: { nullifier: string } };
  /**
   * A vote: the choice encrypted to the trustee committee (checked first on the witnessed log, as
   * for a sealed signature; not needed for a recorded ballot), its 0-or-1 and exactly-one proofs,
   * and the membership proof.
   */
  'prove-vote': {
    /** `opened`: the ballot's opening on the witnessed log; the worker votes only on the ballot it finds there. */
    in: { privateKey: string; ballotId: string; opened: CommitteeOnLog; snapshot: RosterSnapshot; committee?: CommitteeOnLog; choice: number; seq: number };
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
