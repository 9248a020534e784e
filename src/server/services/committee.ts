/**
 * The trustee committee on the server (docs/protocol.md §10): forming it from join codes and
 * relaying the key generation through the public log. The server checks every entry with the same
 * core code a verifier runs (`evaluateCommittee`), so it never logs one a verifier would refuse.
 * One committee per instance: letters and ballots fix its key when they open. The reveal partials
 * a committee publishes after a letter closes are in reveals.ts.
 */
import { randomBytes } from 'node:crypto';
import { type CommitteeEntry, CommitteeEntrySchemas, type CommitteeState, evaluateCommittee } from '../../core/trustee/committee.ts';
import { bytesToHex, canonicalJson, sha256, utf8ToBytes } from '../../core/encoding.ts';
import type { LogEntry } from '../../core/log/entry.ts';
import { type Committee, checkCommittee, committeeId, encodeKey } from '../../core/trustee/dkg.ts';
import { decodePoint } from '../../core/trustee/group.ts';
import { verifySchnorr } from '../../core/trustee/proofs.ts';
import type { Db } from '../db.ts';
import { ApiError, badRequest, conflict } from '../errors.ts';
import type { LogService } from './log.ts';

const hashCode = (code: string) => bytesToHex(sha256(utf8ToBytes(code.toUpperCase().replace(/[\s-]/g, ''))));

export class CommitteeService {
  /** `read` once the key generation is complete (it never changes after). */
  private final: Awaited<ReturnType<CommitteeService['replay']>> | null = null;

  constructor(
    private readonly db: Db,
    private readonly log: LogService,
  ) {}

  /** The organizer names n trustees and the threshold k; each trustee gets a single-use join code. */
  async create(options: { name: string; k: number; trustees: string[] }): Promise<{ index: number; name: string; code: string }[]> {
    const n = options.trustees.length;
    if (!Number.isInteger(options.k) || options.k < 1 || options.k > n || n > 50) {
      throw badRequest('bad_committee', 'a committee has 1 to 50 trustees and a threshold k from 1 to their number');
    }
    if (options.k < 2 && n > 1) throw badRequest('bad_committee', 'a threshold of 1 lets any single trustee reveal names: choose k ≥ 2');
    const out: { index: number; name: string; code: string }[] = [];
    await this.db.transaction().execute(async (trx) => {
      // Checked in the transaction that creates it: two requests at once make one committee and one 409.
      const existing = await trx.selectFrom('trustee_slots').select('idx').executeTakeFirst();
      if (existing || (await this.entries(trx)).length) throw conflict('committee_exists', 'this instance already has a trustee committee');
      for (const [i, name] of options.trustees.entries()) {
        const code = Buffer.from(randomBytes(10)).toString('hex').toUpperCase().match(/.{4}/g)!.join('-');
        await trx.insertInto('trustee_slots').values({ idx: i + 1, name, code_hash: hashCode(code), transport_key: null, proof: null }).execute();
        out.push({ index: i + 1, name, code });
      }
      await trx.insertInto('meta').values([
        { key: 'committee_name', value: options.name },
        { key: 'committee_k', value: String(options.k) },
      ]).execute();
    });
    return out;
  }

  /** Which slot a join code is for (reading it does not use the code). */
  async slot(code: string): Promise<{ index: number; name: string }> {
    const slot = await this.db.selectFrom('trustee_slots').selectAll().where('code_hash', '=', hashCode(code)).executeTakeFirst();
    if (!slot) throw new ApiError(403, 'code_invalid', 'this trustee code is not valid');
    if (slot.transport_key) throw new ApiError(403, 'code_used', 'this trustee code was already used');
    const name = (await this.db.selectFrom('meta').select('value').where('key', '=', 'committee_name').executeTakeFirst())?.value ?? '';
    return { index: slot.idx, name };
  }

  /** A trustee registers its transport key; once all have, the committee goes on the log. */
  async join(code: string, transportKey: string, proof: { c: string; s: string }): Promise<{ index: number; committeeCreated: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      const slot = await trx.selectFrom('trustee_slots').selectAll().where('code_hash', '=', hashCode(code)).executeTakeFirst();
      if (!slot) throw new ApiError(403, 'code_invalid', 'this trustee code is not valid');
      if (slot.transport_key) throw new ApiError(403, 'code_used', 'this trustee code was already used');
      const name = (await trx.selectFrom('meta').select('value').where('key', '=', 'committee_name').executeTakeFirst())?.value ?? '';
      const E = decodePoint(transportKey, 'transport key');
      if (!E.ok) throw badRequest('bad_transport_key', E.reason);
      if (!verifySchnorr(E.point, proof, `undersigned/trustee-transport/v1|${name}|${slot.idx}`).ok) {
        throw badRequest('bad_transport_key', 'the proof of knowledge of the transport key does not verify');
      }
      await trx.updateTable('trustee_slots').set({ transport_key: transportKey, proof: canonicalJson(proof) }).where('idx', '=', slot.idx).execute();
      const slots = await trx.selectFrom('trustee_slots').selectAll().orderBy('idx').execute();
      if (slots.some((s) => !s.transport_key)) return { index: slot.idx, committeeCreated: false };
      const k = Number((await trx.selectFrom('meta').select('value').where('key', '=', 'committee_k').executeTakeFirst())?.value);
      const committee: Committee = {
        format: 'undersigned-committee/1',
        name,
        k,
        n: slots.length,
        trustees: slots.map((s) => ({ index: s.idx, name: s.name, transportKey: s.transport_key!, proof: JSON.parse(s.proof!) })),
      };
      const ok = checkCommittee(committee);
      if (!ok.ok) throw badRequest(ok.code, ok.reason);
      await this.log.append({ kind: 'committee-created', committeeId: committeeId(committee), committee }, trx);
      return { index: slot.idx, committeeCreated: true };
    });
  }

  /** The committee's log entries, in order. */
  async entries(db = this.db): Promise<{ index: number; entry: CommitteeEntry }[]> {
    const rows = await db
      .selectFrom('log_entries')
      .select(['idx', 'body'])
      .where('kind', 'in', ['committee-created', 'dkg-contribution', 'dkg-ack', 'dkg-complaint', 'committee-ready'])
      .orderBy('idx')
      .execute();
    return rows.map((r) => ({ index: r.idx, entry: JSON.parse(r.body) as CommitteeEntry }));
  }

  async state(db = this.db): Promise<CommitteeState | null> {
    return (await this.read(db)).state;
  }

  /**
   * The entries, their evaluation and whether the key is on the log: one read, one replay. Once the
   * key is on the log nothing more is accepted (one committee per instance), so that answer is kept
   * for good: public routes (a reveal, a proposal, GET /api/committee) no longer replay the key
   * generation, a scan of the log and every contribution's proofs, on each request.
   */
  private async read(db = this.db) {
    if (this.final) return this.final;
    const read = await this.replay(db);
    if (read.ready && db === this.db) this.final = read;
    return read;
  }

  private async replay(db: Db) {
    const entries = await this.entries(db);
    const ready = entries.some((e) => e.entry.kind === 'committee-ready');
    if (!entries.length) return { entries, state: null, ready };
    const s = evaluateCommittee(entries.map((e) => e.entry));
    if (!s.ok) throw new Error(`stored committee entries do not evaluate: ${s.reason}`);
    return { entries, state: s.state, ready };
  }

  async status() {
    const slots = await this.db.selectFrom('trustee_slots').select(['idx', 'name', 'transport_key']).orderBy('idx').execute();
    const { entries, state, ready } = await this.read();
    return {
      trustees: slots.map((s) => ({ index: s.idx, name: s.name, joined: s.transport_key !== null })),
      created: state !== null,
      ready,
      committeeId: state?.id ?? null,
      k: state?.committee.k ?? null,
      n: state?.committee.n ?? null,
      publicKey: state?.key ? encodeKey(state.key).publicKey : null,
      waitingFor: state?.waitingFor ?? null,
      disqualified: state ? [...state.disqualified] : [],
      falseComplaints: state?.falseComplaints ?? [],
      failure: state?.failure ?? null,
      entries: entries.map((e) => ({ index: e.index, entry: e.entry })),
    };
  }

  /** The reference a letter fixes to take sealed signatures: only a ready committee. */
  async letterRef(): Promise<{ id: string; publicKey: string; k: number; n: number } | null> {
    const { state, ready } = await this.read();
    if (!state?.key || !ready) return null;
    return { id: state.id, publicKey: encodeKey(state.key).publicKey, k: state.committee.k, n: state.committee.n };
  }

  /** A contribution, ack or complaint from a trustee: accepted only if the history stays valid. */
  async submit(input: unknown): Promise<{ index: number; ready: boolean }> {
    const kind = (input as { kind?: unknown })?.kind;
    const schema =
      kind === 'dkg-contribution' ? CommitteeEntrySchemas.contribution : kind === 'dkg-ack' ? CommitteeEntrySchemas.ack : kind === 'dkg-complaint' ? CommitteeEntrySchemas.complaint : null;
    if (!schema) throw badRequest('bad_entry', 'a trustee posts a dkg-contribution, dkg-ack or dkg-complaint entry');
    const parsed = schema.safeParse(input);
    if (!parsed.success) throw badRequest('bad_entry', `entry ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
    const entry = parsed.data as CommitteeEntry;
    return this.db.transaction().execute(async (trx) => {
      const entries = await this.entries(trx);
      if (!entries.length) throw conflict('committee_not_created', 'the committee is not formed yet: every trustee must join first');
      if (entries.some((e) => e.entry.kind === 'committee-ready')) throw conflict('committee_ready', 'the key generation is already complete');
      const next = evaluateCommittee([...entries.map((e) => e.entry), entry]);
      if (!next.ok) throw badRequest(next.code, next.reason);
      const receipt = await this.log.append(entry as LogEntry, trx);
      if (next.state.key) {
        const key = encodeKey(next.state.key);
        await this.log.append({ kind: 'committee-ready', committeeId: next.state.id, ...key }, trx);
      }
      return { index: receipt.index, ready: next.state.key !== null };
    });
  }
}
