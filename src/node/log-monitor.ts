/**
 * Download an undersigned log over its public API (docs/api.md §Log) up to a checkpoint and check
 * it with the core monitor (src/core/log/monitor.ts: `checkHead`, then `checkLogRules`): the one
 * "download and check" that `undersigned monitor` (src/cli/commands/monitor.ts) and a witness that
 * monitors what it cosigns (`witness serve --monitor`, src/witness/monitor.ts) both run.
 *
 * What it promises: the entries it returns are every entry from 0 to the checkpoint's size − 1 as
 * served (null bodies where the server withholds them), and `ok: true` means the checkpoint
 * verifies under the log key, extends `saved` (when given), commits to exactly those entries, and
 * the entries obey the protocol's rules. A caller may pass entries it fetched and checked before
 * (`known`): only the rest is downloaded, and the whole is checked again from index 0 (the rule
 * walk needs the whole history; hashing is cheap next to a download).
 *
 * A withheld body (a signature of a letter whose count is hidden) becomes public when its letter
 * closes; so when new entries hold a `letter-closed`, the known entries still withheld are fetched
 * again, else the close would not match the records the monitor holds.
 *
 * Network failures are thrown by `api.get` (the caller's error type); anomalies are values.
 */
import type { Checkpoint } from '../core/log/checkpoint.ts';
import { type Anomaly, type MonitorSummary, type SavedHead, type ServedEntry, checkHead, checkLogRules } from '../core/log/monitor.ts';

/** Entries per request: the API's maximum (docs/api.md, GET /api/log/entries). */
export const ENTRIES_PAGE = 1000;

/** A JSON GET on the instance's API (path from the root, e.g. `/api/log/entries?start=0&end=10`). */
export interface LogApi {
  get(path: string): Promise<unknown>;
}

export interface LogCheckInput {
  /** The checkpoint to check the log at (a signed note, as served or as sent to a witness). */
  checkpoint: string;
  /** The log key (signed-note verifier key) the checkpoint must verify under. */
  logKey: string;
  /** Entries 0..k−1 fetched before; may be longer than the checkpoint's size (only its prefix is used). */
  known?: readonly ServedEntry[];
  /** The checkpoint accepted last time: a consistency proof to it is downloaded and checked. */
  saved?: SavedHead;
  /**
   * The instance's minimum group size (docs/protocol.md §7.3), which explains withheld bodies of
   * small groups' live letters; by default, when a body is withheld, the one GET /api/instance states.
   */
  minGroupSize?: number;
}

export type LogCheck = { entries: ServedEntry[] } & ({ ok: true; checkpoint: Checkpoint; summary: MonitorSummary } | { ok: false; anomaly: Anomaly });

export async function downloadAndCheckLog(api: LogApi, input: LogCheckInput): Promise<LogCheck> {
  const size = Number(input.checkpoint.split('\n')[1]);
  const entries: ServedEntry[] = [...(input.known ?? [])];
  if (Number.isSafeInteger(size) && size >= 0) entries.length = Math.min(entries.length, size);
  const from = entries.length;
  if (Number.isSafeInteger(size) && size > from) {
    for (let start = from; start < size; start += ENTRIES_PAGE) {
      const page = await fetchEntries(api, start, Math.min(start + ENTRIES_PAGE, size));
      entries.push(...page);
      if (page.length < Math.min(ENTRIES_PAGE, size - start)) break;
    }
    const closes = entries.slice(from).some((e) => (e.entry as { kind?: unknown } | null)?.kind === 'letter-closed');
    if (closes) await refetchWithheld(api, entries, from);
  }
  let consistency: string[] | undefined;
  if (input.saved && Number.isSafeInteger(size) && size > input.saved.size) {
    const proof = (await api.get(`/api/log/consistency?from=${input.saved.size}&to=${size}`)) as { proof?: unknown };
    consistency = Array.isArray(proof?.proof) ? (proof.proof as string[]) : [];
  }

  const head = checkHead({ checkpoint: input.checkpoint, logKey: input.logKey, entries, saved: input.saved, consistency });
  if (!head.ok) return { ok: false, anomaly: head.anomaly, entries };
  const minGroupSize = input.minGroupSize ?? (head.entries.includes(null) ? await statedMinGroupSize(api) : undefined);
  const rules = checkLogRules(head.entries, { logKey: input.logKey, minGroupSize });
  if (!rules.ok) return { ok: false, anomaly: rules.anomaly, entries };
  return { ok: true, checkpoint: head.checkpoint, summary: rules.summary, entries };
}

/**
 * The minimum group size the instance states. Taken on its word: a larger one than it applies
 * would only let it withhold a live letter's signatures until the close, which then publishes them.
 */
async function statedMinGroupSize(api: LogApi): Promise<number | undefined> {
  const info = (await api.get('/api/instance')) as { minGroupSize?: unknown } | null;
  const n = info?.minGroupSize;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

async function fetchEntries(api: LogApi, start: number, end: number): Promise<ServedEntry[]> {
  const page = (await api.get(`/api/log/entries?start=${start}&end=${end}`)) as { entries?: unknown };
  // A page that is not a list is a page with no entries: checkHead then reports `entries_missing`.
  return Array.isArray(page?.entries) ? (page.entries as ServedEntry[]) : [];
}

/** Fetch again, in place, the entries before `end` whose body was withheld. */
async function refetchWithheld(api: LogApi, entries: ServedEntry[], end: number): Promise<void> {
  let i = entries.findIndex((e, j) => j < end && e.entry === null);
  while (i >= 0 && i < end) {
    const stop = Math.min(i + ENTRIES_PAGE, end);
    for (const served of await fetchEntries(api, i, stop)) {
      if (Number.isSafeInteger(served?.index) && served.index >= i && served.index < stop) entries[served.index] = served;
    }
    const next = entries.slice(stop, end).findIndex((e) => e.entry === null);
    i = next < 0 ? -1 : stop + next;
  }
}
