/**
 * Sealed signatures end to end through the HTTP API (app.inject, real SQLite, real proofs):
 * a 2-of-3 committee forms on the log, members sign sealed, the letter closes, two trustees
 * reveal (the third stays offline), and the bundle verifies with the names revealed. Below the
 * threshold nothing is revealed, and the server refuses any partial decryption.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle, type Bundle } from '../src/core/bundle/bundle.ts';
import type { CommitteeEntry } from '../src/core/trustee/committee.ts';
import type { Letter } from '../src/core/letter/letter.ts';
import { computeReveal, makeRevealEntry, type SealedRecord } from '../src/core/sealed/reveal.ts';
import { sealName } from '../src/core/sealed/sealed.ts';
import { identityFromPrivateKey } from '../src/core/identity/identity.ts';
import { transportEntry } from '../src/core/trustee/dkg.ts';
import { type TrusteeApi, myShare, trusteeStep } from '../src/core/trustee/duties.ts';
import { G, mul, randomScalar } from '../src/core/trustee/group.ts';
import { evaluateCommittee } from '../src/core/trustee/committee.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { buildApp } from '../src/server/app.ts';
import { type OpenLetter, type World, makeWorld, openLetter } from './support/world.ts';

const random = (n: number) => new Uint8Array(randomBytes(n));
let world: World;
let app: FastifyInstance;
let admin: string;
const secrets: bigint[] = [];

async function call<T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await app.inject({ method, url, headers: url.startsWith('/api/admin') ? { authorization: `Bearer ${admin}` } : {}, ...(body === undefined ? {} : { payload: body as object }) });
  return { status: res.statusCode, json: res.json() as T };
}

/** The trustee's daemon logic, over HTTP (inject). */
const api: TrusteeApi = {
  committeeEntries: async () => (await call<{ entries: { entry: CommitteeEntry }[] }>('GET', '/api/committee')).json.entries.map((e) => e.entry),
  submitCommitteeEntry: async (entry) => {
    const r = await call('POST', '/api/committee/entries', { entry });
    if (r.status !== 201) throw new Error(JSON.stringify(r.json));
  },
  closedSealedLetters: async () =>
    (await call<{ letters: { letterId: string; status: string; letter: Letter }[] }>('GET', '/api/letters')).json.letters
      .filter((l) => l.status === 'closed' && l.letter.committee)
      .map((l) => l.letterId),
  bundle: async (id) => (await call<Bundle>('GET', `/api/letters/${id}/bundle`)).json,
  submitReveal: async (id, entry) => {
    const r = await call('POST', `/api/letters/${id}/reveals`, { entry });
    if (r.status !== 201) throw new Error(JSON.stringify(r.json));
  },
  closedBallots: async () => [],
  procedureBundle: async () => {
    throw new Error('no ballots here');
  },
  submitTally: async () => undefined,
};

beforeAll(async () => {
  world = await makeWorld({ members: 6 });
  app = await buildApp({ instance: world.instance, log: () => {} });
  admin = (await call<{ adminToken: string }>('POST', '/api/setup', { token: world.setupToken })).json.adminToken;
  const created = await call<{ trustees: { index: number; code: string }[] }>('POST', '/api/admin/committee', { name: 'Trustees', k: 2, trustees: ['Ana', 'Ben', 'Chloé'] });
  expect(created.status).toBe(201);
  for (const t of created.json.trustees) {
    const secret = randomScalar(random);
    secrets.push(secret);
    const slot = await call<{ index: number; name: string }>('POST', '/api/committee/slot', { code: t.code });
    const joined = await call('POST', '/api/committee/join', { code: t.code, ...transportEntry(secret, slot.json.name, slot.json.index, random) });
    expect(joined.status).toBe(201);
  }
  for (let round = 0; round < 2; round++) for (const s of secrets) await trusteeStep(api, s, nodeVerificationKeys, random);
});

afterAll(async () => {
  await app.close();
  await world.close();
  await releaseSnarkjs();
});

async function sealedLetter(threshold: number): Promise<OpenLetter> {
  const ref = await call<{ committee: Letter['committee'] }>('GET', '/api/committee/ref');
  expect(ref.json.committee).toBeTruthy();
  return openLetter(world, { committee: ref.json.committee!, revealThreshold: threshold });
}

describe('sealed signatures', () => {
  it('the committee key generation runs on the log and anyone can recompute the key', async () => {
    const status = await call<{ ready: boolean; k: number; n: number; entries: { entry: CommitteeEntry }[] }>('GET', '/api/committee');
    expect(status.json).toMatchObject({ ready: true, k: 2, n: 3 });
    const replay = evaluateCommittee(status.json.entries.map((e) => e.entry));
    expect(replay.ok && replay.state.key !== null).toBe(true);
  });

  it('at the threshold, k of n trustees reveal the sealed names; one offline trustee does not block it', async () => {
    const letter = await sealedLetter(3);
    await letter.sign(0, { action: 'support', display: 'sealed', seq: 1, random });
    await letter.sign(1, { action: 'support', display: 'sealed', seq: 1, random });
    await letter.sign(2, { action: 'support', display: 'anonymous', seq: 1 });
    // A sealed signature that is withdrawn stays sealed forever.
    await letter.sign(3, { action: 'support', display: 'sealed', seq: 1, random });
    await letter.sign(3, { action: 'withdraw', seq: 2 });
    expect((await call('POST', `/api/admin/letters/${letter.id}/close`)).status).toBe(200);

    // Trustee 2 publishes a wrong partial: refused, and named.
    const bundle0 = await api.bundle(letter.id);
    const replay = evaluateCommittee(await api.committeeEntries());
    if (!replay.ok || !replay.state.key) throw new Error('no key');
    const sealed: SealedRecord[] = bundle0.records
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => r.entry.kind === 'signature' && r.entry.record.action.action === 'support' && r.entry.record.action.display === 'sealed')
      .slice(0, 2)
      .map(({ r, i }) => ({ record: i, nullifier: (r.entry as { record: { proof: { nullifier: string } } }).record.proof.nullifier, sealed: (r.entry as { record: { action: { sealed: SealedRecord['sealed'] } } }).record.action.sealed }));
    const wrongShare = myShare(replay.state.committee, replay.state.contributions.values(), replay.state.key.qualified, 2, secrets[1], random) + 1n;
    const bad = makeRevealEntry({ letterId: letter.id, committeeId: replay.state.id, trustee: 2, share: wrongShare, publicShare: replay.state.key.publicShares[1], transportSecret: secrets[1], sealed }, random);
    const refused = await call<{ error: { code: string; message: string } }>('POST', `/api/letters/${letter.id}/reveals`, { entry: bad });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ code: 'bad_partial', message: expect.stringContaining('trustee 2') });

    await trusteeStep(api, secrets[0], nodeVerificationKeys, random);
    await trusteeStep(api, secrets[2], nodeVerificationKeys, random);
    const bundle = await api.bundle(letter.id);
    const verdict = await verifyBundle(bundle, { keys: nodeVerificationKeys });
    expect(verdict).toMatchObject({ valid: true, count: 3, revealed: [world.names[0], world.names[1]], sealed: { total: 2, revealed: 2, stillSealed: 0, invalid: [] } });
    if (verdict.valid) expect(verdict.trustees.used).toEqual([1, 3]);
  });

  it('below the threshold nothing is decrypted, the server refuses partials, and the bundle says how many stayed sealed', async () => {
    const letter = await sealedLetter(3);
    await letter.sign(4, { action: 'support', display: 'sealed', seq: 1, random });
    await letter.sign(5, { action: 'support', display: 'sealed', seq: 1, random });
    await call('POST', `/api/admin/letters/${letter.id}/close`);
    const step = await trusteeStep(api, secrets[0], nodeVerificationKeys, random);
    expect(step.did.join()).toContain('below its threshold');
    const bundle = await api.bundle(letter.id);
    const verdict = await verifyBundle(bundle, { keys: nodeVerificationKeys });
    expect(verdict).toMatchObject({ valid: true, count: 2, revealed: [], sealed: { total: 2, revealed: 0, stillSealed: 2 } });
    // A partial decryption below the threshold is refused outright.
    const replay = evaluateCommittee(await api.committeeEntries());
    if (!replay.ok || !replay.state.key) throw new Error('no key');
    const entry = makeRevealEntry({ letterId: letter.id, committeeId: replay.state.id, trustee: 1, share: 1n, publicShare: replay.state.key.publicShares[0], transportSecret: secrets[0], sealed: [] }, random);
    const r = await call<{ error: { code: string } }>('POST', `/api/letters/${letter.id}/reveals`, { entry });
    expect(r.json.error.code).toBe('below_threshold');
  });

  it('a bundle whose trustees revealed below the threshold is invalid', async () => {
    const letters = (await call<{ letters: { letterId: string; count: number }[] }>('GET', '/api/letters')).json.letters;
    const below = letters.find((l) => l.count === 2)!;
    const bundle = await api.bundle(below.letterId);
    const good = await api.bundle(letters.find((l) => l.count === 3)!.letterId);
    // Graft a (valid-looking) reveal entry: its log inclusion fails first, or the rule refuses it.
    const forged = structuredClone(bundle);
    forged.reveals = good.reveals!.map((r) => ({ ...r, index: bundle.closed.index + 1 }));
    expect(await verifyBundle(forged, { keys: nodeVerificationKeys })).toMatchObject({ valid: false });
  });
});

describe('the reveal rule at its boundary (threshold 31)', () => {
  // Real sealed names, synthetic counts: the rule depends on the count only.
  const k = 2;
  const shares = [randomScalar(random), randomScalar(random)];
  // A 2-of-2 sharing of x = λ1·s1 + λ2·s2 is not needed here: use a dealer-free toy key where each
  // trustee's "share" is checked against its own public share, then combined by Lagrange.
  const x1 = shares[0];
  const x2 = shares[1];
  const Y1 = mul(G, x1);
  const Y2 = mul(G, x2);
  // With indices 1 and 2: x = 2·x1 − x2.
  const Y = mul(Y1, 2n).subtract(Y2);
  const t1 = randomScalar(random);
  const t2 = randomScalar(random);
  const identity = identityFromPrivateKey(random(32));
  const letterId = 'ab'.repeat(32);
  const nullifier = '12345';
  const sealed: SealedRecord[] = [{ record: 0, nullifier, sealed: sealName(identity, letterId, nullifier, Y, random) }];
  const byCommitment = new Map([[identity.commitment.toString(), { id: 7, name: 'Geneviève Côté', leaf: 0, commitment: identity.commitment.toString() }]]);
  const entries = [
    makeRevealEntry({ letterId, committeeId: 'cd'.repeat(32), trustee: 1, share: x1, publicShare: Y1, transportSecret: t1, sealed }, random),
    makeRevealEntry({ letterId, committeeId: 'cd'.repeat(32), trustee: 2, share: x2, publicShare: Y2, transportSecret: t2, sealed }, random),
  ];
  const input = { letterId, committeeId: 'cd'.repeat(32), k, publicShares: [Y1, Y2], transportKeys: [mul(G, t1), mul(G, t2)], threshold: 31, sealed, byCommitment };

  it('30 of 31: partial decryptions are a breach and the result is invalid', () => {
    expect(computeReveal({ ...input, count: 30, entries })).toMatchObject({ ok: false, code: 'reveal_below_threshold' });
  });
  it('30 of 31 with no partials: the name stays sealed', () => {
    expect(computeReveal({ ...input, count: 30, entries: [] })).toMatchObject({ ok: true, result: { revealed: [], stillSealed: 1 } });
  });
  it('31 of 31: the name is revealed', () => {
    expect(computeReveal({ ...input, count: 31, entries })).toMatchObject({ ok: true, result: { revealed: [{ name: 'Geneviève Côté' }], stillSealed: 0 } });
  });
  it('31 of 31 with only k−1 partials: the name stays sealed', () => {
    expect(computeReveal({ ...input, count: 31, entries: entries.slice(0, 1) })).toMatchObject({ ok: true, result: { revealed: [], stillSealed: 1 } });
  });
});
