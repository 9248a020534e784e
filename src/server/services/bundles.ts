/**
 * Bundles (docs/bundle-format.md): everything needed to check a closed letter, or a procedure
 * (notice letter, ballot, tally), offline and trusting nothing from the server: the entries with
 * inclusion proofs against the latest signed checkpoint, the roster they fixed, the committee's
 * entries and the reveals. Read-only: a bundle is made from the log, never written to it.
 */
import { BUNDLE_FORMAT, type Bundle, type LoggedEntry, verificationKeyDigest } from '../../core/bundle/bundle.ts';
import { verifySealedPart } from '../../core/bundle/bundle-sealed.ts';
import { canonicalJson } from '../../core/encoding.ts';
import type { Letter } from '../../core/letter/letter.ts';
import type { EntryOf, LogEntry } from '../../core/log/entry.ts';
import { type ProcedureBundle, PROCEDURE_BUNDLE_FORMAT } from '../../core/bundle/procedure-bundle.ts';
import { type RosterSnapshot, checkRoster } from '../../core/roster/roster.ts';
import type { VerificationKeys } from '../../core/crypto/semaphore.ts';
import type { Db, Tables } from '../db.ts';
import { conflict } from '../errors.ts';
import type { BallotService } from './ballots.ts';
import type { CommitteeService } from './committee.ts';
import type { WitnessService } from './witnesses.ts';
import type { WitnessPolicy } from '../../core/log/cosignature.ts';
import type { LetterService } from './letters.ts';
import type { LogService } from './log.ts';
import type { RosterService } from './roster.ts';

export interface BundleDeps {
  db: Db;
  log: LogService;
  roster: RosterService;
  letters: LetterService;
  ballots: BallotService;
  committee: CommitteeService;
  witnesses: WitnessService;
  keys: VerificationKeys;
}

type LogView = Awaited<ReturnType<LogService['view']>>;

/** Bundles kept (as JSON): a few letters being fetched at once after their close. */
const BUNDLE_CACHE = 8;

export class BundleService {
  private readonly db: Db;
  /** Built bundles by letter and checkpoint, least recently used first (`letterJson`). */
  private readonly built = new Map<string, Promise<string>>();

  constructor(private readonly deps: BundleDeps) {
    this.db = deps.db;
  }

  /** The offline-verifiable bundle of a closed letter (docs/bundle-format.md): a copy of its own. */
  async letter(id: string): Promise<Bundle> {
    return JSON.parse(await this.letterJson(id)) as Bundle;
  }

  /**
   * The bundle of a closed letter as JSON (what GET /api/letters/:id/bundle sends). Kept per letter
   * and checkpoint (so per log size): entries below a signed size never change, so the same
   * checkpoint gives the same bundle, and anyone can ask for it as often as they like without
   * the server reading, parsing and proving every record again. A new entry anywhere (a reveal,
   * another letter's signature) makes a new checkpoint, and the next request builds it again.
   */
  async letterJson(id: string, from?: number): Promise<string> {
    const { letter, row } = await this.deps.letters.get(id);
    if (row.closed_idx === null) throw conflict('letter_open', 'a bundle is made once the letter is closed');
    const view = await this.viewFor(letter.witnesses);
    const key = `${id}\n${view.checkpoint}`;
    let json = this.built.get(key);
    if (json) {
      this.built.delete(key); // most recently used last
    } else {
      json = this.build(id, letter, row, view).then((b) => JSON.stringify(b));
      json.catch(() => this.built.delete(key));
    }
    this.built.set(key, json);
    while (this.built.size > BUNDLE_CACHE) this.built.delete(this.built.keys().next().value!);
    if (from === undefined) return json;
    // For a verifier that resumes from size `from` (docs/bundle-format.md §2.1): the log's consistency proof from there.
    const proof = await this.deps.log.consistency(from, view.size);
    const bundle = JSON.parse(await json) as Bundle;
    bundle.log.consistency = { from, proof };
    return JSON.stringify(bundle);
  }

  private async build(id: string, letter: Letter, row: Tables['letters'], view: LogView): Promise<Bundle> {
    const rows = await this.entriesOf(id, view.size);
    const logged = (r: { idx: number; body: string }): LoggedEntry => ({ index: r.idx, entry: JSON.parse(r.body) as LogEntry, proof: view.proofOf(r.idx, view.size) });
    const opened = rows.find((r) => r.idx === row.opened_idx);
    const closed = rows.find((r) => r.idx === row.closed_idx);
    if (!opened || !closed) throw new Error('letter entries missing from the log');
    const closedEntry = JSON.parse(closed.body) as EntryOf<'letter-closed'>;
    const snapshot = await this.deps.roster.snapshotAt(row.opened_idx);
    const vkey = await this.deps.keys(letter.roster.depth);
    const records = rows.filter((r) => r.kind === 'signature').map(logged);
    const bundle: Bundle = {
      format: BUNDLE_FORMAT,
      letterId: id,
      log: { verifierKey: this.deps.log.verifierKey(), checkpoint: view.checkpoint },
      roster: snapshot,
      opened: logged(opened),
      records,
      closed: logged(closed),
      result: { count: closedEntry.result.count, rosterSize: letter.roster.size, named: closedEntry.result.named },
      verificationKey: { name: 'semaphore-v4', depth: letter.roster.depth, sha256: verificationKeyDigest(vkey) },
    };
    if (letter.committee) {
      const reveals = rows.filter((r) => r.kind === 'reveal-partials').map(logged);
      await this.addSealedPart(bundle, { letter, row: row as Tables['letters'] & { closed_idx: number }, snapshot, view, reveals, logged });
    }
    return bundle;
  }

  /**
   * The log view a bundle is made against: the latest checkpoint, or for a letter or ballot that
   * names witnesses, the latest checkpoint they cosigned that covers the whole log now (503
   * `not_witnessed_yet` while they have not).
   */
  private async viewFor(policy: WitnessPolicy | undefined): Promise<LogView> {
    if (!policy) return this.deps.log.view();
    const witnessed = await this.deps.witnesses.witnessedAtLeast(await this.deps.log.size());
    return this.deps.log.view(witnessed);
  }

  /** A letter's or ballot's entries, those below `size` (the view's: later ones are not in it). */
  private entriesOf(id: string, size: number) {
    return this.db.selectFrom('log_entries').select(['idx', 'body', 'kind']).where('letter_id', '=', id).where('idx', '<', size).orderBy('idx').execute();
  }

  /** The committee's entries and the reveal, with the result computed by the verifier's own code. */
  private async addSealedPart(
    bundle: Bundle,
    s: {
      letter: Letter;
      row: Tables['letters'] & { closed_idx: number };
      snapshot: RosterSnapshot;
      view: LogView;
      reveals: LoggedEntry[];
      logged: (r: { idx: number; body: string }) => LoggedEntry;
    },
  ): Promise<void> {
    const committee = (await this.deps.committee.entries()).filter((e) => e.index < s.row.opened_idx).map((e) => s.logged({ idx: e.index, body: canonicalJson(e.entry) }));
    const roster = checkRoster(s.snapshot, s.letter.roster);
    if (!roster.ok) throw new Error(roster.reason);
    const part = verifySealedPart({
      letter: s.letter,
      letterId: bundle.letterId,
      checkpoint: { size: s.view.size, rootHash: s.view.rootHash },
      openedIndex: s.row.opened_idx,
      closedIndex: s.row.closed_idx,
      committee,
      reveals: s.reveals,
      records: bundle.records.map((r) => {
        const e = r.entry as EntryOf<'signature'>;
        return { nullifier: e.record.proof.nullifier, action: e.record.action };
      }),
      count: bundle.result.count,
      byCommitment: roster.byCommitment,
    });
    if (!part.ok) throw new Error(`stored committee or reveal entries do not verify: ${part.reason}`);
    bundle.committee = committee;
    bundle.reveals = s.reveals;
    bundle.result.revealed = part.reveal?.revealed.map((r) => r.name) ?? [];
    bundle.result.sealed = part.sealed;
  }

  /** Everything a journalist needs to check the procedure offline: notice, ballot, tally, decision. */
  async procedure(id: string): Promise<ProcedureBundle> {
    const { ballot, row } = await this.deps.ballots.get(id);
    if (row.closed_idx === null) throw conflict('ballot_open', 'a procedure bundle is made once the ballot is closed');
    const notice = ballot.notice ? await this.letter(ballot.notice) : null;
    const { checkpoint, size, proofOf } = await this.viewFor(ballot.witnesses);
    const logged = (idx: number, body: string): LoggedEntry => ({ index: idx, entry: JSON.parse(body) as LogEntry, proof: proofOf(idx, size) });
    const rows = await this.entriesOf(id, size);
    const committee = (await this.deps.committee.entries()).filter((e) => e.index < row.opened_idx).map((e) => logged(e.index, canonicalJson(e.entry)));
    const find = (i: number) => rows.find((r) => r.idx === i)!;
    return {
      format: PROCEDURE_BUNDLE_FORMAT,
      procedure: ballot.procedure,
      ballotId: id,
      log: { verifierKey: this.deps.log.verifierKey(), checkpoint },
      notice,
      roster: await this.deps.roster.snapshotAt(row.opened_idx),
      committee,
      opened: logged(row.opened_idx, find(row.opened_idx).body),
      votes: rows.filter((r) => r.kind === 'vote').map((r) => logged(r.idx, r.body)),
      closed: logged(row.closed_idx, find(row.closed_idx).body),
      tally: rows.filter((r) => r.kind === 'tally-partials').map((r) => logged(r.idx, r.body)),
    };
  }
}
