/**
 * Secret ballots on the server (docs/protocol.md §12): open a ballot (after its notice letter
 * reached the procedure's threshold), accept votes whose proofs are the credential, close with the
 * homomorphic sums committed to the log, and accept the trustees' tally partials. The same core
 * checks a verifier runs decide every acceptance.
 */
import { type Ballot, BallotSchema, type VoteRecord, ballotId as computeBallotId, isRecorded, tallyCiphertexts, verifyVote } from '../../core/ballot/ballot.ts';
import { decodeCiphertext } from '../../core/ballot/elgamal.ts';
import { BallotEntrySchemas } from '../../core/ballot/entries.ts';
import { type TallyEntry, TallyEntrySchema, checkTallyEntry } from '../../core/ballot/tally.ts';
import { transportKeys } from '../../core/trustee/committee.ts';
import { bytesToHex, canonicalJson, hexToBytes } from '../../core/encoding.ts';
import { commitmentOf } from '../../core/identity/identity.ts';
import { rootFromLeafHashes } from '../../core/log/merkle.ts';
import { PRESETS, noticeThreshold } from '../../core/ballot/procedures.ts';
import type { VerificationKeys } from '../../core/crypto/semaphore.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import type { CommitteeService } from './committee.ts';
import type { WitnessService } from './witnesses.ts';
import type { IngestVerifier, Publication } from './ingest.ts';
import type { LetterService } from './letters.ts';
import type { LogService } from './log.ts';
import type { RosterService } from './roster.ts';

export interface BallotDeps {
  db: Db;
  log: LogService;
  roster: RosterService;
  committee: CommitteeService;
  witnesses: WitnessService;
  letters: LetterService;
  verifier: IngestVerifier;
  publication: Publication;
  clock: Clock;
  keys: VerificationKeys;
}

export class BallotService {
  private readonly db: Db;
  private readonly log: LogService;

  constructor(private readonly deps: BallotDeps) {
    this.db = deps.db;
    this.log = deps.log;
  }

  async open(input: unknown): Promise<{ ballotId: string; index: number }> {
    const parsed = BallotSchema.safeParse(input);
    if (!parsed.success) throw badRequest('bad_ballot', `ballot ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
    const ballot = parsed.data;
    const id = computeBallotId(ballot);
    const preset = PRESETS[ballot.procedure];
    if (!preset) throw badRequest('unknown_procedure', `there is no procedure "${ballot.procedure}"`);
    if (ballot.deadline <= this.deps.clock.iso()) throw badRequest('deadline_passed', 'the deadline must be in the future');
    const { ref } = await this.deps.roster.current();
    if (canonicalJson(ref) !== canonicalJson(ballot.roster)) throw conflict('roster_changed', 'the ballot must fix the current roster');
    const committee = await this.deps.committee.letterRef();
    if (!committee || canonicalJson(committee) !== canonicalJson(ballot.committee)) {
      throw conflict('committee_mismatch', 'the ballot must fix the current, complete trustee committee');
    }
    await this.deps.witnesses.requireNamed(ballot.witnesses, 'ballot');
    if (!preset.notice && ballot.notice) throw badRequest('unexpected_notice', `the procedure "${ballot.procedure}" takes no notice letter`);
    if (preset.notice) {
      if (!ballot.notice) throw badRequest('notice_required', `the procedure "${ballot.procedure}" opens a ballot only on a notice letter`);
      const notice = await this.deps.letters.status(ballot.notice);
      const needed = noticeThreshold(preset, notice.letter.roster.size) ?? 0;
      if (notice.status !== 'closed') throw conflict('notice_open', 'the notice letter must be closed first');
      if ((notice.count ?? 0) < needed) throw conflict('notice_below_threshold', `the notice has ${notice.count} signatures; the procedure needs ${needed}`);
    }
    return this.db.transaction().execute(async (trx) => {
      if (await trx.selectFrom('ballots').select('id').where('id', '=', id).executeTakeFirst()) throw conflict('ballot_exists', 'this ballot is already open');
      const receipt = await this.log.append({ kind: 'ballot-opened', ballotId: id, ballot }, trx);
      await trx.insertInto('ballots').values({ id, body: canonicalJson(ballot), opened_idx: receipt.index, closed_idx: null, deadline: ballot.deadline }).execute();
      return { ballotId: id, index: receipt.index };
    });
  }

  async get(id: string, db = this.db): Promise<{ ballot: Ballot; row: { opened_idx: number; closed_idx: number | null; deadline: string } }> {
    if (!/^[0-9a-f]{64}$/.test(id)) throw badRequest('bad_ballot_id', 'a ballot id is 64 lowercase hex characters');
    const row = await db.selectFrom('ballots').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('ballot_not_found', `there is no ballot ${id}`);
    return { ballot: BallotSchema.parse(JSON.parse(row.body)), row };
  }

  async list() {
    const rows = await this.db.selectFrom('ballots').selectAll().orderBy('opened_idx', 'desc').execute();
    return rows.map((r) => ({ ballotId: r.id, ballot: JSON.parse(r.body) as Ballot, status: r.closed_idx !== null ? 'closed' : r.deadline <= this.deps.clock.iso() ? 'past-deadline' : 'open' }));
  }

  async nullifierState(id: string, nullifier: string) {
    await this.get(id);
    const row = await this.db.selectFrom('votes').select(['seq']).where('ballot_id', '=', id).where('nullifier', '=', nullifier).orderBy('seq', 'desc').executeTakeFirst();
    return { seq: row?.seq ?? 0 };
  }

  /** A vote: the proof is the credential; the latest vote per nullifier counts. */
  async vote(id: string, record: VoteRecord) {
    // A vote that arrived before the deadline counts, even if its publication window ends after it.
    const arrived = this.deps.clock.iso();
    const { ballot, row } = await this.get(id);
    const roster = await this.deps.roster.fixedBy(ballot.roster, async () => row.opened_idx);
    const check = await verifyVote(record, ballot, id, this.deps.keys, roster.byCommitment, (proof) => this.deps.verifier.verify(proof));
    if (!check.ok) throw badRequest(check.code, check.reason);
    return this.deps.publication.publish(async (trx) => {
      const { row } = await this.get(id, trx);
      if (row.closed_idx !== null) throw conflict('ballot_closed', 'this ballot is closed');
      if (row.deadline <= arrived) throw conflict('deadline_passed', 'the deadline of this ballot has passed');
      const last = await trx.selectFrom('votes').select('seq').where('ballot_id', '=', id).where('nullifier', '=', record.proof.nullifier).orderBy('seq', 'desc').executeTakeFirst();
      if (last && record.action.seq <= last.seq) throw conflict('replay', `this voter's latest vote has seq ${last.seq}; a new vote needs a higher seq`);
      if (check.recorded) {
        // A recorded vote names its member: one member, one recorded vote (whatever nullifier signs it).
        const others = await trx.selectFrom('log_entries').select('body').where('letter_id', '=', id).where('kind', '=', 'vote').execute();
        const mine = check.recorded.signer.id;
        for (const o of others) {
          const e = JSON.parse(o.body) as { record: VoteRecord };
          if (e.record.proof.nullifier === record.proof.nullifier || !('named' in e.record.action)) continue;
          const c = roster.byCommitment.get(commitmentOf(e.record.action.named.publicKey));
          if (c?.id === mine) throw conflict('named_twice', `${c.name} already has a recorded vote on this ballot`);
        }
      }
      const receipt = await this.log.append({ kind: 'vote', ballotId: id, record }, trx);
      await trx.insertInto('votes').values({ ballot_id: id, log_idx: receipt.index, nullifier: record.proof.nullifier, seq: record.action.seq }).execute();
      return receipt;
    });
  }

  /** Close: commit the vote set and the per-option sums of the latest votes. */
  async close(id: string) {
    // What was accepted before the close is published before it.
    await this.deps.publication.flush();
    return this.db.transaction().execute(async (trx) => {
      const { ballot, row } = await this.get(id, trx);
      if (row.closed_idx !== null) throw conflict('ballot_closed', 'this ballot is already closed');
      const rows = await trx.selectFrom('log_entries').select(['body', 'leaf_hash']).where('letter_id', '=', id).where('kind', '=', 'vote').orderBy('idx').execute();
      const votes = rows.map((r) => {
        const e = JSON.parse(r.body) as { record: VoteRecord };
        // A recorded vote has no ciphertexts: its choice is counted in clear by anyone.
        const cts = ('choices' in e.record.action ? e.record.action.choices : []).map((c) => {
          const ct = decodeCiphertext(c.ct, 'ct');
          if (!ct.ok) throw new Error(ct.reason);
          return ct;
        });
        return { nullifier: e.record.proof.nullifier, seq: e.record.action.seq, cts };
      });
      const t = tallyCiphertexts(votes, isRecorded(ballot) ? 0 : ballot.options.length);
      if (!t.ok) throw new Error(t.reason);
      const receipt = await this.log.append(
        {
          kind: 'ballot-closed',
          ballotId: id,
          votes: { size: rows.length, root: bytesToHex(rootFromLeafHashes(rows.map((r) => hexToBytes(r.leaf_hash)))) },
          sums: t.sums,
          voters: t.voters,
        },
        trx,
      );
      await trx.updateTable('ballots').set({ closed_idx: receipt.index }).where('id', '=', id).execute();
      return { index: receipt.index, voters: t.voters };
    });
  }

  async submitTally(id: string, input: unknown) {
    const parsed = TallyEntrySchema.safeParse(input);
    if (!parsed.success) throw badRequest('bad_entry', `entry ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
    const entry: TallyEntry = parsed.data;
    const { row } = await this.get(id);
    if (row.closed_idx === null) throw conflict('ballot_open', 'the tally is decrypted only after the close');
    const closed = BallotEntrySchemas.closed.parse(JSON.parse((await this.db.selectFrom('log_entries').select('body').where('idx', '=', row.closed_idx).executeTakeFirstOrThrow()).body));
    const state = await this.deps.committee.state();
    if (!state?.key) throw conflict('committee_not_ready', 'the committee has no key');
    const c = checkTallyEntry({ ballotId: id, committeeId: state.id, publicShares: state.key.publicShares, transportKeys: transportKeys(state.committee), sums: closed.sums }, entry);
    if (!c.ok) throw badRequest(c.code, c.reason);
    // The duplicate check and the append are one transaction: two copies posted at once give one entry and one 409.
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('log_entries').select('body').where('letter_id', '=', id).where('kind', '=', 'tally-partials').execute();
      if (existing.some((r) => (JSON.parse(r.body) as TallyEntry).trustee === entry.trustee)) throw conflict('already_tallied', `trustee ${entry.trustee} already published its partials`);
      return this.log.append(entry, trx);
    });
  }
}
