/**
 * One thread of the verify pool (verify-pool.ts): verifies each chunk of Semaphore proofs it is
 * sent as one batch, with fresh randomness from the operating system, and answers in order.
 */
import { randomBytes } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { bn254 } from '../core/bn254.ts';
import { RANDOMNESS_BYTES, verifySemaphoreProofs } from '../core/groth16-batch.ts';
import type { SemaphoreProof } from '../core/semaphore.ts';
import { nodeVerificationKeys } from './artifacts.ts';

export interface VerifyRequest {
  chunk: number;
  proofs: SemaphoreProof[];
}
export type VerifyReply = { chunk: number; valid: boolean[] } | { chunk: number; error: string };

if (!parentPort) throw new Error('verify-worker.ts runs as a worker thread of verify-pool.ts');
const port = parentPort;
// Instantiate the curve while the pool is still starting.
void bn254();

port.on('message', async ({ chunk, proofs }: VerifyRequest) => {
  let reply: VerifyReply;
  try {
    reply = { chunk, valid: await verifySemaphoreProofs(proofs, nodeVerificationKeys, randomBytes(proofs.length * RANDOMNESS_BYTES)) };
  } catch (e) {
    reply = { chunk, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
