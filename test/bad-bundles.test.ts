/**
 * The bundle corpus (test/fixtures/bad-bundles/, made by test/corpus/generate.ts): the good
 * bundles verify with the results the manifest states, and every tampered bundle is refused with
 * the code and at the place the manifest states — by the letter verifier or the procedure
 * verifier, as an independent verifier would read the same files (docs/bundle-format.md §8).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../src/core/bundle/bundle.ts';
import { RANDOMNESS_BYTES, verifySemaphoreProofs } from '../src/core/crypto/groth16-batch.ts';
import type { SemaphoreProof } from '../src/core/crypto/semaphore.ts';
import { verifyProcedureBundle } from '../src/core/bundle/procedure-bundle.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { FIXTURES, type Manifest, type Verifier } from './corpus/manifest.ts';

const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as Manifest;
const read = (file: string): unknown => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));

/** What the CLI passes: every proof of a bundle checked in batches (groth16-batch.ts). */
const batch = (ps: SemaphoreProof[]) => verifySemaphoreProofs(ps, nodeVerificationKeys, randomBytes(ps.length * RANDOMNESS_BYTES));

function verify(verifier: Verifier, bundle: unknown, expectedVerifierKey?: string, more: { verifyProofs?: typeof batch; onProgress?: (done: number, total: number) => void } = {}) {
  const options = { keys: nodeVerificationKeys, expectedVerifierKey, ...more };
  return verifier === 'letter' ? verifyBundle(bundle, options) : verifyProcedureBundle(bundle, options);
}

/** A checkpoint's origin, size and root hash (hex), read from its note (C2SP tlog-checkpoint). */
function checkpointOf(bundle: unknown): { origin: string; size: number; rootHash: string } {
  const [origin, size, root] = (bundle as { log: { checkpoint: string } }).log.checkpoint.split('\n');
  return { origin, size: Number(size), rootHash: Buffer.from(root, 'base64').toString('hex') };
}

afterAll(releaseSnarkjs);

describe('the corpus', () => {
  it('holds exactly the files its manifest lists', () => {
    const listed = [...manifest.good.map((g) => g.file), ...manifest.cases.map((c) => c.file)].sort();
    const onDisk = [...readdirSync(FIXTURES).filter((f) => f.endsWith('.json') && f !== 'manifest.json'), ...readdirSync(join(FIXTURES, 'good')).map((f) => `good/${f}`)].sort();
    expect(onDisk).toEqual(listed);
  });

  it('has a case for each verifier and each of these codes', () => {
    const codes = new Set(manifest.cases.map((c) => c.code));
    for (const code of ['bad_proposal', 'committee_mismatch', 'wrong_scope', 'bad_vote', 'tally_mismatch', 'votes_set_mismatch', 'notice_below_threshold', 'reveal_below_threshold']) {
      expect(codes, code).toContain(code);
    }
    expect(new Set(manifest.cases.map((c) => c.verifier))).toEqual(new Set(['letter', 'procedure']));
  });
});

describe('good bundles verify', () => {
  it.each(manifest.good.map((g) => [g.file, g] as const))('%s', async (_, g) => {
    const v = await verify(g.verifier, read(g.file), manifest.verifierKey);
    expect(v).toMatchObject({ ...g.expect, verifierKey: manifest.verifierKey, checkpoint: checkpointOf(read(g.file)) });
  });

  it.each(manifest.good.map((g) => [g.file, g] as const))('%s: progress is reported up to the total, one by one and in batches', async (_, g) => {
    const total = g.verifier === 'letter' ? (read(g.file) as { records: unknown[] }).records.length : (read(g.file) as { votes: unknown[] }).votes.length;
    for (const verifyProofs of [undefined, batch]) {
      const seen: [number, number][] = [];
      await verify(g.verifier, read(g.file), undefined, { verifyProofs, onProgress: (done, of) => seen.push([done, of]) });
      expect(seen.length, verifyProofs ? 'batch' : 'one by one').toBeGreaterThan(0);
      expect(seen.every(([, of]) => of === total)).toBe(true);
      expect(seen.map(([done]) => done)).toEqual([...seen.map(([done]) => done)].sort((a, b) => a - b));
      expect(seen[seen.length - 1][0]).toBe(total);
      if (!verifyProofs) expect(seen.map(([done]) => done)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    }
  });
});

describe('bad bundles are refused with their code', () => {
  it.each(manifest.cases.map((c) => [c.file, c] as const))('%s', async (_, c) => {
    const v = await verify(c.verifier, read(c.file));
    expect(v, JSON.stringify(v)).toMatchObject({ valid: false, code: c.code });
    if (!v.valid) expect(v.reason).toContain(c.where);
  });

  it('with the real log key pinned, every case signed by another key is refused at the checkpoint', async () => {
    const forged = manifest.cases.filter((c) => c.forgedLog);
    expect(forged.length).toBeGreaterThan(40);
    for (const c of forged) {
      expect(await verify(c.verifier, read(c.file), manifest.verifierKey), c.file).toMatchObject({
        valid: false,
        code: 'checkpoint_unexpected_key',
        reason: 'the log is signed by another key than the one you expected',
      });
    }
  });

  it('the batch verifier the CLI uses gives the same verdicts (good bundles, and cases refused at or after the proofs)', async () => {
    const atProofs = new Set(['bad_proof', 'bad_proposal', 'bad_vote', 'wrong_scope', 'records_set_mismatch', 'votes_set_mismatch', 'checkpoint_bad_signature']);
    for (const { file, verifier } of [...manifest.good, ...manifest.cases.filter((c) => atProofs.has(c.code))]) {
      expect(await verify(verifier, read(file), undefined, { verifyProofs: batch }), file).toEqual(await verify(verifier, read(file)));
    }
  });
});
