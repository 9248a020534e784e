/**
 * Log entries served with inclusion proofs against a checkpoint the witnesses cosigned (the latest
 * checkpoint on an instance without witnesses): what a member's client takes a committee, a letter
 * or a ballot from before it signs, seals or encrypts (core/member/witnessed-log.ts). Waits for the
 * witnesses as a bundle does, and answers 503 `not_witnessed_yet` when they have not caught up.
 */
import type { LogEntry } from '../../core/log/entry.ts';
import type { Services } from '../instance.ts';

export async function provenView(services: Services, entries: readonly { index: number; entry: LogEntry }[]) {
  const last = entries.length ? Math.max(...entries.map((e) => e.index)) + 1 : 1;
  const witnessed = (await services.witnesses.policy()) ? await services.witnesses.witnessedAtLeast(last) : undefined;
  const view = await services.log.view(witnessed);
  return { checkpoint: view.checkpoint, entries: entries.map((e) => ({ index: e.index, entry: e.entry, proof: view.proofOf(e.index, view.size) })) };
}

/** The entry at `index` as logged (an opening: never withheld). */
export async function loggedEntry(services: Services, index: number): Promise<{ index: number; entry: LogEntry }> {
  const [row] = await services.log.entries(index, index + 1, async () => false);
  return { index, entry: row.entry! };
}
