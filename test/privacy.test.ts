/**
 * Privacy hygiene (DESIGN §5): after a scripted session through HTTP, read the whole database and
 * every request log line, and check that nothing there identifies a device (IP address, user
 * agent) or links a member — roster row, enrollment code, session — to the nullifier of an
 * anonymous signer, and that records carry no timestamps.
 *
 * Script: setup; 4 members added and enrolled; member 0 opens a membership session; member 3
 * proposes a members-only letter; member 0 signs anonymously, member 1 signs named, member 2 signs
 * anonymously then withdraws; the organizer closes; the bundle is exported. 6 proofs in all.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Group } from '@semaphore-protocol/group';
import { generateProof } from '@semaphore-protocol/proof';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFromPrivateKey, type Identity } from '../src/core/identity/identity.ts';
import { type Letter, letterId as computeLetterId } from '../src/core/letter/letter.ts';
import { type ProverContext, proveAction, proveProposal } from '../src/core/letter/prove.ts';
import type { SignatureRecord } from '../src/core/letter/record.ts';
import { type RosterRef, type RosterSnapshot, rosterRef } from '../src/core/roster/roster.ts';
import type { SemaphoreProof } from '../src/core/crypto/semaphore.ts';
import { sessionMessage, sessionScope } from '../src/core/identity/session.ts';
import { nodeArtifacts, releaseSnarkjs } from '../src/node/artifacts.ts';
import { buildApp } from '../src/server/app.ts';
import { sql } from '../src/server/db.ts';
import type { Instance } from '../src/server/instance.ts';
import { DB_FILE, openOrInit } from '../src/server/open.ts';

// What a client's request reveals about its device; none of it may be kept.
const REMOTE_ADDRESS = '203.0.113.77';
const FORWARDED_FOR = '198.51.100.23';
const REAL_IP = '192.0.2.99';
const FORWARDED = '192.0.2.43';
const USER_AGENT = 'PrivacyProbe/4.2 (X11; Linux x86_64; probe-7f3a9c)';
const IP_NEEDLES = ['127.0.0.1', '::1', '::ffff:', REMOTE_ADDRESS, FORWARDED_FOR, REAL_IP, FORWARDED];

const clock = { now: new Date('2026-11-25T12:00:00Z') };
const logLines: string[] = [];
let bootLines = 0;
let dir: string;
let instance: Instance;
let app: FastifyInstance;

const identities: Identity[] = Array.from({ length: 4 }, () => identityFromPrivateKey(new Uint8Array(randomBytes(32))));
const names = ['Ana Lopes', 'Ben Okafor', 'Chloé Martin', 'Dev Singh'];
const codes: string[] = [];
const memberIds: number[] = [];
let adminToken: string;
let setupToken: string;
let session: string;
let sessionNullifier: string;
let letter: Letter;
let id: string;
let records: { anonymous0: SignatureRecord; named1: SignatureRecord; anonymous2: SignatureRecord; withdraw2: SignatureRecord };
let bundleText: string;
let tables: Record<string, Record<string, unknown>[]>;
let columns: Record<string, string[]>;

/** Every request carries an address and device headers, as a real browser's would. */
async function send(req: InjectOptions, status: number) {
  const res = await app.inject({
    ...req,
    remoteAddress: REMOTE_ADDRESS,
    headers: {
      'user-agent': USER_AGENT,
      'x-forwarded-for': FORWARDED_FOR,
      'x-real-ip': REAL_IP,
      forwarded: `for=${FORWARDED};proto=https`,
      ...(req.payload !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(req.headers ?? {}),
    },
  });
  if (res.statusCode !== status) throw new Error(`${req.method} ${req.url}: expected ${status}, got ${res.statusCode} ${res.body}`);
  return res;
}
const getJson = async (url: string, headers: Record<string, string> = {}) => JSON.parse((await send({ method: 'GET', url, headers }, 200)).body);
const postJson = async (url: string, body: unknown, status = 200, headers: Record<string, string> = {}) =>
  JSON.parse((await send({ method: 'POST', url, payload: JSON.stringify(body), headers }, status)).body);

/** A membership proof over a session challenge (docs/protocol.md §8), as a member's device makes it. */
async function sessionProof(identity: Identity, group: Group, depth: number, challenge: string): Promise<SemaphoreProof> {
  const merkleProof = group.generateMerkleProof(group.indexOf(identity.commitment));
  const p = await generateProof(identity, { ...merkleProof, siblings: [...merkleProof.siblings] }, sessionMessage(challenge), sessionScope(challenge), depth, nodeArtifacts(depth));
  return {
    merkleTreeDepth: p.merkleTreeDepth,
    merkleTreeRoot: String(p.merkleTreeRoot),
    nullifier: String(p.nullifier),
    message: String(p.message),
    scope: String(p.scope),
    points: p.points.map(String),
  };
}

const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');
const decimalToHex = (d: string) => BigInt(d).toString(16);
/** The forms a nullifier could be stored in: decimal, hex, or hashed. */
const nullifierForms = (n: string) => [n, decimalToHex(n), sha256Hex(n)];
const rowText = (row: Record<string, unknown>) => JSON.stringify(row);
const allRows = () => Object.entries(tables).flatMap(([table, rows]) => rows.map((row) => ({ table, text: rowText(row) })));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-privacy-'));
  const opened = await openOrInit({ dataDir: dir, name: 'Privacy caucus', origin: 'test.invalid/privacy', now: () => clock.now, settings: { minGroupSize: 1 } });
  instance = opened.instance;
  setupToken = opened.setupToken!;
  app = await buildApp({ instance, log: (line) => logLines.push(line) });
  bootLines = logLines.length; // notices at start (e.g. that the web app is not built), not requests
  const admin = () => ({ authorization: `Bearer ${adminToken}` });

  adminToken = (await postJson('/api/setup', { token: setupToken })).adminToken;
  for (const name of names) {
    const m = await postJson('/api/admin/members', { name }, 201, admin());
    codes.push(m.code);
    memberIds.push(m.id);
  }
  for (let i = 0; i < 4; i++) await postJson('/api/enroll', { code: codes[i], commitment: identities[i].commitment.toString() }, 201);
  const roster: { snapshot: RosterSnapshot; ref: RosterRef } = await getJson('/api/roster');
  const computed = rosterRef(roster.snapshot);
  if (!computed.ok) throw new Error(computed.reason);
  const group = computed.group;

  // Member 0 opens a membership session.
  const { challenge } = await postJson('/api/session/challenge', {});
  const proof = await sessionProof(identities[0], group, roster.ref.depth, challenge);
  sessionNullifier = proof.nullifier;
  session = (await postJson('/api/session', { challenge, proof })).session;

  // Member 3 proposes a letter whose count only members see before the close.
  letter = {
    format: 'undersigned-letter/1',
    title: 'Request for a leadership review',
    text: 'We ask the chair to convene a leadership review.',
    recipient: 'The caucus chair',
    roster: roster.ref,
    deadline: '2026-12-01T17:00:00Z',
    revealThreshold: 0,
    visibility: 'members',
    nonce: Buffer.from(randomBytes(16)).toString('hex'),
  };
  id = computeLetterId(letter);
  const ctx = (i: number): ProverContext => ({ identity: identities[i], group, letter, letterId: id, artifacts: nodeArtifacts });
  await postJson('/api/letters', { letter, proposal: await proveProposal(ctx(3)) }, 201);

  records = {
    anonymous0: await proveAction(ctx(0), { action: 'support', display: 'anonymous', seq: 1 }),
    named1: await proveAction(ctx(1), { action: 'support', display: 'named', seq: 1 }),
    anonymous2: await proveAction(ctx(2), { action: 'support', display: 'anonymous', seq: 1 }),
    withdraw2: await proveAction(ctx(2), { action: 'withdraw', seq: 2 }),
  };
  for (const record of Object.values(records)) await postJson(`/api/letters/${id}/records`, { record }, 201);

  // The session lets member 0 see the count before the close; without it, it is hidden.
  expect((await getJson(`/api/letters/${id}`, { 'x-session': session })).count).toBe(2);
  expect((await getJson(`/api/letters/${id}`)).count).toBeNull();
  await postJson(`/api/letters/${id}/nullifier`, { nullifier: records.anonymous0.proof.nullifier });

  await postJson(`/api/admin/letters/${id}/close`, {}, 200, admin());
  bundleText = (await send({ method: 'GET', url: `/api/letters/${id}/bundle` }, 200)).body;
  await getJson('/api/log/entries?start=0&end=1000');

  // Read every table the database has, whatever it is called.
  const list = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`.execute(instance.db);
  tables = {};
  columns = {};
  for (const { name } of list.rows) {
    tables[name] = (await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(name)}`.execute(instance.db)).rows;
    columns[name] = (await sql<{ name: string }>`SELECT name FROM pragma_table_info(${name})`.execute(instance.db)).rows.map((c) => c.name);
  }
});

afterAll(async () => {
  await app?.close();
  await instance?.db.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
afterAll(releaseSnarkjs);

const anonymousSigners = () => [
  { member: 0, nullifier: records.anonymous0.proof.nullifier },
  { member: 2, nullifier: records.anonymous2.proof.nullifier },
];

describe('the scripted session ran', () => {
  it('the database holds every table the schema declares, with rows from the session', () => {
    for (const t of ['members', 'enrollment_codes', 'sessions', 'spent_challenges', 'admin_tokens', 'setup_tokens', 'signatures', 'log_entries', 'letters', 'checkpoints', 'meta']) {
      expect(tables[t], t).toBeDefined();
    }
    expect(tables.members).toHaveLength(4);
    expect(tables.signatures).toHaveLength(4);
    expect(tables.sessions).toHaveLength(1);
  });
});

describe('no IP address and no user agent is kept', () => {
  it('no IP address in any row of any table', () => {
    for (const { table, text } of allRows()) {
      for (const ip of IP_NEEDLES) expect(text.includes(ip), `${ip} in ${table}: ${text}`).toBe(false);
    }
  });

  it('no user agent in any row of any table', () => {
    for (const { table, text } of allRows()) {
      expect(text.includes(USER_AGENT) || text.includes('PrivacyProbe'), `user agent in ${table}`).toBe(false);
    }
  });

  it('no IP address and no user agent in any request log line', () => {
    for (const line of logLines) {
      for (const needle of [...IP_NEEDLES, 'PrivacyProbe']) expect(line.includes(needle), line).toBe(false);
    }
  });

  it('no IP address and no user agent anywhere in the database files, even in freed pages', () => {
    // Long, specific needles only: a 3-byte needle like "::1" could occur by chance in binary pages.
    const file = join(dir, DB_FILE);
    for (const f of [file, file + '-wal']) {
      if (!existsSync(f)) continue;
      const bytes = readFileSync(f).toString('latin1');
      for (const needle of ['127.0.0.1', REMOTE_ADDRESS, FORWARDED_FOR, REAL_IP, FORWARDED, 'PrivacyProbe']) {
        expect(bytes.includes(needle), `${needle} in ${f}`).toBe(false);
      }
    }
  });

  it('no IP address and no user agent in the exported bundle', () => {
    for (const needle of [...IP_NEEDLES, 'PrivacyProbe']) expect(bundleText.includes(needle), needle).toBe(false);
  });

  it('no column anywhere is meant for an address or a device', () => {
    for (const [table, cols] of Object.entries(columns)) {
      for (const c of cols) expect(c, `${table}.${c}`).not.toMatch(/\bip\b|^ip_|_ip$|addr|agent|device|host/i);
    }
  });
});

describe('nothing links a member to the nullifier of an anonymous signature', () => {
  const memberTables = ['members', 'enrollment_codes', 'sessions', 'spent_challenges', 'admin_tokens', 'setup_tokens'];

  it('an anonymous signature names no member in the signatures table', () => {
    const anonymous = new Set([records.anonymous0, records.anonymous2, records.withdraw2].map((r) => r.proof.nullifier));
    const anonymousRows = tables.signatures.filter((row) => anonymous.has(String(row.nullifier)));
    expect(anonymousRows).toHaveLength(3);
    for (const row of anonymousRows) expect(row.signer_member, rowText(row)).toBeNull();
    // The named signature is the only row that names anyone, and it names its signer.
    const named = tables.signatures.filter((r) => r.signer_member !== null);
    expect(named).toHaveLength(1);
    expect(named[0]).toMatchObject({ nullifier: records.named1.proof.nullifier, signer_member: memberIds[1] });
  });

  it('no roster row, enrollment code, session, challenge or token holds an anonymous nullifier (in any form)', () => {
    for (const t of memberTables) {
      for (const row of tables[t]) {
        const text = rowText(row);
        for (const { nullifier } of anonymousSigners()) {
          for (const form of nullifierForms(nullifier)) expect(text.includes(form), `${t}: ${text}`).toBe(false);
        }
      }
    }
  });

  it('no roster row, enrollment code, session or challenge refers to a letter or a signature', () => {
    for (const t of memberTables) {
      for (const row of tables[t]) {
        const text = rowText(row);
        expect(text.includes(id), `${t}: ${text}`).toBe(false);
        for (const record of Object.values(records)) expect(text.includes(record.proof.points[0]), `${t}: ${text}`).toBe(false);
      }
      expect(columns[t].filter((c) => /nullifier|letter|sign|record|log_idx/i.test(c)), t).toEqual([]);
    }
  });

  it('no row anywhere holds both an anonymous signer’s commitment and their nullifier', () => {
    for (const { member, nullifier } of anonymousSigners()) {
      const commitment = identities[member].commitment.toString();
      const forms = [commitment, decimalToHex(commitment), sha256Hex(commitment)];
      // Both are public on their own (the enrollment entry, the signature entry): the search finds them.
      expect(allRows().some(({ text }) => text.includes(commitment))).toBe(true);
      expect(allRows().some(({ text }) => text.includes(nullifier))).toBe(true);
      for (const { table, text } of allRows()) {
        const hasCommitment = forms.some((f) => text.includes(f));
        const hasNullifier = nullifierForms(nullifier).some((f) => text.includes(f));
        expect(hasCommitment && hasNullifier, `${table} links member ${member} to their nullifier: ${text}`).toBe(false);
      }
    }
  });

  it('a membership session is tied to no one: its nullifier is stored nowhere, its row names no member', () => {
    for (const { table, text } of allRows()) {
      for (const form of nullifierForms(sessionNullifier)) expect(text.includes(form), `${table}: ${text}`).toBe(false);
    }
    expect(columns.sessions.sort()).toEqual(['expires_at', 'token_hash']);
    // The session token itself is kept only as a hash.
    for (const { table, text } of allRows()) expect(text.includes(session), table).toBe(false);
    expect(tables.sessions[0].token_hash).toBe(sha256Hex(session));
  });

  it('enrollment codes and tokens are kept only as hashes', () => {
    for (const { table, text } of allRows()) {
      for (const c of codes) {
        expect(text.includes(c), `${table} holds a code`).toBe(false);
        expect(text.includes(c.replace(/-/g, '')), `${table} holds a code`).toBe(false);
      }
      expect(text.includes(adminToken), `${table} holds the organizer token`).toBe(false);
      expect(text.includes(setupToken), `${table} holds the setup token`).toBe(false);
    }
  });
});

describe('no per-record timestamps', () => {
  const INSTANT = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
  const TIME_COLUMN = /time|date|_at$|created|updated|^ts$|when|clock/i;

  it('the signatures and log_entries tables have no time column', () => {
    for (const t of ['signatures', 'log_entries', 'checkpoints']) {
      expect(columns[t].filter((c) => TIME_COLUMN.test(c)), t).toEqual([]);
    }
  });

  it('no signature row and no log entry other than the letter itself holds an instant', () => {
    for (const row of tables.signatures) expect(rowText(row)).not.toMatch(INSTANT);
    for (const row of tables.log_entries) {
      const body = JSON.parse(String(row.body));
      // The letter's deadline is a setting of the letter, signed by everyone, not a time of an event.
      if (body.kind === 'letter-opened') delete body.letter.deadline;
      expect(JSON.stringify({ ...row, body }), `log entry ${row.idx}`).not.toMatch(INSTANT);
    }
    for (const row of tables.checkpoints) expect(rowText(row)).not.toMatch(INSTANT);
  });

  it('no signature row or log entry holds the time of the session as epoch seconds or milliseconds', () => {
    const seconds = String(Math.floor(clock.now.getTime() / 1000)).slice(0, 6);
    for (const row of [...tables.signatures, ...tables.log_entries]) {
      const text = rowText(row).replace(/"[0-9]{20,}"/g, '""'); // field elements are long; an epoch is not
      expect(text, rowText(row)).not.toMatch(new RegExp(`\\b${seconds}\\d{4}(\\d{3})?\\b`));
    }
  });
});

describe('request log lines carry the method, the route pattern and the status only', () => {
  it('every line logged while serving requests is "METHOD /route/:pattern STATUS"', () => {
    expect(logLines.length - bootLines).toBeGreaterThan(15);
    for (const line of logLines.slice(bootLines)) expect(line).toMatch(/^[A-Z]+ (\/\S*|\(no route\)) \d{3}$/);
  });

  it('no line holds a letter id, a nullifier, a commitment, a code, a token or a name', () => {
    const secrets = [
      id,
      session,
      adminToken,
      setupToken,
      sessionNullifier,
      ...codes,
      ...names,
      ...identities.map((i) => i.commitment.toString()),
      ...Object.values(records).map((r) => r.proof.nullifier),
    ];
    for (const line of logLines) for (const s of secrets) expect(line.includes(s), line).toBe(false);
  });
});
