import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFromPrivateKey, type Identity } from '../src/core/identity/identity.ts';
import { type Letter, letterId, proposalMessage, proposalScope } from '../src/core/letter/letter.ts';
import { proveAction, proveProposal, expectedNullifier, type ProverContext } from '../src/core/letter/prove.ts';
import { type SignatureRecord, verifyRecord, type RecordContext } from '../src/core/letter/record.ts';
import { type RosterSnapshot, checkRoster, rosterRef } from '../src/core/roster/roster.ts';
import { verifySemaphoreProof } from '../src/core/crypto/semaphore.ts';
import { nodeArtifacts, nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const ids: Identity[] = Array.from({ length: 5 }, () => identityFromPrivateKey(randomBytes(32)));
const snapshot: RosterSnapshot = {
  leafCount: 5,
  members: ids.map((id, i) => ({ id: i + 1, name: `Member ${i + 1}`, leaf: i, commitment: id.commitment.toString() })),
};
snapshot.members.push({ id: 6, name: 'Not Enrolled', leaf: null, commitment: null });
const ref = rosterRef(snapshot);
if (!ref.ok) throw new Error(ref.reason);
const letter: Letter = {
  format: 'undersigned-letter/1',
  title: 'A letter',
  text: 'We ask for a review.',
  recipient: 'The chair',
  roster: ref.ref,
  deadline: '2030-01-01T00:00:00Z',
  revealThreshold: 0,
  visibility: 'live',
  nonce: '00112233445566778899aabbccddeeff',
};
const id = letterId(letter);
const roster = checkRoster(snapshot, letter.roster);
if (!roster.ok) throw new Error(roster.reason);
const ctx = (i: number): ProverContext => ({ identity: ids[i], group: ref.group, letter, letterId: id, artifacts: nodeArtifacts });
const rctx: RecordContext = { letterId: id, letter, byCommitment: roster.byCommitment, keys: nodeVerificationKeys };

let anon: SignatureRecord;
let named: SignatureRecord;
beforeAll(async () => {
  anon = await proveAction(ctx(0), { action: 'support', display: 'anonymous', seq: 1 });
  named = await proveAction(ctx(1), { action: 'support', display: 'named', seq: 1 });
});
afterAll(releaseSnarkjs);

describe('Semaphore v4 records', () => {
  it('the verification keys on disk are the ones @semaphore-protocol/proof bundles', () => {
    const require = createRequire(import.meta.url);
    const bundled = JSON.parse(readFileSync(join(dirname(require.resolve('@semaphore-protocol/proof')), '../src/verification-keys.json'), 'utf8'));
    for (const depth of [1, 8, 17, 32]) {
      const k = nodeVerificationKeys(depth) as Record<string, unknown>;
      expect(k.vk_delta_2).toEqual(bundled.vk_delta_2[depth - 1]);
      expect(k.IC).toEqual(bundled.IC[depth - 1]);
      expect(k.vk_alpha_1).toEqual(bundled.vk_alpha_1);
    }
  });

  it('an anonymous support record verifies and names nobody', async () => {
    const r = await verifyRecord(anon, rctx);
    expect(r).toEqual({ ok: true, signer: null });
    expect(anon.proof.nullifier).toBe(expectedNullifier(ids[0], BigInt('0x' + id)));
  });

  it('a named record verifies and resolves to the roster name', async () => {
    const r = await verifyRecord(named, rctx);
    expect(r.ok && r.signer?.name).toBe('Member 2');
  });

  it('a record with another action than its proof committed to is rejected', async () => {
    const forged = { ...anon, action: { ...anon.action, seq: 2 } } as SignatureRecord;
    expect(await verifyRecord(forged, rctx)).toMatchObject({ ok: false, code: 'wrong_message' });
  });

  it('a record whose proof points were altered is rejected', async () => {
    const points = [...anon.proof.points];
    points[0] = (BigInt(points[0]) + 1n).toString();
    expect(await verifyRecord({ ...anon, proof: { ...anon.proof, points } }, rctx)).toMatchObject({ ok: false, code: 'bad_proof' });
  });

  it('a named signature moved onto another nullifier is rejected', async () => {
    const moved = { ...anon, action: { ...anon.action, display: 'named', named: (named.action as { named: unknown }).named } } as SignatureRecord;
    // The proof no longer commits to the action, so it fails on the message first.
    expect(await verifyRecord(moved, rctx)).toMatchObject({ ok: false });
  });

  it('a proof against another roster root is rejected', async () => {
    const other = { ...anon, proof: { ...anon.proof, merkleTreeRoot: '12345' } };
    expect(await verifyRecord(other, rctx)).toMatchObject({ ok: false, code: 'wrong_root' });
  });

  it('a proposal proof verifies with the proposal scope and message', async () => {
    const p = await proveProposal(ctx(2));
    expect(p.scope).toBe(proposalScope(id).toString());
    expect(p.message).toBe(proposalMessage(id).toString());
    expect(await verifySemaphoreProof(p, nodeVerificationKeys)).toBe(true);
    // The proposer's nullifier differs from the one they would sign with.
    expect(p.nullifier).not.toBe(expectedNullifier(ids[2], BigInt('0x' + id)));
  });
});

describe('roster tree with removed members', () => {
  it('a member whose tree neighbour was removed can still sign (zero leaves are hashed as the circuit does)', async () => {
    const members = Array.from({ length: 4 }, () => identityFromPrivateKey(randomBytes(32)));
    const snap: RosterSnapshot = {
      leafCount: 4,
      members: members.map((m, i) => ({ id: i + 1, name: `M${i}`, leaf: i, commitment: m.commitment.toString() })).filter((m) => m.leaf !== 1),
    };
    const r = rosterRef(snap);
    if (!r.ok) throw new Error(r.reason);
    const l: Letter = { ...letter, roster: r.ref };
    const lid = letterId(l);
    const record = await proveAction({ identity: members[0], group: r.group, letter: l, letterId: lid, artifacts: nodeArtifacts }, { action: 'support', display: 'anonymous', seq: 1 });
    const check = checkRoster(snap, l.roster);
    if (!check.ok) throw new Error(check.reason);
    expect(await verifyRecord(record, { letterId: lid, letter: l, byCommitment: check.byCommitment, keys: nodeVerificationKeys })).toMatchObject({ ok: true });
  });
});
