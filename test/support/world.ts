/**
 * A small real world for tests: an instance on a real SQLite file in a temporary directory,
 * members with real Semaphore identities, a letter, and helpers that make real proofs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityFromPrivateKey, type Identity } from '../../src/core/identity/identity.ts';
import { type Letter, letterId as computeLetterId } from '../../src/core/letter/letter.ts';
import { type ActionChoice, type ProverContext, proveAction, proveProposal } from '../../src/core/letter/prove.ts';
import type { SignatureRecord } from '../../src/core/letter/record.ts';
import { rosterRef } from '../../src/core/roster/roster.ts';
import { transportEntry } from '../../src/core/trustee/dkg.ts';
import { trusteeStep } from '../../src/core/trustee/duties.ts';
import { randomScalar } from '../../src/core/trustee/group.ts';
import { nodeArtifacts, nodeVerificationKeys } from '../../src/node/artifacts.ts';
import type { Instance } from '../../src/server/instance.ts';
import { openOrInit } from '../../src/server/open.ts';
import { inProcessTrusteeApi } from '../../src/server/trustee-api.ts';

export interface World {
  dir: string;
  instance: Instance;
  setupToken: string;
  identities: Identity[];
  names: string[];
  /** A mutable clock: tests move `clock.now` forward to pass deadlines. */
  clock: { now: Date };
  close(): Promise<void>;
}

/**
 * `minGroupSize`: the instance's (1 by default here: most tests use a handful of members and count
 * them live; the small-group rule has its own tests, test/credentials.test.ts).
 */
export async function makeWorld(options: { members?: number; enroll?: number; minGroupSize?: number } = {}): Promise<World> {
  const members = options.members ?? 6;
  const enrollCount = options.enroll ?? members;
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-test-'));
  const clock = { now: new Date('2026-11-25T12:00:00Z') };
  const { instance, setupToken } = await openOrInit({ dataDir: dir, name: 'Test caucus', origin: 'test.invalid/caucus', now: () => clock.now, settings: { minGroupSize: options.minGroupSize ?? 1 } });
  const names = Array.from({ length: members }, (_, i) => `Member ${String.fromCharCode(65 + (i % 26))}${i >= 26 ? i : ''}`);
  const added = await instance.enrollment.addMembers(names.map((name) => ({ name })));
  const identities: Identity[] = [];
  for (let i = 0; i < enrollCount; i++) {
    const id = identityFromPrivateKey(new Uint8Array(randomBytes(32)));
    await instance.enrollment.enroll(added[i].code, id.commitment.toString());
    identities.push(id);
  }
  return {
    dir,
    instance,
    setupToken: setupToken!,
    identities,
    names,
    clock,
    async close() {
      await instance.db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OpenLetter {
  id: string;
  letter: Letter;
  ctx(i: number): ProverContext;
  sign(i: number, choice: ActionChoice): Promise<SignatureRecord>;
}

/** Fix the current roster in a letter, have member `proposer` propose it. */
export async function openLetter(world: World, overrides: Partial<Letter> = {}, proposer = 0): Promise<OpenLetter> {
  const { snapshot, ref } = await world.instance.roster.current();
  const computed = rosterRef(snapshot);
  if (!computed.ok) throw new Error(computed.reason);
  const letter: Letter = {
    format: 'undersigned-letter/1',
    title: 'Request for a leadership review',
    text: 'We ask the chair to convene a leadership review.',
    recipient: 'The caucus chair',
    roster: ref,
    deadline: '2026-12-01T17:00:00Z',
    revealThreshold: 0,
    visibility: 'live',
    nonce: Buffer.from(randomBytes(16)).toString('hex'),
    ...overrides,
  };
  const id = computeLetterId(letter);
  const ctx = (i: number): ProverContext => ({ identity: world.identities[i], group: computed.group, letter, letterId: id, artifacts: nodeArtifacts });
  await world.instance.letters.propose(letter, await proveProposal(ctx(proposer)));
  return {
    id,
    letter,
    ctx,
    async sign(i, choice) {
      const record = await proveAction(ctx(i), choice);
      await world.instance.letters.submitRecord(id, record);
      return record;
    },
  };
}

/**
 * A k-of-n trustee committee (default 2 of 3) formed on the world's log: created, joined by
 * trustees whose transport secrets are returned (by index − 1), key generation run to the end.
 */
export async function formCommittee(world: World, options: { k?: number; trustees?: string[] } = {}): Promise<bigint[]> {
  const random = (n: number) => new Uint8Array(randomBytes(n));
  const secrets: bigint[] = [];
  for (const t of await world.instance.committee.create({ name: 'Trustees', k: options.k ?? 2, trustees: options.trustees ?? ['Ana', 'Ben', 'Chloé'] })) {
    const s = randomScalar(random);
    secrets.push(s);
    const e = transportEntry(s, 'Trustees', t.index, random);
    await world.instance.committee.join(t.code, e.transportKey, e.proof);
  }
  for (let round = 0; round < 2; round++) for (const s of secrets) await trusteeStep(inProcessTrusteeApi(world.instance), s, nodeVerificationKeys, random);
  return secrets;
}
