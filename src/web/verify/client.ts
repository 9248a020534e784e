/**
 * Check a result file in a verifier worker (verify.worker.ts) from any page: the ballot page uses
 * it to show a result only once this browser has checked it, never on the server's word.
 */
import type { VerifyRequest, VerifyResponse } from './verify.worker.ts';

export type LetterVerdict = Extract<VerifyResponse, { type: 'result' }>['verdict'];
export type ProcedureVerdict = Extract<VerifyResponse, { type: 'procedure' }>['verdict'];
export type AnyVerdict = { kind: 'letter'; verdict: LetterVerdict } | { kind: 'procedure'; verdict: ProcedureVerdict };

export function checkInWorker(text: string, onProgress?: (done: number, total: number) => void, expectedVerifierKey?: string): Promise<AnyVerdict> {
  const w = new Worker(new URL('./verify.worker.ts', import.meta.url), { type: 'module', name: 'verifier' });
  return new Promise<AnyVerdict>((resolve, reject) => {
    w.addEventListener('message', (e: MessageEvent<VerifyResponse>) => {
      const m = e.data;
      if (m.type === 'progress') onProgress?.(m.done, m.total);
      else if (m.type === 'result') resolve({ kind: 'letter', verdict: m.verdict });
      else if (m.type === 'procedure') resolve({ kind: 'procedure', verdict: m.verdict });
    });
    w.addEventListener('error', () => reject(new Error('the verifier could not start in this browser')));
    w.postMessage({ id: 1, text, expectedVerifierKey } satisfies VerifyRequest);
  }).finally(() => w.terminate());
}
