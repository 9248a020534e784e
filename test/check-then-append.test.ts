/**
 * Every check-then-append runs in one database transaction (issue #14), played as an attacker:
 * the same trustee entry posted twice at once, an `init` cut off halfway, a database row changed
 * behind the server's back, an unsigned reveal that would make the server build a bundle.
 * Real SQLite, real proofs, real committee.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Ballot } from '../src/core/ballot/ballot.ts';
import { proveVote } from '../src/core/ballot/prove-vote.ts';
import type { TallyEntry } from '../src/core/ballot/tally.ts';
import { hashToken, toBase64Url } from '../src/server/tokens.ts';
import type { RevealEntry } from '../src/core/sealed/reveal.ts';
import { type TrusteeApi, trusteeStep } from '../src/core/trustee/duties.ts';
import { nodeArtifacts, nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { ApiError } from '../src/server/errors.ts';
import { openInstance, openOrInit } from '../src/server/open.ts';
import { inProcessTrusteeApi } from '../src/server/trustee-api.ts';
import { type World, formCommittee, makeWorld, openLetter } from './support/world.ts';

const random = (n: number) => new Uint8Array(randomBytes(n));
let world: World;
let secrets: bigint[];
let letterId: string;
let ballotId: string;
const reveals: RevealEntry[] = [];
const tallies: TallyEntry[] = [];

/** A trustee's duties run for real, its entries kept instead of sent. */
const capturing = (): TrusteeApi => ({
  ...inProcessTrusteeApi(world.instance),
  submitReveal: async (_id, entry) => void reveals.push(entry),
  submitTally: async (_id, entry) => void tallies.push(entry),
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
  return 'accepted';
}

const countKind = async (kind: string, subject: string) =>
  (await world.instance.db.selectFrom('log_entries').select('idx').where('kind', '=', kind).where('letter_id', '=', subject).execute()).length;

beforeAll(async () => {
  world = await makeWorld({ members: 6 });
  secrets = await formCommittee(world);
  const committee = (await world.instance.committee.letterRef())!;
  // A sealed letter closed above its threshold of 1, and a closed ballot (its notice: 2 named of 6).
  const sealed = await openLetter(world, { committee, revealThreshold: 1 });
  await sealed.sign(0, { action: 'support', display: 'sealed', seq: 1, random });
  await world.instance.letters.close(sealed.id);
  letterId = sealed.id;
  const notice = await openLetter(world, { visibility: 'at-threshold' });
  await notice.sign(0, { action: 'support', display: 'named', seq: 1 });
  await notice.sign(1, { action: 'support', display: 'named', seq: 1 });
  await world.instance.letters.close(notice.id);
  const { ref, group } = await world.instance.roster.current();
  const ballot: Ballot = {
    format: 'undersigned-ballot/1',
    question: 'Should the leader of the party be replaced?',
    options: ['yes', 'no'],
    roster: ref,
    committee,
    deadline: '2026-12-01T17:00:00Z',
    procedure: 'ca-leadership-review',
    notice: notice.id,
    nonce: '0123456789abcdef0123456789abcdef',
  };
  ballotId = (await world.instance.ballots.open(ballot)).ballotId;
  await world.instance.ballots.vote(ballotId, await proveVote({ identity: world.identities[2], group, ballot, ballotId, artifacts: nodeArtifacts }, 0, 1, random));
  await world.instance.ballots.close(ballotId);
  await trusteeStep(capturing(), secrets[0], nodeVerificationKeys, random);
  expect(reveals).toHaveLength(1);
  expect(tallies).toHaveLength(1);
});

afterAll(async () => {
  await world?.close();
  await releaseSnarkjs();
});

describe('one transaction for every check-then-append', () => {
  it('a trustee’s reveal posted twice at once is logged once; the other copy gets 409 already_revealed, not a 500', async () => {
    const codes = await Promise.all([0, 1, 2].map(() => codeOf(world.instance.reveals.submitReveal(letterId, reveals[0]))));
    expect(codes.sort()).toEqual(['accepted', 'already_revealed', 'already_revealed']);
    expect(await countKind('reveal-partials', letterId)).toBe(1);
  });

  it('a trustee’s tally partials posted twice at once are logged once; the other copy gets 409 already_tallied', async () => {
    const codes = await Promise.all([0, 1, 2].map(() => codeOf(world.instance.ballots.submitTally(ballotId, tallies[0]))));
    expect(codes.sort()).toEqual(['accepted', 'already_tallied', 'already_tallied']);
    expect(await countKind('tally-partials', ballotId)).toBe(1);
  });

  it('the log refuses an append outside a transaction (the checks it depends on would not hold)', async () => {
    await expect(world.instance.log.append({ kind: 'member-added', member: 999, name: 'Mallory' }, world.instance.db)).rejects.toThrow(/only inside a transaction/);
  });

  it('two requests creating the trustee committee at once: one committee and one 409, not a 500', async () => {
    const other = await makeWorld({ members: 2 });
    try {
      const make = () => codeOf(other.instance.committee.create({ name: 'Trustees', k: 2, trustees: ['Ana', 'Ben'] }));
      expect((await Promise.all([make(), make()])).sort()).toEqual(['accepted', 'committee_exists']);
    } finally {
      await other.close();
    }
  });
});

describe('cheapest check first on POST /api/letters/:id/reveals', () => {
  it('an entry whose trustee signature does not verify is refused before any bundle is built or the key generation replayed', async () => {
    const forged = structuredClone(reveals[0]);
    forged.signature.s = (forged.signature.s[0] === '0' ? '1' : '0') + forged.signature.s.slice(1);
    await world.instance.committee.status(); // the complete committee, read once
    const built = vi.spyOn(world.instance.bundles, 'letter');
    const replayed = vi.spyOn(world.instance.committee as unknown as { replay: () => Promise<unknown> }, 'replay');
    try {
      expect(await codeOf(world.instance.reveals.submitReveal(letterId, forged))).toBe('unsigned_reveal');
      expect(built).not.toHaveBeenCalled();
      expect(replayed).not.toHaveBeenCalled();
    } finally {
      built.mockRestore();
      replayed.mockRestore();
    }
  });

  it('a replay of a published entry (it is public on the log) is refused before any bundle is built', async () => {
    const built = vi.spyOn(world.instance.bundles, 'letter');
    try {
      expect(await codeOf(world.instance.reveals.submitReveal(letterId, reveals[0]))).toBe('already_revealed');
      expect(built).not.toHaveBeenCalled();
    } finally {
      built.mockRestore();
    }
  });
});

describe('init is atomic, and an instance half made by an older version is finished', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'undersigned-init-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('an init that fails at its first log entry leaves nothing: the instance can be created again', async () => {
    const instance = await openInstance({ dataDir: tempDir() });
    try {
      // The crash point of the old code: metadata committed, first entry not yet appended.
      await sql`CREATE TRIGGER cut BEFORE INSERT ON log_entries BEGIN SELECT RAISE(ABORT, 'power cut'); END`.execute(instance.db);
      await expect(instance.admin.init({ name: 'Caucus', origin: 'test.invalid/caucus' })).rejects.toThrow(/power cut/);
      expect(await instance.admin.isInitialized()).toBe(false);
      expect(await instance.db.selectFrom('setup_tokens').select('token_hash').execute()).toEqual([]);
      await sql`DROP TRIGGER cut`.execute(instance.db);
      const { setupToken } = await instance.admin.init({ name: 'Caucus', origin: 'test.invalid/caucus' });
      expect((await instance.admin.info()).name).toBe('Caucus');
      expect((await instance.admin.setup(setupToken)).adminToken).toBeTruthy();
    } finally {
      await instance.db.destroy();
    }
  });

  it('an instance whose old two-step init was killed in between answers again after `serve` (openOrInit) finishes it', async () => {
    const dir = tempDir();
    const old = await openInstance({ dataDir: dir });
    const secretKey = random(32);
    // Exactly what the old init committed before appending `instance-created`.
    await old.db
      .insertInto('meta')
      .values([
        { key: 'origin', value: 'test.invalid/old' },
        { key: 'name', value: 'Old caucus' },
        { key: 'signing_key', value: Buffer.from(secretKey).toString('hex') },
      ])
      .execute();
    await old.db.insertInto('setup_tokens').values({ token_hash: hashToken(toBase64Url(random(24))), expires_at: '2099-01-01T00:00:00.000Z', used: 0 }).execute();
    await expect(old.admin.load()).rejects.toMatchObject({ status: 503, code: 'half_made' });
    await old.db.destroy();

    const { instance, setupToken } = await openOrInit({ dataDir: dir, name: 'ignored', origin: 'ignored.invalid/x' });
    try {
      expect(setupToken).toBeTruthy();
      const info = await instance.admin.info();
      expect(info).toMatchObject({ name: 'Old caucus', origin: 'test.invalid/old' });
      const [first] = await instance.log.entries(0, 1, async () => false);
      expect(first.entry).toEqual({ kind: 'instance-created', name: 'Old caucus', verifierKey: info.verifierKey });
      expect((await instance.admin.setup(setupToken!)).adminToken).toBeTruthy();
      // And it opens like any other instance from now on.
      await expect(instance.admin.load()).resolves.toBeUndefined();
    } finally {
      await instance.db.destroy();
    }
  });
});

describe('the tree is rebuilt from the entries, not from their stored hashes', () => {
  it('an entry whose body was changed in the database stops the instance from loading', async () => {
    const other = await makeWorld({ members: 2, enroll: 0 });
    try {
      await other.instance.db.updateTable('log_entries').set({ body: sql`replace(body, 'Member A', 'Member Z')` }).where('kind', '=', 'member-added').execute();
      const reopened = await openInstance({ dataDir: other.dir });
      try {
        await expect(reopened.admin.load()).rejects.toThrow(/log entry 1: its stored body does not hash to its stored leaf hash/);
      } finally {
        await reopened.db.destroy();
      }
    } finally {
      await other.close();
    }
  });
});

describe('the close computes its result from the records it commits to', () => {
  it('a signatures table that disagrees with the logged records (a lost or altered row) refuses the close; nothing is appended', async () => {
    const letter = await openLetter(world);
    await letter.sign(3, { action: 'support', display: 'anonymous', seq: 1 });
    await letter.sign(4, { action: 'support', display: 'named', seq: 1 });
    const db = world.instance.db;
    // The derived table says one of them withdrew; the log says both support.
    await db.updateTable('signatures').set({ action: 'withdraw' }).where('letter_id', '=', letter.id).where('signer_member', 'is', null).execute();
    const before = await world.instance.log.size();
    await expect(world.instance.letters.close(letter.id)).rejects.toMatchObject({ code: 'store_inconsistent' });
    expect(await world.instance.log.size()).toBe(before);
    expect((await world.instance.letters.get(letter.id)).row.closed_idx).toBeNull();
    await db.updateTable('signatures').set({ action: 'support' }).where('letter_id', '=', letter.id).execute();
    const closed = await world.instance.letters.close(letter.id);
    expect(closed).toMatchObject({ count: 2, named: [world.names[4]] });
  });
});
