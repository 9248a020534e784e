/**
 * One undersigned instance: the roster, the letters, the records and the public log, over a
 * database. Every rule the server enforces lives here, so the HTTP routes, the organizer's CLI
 * and the demo all go through the same checks. The clock and the randomness are injected.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Group } from '@semaphore-protocol/group';
import { BUNDLE_FORMAT, type Bundle, type LoggedEntry, verificationKeyDigest } from '../core/bundle.ts';
import { bytesToHex, canonicalJson, hexToBytes, sha256, utf8ToBytes } from '../core/encoding.ts';
import { type Letter, LetterSchema, letterId as computeLetterId, proposalMessage, proposalScope } from '../core/letter.ts';
import { type NoteSigner, formatCheckpoint, signNote, verifierKey as makeVerifierKey } from '../core/log/checkpoint.ts';
import { type EntryOf, type LogEntry, entryBytes } from '../core/log/entry.ts';
import { MerkleTree, leafHash as entryLeafHashFromBytes, rootFromLeafHashes } from '../core/log/merkle.ts';
import { type SignatureRecord, verifyRecord } from '../core/record.ts';
import { commitmentOf } from '../core/identity.ts';
import type { RecordTask, RecordVerdict } from '../node/verify-pool.ts';
import { groupOfLeavesParallel } from '../node/roster-tree-pool.ts';
import { type RosterMember, type RosterRef, type RosterSnapshot, checkRoster, rosterDigest, rosterGroup, rosterLeaves, treeDepth } from '../core/roster.ts';
import { type VerificationKeys, verifySemaphoreProof, type SemaphoreProof } from '../core/semaphore.ts';
import { sessionMessage, sessionScope } from '../core/session.ts';
import type { Db, Tables } from './db.ts';
import { verifySealedPart } from '../core/bundle-sealed.ts';
import { CommitteeService } from './committee.ts';
import { BallotService } from './ballots.ts';
import { ApiError, badRequest, conflict, notFound, unauthorized } from './errors.ts';
import type { Publisher, Settled } from './publisher.ts';

export interface InstanceDeps {
  db: Db;
  keys: VerificationKeys;
  now: () => Date;
  randomBytes: (n: number) => Uint8Array;
}

import type { Receipt } from '../core/member/receipt.ts';

export type { Receipt };

export const CODE_LIFETIME_DAYS = 14;
const SETUP_LIFETIME_HOURS = 72;
const SESSION_LIFETIME_MINUTES = 60;
const CHALLENGE_LIFETIME_MINUTES = 10;
/** Crockford base32 without I, L, O, U: no letter to misread on a printed sheet. */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const hashToken = (token: string) => bytesToHex(sha256(utf8ToBytes(token)));
const hex = bytesToHex;

/** Enrollment codes are typed from paper: ignore case, spaces and dashes. */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** How a running server verifies what requests bring (src/server/proof-batcher.ts). */
export interface IngestVerifier {
  verify(proof: SemaphoreProof): Promise<boolean>;
  checkRecord(task: RecordTask): Promise<RecordVerdict>;
}

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

export class Instance {
  /** The trustee committee (sealed signatures, ballots). */
  readonly committee: CommitteeService = new CommitteeService(this);
  /** Secret ballots and the procedures they decide. */
  readonly ballots: BallotService;
  private tree = new MerkleTree();
  private signer: NoteSigner | null = null;
  private rosterCache: { key: number; snapshot: RosterSnapshot; ref: RosterRef; group: Group; leaves: bigint[] } | null = null;

  /** Set by the server (app.ts) while it runs: proofs and records go to its batching worker pool. */
  private batcher: IngestVerifier | null = null;
  /** Set by the server while it runs: members' submissions are published in shuffled windows. */
  private publisher: Publisher<Db> | null = null;

  constructor(private readonly deps: InstanceDeps) {
    this.ballots = new BallotService(this, deps.keys);
  }

  get keys(): VerificationKeys {
    return this.deps.keys;
  }

  /**
   * Verify the proofs and signature records of incoming requests with `verifier` (the server's
   * ProofBatcher: batched, in worker threads) instead of one by one in this thread, until the
   * returned function is called. It must answer as verifySemaphoreProof and verifyRecord do:
   * every acceptance rule and error code stays the same.
   */
  verifyWith(verifier: IngestVerifier): () => void {
    this.batcher = verifier;
    return () => {
      if (this.batcher === verifier) this.batcher = null;
    };
  }

  /**
   * Publish members' submissions (signatures, proposals, votes) through `publisher` — held to the
   * end of a window, then appended in a shuffled order (publisher.ts) — until the returned
   * function is called. Without one, each is appended at once.
   */
  publishWith(publisher: Publisher<Db>): () => void {
    this.publisher = publisher;
    return () => {
      if (this.publisher === publisher) this.publisher = null;
    };
  }

  /** Publish what the current window holds now (before a close). */
  async flushPublications(): Promise<void> {
    await this.publisher?.flush();
  }

  /** Run a verified submission's writes now (in a transaction of their own), or with its publication window. */
  publish<T>(append: (db: Db) => Promise<T>): Promise<T> {
    return this.publisher ? this.publisher.publish(append) : this.db.transaction().execute(append);
  }

  /**
   * A publication window's appends in one transaction (one disk sync for all), each inside its own
   * savepoint: one that throws is rolled back alone and reported, the others stand.
   */
  async appendBatch(appends: ((db: Db) => Promise<unknown>)[]): Promise<Settled[]> {
    const trx = await this.db.startTransaction().execute();
    const settled: Settled[] = [];
    try {
      for (const [i, append] of appends.entries()) {
        const name = `s${i}`;
        const sp = await trx.savepoint(name).execute();
        try {
          settled.push({ ok: true, value: await append(sp) });
          await sp.releaseSavepoint(name).execute();
        } catch (error) {
          await sp.rollbackToSavepoint(name).execute();
          settled.push({ ok: false, error });
        }
      }
      await trx.commit().execute();
    } catch (error) {
      await trx.rollback().execute().catch(() => undefined);
      throw error;
    }
    return settled;
  }

  /** A Semaphore proof, through the running server's batcher when there is one (ballots.ts uses it for votes). */
  verifyProof(proof: SemaphoreProof): Promise<boolean> {
    return this.batcher ? this.batcher.verify(proof) : verifySemaphoreProof(proof, this.deps.keys);
  }

  get db(): Db {
    return this.deps.db;
  }

  // --- instance ------------------------------------------------------------------------------

  async isInitialized(): Promise<boolean> {
    return (await this.meta('origin')) !== null;
  }

  /** Create the instance: its log signing key, the first log entry and a one-time setup token. */
  async init(options: { name: string; origin: string }): Promise<{ setupToken: string }> {
    if (await this.isInitialized()) throw conflict('already_initialized', 'this instance already exists');
    if (!/^[a-z0-9.-]+(\/[A-Za-z0-9._-]+)*$/.test(options.origin)) {
      throw badRequest('bad_origin', 'the log origin is a host name like example.org/caucus');
    }
    const secretKey = this.deps.randomBytes(32);
    const publicKey = ed25519.getPublicKey(secretKey);
    const keyName = options.origin;
    const setupToken = toBase64Url(this.deps.randomBytes(24));
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('meta')
        .values([
          { key: 'origin', value: options.origin },
          { key: 'name', value: options.name },
          { key: 'signing_key', value: hex(secretKey) },
        ])
        .execute();
      await trx.insertInto('setup_tokens').values({ token_hash: hashToken(setupToken), expires_at: this.later(SETUP_LIFETIME_HOURS * 60), used: 0 }).execute();
    });
    this.signer = ed25519Signer(keyName, secretKey, publicKey);
    await this.append({ kind: 'instance-created', name: options.name, verifierKey: makeVerifierKey(keyName, publicKey) });
    return { setupToken };
  }

  /** Load the signing key and the log into memory. */
  async load(): Promise<void> {
    const origin = await this.meta('origin');
    const key = await this.meta('signing_key');
    if (origin === null || key === null) throw new ApiError(503, 'not_initialized', 'this instance has not been created yet');
    const secretKey = hexToBytes(key);
    this.signer = ed25519Signer(origin, secretKey, ed25519.getPublicKey(secretKey));
    await this.syncTree(this.db);
  }

  async info() {
    return {
      name: (await this.meta('name')) ?? '',
      origin: this.signerOrThrow().name,
      verifierKey: this.verifierKey(),
      checkpoint: await this.latestCheckpoint(),
      setupDone: (await this.db.selectFrom('admin_tokens').select('token_hash').executeTakeFirst()) !== undefined,
    };
  }

  verifierKey(): string {
    const s = this.signerOrThrow();
    return makeVerifierKey(s.name, s.publicKey);
  }

  /** Exchange the one-time setup token for an organizer token. Opening the link does not consume it. */
  async setup(token: string, name?: string): Promise<{ adminToken: string }> {
    const row = await this.db.selectFrom('setup_tokens').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
    if (!row || row.used) throw new ApiError(403, 'setup_token_invalid', 'this setup link is not valid or was already used');
    if (row.expires_at < this.nowIso()) throw new ApiError(403, 'setup_token_expired', 'this setup link has expired: run `undersigned init --new-setup-token`');
    const adminToken = toBase64Url(this.deps.randomBytes(32));
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('setup_tokens').set({ used: 1 }).where('token_hash', '=', row.token_hash).where('used', '=', 0).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new ApiError(403, 'setup_token_invalid', 'this setup link was already used');
      await trx.insertInto('admin_tokens').values({ token_hash: hashToken(adminToken) }).execute();
      // The display name only; the log's identity is its origin and key, which never change.
      if (name !== undefined) await trx.updateTable('meta').set({ value: normalizeName(name) }).where('key', '=', 'name').execute();
    });
    return { adminToken };
  }

  async newSetupToken(): Promise<string> {
    const token = toBase64Url(this.deps.randomBytes(24));
    await this.db.insertInto('setup_tokens').values({ token_hash: hashToken(token), expires_at: this.later(SETUP_LIFETIME_HOURS * 60), used: 0 }).execute();
    return token;
  }

  async checkAdmin(token: string | undefined): Promise<void> {
    if (!token) throw unauthorized();
    const row = await this.db.selectFrom('admin_tokens').select('token_hash').where('token_hash', '=', hashToken(token)).executeTakeFirst();
    if (!row) throw unauthorized('this organizer token is not valid');
  }

  // --- roster --------------------------------------------------------------------------------

  /**
   * Add members by name; each gets a single-use enrollment code, shown once. A list is one
   * transaction: its rows are inserted in batches and its log entries are appended together under
   * ONE signed checkpoint (a 100,000-member import signs one note, not 100,000). The organizer
   * gets no per-member receipt, so nothing is lost by not signing the intermediate tree sizes.
   */
  async addMembers(people: { name: string; extra?: Record<string, string> }[]): Promise<{ id: number; name: string; code: string; expiresAt: string }[]> {
    const names = people.map((p) => normalizeName(p.name));
    for (const n of names) {
      if (!n || n.length > 200 || /[\p{Cc}]/u.test(n)) throw badRequest('bad_name', `"${n}" is not a usable name (1 to 200 characters, no control characters)`);
    }
    if (new Set(names).size !== names.length) throw conflict('duplicate_name', 'the same name appears twice in this list');
    if (names.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('members').select('name').where('status', '=', 'active').execute();
      const taken = new Set(existing.map((e) => e.name));
      const clash = names.find((n) => taken.has(n));
      if (clash) throw conflict('duplicate_name', `${clash} is already on the roster`);
      const max = await trx.selectFrom('members').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
      const first = Number(max?.max ?? 0) + 1;
      const out: { id: number; name: string; code: string; expiresAt: string }[] = [];
      const memberRows: Tables['members'][] = [];
      const codeRows: Tables['enrollment_codes'][] = [];
      const entries: LogEntry[] = [];
      for (let i = 0; i < people.length; i++) {
        const id = first + i;
        memberRows.push({ id, name: names[i], extra: canonicalJson(people[i].extra ?? {}), leaf: null, commitment: null, status: 'active' });
        entries.push({ kind: 'member-added', member: id, name: names[i] });
        const c = this.newCode(id, 'enroll');
        codeRows.push(c.row);
        out.push({ id, name: names[i], code: c.code, expiresAt: c.expiresAt });
      }
      for (const chunk of chunks(memberRows, INSERT_BATCH)) await trx.insertInto('members').values(chunk).execute();
      for (const chunk of chunks(codeRows, INSERT_BATCH)) await trx.insertInto('enrollment_codes').values(chunk).execute();
      await this.appendMany(entries, trx);
      return out;
    });
  }

  /** A fresh enrollment code for a member who has not enrolled (the old codes stop working). */
  async reissueCode(memberId: number): Promise<{ code: string; expiresAt: string }> {
    return this.db.transaction().execute(async (trx) => {
      const m = await this.activeMember(trx, memberId);
      if (m.commitment) throw conflict('already_enrolled', `${m.name} has already enrolled; use a replacement if their identity is lost`);
      await trx.updateTable('enrollment_codes').set({ used: 1 }).where('member_id', '=', memberId).execute();
      return this.issueCode(trx, memberId, 'enroll');
    });
  }

  /** An organizer-approved replacement of a lost identity: a code whose use swaps the commitment. */
  async approveReplacement(memberId: number): Promise<{ code: string; expiresAt: string }> {
    return this.db.transaction().execute(async (trx) => {
      const m = await this.activeMember(trx, memberId);
      if (!m.commitment) throw conflict('not_enrolled', `${m.name} has not enrolled yet: give them a new enrollment code instead`);
      await trx.updateTable('enrollment_codes').set({ used: 1 }).where('member_id', '=', memberId).execute();
      return this.issueCode(trx, memberId, 'replace');
    });
  }

  async removeMember(memberId: number): Promise<Receipt> {
    return this.db.transaction().execute(async (trx) => {
      const m = await this.activeMember(trx, memberId);
      await trx.updateTable('members').set({ status: 'removed', leaf: null, commitment: null }).where('id', '=', memberId).execute();
      await trx.updateTable('enrollment_codes').set({ used: 1 }).where('member_id', '=', memberId).execute();
      return this.append({ kind: 'member-removed', member: memberId, leaf: m.leaf }, trx);
    });
  }

  /** Bind an enrollment code to an identity commitment made on the member's side. */
  async enroll(code: string, commitment: string): Promise<{ member: { id: number; name: string }; leaf: number; receipt: Receipt }> {
    checkCommitment(commitment);
    return this.db.transaction().execute(async (trx) => {
      const { entry, member, leaf } = await this.enrollOne(trx, code, commitment);
      const receipt = await this.append(entry, trx);
      return { member, leaf, receipt };
    });
  }

  /**
   * Many enrollments in one transaction (bulk onboarding of identities made elsewhere, or a test
   * or benchmark roster): the same checks as `enroll` one after the other, the entries appended
   * together under one signed checkpoint, and each receipt proven against that stored checkpoint.
   * All or nothing: one bad code refuses the whole list.
   */
  async enrollMany(list: { code: string; commitment: string }[]): Promise<{ member: { id: number; name: string }; leaf: number; receipt: Receipt }[]> {
    for (const e of list) checkCommitment(e.commitment);
    if (list.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const done = (await this.enrollBatch(trx, list)) ?? [];
      if (done.length === 0) for (const e of list) done.push(await this.enrollOne(trx, e.code, e.commitment));
      const receipts = await this.appendMany(done.map((d) => d.entry), trx);
      return done.map((d, i) => ({ member: d.member, leaf: d.leaf, receipt: receipts.receipt(i) }));
    });
  }

  /**
   * The common case of `enrollMany` with batched reads and writes: first enrollments only, each
   * member once. Anything else (a replacement code, a code or commitment twice in the list) returns
   * null and the caller goes one by one; a refusal throws the error `enrollOne` would give.
   */
  private async enrollBatch(trx: Db, list: { code: string; commitment: string }[]): Promise<{ entry: LogEntry; member: { id: number; name: string }; leaf: number }[] | null> {
    const hashes = list.map((e) => hashToken(normalizeCode(e.code)));
    if (new Set(hashes).size !== hashes.length || new Set(list.map((e) => e.commitment)).size !== list.length) return null;
    const codes = new Map<string, Tables['enrollment_codes']>();
    for (const chunk of chunks(hashes, INSERT_BATCH)) {
      for (const r of await trx.selectFrom('enrollment_codes').selectAll().where('code_hash', 'in', chunk).execute()) codes.set(r.code_hash, r);
    }
    const now = this.nowIso();
    const memberIds: number[] = [];
    for (const h of hashes) {
      const row = codes.get(h);
      if (!row) throw new ApiError(403, 'code_invalid', 'this enrollment code is not valid: check it, or ask the organizer for a new one');
      if (row.used) throw new ApiError(403, 'code_used', 'this enrollment code was already used: ask the organizer for a new one');
      if (row.expires_at < now) throw new ApiError(403, 'code_expired', 'this enrollment code has expired: ask the organizer for a new one');
      if (row.purpose !== 'enroll') return null;
      memberIds.push(row.member_id);
    }
    if (new Set(memberIds).size !== memberIds.length) return null;
    const members = new Map<number, Tables['members']>();
    for (const chunk of chunks(memberIds, INSERT_BATCH)) {
      for (const m of await trx.selectFrom('members').selectAll().where('id', 'in', chunk).execute()) members.set(m.id, m);
    }
    for (const chunk of chunks(list.map((e) => e.commitment), INSERT_BATCH)) {
      const clash = await trx.selectFrom('members').select('id').where('commitment', 'in', chunk).executeTakeFirst();
      if (clash) throw conflict('commitment_taken', 'this identity is already enrolled: make a new identity');
    }
    const max = await trx.selectFrom('meta').select('value').where('key', '=', 'leaf_count').executeTakeFirst();
    const firstLeaf = Number(max?.value ?? 0);
    const out = [];
    for (let i = 0; i < list.length; i++) {
      const m = members.get(memberIds[i]);
      if (!m || m.status !== 'active') throw notFound('member_not_found', `there is no active member ${memberIds[i]}`);
      if (m.commitment) throw conflict('already_enrolled', `${m.name} has already enrolled`);
      const leaf = firstLeaf + i;
      out.push({ member: { id: m.id, name: m.name }, leaf, entry: { kind: 'member-enrolled', member: m.id, leaf, commitment: list[i].commitment } as LogEntry });
    }
    for (const chunk of chunks(hashes, INSERT_BATCH)) await trx.updateTable('enrollment_codes').set({ used: 1 }).where('code_hash', 'in', chunk).execute();
    for (let i = 0; i < list.length; i++) {
      await trx.updateTable('members').set({ commitment: list[i].commitment, leaf: firstLeaf + i }).where('id', '=', memberIds[i]).execute();
    }
    await upsertMeta(trx, 'leaf_count', String(firstLeaf + list.length));
    return out;
  }

  private async enrollOne(trx: Db, code: string, commitment: string): Promise<{ entry: LogEntry; member: { id: number; name: string }; leaf: number }> {
    const codeHash = hashToken(normalizeCode(code));
    const row = await trx.selectFrom('enrollment_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
    if (!row) throw new ApiError(403, 'code_invalid', 'this enrollment code is not valid: check it, or ask the organizer for a new one');
    if (row.used) throw new ApiError(403, 'code_used', 'this enrollment code was already used: ask the organizer for a new one');
    if (row.expires_at < this.nowIso()) throw new ApiError(403, 'code_expired', 'this enrollment code has expired: ask the organizer for a new one');
    const m = await this.activeMember(trx, row.member_id);
    const clash = await trx.selectFrom('members').select('id').where('commitment', '=', commitment).executeTakeFirst();
    if (clash) throw conflict('commitment_taken', 'this identity is already enrolled: make a new identity');
    await trx.updateTable('enrollment_codes').set({ used: 1 }).where('code_hash', '=', codeHash).execute();
    const member = { id: m.id, name: m.name };
    if (row.purpose === 'replace') {
      if (m.leaf === null) throw conflict('not_enrolled', 'this member has no identity to replace');
      await trx.updateTable('members').set({ commitment }).where('id', '=', m.id).execute();
      return { member, leaf: m.leaf, entry: { kind: 'member-replaced', member: m.id, leaf: m.leaf, commitment } };
    }
    if (m.commitment) throw conflict('already_enrolled', `${m.name} has already enrolled`);
    const max = await trx.selectFrom('meta').select('value').where('key', '=', 'leaf_count').executeTakeFirst();
    const leaf = Number(max?.value ?? 0);
    await upsertMeta(trx, 'leaf_count', String(leaf + 1));
    await trx.updateTable('members').set({ commitment, leaf }).where('id', '=', m.id).execute();
    return { member, leaf, entry: { kind: 'member-enrolled', member: m.id, leaf, commitment } };
  }

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
  async roster(db: Db = this.db): Promise<{ snapshot: RosterSnapshot; ref: RosterRef; group: Group }> {
    const key = await this.rosterKey(db);
    if (this.rosterCache && this.rosterCache.key === key) return this.rosterCache;
    const rows = await db.selectFrom('members').select(['id', 'name', 'leaf', 'commitment']).where('status', '=', 'active').orderBy('id').execute();
    const leafCount = Number((await db.selectFrom('meta').select('value').where('key', '=', 'leaf_count').executeTakeFirst())?.value ?? 0);
    const snapshot: RosterSnapshot = { leafCount, members: rows.map((r) => ({ id: r.id, name: r.name, leaf: r.leaf, commitment: r.commitment })) };
    const leaves = rosterLeaves(snapshot);
    if (!leaves.ok) throw new Error(`stored roster is inconsistent: ${leaves.reason}`);
    // A first build hashes the whole tree on every core, off the event loop (~100,000 hashes for
    // 100,000 members); later changes update the cached tree along their paths.
    const group = this.rosterCache ? updateGroup(this.rosterCache.group, this.rosterCache.leaves, leaves.leaves) : await groupOfLeavesParallel(leaves.leaves);
    if (this.rosterCache && this.rosterCache.key === key) return this.rosterCache; // built meanwhile by another request
    const ref: RosterRef = {
      root: group.root.toString(),
      depth: treeDepth(snapshot.leafCount),
      size: snapshot.members.length,
      enrolled: snapshot.members.filter((m) => m.commitment !== null).length,
      digest: rosterDigest(snapshot),
    };
    this.rosterCache = { key, snapshot, ref, group, leaves: leaves.leaves };
    return this.rosterCache;
  }

  /**
   * One page of the current roster, with the reference of the whole roster. With `query`, only the
   * members whose name contains it (case and accents aside), and `total` counts those.
   */
  async rosterPage(
    offset: number,
    limit: number,
    query?: string,
  ): Promise<{ ref: RosterRef; leafCount: number; total: number; offset: number; limit: number; members: RosterMember[] }> {
    const { snapshot, ref } = await this.roster();
    const needle = query === undefined ? '' : foldForSearch(query.trim());
    const matching = needle ? snapshot.members.filter((m) => foldForSearch(m.name).includes(needle)) : snapshot.members;
    return { ref, leafCount: snapshot.leafCount, total: matching.length, offset, limit, members: matching.slice(offset, offset + limit) };
  }

  /** Index of the last roster event (member-*) in the log; -1 when there is none. */
  private async rosterKey(db: Db): Promise<number> {
    const row = await db.selectFrom('meta').select('value').where('key', '=', 'roster_idx').executeTakeFirst();
    if (row) return Number(row.value);
    // A database from before `roster_idx`: one scan, until the next roster event writes it.
    const r = await db.selectFrom('log_entries').select((eb) => eb.fn.max('idx').as('m')).where('kind', 'like', 'member-%').executeTakeFirst();
    return r?.m === null || r?.m === undefined ? -1 : Number(r.m);
  }

  /** A member's roster entry and every log entry about it, for `member check`. */
  async memberEntry(memberId: number) {
    const m = await this.db.selectFrom('members').select(['id', 'name', 'leaf', 'commitment', 'status']).where('id', '=', memberId).executeTakeFirst();
    if (!m) throw notFound('member_not_found', `there is no member ${memberId}`);
    const rows = await this.db.selectFrom('log_entries').select(['idx', 'body']).where('kind', 'like', 'member-%').orderBy('idx').execute();
    const events = rows.map((r) => ({ index: r.idx, entry: JSON.parse(r.body) as LogEntry })).filter((e) => 'member' in e.entry && e.entry.member === memberId);
    return { member: m, events };
  }

  // --- letters -------------------------------------------------------------------------------

  /** Open a letter proposed anonymously with a membership proof over the current roster. */
  async proposeLetter(letterInput: unknown, proposal: SemaphoreProof): Promise<{ letterId: string; receipt: Receipt }> {
    const parsed = LetterSchema.safeParse(letterInput);
    if (!parsed.success) throw badRequest('bad_letter', `letter field ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
    const letter = parsed.data;
    const id = computeLetterId(letter);
    if (letter.deadline <= this.nowIso()) throw badRequest('deadline_passed', 'the deadline must be in the future');
    const current = await this.roster();
    if (canonicalJson(letter.roster) !== canonicalJson(current.ref)) {
      throw conflict('roster_changed', 'the letter must fix the current roster: fetch it again and redo the proposal');
    }
    if (current.ref.enrolled < 1) throw conflict('roster_empty', 'nobody has enrolled yet');
    if (letter.committee) {
      const ref = await this.committee.letterRef();
      if (!ref) throw conflict('committee_not_ready', 'sealed signatures need a trustee committee whose key generation is complete');
      if (canonicalJson(ref) !== canonicalJson(letter.committee)) throw conflict('committee_mismatch', 'the letter must fix the current committee key: fetch it again');
      if (letter.revealThreshold < 1) throw badRequest('bad_letter', 'a letter with sealed signatures needs a reveal threshold of at least 1');
    }
    if (
      proposal.merkleTreeRoot !== letter.roster.root ||
      proposal.merkleTreeDepth !== letter.roster.depth ||
      proposal.scope !== proposalScope(id).toString() ||
      proposal.message !== proposalMessage(id).toString()
    ) {
      throw badRequest('bad_proposal', 'the proposal proof is not for this letter and roster');
    }
    if (!(await this.verifyProof(proposal))) throw badRequest('bad_proof', 'the proposal proof does not verify');
    return this.publish(async (trx) => {
      const exists = await trx.selectFrom('letters').select('id').where('id', '=', id).executeTakeFirst();
      if (exists) throw conflict('letter_exists', 'this letter is already open');
      const fresh = await this.roster(trx);
      if (fresh.ref.root !== letter.roster.root || fresh.ref.digest !== letter.roster.digest) {
        throw conflict('roster_changed', 'the roster changed while the letter was being proposed: try again');
      }
      const receipt = await this.append({ kind: 'letter-opened', letterId: id, letter, proposal }, trx);
      await trx.insertInto('letters').values({ id, body: canonicalJson(letter), opened_idx: receipt.index, closed_idx: null, deadline: letter.deadline }).execute();
      return { letterId: id, receipt };
    });
  }

  async letter(id: string, db: Db = this.db): Promise<{ letter: Letter; row: Tables['letters'] }> {
    if (!/^[0-9a-f]{64}$/.test(id)) throw badRequest('bad_letter_id', 'a letter id is 64 lowercase hex characters');
    const row = await db.selectFrom('letters').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('letter_not_found', `there is no letter ${id}`);
    return { letter: LetterSchema.parse(JSON.parse(row.body)), row };
  }

  async letters() {
    const rows = await this.db.selectFrom('letters').selectAll().orderBy('opened_idx', 'desc').execute();
    return Promise.all(rows.map((r) => this.letterStatus(r.id)));
  }

  /** A letter with what its visibility setting lets anyone see now. */
  async letterStatus(id: string, options: { member?: boolean } = {}) {
    const { letter, row } = await this.letter(id);
    const closed = row.closed_idx !== null;
    const state = await this.currentTally(id);
    let visible: boolean;
    switch (letter.visibility) {
      case 'live':
        visible = true;
        break;
      case 'members':
        visible = closed || options.member === true;
        break;
      case 'at-threshold':
        visible = closed || state.count >= letter.revealThreshold;
        break;
      case 'at-close':
        visible = closed;
        break;
    }
    return {
      letterId: id,
      letter,
      status: closed ? ('closed' as const) : row.deadline <= this.nowIso() ? ('past-deadline' as const) : ('open' as const),
      rosterSize: letter.roster.size,
      count: visible ? state.count : null,
      named: visible ? state.named : null,
    };
  }

  /** The roster snapshot a letter fixed, replayed from the log (members check it against the letter). */
  async letterRoster(id: string): Promise<RosterSnapshot> {
    const { row } = await this.letter(id);
    return this.snapshotAt(row.opened_idx);
  }

  /** The latest state of one nullifier on a letter (how a member's device learns its next seq). */
  async nullifierState(id: string, nullifier: string) {
    await this.letter(id);
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
    const arrived = this.nowIso();
    const { letter } = await this.letter(id);
    const roster = await this.rosterForLetter(letter);
    const check = this.batcher
      ? await this.batcher.checkRecord({ record: recordInput, letterId: id, letter, member: namedMember(recordInput, roster.byCommitment) })
      : await verifyRecord(recordInput, { letterId: id, letter, byCommitment: roster.byCommitment, keys: this.deps.keys });
    if (!check.ok) throw badRequest(check.code, check.reason);
    const nullifier = recordInput.proof.nullifier;
    return this.publish(async (trx) => {
      const { row } = await this.letter(id, trx);
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
        const state = await this.currentTally(id, trx);
        if (state.namedIds.includes(check.signer.id) && state.namedNullifiers.get(check.signer.id) !== nullifier) {
          throw conflict('named_twice', `${check.signer.name} is already named on this letter`);
        }
      }
      const receipt = await this.append({ kind: 'signature', letterId: id, record: recordInput }, trx);
      await trx
        .insertInto('signatures')
        .values({ letter_id: id, log_idx: receipt.index, nullifier, seq: recordInput.action.seq, action: recordInput.action.action, signer_member: check.signer?.id ?? null })
        .execute();
      return receipt;
    });
  }

  /** Close a letter: commit its record set and result to the log. */
  async closeLetter(id: string): Promise<Receipt & { count: number; named: string[] }> {
    // What was accepted before the close is published before it.
    await this.flushPublications();
    return this.db.transaction().execute(async (trx) => {
      const { row } = await this.letter(id, trx);
      if (row.closed_idx !== null) throw conflict('letter_closed', 'this letter is already closed');
      const recordRows = await trx.selectFrom('log_entries').select(['leaf_hash']).where('letter_id', '=', id).where('kind', '=', 'signature').orderBy('idx').execute();
      const state = await this.currentTally(id, trx);
      const entry: EntryOf<'letter-closed'> = {
        kind: 'letter-closed',
        letterId: id,
        records: { size: recordRows.length, root: hex(rootFromLeafHashes(recordRows.map((r) => hexToBytes(r.leaf_hash)))) },
        result: { count: state.count, named: state.named },
      };
      const receipt = await this.append(entry, trx);
      await trx.updateTable('letters').set({ closed_idx: receipt.index }).where('id', '=', id).execute();
      return { ...receipt, count: state.count, named: state.named };
    });
  }

  /** The offline-verifiable bundle of a closed letter (docs/bundle-format.md). */
  async bundle(id: string): Promise<Bundle> {
    const { letter, row } = await this.letter(id);
    if (row.closed_idx === null) throw conflict('letter_open', 'a bundle is made once the letter is closed');
    await this.syncTree(this.db);
    const checkpoint = await this.latestCheckpoint();
    const size = this.tree.size;
    const rows = await this.db.selectFrom('log_entries').select(['idx', 'body', 'kind']).where('letter_id', '=', id).orderBy('idx').execute();
    const logged = (r: { idx: number; body: string }): LoggedEntry => ({
      index: r.idx,
      entry: JSON.parse(r.body) as LogEntry,
      proof: this.tree.inclusionProof(r.idx, size).map(hex),
    });
    const opened = rows.find((r) => r.idx === row.opened_idx);
    const closed = rows.find((r) => r.idx === row.closed_idx);
    if (!opened || !closed) throw new Error('letter entries missing from the log');
    const closedEntry = JSON.parse(closed.body) as EntryOf<'letter-closed'>;
    const snapshot = await this.snapshotAt(row.opened_idx);
    const vkey = await this.deps.keys(letter.roster.depth);
    const records = rows.filter((r) => r.kind === 'signature').map(logged);
    const bundle: Bundle = {
      format: BUNDLE_FORMAT,
      letterId: id,
      log: { verifierKey: this.verifierKey(), checkpoint },
      roster: snapshot,
      opened: logged(opened),
      records,
      closed: logged(closed),
      result: { count: closedEntry.result.count, rosterSize: letter.roster.size, named: closedEntry.result.named },
      verificationKey: { name: 'semaphore-v4', depth: letter.roster.depth, sha256: verificationKeyDigest(vkey) },
    };
    if (letter.committee) {
      // The committee's entries and the reveal, with the result computed by the verifier's own code.
      const committee = (await this.committee.entries()).filter((e) => e.index < row.opened_idx).map((e) => logged({ idx: e.index, body: canonicalJson(e.entry) }));
      const reveals = rows.filter((r) => r.kind === 'reveal-partials').map(logged);
      const cp = { size, rootHash: this.tree.root(size) };
      const roster = checkRoster(snapshot, letter.roster);
      if (!roster.ok) throw new Error(roster.reason);
      const part = verifySealedPart({
        letter,
        letterId: id,
        checkpoint: cp,
        openedIndex: row.opened_idx,
        closedIndex: row.closed_idx,
        committee,
        reveals,
        records: records.map((r) => {
          const e = r.entry as EntryOf<'signature'>;
          return { nullifier: e.record.proof.nullifier, action: e.record.action };
        }),
        count: closedEntry.result.count,
        byCommitment: roster.byCommitment,
      });
      if (!part.ok) throw new Error(`stored committee or reveal entries do not verify: ${part.reason}`);
      bundle.committee = committee;
      bundle.reveals = reveals;
      bundle.result.revealed = part.reveal?.revealed.map((r) => r.name) ?? [];
      bundle.result.sealed = part.sealed;
    }
    return bundle;
  }

  /** The latest checkpoint with its size, and inclusion proofs against it (for bundles). */
  async logView(): Promise<{ checkpoint: string; size: number; proofOf: (index: number, size: number) => string[] }> {
    await this.syncTree(this.db);
    return { checkpoint: await this.latestCheckpoint(), size: this.tree.size, proofOf: (i, n) => this.tree.inclusionProof(i, n).map(hex) };
  }

  // --- membership sessions ------------------------------------------------------------------

  async challenge(): Promise<{ challenge: string; expiresAt: string }> {
    const challenge = hex(this.deps.randomBytes(32));
    const expiresAt = this.later(CHALLENGE_LIFETIME_MINUTES);
    await this.db.insertInto('challenges').values({ challenge, expires_at: expiresAt, used: 0 }).execute();
    return { challenge, expiresAt };
  }

  /** Exchange a membership proof over a fresh challenge for a session token tied to no one. */
  async openSession(challenge: string, proof: SemaphoreProof): Promise<{ session: string; expiresAt: string }> {
    const row = await this.db.selectFrom('challenges').selectAll().where('challenge', '=', challenge).executeTakeFirst();
    if (!row || row.used) throw new ApiError(403, 'challenge_invalid', 'this challenge is unknown or was already used: ask for a new one');
    if (row.expires_at < this.nowIso()) throw new ApiError(403, 'challenge_expired', 'this challenge has expired: ask for a new one');
    const { ref } = await this.roster();
    if (proof.merkleTreeRoot !== ref.root || proof.merkleTreeDepth !== ref.depth) throw badRequest('wrong_root', 'the proof is not against the current roster');
    if (proof.scope !== sessionScope(challenge).toString() || proof.message !== sessionMessage(challenge).toString()) {
      throw badRequest('wrong_scope', 'the proof is not over this challenge');
    }
    if (!(await this.verifyProof(proof))) throw badRequest('bad_proof', 'the membership proof does not verify');
    const session = toBase64Url(this.deps.randomBytes(32));
    const expiresAt = this.later(SESSION_LIFETIME_MINUTES);
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('challenges').set({ used: 1 }).where('challenge', '=', challenge).where('used', '=', 0).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new ApiError(403, 'challenge_invalid', 'this challenge was already used');
      await trx.insertInto('sessions').values({ token_hash: hashToken(session), expires_at: expiresAt }).execute();
    });
    return { session, expiresAt };
  }

  async checkSession(token: string | undefined): Promise<boolean> {
    if (!token) return false;
    const row = await this.db.selectFrom('sessions').select('expires_at').where('token_hash', '=', hashToken(token)).executeTakeFirst();
    return row !== undefined && row.expires_at >= this.nowIso();
  }

  // --- log -----------------------------------------------------------------------------------

  async latestCheckpoint(): Promise<string> {
    const row = await this.db.selectFrom('checkpoints').select('note').orderBy('size', 'desc').executeTakeFirst();
    if (!row) throw new ApiError(503, 'not_initialized', 'the log is empty');
    return row.note;
  }

  async checkpointAt(size: number): Promise<string | null> {
    const row = await this.db.selectFrom('checkpoints').select('note').where('size', '=', size).executeTakeFirst();
    return row?.note ?? null;
  }

  async logEntries(start: number, end: number) {
    const rows = await this.db.selectFrom('log_entries').select(['idx', 'body', 'leaf_hash', 'kind', 'letter_id']).where('idx', '>=', start).where('idx', '<', end).orderBy('idx').execute();
    const out = [];
    // Whether a letter's count is visible, asked once per letter (not once per signature entry).
    const hidden = new Map<string, boolean>();
    for (const r of rows) {
      // Signature bodies of letters whose count is still hidden are withheld; their leaf hashes are not.
      let withheld = false;
      if (r.kind === 'signature' && r.letter_id) {
        if (!hidden.has(r.letter_id)) hidden.set(r.letter_id, (await this.letterStatus(r.letter_id)).count === null);
        withheld = hidden.get(r.letter_id)!;
      }
      out.push({ index: r.idx, leafHash: r.leaf_hash, entry: withheld ? null : (JSON.parse(r.body) as LogEntry) });
    }
    return out;
  }

  async inclusion(index: number, size: number): Promise<string[]> {
    await this.syncTree(this.db);
    if (size > this.tree.size || size < 1) throw badRequest('bad_size', `the log has ${this.tree.size} entries`);
    if (index < 0 || index >= size) throw badRequest('bad_index', `index must be below ${size}`);
    return this.tree.inclusionProof(index, size).map(hex);
  }

  async consistency(size1: number, size2: number): Promise<string[]> {
    await this.syncTree(this.db);
    if (size2 > this.tree.size || size1 < 1 || size1 > size2) throw badRequest('bad_size', `sizes must satisfy 1 <= from <= to <= ${this.tree.size}`);
    return this.tree.consistencyProof(size1, size2).map(hex);
  }

  async logSize(db: Db = this.db): Promise<number> {
    // Entries are numbered 0..n-1 without gaps (syncTree checks it), and idx is the table's integer
    // primary key: max(idx) is one b-tree descent where count(*) scans the whole table.
    const r = await db.selectFrom('log_entries').select((eb) => eb.fn.max('idx').as('m')).executeTakeFirst();
    return r?.m === null || r?.m === undefined ? 0 : Number(r.m) + 1;
  }

  // --- internals -----------------------------------------------------------------------------

  /**
   * Append an entry, sign the new checkpoint, and return the receipt. Runs inside the caller's
   * transaction; the in-memory tree is re-read from the database first, so another process
   * (the organizer's CLI) appending to the same file is picked up.
   */
  /** Internal to the server: other server modules (the committee) append through here. */
  async append(entry: LogEntry, db: Db = this.db): Promise<Receipt> {
    const many = await this.appendMany([entry], db);
    return many.receipt(0);
  }

  /**
   * Append several entries in the caller's transaction and sign ONE checkpoint, at the size after
   * the last of them; rows go in in batches. `receipt(i)` proves entry i against that checkpoint,
   * which is stored: the same kind of receipt `append` gives. (`append` is this with one entry, so
   * single entries still get a checkpoint each.)
   */
  async appendMany(entries: LogEntry[], db: Db = this.db): Promise<{ firstIndex: number; size: number; checkpoint: string; receipt(i: number): Receipt }> {
    if (entries.length === 0) throw new Error('appendMany: no entries');
    await this.syncTree(db);
    const signer = this.signerOrThrow();
    const firstIndex = this.tree.size;
    const decoder = new TextDecoder();
    const leafHashes: Uint8Array[] = [];
    const rows: Tables['log_entries'][] = [];
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      const bytes = entryBytes(entry);
      const leafHash = entryLeafHashFromBytes(bytes);
      leafHashes.push(leafHash);
      // The subject column indexes entries by letter or ballot.
      const letterId = 'letterId' in entry ? entry.letterId : 'ballotId' in entry ? entry.ballotId : null;
      rows.push({ idx: firstIndex + i, leaf_hash: hex(leafHash), body: decoder.decode(bytes), kind: entry.kind, letter_id: letterId });
    }
    for (const chunk of chunks(rows, INSERT_BATCH)) await db.insertInto('log_entries').values(chunk).execute();
    // The roster cache's key: the last roster event, in the same transaction as the event.
    let lastRosterEvent = -1;
    entries.forEach((e, i) => {
      if (e.kind.startsWith('member-')) lastRosterEvent = firstIndex + i;
    });
    if (lastRosterEvent >= 0) await upsertMeta(db, 'roster_idx', String(lastRosterEvent));
    for (const h of leafHashes) this.tree.append(h);
    const size = this.tree.size;
    const root = this.tree.root();
    const checkpoint = signNote(formatCheckpoint({ origin: signer.name, size, rootHash: root }), signer);
    await db.insertInto('checkpoints').values({ size, root: hex(root), note: checkpoint }).execute();
    const tree = this.tree;
    return {
      firstIndex,
      size,
      checkpoint,
      receipt: (i: number) => ({ index: firstIndex + i, leafHash: hex(leafHashes[i]), proof: tree.inclusionProof(firstIndex + i, size).map(hex), checkpoint }),
    };
  }

  private async syncTree(db: Db): Promise<void> {
    const size = await this.logSize(db);
    if (size < this.tree.size) this.tree = new MerkleTree(); // a rolled-back transaction
    if (size === this.tree.size) return;
    const rows = await db.selectFrom('log_entries').select(['idx', 'leaf_hash']).where('idx', '>=', this.tree.size).orderBy('idx').execute();
    for (const r of rows) {
      if (r.idx !== this.tree.size) throw new Error(`log entry ${this.tree.size} is missing from the database`);
      this.tree.append(hexToBytes(r.leaf_hash));
    }
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
    if (index <= (await this.logSize(this.db))) {
      this.snapshots.set(index, snapshot);
      while (this.snapshots.size > SNAPSHOT_CACHE) this.snapshots.delete(this.snapshots.keys().next().value!);
    }
    return snapshot;
  }

  private snapshots = new Map<number, RosterSnapshot>();

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

  private rosterChecks = new Map<string, { byCommitment: Map<string, RosterMember> }>();

  private async rosterForLetter(letter: Letter) {
    return this.rosterFixedBy(letter.roster, async () => (await this.letter(computeLetterId(letter))).row.opened_idx);
  }

  /**
   * The members of the roster a letter or a ballot fixed, by commitment, checked once per roster
   * digest and kept: rebuilding a 100,000-leaf tree per request would take seconds.
   */
  async rosterFixedBy(ref: RosterRef, openedIdx: () => Promise<number>): Promise<{ byCommitment: ReadonlyMap<string, RosterMember> }> {
    const key = ref.digest;
    let cached = this.rosterChecks.get(key);
    if (!cached) {
      // It fixed the current roster (the usual case): the digest binds the snapshot, so the cached
      // roster stands for it without rebuilding its tree.
      const current = await this.roster();
      if (current.ref.digest === ref.digest && canonicalJson(current.ref) === canonicalJson(ref)) {
        const byCommitment = new Map<string, RosterMember>();
        for (const m of current.snapshot.members) if (m.commitment) byCommitment.set(m.commitment, m);
        cached = { byCommitment };
        this.rosterChecks.set(key, cached);
        return cached;
      }
      const snapshot = await this.snapshotAt(await openedIdx());
      const check = checkRoster(snapshot, ref);
      if (!check.ok) throw new Error(`stored roster does not match: ${check.reason}`);
      cached = { byCommitment: check.byCommitment };
      this.rosterChecks.set(key, cached);
    }
    return cached;
  }

  /** Latest action per nullifier, from the stored records of a letter. */
  private async currentTally(id: string, db: Db = this.db) {
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
    const names = namedIds.length
      ? await db.selectFrom('members').select(['id', 'name']).where('id', 'in', namedIds).execute()
      : [];
    const byId = new Map(names.map((n) => [n.id, n.name]));
    return { count, named: namedIds.map((i) => byId.get(i) ?? ''), namedIds, namedNullifiers };
  }

  private async issueCode(db: Db, memberId: number, purpose: 'enroll' | 'replace') {
    const { row, code, expiresAt } = this.newCode(memberId, purpose);
    await db.insertInto('enrollment_codes').values(row).execute();
    return { code, expiresAt };
  }

  private newCode(memberId: number, purpose: 'enroll' | 'replace'): { row: Tables['enrollment_codes']; code: string; expiresAt: string } {
    const bytes = this.deps.randomBytes(16);
    let code = '';
    for (let i = 0; i < 16; i++) code += CODE_ALPHABET[bytes[i] & 31];
    const expiresAt = this.later(CODE_LIFETIME_DAYS * 24 * 60);
    return { row: { code_hash: hashToken(code), member_id: memberId, purpose, expires_at: expiresAt, used: 0 }, code: code.match(/.{4}/g)!.join('-'), expiresAt };
  }

  private async activeMember(db: Db, memberId: number) {
    const m = await db.selectFrom('members').selectAll().where('id', '=', memberId).executeTakeFirst();
    if (!m || m.status !== 'active') throw notFound('member_not_found', `there is no active member ${memberId}`);
    return m;
  }

  private async meta(key: string): Promise<string | null> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value ?? null;
  }

  private signerOrThrow() {
    if (!this.signer) throw new ApiError(503, 'not_initialized', 'this instance has not been created yet');
    return this.signer;
  }

  nowIso(): string {
    return this.deps.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private later(minutes: number): string {
    return new Date(this.deps.now().getTime() + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

async function upsertMeta(db: Db, key: string, value: string) {
  const r = await db.updateTable('meta').set({ value }).where('key', '=', key).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) await db.insertInto('meta').values({ key, value }).execute();
}

const INSERT_BATCH = 500;

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
const SNAPSHOT_CACHE = 8;

function* chunks<T>(items: T[], n: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += n) yield items.slice(i, i + n);
}

function checkCommitment(commitment: string): void {
  if (!/^[1-9][0-9]{0,76}$/.test(commitment) || BigInt(commitment) >= 21888242871839275222246405745257275088548364400416034343698204186575808495617n) {
    throw badRequest('bad_commitment', 'the identity commitment is not a field element');
  }
}

export function normalizeName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ');
}

function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** PKCS #8 DER of an Ed25519 private key (RFC 8410 §7) is this prefix, then the 32-byte seed. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The log's checkpoint signer on node:crypto (OpenSSL): ~0.05 ms a signature here, where noble
 * derives the key again and signs in ~1.5 ms, once per checkpoint. Ed25519 is deterministic, so
 * the signatures are the bytes noble would give (test/c2sp-checkpoint.test.ts checks it).
 */
export function ed25519Signer(name: string, secretKey: Uint8Array, publicKey: Uint8Array): NoteSigner {
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' });
  // The key named in every checkpoint must be the one that signs: the SPKI DER ends with the 32-byte public key.
  const derived = createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32);
  if (!derived.equals(publicKey)) throw new Error('ed25519Signer: the public key is not the secret key’s');
  return { name, publicKey, sign: (message) => new Uint8Array(cryptoSign(null, message, key)) };
}

/** A name as the roster search compares it: lower case, accents removed ("Émilie" finds "emilie"). */
function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
