/**
 * One thread of the verify pool (verify-pool.ts): verifies each chunk of Semaphore proofs it is
 * sent as one batch, with fresh randomness from the operating system, and answers in order.
 * A chunk of signature records gets verifyRecord's answer for each (src/core/letter/record.ts): rules
 * 1–6 one by one (a named signer's EdDSA signature, a sealed name's proofs: the costly part of a
 * record after its proof), then the proofs of those that pass, as one batch.
 */
import { randomBytes } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { bn254 } from '../core/crypto/bn254.ts';
import { RANDOMNESS_BYTES, verifySemaphoreProofs } from '../core/crypto/groth16-batch.ts';
import type { Letter } from '../core/letter/letter.ts';
import { type SignatureRecord, checkRecordWithoutProof, withProofVerdict } from '../core/letter/record.ts';
import type { Check } from '../core/result.ts';
import type { RosterMember } from '../core/roster/roster.ts';
import type { SemaphoreProof } from '../core/crypto/semaphore.ts';
import { nodeVerificationKeys } from './artifacts.ts';

/** A record to check, with what verifyRecord reads of its context. */
export interface RecordTask {
  record: SignatureRecord;
  letterId: string;
  letter: Letter;
  /** The roster member at commitmentOf(record.action.named.publicKey), if named and there is one. */
  member: RosterMember | null;
}
export type RecordVerdict = Check<{ signer: RosterMember | null }>;

export type VerifyRequest = { chunk: number; proofs: SemaphoreProof[] } | { chunk: number; records: RecordTask[] };
export type VerifyReply = { chunk: number; valid: boolean[] | RecordVerdict[] } | { chunk: number; error: string };

if (!parentPort) throw new Error('verify-worker.ts runs as a worker thread of verify-pool.ts');
const port = parentPort;
// Instantiate the curve while the pool is still starting.
void bn254();

const verifyBatch = (proofs: SemaphoreProof[]) => verifySemaphoreProofs(proofs, nodeVerificationKeys, randomBytes(proofs.length * RANDOMNESS_BYTES));

async function checkRecords(tasks: RecordTask[], verify: (proofs: SemaphoreProof[]) => Promise<boolean[]>): Promise<RecordVerdict[]> {
  const checked = tasks.map((t) =>
    checkRecordWithoutProof(t.record, { letterId: t.letterId, letter: t.letter, byCommitment: new Map(t.member?.commitment ? [[t.member.commitment, t.member]] : []) }),
  );
  const toVerify = tasks.flatMap((t, i) => (checked[i].ok ? [i] : []));
  const valid = await verify(toVerify.map((i) => tasks[i].record.proof));
  const verdicts = checked.slice();
  toVerify.forEach((i, k) => (verdicts[i] = withProofVerdict(checked[i], valid[k])));
  return verdicts;
}

port.on('message', async (request: VerifyRequest) => {
  const { chunk } = request;
  let reply: VerifyReply;
  try {
    reply = 'proofs' in request ? { chunk, valid: await verifyBatch(request.proofs) } : { chunk, valid: await checkRecords(request.records, verifyBatch) };
  } catch (e) {
    reply = { chunk, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
