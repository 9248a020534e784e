/**
 * An instance run with two witnesses (real witness servers over HTTP, real proofs, a real
 * committee): the policy goes on the log, letters must name it, bundles carry the witnesses'
 * cosignatures and verify only with the quorum; a member's client takes the committee from the
 * witnessed log; a witness that is down stops the bundle rather than let it out unwitnessed; and
 * a letter logged without the policy is caught by the monitor.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { type Bundle, verifyBundle } from '../src/core/bundle/bundle.ts';
import { letterId as computeLetterId } from '../src/core/letter/letter.ts';
import { withoutSignaturesOf, parseCosignerKey } from '../src/core/log/cosignature.ts';
import type { LogEntry } from '../src/core/log/entry.ts';
import { checkLogRules } from '../src/core/log/monitor.ts';
import { checkCommitteeOnLog, checkOpenedOnLog } from '../src/core/member/witnessed-log.ts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliError } from '../src/cli/errors.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { Client } from '../src/cli/client.ts';
import { propose, sign } from '../src/cli/member.ts';
import { buildApp } from '../src/server/app.ts';
import { type RunningWitness, startWitness, urlOf } from './support/processes.ts';
import { type World, formCommittee, makeWorld, openLetter } from './support/world.ts';

const root = mkdtempSync(join(tmpdir(), 'undersigned-witnessed-'));
const witnesses: RunningWitness[] = [];
let world: World;
let app: FastifyInstance;
let server: string;

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server}${path}`);
  return { status: res.status, body: await res.json() };
}

async function logEntries(): Promise<LogEntry[]> {
  const size = await world.instance.log.size();
  return (await world.instance.log.entries(0, size, async () => false)).map((e) => e.entry as LogEntry);
}

beforeAll(async () => {
  world = await makeWorld({ members: 4 });
  for (const name of ['north', 'south']) witnesses.push(await startWitness(root, name, world.instance.log.verifierKey()));
  app = await buildApp({
    instance: world.instance,
    proofBatching: false,
    log: () => {},
    witnesses: { endpoints: witnesses.map((w) => ({ url: w.url, verifierKey: w.vkey })), intervalMs: 100, waitMs: 3000 },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  server = urlOf(app);
}, 60_000);

afterAll(async () => {
  await app?.close();
  for (const w of witnesses) await w.stop();
  await world?.close();
  rmSync(root, { recursive: true, force: true });
  await releaseSnarkjs();
});

describe('an instance with two witnesses (quorum 2)', () => {
  const policy = () => ({ quorum: 2, witnesses: witnesses.map((w) => w.vkey) });

  it('logs its witness policy and serves it, with the latest checkpoint both witnesses cosigned', async () => {
    expect(await world.instance.witnesses.policy()).toEqual(policy());
    expect((await logEntries()).filter((e) => e.kind === 'witness-policy')).toEqual([{ kind: 'witness-policy', policy: policy() }]);
    await world.instance.witnesses.witnessedAtLeast(await world.instance.log.size());
    const r = await get('/api/log/witnesses');
    expect(r.status).toBe(200);
    expect(r.body.policy).toEqual(policy());
    expect(r.body.witnesses.map((w: { cosignedSize: number }) => w.cosignedSize)).toEqual([r.body.witnessed.size, r.body.witnessed.size]);
    expect(r.body.witnessed.checkpoint.split('\n\u2014 ').length - 1).toBe(3);
  });

  it('a letter that does not name the policy is refused: witness_policy_mismatch', async () => {
    await expect(openLetter(world)).rejects.toMatchObject({ code: 'witness_policy_mismatch', status: 409 });
    await expect(openLetter(world, { witnesses: { ...policy(), quorum: 1 } })).rejects.toMatchObject({ code: 'witness_policy_mismatch' });
  });

  let bundle: Bundle;
  it('the bundle of a letter naming the policy carries both cosignatures, and verifies with them only', async () => {
    const letter = await openLetter(world, { witnesses: policy() });
    await letter.sign(1, { action: 'support', display: 'anonymous', seq: 1 });
    await letter.sign(2, { action: 'support', display: 'anonymous', seq: 1 });
    await world.instance.letters.close(letter.id);
    const r = await get(`/api/letters/${letter.id}/bundle`);
    expect(r.status).toBe(200);
    bundle = r.body;
    const v = await verifyBundle(bundle, { keys: nodeVerificationKeys, expectedWitnesses: policy() });
    expect(v).toMatchObject({ valid: true, count: 2, witnesses: { quorum: 2, cosigned: 2 } });
    if (!v.valid) return;
    expect(v.witnesses!.witnesses.map((w) => w.cosigned)).toEqual([true, true]);
    // One cosignature line taken off the checkpoint: one short of the quorum.
    const key = parseCosignerKey(witnesses[1].vkey);
    const stripped = { ...bundle, log: { ...bundle.log, checkpoint: withoutSignaturesOf(bundle.log.checkpoint, [key.ok ? key : (null as never)]) } };
    expect(await verifyBundle(stripped, { keys: nodeVerificationKeys })).toMatchObject({ valid: false, code: 'witness_quorum_not_met' });
    // A verifier that expects other witnesses refuses it.
    expect(await verifyBundle(bundle, { keys: nodeVerificationKeys, expectedWitnesses: { quorum: 1, witnesses: [witnesses[0].vkey] } })).toMatchObject({ valid: false, code: 'witness_policy_unexpected' });
  }, 120_000);

  it("a member's client takes the committee from the witnessed log the server serves", async () => {
    await formCommittee(world);
    const ref = (await world.instance.committee.letterRef())!;
    const r = await get('/api/committee/proofs');
    expect(r.status).toBe(200);
    const anchor = { verifierKey: world.instance.log.verifierKey(), witnesses: policy() };
    const checked = checkCommitteeOnLog(r.body, ref, anchor);
    expect(checked.ok, JSON.stringify(checked)).toBe(true);
    // The same entries against the bare (unwitnessed) latest checkpoint: refused.
    const bare = await world.instance.log.latestCheckpoint();
    expect(checkCommitteeOnLog({ ...r.body, checkpoint: bare }, ref, anchor)).toMatchObject({ ok: false, code: 'sealed_not_witnessed' });
  }, 120_000);

  it('the member CLI proposes a letter naming the policy, and seals a name only after checking the committee on the witnessed log', async () => {
    const ctx = { client: new Client(server), identity: world.identities[0], verifierKey: world.instance.log.verifierKey() };
    const deadline = '2026-12-01T17:00:00Z';
    const { letterId, letter } = await propose(ctx, { title: 'Sealed, witnessed', text: 'We ask for a review.', recipient: 'The chair', deadline, revealThreshold: 1, visibility: 'live' }, { sealed: true });
    expect(letter.witnesses).toEqual(policy());
    const { receipt } = await sign(ctx, letterId, { action: 'support', display: 'sealed' });
    expect(receipt.index).toBeGreaterThan(0);
  }, 120_000);

  it("a letter's opening is served with its inclusion proof against a checkpoint both witnesses cosigned", async () => {
    const id = (await world.instance.letters.list())[0].letterId;
    const r = await get(`/api/letters/${id}/opened`);
    expect(r.status).toBe(200);
    const checked = checkOpenedOnLog(r.body, id, { verifierKey: world.instance.log.verifierKey(), witnesses: policy() }, 'letter');
    expect(checked.ok, JSON.stringify(checked)).toBe(true);
    expect(checked.ok && checked.letter.witnesses).toEqual(policy());
    expect((await get(`/api/letters/${'0'.repeat(64)}/opened`)).status).toBe(404);
    expect((await get('/api/letters/nope/opened')).status).toBe(400);
  });

  it('a server that shows a letter at the bare, unwitnessed checkpoint: the member CLI will not sign it, and sends nothing', async () => {
    // The lying server: the real one behind a proxy that strips the cosignatures from the letter's opening.
    const id = (await world.instance.letters.list())[0].letterId;
    const bare = await world.instance.log.latestCheckpoint();
    const posted: string[] = [];
    const proxy: Server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (req.method === 'POST') posted.push(req.url!);
      const upstream = await fetch(`${server}${req.url}`, { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'application/json' }, body: req.method === 'GET' ? undefined : Buffer.concat(chunks) });
      let body = Buffer.from(await upstream.arrayBuffer());
      if (req.url?.endsWith('/opened')) body = Buffer.from(JSON.stringify({ ...JSON.parse(body.toString()), checkpoint: bare }));
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(body);
    });
    await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
    try {
      const ctx = { client: new Client(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`), identity: world.identities[1], verifierKey: world.instance.log.verifierKey() };
      const err = await sign(ctx, id, { action: 'support' }).catch((e) => e);
      expect(err).toBeInstanceOf(CliError);
      expect(err.code).toBe('letter_not_witnessed');
      expect(posted.filter((u) => u.includes('/records'))).toEqual([]);
    } finally {
      proxy.close();
    }
  }, 120_000);

  it('a letter logged without the policy (by a lying server, straight into its log) is caught by the monitor', async () => {
    const entries = await logEntries();
    expect(checkLogRules(entries, { logKey: world.instance.log.verifierKey() })).toMatchObject({ ok: true });
    const opened = entries.find((e) => e.kind === 'letter-opened')!;
    if (opened.kind !== 'letter-opened') return;
    const { witnesses: _dropped, ...letter } = { ...opened.letter, nonce: 'f'.repeat(32) };
    const forged: LogEntry = { ...opened, letter, letterId: computeLetterId(letter) };
    const verdict = checkLogRules([...entries, forged], { logKey: world.instance.log.verifierKey() });
    expect(verdict).toMatchObject({ ok: false, anomaly: { code: 'letter_witness_policy_mismatch', index: entries.length } });
  });

  it('with a witness down the quorum is not met: the bundle is refused (503 not_witnessed_yet), never served unwitnessed', async () => {
    await witnesses[1].app.close();
    const letter = await openLetter(world, { witnesses: policy() });
    await letter.sign(3, { action: 'support', display: 'anonymous', seq: 1 });
    await world.instance.letters.close(letter.id);
    const r = await get(`/api/letters/${letter.id}/bundle`);
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('not_witnessed_yet');
    const status = await get('/api/log/witnesses');
    expect(status.body.witnesses[1].lastError).toMatch(/unreachable/);
  }, 120_000);
});
