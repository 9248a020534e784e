/**
 * The roster as the server reads it (docs/protocol.md §4): the current snapshot and the reference a
 * letter or ballot opened now would fix, pages of it, one member's history, the snapshot at any
 * point of the log (replayed from the log itself), and the members of a roster a letter or ballot
 * fixed. Changes to the roster (adding, enrolling, removing members) are in enrollment.ts.
 */
import type { Group } from '@semaphore-protocol/group';
import { canonicalJson } from '../../core/encoding.ts';
import type { LogEntry } from '../../core/log/entry.ts';
import { type RosterMember, type RosterRef, type RosterSnapshot, checkRoster, rosterDigest, rosterGroup, rosterLeaves, treeDepth } from '../../core/roster/roster.ts';
import { groupOfLeavesParallel } from '../../node/roster-tree-pool.ts';
import { type Db, readMeta } from '../db.ts';
import { notFound } from '../errors.ts';
import type { LogService } from './log.ts';

/** Replays kept by `snapshotAt`: one per open letter or ballot in use. */
const SNAPSHOT_CACHE = 8;

export interface RosterPage {
  ref: RosterRef;
  leafCount: number;
  total: number;
  offset: number;
  limit: number;
  members: RosterMember[];
}

export class RosterService {
  private cache: { key: number; snapshot: RosterSnapshot; ref: RosterRef; group: Group; leaves: bigint[] } | null = null;
  private snapshots = new Map<number, RosterSnapshot>();
  private fixed = new Map<string, { byCommitment: Map<string, RosterMember> }>();

  constructor(
    private readonly db: Db,
    private readonly log: LogService,
  ) {}

  /**
   * The current roster snapshot and the reference a letter opened now would fix.
   *
   * Cached, keyed by the index of the last roster event in the log (meta `roster_idx`, written in
   * the same transaction as the event, so another process's changes are seen too): signatures and
   * other entries do not invalidate it. On a change the snapshot is re-read and its digest
   * recomputed (~1 s at 100,000 members), but the Semaphore tree is updated leaf by leaf from the
   * previous one instead of rebuilt (a rebuild hashes every leaf again: ~25 s at 100,000 with
   * poseidon-lite). The returned `group` is the cache's own and is updated in place on the next
   * roster change: copy it to keep it across changes.
   */
  async current(db: Db = this.db): Promise<{ snapshot: RosterSnapshot; ref: RosterRef; group: Group }> {
    const key = await this.rosterKey(db);
    if (this.cache && this.cache.key === key) return this.cache;
    const rows = await db.selectFrom('members').select(['id', 'name', 'leaf', 'commitment']).where('status', '=', 'active').orderBy('id').execute();
    const leafCount = Number((await readMeta(db, 'leaf_count')) ?? 0);
    const snapshot: RosterSnapshot = { leafCount, members: rows.map((r) => ({ id: r.id, name: r.name, leaf: r.leaf, commitment: r.commitment })) };
    const leaves = rosterLeaves(snapshot);
    if (!leaves.ok) throw new Error(`stored roster is inconsistent: ${leaves.reason}`);
    // A first build hashes the whole tree on every core, off the event loop (~100,000 hashes for
    // 100,000 members); later changes update the cached tree along their paths.
    const group = this.cache ? updateGroup(this.cache.group, this.cache.leaves, leaves.leaves) : await groupOfLeavesParallel(leaves.leaves);
    if (this.cache && this.cache.key === key) return this.cache; // built meanwhile by another request
    const ref: RosterRef = {
      root: group.root.toString(),
      depth: treeDepth(snapshot.leafCount),
      size: snapshot.members.length,
      enrolled: snapshot.members.filter((m) => m.commitment !== null).length,
      digest: rosterDigest(snapshot),
    };
    this.cache = { key, snapshot, ref, group, leaves: leaves.leaves };
    return this.cache;
  }

  /**
   * One page of the current roster, with the reference of the whole roster. With `query`, only the
   * members whose name contains it (case and accents aside), and `total` counts those.
   */
  async page(offset: number, limit: number, query?: string): Promise<RosterPage> {
    const { snapshot, ref } = await this.current();
    const needle = query === undefined ? '' : foldForSearch(query.trim());
    const matching = needle ? snapshot.members.filter((m) => foldForSearch(m.name).includes(needle)) : snapshot.members;
    return { ref, leafCount: snapshot.leafCount, total: matching.length, offset, limit, members: matching.slice(offset, offset + limit) };
  }

  /** A member's roster entry and every log entry about it, for `member check`. */
  async memberEntry(memberId: number) {
    const m = await this.db.selectFrom('members').select(['id', 'name', 'leaf', 'commitment', 'status']).where('id', '=', memberId).executeTakeFirst();
    if (!m) throw notFound('member_not_found', `there is no member ${memberId}`);
    // Through the member index: only this member's entries are read and parsed, not every member-* entry.
    const rows = await this.db
      .selectFrom('member_events')
      .innerJoin('log_entries', 'log_entries.idx', 'member_events.idx')
      .select(['log_entries.idx', 'log_entries.body'])
      .where('member_events.member_id', '=', memberId)
      .orderBy('log_entries.idx')
      .execute();
    const events = rows.map((r) => ({ index: r.idx, entry: JSON.parse(r.body) as LogEntry }));
    return { member: m, events };
  }

  /** The roster as it stood when the log had `index` entries, replayed from the log itself. */
  async snapshotAt(index: number): Promise<RosterSnapshot> {
    // Entries below a committed size never change, so a replay up to a size the log has reached is
    // kept (a few of them: one per open letter or ballot in use). Called per bundle, per record
    // check and per roster page of a letter; on a 100,000-member roster a replay costs ~1 s.
    const cached = this.snapshots.get(index);
    if (cached) {
      this.snapshots.delete(index);
      this.snapshots.set(index, cached);
      return cached;
    }
    const snapshot = await this.replaySnapshot(index);
    if (index <= (await this.log.size(this.db))) {
      this.snapshots.set(index, snapshot);
      while (this.snapshots.size > SNAPSHOT_CACHE) this.snapshots.delete(this.snapshots.keys().next().value!);
    }
    return snapshot;
  }

  /**
   * The members of the roster a letter or a ballot fixed, by commitment, checked once per roster
   * digest and kept: rebuilding a 100,000-leaf tree per request would take seconds.
   */
  async fixedBy(ref: RosterRef, openedIdx: () => Promise<number>): Promise<{ byCommitment: ReadonlyMap<string, RosterMember> }> {
    const key = ref.digest;
    let cached = this.fixed.get(key);
    if (!cached) {
      // It fixed the current roster (the usual case): the digest binds the snapshot, so the cached
      // roster stands for it without rebuilding its tree.
      const current = await this.current();
      if (current.ref.digest === ref.digest && canonicalJson(current.ref) === canonicalJson(ref)) {
        const byCommitment = new Map<string, RosterMember>();
        for (const m of current.snapshot.members) if (m.commitment) byCommitment.set(m.commitment, m);
        cached = { byCommitment };
        this.fixed.set(key, cached);
        return cached;
      }
      const snapshot = await this.snapshotAt(await openedIdx());
      const check = checkRoster(snapshot, ref);
      if (!check.ok) throw new Error(`stored roster does not match: ${check.reason}`);
      cached = { byCommitment: check.byCommitment };
      this.fixed.set(key, cached);
    }
    return cached;
  }

  /** Index of the last roster event (member-*) in the log; -1 when there is none. */
  private async rosterKey(db: Db): Promise<number> {
    const value = await readMeta(db, 'roster_idx');
    if (value !== null) return Number(value);
    // A database from before `roster_idx`: one scan, until the next roster event writes it.
    const r = await db.selectFrom('log_entries').select((eb) => eb.fn.max('idx').as('m')).where('kind', 'like', 'member-%').executeTakeFirst();
    return r?.m === null || r?.m === undefined ? -1 : Number(r.m);
  }

  private async replaySnapshot(index: number): Promise<RosterSnapshot> {
    const rows = await this.db.selectFrom('log_entries').select(['body']).where('kind', 'like', 'member-%').where('idx', '<', index).orderBy('idx').execute();
    const members = new Map<number, RosterMember>();
    let leafCount = 0;
    for (const r of rows) {
      const e = JSON.parse(r.body) as LogEntry;
      switch (e.kind) {
        case 'member-added':
          members.set(e.member, { id: e.member, name: e.name, leaf: null, commitment: null });
          break;
        case 'member-enrolled':
          members.set(e.member, { ...members.get(e.member)!, leaf: e.leaf, commitment: e.commitment });
          leafCount = Math.max(leafCount, e.leaf + 1);
          break;
        case 'member-replaced':
          members.set(e.member, { ...members.get(e.member)!, commitment: e.commitment });
          break;
        case 'member-removed':
          members.delete(e.member);
          break;
      }
    }
    return { leafCount, members: [...members.values()].sort((a, b) => a.id - b.id) };
  }
}

/**
 * Bring a roster tree from `before` to `after` leaves in place: changed leaves are updated, new
 * ones appended, each costing one path of hashes. LeanIMT's own update and insert are used, not
 * Group's (whose checks copy the whole leaf array per call, and which refuse a 0 leaf): both hash
 * a 0 sibling as the circuit does (roster-tree.ts). A tree that would shrink is rebuilt.
 */
function updateGroup(group: Group, before: bigint[], after: bigint[]): Group {
  if (after.length < before.length || before.length === 0) return rosterGroup(after);
  const tree = group.leanIMT;
  for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) tree.update(i, after[i]);
  for (let i = before.length; i < after.length; i++) tree.insert(after[i]);
  return group;
}

/** A name as the roster search compares it: lower case, accents removed ("Émilie" finds "emilie"). */
function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
