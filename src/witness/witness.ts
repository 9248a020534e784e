/**
 * A transparency-log witness (C2SP tlog-witness): it cosigns a log's checkpoint only when the
 * checkpoint is consistent with every one it cosigned before for that log, so that a log operator
 * cannot show two different histories to two people without one witness or another refusing.
 *
 * Its data directory holds its key (`witness-key.json`, mode 0600) and a SQLite file with the
 * logs it follows (origin and verifier key), the latest checkpoint it cosigned per origin, and
 * the evidence of refused checkpoints that were validly signed (a fork, an inconsistent proof):
 * kept because a validly signed checkpoint that contradicts an earlier one is proof that the log
 * misbehaved (tlog-witness §add-checkpoint, "MAY log the request").
 *
 * The check against the latest cosigned checkpoint and the update of it run in one SQLite write
 * transaction with no await in between, so two concurrent requests cannot roll the witness back
 * (the race tlog-witness describes).
 *
 * A witness given logs to monitor (src/witness/monitor.ts) also cosigns a checkpoint of such a
 * log only if the log up to it obeys the protocol's rules: `submit` downloads and checks the log
 * first, and the transaction refuses a checkpoint whose check is not recorded as passed.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import Database from 'better-sqlite3';
import { bytesToHex, hexToBytes } from '../core/encoding.ts';
import { isValidKeyName, parseCheckpointBody, parseNote, parseVerifierKey } from '../core/log/checkpoint.ts';
import { cosignatureLine, cosignerVerifierKey } from '../core/log/cosignature.ts';
import { decideAddCheckpoint, type AddCheckpointDecision } from '../core/log/witness.ts';
import { type MonitoredLog, type MonitorRefusal, WitnessMonitor } from './monitor.ts';

const KEY_FILE = 'witness-key.json';
const DB_FILE = 'witness.sqlite';
const KEY_FORMAT = 'undersigned-witness-key/1';

export class WitnessError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Make a witness key in `dir` (refused if one is there); returns its verifier key. */
export function initWitness(dir: string, name: string): { verifierKey: string } {
  if (!isValidKeyName(name)) throw new WitnessError('witness_bad_name', `a witness name is one word with no spaces and no "+", e.g. witness.example.org/w1; not ${JSON.stringify(name)}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, KEY_FILE);
  if (existsSync(file)) throw new WitnessError('witness_exists', `${file} already holds a witness key: a witness keeps its key for life`);
  const secretKey = new Uint8Array(randomBytes(32));
  writeFileSync(file, JSON.stringify({ format: KEY_FORMAT, name, secretKey: bytesToHex(secretKey) }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  const witness = new Witness(dir);
  witness.close();
  return { verifierKey: cosignerVerifierKey(name, ed25519.getPublicKey(secretKey)) };
}

export type CosignResult =
  | { ok: true; status: 200; cosignature: string; size: number }
  | Extract<AddCheckpointDecision, { ok: false }>
  | MonitorRefusal;

export interface WitnessOptions {
  /** Logs whose rules this witness checks before it cosigns their checkpoints (`serve --monitor`). */
  monitors?: readonly MonitoredLog[];
}

export class Witness {
  readonly name: string;
  readonly verifierKey: string;
  private readonly secretKey: Uint8Array;
  private readonly db: Database.Database;
  readonly monitor: WitnessMonitor;

  constructor(
    readonly dir: string,
    options: WitnessOptions = {},
  ) {
    const file = join(dir, KEY_FILE);
    if (!existsSync(file)) throw new WitnessError('witness_not_initialized', `no witness in ${dir}: run \`undersigned witness init --data ${dir} --name NAME\` first`);
    let key: { format?: unknown; name?: unknown; secretKey?: unknown };
    try {
      key = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      throw new WitnessError('witness_key_unreadable', `${file} is not a witness key file`);
    }
    if (key.format !== KEY_FORMAT || typeof key.name !== 'string' || !isValidKeyName(key.name) || typeof key.secretKey !== 'string' || !/^[0-9a-f]{64}$/.test(key.secretKey)) {
      throw new WitnessError('witness_key_unreadable', `${file} is not a witness key file`);
    }
    this.name = key.name;
    this.secretKey = hexToBytes(key.secretKey);
    this.verifierKey = cosignerVerifierKey(this.name, ed25519.getPublicKey(this.secretKey));
    this.db = new Database(join(dir, DB_FILE));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS logs (origin TEXT NOT NULL, vkey TEXT NOT NULL, PRIMARY KEY (origin, vkey));
      CREATE TABLE IF NOT EXISTS latest (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root TEXT NOT NULL, note TEXT NOT NULL, cosigned_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS evidence (id INTEGER PRIMARY KEY, origin TEXT NOT NULL, at INTEGER NOT NULL, code TEXT NOT NULL, request TEXT NOT NULL);
    `);
    this.monitor = new WitnessMonitor(this.db, options.monitors ?? [], (origin) => this.logKeys(origin) ?? []);
  }

  private logKeys(origin: string): string[] | undefined {
    const rows = this.db.prepare('SELECT vkey FROM logs WHERE origin = ?').all(origin) as { vkey: string }[];
    return rows.length === 0 ? undefined : rows.map((r) => r.vkey);
  }

  /** Follow a log: cosign checkpoints of `origin` signed by this key (origin: the key's name). */
  addLog(verifierKey: string, origin?: string): { origin: string } {
    const key = parseVerifierKey(verifierKey);
    if (!key.ok) throw new WitnessError('witness_bad_log_key', `the log key does not parse: ${key.reason}`);
    const o = origin ?? key.name;
    if (o.length === 0 || o.includes('\n')) throw new WitnessError('witness_bad_log_key', 'the origin is one non-empty line');
    this.db.prepare('INSERT OR IGNORE INTO logs (origin, vkey) VALUES (?, ?)').run(o, verifierKey);
    return { origin: o };
  }

  logs(): { origin: string; vkey: string; size: number | null; note: string | null }[] {
    return this.db
      .prepare('SELECT logs.origin AS origin, vkey, size, note FROM logs LEFT JOIN latest ON latest.origin = logs.origin ORDER BY logs.origin, vkey')
      .all() as { origin: string; vkey: string; size: number | null; note: string | null }[];
  }

  /** The latest checkpoint cosigned for an origin, with this witness's cosignature on it. */
  latest(origin: string): { size: number; note: string } | null {
    return (this.db.prepare('SELECT size, note FROM latest WHERE origin = ?').get(origin) as { size: number; note: string } | undefined) ?? null;
  }

  /** Refused checkpoints that were validly signed: evidence of a misbehaving log. */
  evidence(): { origin: string; at: number; code: string; request: string }[] {
    return this.db.prepare('SELECT origin, at, code, request FROM evidence ORDER BY id').all() as { origin: string; at: number; code: string; request: string }[];
  }

  /**
   * What the HTTP interface runs: for a monitored log, download and check it up to the request's
   * checkpoint first (no transaction is open while it downloads), then `addCheckpoint`.
   */
  async submit(requestBody: string, now: number = Math.floor(Date.now() / 1000)): Promise<CosignResult> {
    await this.monitor.prepare(requestBody, now);
    return this.addCheckpoint(requestBody, now);
  }

  /**
   * tlog-witness `add-checkpoint`: check the request and, when it passes, cosign the checkpoint
   * at `now` (POSIX seconds) and make it the latest, atomically.
   */
  addCheckpoint(requestBody: string, now: number = Math.floor(Date.now() / 1000)): CosignResult {
    const run = this.db.transaction((): CosignResult => {
      const decision = decideAddCheckpoint(requestBody, {
        logKeys: (origin) => this.logKeys(origin),
        latest: (origin) => {
          const row = this.db.prepare('SELECT size, root FROM latest WHERE origin = ?').get(origin) as { size: number; root: string } | undefined;
          return row ? { size: row.size, rootHash: hexToBytes(row.root) } : null;
        },
      });
      if (!decision.ok) {
        if (decision.code === 'witness_fork' || decision.code === 'witness_inconsistent') {
          const origin = originOf(requestBody);
          this.db.prepare('INSERT INTO evidence (origin, at, code, request) VALUES (?, ?, ?, ?)').run(origin, now, decision.code, requestBody);
        }
        return decision;
      }
      const { checkpoint, body } = decision;
      // A monitored log: its check must have passed at this very size and root (recorded by
      // `submit` before this transaction), and no alarm be raised for it.
      const refused = this.monitor.gate(checkpoint.origin, checkpoint.size, checkpoint.rootHash);
      if (refused) return refused;
      const cosignature = cosignatureLine(body, now, { name: this.name, secretKey: this.secretKey });
      const note = `${body}\n${cosignature}`;
      this.db
        .prepare('INSERT INTO latest (origin, size, root, note, cosigned_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, note = excluded.note, cosigned_at = excluded.cosigned_at')
        .run(checkpoint.origin, checkpoint.size, bytesToHex(checkpoint.rootHash), note, now);
      return { ok: true, status: 200, cosignature, size: checkpoint.size };
    });
    // IMMEDIATE: take the write lock before reading the latest size (another process may share the file).
    return run.immediate();
  }

  close(): void {
    this.db.close();
  }
}

function originOf(requestBody: string): string {
  const blank = requestBody.indexOf('\n\n');
  const note = parseNote(requestBody.slice(blank + 2));
  if (!note.ok) return '';
  const cp = parseCheckpointBody(note.body);
  return cp.ok ? cp.origin : '';
}
