/**
 * Changes to the roster (docs/protocol.md §4): the organizer adds and removes members, each added
 * member gets a single-use enrollment code (printed on paper first), and a code binds the
 * member's identity commitment, made on their device, to their name. Each change is a log entry.
 */
import { canonicalJson } from '../../core/encoding.ts';
import type { LogEntry } from '../../core/log/entry.ts';
import { memberName } from '../../core/roster/member-name.ts';
import type { Receipt } from '../../core/member/receipt.ts';
import type { Clock } from '../clock.ts';
import { type Db, INSERT_BATCH, type Tables, chunks, readMeta, upsertMeta } from '../db.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import { hashToken } from '../tokens.ts';
import type { LogService } from './log.ts';

export const CODE_LIFETIME_DAYS = 14;
/** Crockford base32 without I, L, O, U: no letter to misread on a printed sheet. */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Enrollment codes are typed from paper: ignore case, spaces and dashes. */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function normalizeName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ');
}

export interface IssuedCode {
  id: number;
  name: string;
  code: string;
  expiresAt: string;
}

export interface Enrolled {
  member: { id: number; name: string };
  leaf: number;
  receipt: Receipt;
}

type Enrollment = Omit<Enrolled, 'receipt'> & { entry: LogEntry };

export interface EnrollmentDeps {
  db: Db;
  log: LogService;
  clock: Clock;
  randomBytes: (n: number) => Uint8Array;
}

export class EnrollmentService {
  private readonly db: Db;
  private readonly log: LogService;

  constructor(private readonly deps: EnrollmentDeps) {
    this.db = deps.db;
    this.log = deps.log;
  }

  /**
   * Add members by name; each gets a single-use enrollment code, shown once. A list is one
   * transaction: its rows are inserted in batches and its log entries are appended together under
   * ONE signed checkpoint (a 100,000-member import signs one note, not 100,000). The organizer
   * gets no per-member receipt, so nothing is lost by not signing the intermediate tree sizes.
   */
  async addMembers(people: { name: string; extra?: Record<string, string> }[]): Promise<IssuedCode[]> {
    const names = people.map((p) => {
      const checked = memberName(p.name);
      if (!checked.ok) throw badRequest(checked.code, checked.reason);
      return checked.name;
    });
    if (new Set(names).size !== names.length) throw conflict('duplicate_name', 'the same name appears twice in this list');
    if (names.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('members').select('name').where('status', '=', 'active').execute();
      const taken = new Set(existing.map((e) => e.name));
      const clash = names.find((n) => taken.has(n));
      if (clash) throw conflict('duplicate_name', `${clash} is already on the roster`);
      const max = await trx.selectFrom('members').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
      const first = Number(max?.max ?? 0) + 1;
      const out: IssuedCode[] = [];
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
      await this.log.appendMany(entries, trx);
      return out;
    });
  }

  /** A fresh enrollment code for a member who has not enrolled (the old codes stop working). */
  async reissueCode(memberId: number): Promise<{ code: string; expiresAt: string }> {
    return this.db.transaction().execute(async (trx) => {
      const m = await activeMember(trx, memberId);
      if (m.commitment) throw conflict('already_enrolled', `${m.name} has already enrolled; use a replacement if their identity is lost`);
      await trx.updateTable('enrollment_codes').set({ used: 1 }).where('member_id', '=', memberId).execute();
      return this.issueCode(trx, memberId, 'enroll');
    });
  }

  /** An organizer-approved replacement of a lost identity: a code whose use swaps the commitment. */
  async approveReplacement(memberId: number): Promise<{ code: string; expiresAt: string }> {
    return this.db.transaction().execute(async (trx) => {
      const m = await activeMember(trx, memberId);
      if (!m.commitment) throw conflict('not_enrolled', `${m.name} has not enrolled yet: give them a new enrollment code instead`);
      await trx.updateTable('enrollment_codes').set({ used: 1 }).where('member_id', '=', memberId).execute();
      return this.issueCode(trx, memberId, 'replace');
    });
  }

  async removeMember(memberId: number): Promise<Receipt> {
    return this.db.transaction().execute(async (trx) => {
      const m = await activeMember(trx, memberId);
      await trx.updateTable('members').set({ status: 'removed', leaf: null, commitment: null }).where('id', '=', memberId).execute();
      await trx.updateTable('enrollment_codes').set({ used: 1 }).where('member_id', '=', memberId).execute();
      return this.log.append({ kind: 'member-removed', member: memberId, leaf: m.leaf }, trx);
    });
  }

  /** Bind an enrollment code to an identity commitment made on the member's side. */
  async enroll(code: string, commitment: string): Promise<Enrolled> {
    checkCommitment(commitment);
    return this.db.transaction().execute(async (trx) => {
      const { entry, member, leaf } = await this.enrollOne(trx, code, commitment);
      const receipt = await this.log.append(entry, trx);
      return { member, leaf, receipt };
    });
  }

  /**
   * Many enrollments in one transaction (bulk onboarding of identities made elsewhere, or a test
   * or benchmark roster): the same checks as `enroll` one after the other, the entries appended
   * together under one signed checkpoint, and each receipt proven against that stored checkpoint.
   * All or nothing: one bad code refuses the whole list.
   */
  async enrollMany(list: { code: string; commitment: string }[]): Promise<Enrolled[]> {
    for (const e of list) checkCommitment(e.commitment);
    if (list.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const done = (await this.enrollBatch(trx, list)) ?? [];
      if (done.length === 0) for (const e of list) done.push(await this.enrollOne(trx, e.code, e.commitment));
      const receipts = await this.log.appendMany(done.map((d) => d.entry), trx);
      return done.map((d, i) => ({ member: d.member, leaf: d.leaf, receipt: receipts.receipt(i) }));
    });
  }

  /**
   * The common case of `enrollMany` with batched reads and writes: first enrollments only, each
   * member once. Anything else (a replacement code, a code or commitment twice in the list) returns
   * null and the caller goes one by one; a refusal throws the error `enrollOne` would give.
   */
  private async enrollBatch(trx: Db, list: { code: string; commitment: string }[]): Promise<Enrollment[] | null> {
    const hashes = list.map((e) => hashToken(normalizeCode(e.code)));
    if (new Set(hashes).size !== hashes.length || new Set(list.map((e) => e.commitment)).size !== list.length) return null;
    const codes = new Map<string, Tables['enrollment_codes']>();
    for (const chunk of chunks(hashes, INSERT_BATCH)) {
      for (const r of await trx.selectFrom('enrollment_codes').selectAll().where('code_hash', 'in', chunk).execute()) codes.set(r.code_hash, r);
    }
    const now = this.deps.clock.iso();
    const memberIds: number[] = [];
    for (const h of hashes) {
      const row = codes.get(h);
      checkCodeRow(row, now);
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
    const firstLeaf = Number((await readMeta(trx, 'leaf_count')) ?? 0);
    const out: Enrollment[] = [];
    for (let i = 0; i < list.length; i++) {
      const m = members.get(memberIds[i]);
      if (!m || m.status !== 'active') throw notFound('member_not_found', `there is no active member ${memberIds[i]}`);
      if (m.commitment) throw conflict('already_enrolled', `${m.name} has already enrolled`);
      const leaf = firstLeaf + i;
      out.push({ member: { id: m.id, name: m.name }, leaf, entry: { kind: 'member-enrolled', member: m.id, leaf, commitment: list[i].commitment } });
    }
    for (const chunk of chunks(hashes, INSERT_BATCH)) await trx.updateTable('enrollment_codes').set({ used: 1 }).where('code_hash', 'in', chunk).execute();
    for (let i = 0; i < list.length; i++) {
      await trx.updateTable('members').set({ commitment: list[i].commitment, leaf: firstLeaf + i }).where('id', '=', memberIds[i]).execute();
    }
    await upsertMeta(trx, 'leaf_count', String(firstLeaf + list.length));
    return out;
  }

  private async enrollOne(trx: Db, code: string, commitment: string): Promise<Enrollment> {
    const codeHash = hashToken(normalizeCode(code));
    const row = await trx.selectFrom('enrollment_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
    checkCodeRow(row, this.deps.clock.iso());
    const m = await activeMember(trx, row.member_id);
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
    const leaf = Number((await readMeta(trx, 'leaf_count')) ?? 0);
    await upsertMeta(trx, 'leaf_count', String(leaf + 1));
    await trx.updateTable('members').set({ commitment, leaf }).where('id', '=', m.id).execute();
    return { member, leaf, entry: { kind: 'member-enrolled', member: m.id, leaf, commitment } };
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
    const expiresAt = this.deps.clock.later(CODE_LIFETIME_DAYS * 24 * 60);
    return { row: { code_hash: hashToken(code), member_id: memberId, purpose, expires_at: expiresAt, used: 0 }, code: code.match(/.{4}/g)!.join('-'), expiresAt };
  }
}

/** A code that exists, is unused and has not expired (checked in this order, with these codes). */
function checkCodeRow(row: Tables['enrollment_codes'] | undefined, now: string): asserts row is Tables['enrollment_codes'] {
  if (!row) throw new ApiError(403, 'code_invalid', 'this enrollment code is not valid: check it, or ask the organizer for a new one');
  if (row.used) throw new ApiError(403, 'code_used', 'this enrollment code was already used: ask the organizer for a new one');
  if (row.expires_at < now) throw new ApiError(403, 'code_expired', 'this enrollment code has expired: ask the organizer for a new one');
}

async function activeMember(db: Db, memberId: number) {
  const m = await db.selectFrom('members').selectAll().where('id', '=', memberId).executeTakeFirst();
  if (!m || m.status !== 'active') throw notFound('member_not_found', `there is no active member ${memberId}`);
  return m;
}

function checkCommitment(commitment: string): void {
  if (!/^[1-9][0-9]{0,76}$/.test(commitment) || BigInt(commitment) >= 21888242871839275222246405745257275088548364400416034343698204186575808495617n) {
    throw badRequest('bad_commitment', 'the identity commitment is not a field element');
  }
}
