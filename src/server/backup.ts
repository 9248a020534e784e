/**
 * Backup and restore of an instance's database (docs/deploy.md §Backups).
 *
 * `backupDatabase` copies the live database with SQLite's online backup API
 * (https://sqlite.org/backup.html, better-sqlite3's `db.backup()`) over its own read-only
 * connection, while the server keeps running: WAL mode lets the server write during the copy, and
 * the copy is taken in one step, i.e. inside one read transaction, so it is one consistent state of
 * the database (the backup API restarts a copy that a write interrupted; one step is never
 * interrupted). The copy is then switched out of WAL mode, so that the backup is one
 * self-contained file, checked like a restore would check it, and renamed into place.
 *
 * `inspectBackup` decides whether a file is an undersigned database whose log holds together,
 * reading it only: SQLite's own integrity check, the tables and migrations this version knows, the
 * log signing key, every log entry's leaf hash recomputed from its body, and every stored
 * checkpoint verified under that key and against the Merkle tree rebuilt from the entries.
 *
 * `restoreDatabase` checks a private copy of the file, and only then copies it into the data
 * directory, which must be empty: on any refusal nothing in the data directory changes.
 *
 * A backup holds the log's signing key and the organizer's token hashes: keep it as secret as the
 * data directory (the backup file is written mode 0600; docs/threat-model.md §Backups).
 */
import { closeSync, copyFileSync, chmodSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import Database from 'better-sqlite3';
import { bytesToHex, hexToBytes, utf8ToBytes } from '../core/encoding.ts';
import { verifierKey as makeVerifierKey, verifyCheckpoint } from '../core/log/checkpoint.ts';
import { MerkleTree, leafHash } from '../core/log/merkle.ts';
import { type Check, fail, pass } from '../core/result.ts';
import { MIGRATION_NAMES } from './db.ts';
import { DB_FILE } from './open.ts';

/** What a valid backup holds, as `undersigned backup` and `restore` report it. */
export interface BackupSummary {
  origin: string;
  verifierKey: string;
  /** Log entries, all covered by the latest checkpoint. */
  logSize: number;
  checkpoints: number;
  /** The latest checkpoint (a signed note). */
  checkpoint: string;
}

/** Tables every undersigned database has had since its first migration. */
const REQUIRED_TABLES = ['meta', 'log_entries', 'checkpoints', 'kysely_migration'];

/** Copy the database of `dataDir` into the new file `outFile`, online. */
export async function backupDatabase(dataDir: string, outFile: string): Promise<Check<BackupSummary>> {
  const source = join(resolve(dataDir), DB_FILE);
  if (!existsSync(source)) return fail('no_instance', `no instance database in ${dataDir} (expected ${source})`);
  const out = resolve(outFile);
  if (existsSync(out)) return fail('backup_exists', `${outFile} already exists: choose a new file name (a backup never overwrites a file)`);
  if (!existsSync(dirname(out))) return fail('backup_dir_missing', `the directory ${dirname(out)} does not exist`);
  const partial = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  try {
    const reader = new Database(source, { readonly: true, fileMustExist: true });
    try {
      reader.pragma('busy_timeout = 5000');
      // The first step sizes the copy; returning the largest page count makes the next step copy
      // everything at once, in one read transaction: one consistent snapshot.
      await reader.backup(partial, { progress: () => 0x7fffffff });
    } finally {
      reader.close();
    }
    const copy = new Database(partial, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    chmodSync(partial, 0o600);
    syncFile(partial);
    const checked = inspectBackup(partial);
    if (!checked.ok) {
      rmSync(partial, { force: true });
      return fail(checked.code, `the copy does not check out, so no backup was written: ${checked.reason}`);
    }
    renameSync(partial, out);
    syncFile(dirname(out));
    return checked;
  } catch (e) {
    rmSync(partial, { force: true });
    return fail('backup_failed', `the backup failed: ${(e as Error).message}`);
  }
}

/** Restore the backup `file` into the empty (or absent) data directory `dataDir`. */
export function restoreDatabase(file: string, dataDir: string): Check<BackupSummary> {
  const target = resolve(dataDir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) return fail('data_dir_not_empty', `${dataDir} exists and is not a directory`);
    if (readdirSync(target).length > 0) return fail('data_dir_not_empty', `${dataDir} is not empty: restore only into an empty or new data directory (nothing was changed)`);
  }
  // Check a private copy, so that what is restored is exactly what was checked.
  const scratch = mkdtempSync(join(tmpdir(), 'undersigned-restore-'));
  try {
    const copy = join(scratch, DB_FILE);
    copyFileSync(file, copy);
    const checked = inspectBackup(copy);
    if (!checked.ok) return checked;
    mkdirSync(target, { recursive: true, mode: 0o700 });
    const partial = join(target, `.${DB_FILE}.restoring`);
    copyFileSync(copy, partial);
    chmodSync(partial, 0o600);
    syncFile(partial);
    renameSync(partial, join(target, DB_FILE));
    syncFile(target);
    return checked;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Read `file` (never write it) and say whether it is an undersigned database whose log verifies. */
export function inspectBackup(file: string): Check<BackupSummary> {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    return sqliteFailure(e);
  }
  try {
    const integrity = db.pragma('quick_check', { simple: true });
    if (integrity !== 'ok') return fail('backup_corrupt', `the file is a damaged SQLite database (${String(integrity).slice(0, 200)})`);
    return inspectSchema(db) ?? inspectLog(db);
  } catch (e) {
    return sqliteFailure(e);
  } finally {
    db.close();
  }
}

function sqliteFailure(e: unknown): Check<never> {
  const code = (e as { code?: string }).code;
  if (code === 'SQLITE_NOTADB') return fail('backup_not_sqlite', 'the file is not an SQLite database (nor an undersigned backup)');
  if (code === 'SQLITE_CORRUPT') return fail('backup_corrupt', 'the file is a damaged SQLite database (truncated or altered)');
  return fail('backup_unreadable', `the file cannot be read as a database: ${(e as Error).message}`);
}

/** The tables and migrations of an undersigned database this version can run; null when they are. */
function inspectSchema(db: Database.Database): Check<never> | null {
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
  const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
  if (missing.length) return fail('backup_not_undersigned', `the file is an SQLite database but not an undersigned one (no ${missing.join(', ')} table)`);
  const applied = (db.prepare('SELECT name FROM kysely_migration').all() as { name: string }[]).map((r) => r.name);
  const unknown = applied.filter((name) => !MIGRATION_NAMES.includes(name));
  if (unknown.length) return fail('backup_newer_version', `the database was written by a newer version of undersigned (migration ${unknown[0]}): upgrade before restoring`);
  return null;
}

/** The log key, every entry's leaf hash, every checkpoint's signature and root. */
function inspectLog(db: Database.Database): Check<BackupSummary> {
  const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
  const origin = meta.get('origin');
  const secret = meta.get('signing_key');
  if (!origin || !secret || !/^[0-9a-f]{64}$/.test(secret)) return fail('backup_not_undersigned', 'the database holds no instance (no log origin or signing key)');
  const verifierKey = makeVerifierKey(origin, ed25519.getPublicKey(hexToBytes(secret)));

  const tree = new MerkleTree();
  const checkpoints = db.prepare('SELECT size, root, note FROM checkpoints ORDER BY size').all() as { size: number; root: string; note: string }[];
  let next = 0;
  let latest = '';
  for (const entry of db.prepare('SELECT idx, leaf_hash, body FROM log_entries ORDER BY idx').iterate() as Iterable<{ idx: number; leaf_hash: string; body: string }>) {
    if (entry.idx !== tree.size) return fail('backup_log_invalid', `log entry ${tree.size} is missing`);
    const hash = leafHash(utf8ToBytes(entry.body));
    if (bytesToHex(hash) !== entry.leaf_hash) return fail('backup_log_invalid', `log entry ${entry.idx}: its leaf hash is not the hash of its body`);
    if (entry.idx === 0 && !firstEntryNames(entry.body, verifierKey)) return fail('backup_log_invalid', "the log's first entry does not name the stored signing key");
    tree.append(hash);
    for (; next < checkpoints.length && checkpoints[next].size === tree.size; next++) {
      const bad = checkpointProblem(checkpoints[next], tree, verifierKey, origin);
      if (bad) return fail('backup_log_invalid', `checkpoint at size ${tree.size}: ${bad}`);
      latest = checkpoints[next].note;
    }
  }
  if (tree.size === 0) return fail('backup_not_undersigned', 'the database holds no instance (its log is empty)');
  if (next < checkpoints.length) return fail('backup_log_invalid', `a checkpoint of size ${checkpoints[next].size} is larger than the log (${tree.size} entries)`);
  if (checkpoints.at(-1)?.size !== tree.size) return fail('backup_log_invalid', `the log has ${tree.size} entries but its latest checkpoint is not at that size`);
  return pass({ origin, verifierKey, logSize: tree.size, checkpoints: checkpoints.length, checkpoint: latest });
}

function checkpointProblem(row: { size: number; root: string; note: string }, tree: MerkleTree, verifierKey: string, origin: string): string | null {
  const checked = verifyCheckpoint(row.note, verifierKey, { origin });
  if (!checked.ok) return `${checked.code}: ${checked.reason}`;
  const root = bytesToHex(tree.root());
  if (checked.size !== row.size || bytesToHex(checked.rootHash) !== root || row.root !== root) return 'its root is not the root of the log entries';
  return null;
}

function firstEntryNames(body: string, verifierKey: string): boolean {
  try {
    const entry = JSON.parse(body) as { kind?: unknown; verifierKey?: unknown };
    return entry.kind === 'instance-created' && entry.verifierKey === verifierKey;
  } catch {
    return false;
  }
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
