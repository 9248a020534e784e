/**
 * Hardening of issue #14, played as an attacker would: session challenges that cost the server
 * nothing and open one session each (docs/protocol.md §8), organizer tokens that expire and can be
 * listed and revoked, organizer authentication before any body is read, rate limits that bound
 * work without knowing who asks, and the minimum group size below which counts wait for the close
 * (docs/threat-model.md §4.10, §4.5).
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { generateProof } from '@semaphore-protocol/proof';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionMessage, sessionScope } from '../src/core/identity/session.ts';
import type { SemaphoreProof } from '../src/core/crypto/semaphore.ts';
import { checkLogRules } from '../src/core/log/monitor.ts';
import { LogEntrySchema } from '../src/core/log/entry.ts';
import { rosterRef } from '../src/core/roster/roster.ts';
import { nodeArtifacts, releaseSnarkjs } from '../src/node/artifacts.ts';
import { buildApp } from '../src/server/app.ts';
import type { Instance } from '../src/server/instance.ts';
import { openInstance } from '../src/server/open.ts';
import { type World, makeWorld, openLetter } from './support/world.ts';
import { runCli, urlOf } from './support/processes.ts';

const worlds: World[] = [];
const apps: FastifyInstance[] = [];

afterAll(async () => {
  for (const app of apps) await app.close();
  for (const w of worlds) await w.close();
  await releaseSnarkjs();
});

async function world(options: Parameters<typeof makeWorld>[0] = {}): Promise<World> {
  const w = await makeWorld(options);
  worlds.push(w);
  return w;
}

async function app(instance: Instance, options: Partial<Parameters<typeof buildApp>[0]> = {}): Promise<FastifyInstance> {
  const a = await buildApp({ instance, log: () => {}, proofBatching: false, ...options });
  apps.push(a);
  return a;
}

/** Every row of every table, as text: what "nothing was stored" is measured against. */
async function dump(instance: Instance): Promise<string> {
  const tables = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`.execute(instance.db);
  const parts: string[] = [];
  for (const { name } of tables.rows) parts.push(name, JSON.stringify((await sql`SELECT * FROM ${sql.table(name)}`.execute(instance.db)).rows));
  return parts.join('\n');
}

const post = (a: FastifyInstance, url: string, body?: unknown, headers: Record<string, string> = {}) =>
  a.inject({ method: 'POST', url, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, payload: body === undefined ? undefined : JSON.stringify(body) });
const get = (a: FastifyInstance, url: string, headers: Record<string, string> = {}) => a.inject({ method: 'GET', url, headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string; message: string } }).error;

/** Member i's membership proof over a session challenge, as a member's device makes it (§8). */
async function sessionProof(w: World, i: number, challenge: string): Promise<SemaphoreProof> {
  const { snapshot } = await w.instance.roster.current();
  const computed = rosterRef(snapshot);
  if (!computed.ok) throw new Error(computed.reason);
  const identity = w.identities[i];
  const merkleProof = computed.group.generateMerkleProof(computed.group.indexOf(identity.commitment));
  const depth = computed.ref.depth;
  const p = await generateProof(identity, { ...merkleProof, siblings: [...merkleProof.siblings] }, sessionMessage(challenge), sessionScope(challenge), depth, nodeArtifacts(depth));
  return { merkleTreeDepth: p.merkleTreeDepth, merkleTreeRoot: String(p.merkleTreeRoot), nullifier: String(p.nullifier), message: String(p.message), scope: String(p.scope), points: p.points.map(String) };
}

describe('session challenges are stateless (protocol.md §8)', () => {
  let w: World;
  let a: FastifyInstance;
  const challenge = async () => (await post(a, '/api/session/challenge')).json() as { challenge: string; expiresAt: string };

  beforeAll(async () => {
    w = await world({ members: 3 });
    a = await app(w.instance);
  }, 120_000);

  it('asking for challenges, body-less as a cross-site form would, stores nothing', async () => {
    await challenge();
    const before = await dump(w.instance);
    for (let i = 0; i < 200; i++) {
      const res = await post(a, '/api/session/challenge');
      expect(res.statusCode).toBe(200);
      expect(res.json().challenge).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(await dump(w.instance)).toBe(before);
  });

  it('a challenge states the expiry it carries, ten minutes ahead', async () => {
    const c = await challenge();
    expect(Date.parse(c.expiresAt) - w.clock.now.getTime()).toBe(10 * 60_000);
    expect(parseInt(c.challenge.slice(24, 32), 16) * 1000).toBe(Date.parse(c.expiresAt));
  });

  it('a forged challenge (one bit changed, or made up) is refused 403 challenge_invalid before any proof work', async () => {
    const { challenge: c } = await challenge();
    const proof = await sessionProof(w, 0, c);
    const later = c.slice(0, 24) + 'ffffffff' + c.slice(32); // an expiry pushed to 2106
    for (const forged of [later, c.slice(0, 63) + (c[63] === '0' ? '1' : '0'), 'ab'.repeat(32)]) {
      const res = await post(a, '/api/session', { challenge: forged, proof });
      expect(res.statusCode, forged).toBe(403);
      expect(errorOf(res).code).toBe('challenge_invalid');
    }
    // In-process callers (no route schema) get the same answer for a malformed one, never a throw.
    for (const malformed of ['ab', c.toUpperCase(), c + '00']) {
      await expect(w.instance.sessions.open(malformed, proof)).rejects.toMatchObject({ status: 403, code: 'challenge_invalid' });
    }
  }, 60_000);

  it("another instance's challenge is refused: each instance has its own secret", async () => {
    const other = await world({ members: 1 });
    const { challenge: theirs } = await other.instance.sessions.challenge();
    await expect(w.instance.sessions.open(theirs, await sessionProof(w, 0, theirs))).rejects.toMatchObject({ status: 403, code: 'challenge_invalid' });
  }, 60_000);

  it('a challenge opens one session: a replay, even with a fresh proof, is 403 challenge_used', async () => {
    const { challenge: c } = await challenge();
    const first = await post(a, '/api/session', { challenge: c, proof: await sessionProof(w, 0, c) });
    expect(first.statusCode).toBe(200);
    for (const member of [0, 1]) {
      const again = await post(a, '/api/session', { challenge: c, proof: await sessionProof(w, member, c) });
      expect(again.statusCode).toBe(403);
      expect(errorOf(again).code).toBe('challenge_used');
    }
  }, 60_000);

  it('an expired challenge is refused 403 challenge_expired, and stores nothing', async () => {
    const { challenge: c } = await challenge();
    const proof = await sessionProof(w, 1, c);
    w.clock.now = new Date(w.clock.now.getTime() + 10 * 60_000 + 1000);
    const before = await dump(w.instance);
    const res = await post(a, '/api/session', { challenge: c, proof });
    expect(res.statusCode).toBe(403);
    expect(errorOf(res).code).toBe('challenge_expired');
    expect(await dump(w.instance)).toBe(before);
  }, 60_000);

  it('expired sessions and spent challenges are purged when a session is made', async () => {
    const count = async () => ({
      sessions: (await w.instance.db.selectFrom('sessions').selectAll().execute()).length,
      spent: (await w.instance.db.selectFrom('spent_challenges').selectAll().execute()).length,
    });
    expect((await count()).sessions).toBeGreaterThan(0);
    w.clock.now = new Date(w.clock.now.getTime() + 61 * 60_000);
    const { challenge: c } = await challenge();
    const res = await post(a, '/api/session', { challenge: c, proof: await sessionProof(w, 2, c) });
    expect(res.statusCode).toBe(200);
    expect(await count()).toEqual({ sessions: 1, spent: 1 });
    expect(await w.instance.sessions.check(res.json().session)).toBe(true);
  }, 60_000);
});

describe('organizer tokens expire, are listed and revoked; a new setup token voids the old', () => {
  let w: World;
  let a: FastifyInstance;
  let token: string;

  beforeAll(async () => {
    w = await world({ members: 1 });
    await w.instance.admin.configure({ organizerTokenDays: 30 });
    a = await app(w.instance);
    token = (await post(a, '/api/setup', { token: w.setupToken })).json().adminToken;
  }, 120_000);

  it('GET /api/admin/whoami checks a token: 200 with its id, 401 without a valid one', async () => {
    const me = await get(a, '/api/admin/whoami', bearer(token));
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ tokenId: 1, expiresAt: '2026-12-25T12:00:00Z' });
    for (const headers of [{}, bearer('not-a-token'), { authorization: token }]) {
      const res = await get(a, '/api/admin/whoami', headers);
      expect(res.statusCode).toBe(401);
      expect(errorOf(res).code).toBe('unauthorized');
    }
  });

  it('--new-setup-token voids every older setup token not yet used', async () => {
    const old = await w.instance.admin.newSetupToken();
    const fresh = await w.instance.admin.newSetupToken();
    const refused = await post(a, '/api/setup', { token: old });
    expect(refused.statusCode).toBe(403);
    expect(errorOf(refused).code).toBe('setup_token_invalid');
    const second = (await post(a, '/api/setup', { token: fresh })).json().adminToken as string;
    const list = await get(a, '/api/admin/tokens', bearer(second));
    expect(list.json().tokens.map((t: { id: number; current: boolean }) => [t.id, t.current])).toEqual([
      [1, false],
      [2, true],
    ]);
    // The list never holds a token or its hash.
    expect(list.body).not.toContain(token);
    expect(list.body).not.toContain(second);
  });

  it('a revoked token stops working at once; revoking an unknown id is 404 token_not_found', async () => {
    const fresh = await w.instance.admin.newSetupToken();
    const third = (await post(a, '/api/setup', { token: fresh })).json().adminToken as string;
    const id = (await get(a, '/api/admin/whoami', bearer(third))).json().tokenId as number;
    expect((await a.inject({ method: 'DELETE', url: `/api/admin/tokens/${id}`, headers: bearer(token) })).json()).toEqual({ revoked: id });
    const res = await post(a, '/api/admin/members', { name: 'Mallory' }, bearer(third));
    expect(res.statusCode).toBe(401);
    expect(errorOf(res).code).toBe('unauthorized');
    const unknown = await a.inject({ method: 'DELETE', url: '/api/admin/tokens/999', headers: bearer(token) });
    expect(unknown.statusCode).toBe(404);
    expect(errorOf(unknown).code).toBe('token_not_found');
    for (const bad of ['0', '0x1', '1e0', '-1', 'abc']) {
      expect((await a.inject({ method: 'DELETE', url: `/api/admin/tokens/${bad}`, headers: bearer(token) })).statusCode, bad).toBe(400);
    }
  });

  it('a token past its expiry (30 days here) is refused 401 token_expired on every organizer route', async () => {
    w.clock.now = new Date(w.clock.now.getTime() + 31 * 24 * 3600_000);
    try {
      for (const res of [await get(a, '/api/admin/whoami', bearer(token)), await post(a, '/api/admin/members', { name: 'Late' }, bearer(token))]) {
        expect(res.statusCode).toBe(401);
        expect(errorOf(res).code).toBe('token_expired');
      }
    } finally {
      w.clock.now = new Date(w.clock.now.getTime() - 31 * 24 * 3600_000);
    }
  });

  it('`undersigned organizer tokens list|revoke` work on the data directory', async () => {
    const listed = await runCli(['organizer', 'tokens', 'list', '--data', w.dir, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const ids = (JSON.parse(listed.stdout) as { id: number }[]).map((t) => t.id);
    expect(ids).toEqual([1, 2]);
    const revoked = await runCli(['organizer', 'tokens', 'revoke', '2', '--data', w.dir]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(/revoked organizer token 2/);
    expect((await w.instance.admin.listTokens()).map((t) => t.id)).toEqual([1]);
    const unknown = await runCli(['organizer', 'tokens', 'revoke', '7', '--data', w.dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/token_not_found/);
    expect((await runCli(['organizer', 'tokens', 'revoke', '--data', w.dir])).code).toBe(2);
  }, 60_000);
});

describe('organizer routes authenticate before the body is read', () => {
  it('an unauthenticated 20 MiB import is answered 401 after 64 KiB, the rest never sent; with the token, the server waits for the body', async () => {
    const w = await world({ members: 1 });
    const a = await app(w.instance);
    const token = (await post(a, '/api/setup', { token: w.setupToken })).json().adminToken as string;
    await a.listen({ port: 0, host: '127.0.0.1' });
    const port = Number(new URL(urlOf(a)).port);

    /** Send the headers and the first 64 KiB of a 20 MiB body; what comes back within `ms`. */
    const partial = (headers: string, ms: number) =>
      new Promise<{ answer: string; closedByServer: boolean }>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let answer = '';
        let closedByServer = false;
        socket.on('data', (d) => (answer += d));
        socket.on('end', () => (closedByServer = true));
        socket.on('error', () => {});
        socket.on('connect', () => {
          socket.write(`POST /api/admin/members/import HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${20 * 1024 * 1024}\r\n${headers}\r\n`);
          socket.write('{"csv":"name\\n' + 'x'.repeat(64 * 1024));
        });
        setTimeout(() => {
          socket.destroy();
          resolve({ answer, closedByServer });
        }, ms);
      });
    const { answer: refused, closedByServer } = await partial('', 1500);
    expect(closedByServer).toBe(true);
    expect(refused).toMatch(/^HTTP\/1\.1 401 /);
    expect(refused).toContain('"code":"unauthorized"');
    // …and the connection is closed: the server does not read the rest of the body to discard it.
    expect(refused).toMatch(/\r\nConnection: close/i);
    // The same request with the organizer token is not answered until its body arrives.
    expect(await partial(`Authorization: Bearer ${token}\r\n`, 1500)).toEqual({ answer: '', closedByServer: false });
  }, 60_000);
});

describe('rate limits bound work per route, per organizer token, and by proofs in flight', () => {
  let w: World;
  let token: string;
  let other: string;
  const clock = { ms: 0 };

  beforeAll(async () => {
    w = await world({ members: 1 });
    const setup = await app(w.instance, { rateLimits: false });
    token = (await post(setup, '/api/setup', { token: w.setupToken })).json().adminToken;
    other = (await post(setup, '/api/setup', { token: await w.instance.admin.newSetupToken() })).json().adminToken;
  }, 120_000);

  it('a route whose bucket is empty answers 429 rate_limited with Retry-After; other routes still answer', async () => {
    const a = await app(w.instance, { rateLimits: { routes: { 'GET /api/log/checkpoint': { burst: 3, perSecond: 0.5 } }, now: () => clock.ms } });
    for (let i = 0; i < 3; i++) expect((await get(a, '/api/log/checkpoint')).statusCode).toBe(200);
    const limited = await get(a, '/api/log/checkpoint');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    expect(errorOf(limited).code).toBe('rate_limited');
    // Spoofed forwarding headers change nothing: the limiter never looks at who asks.
    expect((await get(a, '/api/log/checkpoint', { 'x-forwarded-for': '203.0.113.9' })).statusCode).toBe(429);
    expect((await get(a, '/api/instance')).statusCode).toBe(200);
    clock.ms += 2000;
    expect((await get(a, '/api/log/checkpoint')).statusCode).toBe(200);
  });

  it('one knob scales every limit (serve --rate-limit-scale): twice the burst at scale 2', async () => {
    const a = await app(w.instance, { rateLimits: { routes: { 'GET /api/log/checkpoint': { burst: 3, perSecond: 0.5 } }, scale: 2, now: () => clock.ms } });
    for (let i = 0; i < 6; i++) expect((await get(a, '/api/log/checkpoint')).statusCode).toBe(200);
    expect((await get(a, '/api/log/checkpoint')).statusCode).toBe(429);
    await expect(buildApp({ instance: w.instance, log: () => {}, rateLimits: { scale: 0 } })).rejects.toThrow(/scale/);
  });

  it("the limiter's memory is bounded by the routes, not by the callers or the URLs", async () => {
    const a = await app(w.instance, { rateLimits: { now: () => clock.ms } });
    for (let i = 0; i < 300; i++) await get(a, `/api/roster/members/${i + 1}`, { 'x-forwarded-for': `198.51.100.${i % 256}`, 'user-agent': `probe ${i}` });
    for (let i = 0; i < 50; i++) await get(a, `/no/such/route/${i}`);
    const buckets = (a.rateLimiter as unknown as { routeBuckets: Map<string, unknown> }).routeBuckets;
    expect([...buckets.keys()].sort()).toEqual(['GET (no route)', 'GET /api/roster/members/:id']);
  });

  it('organizer routes: one bucket per token, taken only once the token is checked', async () => {
    const a = await app(w.instance, { rateLimits: { organizer: { burst: 2, perSecond: 0.1 }, now: () => clock.ms } });
    // An attacker without a token cannot drain the organizer's bucket.
    for (let i = 0; i < 20; i++) expect((await get(a, '/api/admin/whoami', bearer('guess' + i))).statusCode).toBe(401);
    expect((await get(a, '/api/admin/whoami', bearer(token))).statusCode).toBe(200);
    expect((await get(a, '/api/admin/tokens', bearer(token))).statusCode).toBe(200);
    const limited = await get(a, '/api/admin/whoami', bearer(token));
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('10');
    expect((await get(a, '/api/admin/whoami', bearer(other))).statusCode).toBe(200);
  });

  it('proof-carrying routes: a bound on submissions in flight, released when each is answered or dropped', async () => {
    const a = await app(w.instance, { rateLimits: { proofsInFlight: 1, now: () => clock.ms }, publishWindowMs: 3000 });
    await a.listen({ port: 0, host: '127.0.0.1' });
    const port = Number(new URL(urlOf(a)).port);
    // A submission whose body is still arriving holds the one place.
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.on('connect', resolve));
    socket.write(`POST /api/letters/${'ab'.repeat(32)}/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"record":`);
    await new Promise((r) => setTimeout(r, 200));
    const limited = await fetch(`${urlOf(a)}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('4');
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    // Other routes are not held up.
    expect((await fetch(`${urlOf(a)}/api/instance`)).status).toBe(200);
    socket.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const admitted = await fetch(`${urlOf(a)}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(admitted.status).toBe(400);
  }, 60_000);
});

describe('minimum group size: below it, counts wait for the close', () => {
  const signTwo = async (w: World) => {
    const l = await openLetter(w);
    await l.sign(0, { action: 'support', display: 'anonymous', seq: 1 });
    await l.sign(1, { action: 'support', display: 'named', seq: 1 });
    return l;
  };
  const publicEntries = async (w: World) => (await w.instance.letters.publicLog(0, await w.instance.log.size())).map((e) => (e.entry === null ? null : LogEntrySchema.parse(e.entry)));

  it('4 enrolled of a minimum of 5: a live letter shows no count, its signatures are withheld from the public log, until the close', async () => {
    const w = await world({ members: 6, enroll: 4, minGroupSize: 5 });
    const a = await app(w.instance);
    const l = await signTwo(w);
    const open = (await get(a, `/api/letters/${l.id}`)).json();
    expect(open).toMatchObject({ smallGroup: true, count: null, named: null });
    expect((await get(a, '/api/instance')).json().minGroupSize).toBe(5);
    const entries = await publicEntries(w);
    expect(entries.filter((e) => e === null)).toHaveLength(2);
    // A monitor that knows the instance's minimum accepts the withheld bodies; one told 1 does not.
    expect(checkLogRules(entries, { minGroupSize: 5 }).ok).toBe(true);
    expect(checkLogRules(entries, { minGroupSize: 1 })).toMatchObject({ ok: false, anomaly: { code: 'withheld_unexplained' } });
    await w.instance.letters.close(l.id);
    expect((await get(a, `/api/letters/${l.id}`)).json()).toMatchObject({ smallGroup: true, count: 2, named: ['Member B'] });
    expect((await publicEntries(w)).every((e) => e !== null)).toBe(true);
  }, 120_000);

  it('5 enrolled of a minimum of 5: the live count shows while the letter is open', async () => {
    const w = await world({ members: 5, minGroupSize: 5 });
    const l = await signTwo(w);
    expect(await w.instance.letters.status(l.id)).toMatchObject({ smallGroup: false, count: 2, named: ['Member B'] });
    expect((await publicEntries(w)).every((e) => e !== null)).toBe(true);
  }, 120_000);

  it('the default is 5, set by `init --min-group-size` and kept by the instance', async () => {
    const dir = worlds[0].dir;
    for (const [args, want] of [
      [[], 5],
      [['--min-group-size', '12'], 12],
    ] as const) {
      const data = join(dir, `init-${want}`);
      const run = await runCli(['init', '--data', data, ...args]);
      expect(run.code, run.stderr).toBe(0);
      const instance = await openInstance({ dataDir: data });
      expect((await instance.admin.settings()).minGroupSize).toBe(want);
      await instance.db.destroy();
    }
    expect((await runCli(['init', '--data', join(dir, 'init-0'), '--min-group-size', '0'])).code).toBe(2);
  }, 60_000);
});
