/**
 * Unauthenticated requests must not make the server redo expensive work (issue #14): a bundle is
 * built once per letter and log size, a letter's count is counted once per log size (once for
 * good when closed), and a member's history reads that member's entries only. Each rule is checked
 * by counting the work done, never by timing it (the timings are in bench/results/cheap-requests.md).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyBundle } from '../src/core/bundle/bundle.ts';
import type { LogEntry } from '../src/core/log/entry.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { DB_FILE, openInstance } from '../src/server/open.ts';
import { type OpenLetter, type World, makeWorld, openLetter } from './support/world.ts';

let world: World;
let closed: OpenLetter;
let open: OpenLetter;

beforeAll(async () => {
  world = await makeWorld({ members: 5 });
  closed = await openLetter(world);
  await closed.sign(0, { action: 'support', display: 'anonymous', seq: 1 });
  await closed.sign(1, { action: 'support', display: 'named', seq: 1 });
  await world.instance.letters.close(closed.id);
  open = await openLetter(world);
  await open.sign(2, { action: 'support', display: 'anonymous', seq: 1 });
});

afterAll(async () => {
  await world?.close();
  await releaseSnarkjs();
});

/** A private method of a service, spied on: how many times the expensive work ran. */
const spyOn = (object: object, method: string) => vi.spyOn(object as Record<string, (...args: unknown[]) => unknown>, method);

describe('GET /api/letters/:id/bundle', () => {
  it('is built once per letter and log size; a new entry anywhere makes the next one new, and it verifies', async () => {
    const build = spyOn(world.instance.bundles, 'build');
    try {
      const first = await world.instance.bundles.letterJson(closed.id);
      const again = await Promise.all([world.instance.bundles.letterJson(closed.id), world.instance.bundles.letterJson(closed.id)]);
      expect(build).toHaveBeenCalledTimes(1);
      expect(again).toEqual([first, first]);
      await world.instance.enrollment.addMembers([{ name: 'Late Member' }]);
      const later = await world.instance.bundles.letter(closed.id);
      expect(build).toHaveBeenCalledTimes(2);
      expect(later.log.checkpoint).not.toBe(JSON.parse(first).log.checkpoint);
      expect(await verifyBundle(later, { keys: nodeVerificationKeys })).toMatchObject({ valid: true, count: 2 });
    } finally {
      build.mockRestore();
    }
  });

  it('a caller that changes the bundle it was given does not change the next one', async () => {
    const mine = await world.instance.bundles.letter(closed.id);
    mine.result.count = 99;
    mine.records.pop();
    expect(await verifyBundle(await world.instance.bundles.letter(closed.id), { keys: nodeVerificationKeys })).toMatchObject({ valid: true, count: 2 });
  });
});

describe('GET /api/letters', () => {
  it('counts each open letter once per log size, and a closed letter once for good', async () => {
    const count = spyOn(world.instance.letters, 'tally');
    try {
      const first = await world.instance.letters.list();
      await world.instance.letters.list();
      await world.instance.letters.list();
      expect(count.mock.calls.map((c) => c[0]).sort()).toEqual([closed.id, open.id].sort()); // three lists, one count each
      const byId = new Map(first.map((l) => [l.letterId, l.count]));
      expect(byId.get(closed.id)).toBe(2);
      expect(byId.get(open.id)).toBe(1);

      count.mockClear();
      await open.sign(3, { action: 'support', display: 'anonymous', seq: 1 });
      const after = await world.instance.letters.list();
      expect(count.mock.calls.map((c) => c[0])).toEqual([open.id]); // the closed letter is not counted again
      expect(after.find((l) => l.letterId === open.id)!.count).toBe(2);
    } finally {
      count.mockRestore();
    }
  });
});

describe('GET /api/roster/members/:id', () => {
  it('reads and parses only that member’s entries, not every member-* entry', async () => {
    const all = await world.instance.db.selectFrom('log_entries').select(['idx', 'body']).where('kind', 'like', 'member-%').orderBy('idx').execute();
    const expected = all.map((r) => ({ index: r.idx, entry: JSON.parse(r.body) as LogEntry })).filter((e) => 'member' in e.entry && e.entry.member === 2);
    expect(expected.length).toBe(2); // added, enrolled
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const { events } = await world.instance.roster.memberEntry(2);
      expect(events).toEqual(expected);
      expect(parse.mock.calls.length).toBe(expected.length);
    } finally {
      parse.mockRestore();
    }
  });

  it('a database from before the member index gets it filled from the log when it is opened', async () => {
    const copyDir = join(world.dir, 'before-index');
    mkdirSync(copyDir);
    await sql`VACUUM INTO ${join(copyDir, DB_FILE)}`.execute(world.instance.db);
    const old = await openInstance({ dataDir: copyDir });
    await sql`DROP TABLE member_events`.execute(old.db);
    await sql`DELETE FROM kysely_migration WHERE name = '0005-member-events'`.execute(old.db);
    await old.db.destroy();
    const reopened = await openInstance({ dataDir: copyDir });
    try {
      await reopened.admin.load();
      for (const id of [1, 2, 6]) expect(await reopened.roster.memberEntry(id)).toEqual(await world.instance.roster.memberEntry(id));
    } finally {
      await reopened.db.destroy();
    }
  });
});
