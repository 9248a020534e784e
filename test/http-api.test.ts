/**
 * The HTTP API through `app.inject()` (no socket), over a real SQLite file and real proofs.
 *
 * Rule under test: every route answers bad input with a 4xx and {"error": {"code", "message"}}
 * carrying a stable code — never a 500, never a stack trace — and a refused request changes
 * nothing in the database. A happy path (setup → roster → enroll → propose → sign → close →
 * bundle) runs through the same routes.
 *
 * The tests in this file share one instance and run in order: the fixtures (beforeAll) open a
 * letter and sign it; the refusals run while it is open; the last block closes it.
 */
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { verifyBundle } from '../src/core/bundle/bundle.ts';
import { parseVerifyState, verifyBundleResuming } from '../src/core/bundle/resume.ts';
import { identityFromPrivateKey, type Identity } from '../src/core/identity/identity.ts';
import { type Letter, letterId as computeLetterId } from '../src/core/letter/letter.ts';
import { type ProverContext, proveAction, proveProposal } from '../src/core/letter/prove.ts';
import type { SignatureRecord } from '../src/core/letter/record.ts';
import { type RosterRef, type RosterSnapshot, rosterRef } from '../src/core/roster/roster.ts';
import type { SemaphoreProof } from '../src/core/crypto/semaphore.ts';
import { sessionMessage, sessionScope } from '../src/core/identity/session.ts';
import { nodeArtifacts, nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { buildApp } from '../src/server/app.ts';
import { sql } from '../src/server/db.ts';
import type { Receipt } from '../src/core/member/receipt.ts';
import type { Instance } from '../src/server/instance.ts';
import { DB_FILE, openOrInit } from '../src/server/open.ts';
import { instanceSchemas } from '../src/server/routes/instance.ts';
import { letterSchemas } from '../src/server/routes/letters.ts';
import { logSchemas } from '../src/server/routes/log.ts';
import { rosterSchemas } from '../src/server/routes/roster.ts';

const clock = { now: new Date('2026-11-25T12:00:00Z') };
const logLines: string[] = [];
let dir: string;
let instance: Instance;
let app: FastifyInstance;
let setupToken: string;
let bootLines = 0;
const requestLines = () => logLines.slice(bootLines);

// Fixture state, filled by beforeAll through HTTP.
let adminToken: string;
const codes: Record<string, string> = {};
const memberIds: Record<string, number> = {};
let alice: Identity;
let bob: Identity;
let roster: { snapshot: RosterSnapshot; ref: RosterRef };
let letter: Letter;
let id: string;
/** What a verifier saved after verifying the first bundle (verify --state). */
let savedState: { state: unknown };
let proposal: SemaphoreProof;
let aliceRecord: SignatureRecord;
let bobRecord: SignatureRecord;
let receipts: Receipt[] = [];

const json = (res: { body: string }) => JSON.parse(res.body);
const auth = (token = adminToken) => ({ authorization: `Bearer ${token}` });
const post = (url: string, payload: unknown, headers: Record<string, string> = {}): InjectOptions => ({
  method: 'POST',
  url,
  headers: { 'content-type': 'application/json', ...headers },
  payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
});
const get = (url: string, headers: Record<string, string> = {}): InjectOptions => ({ method: 'GET', url, headers });

/**
 * A request body built against the route's own schema (the one the server validates it with):
 * typed at compile time, and parsed here, so a test cannot post what the route would refuse.
 */
const bodyOf = <T extends z.ZodType>(route: { body: T }, value: z.input<T>): z.output<T> => route.body.parse(value);

/**
 * The answer of a request the test expects to succeed, checked against the route's response
 * schema: it parses, and the schema names every key the server sent (nothing stripped).
 */
async function answer<T extends z.ZodType>(req: InjectOptions, schema: T, status = 200): Promise<z.output<T>> {
  const body = json(await ok(req, status));
  const parsed = schema.parse(body);
  expect(parsed).toEqual(body);
  return parsed;
}

/** Inject a request the test expects to succeed; fail with the body otherwise. */
async function ok(req: InjectOptions, status = 200) {
  const res = await app.inject(req);
  if (res.statusCode !== status) throw new Error(`${req.method} ${req.url}: expected ${status}, got ${res.statusCode} ${res.body}`);
  return res;
}

/**
 * The state of the database, two ways.
 *
 * - `dump`: every row of every table listed in sqlite_master (schema included), read with
 *   `SELECT *` in rowid order. This is the robust comparison: it does not depend on how SQLite
 *   lays pages out, on WAL checkpoints, or on which file a committed page currently lives in.
 * - `files`: SHA-256 of the main file and of the -wal file. Stronger (it would catch a write that
 *   was committed and then undone), and it holds for a refused request because in WAL mode SQLite
 *   writes frames to the -wal file only at COMMIT (these transactions are far too small to spill
 *   the page cache), a rolled-back or read-only transaction writes nothing, and checkpoints run only
 *   after a commit. The -shm file is left out on purpose: readers update their read marks in it.
 */
async function dbState() {
  const file = join(dir, DB_FILE);
  const hash = (f: string) => (existsSync(f) ? createHash('sha256').update(readFileSync(f)).digest('hex') : 'absent');
  const tables = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`.execute(instance.db);
  const dump: Record<string, unknown[]> = {
    sqlite_master: (await sql`SELECT * FROM sqlite_master ORDER BY name`.execute(instance.db)).rows,
  };
  for (const { name } of tables.rows) dump[name] = (await sql`SELECT * FROM ${sql.table(name)} ORDER BY rowid`.execute(instance.db)).rows;
  return { dump: JSON.stringify(dump), files: { db: hash(file), wal: hash(file + '-wal') } };
}

const STACK_TRACE = /\n\s+at |node_modules|\.ts:\d+|\.js:\d+/;

/**
 * Send a request that must be refused: the status and the code are pinned, the body is exactly
 * {"error": {"code", "message"}} with no stack trace, the request log line is the route and the
 * status, no internal error is logged, and the database is unchanged.
 */
async function refused(req: InjectOptions, status: number, code: string) {
  const before = await dbState();
  const linesBefore = logLines.length;
  const res = await app.inject(req);
  const body = res.body;
  expect(res.statusCode, body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const parsed = JSON.parse(body);
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(Object.keys(parsed.error).sort()).toEqual(['code', 'message']);
  expect(parsed.error.code).toBe(code);
  expect(typeof parsed.error.message).toBe('string');
  expect(parsed.error.message.length).toBeGreaterThan(0);
  expect(body).not.toMatch(STACK_TRACE);
  // One request line — except for router errors (bad_url, url_too_long), answered before any hook runs.
  const newLines = logLines.slice(linesBefore);
  expect(newLines).toHaveLength(code === 'bad_url' || code === 'url_too_long' ? 0 : 1);
  if (newLines.length) expect(newLines[0]).toMatch(new RegExp(`^${req.method} (/\\S+|\\(no route\\)) ${status}$`));
  const after = await dbState();
  expect(after.dump).toBe(before.dump);
  expect(after.files).toEqual(before.files);
  return parsed.error as { code: string; message: string };
}

function proverContext(identity: Identity): ProverContext {
  const computed = rosterRef(roster.snapshot);
  if (!computed.ok) throw new Error(computed.reason);
  return { identity, group: computed.group, letter, letterId: id, artifacts: nodeArtifacts };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-http-'));
  const opened = await openOrInit({ dataDir: dir, name: 'HTTP caucus', origin: 'test.invalid/http', now: () => clock.now, settings: { minGroupSize: 1 } });
  instance = opened.instance;
  setupToken = opened.setupToken!;
  app = await buildApp({ instance, log: (line) => logLines.push(line) });
  bootLines = logLines.length; // notices at start (e.g. that the web app is not built), not requests

  adminToken = (await answer(post('/api/setup', bodyOf(instanceSchemas.setup, { token: setupToken })), instanceSchemas.setup.response[200])).adminToken;
  for (const name of ['Alice Tremblay', 'Bob Roy', 'Carol Gagnon']) {
    const m = await answer(post('/api/admin/members', bodyOf(rosterSchemas.addMember, { name }), auth()), rosterSchemas.addMember.response[201], 201);
    codes[name] = m.code;
    memberIds[name] = m.id;
  }
  alice = identityFromPrivateKey(new Uint8Array(randomBytes(32)));
  bob = identityFromPrivateKey(new Uint8Array(randomBytes(32)));
  // Codes are typed from paper: lower case and no dashes are accepted.
  const enroll = (code: string, commitment: string) => answer(post('/api/enroll', bodyOf(rosterSchemas.enroll, { code, commitment })), rosterSchemas.enroll.response[201], 201);
  receipts.push((await enroll(codes['Alice Tremblay'].toLowerCase().replace(/-/g, ''), alice.commitment.toString())).receipt);
  receipts.push((await enroll(codes['Bob Roy'], bob.commitment.toString())).receipt);
  roster = (await answer(get('/api/roster'), rosterSchemas.roster.response[200])) as typeof roster;

  letter = {
    format: 'undersigned-letter/1',
    title: 'Request for a leadership review',
    text: 'We ask the chair to convene a leadership review.',
    recipient: 'The caucus chair',
    roster: roster.ref,
    deadline: '2026-12-01T17:00:00Z',
    revealThreshold: 0,
    visibility: 'live',
    nonce: Buffer.from(randomBytes(16)).toString('hex'),
  };
  id = computeLetterId(letter);
  proposal = await proveProposal(proverContext(alice));
  const opened2 = await answer(post('/api/letters', bodyOf(letterSchemas.propose, { letter, proposal })), letterSchemas.propose.response[201], 201);
  expect(opened2.letterId).toBe(id);
  receipts.push(opened2.receipt);
  aliceRecord = await proveAction(proverContext(alice), { action: 'support', display: 'anonymous', seq: 1 });
  const sign = (record: SignatureRecord) => answer(post(`/api/letters/${id}/records`, bodyOf(letterSchemas.record, { record })), letterSchemas.record.response[201], 201);
  receipts.push((await sign(aliceRecord)).receipt);
  bobRecord = await proveAction(proverContext(bob), { action: 'support', display: 'named', seq: 1 });
  receipts.push((await sign(bobRecord)).receipt);
});

afterAll(async () => {
  await app?.close();
  await instance?.db.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
afterAll(releaseSnarkjs);

describe('the fixtures went through HTTP', () => {
  it('setup gave an organizer token; the roster lists the three members, two enrolled', () => {
    expect(adminToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(roster.snapshot.members.map((m) => m.name)).toEqual(['Alice Tremblay', 'Bob Roy', 'Carol Gagnon']);
    expect(roster.ref).toMatchObject({ size: 3, enrolled: 2 });
    const computed = rosterRef(roster.snapshot);
    expect(computed.ok && computed.ref).toEqual(roster.ref);
  });

  it('every receipt is at a growing log index', () => {
    const indexes = receipts.map((r) => r.index);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(new Set(indexes).size).toBe(indexes.length);
  });
});

describe('refusals leave no trace', () => {
  const letterUrl = (suffix = '') => `/api/letters/${id}${suffix}`;
  const unknownLetter = 'ab'.repeat(32);
  const bigBody = (bytes: number, field = 'token') => `{"${field}":"${'a'.repeat(bytes)}"}`;
  const withPoints = (r: SignatureRecord): SignatureRecord => {
    const points = [...r.proof.points];
    points[0] = (BigInt(points[0]) + 1n).toString();
    return { ...r, proof: { ...r.proof, points } };
  };

  type Case = [title: string, req: () => InjectOptions, status: number, code: string];
  const cases: Record<string, Case[]> = {
    'any route': [
      ['an unknown route is not_found', () => get('/api/nothing-here'), 404, 'not_found'],
      ['a known path with another method is not_found', () => ({ method: 'PUT', url: '/api/roster' }), 404, 'not_found'],
      ['a POST to a page is not_found', () => post('/setup', { token: setupToken }), 404, 'not_found'],
      ['a malformed percent-encoding in the path', () => get('/api/letters/%E0%A4%A'), 400, 'bad_url'],
      ['a path parameter over 100 characters', () => get(`/api/letters/${'a'.repeat(200)}`), 414, 'url_too_long'],
    ],
    'POST /api/setup': [
      ['malformed JSON', () => post('/api/setup', '{"token": '), 400, 'invalid_json'],
      ['an empty JSON body', () => post('/api/setup', ''), 400, 'invalid_json'],
      ['JSON with a __proto__ key', () => post('/api/setup', '{"token":"x","__proto__":{"admin":true}}'), 400, 'invalid_json'],
      ['a body that is not JSON (XML)', () => ({ ...post('/api/setup', '<token/>'), headers: { 'content-type': 'application/xml' } }), 415, 'unsupported_media_type'],
      ['form data', () => ({ ...post('/api/setup', 'token=x'), headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type'],
      ['plain text', () => ({ ...post('/api/setup', 'x'), headers: { 'content-type': 'text/plain' } }), 400, 'invalid_request'],
      ['a JSON array', () => post('/api/setup', [setupToken]), 400, 'invalid_request'],
      ['a token of the wrong type', () => post('/api/setup', { token: 12345 }), 400, 'invalid_request'],
      ['an unknown field', () => post('/api/setup', { token: setupToken, admin: true }), 400, 'invalid_request'],
      ['a missing token', () => post('/api/setup', {}), 400, 'invalid_request'],
      ['a body over 1 MiB', () => post('/api/setup', bigBody(1024 * 1024)), 413, 'body_too_large'],
      ['the setup token reused', () => post('/api/setup', { token: setupToken }), 403, 'setup_token_invalid'],
      ['a wrong setup token', () => post('/api/setup', { token: 'not-the-token' }), 403, 'setup_token_invalid'],
    ],
    'POST /api/admin/members': [
      ['no bearer token', () => post('/api/admin/members', { name: 'Dan' }), 401, 'unauthorized'],
      ['a wrong bearer token', () => post('/api/admin/members', { name: 'Dan' }, auth('wrong')), 401, 'unauthorized'],
      ['the setup token used as the bearer token', () => post('/api/admin/members', { name: 'Dan' }, auth(setupToken)), 401, 'unauthorized'],
      ['an empty bearer token', () => post('/api/admin/members', { name: 'Dan' }, { authorization: 'Bearer ' }), 401, 'unauthorized'],
      ['another auth scheme', () => post('/api/admin/members', { name: 'Dan' }, { authorization: `Basic ${adminToken}` }), 401, 'unauthorized'],
      ['malformed JSON', () => post('/api/admin/members', '{name:"Dan"}', auth()), 400, 'invalid_json'],
      ['a name of the wrong type', () => post('/api/admin/members', { name: ['Dan'] }, auth()), 400, 'invalid_request'],
      ['extra of the wrong type', () => post('/api/admin/members', { name: 'Dan', extra: { riding: 5 } }, auth()), 400, 'invalid_request'],
      ['an unknown field', () => post('/api/admin/members', { name: 'Dan', leaf: 0 }, auth()), 400, 'invalid_request'],
      ['a missing name', () => post('/api/admin/members', {}, auth()), 400, 'invalid_request'],
      ['a name with a control character', () => post('/api/admin/members', { name: 'Dan\u0007' }, auth()), 400, 'bad_name'],
      ['a name already on the roster', () => post('/api/admin/members', { name: '  Bob   Roy ' }, auth()), 409, 'duplicate_name'],
      ['a body over 1 MiB', () => post('/api/admin/members', bigBody(1024 * 1024 + 10, 'name'), auth()), 413, 'body_too_large'],
    ],
    'POST /api/admin/members/import': [
      ['no bearer token', () => post('/api/admin/members/import', { csv: 'name\nDan\n' }), 401, 'unauthorized'],
      ['a wrong bearer token', () => post('/api/admin/members/import', { csv: 'name\nDan\n' }, auth('wrong')), 401, 'unauthorized'],
      ['malformed JSON', () => post('/api/admin/members/import', '{"csv": "name\n', auth()), 400, 'invalid_json'],
      ['csv of the wrong type', () => post('/api/admin/members/import', { csv: ['name', 'Dan'] }, auth()), 400, 'invalid_request'],
      ['an unknown field', () => post('/api/admin/members/import', { csv: 'name\nDan\n', dryRun: true }, auth()), 400, 'invalid_request'],
      ['a missing csv', () => post('/api/admin/members/import', {}, auth()), 400, 'invalid_request'],
      ['a CSV without a name column', () => post('/api/admin/members/import', { csv: 'riding\nLaval\n' }, auth()), 400, 'csv_invalid'],
      ['a CSV naming one person twice', () => post('/api/admin/members/import', { csv: 'name\nDan\nDAN\n' }, auth()), 400, 'csv_duplicate_name'],
      ['a CSV naming someone already on the roster', () => post('/api/admin/members/import', { csv: 'name\nDan\nAlice Tremblay\n' }, auth()), 409, 'duplicate_name'],
      // 2 MiB is over the default limit but under the import route's own: the CSV itself is judged.
      ['a 2 MiB body passes the size limit and the bad CSV in it is named', () => post('/api/admin/members/import', { csv: 'name\n"' + 'a'.repeat(2 * 1024 * 1024) }, auth()), 400, 'csv_invalid'],
      ['a body over the import limit (25 MiB)', () => post('/api/admin/members/import', bigBody(25 * 1024 * 1024, 'csv'), auth()), 413, 'body_too_large'],
    ],
    'DELETE /api/admin/members/:id': [
      ['no bearer token', () => ({ method: 'DELETE', url: '/api/admin/members/1' }), 401, 'unauthorized'],
      ['a wrong bearer token', () => ({ method: 'DELETE', url: '/api/admin/members/1', headers: auth('wrong') }), 401, 'unauthorized'],
      ['a non-numeric member id', () => ({ method: 'DELETE', url: '/api/admin/members/alice', headers: auth() }), 400, 'invalid_request'],
      ['member id 0', () => ({ method: 'DELETE', url: '/api/admin/members/0', headers: auth() }), 400, 'invalid_request'],
      ['a negative member id', () => ({ method: 'DELETE', url: '/api/admin/members/-1', headers: auth() }), 400, 'invalid_request'],
      ['a fractional member id', () => ({ method: 'DELETE', url: '/api/admin/members/1.5', headers: auth() }), 400, 'invalid_request'],
      ['a member id beyond any integer', () => ({ method: 'DELETE', url: '/api/admin/members/99999999999999999999', headers: auth() }), 400, 'invalid_request'],
      ['an unknown member', () => ({ method: 'DELETE', url: '/api/admin/members/999', headers: auth() }), 404, 'member_not_found'],
    ],
    'POST /api/admin/members/:id/code': [
      ['no bearer token', () => ({ method: 'POST', url: '/api/admin/members/3/code' }), 401, 'unauthorized'],
      ['a wrong bearer token', () => ({ method: 'POST', url: '/api/admin/members/3/code', headers: auth('wrong') }), 401, 'unauthorized'],
      ['a non-numeric member id', () => ({ method: 'POST', url: '/api/admin/members/x/code', headers: auth() }), 400, 'invalid_request'],
      ['an unknown member', () => ({ method: 'POST', url: '/api/admin/members/999/code', headers: auth() }), 404, 'member_not_found'],
      ['a member who already enrolled', () => ({ method: 'POST', url: `/api/admin/members/${memberIds['Alice Tremblay']}/code`, headers: auth() }), 409, 'already_enrolled'],
      ['malformed JSON', () => post('/api/admin/members/3/code', '{', auth()), 400, 'invalid_json'],
    ],
    'POST /api/admin/members/:id/replacement': [
      ['no bearer token', () => ({ method: 'POST', url: '/api/admin/members/1/replacement' }), 401, 'unauthorized'],
      ['a wrong bearer token', () => ({ method: 'POST', url: '/api/admin/members/1/replacement', headers: auth('wrong') }), 401, 'unauthorized'],
      ['a non-numeric member id', () => ({ method: 'POST', url: '/api/admin/members/1e/replacement', headers: auth() }), 400, 'invalid_request'],
      ['an unknown member', () => ({ method: 'POST', url: '/api/admin/members/999/replacement', headers: auth() }), 404, 'member_not_found'],
      ['a member who has not enrolled', () => ({ method: 'POST', url: `/api/admin/members/${memberIds['Carol Gagnon']}/replacement`, headers: auth() }), 409, 'not_enrolled'],
    ],
    'POST /api/admin/letters/:id/close': [
      ['no bearer token', () => ({ method: 'POST', url: letterUrl('').replace('/api/letters', '/api/admin/letters') + '/close' }), 401, 'unauthorized'],
      ['a wrong bearer token', () => ({ method: 'POST', url: `/api/admin/letters/${id}/close`, headers: auth('wrong') }), 401, 'unauthorized'],
      ['a non-hex letter id', () => ({ method: 'POST', url: `/api/admin/letters/${'zz'.repeat(32)}/close`, headers: auth() }), 400, 'invalid_request'],
      ['an upper-case letter id', () => ({ method: 'POST', url: `/api/admin/letters/${id.toUpperCase()}/close`, headers: auth() }), 400, 'invalid_request'],
      ['a short letter id', () => ({ method: 'POST', url: `/api/admin/letters/${id.slice(2)}/close`, headers: auth() }), 400, 'invalid_request'],
      ['an unknown letter', () => ({ method: 'POST', url: `/api/admin/letters/${unknownLetter}/close`, headers: auth() }), 404, 'letter_not_found'],
    ],
    'GET /api/roster/members/:id': [
      ['a non-numeric member id', () => get('/api/roster/members/alice'), 400, 'invalid_request'],
      ['member id 0', () => get('/api/roster/members/0'), 400, 'invalid_request'],
      ['an unknown member', () => get('/api/roster/members/999'), 404, 'member_not_found'],
    ],
    'POST /api/enroll': [
      ['malformed JSON', () => post('/api/enroll', '{"code":"A", "commitment": 1'), 400, 'invalid_json'],
      ['XML', () => ({ ...post('/api/enroll', '<enroll/>'), headers: { 'content-type': 'application/xml' } }), 415, 'unsupported_media_type'],
      ['a commitment of the wrong type', () => post('/api/enroll', { code: codes['Carol Gagnon'], commitment: 12345 }), 400, 'invalid_request'],
      ['a commitment that is not decimal', () => post('/api/enroll', { code: codes['Carol Gagnon'], commitment: '0x1234' }), 400, 'invalid_request'],
      ['a commitment of zero', () => post('/api/enroll', { code: codes['Carol Gagnon'], commitment: '0' }), 400, 'bad_commitment'],
      ['a commitment beyond the field', () => post('/api/enroll', { code: codes['Carol Gagnon'], commitment: '9'.repeat(77) }), 400, 'bad_commitment'],
      ['an unknown field', () => post('/api/enroll', { code: codes['Carol Gagnon'], commitment: '1234', member: 3 }), 400, 'invalid_request'],
      ['a missing code', () => post('/api/enroll', { commitment: '1234' }), 400, 'invalid_request'],
      ['a body over 1 MiB', () => post('/api/enroll', bigBody(1024 * 1024, 'code')), 413, 'body_too_large'],
      ['an unknown code', () => post('/api/enroll', { code: 'AAAA-BBBB-CCCC-DDDD', commitment: '1234' }), 403, 'code_invalid'],
      ['a reused enrollment code', () => post('/api/enroll', { code: codes['Alice Tremblay'], commitment: '1234' }), 403, 'code_used'],
      ['a commitment already on the roster', () => post('/api/enroll', { code: codes['Carol Gagnon'], commitment: alice.commitment.toString() }), 409, 'commitment_taken'],
    ],
    'POST /api/session/challenge': [
      ['malformed JSON', () => post('/api/session/challenge', '{'), 400, 'invalid_json'],
      ['a body over 1 MiB', () => post('/api/session/challenge', bigBody(1024 * 1024)), 413, 'body_too_large'],
    ],
    'POST /api/session': [
      ['malformed JSON', () => post('/api/session', 'null,'), 400, 'invalid_json'],
      ['a missing proof', () => post('/api/session', { challenge: 'ab'.repeat(32) }), 400, 'invalid_request'],
      ['a proof of the wrong shape', () => post('/api/session', { challenge: 'ab'.repeat(32), proof: { ...proposal, points: proposal.points.slice(1) } }), 400, 'invalid_request'],
      ['an unknown field', () => post('/api/session', { challenge: 'ab'.repeat(32), proof: proposal, member: 1 }), 400, 'invalid_request'],
      ['an unknown challenge', () => post('/api/session', { challenge: 'ab'.repeat(32), proof: proposal }), 403, 'challenge_invalid'],
      ['a body over 1 MiB', () => post('/api/session', bigBody(1024 * 1024, 'challenge')), 413, 'body_too_large'],
    ],
    'POST /api/letters': [
      ['malformed JSON', () => post('/api/letters', '{"letter":'), 400, 'invalid_json'],
      ['a missing proposal', () => post('/api/letters', { letter }), 400, 'invalid_request'],
      ['an unknown field', () => post('/api/letters', { letter, proposal, id }), 400, 'invalid_request'],
      ['a letter of the wrong shape', () => post('/api/letters', { letter: { ...letter, title: 7 }, proposal }), 400, 'bad_letter'],
      ['a letter with an unknown field', () => post('/api/letters', { letter: { ...letter, priority: 'high' }, proposal }), 400, 'bad_letter'],
      ['a letter whose deadline passed', () => post('/api/letters', { letter: { ...letter, deadline: '2026-11-01T00:00:00Z' }, proposal }), 400, 'deadline_passed'],
      ['a letter over another roster', () => post('/api/letters', { letter: { ...letter, roster: { ...letter.roster, root: '12345' } }, proposal }), 409, 'roster_changed'],
      ['a proposal proof for another letter', () => post('/api/letters', { letter: { ...letter, nonce: 'ff'.repeat(16) }, proposal }), 400, 'bad_proposal'],
      ['a proposal proof against the wrong root', () => post('/api/letters', { letter, proposal: { ...proposal, merkleTreeRoot: '12345' } }), 400, 'bad_proposal'],
      ['a proposal proof whose points were altered', () => post('/api/letters', { letter, proposal: { ...proposal, points: [...proposal.points].reverse() } }), 400, 'bad_proof'],
      ['the same proposal replayed', () => post('/api/letters', { letter, proposal }), 409, 'letter_exists'],
      ['a body over 1 MiB', () => post('/api/letters', { letter: { ...letter, text: 'a'.repeat(1024 * 1024) }, proposal }), 413, 'body_too_large'],
    ],
    'GET /api/letters/:id': [
      ['a non-hex letter id', () => get(`/api/letters/${'g'.repeat(64)}`), 400, 'invalid_request'],
      ['an upper-case letter id', () => get(`/api/letters/${id.toUpperCase()}`), 400, 'invalid_request'],
      ['an unknown letter', () => get(`/api/letters/${unknownLetter}`), 404, 'letter_not_found'],
    ],
    'GET /api/letters/:id/roster': [
      ['a non-hex letter id', () => get('/api/letters/not-a-letter/roster'), 400, 'invalid_request'],
      ['an unknown letter', () => get(`/api/letters/${unknownLetter}/roster`), 404, 'letter_not_found'],
    ],
    'POST /api/letters/:id/records': [
      ['a non-hex letter id', () => post('/api/letters/xyz/records', { record: aliceRecord }), 400, 'invalid_request'],
      ['an unknown letter', () => post(`/api/letters/${unknownLetter}/records`, { record: aliceRecord }), 404, 'letter_not_found'],
      ['malformed JSON', () => post(letterUrl('/records'), '{"record": {'), 400, 'invalid_json'],
      ['a missing record', () => post(letterUrl('/records'), {}), 400, 'invalid_request'],
      ['an unknown field', () => post(letterUrl('/records'), { record: aliceRecord, delay: 0 }), 400, 'invalid_request'],
      ['an unknown field inside the action', () => post(letterUrl('/records'), { record: { ...aliceRecord, action: { ...aliceRecord.action, at: '2026-11-25T12:00:00Z' } } }), 400, 'invalid_request'],
      ['seq of the wrong type', () => post(letterUrl('/records'), { record: { ...aliceRecord, action: { ...aliceRecord.action, seq: '2' } } }), 400, 'invalid_request'],
      ['a body over 1 MiB', () => post(letterUrl('/records'), bigBody(1024 * 1024, 'record')), 413, 'body_too_large'],
      ['a record for another letter', () => post(letterUrl('/records'), { record: { ...aliceRecord, action: { ...aliceRecord.action, letterId: unknownLetter } } }), 400, 'wrong_letter'],
      ['a proof against the wrong root', () => post(letterUrl('/records'), { record: { ...aliceRecord, proof: { ...aliceRecord.proof, merkleTreeRoot: '12345' } } }), 400, 'wrong_root'],
      ['an action the proof did not commit to', () => post(letterUrl('/records'), { record: { ...aliceRecord, action: { ...aliceRecord.action, seq: 2 } } }), 400, 'wrong_message'],
      ['a proof whose points were altered', () => post(letterUrl('/records'), { record: withPoints(aliceRecord) }), 400, 'bad_proof'],
      ['the same record twice (replayed)', () => post(letterUrl('/records'), { record: aliceRecord }), 409, 'replay'],
      ['a named record replayed', () => post(letterUrl('/records'), { record: bobRecord }), 409, 'replay'],
    ],
    'POST /api/letters/:id/nullifier': [
      ['a non-hex letter id', () => post('/api/letters/xyz/nullifier', { nullifier: '1' }), 400, 'invalid_request'],
      ['a non-decimal nullifier', () => post(letterUrl('/nullifier'), { nullifier: '0xabc' }), 400, 'invalid_request'],
      ['a nullifier with a leading zero', () => post(letterUrl('/nullifier'), { nullifier: '0123' }), 400, 'invalid_request'],
      ['a nullifier as a number', () => post(letterUrl('/nullifier'), { nullifier: 1 }), 400, 'invalid_request'],
      ['an unknown field', () => post(letterUrl('/nullifier'), { nullifier: '1', seq: 2 }), 400, 'invalid_request'],
      ['no body', () => ({ method: 'POST', url: letterUrl('/nullifier') }) as InjectOptions, 400, 'invalid_request'],
      ['an unknown letter', () => post(`/api/letters/${unknownLetter}/nullifier`, { nullifier: '1' }), 404, 'letter_not_found'],
      ['the old GET with the nullifier in the URL', () => get(letterUrl('/nullifiers/1')), 404, 'not_found'],
    ],
    'GET /api/letters/:id/bundle': [
      ['a non-hex letter id', () => get('/api/letters/xyz/bundle'), 400, 'invalid_request'],
      ['an unknown letter', () => get(`/api/letters/${unknownLetter}/bundle`), 404, 'letter_not_found'],
      ['a letter that is still open', () => get(letterUrl('/bundle')), 409, 'letter_open'],
    ],
    'GET /api/log/entries': [
      ['a missing range', () => get('/api/log/entries'), 400, 'invalid_request'],
      ['a non-numeric start', () => get('/api/log/entries?start=a&end=2'), 400, 'invalid_request'],
      ['start given twice', () => get('/api/log/entries?start=0&start=1&end=2'), 400, 'invalid_request'],
      ['an unknown parameter', () => get('/api/log/entries?start=0&end=2&withheld=1'), 400, 'invalid_request'],
      ['an empty range', () => get('/api/log/entries?start=3&end=3'), 400, 'bad_range'],
      ['more than 1000 entries', () => get('/api/log/entries?start=0&end=1001'), 400, 'bad_range'],
    ],
    'GET /api/log/inclusion': [
      ['a missing size', () => get('/api/log/inclusion?index=0'), 400, 'invalid_request'],
      ['a negative index', () => get('/api/log/inclusion?index=-1&size=2'), 400, 'invalid_request'],
      ['a size beyond the log', () => get('/api/log/inclusion?index=0&size=100000'), 400, 'bad_size'],
      ['an index beyond the size', () => get('/api/log/inclusion?index=5&size=2'), 400, 'bad_index'],
    ],
    'GET /api/log/consistency': [
      ['a missing from', () => get('/api/log/consistency?to=2'), 400, 'invalid_request'],
      ['from 0', () => get('/api/log/consistency?from=0&to=2'), 400, 'invalid_request'],
      ['from after to', () => get('/api/log/consistency?from=3&to=2'), 400, 'bad_size'],
      ['to beyond the log', () => get('/api/log/consistency?from=1&to=100000'), 400, 'bad_size'],
    ],
  };

  for (const [route, list] of Object.entries(cases)) {
    describe(route, () => {
      for (const [title, req, status, code] of list) {
        it(`${title} → ${status} ${code}`, async () => {
          await refused(req(), status, code);
        });
      }
    });
  }

  describe('POST /api/session (with a fresh challenge)', () => {
    // A challenge is made without writing anything (docs/protocol.md §8).
    const fresh = async () => json(await ok(post('/api/session/challenge', {}))).challenge as string;
    const sessionProof = (challenge: string, overrides: Partial<SemaphoreProof> = {}): SemaphoreProof => ({
      merkleTreeDepth: roster.ref.depth,
      merkleTreeRoot: roster.ref.root,
      nullifier: '1234',
      message: sessionMessage(challenge).toString(),
      scope: sessionScope(challenge).toString(),
      points: proposal.points,
      ...overrides,
    });

    it('a proof against the wrong root → 400 wrong_root', async () => {
      const c = await fresh();
      await refused(post('/api/session', { challenge: c, proof: sessionProof(c, { merkleTreeRoot: '12345' }) }), 400, 'wrong_root');
    });
    it('a proof over another challenge → 400 wrong_scope', async () => {
      const c = await fresh();
      await refused(post('/api/session', { challenge: c, proof: sessionProof('cd'.repeat(32)) }), 400, 'wrong_scope');
    });
    it('a proof that does not verify → 400 bad_proof', async () => {
      const c = await fresh();
      await refused(post('/api/session', { challenge: c, proof: sessionProof(c) }), 400, 'bad_proof');
    });
    it('an expired challenge → 403 challenge_expired', async () => {
      const c = await fresh();
      clock.now = new Date(clock.now.getTime() + 11 * 60_000);
      try {
        await refused(post('/api/session', { challenge: c, proof: sessionProof(c) }), 403, 'challenge_expired');
      } finally {
        clock.now = new Date(clock.now.getTime() - 11 * 60_000);
      }
    });
  });

  it("a request that does not match its route's schema names the part and the first wrong field; a missing body is checked as {}", async () => {
    const message = async (req: InjectOptions) => (await refused(req, 400, 'invalid_request')).message;
    expect(await message(post(`/api/letters/${id}/records`, { record: { ...aliceRecord, action: { ...aliceRecord.action, seq: -1 } } }))).toMatch(/^body\.record\.action\.seq: /);
    expect(await message(post('/api/letters/not-an-id/nullifier', { nullifier: '1' }))).toBe('params.id: 64 lowercase hex characters');
    expect(await message(get('/api/log/inclusion?index=0&size=0'))).toMatch(/^query\.size: /);
    expect(await message(get('/api/roster?limit=5001'))).toMatch(/^query\.limit: /);
    expect(await message({ method: 'POST', url: '/api/enroll' })).toMatch(/^body\.code: /);
    expect(await message(post('/api/enroll', [1]))).toMatch(/^body: /);
    // The organizer's token is checked before the body.
    await refused(post('/api/admin/members', { name: 5 }), 401, 'unauthorized');
    expect(await message(post('/api/admin/members', { name: 5 }, auth()))).toMatch(/^body\.name: /);
  });

  it('no request so far made the server log an internal error or answer 5xx', () => {
    expect(requestLines().filter((l) => !/^[A-Z]+ (\/\S*|\(no route\)) \d{3}$/.test(l))).toEqual([]);
    // (The front page answers 503 while the web app is not built: that is not an error.)
    expect(logLines.filter((l) => (/ 5\d\d$/.test(l) && l !== 'GET / 503') || /internal error/.test(l))).toEqual([]);
  });
});

describe('happy path through HTTP', () => {
  it('the front page answers (the web app, or how to build it) with a strict Content-Security-Policy', async () => {
    const res = await app.inject(get('/'));
    expect([200, 503]).toContain(res.statusCode);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('GET /api/instance describes the instance, set up', async () => {
    const info = await answer(get('/api/instance'), instanceSchemas.info.response[200]);
    expect(info).toMatchObject({ name: 'HTTP caucus', origin: 'test.invalid/http', setupDone: true });
    expect(info.checkpoint).toContain('test.invalid/http\n');
  });

  it('the open letter shows its count (2) and its named signer', async () => {
    const s = await answer(get(`/api/letters/${id}`), letterSchemas.status.response[200]);
    expect(s).toMatchObject({ letterId: id, status: 'open', rosterSize: 3, count: 2, named: ['Bob Roy'] });
    const list = await answer(get('/api/letters'), letterSchemas.list.response[200]);
    expect(list.letters.map((l: { letterId: string }) => l.letterId)).toEqual([id]);
  });

  it("a signer's nullifier state gives the next seq", async () => {
    const state = (nullifier: string) => answer(post(`/api/letters/${id}/nullifier`, bodyOf(letterSchemas.nullifier, { nullifier })), letterSchemas.nullifier.response[200]);
    expect(await state(aliceRecord.proof.nullifier)).toMatchObject({ seq: 1, action: 'support' });
    expect(await state('1')).toEqual({ seq: 0, action: null, index: null });
  });

  it("the letter's roster is the snapshot it fixed", async () => {
    expect((await answer(get(`/api/letters/${id}/roster`), letterSchemas.roster.response[200])).snapshot).toEqual(roster.snapshot);
  });

  it('a member entry lists its log events; log routes answer', async () => {
    const entry = json(await ok(get(`/api/roster/members/${memberIds['Alice Tremblay']}`)));
    expect(entry.member).toMatchObject({ name: 'Alice Tremblay', commitment: alice.commitment.toString() });
    expect(entry.events.map((e: { entry: { kind: string } }) => e.entry.kind)).toEqual(['member-added', 'member-enrolled']);
    const size = receipts.at(-1)!.index + 1;
    const { entries } = json(await ok(get(`/api/log/entries?start=0&end=${size}`)));
    expect(entries).toHaveLength(size);
    expect((await answer(get(`/api/log/inclusion?index=0&size=${size}`), logSchemas.inclusion.response[200])).proof.length).toBeGreaterThan(0);
    expect((await answer(get(`/api/log/consistency?from=1&to=${size}`), logSchemas.consistency.response[200])).proof.length).toBeGreaterThan(0);
    const cp = await ok(get('/api/log/checkpoint'));
    expect(cp.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('the organizer closes the letter and the bundle verifies offline', async () => {
    const closed = await answer({ method: 'POST', url: `/api/admin/letters/${id}/close`, headers: auth() }, letterSchemas.close.response[200]);
    expect(closed).toMatchObject({ count: 2, named: ['Bob Roy'] });
    const s = json(await ok(get(`/api/letters/${id}`)));
    expect(s).toMatchObject({ status: 'closed', count: 2 });
    const bundle = json(await ok(get(`/api/letters/${id}/bundle`)));
    const info = json(await ok(get('/api/instance')));
    const verdict = await verifyBundle(bundle, { keys: nodeVerificationKeys, expectedVerifierKey: info.verifierKey });
    expect(verdict).toMatchObject({ valid: true, letterId: id, count: 2, rosterSize: 3, named: ['Bob Roy'], records: 2 });
    savedState = (await verifyBundleResuming(bundle, null, { keys: nodeVerificationKeys })) as { state: unknown };
  });

  it('after the close: a new record → 409 letter_closed, a second close → 409 letter_closed', async () => {
    await refused(post(`/api/letters/${id}/records`, { record: aliceRecord }), 409, 'letter_closed');
    await refused({ method: 'POST', url: `/api/admin/letters/${id}/close`, headers: auth() }, 409, 'letter_closed');
  });

  it('the organizer adds, re-codes, replaces and removes members through HTTP', async () => {
    const imported = await answer(post('/api/admin/members/import', bodyOf(rosterSchemas.importMembers, { csv: 'name,riding\nDan Roy,Laval\n' }), auth()), rosterSchemas.importMembers.response[201], 201);
    expect(imported.members).toHaveLength(1);
    const dan = imported.members[0].id;
    const recoded = await answer({ method: 'POST', url: `/api/admin/members/${dan}/code`, headers: auth() }, rosterSchemas.newCode.response[200]);
    // The old code stopped working when the new one was issued.
    await refused(post('/api/enroll', { code: imported.members[0].code, commitment: '1234' }), 403, 'code_used');
    const danId = identityFromPrivateKey(new Uint8Array(randomBytes(32)));
    await ok(post('/api/enroll', { code: recoded.code, commitment: danId.commitment.toString() }), 201);
    const replacement = json(await ok({ method: 'POST', url: `/api/admin/members/${dan}/replacement`, headers: auth() }));
    const danNew = identityFromPrivateKey(new Uint8Array(randomBytes(32)));
    const replaced = await answer(post('/api/enroll', bodyOf(rosterSchemas.enroll, { code: replacement.code, commitment: danNew.commitment.toString() })), rosterSchemas.enroll.response[201], 201);
    expect(replaced.member.id).toBe(dan);
    const removed = await answer({ method: 'DELETE', url: `/api/admin/members/${dan}`, headers: auth() }, rosterSchemas.removeMember.response[200]);
    expect(removed.receipt.index).toBeGreaterThan(replaced.receipt.index);
    await refused({ method: 'DELETE', url: `/api/admin/members/${dan}`, headers: auth() }, 404, 'member_not_found');
  });

  it('a verifier that resumes asks for the bundle ?from= its saved size and gets a consistency proof it checks; a size beyond the log → 400 bad_size', async () => {
    const saved = parseVerifyState(savedState.state);
    if (!saved.ok) throw new Error(saved.reason);
    const from = Number(saved.state.checkpoint.split('\n')[1]);
    const later = json(await ok(get(`/api/letters/${id}/bundle?from=${from}`)));
    expect(later.log.consistency.from).toBe(from);
    const r = await verifyBundleResuming(later, savedState.state, { keys: nodeVerificationKeys });
    if ('refused' in r) throw new Error(r.refused.reason);
    expect(r.note.mode).toBe('resumed');
    expect(r.verdict).toMatchObject({ valid: true, count: 2 });
    await refused(get(`/api/letters/${id}/bundle?from=${10 ** 9}`), 400, 'bad_size');
    await refused(get(`/api/letters/${id}/bundle?from=0`), 400, 'invalid_request');
  });

  it('every request line names the route pattern, never a concrete id', () => {
    for (const line of requestLines()) {
      expect(line).toMatch(/^[A-Z]+ (\/\S*|\(no route\)) \d{3}$/);
      expect(line).not.toContain(id);
      expect(line).not.toContain(aliceRecord.proof.nullifier);
      expect(line).not.toMatch(/members\/\d/);
    }
    expect(logLines).toContain('POST /api/letters/:id/records 201');
    // (The front page answers 503 while the web app is not built: that is not an error.)
    expect(logLines.filter((l) => (/ 5\d\d$/.test(l) && l !== 'GET / 503') || /internal error/.test(l))).toEqual([]);
  });
});
