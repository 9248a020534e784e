/**
 * The Semaphore v4 verification keys for every tree depth (1..32), bundled into the verify
 * worker at build time from the npm package @zk-kit/semaphore-artifacts — the same files the
 * server and the CLI verify with. Verifying a bundle therefore needs no request at all.
 */
import type { VerificationKey, VerificationKeys } from '../../core/crypto/semaphore.ts';

const files = import.meta.glob<VerificationKey>('../../../node_modules/@zk-kit/semaphore-artifacts/semaphore-*.json', { eager: true, import: 'default' });

const byDepth = new Map<number, VerificationKey>();
for (const [path, key] of Object.entries(files)) {
  const m = /semaphore-(\d+)\.json$/.exec(path);
  if (m) byDepth.set(Number(m[1]), key);
}

export const bundledVerificationKeys: VerificationKeys = (depth) => {
  const key = byDepth.get(depth);
  if (!key) throw new RangeError(`no Semaphore verification key for depth ${depth}`);
  return key;
};

export const bundledDepths = () => [...byDepth.keys()].sort((a, b) => a - b);
