/**
 * Semaphore v4 artifacts on disk, from the npm package @zk-kit/semaphore-artifacts
 * (one wasm, zkey and verification key per tree depth). Never downloaded at run time.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Artifacts } from '../core/letter/prove.ts';
import type { VerificationKey, VerificationKeys } from '../core/crypto/semaphore.ts';

const require = createRequire(import.meta.url);
const dir = dirname(require.resolve('@zk-kit/semaphore-artifacts/package.json'));
const cache = new Map<number, VerificationKey>();

function checkDepth(depth: number): void {
  if (!Number.isInteger(depth) || depth < 1 || depth > 32) throw new RangeError(`no Semaphore artifacts for depth ${depth}`);
}

export const nodeArtifacts: Artifacts = (depth) => {
  checkDepth(depth);
  return { wasm: join(dir, `semaphore-${depth}.wasm`), zkey: join(dir, `semaphore-${depth}.zkey`) };
};

export const nodeVerificationKeys: VerificationKeys = (depth) => {
  checkDepth(depth);
  let vkey = cache.get(depth);
  if (!vkey) {
    vkey = JSON.parse(readFileSync(join(dir, `semaphore-${depth}.json`), 'utf8')) as VerificationKey;
    cache.set(depth, vkey);
  }
  return vkey;
};

/** snarkjs keeps worker threads and a cached curve alive; release them so the process can exit. */
export async function releaseSnarkjs(): Promise<void> {
  const g = globalThis as { curve_bn128?: { terminate?: () => Promise<void> } };
  await g.curve_bn128?.terminate?.();
  g.curve_bn128 = undefined;
}
