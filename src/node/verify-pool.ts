/**
 * A pool of worker threads, one per core, that verifies Semaphore proofs: a call's proofs are cut
 * into chunks, each worker verifies a chunk as one batch (src/core/crypto/groth16-batch.ts) and the
 * answers come back in the order of the proofs, as verifySemaphoreProof would give them.
 *
 * A worker that dies (crash, out of memory, terminated) is replaced and its chunk is sent again;
 * a chunk's answer is recorded once, by the first worker that returns it, so no proof is lost or
 * counted twice. A chunk that kills three workers fails its call instead of looping, and a pool
 * whose workers keep exiting without answering (they cannot start) shuts itself down.
 * Idle workers are unref'd: an idle pool never keeps the process alive; close() ends it.
 *
 * Workers run TypeScript through a small .mjs entry that registers tsx's loader first
 * (`execArgv: ['--import', 'tsx']` does not make a worker's .ts entry loadable on Node 20).
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { RANDOMNESS_BYTES, verifySemaphoreProofs } from '../core/crypto/groth16-batch.ts';
import type { SemaphoreProof } from '../core/crypto/semaphore.ts';
import { nodeVerificationKeys } from './artifacts.ts';
import type { RecordTask, RecordVerdict, VerifyReply, VerifyRequest } from './verify-worker.ts';

export type { RecordTask, RecordVerdict } from './verify-worker.ts';

export interface VerifyPoolOptions {
  /** Worker threads; default: the number of cores (os.availableParallelism()). */
  size?: number;
  /** Most proofs per chunk, verified as one batch by one worker; default 64. 1 verifies one by one. */
  chunkSize?: number;
}

const MAX_ATTEMPTS = 3;
const workerEntry = new URL('./verify-worker.mjs', import.meta.url);

interface Job {
  kind: 'proofs' | 'records';
  valid: unknown[];
  total: number;
  done: number;
  chunksLeft: number;
  failed: boolean;
  resolve(valid: unknown[]): void;
  reject(error: Error): void;
  onProgress?: (done: number, total: number) => void;
}

interface Chunk {
  id: number;
  job: Job;
  offset: number;
  /** Proofs, or records with their context (job.kind). */
  proofs: unknown[];
  attempts: number;
  settled: boolean;
}

export class VerifyPool {
  readonly size: number;
  readonly chunkSize: number;
  private readonly threads = new Set<Worker>();
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Chunk>();
  private readonly queue: Chunk[] = [];
  private nextChunk = 0;
  private closed: Error | null = null;
  /** Workers that exited since the last answer: a pool whose workers cannot start stops respawning. */
  private exitsInARow = 0;
  private lastError: unknown = null;

  constructor(options: VerifyPoolOptions = {}) {
    this.size = options.size ?? availableParallelism();
    this.chunkSize = options.chunkSize ?? 64;
    if (!Number.isInteger(this.size) || this.size < 1) throw new RangeError(`verify pool: size must be a positive integer, not ${this.size}`);
    if (!Number.isInteger(this.chunkSize) || this.chunkSize < 1) throw new RangeError(`verify pool: chunkSize must be a positive integer, not ${this.chunkSize}`);
    for (let i = 0; i < this.size; i++) this.spawn();
  }

  /** The live worker threads (for monitoring: threadId, performance.eventLoopUtilization()…). */
  get workers(): readonly Worker[] {
    return [...this.threads];
  }

  /**
   * Verify proofs; answers in the same order. Rejects only if the pool is closed, a worker reports
   * an error (e.g. no verification key for a proof's depth) or a chunk keeps killing workers.
   */
  verify(proofs: readonly SemaphoreProof[], onProgress?: (done: number, total: number) => void): Promise<boolean[]> {
    return this.run('proofs', proofs, onProgress) as Promise<boolean[]>;
  }

  /**
   * Check signature records, each as verifyRecord would (src/core/letter/record.ts): rules 1–6 in the
   * worker, then the proofs of the records that pass them as one batch. `member` is the roster
   * member whose commitment a named record's key gives (the only roster lookup verifyRecord makes),
   * or null. Answers in the same order; same rejections as verify().
   */
  checkRecords(tasks: readonly RecordTask[]): Promise<RecordVerdict[]> {
    return this.run('records', tasks) as Promise<RecordVerdict[]>;
  }

  private run(kind: Job['kind'], proofs: readonly unknown[], onProgress?: (done: number, total: number) => void): Promise<unknown[]> {
    if (this.closed) return Promise.reject(this.closed);
    if (proofs.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      // Small calls are spread over every worker; large ones are cut at chunkSize.
      const size = Math.min(this.chunkSize, Math.ceil(proofs.length / this.size));
      const job: Job = { kind, valid: new Array(proofs.length).fill(false), total: proofs.length, done: 0, chunksLeft: 0, failed: false, resolve, reject, onProgress };
      for (let offset = 0; offset < proofs.length; offset += size) {
        job.chunksLeft++;
        this.queue.push({ id: this.nextChunk++, job, offset, proofs: proofs.slice(offset, offset + size), attempts: 0, settled: false });
      }
      this.pump();
    });
  }

  /** Stop every worker; calls still running are rejected. */
  close(): Promise<void> {
    return this.shutdown(new Error('verify pool: closed'));
  }

  private async shutdown(error: Error): Promise<void> {
    if (this.closed) return;
    this.closed = error;
    for (const chunk of [...this.queue, ...this.busy.values()]) this.fail(chunk.job, error);
    this.queue.length = 0;
    this.busy.clear();
    await Promise.all([...this.threads].map((w) => w.terminate()));
    this.threads.clear();
  }

  private spawn(): void {
    const worker = new Worker(workerEntry, { execArgv: [] });
    this.threads.add(worker);
    worker.on('message', (reply: VerifyReply) => this.onReply(worker, reply));
    // 'error' is followed by 'exit'; the chunk is handled there.
    worker.on('error', (e) => (this.lastError = e));
    worker.on('exit', () => this.onExit(worker));
    this.makeIdle(worker);
  }

  private makeIdle(worker: Worker): void {
    worker.unref();
    this.idle.push(worker);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.idle.length > 0 && this.queue.length > 0) {
      const chunk = this.queue.shift()!;
      if (chunk.job.failed) continue;
      const worker = this.idle.pop()!;
      this.busy.set(worker, chunk);
      chunk.attempts++;
      worker.ref();
      const request: VerifyRequest =
        chunk.job.kind === 'proofs' ? { chunk: chunk.id, proofs: chunk.proofs as SemaphoreProof[] } : { chunk: chunk.id, records: chunk.proofs as RecordTask[] };
      worker.postMessage(request);
    }
  }

  private onReply(worker: Worker, reply: VerifyReply): void {
    const chunk = this.busy.get(worker);
    if (!chunk || chunk.id !== reply.chunk) return;
    this.busy.delete(worker);
    this.exitsInARow = 0;
    this.makeIdle(worker);
    if (chunk.settled) return;
    chunk.settled = true;
    const { job } = chunk;
    if ('error' in reply || reply.valid.length !== chunk.proofs.length) {
      this.fail(job, new Error(`verify pool: a worker could not verify proofs ${chunk.offset}–${chunk.offset + chunk.proofs.length - 1}: ${'error' in reply ? reply.error : 'wrong number of answers'}`));
      return;
    }
    reply.valid.forEach((v, k) => (job.valid[chunk.offset + k] = job.kind === 'proofs' ? v === true : v));
    job.done += chunk.proofs.length;
    job.chunksLeft--;
    if (job.failed) return;
    job.onProgress?.(job.done, job.total);
    if (job.chunksLeft === 0) job.resolve(job.valid);
  }

  private onExit(worker: Worker): void {
    this.threads.delete(worker);
    const i = this.idle.indexOf(worker);
    if (i >= 0) this.idle.splice(i, 1);
    const chunk = this.busy.get(worker);
    this.busy.delete(worker);
    if (this.closed) return;
    if (++this.exitsInARow > MAX_ATTEMPTS * this.size) {
      // Not one chunk answered across that many workers: they cannot run here (a missing module…).
      const reason = this.lastError instanceof Error ? this.lastError.message : 'they keep exiting';
      const error = new Error(`verify pool: the worker threads cannot run: ${reason}`);
      if (chunk) this.fail(chunk.job, error);
      void this.shutdown(error);
      return;
    }
    if (chunk && !chunk.settled && !chunk.job.failed) {
      if (chunk.attempts < MAX_ATTEMPTS) {
        this.queue.unshift(chunk); // first in line for the replacement
      } else {
        chunk.settled = true;
        const last = this.lastError instanceof Error ? ` (last: ${this.lastError.message})` : '';
        this.fail(chunk.job, new Error(`verify pool: proofs ${chunk.offset}–${chunk.offset + chunk.proofs.length - 1} made ${MAX_ATTEMPTS} workers exit${last}`));
      }
    }
    this.spawn();
  }

  private fail(job: Job, error: Error): void {
    if (job.failed) return;
    job.failed = true;
    job.reject(error);
  }
}

/** Below this many proofs, starting the threads (about half a second) costs more than they save. */
export const POOL_THRESHOLD = 512;

/**
 * A `verifyProofs` for verifyBundle sized to the work: batches in this thread for a few hundred
 * proofs, a pool of workers beyond. Close it when done.
 */
export function proofVerifier(proofCount: number): { verifyProofs: (proofs: SemaphoreProof[]) => Promise<boolean[]>; close(): Promise<void> } {
  if (proofCount >= POOL_THRESHOLD) {
    // Chunks of 256: a batch's fixed cost (three key pairings and the final exponentiation, ~4 ms)
    // is spread over four times as many proofs as the server's 64, whose latency matters more.
    const pool = new VerifyPool({ chunkSize: 256 });
    return { verifyProofs: (proofs) => pool.verify(proofs), close: () => pool.close() };
  }
  return {
    verifyProofs: (proofs) => verifySemaphoreProofs(proofs, nodeVerificationKeys, randomBytes(proofs.length * RANDOMNESS_BYTES)),
    close: async () => {},
  };
}
