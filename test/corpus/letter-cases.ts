/**
 * Tampered letter bundles: each case is a pure function of a good bundle (and of the forgeries
 * that need a secret, made once in worlds.ts), with why it must fail and the code and place the
 * verifier must report. Two kinds of tampering:
 *   - plain: someone edits the file. Every logged entry is then caught by its inclusion proof
 *     (step 3), so these cases mostly exercise steps 1–3, 5, 6 and 10.
 *   - re-logged: a malicious server that controls its own log key rebuilds a log holding exactly
 *     the bundle's entries and signs a fresh checkpoint, so the bundle is self-consistent as a log.
 *     These cases reach the semantic checks (steps 4–11). Pinning the real verifier key stops them
 *     all at step 2 (test/bad-bundles.test.ts asserts it).
 * Where a check's expected failure would be caught by an earlier check, a case is built to pass
 * every earlier one (issue #18: every check has a case that reaches it).
 */
import type { Bundle } from '../../src/core/bundle/bundle.ts';
import { letterId as computeLetterId } from '../../src/core/letter/letter.ts';
import type { Corpus } from './worlds.ts';
import { bump, editCheckpointLine, entry, flipSignature, forgerKey, reclose, relog, relogEntries } from './forge.ts';

export interface LetterCase {
  name: string;
  /** Why the verifier must refuse it (written to the manifest). */
  why: string;
  /** Which good bundle it starts from. */
  from: 'letter' | 'sealed';
  tamper: (b: Bundle, corpus: Corpus) => Bundle;
  code: string;
  /** A fragment of the reason: where the verifier saw the problem. */
  where: string;
}

const clone = <T>(b: T): T => structuredClone(b);
const L = 'letter' as const;

export const letterCases: LetterCase[] = [
  // --- step 1: shape -------------------------------------------------------------------------
  {
    name: 'format changed',
    why: '`format` is a literal: another version must not be read as this one.',
    from: L,
    tamper: (b) => ({ ...b, format: 'undersigned-bundle/2' as never }),
    code: 'bundle_malformed',
    where: 'bundle field format',
  },
  {
    name: 'unknown field added at top level',
    why: 'The schema is strict: a field the verifier does not know might carry a meaning it ignores.',
    from: L,
    tamper: (b) => ({ ...b, comment: 'trust me' }) as Bundle,
    code: 'bundle_malformed',
    where: 'bundle field (root)',
  },

  {
    name: 'a lone surrogate in a roster name',
    why: 'JSON can carry a lone surrogate, canonical JSON (how entries are hashed) cannot.',
    from: L,
    tamper: (b) => ((b.roster.members[0].name = 'Member \uD800'), b),
    code: 'bundle_malformed',
    where: 'UTF-16',
  },

  // --- step 2: the checkpoint ----------------------------------------------------------------
  {
    name: 'checkpoint signature changed',
    why: 'One character of the Ed25519 signature changes: it no longer verifies under the log key.',
    from: L,
    tamper: (b) => ((b.log.checkpoint = flipSignature(b.log.checkpoint)), b),
    code: 'checkpoint_bad_signature',
    where: 'checkpoint:',
  },
  {
    name: 'checkpoint body changed (size)',
    why: 'A bigger tree size is not what the log key signed.',
    from: L,
    tamper: (b) => ((b.log.checkpoint = editCheckpointLine(b.log.checkpoint, 1, (s) => String(Number(s) + 1))), b),
    code: 'checkpoint_bad_signature',
    where: 'checkpoint:',
  },
  {
    name: 'checkpoint body changed (root)',
    why: 'Another root hash is not what the log key signed.',
    from: L,
    tamper: (b) => ((b.log.checkpoint = editCheckpointLine(b.log.checkpoint, 2, () => Buffer.alloc(32, 7).toString('base64'))), b),
    code: 'checkpoint_bad_signature',
    where: 'checkpoint:',
  },
  {
    name: 'verifier key swapped without re-signing',
    why: 'The bundle names another key than the one that signed the checkpoint.',
    from: L,
    tamper: (b) => ((b.log.verifierKey = forgerKey), b),
    code: 'checkpoint_unknown_key',
    where: 'checkpoint:',
  },

  // --- step 3: every entry is in the log, in order ---------------------------------------------
  {
    name: 'letter text changed',
    why: 'The opened entry\'s bytes change, so its leaf hash is not the one logged.',
    from: L,
    tamper: (b) => ((entry(b.opened.entry, 'letter-opened').letter.text += ' And resign.'), b),
    code: 'not_in_log',
    where: 'opened entry',
  },
  {
    name: 'letter title changed',
    why: 'The opened entry\'s bytes change, so its leaf hash is not the one logged.',
    from: L,
    tamper: (b) => ((entry(b.opened.entry, 'letter-opened').letter.title = 'A vote of confidence'), b),
    code: 'not_in_log',
    where: 'opened entry',
  },
  {
    name: 'a proof point changed',
    why: 'A record\'s proof is part of its log entry.',
    from: L,
    tamper: (b) => {
      const p = entry(b.records[2].entry, 'signature').record.proof;
      p.points[3] = bump(p.points[3]);
      return b;
    },
    code: 'not_in_log',
    where: 'record 2',
  },
  {
    name: 'a proof nullifier changed',
    why: 'A record\'s public signals are part of its log entry.',
    from: L,
    tamper: (b) => {
      const p = entry(b.records[2].entry, 'signature').record.proof;
      p.nullifier = bump(p.nullifier);
      return b;
    },
    code: 'not_in_log',
    where: 'record 2',
  },
  {
    name: 'close entry result changed',
    why: 'The close (count, named) is logged: it cannot be edited to agree with a claimed result.',
    from: L,
    tamper: (b) => ((entry(b.closed.entry, 'letter-closed').result.count += 1), b),
    code: 'not_in_log',
    where: 'closed entry',
  },
  {
    name: 'inclusion proof hash altered',
    why: 'The inclusion path no longer leads to the signed root.',
    from: L,
    tamper: (b) => ((b.records[2].proof[0] = b.records[2].proof[0].replace(/^./, (c) => (c === '0' ? '1' : '0'))), b),
    code: 'not_in_log',
    where: 'record 2',
  },
  {
    name: 'entry index changed (opened entry moved back one)',
    why: 'The same entry and path at another position lead elsewhere.',
    from: L,
    tamper: (b) => ((b.opened.index -= 1), b),
    code: 'not_in_log',
    where: 'opened entry',
  },
  {
    name: 'entry index changed (closed entry beyond the tree)',
    why: 'The close is the last entry: one further is beyond the tree.',
    from: L,
    tamper: (b) => ((b.closed.index += 1), b),
    code: 'not_in_log',
    where: 'closed entry',
  },
  {
    name: 'entry index changed (record 0 onto the opened entry)',
    why: 'Record 0 claims the opened entry\'s position: order is checked before inclusion.',
    from: L,
    tamper: (b) => ((b.records[0].index = b.opened.index), b),
    code: 'entries_out_of_order',
    where: 'record 0',
  },
  {
    name: 'a record duplicated',
    why: 'The same logged record twice: the copy is not after the original.',
    from: L,
    tamper: (b) => (b.records.splice(3, 0, clone(b).records[2]), b),
    code: 'entries_out_of_order',
    where: 'record 3',
  },
  {
    name: 'two records swapped',
    why: 'Swapped records are out of log order.',
    from: L,
    tamper: (b) => (([b.records[1], b.records[2]] = [b.records[2], b.records[1]]), b),
    code: 'entries_out_of_order',
    where: 'record 2',
  },

  // --- step 4: the letter and its id -----------------------------------------------------------
  {
    name: 'top-level letter id changed',
    why: 'The bundle says it is about another letter than the one opened.',
    from: L,
    tamper: (b) => ((b.letterId = 'ab'.repeat(32)), b),
    code: 'letter_id_mismatch',
    where: 'letter id',
  },

  // --- step 5: verification key --------------------------------------------------------------
  {
    name: 'verification key digest changed',
    why: 'Proofs would be checked against a key the verifier does not hold.',
    from: L,
    tamper: (b) => ((b.verificationKey.sha256 = '00'.repeat(32)), b),
    code: 'verification_key_mismatch',
    where: 'depth',
  },
  {
    name: 'verification key depth changed',
    why: 'Proofs would be checked against another depth\'s key than the letter fixed.',
    from: L,
    tamper: (b) => ((b.verificationKey.depth += 1), b),
    code: 'verification_key_mismatch',
    where: 'depth',
  },

  // --- step 6: the roster --------------------------------------------------------------------
  {
    name: 'a roster name changed',
    why: 'The digest binds names: a signer cannot be shown under another name.',
    from: L,
    tamper: (b) => ((b.roster.members[1].name = 'Someone Else'), b),
    code: 'roster_digest_mismatch',
    where: 'roster:',
  },
  {
    name: 'a roster commitment changed',
    why: 'The digest binds commitments to names.',
    from: L,
    tamper: (b) => ((b.roster.members[4].commitment = bump(b.roster.members[4].commitment!)), b),
    code: 'roster_digest_mismatch',
    where: 'roster:',
  },
  {
    name: 'a roster member dropped',
    why: 'M is the roster the letter fixed; a shorter roster would change "N of M".',
    from: L,
    tamper: (b) => (b.roster.members.splice(5, 1), b),
    code: 'roster_digest_mismatch',
    where: 'roster:',
  },
  {
    name: 'roster leaf count inflated beyond any roster (refused before any tree is built)',
    why: 'A leaf count the letter\'s tree depth cannot hold is refused before the tree is built.',
    from: L,
    tamper: (b) => ((b.roster.leafCount = 2 ** 31 - 1), b),
    code: 'bundle_malformed',
    where: 'roster.leafCount',
  },
  {
    name: 'roster leaf count inflated within bounds but beyond the letter depth',
    why: 'A roster of 2^20 leaves does not fit the letter\'s tree depth.',
    from: L,
    tamper: (b) => ((b.roster.leafCount = 2 ** 20), b),
    code: 'roster_size_mismatch',
    where: 'roster:',
  },

  // --- step 9: the record set ----------------------------------------------------------------
  {
    name: 'a record dropped',
    why: 'Dropping a withdraw would raise the count; the close committed to 5 records.',
    from: L,
    tamper: (b) => (b.records.splice(3, 1), b),
    code: 'records_set_mismatch',
    where: 'the close committed to 5 records; the bundle holds 4',
  },

  // --- step 10: the result -------------------------------------------------------------------
  {
    name: 'claimed count changed',
    why: 'The bundle\'s stated count must be the one the records give.',
    from: L,
    tamper: (b) => ((b.result.count += 1), b),
    code: 'result_mismatch',
    where: 'the bundle claims 4 signatures; the records give 3',
  },
  {
    name: 'claimed rosterSize changed',
    why: 'M is the roster size the letter fixed.',
    from: L,
    tamper: (b) => ((b.result.rosterSize -= 1), b),
    code: 'result_mismatch',
    where: 'roster of 7',
  },
  {
    name: 'claimed named list changed',
    why: 'Naming someone who signed anonymously (or not at all) is exactly what must not happen.',
    from: L,
    tamper: (b) => (b.result.named.push('Member A'), b),
    code: 'result_mismatch',
    where: 'named signers',
  },

  // --- a server with its own log key: self-consistent logs, semantic checks ---------------------
  {
    name: 're-logged: letter text changed',
    why: 'The log is consistent now, but the letter no longer hashes to its id.',
    from: L,
    tamper: (b) => ((entry(b.opened.entry, 'letter-opened').letter.text += ' And resign.'), relog(b)),
    code: 'letter_id_mismatch',
    where: 'the letter id is not the hash of the letter',
  },
  {
    name: 're-logged: letter title changed and every id rewritten',
    why: 'Even with every id rewritten to the new letter\'s, the proposal proof is for the old id.',
    from: L,
    tamper: (b) => {
      const opened = entry(b.opened.entry, 'letter-opened');
      opened.letter.title = 'A vote of confidence';
      const id = computeLetterId(opened.letter);
      b.letterId = opened.letterId = entry(b.closed.entry, 'letter-closed').letterId = id;
      for (const r of b.records) entry(r.entry, 'signature').letterId = id;
      return reclose(b);
    },
    code: 'bad_proposal',
    where: 'proposal',
  },
  {
    name: 're-logged: a proof point changed',
    why: 'The zero-knowledge proof itself fails.',
    from: L,
    tamper: (b) => {
      const p = entry(b.records[2].entry, 'signature').record.proof;
      p.points[3] = bump(p.points[3]);
      return reclose(b);
    },
    code: 'bad_proof',
    where: 'record 2',
  },
  {
    name: 're-logged: a proof nullifier changed',
    why: 'Another nullifier is another signer: the proof\'s public signals no longer match.',
    from: L,
    tamper: (b) => {
      const p = entry(b.records[2].entry, 'signature').record.proof;
      p.nullifier = bump(p.nullifier);
      return reclose(b);
    },
    code: 'bad_proof',
    where: 'record 2',
  },
  {
    name: 're-logged: the nullifier of the named record changed',
    why: 'A named signature binds its nullifier: moving the name onto another nullifier breaks it (caught before the proof is even checked).',
    from: L,
    tamper: (b) => {
      const p = entry(b.records[1].entry, 'signature').record.proof;
      p.nullifier = bump(p.nullifier);
      return reclose(b);
    },
    code: 'named_bad_signature',
    where: 'record 1',
  },
  {
    name: 're-logged: a withdraw turned into a support',
    why: 'The proof committed to `withdraw`: the action cannot be flipped to support.',
    from: L,
    tamper: (b) => {
      const rec = entry(b.records[3].entry, 'signature').record;
      rec.action = { format: 'undersigned-action/1', letterId: rec.action.letterId, action: 'support', display: 'anonymous', seq: rec.action.seq };
      return reclose(b);
    },
    code: 'wrong_message',
    where: 'record 3',
  },
  {
    name: 're-logged: a record moved to another letter id',
    why: 'A record of this letter\'s shape that names another letter.',
    from: L,
    tamper: (b) => ((entry(b.records[0].entry, 'signature').letterId = 'cd'.repeat(32)), reclose(b)),
    code: 'wrong_entry_kind',
    where: 'record 0',
  },
  {
    name: 're-logged: a record dropped',
    why: 'Without re-committing the close, a dropped record is still caught by the records root...',
    from: L,
    tamper: (b) => (b.records.splice(3, 1), relog(b)),
    code: 'records_set_mismatch',
    where: 'the close committed to 5 records; the bundle holds 4',
  },
  {
    name: 're-logged and re-closed: the re-sign dropped',
    why: '...and with the close\'s record set re-committed too, its stated result still gives it away: without the re-sign the records give 2 signatures, the close says 3.',
    from: L,
    tamper: (b) => (b.records.splice(4, 1), reclose(b)),
    code: 'result_mismatch',
    where: 'the close entry states 3 signatures; the records give 2',
  },
  {
    name: 're-logged: a record added (a duplicate of record 0)',
    why: 'A duplicate of a record, logged at its own position with its own valid inclusion proof: the close committed to another set.',
    from: L,
    tamper: (b) => (b.records.push(clone(b).records[0]), relog(b)),
    code: 'records_set_mismatch',
    where: 'the close committed to 5 records; the bundle holds 6',
  },
  {
    name: 're-logged and re-closed: a record added (a duplicate of record 0)',
    why: 'With the close re-committed as well, every record verifies on its own and the set matches: the count itself refuses the copy, whose seq does not follow the original\'s.',
    from: L,
    tamper: (b) => (b.records.push(clone(b).records[0]), reclose(b)),
    code: 'replay',
    where: 'record 5: seq 1 does not follow seq 1',
  },
  {
    name: 're-logged: two records swapped',
    why: 'Records in another order than the close committed to.',
    from: L,
    tamper: (b) => (([b.records[0], b.records[1]] = [b.records[1], b.records[0]]), relog(b)),
    code: 'records_set_mismatch',
    where: 'another order',
  },
  {
    name: 're-logged and re-closed: a withdraw swapped with the re-sign',
    why: 'Reordering one signer\'s actions (withdraw before the re-sign... here: re-sign before withdraw) is a replay in log order, whatever the close says.',
    from: L,
    tamper: (b) => (([b.records[3], b.records[4]] = [b.records[4], b.records[3]]), reclose(b)),
    code: 'replay',
    where: 'record 4: seq 2 does not follow seq 3',
  },
  {
    name: 're-logged: close entry result changed',
    why: 'The close\'s stated result disagrees with the records.',
    from: L,
    tamper: (b) => ((entry(b.closed.entry, 'letter-closed').result.count += 1), relog(b)),
    code: 'result_mismatch',
    where: 'the close entry states 4 signatures; the records give 3',
  },
  {
    name: 're-logged: close entry named list changed',
    why: 'The close names someone the records do not name.',
    from: L,
    tamper: (b) => (entry(b.closed.entry, 'letter-closed').result.named.push('Member C'), relog(b)),
    code: 'result_mismatch',
    where: 'the close entry names other signers',
  },

  // --- added for issue #18: a case for every check, each passing every earlier check -----------
  {
    name: 're-logged: the opened entry replaced by a record',
    why: 'Step 4 reads the letter from the opened entry: it must be a letter-opened entry.',
    from: L,
    tamper: (b) => ((b.opened = clone(b.records[0])), relog(b)),
    code: 'wrong_entry_kind',
    where: 'opened entry is not a letter-opened entry',
  },
  {
    name: 're-logged: the closed entry replaced by a record',
    why: 'The result is read from the closed entry: it must be a letter-closed entry.',
    from: L,
    tamper: (b) => ((b.closed = clone(b.records[0])), relog(b)),
    code: 'wrong_entry_kind',
    where: 'closed entry is not a letter-closed entry',
  },
  {
    name: 're-logged: the opened entry names another letter id',
    why: 'The letter id in the opened entry must be the hash of the letter it carries.',
    from: L,
    tamper: (b) => ((entry(b.opened.entry, 'letter-opened').letterId = 'ab'.repeat(32)), relog(b)),
    code: 'letter_id_mismatch',
    where: 'the letter id is not the hash of the letter',
  },
  {
    name: 're-logged: the close is for another letter',
    why: 'A close of another letter cannot close this one.',
    from: L,
    tamper: (b) => ((entry(b.closed.entry, 'letter-closed').letterId = 'ab'.repeat(32)), relog(b)),
    code: 'letter_id_mismatch',
    where: 'the close entry is for another letter',
  },
  {
    name: 're-logged: the proposal proof points changed (root, scope and message kept)',
    why: 'The proposal is a membership proof: its public signals all match, so only the proof check itself refuses it.',
    from: L,
    tamper: (b) => {
      const p = entry(b.opened.entry, 'letter-opened').proposal;
      p.points[3] = bump(p.points[3]);
      return relog(b);
    },
    code: 'bad_proposal',
    where: 'proposal',
  },
  {
    name: 're-logged: the proposal proven by a member of another roster',
    why: 'A valid membership proof, for this letter, by someone outside the roster the letter fixed.',
    from: L,
    tamper: (b, c) => ((entry(b.opened.entry, 'letter-opened').proposal = clone(c.forged.proposal.otherRoster)), relog(b)),
    code: 'bad_proposal',
    where: 'proposal',
  },
  {
    name: 're-logged: the proposal proven with another depth’s circuit',
    why: 'A valid proof on the right root, scope and message, but not at the tree depth the letter fixed.',
    from: L,
    tamper: (b, c) => ((entry(b.opened.entry, 'letter-opened').proposal = clone(c.forged.proposal.otherDepth)), relog(b)),
    code: 'bad_proposal',
    where: 'proposal',
  },
  {
    name: 're-logged: the proposal proven under another scope',
    why: 'A valid proof by a member, committing to proposing this letter, but scoped as a signature of it.',
    from: L,
    tamper: (b, c) => ((entry(b.opened.entry, 'letter-opened').proposal = clone(c.forged.proposal.otherScope)), relog(b)),
    code: 'bad_proposal',
    where: 'proposal',
  },
  {
    name: 're-logged: the proposal proven over another message',
    why: 'A valid proof by a member in the proposal scope, committing to something else than proposing this letter.',
    from: L,
    tamper: (b, c) => ((entry(b.opened.entry, 'letter-opened').proposal = clone(c.forged.proposal.otherMessage)), relog(b)),
    code: 'bad_proposal',
    where: 'proposal',
  },
  {
    name: 're-logged: a record proven on the letter root with another scope (a second nullifier for one member)',
    why: 'Double signing: a valid proof on the letter’s own roster and action, scoped elsewhere, would give its member a fresh nullifier.',
    from: L,
    tamper: (b, c) => (b.records.push({ index: 0, proof: [], entry: { kind: 'signature', letterId: b.letterId, record: clone(c.forged.foreignScopeRecord) } }), relog(b)),
    code: 'wrong_scope',
    where: 'record 5',
  },
  {
    name: 're-logged: a record by a member of another roster',
    why: 'A valid membership proof for this letter’s scope and action, but not on the roster the letter fixed.',
    from: L,
    tamper: (b, c) => (b.records.push({ index: 0, proof: [], entry: { kind: 'signature', letterId: b.letterId, record: clone(c.forged.records.otherRoster) } }), relog(b)),
    code: 'wrong_root',
    where: 'record 5',
  },
  {
    name: 're-logged: a record proven with another depth’s circuit',
    why: 'A record must use the tree depth the letter fixed.',
    from: L,
    tamper: (b, c) => (b.records.push({ index: 0, proof: [], entry: { kind: 'signature', letterId: b.letterId, record: clone(c.forged.records.otherDepth) } }), relog(b)),
    code: 'wrong_depth',
    where: 'record 5',
  },
  {
    name: 're-logged: a record whose action names another letter (membership re-proven)',
    why: 'A record signs the letter its action names; logged under this letter, it is not a signature of it.',
    from: L,
    tamper: (b, c) => (b.records.push({ index: 0, proof: [], entry: { kind: 'signature', letterId: b.letterId, record: clone(c.forged.records.otherLetter) } }), relog(b)),
    code: 'wrong_letter',
    where: 'record 5',
  },
  {
    name: 're-logged: a sealed record on a letter without a committee',
    why: 'A letter without a trustee committee takes no sealed signature: nobody it fixed could ever open it.',
    from: L,
    tamper: (b, c) => (b.records.push({ index: 0, proof: [], entry: { kind: 'signature', letterId: b.letterId, record: clone(c.forged.records.sealedWithoutCommittee) } }), relog(b)),
    code: 'sealed_without_committee',
    where: 'record 5',
  },
  {
    name: 're-logged: the close commits to one more record (root kept)',
    why: 'The close commits to the number of records as well as to their root.',
    from: L,
    tamper: (b) => ((entry(b.closed.entry, 'letter-closed').records.size += 1), relog(b)),
    code: 'records_set_mismatch',
    where: 'the close committed to 6 records; the bundle holds 5',
  },
  {
    name: 'sealed results claimed for a letter without a committee',
    why: 'A letter that takes no sealed signatures has no sealed result.',
    from: L,
    tamper: (b) => ((b.result.sealed = { total: 0, revealed: 0, stillSealed: 0, invalid: [], status: 'none' }), b),
    code: 'result_mismatch',
    where: 'takes no sealed signatures',
  },
  {
    name: 're-logged: the close entry copied among the records',
    why: 'Only signature entries are records, even one that names this letter.',
    from: L,
    tamper: (b) => (b.records.push(clone(b.closed)), relog(b)),
    code: 'wrong_entry_kind',
    where: 'record 5: not a signature on this letter',
  },
  {
    name: 'revealed names claimed for a letter without a committee',
    why: 'A letter that takes no sealed signatures reveals no name.',
    from: L,
    tamper: (b) => ((b.result.revealed = []), b),
    code: 'result_mismatch',
    where: 'takes no sealed signatures',
  },
  {
    name: 're-logged: committee entries on a letter without a committee',
    why: 'Trustee entries in a bundle of a letter that fixed no committee are refused, not ignored.',
    from: L,
    tamper: (b, c) => ((b.committee = clone(c.sealed.committee!)), relog(b)),
    code: 'unexpected_committee',
    where: 'without a committee',
  },

  // --- sealed letters (step 11) ------------------------------------------------------------------
  {
    name: 'sealed: claimed revealed names changed',
    why: 'The revealed names are the ones the trustees’ partials open, not what the bundle says.',
    from: 'sealed',
    tamper: (b) => ((b.result.revealed = [...b.result.revealed!].reverse().slice(1)), b),
    code: 'result_mismatch',
    where: 'other revealed names',
  },
  {
    name: 'sealed: claimed sealed summary changed',
    why: 'The sealed summary is recomputed from the records and reveals.',
    from: 'sealed',
    tamper: (b) => ((b.result.sealed!.stillSealed += 1), b),
    code: 'result_mismatch',
    where: 'sealed summary',
  },
  {
    name: 'sealed re-logged: a sealed name bound to another nullifier',
    why: 'A sealed name is bound to its record’s letter and nullifier, so that it cannot be copied into another record.',
    from: 'sealed',
    tamper: (b, c) => (b.records.push({ index: 0, proof: [], entry: { kind: 'signature', letterId: b.letterId, record: clone(c.forged.sealedForAnotherNullifier) } }), reclose(b)),
    code: 'bad_sealed',
    where: 'record 3',
  },
  {
    name: 'sealed re-logged: the committee entries of another committee',
    why: 'An invented key generation (another committee, its own key) is not the committee the letter fixed: the sealed names would be open to whoever made it.',
    from: 'sealed',
    tamper: (b, c) => ((b.committee = c.forged.otherCommittee.map((e) => ({ index: 0, proof: [], entry: clone(e) }))), relog(b)),
    code: 'committee_mismatch',
    where: 'another committee key',
  },
  {
    name: 'sealed re-logged: the committee-ready entry dropped',
    why: 'A key generation that did not complete gives no committee key.',
    from: 'sealed',
    tamper: (b) => (b.committee!.pop(), relog(b)),
    code: 'committee_not_ready',
    where: 'completed key generation',
  },
  {
    name: 'sealed re-logged: a record among the committee entries',
    why: 'Only committee events make a committee.',
    from: 'sealed',
    tamper: (b) => (b.committee!.splice(1, 0, clone(b.records[2])), relog(b)),
    code: 'wrong_entry_kind',
    where: 'a committee entry is not a committee event',
  },
  {
    name: 'sealed re-logged: the key generation completed after the letter opened',
    why: 'Signers sealed their names to a committee whose key the log held before the letter opened (here the committee was created before, its key generation ran after).',
    from: 'sealed',
    tamper: (b) => {
      const [created, ...rest] = b.committee!;
      b.log = relogEntries([created, b.opened, ...rest, ...b.records, b.closed, ...b.reveals!]);
      return b;
    },
    code: 'entries_out_of_order',
    where: 'committee entry 1',
  },
  {
    name: 'sealed re-logged: reveals published before the close',
    why: 'A partial decryption before the close opens names before anyone knows the count.',
    from: 'sealed',
    tamper: (b) => {
      b.log = relogEntries([...b.committee!, b.opened, ...b.records, ...b.reveals!, b.closed]);
      return b;
    },
    code: 'entries_out_of_order',
    where: 'reveal entry 0',
  },
  {
    name: 'sealed re-logged: a record among the reveal entries',
    why: 'Only reveal-partials entries reveal.',
    from: 'sealed',
    tamper: (b) => (b.reveals!.push(clone(b.records[2])), relog(b)),
    code: 'wrong_entry_kind',
    where: 'a reveal entry is not a reveal-partials entry',
  },
  {
    name: 'sealed re-logged: trustee 3’s reveal entry re-signed by trustee 1',
    why: 'An entry in a trustee’s name not signed by that trustee’s key counts for nothing: with it ignored, fewer than k trustees revealed, so the names the bundle claims stay sealed.',
    from: 'sealed',
    tamper: (b, c) => ((b.reveals![1].entry = clone(c.forged.revealSignedByOther)), relog(b)),
    code: 'result_mismatch',
    where: 'other revealed names',
  },
  {
    name: 'sealed re-logged and re-closed: reveals kept after the count fell below the threshold',
    why: 'With one signature left (threshold 2), any partial decryption is a breach.',
    from: 'sealed',
    tamper: (b) => {
      b.records.splice(1, 2);
      entry(b.closed.entry, 'letter-closed').result.count = 1;
      b.result.count = 1;
      return reclose(b);
    },
    code: 'reveal_below_threshold',
    where: 'below the reveal threshold',
  },
];
