/**
 * The offline verifier, in a Web Worker started when the verify page opens — before any file is
 * chosen — so that checking a bundle makes no request: the code, the BN254 arithmetic and the
 * verification keys (verification-keys.ts) are all loaded by then. It runs src/core/bundle/bundle.ts
 * (a letter) or src/core/bundle/procedure-bundle.ts (a procedure), the same verifiers as `undersigned verify`.
 */
import '../jitless.ts';
import { verifyBundle } from '../../core/bundle/bundle.ts';
import { RANDOMNESS_BYTES, verifySemaphoreProofs } from '../../core/crypto/groth16-batch.ts';
import type { SemaphoreProof } from '../../core/crypto/semaphore.ts';
import { PROCEDURE_BUNDLE_FORMAT, verifyProcedureBundle } from '../../core/bundle/procedure-bundle.ts';
import { singleThreadedCurve } from '../prover/single-thread-curve.ts';
import { bundledDepths, bundledVerificationKeys } from './verification-keys.ts';

export type VerifyRequest = { id: number; text: string; expectedVerifierKey?: string };
export type VerifyResponse =
  | { type: 'ready'; depths: number[] }
  | { id: number; type: 'progress'; done: number; total: number }
  | { id: number; type: 'result'; verdict: Awaited<ReturnType<typeof verifyBundle>> }
  | { id: number; type: 'procedure'; verdict: Awaited<ReturnType<typeof verifyProcedureBundle>> };

const scope = self as unknown as { postMessage(m: VerifyResponse): void; addEventListener(t: 'message', l: (e: MessageEvent<VerifyRequest>) => void): void };

// Single-threaded BN254 (single-thread-curve.ts says why), built now so that nothing is loaded
// or compiled after the file is dropped.
// The verifier also loads src/core/crypto/bn254.ts (mcl's WebAssembly, for the G2 subgroup check) on
// first use: loaded and instantiated here too, for the same reason.
const ready = Promise.all([
  singleThreadedCurve(),
  import('../../core/crypto/bn254.ts').then((m) => m.bn254()),
]).then(() => scope.postMessage({ type: 'ready', depths: bundledDepths() }));

/**
 * Proofs checked together (groth16-batch.ts, as `undersigned verify` does, on this one thread):
 * ~10× faster than one by one, the same answers; the randomness is this browser's. The verifiers
 * hand over at most 1,024 proofs a call (bundle.ts's slices): 16 KiB, under getRandomValues' 64 KiB.
 */
const verifyProofs = (proofs: SemaphoreProof[]) => verifySemaphoreProofs(proofs, bundledVerificationKeys, crypto.getRandomValues(new Uint8Array(proofs.length * RANDOMNESS_BYTES)));

scope.addEventListener('message', async (e) => {
  const { id, text, expectedVerifierKey } = e.data;
  await ready;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    scope.postMessage({ id, type: 'result', verdict: { valid: false, code: 'bundle_not_json', reason: 'the file is not JSON' } });
    return;
  }
  try {
    if ((json as { format?: unknown } | null)?.format === PROCEDURE_BUNDLE_FORMAT) {
      // A procedure: its notice letter, the ballot, the votes, the trustees' tally and the decision.
      const verdict = await verifyProcedureBundle(json, {
        keys: bundledVerificationKeys,
        expectedVerifierKey,
        onProgress: (done, total) => scope.postMessage({ id, type: 'progress', done, total }),
        verifyProofs,
      });
      scope.postMessage({ id, type: 'procedure', verdict });
      return;
    }
    const verdict = await verifyBundle(json, {
      keys: bundledVerificationKeys,
      expectedVerifierKey,
      onProgress: (done, total) => scope.postMessage({ id, type: 'progress', done, total }),
      verifyProofs,
    });
    scope.postMessage({ id, type: 'result', verdict });
  } catch (error) {
    scope.postMessage({ id, type: 'result', verdict: { valid: false, code: 'bundle_malformed', reason: error instanceof Error ? error.message : String(error) } });
  }
});
