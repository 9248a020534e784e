/**
 * Letters (docs/protocol.md §6–§7): a letter proposed anonymously with a membership proof, the
 * signature records members submit (the proof is the credential), what the letter's visibility
 * setting lets anyone see, and the close that commits the record set and the result to the log.
 */
import { bytesToHex, canonicalJson, hexToBytes, utf8ToBytes } from '../../core/encoding.ts';
import { commitmentOf } from '../../core/identity/identity.ts';
import { type Letter, LetterSchema, letterId as computeLetterId, proposalMessage, proposalScope } from '../../core/letter/letter.ts';
import type { EntryOf } from '../../core/log/entry.ts';
import { leafHash, rootFromLeafHashes } from '../../core/log/merkle.ts';
import type { Receipt } from '../../core/member/receipt.ts';
import { type SignatureRecord, checkRecordWithoutProof } from '../../core/letter/record.ts';
import { type TallyInput, tally } from '../../core/letter/tally.ts';
import type { RosterMember, RosterSnapshot } from '../../core/roster/roster.ts';
import type { SemaphoreProof } from '../../core/crypto/semaphore.ts';
import type { Clock } from '../clock.ts';
import type { Db, Tables } from '../db.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import type { CommitteeService } from './committee.ts';
import type { WitnessService } from './witnesses.ts';
import type { IngestVerifier, Publication } from './ingest.ts';
import type { LogService } from './log.ts';
import type { RosterService } from './roster.ts';

export interface LetterDeps {
  db: Db;
  log: LogService;
  roster: RosterService;
  committee: CommitteeService;
  witnesses: WitnessService;
  verifier: IngestVerifier;
  publication: Publication;
  clock: Clock;
  /** The instance's minimum group size (services/admin.ts, DEFAULT_MIN_GROUP_SIZE). */
  minGroupSize: () => Promise<number>;
}

export class LetterService {
  private readonly db: Db;
  private readonly log: LogService;
  /** Counts by letter, with the log size (or the close) they were counted at: `cachedTally`. */
  private readonly tallies = new Map<string, { size: number; closed: boolean; state: Awaited<ReturnType<LetterService['tally']>> }>();

  constructor(private readonly deps: LetterDeps) {
    this.db = deps.db;
    this.log = deps.log;
  }

  /** Open a letter proposed anonymously with a membership proof over the current roster. */
  async propose(letterInput: unknown, proposal: SemaphoreProof): Promise<{ letterId: string; receipt: Receipt }> {
    const parsed = LetterSchema.safeParse(letterInput);
    if (!parsed.success) throw badRequest('bad_letter', `letter field ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
    const letter = parsed.data;
    const id = computeLetterId(letter);
    if (letter.deadline <= this.deps.clock.iso()) throw badRequest('deadline_passed', 'the deadline must be in the future');
    const current = await this.deps.roster.current();
    if (canonicalJson(letter.roster) !== canonicalJson(current.ref)) {
      throw conflict('roster_changed', 'the letter must fix the current roster: fetch it again and redo the proposal');
    }
    if (current.ref.enrolled < 1) throw conflict('roster_empty', 'nobody has enrolled yet');
    if (letter.committee) {
      const ref = await this.deps.committee.letterRef();
      if (!ref) throw conflict('committee_not_ready', 'sealed signatures need a trustee committee whose key generation is complete');
      if (canonicalJson(ref) !== canonicalJson(letter.committee)) throw conflict('committee_mismatch', 'the letter must fix the current committee key: fetch it again');
      if (letter.revealThreshold < 1) throw badRequest('bad_letter', 'a letter with sealed signatures needs a reveal threshold of at least 1');
    }
    await this.deps.witnesses.requireNamed(letter.witnesses, 'letter');
    if (
      proposal.merkleTreeRoot !== letter.roster.root ||
      proposal.merkleTreeDepth !== letter.roster.depth ||
      proposal.scope !== proposalScope(id).toString() ||
      proposal.message !== proposalMessage(id).toString()
    ) {
      throw badRequest('bad_proposal', 'the proposal proof is not for this letter and roster');
    }
    if (!(await this.deps.verifier.verify(proposal))) throw badRequest('bad_proof', 'the proposal proof does not verify');
    return this.deps.publication.publish(async (trx) => {
      const exists = await trx.selectFrom('letters').select('id').where('id', '=', id).executeTakeFirst();
      if (exists) throw conflict('letter_exists', 'this letter is already open');
      const fresh = await this.deps.roster.current(trx);
      if (fresh.ref.root !== letter.roster.root || fresh.ref.digest !== letter.roster.digest) {
        throw conflict('roster_changed', 'the roster changed while the letter was being proposed: try again');
      }
      const receipt = await this.log.append({ kind: 'letter-opened', letterId: id, letter, proposal }, trx);
      await trx.insertInto('letters').values({ id, body: canonicalJson(letter), opened_idx: receipt.index, closed_idx: null, deadline: letter.deadline }).execute();
      return { letterId: id, receipt };
    });
  }

  async get(id: string, db: Db = this.db): Promise<{ letter: Letter; row: Tables['letters'] }> {
    if (!/^[0-9a-f]{64}$/.test(id)) throw badRequest('bad_letter_id', 'a letter id is 64 lowercase hex characters');
    const row = await db.selectFrom('letters').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('letter_not_found', `there is no letter ${id}`);
    return { letter: LetterSchema.parse(JSON.parse(row.body)), row };
  }

  async list() {
    const rows = await this.db.selectFrom('letters').select('id').orderBy('opened_idx', 'desc').execute();
    const size = await this.log.size();
    return Promise.all(rows.map((r) => this.status(r.id, {}, size)));
  }

  /**
   * A letter with what its visibility setting lets anyone see now. Whatever the setting, a letter
   * whose roster has fewer enrolled members than the instance's minimum group size shows its count
   * only at the close (`smallGroup`): in a group of three, "2 of 3" says nearly who.
   */
  async status(id: string, options: { member?: boolean } = {}, logSize?: number) {
    const { letter, row } = await this.get(id);
    const closed = row.closed_idx !== null;
    const state = await this.cachedTally(id, closed, logSize ?? (await this.log.size()));
    const smallGroup = letter.roster.enrolled < (await this.deps.minGroupSize());
    const visible = closed || (!smallGroup && visibleWhileOpen(letter, state.count, options.member === true));
    return {
      letterId: id,
      letter,
      status: closed ? ('closed' as const) : row.deadline <= this.deps.clock.iso() ? ('past-deadline' as const) : ('open' as const),
      rosterSize: letter.roster.size,
      smallGroup,
      count: visible ? state.count : null,
      named: visible ? state.named : null,
    };
  }

  /**
   * The log's entries [start, end) as the public reads them (GET /api/log/entries): the body of a
   * signature is withheld while its letter's count is hidden; its leaf hash is not.
   */
  async publicLog(start: number, end: number) {
    return this.log.entries(start, end, async (id) => (await this.status(id)).count === null);
  }

  /** The roster snapshot a letter fixed, replayed from the log (members check it against the letter). */
  async roster(id: string): Promise<RosterSnapshot> {
    const { row } = await this.get(id);
    return this.deps.roster.snapshotAt(row.opened_idx);
  }

  /** The latest state of one nullifier on a letter (how a member's device learns its next seq). */
  async nullifierState(id: string, nullifier: string) {
    await this.get(id);
    const row = await this.db
      .selectFrom('signatures')
      .select(['seq', 'action', 'log_idx'])
      .where('letter_id', '=', id)
      .where('nullifier', '=', nullifier)
      .orderBy('seq', 'desc')
      .executeTakeFirst();
    return row ? { seq: row.seq, action: row.action, index: row.log_idx } : { seq: 0, action: null, index: null };
  }

  /** Accept a signature record: the proof is the credential (docs/protocol.md §6). */
  async submitRecord(id: string, recordInput: SignatureRecord): Promise<Receipt> {
    // A record that arrived before the deadline counts, even if its window ends after it.
    const arrived = this.deps.clock.iso();
    const { letter, row: opened } = await this.get(id);
    const roster = await this.deps.roster.fixedBy(letter.roster, async () => opened.opened_idx);
    const task = { record: recordInput, letterId: id, letter, member: namedMember(recordInput, roster.byCommitment) };
    const check = await this.deps.verifier.checkRecord(task, roster.byCommitment);
    if (!check.ok) throw badRequest(check.code, check.reason);
    const nullifier = recordInput.proof.nullifier;
    return this.deps.publication.publish(async (trx) => {
      const { row } = await this.get(id, trx);
      if (row.closed_idx !== null) throw conflict('letter_closed', 'this letter is closed');
      if (row.deadline <= arrived) throw conflict('deadline_passed', 'the deadline of this letter has passed');
      const last = await trx
        .selectFrom('signatures')
        .select(['seq'])
        .where('letter_id', '=', id)
        .where('nullifier', '=', nullifier)
        .orderBy('seq', 'desc')
        .executeTakeFirst();
      if (last && recordInput.action.seq <= last.seq) {
        throw conflict('replay', `this signer's latest action has seq ${last.seq}; a new action needs a higher seq (a replayed record is refused)`);
      }
      if (check.signer) {
        // One member is named once, however many nullifiers their key has signed for.
        const state = await this.tally(id, trx);
        if (state.namedIds.includes(check.signer.id) && state.namedNullifiers.get(check.signer.id) !== nullifier) {
          throw conflict('named_twice', `${check.signer.name} is already named on this letter`);
        }
      }
      const receipt = await this.log.append({ kind: 'signature', letterId: id, record: recordInput }, trx);
      await trx
        .insertInto('signatures')
        .values({ letter_id: id, log_idx: receipt.index, nullifier, seq: recordInput.action.seq, action: recordInput.action.action, signer_member: check.signer?.id ?? null })
        .execute();
      return receipt;
    });
  }

  /**
   * Close a letter: commit its record set and result to the log. The result is computed from the
   * logged records the close commits to (each rehashed, checked by the verifier's rules 1–6 of
   * docs/protocol.md §6.2 and counted by the verifier's own `tally`), not from the derived
   * `signatures` table; the table must agree, or the close is refused and nothing is appended.
   */
  async close(id: string): Promise<Receipt & { count: number; named: string[] }> {
    // What was accepted before the close is published before it.
    await this.deps.publication.flush();
    const { letter, row: opened } = await this.get(id);
    // Read before the transaction: a query outside it would wait for it (one connection).
    const { byCommitment } = await this.deps.roster.fixedBy(letter.roster, async () => opened.opened_idx);
    return this.db.transaction().execute(async (trx) => {
      const { row } = await this.get(id, trx);
      if (row.closed_idx !== null) throw conflict('letter_closed', 'this letter is already closed');
      const recordRows = await trx.selectFrom('log_entries').select(['idx', 'leaf_hash', 'body']).where('letter_id', '=', id).where('kind', '=', 'signature').orderBy('idx').execute();
      const result = resultOfRecords(id, letter, byCommitment, recordRows);
      const derived = await this.tally(id, trx);
      if (derived.count !== result.count || canonicalJson(derived.named) !== canonicalJson(result.named)) {
        throw new ApiError(500, 'store_inconsistent', `the logged records give ${result.count} signatures, the signatures table ${derived.count}: the letter was not closed; restore the database from a backup`);
      }
      const entry: EntryOf<'letter-closed'> = {
        kind: 'letter-closed',
        letterId: id,
        records: { size: recordRows.length, root: bytesToHex(rootFromLeafHashes(recordRows.map((r) => hexToBytes(r.leaf_hash)))) },
        result,
      };
      const receipt = await this.log.append(entry, trx);
      await trx.updateTable('letters').set({ closed_idx: receipt.index }).where('id', '=', id).execute();
      return { ...receipt, ...result };
    });
  }

  /**
   * `tally` kept per letter and log size, read outside any transaction (GET /api/letters shows every
   * letter's count: without this, each request counted every letter's records again). A closed
   * letter's count never changes, so it is kept whatever the size.
   */
  private async cachedTally(id: string, closed: boolean, size: number) {
    const kept = this.tallies.get(id);
    if (kept && (kept.closed || kept.size === size)) return kept.state;
    const state = await this.tally(id);
    this.tallies.set(id, { size, closed, state });
    return state;
  }

  /** Latest action per nullifier, from the stored records of a letter. */
  private async tally(id: string, db: Db = this.db) {
    const rows = await db.selectFrom('signatures').select(['nullifier', 'seq', 'action', 'signer_member']).where('letter_id', '=', id).orderBy('log_idx').execute();
    const latest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) latest.set(r.nullifier, r);
    let count = 0;
    const namedIds: number[] = [];
    const namedNullifiers = new Map<number, string>();
    for (const r of latest.values()) {
      if (r.action !== 'support') continue;
      count++;
      if (r.signer_member !== null) {
        namedIds.push(r.signer_member);
        namedNullifiers.set(r.signer_member, r.nullifier);
      }
    }
    namedIds.sort((a, b) => a - b);
    const names = namedIds.length ? await db.selectFrom('members').select(['id', 'name']).where('id', 'in', namedIds).execute() : [];
    const byId = new Map(names.map((n) => [n.id, n.name]));
    return { count, named: namedIds.map((i) => byId.get(i) ?? ''), namedIds, namedNullifiers };
  }
}

/**
 * A letter's result from its logged records, as a verifier computes it from the bundle (steps 8
 * and 10 of verifyBundle, without the proofs, which were verified when each record came in and
 * which the leaf hashes now bind): each body is hashed again and must give its stored leaf hash.
 */
function resultOfRecords(id: string, letter: Letter, byCommitment: ReadonlyMap<string, RosterMember>, rows: { idx: number; leaf_hash: string; body: string }[]): { count: number; named: string[] } {
  const inputs: TallyInput[] = [];
  for (const r of rows) {
    if (bytesToHex(leafHash(utf8ToBytes(r.body))) !== r.leaf_hash) throw inconsistent(`log entry ${r.idx} does not hash to its stored leaf hash`);
    const { record } = JSON.parse(r.body) as EntryOf<'signature'>;
    const check = checkRecordWithoutProof(record, { letterId: id, letter, byCommitment });
    if (!check.ok) throw inconsistent(`logged record ${r.idx} does not verify: ${check.reason}`);
    inputs.push({ nullifier: record.proof.nullifier, action: record.action, signerName: check.signer?.name ?? null, signerId: check.signer?.id ?? null });
  }
  const t = tally(inputs);
  if (!t.ok) throw inconsistent(`the logged records do not count: ${t.reason}`);
  return { count: t.tally.count, named: t.tally.named.map((n) => n.name) };
}

const inconsistent = (what: string) => new ApiError(500, 'store_inconsistent', `${what}: the letter was not closed; restore the database from a backup`);

/** The one roster lookup verifyRecord makes: the member a named record's key belongs to. */
function namedMember(record: SignatureRecord, byCommitment: ReadonlyMap<string, RosterMember>): RosterMember | null {
  const { action } = record;
  if (action.action !== 'support' || action.display !== 'named') return null;
  try {
    return byCommitment.get(commitmentOf(action.named.publicKey)) ?? null;
  } catch {
    return null; // the checker meets the same key and refuses or throws as verifyRecord does
  }
}

/** Whether an open letter's visibility setting (docs/protocol.md §7.3) shows its count now. */
function visibleWhileOpen(letter: Letter, count: number, member: boolean): boolean {
  switch (letter.visibility) {
    case 'live':
      return true;
    case 'members':
      return member;
    case 'at-threshold':
      return count >= letter.revealThreshold;
    case 'at-close':
      return false;
  }
}
