/**
 * Server-side verification of incoming proofs and signature records, batched over the worker pool.
 *
 * Each request's proof (or signature record) is queued; the queue is flushed when it has waited
 * `windowMs` (a few ms) or holds `maxBatch` items, and a flush goes to the verify pool
 * (src/node/verify-pool.ts). Its workers check records as verifyRecord does (a named signer's
 * EdDSA signature, a sealed name's proofs) and verify the proofs of a chunk as one
 * Bellare–Garay–Rabin batch, finding the bad ones by bisection when the batch fails
 * (src/core/crypto/groth16-batch.ts). So every request gets exactly the answer it would get verified
 * alone, and one bad record does not fail the others. The requests then carry on one by one
 * (the log append stays serial, as before).
 *
 * The pool starts when the server listens, or on the first item (an app only tested with
 * inject() and taking no submission starts no thread), and `close()` ends it; a later item
 * starts a new one, so an app rebuilt over the same instance works. If the pool fails (its
 * workers cannot run, or it was closed under a waiting item), that flush is verified in this
 * thread instead: the pool is an accelerator, never a reason to refuse or accept anything.
 */
import { checkRecordWithoutProof, withProofVerdict } from '../core/letter/record.ts';
import { type SemaphoreProof, type VerificationKeys, verifySemaphoreProof } from '../core/crypto/semaphore.ts';
import { type RecordTask, type RecordVerdict, VerifyPool, type VerifyPoolOptions } from '../node/verify-pool.ts';

export interface ProofBatcherOptions extends VerifyPoolOptions {
  /** How long the first item of a batch waits for others; default 4 ms. */
  windowMs?: number;
  /** A batch is sent at once when it has this many items; default 256. */
  maxBatch?: number;
  /** Told when the pool fails and a batch is verified in this thread instead (an operator should know). */
  warn?: (line: string) => void;
}

interface Waiting<T, R> {
  item: T;
  resolve(answer: R): void;
  reject(error: unknown): void;
}

export class ProofBatcher {
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private pool: VerifyPool | null = null;
  private proofs: Waiting<SemaphoreProof, boolean>[] = [];
  private records: Waiting<RecordTask, RecordVerdict>[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly keys: VerificationKeys,
    private readonly options: ProofBatcherOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 4;
    this.maxBatch = options.maxBatch ?? 256;
    if (!(this.windowMs >= 0)) throw new RangeError(`proof batcher: windowMs must be ≥ 0, not ${this.windowMs}`);
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new RangeError(`proof batcher: maxBatch must be a positive integer, not ${this.maxBatch}`);
  }

  /** What verifySemaphoreProof(proof, keys) says, verified together with items arriving meanwhile. */
  verify(proof: SemaphoreProof): Promise<boolean> {
    return new Promise((resolve, reject) => this.enqueue(this.proofs, { item: proof, resolve, reject }));
  }

  /** What verifyRecord says of task.record (record.ts), checked together with items arriving meanwhile. */
  checkRecord(task: RecordTask): Promise<RecordVerdict> {
    return new Promise((resolve, reject) => this.enqueue(this.records, { item: task, resolve, reject }));
  }

  /** Start the worker threads now rather than on the first item (a listening server). */
  start(): void {
    this.pool ??= new VerifyPool(this.options);
  }

  /** End the worker threads (items still waiting are checked in this thread). Usable again afterwards. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.close();
  }

  private enqueue<T, R>(queue: Waiting<T, R>[], waiting: Waiting<T, R>): void {
    queue.push(waiting);
    if (this.proofs.length + this.records.length >= this.maxBatch) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.windowMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const proofs = this.proofs;
    const records = this.records;
    this.proofs = [];
    this.records = [];
    this.start();
    const pool = this.pool!;
    if (proofs.length > 0) this.settle(proofs, pool.verify(proofs.map((w) => w.item)), (p) => verifySemaphoreProof(p, this.keys));
    if (records.length > 0) this.settle(records, pool.checkRecords(records.map((w) => w.item)), (t) => this.checkRecordHere(t));
  }

  /** Answer each waiting request from the pool, or, if the pool failed, from `alone` (each on its own). */
  private settle<T, R>(batch: Waiting<T, R>[], answers: Promise<R[]>, alone: (item: T) => Promise<R>): void {
    answers.then(
      (a) => batch.forEach((w, i) => w.resolve(a[i])),
      (e: unknown) => {
        this.options.warn?.(`proof batcher: ${batch.length} item(s) verified in the main thread: ${e instanceof Error ? e.message : String(e)}`);
        batch.forEach((w) => alone(w.item).then(w.resolve, w.reject));
      },
    );
  }

  /** verifyRecord, in this thread (the fallback). */
  private async checkRecordHere(t: RecordTask): Promise<RecordVerdict> {
    const byCommitment = new Map(t.member?.commitment ? [[t.member.commitment, t.member]] : []);
    const checked = checkRecordWithoutProof(t.record, { letterId: t.letterId, letter: t.letter, byCommitment });
    return withProofVerdict(checked, checked.ok && (await verifySemaphoreProof(t.record.proof, this.keys)));
  }
}

