/**
 * The trustee page's watch over the public log (issue 13 item 3): the record of what this trustee
 * made in this browser (device.ts, by transport key) against every entry on the log, with
 * entriesNotMine (src/core/trustee/own-entries.ts), the same rule as `undersigned trustee run`.
 * The log is read once per page load, then only what was appended since.
 */
import { entriesNotMine, newOwnRecord, type OwnAlarm, withMade } from '../../core/trustee/own-entries.ts';
import { api } from '../api.ts';
import { device } from '../device.ts';

/** Entries per request: the API's maximum (docs/api.md, GET /api/log/entries). */
const PAGE = 1000;
const seen: { index: number; entry: unknown }[] = [];

/** `begun`: the log size at which this browser began its record now (it had none), else null. */
export async function watchOwnEntries(transportKey: string): Promise<{ alarms: OwnAlarm[]; begun: number | null }> {
  const note = await api.checkpoint();
  const size = Number(note.split('\n')[1]);
  if (!Number.isSafeInteger(size) || size < 0) throw new Error('the server sent a checkpoint without a size');
  let record = device.trusteeRecord(transportKey);
  let begun: number | null = null;
  if (!record) {
    record = newOwnRecord(transportKey, null, size);
    device.setTrusteeRecord(record);
    begun = size;
  }
  if (seen.length > size) seen.length = 0; // a shorter log than before: read it again (the fork check is logwatch's)
  while (seen.length < size) {
    const start = seen.length;
    const page = await api.entries(start, Math.min(start + PAGE, size));
    if (!page.entries.length) break;
    seen.push(...page.entries.map((e) => ({ index: e.index, entry: e.entry })));
  }
  return { alarms: entriesNotMine(record, seen), begun };
}

/** Called before the worker sends an entry it signed (its `signed` progress). */
export function recordMade(transportKey: string, entry: unknown): void {
  const record = device.trusteeRecord(transportKey) ?? newOwnRecord(transportKey, null, 0);
  device.setTrusteeRecord(withMade(record, entry));
}

/** At the join: the slot this key takes, before the invitation code is spent. */
export function beginRecord(transportKey: string, slot: { index: number; committee: string }): void {
  if (!device.trusteeRecord(transportKey)) device.setTrusteeRecord(newOwnRecord(transportKey, slot, 0));
}
