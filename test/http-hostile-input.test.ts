/**
 * What the fuzz harness (test/fuzz/) found on a running server (issue #14), each as the request
 * that found it: a lone UTF-16 surrogate in any string the API takes, ids and log positions in
 * any spelling but canonical decimal, invisible names through one route but not the other,
 * malformed HTTP answered in Fastify's shape, and a CSV error that echoed a whole header row.
 *
 * Each refusal is 4xx in the {"error": {"code", "message"}} shape and changes nothing stored.
 */
import { connect } from 'node:net';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.ts';
import { sql } from '../src/server/db.ts';
import { type World, makeWorld } from './support/world.ts';
import { urlOf } from './support/processes.ts';

let world: World;
let app: FastifyInstance;
let adminToken: string;
const logLines: string[] = [];

beforeAll(async () => {
  world = await makeWorld({ members: 3, enroll: 2 });
  app = await buildApp({ instance: world.instance, log: (line) => logLines.push(line), proofBatching: false });
  const setup = await app.inject({ method: 'POST', url: '/api/setup', payload: { token: world.setupToken } });
  adminToken = setup.json().adminToken;
});

afterAll(async () => {
  await app.close();
  await world.close();
});

const auth = () => ({ authorization: `Bearer ${adminToken}` });
/** A JSON body as text, so that a lone surrogate goes over the wire as the `\ud800` escape JSON allows. */
const post = (url: string, body: unknown, headers: Record<string, string> = {}): InjectOptions => ({
  method: 'POST',
  url,
  headers: { 'content-type': 'application/json', ...headers },
  payload: JSON.stringify(body),
});

async function dump(): Promise<string> {
  const tables = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`.execute(world.instance.db);
  const rows: Record<string, unknown[]> = {};
  for (const { name } of tables.rows) rows[name] = (await sql`SELECT * FROM ${sql.table(name)} ORDER BY rowid`.execute(world.instance.db)).rows;
  return JSON.stringify(rows);
}

/** The request is refused with `status` and `code`, in our error shape, and the database is unchanged. */
async function refused(req: InjectOptions, status: number, code: string): Promise<string> {
  const before = await dump();
  const res = await app.inject(req);
  expect(res.statusCode, `${req.method} ${req.url}: ${res.body}`).toBe(status);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code, `${req.method} ${req.url}: ${res.body}`).toBe(code);
  expect(await dump()).toBe(before);
  return body.error.message;
}

const proof = { merkleTreeDepth: 1, merkleTreeRoot: '1', nullifier: '1', message: '1', scope: '1', points: Array(8).fill('1') };
const hex = (n: number) => n.toString(16).padStart(2, '0').repeat(32);

describe('a lone UTF-16 surrogate, anywhere a request carries text, is 400 invalid_request', () => {
  it('in a letter title (POST /api/letters, no credential needed): not a 500', async () => {
    const { ref } = await world.instance.roster.current();
    const letter = {
      format: 'undersigned-letter/1',
      title: 'Review \ud800',
      text: 'We ask for a review.',
      recipient: 'The chair',
      roster: ref,
      deadline: '2026-12-01T17:00:00Z',
      revealThreshold: 0,
      visibility: 'live',
      nonce: '00'.repeat(16),
    };
    const message = await refused(post('/api/letters', { letter, proposal: proof }), 400, 'invalid_request');
    expect(message).toBe('body.letter.title: not well-formed Unicode (a lone UTF-16 surrogate)');
  });

  it("in a member's name, an extra value or an extra key (POST /api/admin/members)", async () => {
    expect(await refused(post('/api/admin/members', { name: 'Ann \udc00Lee' }, auth()), 400, 'invalid_request')).toMatch(/^body\.name: /);
    expect(await refused(post('/api/admin/members', { name: 'Ann Lee', extra: { email: 'a\ud83d' } }, auth()), 400, 'invalid_request')).toMatch(/^body\.extra\.email: /);
    await refused(post('/api/admin/members', { name: 'Ann Lee', extra: { ['e\ud800']: 'x' } }, auth()), 400, 'invalid_request');
  });

  it('in every other text the API takes: setup, committee, enrollment, join codes, entries, ballots', async () => {
    const s = '\ud800';
    const requests: InjectOptions[] = [
      post('/api/setup', { token: s }),
      post('/api/admin/committee', { name: s, k: 1, trustees: ['Ana'] }, auth()),
      post('/api/admin/committee', { name: 'T', k: 1, trustees: [s] }, auth()),
      post('/api/enroll', { code: s, commitment: '1' }),
      post('/api/committee/slot', { code: s }),
      post('/api/committee/join', { code: s, transportKey: hex(1), proof: { c: hex(1), s: hex(1) } }),
      post('/api/committee/entries', { entry: { kind: 'dkg-ack', deep: [[[[s]]]] } }),
      post(`/api/letters/${hex(2)}/reveals`, { entry: { [s]: 1 } }),
      post('/api/admin/ballots', { ballot: { title: s } }, auth()),
      post(`/api/ballots/${hex(3)}/tally`, { entry: [s] }),
    ];
    for (const req of requests) {
      const res = await app.inject(req);
      expect(res.statusCode, `${req.url}: ${res.body}`).toBeLessThan(500);
      expect(res.statusCode, `${req.url}: ${res.body}`).toBe(400);
    }
    expect(logLines.some((l) => l.startsWith('internal error'))).toBe(false);
  });

  it('a deeply nested body is walked without exhausting the stack', async () => {
    const deep = `{"entry":${'['.repeat(200_000)}"\\ud800"${']'.repeat(200_000)}}`;
    const res = await app.inject({ method: 'POST', url: '/api/committee/entries', headers: { 'content-type': 'application/json' }, payload: deep });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
    expect(res.json().error.message.length).toBeLessThan(300);
  });
});

describe('ids and log positions are canonical decimal: no hex, exponent, sign, point, space or leading zero', () => {
  const spellings = ['0x1', '1e0', '+1', '1.0', '01', '%201', '1%20', '0b1', '9007199254740993', '1_0', 'Infinity'];

  it('GET /api/roster/members/:id answers member 1 only for "1"', async () => {
    expect((await app.inject({ url: '/api/roster/members/1' })).statusCode).toBe(200);
    for (const id of spellings) await refused({ method: 'GET', url: `/api/roster/members/${id}` }, 400, 'invalid_request');
  });

  it("the organizer's DELETE, code and replacement routes refuse them and leave the member as it was", async () => {
    for (const id of spellings) {
      await refused({ method: 'DELETE', url: `/api/admin/members/${id}`, headers: auth() }, 400, 'invalid_request');
      await refused({ method: 'POST', url: `/api/admin/members/${id}/code`, headers: auth() }, 400, 'invalid_request');
      await refused({ method: 'POST', url: `/api/admin/members/${id}/replacement`, headers: auth() }, 400, 'invalid_request');
    }
  });

  it('the log and roster queries refuse them too', async () => {
    expect((await app.inject({ url: '/api/log/entries?start=0&end=1' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/log/inclusion?index=0&size=1' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/log/consistency?from=1&to=1' })).statusCode).toBe(200);
    for (const n of ['0x1', '1e0', '+1', '1.0', '01', '-0']) {
      for (const url of [
        `/api/log/entries?start=0&end=${n}`,
        `/api/log/inclusion?index=0&size=${n}`,
        `/api/log/consistency?from=${n}&to=1`,
        `/api/roster?offset=${n}`,
        `/api/roster?limit=${n}`,
      ]) {
        await refused({ method: 'GET', url }, 400, 'invalid_request');
      }
    }
    await refused({ method: 'GET', url: '/api/log/entries?start=0&start=1&end=2' }, 400, 'invalid_request');
  });
});

describe('one rule for a name, added alone or imported', () => {
  const invisible = ['\u200b', '\u0301', '\u0301Ann', '\u2066', '\u2067', '\u2068', '\u2069', 'Ann\u2069', '\uffff', 'Ann\u00ad', 'Ann\ufeffLee', 'Ann\tLee', 'Ann\u2028Lee', '\ue000'];

  it('POST /api/admin/members refuses invisible, unassigned and control characters with bad_name', async () => {
    for (const name of invisible) await refused(post('/api/admin/members', { name }, auth()), 400, 'bad_name');
  });

  it('POST /api/admin/members/import refuses the same names with csv_invalid', async () => {
    for (const name of invisible) {
      const message = await refused(post('/api/admin/members/import', { csv: `name\n"${name}"\n` }, auth()), 400, 'csv_invalid');
      expect(message).toMatch(/^line 2: /);
    }
  });

  it('a name of 200 emoji (400 UTF-16 units) is accepted alone as it is by the import; joiners stay allowed', async () => {
    const res = await app.inject(post('/api/admin/members', { name: '😀'.repeat(200) }, auth()));
    expect(res.statusCode, res.body).toBe(201);
    const joined = await app.inject(post('/api/admin/members', { name: 'علی\u200cرضا Rahimi' }, auth()));
    expect(joined.statusCode, joined.body).toBe(201);
    await refused(post('/api/admin/members', { name: '😀'.repeat(201) }, auth()), 400, 'bad_name');
  });
});

describe('a csv_invalid message does not echo the file', () => {
  it('a 70 KB header row without a name column gets a message of a few hundred characters', async () => {
    const header = Array.from({ length: 7000 }, (_, i) => `column${i}`).join(',');
    const message = await refused(post('/api/admin/members/import', { csv: `${header}\nx\n` }, auth()), 400, 'csv_invalid');
    expect(message.length).toBeLessThan(400);
    expect(message).toContain('and 6995 more');
    const long = await refused(post('/api/admin/members/import', { csv: `name,${'x'.repeat(70_000)},${'X'.repeat(70_000)}\nA,b,c\n` }, auth()), 400, 'csv_invalid');
    expect(long.length).toBeLessThan(200);
  });
});

describe('malformed HTTP over a socket is answered in our error shape', () => {
  let url: URL;
  beforeAll(async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = new URL(urlOf(app));
  });

  /** Write raw bytes, read until the server closes: status line, headers, body. */
  function raw(bytes: string): Promise<{ status: number; headers: string; body: string }> {
    return new Promise((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname);
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('error', reject);
      socket.on('close', () => {
        const [head, ...rest] = text.split('\r\n\r\n');
        resolve({ status: Number(head.split(' ')[1]), headers: head, body: rest.join('\r\n\r\n') });
      });
      socket.write(bytes);
    });
  }

  const cases: [string, string, number, string][] = [
    ['a bad request line', 'GARBAGE\r\n\r\n', 400, 'bad_http'],
    ['a method with a bad character', 'G@T /api/instance HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_http'],
    ['a duplicate Content-Length', 'POST /api/setup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', 400, 'bad_http'],
    ['Content-Length with Transfer-Encoding: chunked', 'POST /api/setup HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, 'bad_http'],
    ['a bad chunk size', 'POST /api/setup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n', 400, 'bad_http'],
    ['a header name with a space', 'GET /api/instance HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n', 400, 'bad_http'],
    ['headers over 16 KiB', `GET /api/instance HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'headers_too_large'],
  ];
  for (const [what, bytes, status, code] of cases) {
    it(`${what}: ${status} ${code}`, async () => {
      const res = await raw(bytes);
      expect(res.status, res.headers).toBe(status);
      expect(res.headers).toMatch(/content-type: application\/json/i);
      expect(JSON.parse(res.body)).toEqual({ error: { code, message: expect.any(String) } });
    });
  }

  it('the server still answers afterwards, and logged each without an address', async () => {
    const res = await raw('GET /api/instance HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(200);
    expect(logLines).toContain('(malformed HTTP) 431');
    expect(logLines.join('\n')).not.toContain('127.0.0.1');
  });
});
