/**
 * Delayed, shuffled publication (src/server/publisher.ts; DESIGN §5): members' submissions are
 * held to the end of a publication window and appended in a random order, so that a watcher of
 * the network and of the log cannot pair a request with its entry inside a window.
 *   - unit: the shuffle is a uniform permutation (exhaustively, for a small n, with every random
 *     stream), rejection sampling has no modulo bias, jobs resolve and fail on their own;
 *   - the real server (HTTP, real proofs, real SQLite): nothing reaches the log before the window
 *     ends, then all of it in one go with valid receipts; a record that arrived before the
 *     deadline still counts when its window ends after it; a close publishes what is held first;
 *     closing the server answers the held requests.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCheckpoint } from '../src/core/log/checkpoint.ts';
import { entryLeafHash } from '../src/core/log/entry.ts';
import { verifyInclusion } from '../src/core/log/merkle.ts';
import { hexToBytes } from '../src/core/encoding.ts';
import type { SignatureRecord } from '../src/core/letter/record.ts';
import { proveAction } from '../src/core/letter/prove.ts';
import { releaseSnarkjs } from '../src/node/artifacts.ts';
import { buildApp } from '../src/server/app.ts';
import { Publisher, type Settled, shuffle, uniformBelow } from '../src/server/publisher.ts';
import { type OpenLetter, type World, makeWorld, openLetter } from './support/world.ts';

/** A random stream that replays the given 32-bit words. */
function words(list: number[]) {
  let i = 0;
  return (n: number) => {
    if (n !== 4) throw new Error('expects 4-byte draws');
    const w = list[i++ % list.length];
    return new Uint8Array([(w >>> 24) & 255, (w >>> 16) & 255, (w >>> 8) & 255, w & 255]);
  };
}

describe('the shuffle', () => {
  it('rejects the top of the 32-bit range (no modulo bias) and maps the rest evenly', () => {
    // For n = 3, 2^32 mod 3 = 1: the single word 2^32 − 1 is rejected, the next one used.
    expect(uniformBelow(3, words([0xffffffff, 7]))).toBe(1);
    expect(uniformBelow(3, words([0xfffffffe]))).toBe(0xfffffffe % 3);
    expect(() => uniformBelow(0, words([1]))).toThrow(RangeError);
  });

  it('gives every permutation of 4 items exactly once over all draw sequences', () => {
    // Fisher–Yates draws j in [0,4), [0,3), [0,2): 24 sequences, which must yield the 24 orders.
    const seen = new Set<string>();
    for (let a = 0; a < 4; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 2; c++) seen.add(shuffle([0, 1, 2, 3], words([a, b, c])).join(''));
    expect(seen.size).toBe(24);
  });
});

/** A runBatch that runs the appends in order on a stand-in database, each on its own. */
const inOrder = (db: string) => async (appends: ((db: string) => Promise<unknown>)[]): Promise<Settled[]> => {
  const settled: Settled[] = [];
  for (const a of appends) {
    try {
      settled.push({ ok: true, value: await a(db) });
    } catch (error) {
      settled.push({ ok: false, error });
    }
  }
  return settled;
};

describe('the publisher', () => {
  it('holds jobs to the end of the window, runs them in one batch in a shuffled order, and answers each on its own', async () => {
    const ran: number[] = [];
    let batches = 0;
    const run = inOrder('the-db');
    const p = new Publisher<string>({ windowMs: 50, randomBytes: words([0, 0, 0, 0]), runBatch: (a) => (batches++, run(a)) });
    const started = Date.now();
    const results = Promise.allSettled(
      [0, 1, 2, 3, 4].map((i) =>
        p.publish(async (db) => {
          expect(db).toBe('the-db');
          ran.push(i);
          if (i === 3) throw new Error('refused');
          return i * 10;
        }),
      ),
    );
    expect(p.waiting).toBe(5);
    expect(ran).toEqual([]);
    const settled = await results;
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(batches).toBe(1);
    // The all-zero stream swaps the last item to the front at each step: not arrival order.
    expect(ran).not.toEqual([0, 1, 2, 3, 4]);
    expect([...ran].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([0, 10, 20, 'refused', 40]);
  });

  it('with a window of 0, publishes on the next turn, the jobs of one burst together; close publishes what is held', async () => {
    let batches = 0;
    const run = inOrder('db');
    const p = new Publisher<string>({ windowMs: 0, randomBytes: words([1]), runBatch: (a) => (batches++, run(a)) });
    expect(await Promise.all([p.publish(async () => 'a'), p.publish(async () => 'b')])).toEqual(['a', 'b']);
    expect(batches).toBe(1);
    const q = new Publisher<string>({ windowMs: 60_000, randomBytes: words([1]), runBatch: inOrder('db') });
    const held = q.publish(async () => 'held');
    await q.close();
    expect(await held).toBe('held');
    expect(() => new Publisher<string>({ windowMs: -1, randomBytes: words([1]), runBatch: inOrder('db') })).toThrow(RangeError);
  });

  it('a batch that fails as a whole fails each of its requests, and the next window still runs', async () => {
    let fail = true;
    const p = new Publisher<string>({
      windowMs: 0,
      randomBytes: words([1]),
      runBatch: async (a) => {
        if (fail) throw new Error('disk full');
        return inOrder('db')(a);
      },
    });
    await expect(p.publish(async () => 1)).rejects.toThrow('disk full');
    fail = false;
    expect(await p.publish(async () => 2)).toBe(2);
  });
});

describe('a server with a publication window', () => {
  let world: World;
  let letter: OpenLetter;
  let app: FastifyInstance;
  let records: SignatureRecord[];
  let extra: SignatureRecord[];
  const WINDOW = 1500;

  beforeAll(async () => {
    world = await makeWorld({ members: 9 });
    letter = await openLetter(world, { deadline: '2026-11-25T13:00:00Z' });
    records = [];
    for (let i = 1; i <= 6; i++) records.push(await proveAction(letter.ctx(i), { action: 'support', display: i === 2 ? 'named' : 'anonymous', seq: 1 }));
    extra = [await proveAction(letter.ctx(7), { action: 'support', display: 'anonymous', seq: 1 }), await proveAction(letter.ctx(0), { action: 'support', display: 'anonymous', seq: 1 })];
    app = await buildApp({ instance: world.instance, log: () => {}, proofBatching: false, publishWindowMs: WINDOW });
  });

  afterAll(async () => {
    await app.close();
    await world.close();
    await releaseSnarkjs();
  });

  const size = async () => Number((await app.inject({ method: 'GET', url: '/api/log/checkpoint' })).body.split('\n')[1]);
  const submit = (record: SignatureRecord) => app.inject({ method: 'POST', url: `/api/letters/${letter.id}/records`, payload: { record } });

  it('publishes nothing before the window ends, then every held record at once, with valid receipts', async () => {
    const before = await size();
    const pending = records.slice(0, 4).map(submit);
    await new Promise((r) => setTimeout(r, WINDOW / 3));
    expect(await size()).toBe(before);
    const answers = await Promise.all(pending);
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201, 201]);
    expect(await size()).toBe(before + 4);
    const receipts = answers.map((a) => a.json().receipt);
    expect(receipts.map((r) => r.index).sort()).toEqual([before, before + 1, before + 2, before + 3]);
    for (const [i, r] of receipts.entries()) {
      const cp = verifyCheckpoint(r.checkpoint, world.instance.log.verifierKey());
      if (!cp.ok) throw new Error(cp.reason);
      const leaf = entryLeafHash({ kind: 'signature', letterId: letter.id, record: records[i] });
      expect(verifyInclusion({ leafHash: leaf, index: r.index, size: cp.size, proof: r.proof.map(hexToBytes), root: cp.rootHash }).ok).toBe(true);
    }
  });

  it('a refused record in a window is refused alone: the others of its window are in the log', async () => {
    const before = await size();
    // records[0] is already in the log: sent again, it is a replay; records[6] and [7] are new.
    const answers = await Promise.all([submit(records[0]), submit(extra[0]), submit(extra[1])]);
    expect(answers.map((a) => a.statusCode)).toEqual([409, 201, 201]);
    expect(answers[0].json().error.code).toBe('replay');
    expect(await size()).toBe(before + 2);
    expect((await world.instance.letters.status(letter.id)).count).toBe(6);
  });

  it('counts a record that arrived before the deadline though its window ends after it', async () => {
    world.clock.now = new Date('2026-11-25T12:59:59Z');
    const pending = submit(records[4]);
    await new Promise((r) => setTimeout(r, 100));
    world.clock.now = new Date('2026-11-25T13:00:01Z');
    const answer = await pending;
    expect(answer.statusCode, answer.body).toBe(201);
    // One that arrives after the deadline is refused as before.
    const late = await submit(records[5]);
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('deadline_passed');
    world.clock.now = new Date('2026-11-25T12:00:00Z');
  });

  it('a close publishes what is held before it: the held record is in the closed count', async () => {
    const pending = submit(records[5]);
    // Wait until the record is verified and held (a fixed 100 ms was too short on a loaded machine).
    // The server's own services: its letters service closes through its publication window.
    const publisher = app.services.publication as Publisher<unknown>;
    for (let waited = 0; publisher.waiting < 1 && waited < 20_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(publisher.waiting).toBe(1);
    const closed = await app.services.letters.close(letter.id);
    expect((await pending).statusCode).toBe(201);
    expect(closed.count).toBe(8);
  });
});
