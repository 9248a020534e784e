/**
 * How members' submissions (proposals, signatures, votes, session proofs) come in: a verifier for
 * their proofs and records, and a publication for their log writes. Each service that takes
 * submissions is given both when it is built, so one object has one path:
 *
 * - an instance used in-process (the organizer's CLI, the demo, tests) verifies in this thread
 *   and publishes each submission at once, in a transaction of its own;
 * - a running server (app.ts) builds its own submission services with its ProofBatcher
 *   (proof-batcher.ts: batched, in worker threads) and its Publisher (publisher.ts: shuffled
 *   windows). Both must answer exactly as the in-thread path does: same acceptance, same codes.
 */
import type { RosterMember } from '../../core/roster/roster.ts';
import { verifyRecord } from '../../core/letter/record.ts';
import { type SemaphoreProof, type VerificationKeys, verifySemaphoreProof } from '../../core/crypto/semaphore.ts';
import type { RecordTask, RecordVerdict } from '../../node/verify-pool.ts';
import type { Db } from '../db.ts';
import type { Settled } from '../publisher.ts';

export interface IngestVerifier {
  verify(proof: SemaphoreProof): Promise<boolean>;
  /**
   * What verifyRecord says of task.record. `byCommitment` is the whole roster the letter fixed,
   * for a verifier in this thread; the batcher sends only `task.member` to its workers.
   */
  checkRecord(task: RecordTask, byCommitment: ReadonlyMap<string, RosterMember>): Promise<RecordVerdict>;
}

/** Proofs and records verified one by one, in this thread. */
export function inThreadVerifier(keys: VerificationKeys): IngestVerifier {
  return {
    verify: (proof) => verifySemaphoreProof(proof, keys),
    checkRecord: (task, byCommitment) => verifyRecord(task.record, { letterId: task.letterId, letter: task.letter, byCommitment, keys }),
  };
}

export interface Publication {
  /** Run a verified submission's writes (given the transaction), now or at the end of a window. */
  publish<T>(append: (db: Db) => Promise<T>): Promise<T>;
  /** Publish what is held now (before a close). */
  flush(): Promise<void>;
}

/** Each submission appended at once, in a transaction of its own. */
export function publishAtOnce(db: Db): Publication {
  return {
    publish: (append) => db.transaction().execute(append),
    flush: async () => {},
  };
}

/**
 * A publication window's appends in one transaction (one disk sync for all), each inside its own
 * savepoint: one that throws is rolled back alone and reported, the others stand.
 */
export async function appendInSavepoints(db: Db, appends: ((db: Db) => Promise<unknown>)[]): Promise<Settled[]> {
  const trx = await db.startTransaction().execute();
  const settled: Settled[] = [];
  try {
    for (const [i, append] of appends.entries()) {
      const name = `s${i}`;
      const sp = await trx.savepoint(name).execute();
      try {
        settled.push({ ok: true, value: await append(sp) });
        await sp.releaseSavepoint(name).execute();
      } catch (error) {
        await sp.rollbackToSavepoint(name).execute();
        settled.push({ ok: false, error });
      }
    }
    await trx.commit().execute();
  } catch (error) {
    await trx.rollback().execute().catch(() => undefined);
    throw error;
  }
  return settled;
}
