/**
 * A 100,000-member roster through the HTTP API (`app.inject()`, real SQLite file, real proofs).
 *
 * Rules under test: a CSV import of 100,000 names is one log append signed by ONE checkpoint, and
 * that checkpoint is stored and verifies; bulk enrollment gives receipts against a stored checkpoint;
 * the roster reference the server serves (built incrementally from its cache) equals one computed
 * from scratch from the served snapshot, at depth 17; a member enrolled through the API makes a real
 * depth-17 proposal and signature that the server accepts; `GET /api/roster?offset=&limit=` pages
 * cover the roster exactly once and carry the whole roster's ref, and the unpaged route still
 * answers `{snapshot, ref}`. No timing assertions: the test is slow (about two minutes) but bounded.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hexToBytes } from '../src/core/encoding.ts';
import { identityFromPrivateKey } from '../src/core/identity/identity.ts';
import { type Letter, letterId as computeLetterId } from '../src/core/letter/letter.ts';
import { verifyCheckpoint } from '../src/core/log/checkpoint.ts';
import { verifyInclusion } from '../src/core/log/merkle.ts';
import { plausibleNames } from '../src/cli/demo-names.ts';
import { type ProverContext, proveAction, proveProposal } from '../src/core/letter/prove.ts';
import { type RosterMember, type RosterRef, type RosterSnapshot, rosterRef } from '../src/core/roster/roster.ts';
import { SNARK_FIELD } from '../src/core/crypto/semaphore.ts';
import { nodeArtifacts, releaseSnarkjs } from '../src/node/artifacts.ts';
import { buildApp } from '../src/server/app.ts';
import type { Receipt } from '../src/core/member/receipt.ts';
import type { Instance } from '../src/server/instance.ts';
import { openOrInit } from '../src/server/open.ts';

const N = 100_000;
const SLOW = 600_000;

let dir: string;
let instance: Instance;
let app: FastifyInstance;
let adminToken: string;
let verifierKey: string;
let names: string[];
let imported: { id: number; name: string; code: string; expiresAt: string }[];
let checkpointsBeforeImport: number;

async function call(method: 'GET' | 'POST', url: string, body?: unknown, token?: string) {
  const res = await app.inject({ method, url, payload: body as object | undefined, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.statusCode, json: res.json() as any };
}

const checkpointCount = async () => Number((await instance.db.selectFrom('checkpoints').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

function checkReceipt(receipt: Receipt, leafHash?: string) {
  const cp = verifyCheckpoint(receipt.checkpoint, verifierKey);
  expect(cp.ok, cp.ok ? '' : cp.reason).toBe(true);
  if (!cp.ok) return;
  if (leafHash) expect(receipt.leafHash).toBe(leafHash);
  const inc = verifyInclusion({ leafHash: hexToBytes(receipt.leafHash), index: receipt.index, size: cp.size, proof: receipt.proof.map(hexToBytes), root: cp.rootHash });
  expect(inc.ok, inc.ok ? '' : inc.reason).toBe(true);
}

// Kysely over better-sqlite3 resolves in microtasks and the tree is built synchronously: give the
// event loop a turn between heavy steps, or vitest's worker RPC times out under a minute-long stretch.
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

const csvField = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-scale-'));
  const opened = await openOrInit({ dataDir: dir, name: 'Big union', origin: 'test.invalid/union', now: () => new Date('2026-11-25T12:00:00Z') });
  instance = opened.instance;
  app = await buildApp({ instance, log: () => {} });
  adminToken = (await call('POST', '/api/setup', { token: opened.setupToken })).json.adminToken;
  verifierKey = instance.log.verifierKey();
  names = plausibleNames(N, new Uint8Array(randomBytes(32)));
}, SLOW);

afterAll(async () => {
  await app?.close();
  await instance?.db.destroy();
  await releaseSnarkjs();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a 100,000-member roster', () => {
  it('imports 100,000 names from CSV in one append with one stored, valid checkpoint', async () => {
    checkpointsBeforeImport = await checkpointCount();
    const sizeBefore = await instance.log.size();
    const csv = ['name,unit', ...names.map((n, i) => `${csvField(n)},unit ${i % 40}`)].join('\n');
    const res = await call('POST', '/api/admin/members/import', { csv }, adminToken);
    expect(res.status).toBe(201);
    imported = res.json.members;
    expect(imported).toHaveLength(N);
    expect(imported.map((m) => m.name)).toEqual(names);
    expect(new Set(imported.map((m) => m.code)).size).toBe(N);
    expect(imported.map((m) => m.id)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    // One checkpoint for the whole import, at the new log size, stored and verifying.
    expect(await checkpointCount()).toBe(checkpointsBeforeImport + 1);
    expect(await instance.log.size()).toBe(sizeBefore + N);
    const cp = verifyCheckpoint(await instance.log.latestCheckpoint(), verifierKey);
    expect(cp.ok && cp.size).toBe(sizeBefore + N);
    // The log entries are in order and the in-memory tree matches the stored checkpoint.
    const entries = await instance.letters.publicLog(sizeBefore, sizeBefore + 3);
    expect(entries.map((e) => e.entry)).toEqual([1, 2, 3].map((id) => ({ kind: 'member-added', member: id, name: names[id - 1] })));
    const proof = await instance.log.inclusion(sizeBefore + N - 1, sizeBefore + N);
    const last = (await instance.letters.publicLog(sizeBefore + N - 1, sizeBefore + N))[0];
    const inc = cp.ok && verifyInclusion({ leafHash: hexToBytes(last.leafHash), index: sizeBefore + N - 1, size: cp.size, proof: proof.map(hexToBytes), root: cp.rootHash });
    expect(inc && inc.ok).toBe(true);
    // Extra columns are kept.
    const row = await instance.db.selectFrom('members').select('extra').where('id', '=', 41).executeTakeFirstOrThrow();
    expect(JSON.parse(row.extra)).toEqual({ unit: 'unit 0' });
    // A second import with a name already on the roster is refused whole, adding nothing.
    const again = await call('POST', '/api/admin/members/import', { csv: `name\nSomeone New\n${csvField(names[5])}` }, adminToken);
    expect(again.status).toBe(409);
    expect(await instance.log.size()).toBe(sizeBefore + N);
  }, SLOW);

  it('enrolls 99,999 in bulk, with receipts against a stored checkpoint, and one real member through the API at depth 17', async () => {
    const others = imported.slice(0, N - 1).map((m, i) => ({ code: m.code, commitment: ((BigInt('0x' + randomBytes(32).toString('hex')) % (SNARK_FIELD - 1n)) + 1n).toString(), i }));
    const before = await checkpointCount();
    const enrolled = await instance.enrollment.enrollMany(others);
    await tick();
    expect(await checkpointCount()).toBe(before + 1);
    expect(enrolled.map((e) => e.leaf)).toEqual(others.map((_, i) => i));
    for (const i of [0, 1, 4242, N - 2]) {
      checkReceipt(enrolled[i].receipt);
      const cp = verifyCheckpoint(enrolled[i].receipt.checkpoint, verifierKey);
      expect(cp.ok && (await instance.log.checkpointAt(cp.size))).toBe(enrolled[i].receipt.checkpoint);
    }
    // A used code is refused, in bulk as one by one, and the whole list is refused with it.
    await expect(instance.enrollment.enrollMany([{ code: imported[3].code, commitment: '12345' }])).rejects.toMatchObject({ code: 'code_used' });

    // Build the roster cache before the last enrollment, so that the served ref below comes from
    // the incremental update of the cached tree and is checked against a tree built from scratch.
    const page = await call('GET', '/api/roster?limit=1');
    await tick();
    expect(page.status).toBe(200);
    expect(page.json.ref.enrolled).toBe(N - 1);

    const member = identityFromPrivateKey(new Uint8Array(randomBytes(32)));
    const last = imported[N - 1];
    const res = await call('POST', '/api/enroll', { code: last.code, commitment: member.commitment.toString() });
    expect(res.status).toBe(201);
    expect(res.json.leaf).toBe(N - 1);
    expect(res.json.member).toEqual({ id: last.id, name: last.name });
    checkReceipt(res.json.receipt);

    const full = await call('GET', '/api/roster');
    await tick();
    expect(full.status).toBe(200);
    expect(Object.keys(full.json).sort()).toEqual(['ref', 'snapshot']);
    const snapshot = full.json.snapshot as RosterSnapshot;
    const ref = full.json.ref as RosterRef;
    expect(snapshot.members).toHaveLength(N);
    expect(snapshot.leafCount).toBe(N);
    expect(ref.depth).toBe(17);
    expect(ref.size).toBe(N);
    expect(ref.enrolled).toBe(N);
    const computed = rosterRef(snapshot);
    await tick();
    expect(computed.ok).toBe(true);
    if (!computed.ok) return;
    expect(computed.ref).toEqual(ref);

    // Pagination: pages of 5,000 cover the roster exactly, each with the whole roster's ref.
    const pages: RosterMember[] = [];
    for (let offset = 0; offset < N; offset += 5000) {
      const p = await call('GET', `/api/roster?offset=${offset}&limit=5000`);
      expect(p.status).toBe(200);
      expect(p.json).toMatchObject({ ref, leafCount: N, total: N, offset, limit: 5000 });
      pages.push(...p.json.members);
    }
    expect(pages).toEqual(snapshot.members);
    const dflt = await call('GET', '/api/roster?offset=99900');
    expect(dflt.json.limit).toBe(500);
    expect(dflt.json.members).toEqual(snapshot.members.slice(99_900));
    expect((await call('GET', '/api/roster?limit=20')).json.members).toEqual(snapshot.members.slice(0, 20));
    expect((await call('GET', `/api/roster?offset=${N}`)).json.members).toEqual([]);
    // Search by name on 100,000 (the organizer's page): case and accents aside, paged, total = matches.
    const someone = snapshot.members[54_321];
    const part = someone.name.slice(1, 6).toUpperCase();
    const fold = (x: string) => x.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    const expected = snapshot.members.filter((m) => fold(m.name).includes(fold(part)));
    const found = await call('GET', `/api/roster?q=${encodeURIComponent(part)}&limit=5000`);
    expect(found.status).toBe(200);
    expect(found.json).toMatchObject({ ref, total: expected.length, offset: 0 });
    expect(found.json.members).toEqual(expected.slice(0, 5000));
    expect(found.json.members).toContainEqual(someone);
    expect((await call('GET', '/api/roster?q=')).json.total).toBe(N); // an empty search is everyone
    for (const bad of ['limit=5001', 'limit=0', 'offset=-1', 'offset=x', 'page=2', `q=${'x'.repeat(201)}`]) {
      const r = await call('GET', `/api/roster?${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.json.error.code).toBe('invalid_request');
    }

    // A real depth-17 proposal and signature from the member enrolled through the API.
    const letter: Letter = {
      format: 'undersigned-letter/1',
      title: 'Strike authorization',
      text: 'We authorize the bargaining committee to call a strike.',
      recipient: 'The bargaining committee',
      roster: ref,
      deadline: '2026-12-01T17:00:00Z',
      revealThreshold: 0,
      visibility: 'live',
      nonce: randomBytes(16).toString('hex'),
    };
    const id = computeLetterId(letter);
    const ctx: ProverContext = { identity: member, group: computed.group, letter, letterId: id, artifacts: nodeArtifacts };
    const proposal = await proveProposal(ctx);
    expect(proposal.merkleTreeDepth).toBe(17);
    const opened = await call('POST', '/api/letters', { letter, proposal });
    expect(opened.status, JSON.stringify(opened.json)).toBe(201);
    const record = await proveAction(ctx, { action: 'support', display: 'named', seq: 1 });
    const signed = await call('POST', `/api/letters/${id}/records`, { record });
    expect(signed.status, JSON.stringify(signed.json)).toBe(201);
    checkReceipt(signed.json.receipt);
    const status = await call('GET', `/api/letters/${id}`);
    expect(status.json.count).toBe(1);
    expect(status.json.named).toEqual([last.name]);
    expect(status.json.rosterSize).toBe(N);
    // The letter's roster, replayed from the log, is the served snapshot.
    const letterRoster = await call('GET', `/api/letters/${id}/roster`);
    expect(letterRoster.json.snapshot).toEqual(snapshot);
  }, SLOW);
});
