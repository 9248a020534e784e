/**
 * A witness that monitors what it cosigns (`witness serve --monitor ORIGIN=URL`; issue 13 item 5;
 * docs/monitor.md §A witness that monitors): before it cosigns a checkpoint of a monitored log, it
 * downloads that log's entries up to the checkpoint from the undersigned server at URL and checks
 * them with the monitor `undersigned monitor` runs (src/node/log-monitor.ts, src/core/log/monitor.ts).
 * A witness alone vouches only that the log is append-only; a monitoring witness also vouches that
 * what was appended obeys the protocol's rules (one close per letter, nothing after a close, ...).
 *
 * Two steps, so that the cosigning decision stays one SQLite transaction with no await in it
 * (src/witness/witness.ts):
 *   1. `prepare` (async, before the transaction): for a validly signed checkpoint of a monitored
 *      origin that is not checked yet, fetch the entries the witness does not hold, check the log
 *      from index 0 to the checkpoint's size, and record "(origin, size, root) passed"; on an
 *      anomaly, record an alarm for the origin and keep the request as evidence.
 *   2. `gate` (sync, inside the witness's transaction): refuse while the origin has an alarm, and
 *      refuse a monitored origin's checkpoint whose (size, root) is not recorded as passed.
 *
 * An alarm stays until the witness's operator looks and clears it (`witness clear-alarm`), and is
 * kept even if the witness is later run without --monitor: the anomaly is in a checkpoint the log
 * signed, so no later checkpoint of that log can make it right. (A real anomaly is found again at
 * the next checkpoint after a clear; clearing is for a false alarm, such as a witness-side bug.)
 *
 * The log is checked again from index 0 for each new checkpoint (the entries are kept, only the
 * new ones downloaded): the rule walk is linear in the log, cheap next to the proofs a log holds.
 */
import type Database from 'better-sqlite3';
import { bytesToHex } from '../core/encoding.ts';
import { parseCheckpointBody, parseNote, verifyCheckpoint } from '../core/log/checkpoint.ts';
import type { Anomaly, ServedEntry } from '../core/log/monitor.ts';
import { parseAddCheckpoint } from '../core/log/witness.ts';
import { downloadAndCheckLog, type LogApi } from '../node/log-monitor.ts';

/** A log the witness monitors: its origin, and the undersigned server that serves its entries. */
export interface MonitoredLog {
  origin: string;
  url: string;
}

/** Parse `ORIGIN=URL` (the form of `witness serve --monitor`); a string says what is wrong. */
export function parseMonitorOption(text: string): MonitoredLog | string {
  // The URL starts at the first "=http://" or "=https://": an origin may itself hold an "=".
  const m = /^(.+?)=(https?:\/\/\S+)$/.exec(text);
  if (m === null) return `a monitored log is given as ORIGIN=URL (the origin of the log's checkpoints and its server's http(s) URL), not ${JSON.stringify(text)}`;
  const [, origin, url] = m;
  if (origin.includes('\n')) return 'the origin is one line';
  try {
    new URL(url);
  } catch {
    return `${JSON.stringify(url)} is not a URL`;
  }
  return { origin, url: url.replace(/\/+$/, '') };
}

/** A refusal of the gate, in the shape of the witness's other refusals. */
export interface MonitorRefusal {
  ok: false;
  status: 422 | 503;
  code: 'witness_log_anomaly' | 'witness_log_unchecked';
  reason: string;
  latestSize?: undefined;
}

export interface LogAlarm extends Anomaly {
  origin: string;
  /** POSIX seconds. */
  at: number;
  /** The size of the checkpoint whose log broke the rule. */
  size: number;
}

export class WitnessMonitor {
  private readonly byOrigin: Map<string, string>;
  /** Why the last download for an origin failed (told in the 503 refusal). */
  private readonly lastError = new Map<string, string>();
  /** One download at a time per origin: a second request waits for the first and reuses it. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Database.Database,
    monitors: readonly MonitoredLog[],
    private readonly logKeys: (origin: string) => readonly string[],
  ) {
    this.byOrigin = new Map(monitors.map((m) => [m.origin, m.url]));
    db.exec(`
      CREATE TABLE IF NOT EXISTS monitor_entries (origin TEXT NOT NULL, idx INTEGER NOT NULL, leaf_hash TEXT NOT NULL, entry TEXT, PRIMARY KEY (origin, idx));
      CREATE TABLE IF NOT EXISTS monitor_passed (origin TEXT NOT NULL, size INTEGER NOT NULL, root TEXT NOT NULL, PRIMARY KEY (origin, size));
      CREATE TABLE IF NOT EXISTS monitor_alarms (origin TEXT PRIMARY KEY, at INTEGER NOT NULL, size INTEGER NOT NULL, code TEXT NOT NULL, idx INTEGER NOT NULL, reason TEXT NOT NULL, checkpoint TEXT NOT NULL, entry TEXT);
    `);
  }

  monitors(): MonitoredLog[] {
    return [...this.byOrigin].map(([origin, url]) => ({ origin, url }));
  }

  alarms(): LogAlarm[] {
    const rows = this.db.prepare('SELECT origin, at, size, code, idx, reason FROM monitor_alarms ORDER BY origin').all() as (Omit<LogAlarm, 'index'> & { idx: number })[];
    return rows.map(({ idx, ...r }) => ({ ...r, index: idx }));
  }

  /** The operator has looked: cosign this origin again (its later checkpoints are checked afresh). */
  clearAlarm(origin: string): boolean {
    return this.db.prepare('DELETE FROM monitor_alarms WHERE origin = ?').run(origin).changes > 0;
  }

  /** Step 1 (before the transaction): make sure the request's checkpoint has been checked. */
  async prepare(requestBody: string, now: number): Promise<void> {
    const target = this.target(requestBody);
    if (target === null) return;
    const previous = this.running.get(target.origin);
    if (previous) await previous;
    if (this.passed(target.origin, target.size, target.root) || this.alarm(target.origin)) return;
    const run = this.check(target, requestBody, now).finally(() => this.running.delete(target.origin));
    this.running.set(target.origin, run);
    await run;
  }

  /** Step 2 (inside the witness's transaction): null when the checkpoint may be cosigned. */
  gate(origin: string, size: number, rootHash: Uint8Array): MonitorRefusal | null {
    const alarm = this.alarm(origin);
    if (alarm) {
      // 422, as for a consistency proof that does not verify (tlog-witness §add-checkpoint): the
      // request is well formed and validly signed, but what it commits to is unacceptable, and no
      // retry will change that. 409 would tell the client to resend from another size (with a
      // text/x.tlog.size body), 403/404 that this witness does not trust or know the log, 400 that
      // the request is malformed: none is true. An undersigned server raises its alarm on a 422.
      return {
        ok: false,
        status: 422,
        code: 'witness_log_anomaly',
        reason: `${alarm.code} at log index ${alarm.index}: ${alarm.reason} (found in the log's checkpoint of size ${alarm.size}; this witness cosigns nothing more of ${origin} until its operator has looked)`,
      };
    }
    if (!this.byOrigin.has(origin) || this.passed(origin, size, bytesToHex(rootHash))) return null;
    // 503: the witness could not check the log yet (its server unreachable, or a download under
    // way); nothing is wrong with the request, so the client tries again later.
    const why = this.lastError.get(origin);
    return { ok: false, status: 503, code: 'witness_log_unchecked', reason: `the log up to size ${size} is not checked yet${why ? ` (${why})` : ''}: try again later` };
  }

  /** The checkpoint of a request, when it is of a monitored origin and validly signed by its log. */
  private target(requestBody: string): { origin: string; size: number; root: string; note: string; logKey: string } | null {
    const request = parseAddCheckpoint(requestBody);
    if (!request.ok) return null;
    const note = parseNote(request.checkpoint);
    if (!note.ok) return null;
    const body = parseCheckpointBody(note.body);
    if (!body.ok || !this.byOrigin.has(body.origin)) return null;
    // Only a checkpoint the log signed may raise an alarm: anyone can POST to a witness.
    for (const logKey of this.logKeys(body.origin)) {
      const cp = verifyCheckpoint(request.checkpoint, logKey, { origin: body.origin });
      if (cp.ok) return { origin: cp.origin, size: cp.size, root: bytesToHex(cp.rootHash), note: request.checkpoint, logKey };
    }
    return null;
  }

  private async check(target: { origin: string; size: number; root: string; note: string; logKey: string }, requestBody: string, now: number): Promise<void> {
    const url = this.byOrigin.get(target.origin)!;
    const known = this.knownEntries(target.origin);
    let checked;
    try {
      checked = await downloadAndCheckLog(jsonApi(url), { checkpoint: target.note, logKey: target.logKey, known });
    } catch (e) {
      this.lastError.set(target.origin, `cannot download the log from ${url}: ${(e as Error).message}`);
      return;
    }
    this.lastError.delete(target.origin);
    if (checked.ok) {
      this.db.transaction(() => {
        const put = this.db.prepare('INSERT INTO monitor_entries (origin, idx, leaf_hash, entry) VALUES (?, ?, ?, ?) ON CONFLICT (origin, idx) DO UPDATE SET leaf_hash = excluded.leaf_hash, entry = excluded.entry');
        for (const e of checked.entries) {
          const before = known[e.index];
          if (before === undefined || (before.entry === null && e.entry !== null)) put.run(target.origin, e.index, e.leafHash, e.entry === null ? null : JSON.stringify(e.entry));
        }
        this.db.prepare('INSERT OR IGNORE INTO monitor_passed (origin, size, root) VALUES (?, ?, ?)').run(target.origin, target.size, target.root);
      })();
      return;
    }
    const a = checked.anomaly;
    const entry = checked.entries[a.index]?.entry;
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR IGNORE INTO monitor_alarms (origin, at, size, code, idx, reason, checkpoint, entry) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(target.origin, now, target.size, a.code, a.index, a.reason, target.note, entry === undefined || entry === null ? null : JSON.stringify(entry));
      this.db.prepare('INSERT INTO evidence (origin, at, code, request) VALUES (?, ?, ?, ?)').run(target.origin, now, a.code, requestBody);
    })();
  }

  private knownEntries(origin: string): ServedEntry[] {
    const rows = this.db.prepare('SELECT idx, leaf_hash, entry FROM monitor_entries WHERE origin = ? ORDER BY idx').all(origin) as { idx: number; leaf_hash: string; entry: string | null }[];
    const entries: ServedEntry[] = [];
    for (const r of rows) {
      if (r.idx !== entries.length) break;
      entries.push({ index: r.idx, leafHash: r.leaf_hash, entry: r.entry === null ? null : JSON.parse(r.entry) });
    }
    return entries;
  }

  private passed(origin: string, size: number, root: string): boolean {
    return this.db.prepare('SELECT 1 FROM monitor_passed WHERE origin = ? AND size = ? AND root = ?').get(origin, size, root) !== undefined;
  }

  private alarm(origin: string): { code: string; index: number; reason: string; size: number } | null {
    const row = this.db.prepare('SELECT code, idx, reason, size FROM monitor_alarms WHERE origin = ?').get(origin) as { code: string; idx: number; reason: string; size: number } | undefined;
    return row ? { code: row.code, index: row.idx, reason: row.reason, size: row.size } : null;
  }
}

/** The instance's public API over HTTP; any answer but 200 with JSON is an error (thrown). */
function jsonApi(server: string): LogApi {
  return {
    async get(path) {
      const res = await fetch(`${server}${path}`, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`${path} answered ${res.status}`);
      return res.json();
    },
  };
}
