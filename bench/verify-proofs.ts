/**
 * Real Semaphore v4 proofs for the verification benchmark, made once and cached in
 * bench/.cache (gitignored): a proof takes about a second to make, a verification milliseconds.
 * Each proof is by a distinct member of one group, over a distinct message, at the tree depth of a
 * 100,000-member roster.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Group } from '@semaphore-protocol/group';
import { Identity } from '@semaphore-protocol/identity';
import { generateProof } from '@semaphore-protocol/proof';
import { type SemaphoreProof, SemaphoreProofSchema } from '../src/core/crypto/semaphore.ts';
import { nodeArtifacts } from '../src/node/artifacts.ts';

export const DEPTH = 17;
const cacheDir = join(dirname(fileURLToPath(import.meta.url)), '.cache');

/** `count` proofs from the cache, making (and caching) whatever is missing. */
export async function benchProofs(count: number, say: (line: string) => void): Promise<SemaphoreProof[]> {
  const file = join(cacheDir, `semaphore-proofs-depth${DEPTH}.json`);
  const cached: SemaphoreProof[] = existsSync(file) ? SemaphoreProofSchema.array().parse(JSON.parse(readFileSync(file, 'utf8'))) : [];
  if (cached.length >= count) return cached.slice(0, count);
  // Deterministic identities, so that a cache extended later stays one group.
  const members = Array.from({ length: Math.max(count, 64) }, (_, i) => new Identity(`undersigned-bench-member-${i}`));
  const group = new Group(members.map((m) => m.commitment));
  const scope = 0x756e6465727369676e6564n; // "undersigned"
  say(`making ${count - cached.length} Semaphore proofs at depth ${DEPTH} (cached in bench/.cache)…`);
  for (let i = cached.length; i < count; i++) {
    const p = await generateProof(members[i % members.length], group, BigInt(i + 1), scope, DEPTH, nodeArtifacts(DEPTH));
    cached.push({
      merkleTreeDepth: p.merkleTreeDepth,
      merkleTreeRoot: String(p.merkleTreeRoot),
      nullifier: String(p.nullifier),
      message: String(p.message),
      scope: String(p.scope),
      points: p.points.map(String),
    });
    if ((i + 1) % 8 === 0) say(`  ${i + 1}/${count}`);
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(join(cacheDir, '.gitignore'), '*\n');
    writeFileSync(file, JSON.stringify(cached) + '\n');
  }
  return cached;
}
