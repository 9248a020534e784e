/**
 * Tampered procedure bundles (docs/bundle-format.md §9): the notice, the ballot, its votes, the
 * close's sums and the trustees' tally. As for letters (letter-cases.ts), plain edits are caught
 * by the log, and re-logged ones — a server with a log key of its own, rebuilding one log that
 * holds the bundle's and its notice's entries — reach the semantic checks, each case built to pass
 * every check before the one it targets.
 */
import type { ProcedureBundle } from '../../src/core/bundle/procedure-bundle.ts';
import type { Corpus } from './worlds.ts';
import { bump, entry, flipSignature, forgerKey, reclose, relogEntries, relogProcedure, recloseBallot } from './forge.ts';

export interface ProcedureCase {
  name: string;
  why: string;
  from: 'procedure';
  tamper: (b: ProcedureBundle, corpus: Corpus) => ProcedureBundle;
  code: string;
  where: string;
}

const clone = <T>(b: T): T => structuredClone(b);
const P = 'procedure' as const;

/** A forged vote, added after the honest ones (the close does not commit to it: step 8 comes first). */
const withVote = (b: ProcedureBundle, record: Corpus['forged']['voteTwoChoices']) => {
  b.votes.push({ index: 0, proof: [], entry: { kind: 'vote', ballotId: b.ballotId, record: clone(record) } });
  return relogProcedure(b);
};

export const procedureCases: ProcedureCase[] = [
  // --- plain edits ---------------------------------------------------------------------------------
  {
    name: 'procedure: format changed',
    why: '`format` is a literal: another version must not be read as this one.',
    from: P,
    tamper: (b) => ({ ...b, format: 'undersigned-procedure/2' as never }),
    code: 'bundle_malformed',
    where: 'bundle field format',
  },
  {
    name: 'procedure: checkpoint signature changed',
    why: 'The checkpoint no longer verifies under the log key.',
    from: P,
    tamper: (b) => ((b.log.checkpoint = flipSignature(b.log.checkpoint)), b),
    code: 'checkpoint_bad_signature',
    where: 'checkpoint:',
  },
  {
    name: 'procedure: a vote proof point changed',
    why: 'A vote is a log entry: its bytes are what the log holds.',
    from: P,
    tamper: (b) => {
      const p = entry(b.votes[2].entry, 'vote').record.proof;
      p.points[3] = bump(p.points[3]);
      return b;
    },
    code: 'not_in_log',
    where: 'vote 2',
  },
  {
    name: 'procedure: top-level ballot id changed',
    why: 'The bundle says it is about another ballot than the one opened.',
    from: P,
    tamper: (b) => ((b.ballotId = 'ab'.repeat(32)), b),
    code: 'ballot_id_mismatch',
    where: 'the ballot id is not the hash of the ballot',
  },
  {
    name: 'procedure: another procedure named',
    why: 'The decision rule is the ballot’s procedure, fixed in its id, not the one the bundle names.',
    from: P,
    tamper: (b) => ((b.procedure = 'uk-1922-confidence'), b),
    code: 'unknown_procedure',
    where: 'uk-1922-confidence',
  },
  {
    name: 'procedure: the notice left out',
    why: 'A leadership review needs its notice: without it nothing shows 20% asked for the ballot.',
    from: P,
    tamper: (b) => ((b.notice = null), b),
    code: 'notice_missing',
    where: 'notice letter',
  },
  {
    name: 'procedure: the notice signed by another log key',
    why: 'The notice and the ballot must be on one log.',
    from: P,
    tamper: (b) => ((b.notice!.log.verifierKey = forgerKey), b),
    code: 'notice_other_log',
    where: 'another log key',
  },
  {
    name: 'procedure: a roster name changed',
    why: 'The roster digest the ballot fixed binds names.',
    from: P,
    tamper: (b) => ((b.roster.members[1].name = 'Someone Else'), b),
    code: 'roster_digest_mismatch',
    where: 'roster:',
  },

  // --- re-logged: the ballot and its notice --------------------------------------------------------
  {
    name: 'procedure re-logged: the opened entry replaced by a vote',
    why: 'The ballot is read from a ballot-opened entry.',
    from: P,
    tamper: (b) => ((b.opened = clone(b.votes[0])), relogProcedure(b)),
    code: 'wrong_entry_kind',
    where: 'the ballot entries are of the wrong kind',
  },
  {
    name: 'procedure re-logged: the opened entry names another ballot id',
    why: 'The id in the opened entry must be the hash of the ballot it carries.',
    from: P,
    tamper: (b) => ((entry(b.opened.entry, 'ballot-opened').ballotId = 'ab'.repeat(32)), relogProcedure(b)),
    code: 'ballot_id_mismatch',
    where: 'the ballot id is not the hash of the ballot',
  },
  {
    name: 'procedure re-logged: the close is for another ballot',
    why: 'A close of another ballot cannot close this one.',
    from: P,
    tamper: (b) => ((entry(b.closed.entry, 'ballot-closed').ballotId = 'ab'.repeat(32)), relogProcedure(b)),
    code: 'ballot_id_mismatch',
    where: 'the ballot id is not the hash of the ballot',
  },
  {
    name: 'procedure re-logged: the notice re-closed with one signature, below its threshold',
    why: 'The verifier recomputes the threshold (20% of 8 is 2) from the notice it verifies, not from what the server enforced.',
    from: P,
    tamper: (b) => {
      const notice = b.notice!;
      notice.records.splice(1, 1);
      const closed = entry(notice.closed.entry, 'letter-closed');
      closed.result.named = closed.result.named.slice(0, 1);
      closed.result.count = 1;
      notice.result.count = 1;
      notice.result.named = notice.result.named.slice(0, 1);
      reclose(notice);
      return relogProcedure(b);
    },
    code: 'notice_below_threshold',
    where: 'the notice has 1 signatures; the procedure needs 2',
  },
  {
    name: 'procedure re-logged: the ballot opened before its notice closed',
    why: 'The ballot exists because the notice reached its threshold: it cannot come first.',
    from: P,
    tamper: (b) => {
      const n = b.notice!;
      b.log = n.log = relogEntries([...b.committee, b.opened, n.opened, ...n.records, n.closed, ...b.votes, b.closed, ...b.tally]);
      return b;
    },
    code: 'notice_not_closed',
    where: 'before its notice letter closed',
  },
  {
    name: 'procedure re-logged: the committee entries of another committee',
    why: 'Votes encrypted to an invented committee could be opened by whoever invented it.',
    from: P,
    tamper: (b, c) => ((b.committee = c.forged.otherCommittee.map((e) => ({ index: 0, proof: [], entry: clone(e) }))), relogProcedure(b)),
    code: 'committee_mismatch',
    where: 'another committee key',
  },

  {
    name: 'procedure re-logged: the committee-ready entry dropped',
    why: 'The committee is the one whose key generation the log shows completed, as for sealed letters.',
    from: P,
    tamper: (b) => (b.committee.pop(), relogProcedure(b)),
    code: 'committee_not_ready',
    where: 'completed key generation',
  },
  {
    name: 'procedure re-logged: a vote among the committee entries',
    why: 'Only committee events make a committee.',
    from: P,
    tamper: (b) => (b.committee.splice(1, 0, clone(b.votes[0])), relogProcedure(b)),
    code: 'wrong_entry_kind',
    where: 'a committee entry is not a committee event',
  },

  // --- re-logged: the votes ------------------------------------------------------------------------
  {
    name: 'procedure re-logged: a vote for another ballot',
    why: 'A vote counts on the ballot it names.',
    from: P,
    tamper: (b) => ((entry(b.votes[0].entry, 'vote').ballotId = 'ab'.repeat(32)), relogProcedure(b)),
    code: 'wrong_entry_kind',
    where: 'vote 0: not a vote on this ballot',
  },
  {
    name: 'procedure re-logged: a vote encrypting 2 (membership re-proven)',
    why: 'One ballot worth two votes: its option ciphertext holds 2, which no 0-or-1 proof covers.',
    from: P,
    tamper: (b, c) => withVote(b, c.forged.voteEncryptingTwo),
    code: 'bad_vote',
    where: 'vote 5: option 0 is not proven to be 0 or 1',
  },
  {
    name: 'procedure re-logged: 2 for one option and −1 for the other, with a valid sum proof (membership re-proven)',
    why: 'The sum is 1, so only the per-option 0-or-1 proofs stop a vote that moves two votes from one side to the other.',
    from: P,
    tamper: (b, c) => withVote(b, c.forged.voteTwoAndMinusOne),
    code: 'bad_vote',
    where: 'vote 5: option 0 is not proven to be 0 or 1',
  },
  {
    name: 'procedure re-logged: a vote for both options, each with a valid 0-or-1 proof (membership re-proven)',
    why: 'Each option is 0 or 1, so only the sum proof stops a vote for two options.',
    from: P,
    tamper: (b, c) => withVote(b, c.forged.voteTwoChoices),
    code: 'bad_vote',
    where: 'vote 5: the vote is not proven to choose exactly one option',
  },
  {
    name: 'procedure re-logged: a superseded vote dropped',
    why: 'Dropping member A’s first vote changes neither the sums nor the voters: only the vote set the close committed to shows it.',
    from: P,
    tamper: (b) => (b.votes.splice(0, 1), relogProcedure(b)),
    code: 'votes_set_mismatch',
    where: 'the votes differ from',
  },
  {
    name: 'procedure re-logged: two votes of different members swapped',
    why: 'The same votes in another order than the close committed to (the count is the same, the root is not).',
    from: P,
    tamper: (b) => (([b.votes[2], b.votes[3]] = [b.votes[3], b.votes[2]]), relogProcedure(b)),
    code: 'votes_set_mismatch',
    where: 'the votes differ from',
  },
  {
    name: 'procedure re-logged: the close commits to one more vote (root kept)',
    why: 'The close commits to the number of votes as well as to their root.',
    from: P,
    tamper: (b) => ((entry(b.closed.entry, 'ballot-closed').votes.size += 1), relogProcedure(b)),
    code: 'votes_set_mismatch',
    where: 'the votes differ from',
  },
  {
    name: 'procedure re-logged and re-closed: a revote replayed',
    why: 'The same vote twice: the copy’s seq does not follow the original’s.',
    from: P,
    tamper: (b) => (b.votes.push(clone(b.votes[1])), recloseBallot(b)),
    code: 'replay',
    where: 'vote 5: seq 2 does not follow seq 2',
  },

  // --- re-logged: the close and the tally ----------------------------------------------------------
  {
    name: 'procedure re-logged: the close’s sums swapped between the options',
    why: 'The trustees decrypt the sums the close states: they must be the sums of the latest votes, or yes and no change places.',
    from: P,
    tamper: (b) => {
      const s = entry(b.closed.entry, 'ballot-closed').sums;
      [s[0], s[1]] = [s[1], s[0]];
      return relogProcedure(b);
    },
    code: 'tally_mismatch',
    where: 'not the sums of the latest votes',
  },
  {
    name: 'procedure re-logged: the close states one voter more (sums kept)',
    why: 'The number of voters is recomputed from the votes, not taken from the close.',
    from: P,
    tamper: (b) => ((entry(b.closed.entry, 'ballot-closed').voters += 1), relogProcedure(b)),
    code: 'tally_mismatch',
    where: 'not the sums of the latest votes',
  },
  {
    name: 'procedure re-logged: a vote among the tally entries',
    why: 'Only tally-partials entries decrypt.',
    from: P,
    tamper: (b) => (b.tally.push(clone(b.votes[0])), relogProcedure(b)),
    code: 'wrong_entry_kind',
    where: 'a tally entry is not a tally-partials entry',
  },
];
