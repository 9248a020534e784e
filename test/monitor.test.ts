/**
 * The log monitor (issue 13 item 5; src/core/log/monitor.ts, `undersigned monitor`; docs/monitor.md).
 *
 * A real instance (real SQLite, real proofs, a trustee committee, a closed letter with a named
 * and an anonymous signature, an open letter whose count is hidden, a removed member) behind a
 * real HTTP server is checked clean by the real CLI, which saves its state. Then lying servers,
 * each a copy of that database (VACUUM INTO) edited as a dishonest operator would, through the
 * instance's own append path or by rewriting rows, and served over HTTP: each is caught with its
 * own code at its own log index, against the state the clean run saved. Last, rules the HTTP
 * cases do not reach, on the same entries edited in memory.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNote, signNote } from '../src/core/log/checkpoint.ts';
import type { LogEntry } from '../src/core/log/entry.ts';
import { checkHead, checkLogRules } from '../src/core/log/monitor.ts';
import type { SignatureRecord } from '../src/core/letter/record.ts';
import { releaseSnarkjs } from '../src/node/artifacts.ts';
import type { Instance } from '../src/server/instance.ts';
import { type Run, copyOfInstance, runCli, serve as serveOn } from './support/processes.ts';
import { type OpenLetter, type World, formCommittee, makeWorld, openLetter } from './support/world.ts';



const monitor = (args: string[]): Promise<Run> => runCli(['monitor', ...args]);

let world: World;
let letter: OpenLetter;
let records: SignatureRecord[];
let dir: string;
const servers: { app: FastifyInstance; instance: Instance }[] = [];

const serve = (instance: Instance) => serveOn(instance, servers);

/** A copy of the honest instance's database, opened as a second instance with the same log key. */
const lyingCopy = (name: string) => copyOfInstance(world.instance, dir, name, () => world.clock.now);

/** A copy of the state file the clean run saved, for one lying server. */
function stateCopy(name: string): string {
  const file = join(dir, `${name}.state.json`);
  copyFileSync(join(dir, 'state.json'), file);
  return file;
}

/** Drop the entries from `size` on, and every checkpoint past it: the log as it was at `size`. */
async function truncate(instance: Instance, size: number): Promise<void> {
  await instance.db.deleteFrom('log_entries').where('idx', '>=', size).execute();
  await instance.db.deleteFrom('checkpoints').where('size', '>', size).execute();
}

let server: string;
let size: number;
let closedIndex: number;
let logKey: string;

/** What the honest server serves (the public API, docs/api.md §Log). */
const get = async <T>(path: string): Promise<T> => (await fetch(server + path)).json() as Promise<T>;
type Served = { index: number; leafHash: string; entry: LogEntry | null };
const servedEntries = async (start: number, end: number) => (await get<{ entries: Served[] }>(`/api/log/entries?start=${start}&end=${end}`)).entries;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-monitor-'));
  world = await makeWorld({ members: 5, enroll: 4 });
  await world.instance.enrollment.removeMember(5);
  await formCommittee(world);
  letter = await openLetter(world);
  records = [await letter.sign(1, { action: 'support', display: 'named', seq: 1 }), await letter.sign(2, { action: 'support', display: 'anonymous', seq: 1 })];
  closedIndex = (await world.instance.letters.close(letter.id)).index;
  // A letter whose count is hidden until its close: its signature's body is withheld from the log.
  const hidden = await openLetter(world, { visibility: 'at-close' });
  await hidden.sign(3, { action: 'support', display: 'anonymous', seq: 1 });
  size = Number((await world.instance.db.selectFrom('log_entries').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  server = await serve(world.instance);
  logKey = (await get<{ verifierKey: string }>('/api/instance')).verifierKey;
}, 240_000);

afterAll(async () => {
  for (const s of servers) {
    await s.app.close();
    if (s.instance !== world.instance) await s.instance.db.destroy();
  }
  await world?.close();
  rmSync(dir, { recursive: true, force: true });
  await releaseSnarkjs();
});

describe('undersigned monitor against an honest server', () => {
  it('finds the log clean, saves its state, and on the next run checks consistency with it', async () => {
    const state = join(dir, 'state.json');
    const first = await monitor(['--server', server, '--state', state]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain(`is clean at size ${size}`);
    expect(first.stdout).toContain('1 withheld');
    expect(first.stdout).toContain('2 letters opened and 1 closed');
    expect(first.stdout).toContain(`state saved to ${state}`);
    expect(first.stdout).toContain('taken from the server on first use');
    const saved = JSON.parse(readFileSync(state, 'utf8'));
    expect(saved).toMatchObject({ format: 'undersigned-monitor-state/1', size, logKey });

    const again = await monitor(['--server', server, '--state', state, '--json']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const v = JSON.parse(again.stdout);
    expect(v).toMatchObject({ ok: true, firstUse: false, previousSize: size, checkpoint: { size } });
    expect(v.summary).toMatchObject({ entries: size, withheld: 1, letters: 2, closes: 1, signatures: 2, committees: 1, members: 4 });
  }, 60_000);
});

describe('undersigned monitor against a lying server', () => {
  const cases: { name: string; lie: (instance: Instance) => Promise<void>; code: string; index: () => number }[] = [
    {
      name: 'a letter closed twice',
      lie: async (instance) => {
        const [close] = await servedEntries(closedIndex, closedIndex + 1);
        await instance.db.transaction().execute((trx) => instance.log.append(close.entry!, trx));
      },
      code: 'letter_closed_twice',
      index: () => size,
    },
    {
      name: 'a signature for a letter after its close',
      lie: async (instance) => {
        await instance.db.transaction().execute((trx) => instance.log.append({ kind: 'signature', letterId: letter.id, record: records[1] }, trx));
      },
      code: 'entry_after_close',
      index: () => size,
    },
    {
      name: 'a checkpoint that rolls back from the saved one',
      lie: (instance) => truncate(instance, size - 2),
      code: 'rollback',
      index: () => size - 2,
    },
    {
      name: 'a forked log: the saved size with another root',
      lie: async (instance) => {
        await truncate(instance, size - 1);
        await instance.db.transaction().execute((trx) => instance.log.append({ kind: 'member-added', member: 99, name: 'Mallory' }, trx));
      },
      code: 'fork',
      index: () => size,
    },
    {
      name: 'a checkpoint signed by another key',
      lie: async (instance) => {
        const row = await instance.db.selectFrom('checkpoints').selectAll().orderBy('size', 'desc').executeTakeFirstOrThrow();
        const note = parseNote(row.note);
        if (!note.ok) throw new Error(note.reason);
        const other = signNote(note.body, { name: note.signatures[0].name, secretKey: ed25519.utils.randomSecretKey() });
        await instance.db.updateTable('checkpoints').set({ note: other }).where('size', '=', row.size).execute();
      },
      code: 'checkpoint_signature',
      index: () => size,
    },
  ];

  it('catches each lie with its own code at its own index, and leaves the state file alone', async () => {
    const runs = await Promise.all(
      cases.map(async (c, i) => {
        const instance = await lyingCopy(`lie-${i}`);
        await c.lie(instance);
        const url = await serve(instance);
        const state = stateCopy(`lie-${i}`);
        const before = readFileSync(state, 'utf8');
        const run = await monitor(['--server', url, '--state', state, '--json']);
        return { c, url, run, unchanged: readFileSync(state, 'utf8') === before };
      }),
    );
    for (const { c, run, unchanged } of runs) {
      expect(run.code, `${c.name}: ${run.stdout}${run.stderr}`).toBe(1);
      const v = JSON.parse(run.stdout);
      expect({ name: c.name, code: v.anomaly.code, index: v.anomaly.index }).toEqual({ name: c.name, code: c.code, index: c.index() });
      expect(v.anomaly.reason).toMatch(/\S/);
      expect(unchanged, c.name).toBe(true);
    }
    // Printed for a person: the code, the index, one sentence.
    const plain = await monitor(['--server', runs[0].url, '--state', stateCopy('plain')]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/^ANOMALY letter_closed_twice at log index \d+: letter [0-9a-f]{12}… is closed a second time/);
  }, 120_000);

  it('refuses a --log-key that differs from the pinned one (usage, exit 2)', async () => {
    const run = await monitor(['--server', server, '--state', stateCopy('conflict'), '--log-key', 'someone+01234567+AQ==']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('[log_key_conflict]');
  }, 60_000);
});

describe('the rule walk (src/core/log/monitor.ts) on edited entries', () => {
  let entries: LogEntry[];
  let withheld: number;
  beforeAll(async () => {
    const served = await servedEntries(0, size);
    withheld = served.findIndex((e) => e.entry === null);
    // The withheld body, as the database holds it, so that edits below see every entry.
    const bodies = await world.instance.db.selectFrom('log_entries').select(['idx', 'body']).orderBy('idx').execute();
    entries = bodies.map((r) => JSON.parse(r.body) as LogEntry);
  });

  const edited = (i: number, change: (e: any) => unknown): LogEntry[] => entries.map((e, j) => (j === i ? (change(structuredClone(e)) as LogEntry) : e));
  const indexOf = (kind: string) => entries.findIndex((e) => e.kind === kind);
  const first = (list: readonly (LogEntry | null)[]) => {
    const v = checkLogRules(list, { logKey });
    return v.ok ? 'clean' : `${v.anomaly.code}@${v.anomaly.index}`;
  };

  it('the full log is clean, and clean with the hidden signature withheld', () => {
    expect(first(entries)).toBe('clean');
    expect(first(entries.map((e, i) => (i === withheld ? null : e)))).toBe('clean');
  });

  it('a withheld body with no letter whose count is hidden is an anomaly', () => {
    const i = indexOf('member-enrolled');
    expect(first(entries.map((e, j) => (j === i ? null : e)))).toBe(`withheld_unexplained@${i}`);
  });

  it('roster changes: a second enrollment of one identity, a leaf out of order, removing someone absent', () => {
    const enrolled = entries.map((e, i) => [e, i] as const).filter(([e]) => e.kind === 'member-enrolled');
    const [a, b] = [enrolled[0], enrolled[1]];
    expect(first(edited(b[1], (e) => ({ ...e, commitment: (a[0] as { commitment: string }).commitment })))).toBe(`roster_change_invalid@${b[1]}`);
    expect(first(edited(b[1], (e) => ({ ...e, leaf: 7 })))).toBe(`roster_change_invalid@${b[1]}`);
    const removed = indexOf('member-removed');
    expect(first(edited(removed, (e) => ({ ...e, member: 42 })))).toBe(`roster_change_invalid@${removed}`);
  });

  it('a committee-ready entry stating another key is an anomaly (evaluateCommittee)', () => {
    const i = indexOf('committee-ready');
    expect(first(edited(i, (e) => ({ ...e, publicKey: e.publicShares[0] })))).toBe(`committee_invalid@${i}`);
  });

  it("a close whose count or records are not its letter's is an anomaly", () => {
    expect(first(edited(closedIndex, (e) => ({ ...e, result: { ...e.result, count: e.result.count + 1 } })))).toBe(`close_result_mismatch@${closedIndex}`);
    expect(first(edited(closedIndex, (e) => ({ ...e, records: { ...e.records, size: 1 } })))).toBe(`close_records_mismatch@${closedIndex}`);
  });

  it('a letter opened twice, and a signature for a letter never opened', () => {
    const opened = indexOf('letter-opened');
    expect(first([...entries, entries[opened]])).toBe(`letter_opened_twice@${entries.length}`);
    const sig = indexOf('signature');
    expect(first(edited(sig, (e) => ({ ...e, letterId: 'ab'.repeat(32) })))).toBe(`unknown_letter@${sig}`);
  });

  it('checkHead: the honest head passes; a leaf hash that is not its entry\'s, an entry left out, a root that is not the entries\'', async () => {
    const checkpoint = await (await fetch(server + '/api/log/checkpoint')).text();
    const served = await servedEntries(0, size);
    const head = (list: typeof served) => {
      const h = checkHead({ checkpoint, logKey, entries: list });
      return h.ok ? 'clean' : `${h.anomaly.code}@${h.anomaly.index}`;
    };
    expect(head(served)).toBe('clean');
    const i = indexOf('member-added');
    expect(head(served.map((e, j) => (j === i ? { ...e, leafHash: served[0].leafHash } : e)))).toBe(`leaf_hash_mismatch@${i}`);
    expect(head(served.slice(0, -1))).toBe(`entries_missing@${size - 1}`);
    // A withheld entry with another leaf hash: nothing to hash it from, but the root no longer matches.
    expect(head(served.map((e, j) => (j === withheld ? { ...e, leafHash: served[0].leafHash } : e)))).toBe(`root_mismatch@${size}`);
  });
});
