/**
 * Server ingest verifies through the worker pool in batches (src/server/proof-batcher.ts, wired in
 * src/server/app.ts), and nothing a client sees changes:
 *   - records submitted at once are checked in one batch; the good ones are accepted and each bad
 *     one gets exactly the status, code and message verifyRecord's verdict gives it on its own
 *     (one bad proof in a batch does not fail the others);
 *   - proofs that are valid curve points but do not verify (found by bisection inside the batch)
 *     and records refused before their proof (named signature, action, scope) alike;
 *   - once the app is closed the instance verifies one by one again, with the same answers;
 *   - a served app that verified records and was closed lets its process exit (no worker left).
 * Real SQLite, real proofs (test/support/world.ts).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFromPrivateKey, publicKeyOf, signField } from '../src/core/identity/identity.ts';
import { proveMembership } from '../src/core/letter/prove.ts';
import { type SignatureRecord, actionMessage, namedMessage, verifyRecord } from '../src/core/letter/record.ts';
import { checkRoster } from '../src/core/roster/roster.ts';
import { signatureScope } from '../src/core/letter/letter.ts';
import { nodeArtifacts, nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { buildApp } from '../src/server/app.ts';
import { expectedNullifier, proveAction } from '../src/core/letter/prove.ts';
import { mutator } from './support/proof-mutations.ts';
import { type OpenLetter, type World, makeWorld, openLetter } from './support/world.ts';

let world: World;
let letter: OpenLetter;
let good: SignatureRecord[];
let bad: { why: string; record: SignatureRecord }[];
let later: SignatureRecord[];
const apps: FastifyInstance[] = [];

/** What the server answered before batching: verifyRecord's verdict, as a 400 with its code and reason. */
async function expected(record: SignatureRecord) {
  const roster = checkRoster(await world.instance.letters.roster(letter.id), letter.letter.roster);
  if (!roster.ok) throw new Error(roster.reason);
  const v = await verifyRecord(record, { letterId: letter.id, letter: letter.letter, byCommitment: roster.byCommitment, keys: nodeVerificationKeys });
  return v.ok ? { status: 201 } : { status: 400, body: { error: { code: v.code, message: v.reason } } };
}

async function submit(app: FastifyInstance, record: SignatureRecord) {
  const res = await app.inject({ method: 'POST', url: `/api/letters/${letter.id}/records`, payload: { record } });
  return res.statusCode === 201 ? { status: 201 } : { status: res.statusCode, body: res.json() };
}

beforeAll(async () => {
  world = await makeWorld({ members: 10 });
  letter = await openLetter(world);
  const sign = (i: number, display: 'anonymous' | 'named') => proveAction(letter.ctx(i), { action: 'support', display, seq: 1 });
  good = [await sign(1, 'anonymous'), await sign(2, 'named'), await sign(3, 'anonymous'), await sign(4, 'anonymous')];
  later = [await sign(8, 'anonymous'), await sign(9, 'named')];
  const mutate = await mutator([good[0].proof, good[2].proof]);
  const base = await sign(5, 'anonymous');
  const scope = signatureScope(letter.id);
  // A named action whose signature is not over this nullifier, proven by member 6.
  const badNamed = {
    format: 'undersigned-action/1' as const,
    letterId: letter.id,
    action: 'support' as const,
    display: 'named' as const,
    seq: 1,
    named: { publicKey: publicKeyOf(world.identities[6]), signature: signField(world.identities[6], namedMessage(letter.id, '12345')) },
  };
  // A named action signed by a key that is not on the roster, proven by member 7.
  const outsider = identityFromPrivateKey(new Uint8Array(32).fill(7));
  const nullifier7 = expectedNullifier(world.identities[7], scope);
  const notMember = { ...badNamed, named: { publicKey: publicKeyOf(outsider), signature: signField(outsider, namedMessage(letter.id, nullifier7)) } };
  const prove = (i: number, action: SignatureRecord['action']) =>
    proveMembership({ identity: world.identities[i], group: letter.ctx(i).group, depth: letter.letter.roster.depth, artifacts: nodeArtifacts, what: 'letter' }, actionMessage(action), scope);
  bad = [
    { why: 'another proof’s points', record: { ...base, proof: { ...base.proof, points: good[0].proof.points } } },
    { why: 'B outside G2', record: { ...base, proof: { ...mutate(0, 'B-twist-not-G2', 1), message: base.proof.message, nullifier: base.proof.nullifier } } },
    { why: 'nullifier + 1', record: { ...base, proof: { ...base.proof, nullifier: (BigInt(base.proof.nullifier) + 1n).toString() } } },
    { why: 'action changed after proving', record: { ...base, action: { ...base.action, seq: 2 } } },
    { why: 'named signature over another nullifier', record: { action: badNamed, proof: await prove(6, badNamed) } },
    { why: 'named by a key off the roster', record: { action: notMember, proof: await prove(7, notMember) } },
  ];
}, 300_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  await world?.close();
  await releaseSnarkjs();
});

describe('server ingest, batched over the worker pool', () => {
  it('accepts the good records of a batch and gives each bad one the error it gets alone', async () => {
    // A long window so that every submission below lands in one batch.
    const lines: string[] = [];
    const app = await buildApp({ instance: world.instance, log: (line) => lines.push(line), proofBatching: { windowMs: 300 } });
    apps.push(app);
    const want = await Promise.all([...good, ...bad.map((b) => b.record)].map(expected));
    expect(want.slice(0, good.length).every((w) => w.status === 201)).toBe(true);
    expect(want.slice(good.length).map((w) => w.body?.error.code)).toEqual(['bad_proof', 'bad_proof', 'bad_proof', 'wrong_message', 'named_bad_signature', 'named_not_member']);
    const mixed = [bad[0], good[0], bad[1], good[1], bad[2], bad[3], good[2], bad[4], good[3], bad[5]].map((x) => ('why' in x ? x.record : x));
    const got = await Promise.all(mixed.map((r) => submit(app, r)));
    mixed.forEach((r, i) => {
      const k = good.indexOf(r);
      const w = k >= 0 ? want[k] : want[good.length + bad.findIndex((b) => b.record === r)];
      expect(got[i], k >= 0 ? `good record ${k}` : bad.find((b) => b.record === r)!.why).toEqual(w);
    });
    const status = await world.instance.letters.status(letter.id);
    expect(status.count).toBe(good.length);
    // Verified by the pool, not by the main-thread fallback.
    expect(lines.filter((l) => l.startsWith('proof batcher'))).toEqual([]);
    await app.close();
  }, 120_000);

  it('verifies one by one again once the app is closed, with the same answers', async () => {
    const app = await buildApp({ instance: world.instance, log: () => {} });
    await app.ready();
    await app.close();
    for (const b of bad.slice(0, 2)) {
      const want = await expected(b.record);
      await expect(world.instance.letters.submitRecord(letter.id, b.record)).rejects.toMatchObject({ status: 400, code: want.body!.error.code, message: want.body!.error.message });
    }
  }, 120_000);

  it('a served app that verified records and was closed lets its process exit', async () => {
    await world.instance.db.destroy();
    const records = join(world.dir, 'later.json');
    writeFileSync(records, JSON.stringify(later));
    const script = `
      import { readFileSync } from 'node:fs';
      import { buildApp } from './src/server/app.ts';
      import { openInstance } from './src/server/open.ts';
      const instance = await openInstance({ dataDir: ${JSON.stringify(world.dir)}, now: () => new Date('2026-11-25T12:00:00Z') });
      await instance.admin.load();
      const app = await buildApp({ instance, log: () => {} });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const statuses = await Promise.all(JSON.parse(readFileSync(${JSON.stringify(records)}, 'utf8')).map(async (record) =>
        (await fetch(url + '/api/letters/${letter.id}/records', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ record }) })).status));
      await app.close();
      await instance.db.destroy();
      console.log(JSON.stringify(statuses));`;
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 60_000 });
    expect(JSON.parse(stdout.trim())).toEqual([201, 201]);
    // Reopened for afterAll's close.
    const { openInstance } = await import('../src/server/open.ts');
    world.instance = await openInstance({ dataDir: world.dir, now: () => world.clock.now });
  }, 120_000);
});

