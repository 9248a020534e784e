/**
 * Backup and restore (docs/deploy.md §Backups): `undersigned backup` copies the database of a
 * running server (a real `undersigned serve` process) while another connection keeps appending to
 * its log; `undersigned restore` puts the copy into a fresh data directory; a server started on it
 * serves a letter bundle that `undersigned verify` accepts under the original log key, and a
 * checkpoint a member held before the backup is consistent with the restored log (RFC 9162
 * consistency proof). Files that are not a good backup are refused with a stable code, exit 1, no
 * stack trace, and the target directory is left as it was.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, hexToBytes } from '../src/core/encoding.ts';
import { verifyCheckpoint } from '../src/core/log/checkpoint.ts';
import { verifyConsistency } from '../src/core/log/merkle.ts';
import { openInstance } from '../src/server/open.ts';
import { type ServerProcess, STACK_LINE, runCli, startServer as startServerProcess } from './support/processes.ts';

const PASSPHRASE = 'correct horse battery staple';
const env = { UNDERSIGNED_PASSPHRASE: PASSPHRASE };
const servers: ServerProcess[] = [];
let dir: string;

async function ok(args: string[]): Promise<string> {
  const r = await runCli(args, env);
  if (r.code !== 0) throw new Error(`undersigned ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** `undersigned serve` on `data` (a real process, publishing at once); resolves with its URL, without the final slash. */
async function startServer(data: string): Promise<string> {
  const server = await startServerProcess(data, ['--publish-window', '0']);
  servers.push(server);
  return server.url.replace(/\/$/, '');
}

async function text(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.text();
}

const sizeOf = (note: string) => Number(note.split('\n')[1]);
const rootOf = (note: string) => fromBase64(note.split('\n')[2])!;

// Filled in by beforeAll.
let logKey: string;
let letterId: string;
let heldCheckpoint: string;
let backupOutput: string;
let sizeBeforeBackup: number;
let writesDuringBackup: number;
let finalSize: number;
const backupFile = () => join(dir, 'backup.sqlite');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-backup-'));
  const data = join(dir, 'data');
  const url = await startServer(data);

  const alice = JSON.parse(await ok(['roster', 'add', 'Alice Tremblay', '--data', data, '--json']));
  await ok(['roster', 'add', 'Bob Roy', '--data', data]);
  const identity = join(dir, 'alice.identity.json');
  await ok(['member', 'enroll', '--server', url, '--code', alice.code, '--identity', identity]);
  const created = await ok([
    'letter', 'create', '--server', url, '--identity', identity,
    '--title', 'Request for a leadership review', '--text', 'We ask the chair to convene a review.',
    '--recipient', 'The caucus chair', '--deadline', '2099-01-01T00:00:00Z',
  ]);
  letterId = created.trim().split('\n').at(-1)!;
  await ok(['member', 'sign', '--server', url, '--identity', identity, '--letter', letterId, '--receipt', join(dir, 'receipt.json')]);
  await ok(['letter', 'close', letterId, '--data', data]);
  // What a member keeps: the checkpoint they saw.
  heldCheckpoint = await text(`${url}/api/log/checkpoint`);
  logKey = JSON.parse(await text(`${url}/api/instance`)).verifierKey;

  // Another connection appends to the log the whole time the backup runs.
  const writer = await openInstance({ dataDir: data });
  await writer.admin.load();
  let backupDone = false;
  let n = 0;
  writesDuringBackup = 0;
  const writing = (async () => {
    while (!backupDone) {
      await writer.enrollment.addMembers([{ name: `Member ${++n}` }]);
      writesDuringBackup++;
      // better-sqlite3 is synchronous: yield to the event loop, or the backup's exit is never seen.
      await new Promise((r) => setTimeout(r, 5));
    }
    // And a few after it, so that the backup is a snapshot of a log that went on.
    for (let i = 0; i < 3; i++) await writer.enrollment.addMembers([{ name: `Later ${i}` }]);
  })();
  await new Promise((r) => setTimeout(r, 100));
  sizeBeforeBackup = sizeOf(await text(`${url}/api/log/checkpoint`));
  writesDuringBackup = 0;
  backupOutput = await ok(['backup', '--data', data, '--out', backupFile()]).finally(() => (backupDone = true));
  await writing;
  finalSize = sizeOf(await text(`${url}/api/log/checkpoint`));
  await writer.db.destroy();
}, 240_000);

afterAll(() => {
  for (const s of servers) s.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('a backup taken while the log is being written, restored into a fresh data directory', () => {
  it('is one consistent state of a log that went on being written', () => {
    expect(writesDuringBackup).toBeGreaterThan(0);
    const size = Number(/log of (\d+) entries/.exec(backupOutput)![1]);
    expect(size).toBeGreaterThanOrEqual(sizeBeforeBackup);
    expect(size).toBeLessThan(finalSize);
    expect(backupOutput).toContain(`log key: ${logKey}`);
  });

  it('restores, serves every letter bundle so that it verifies, and extends what members held', async () => {
    const restored = join(dir, 'restored');
    const r = await runCli(['restore', backupFile(), '--data', restored]);
    expect(r.code, r.stderr).toBe(0);
    const url = await startServer(restored);

    // Every letter's bundle verifies offline under the original log key.
    const letters = JSON.parse(await text(`${url}/api/letters`)).letters as { letterId: string }[];
    expect(letters.map((l) => l.letterId)).toEqual([letterId]);
    for (const { letterId: id } of letters) {
      const file = join(dir, `bundle-${id}.json`);
      writeFileSync(file, await text(`${url}/api/letters/${id}/bundle`));
      const verified = await runCli(['verify', file, '--key', logKey]);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    }

    // The restored log is signed by the same key and extends the checkpoint a member held.
    const now = await text(`${url}/api/log/checkpoint`);
    const checked = verifyCheckpoint(now, logKey);
    expect(checked.ok).toBe(true);
    const held = verifyCheckpoint(heldCheckpoint, logKey);
    expect(held.ok).toBe(true);
    const { proof } = JSON.parse(await text(`${url}/api/log/consistency?from=${sizeOf(heldCheckpoint)}&to=${sizeOf(now)}`));
    const consistent = verifyConsistency({ size1: sizeOf(heldCheckpoint), size2: sizeOf(now), root1: rootOf(heldCheckpoint), root2: rootOf(now), proof: proof.map(hexToBytes) });
    expect(consistent).toEqual({ ok: true });
    expect(sizeOf(now)).toBeGreaterThan(sizeOf(heldCheckpoint));
  }, 120_000);
});

describe('restore refuses what is not a good backup, and changes nothing', () => {
  const refuse = async (file: string, code: string, exit = 1) => {
    const target = join(dir, `target-${code}-${Math.random().toString(36).slice(2)}`);
    const r = await runCli(['restore', file, '--data', target]);
    expect(r.code).toBe(exit);
    expect(r.stderr).toContain(`[${code}]`);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(target)).toBe(false);
  };

  it('a file of garbage: backup_not_sqlite', async () => {
    const file = join(dir, 'garbage.sqlite');
    writeFileSync(file, 'this is not a database\n'.repeat(200));
    await refuse(file, 'backup_not_sqlite');
  });

  it('a truncated backup: backup_corrupt', async () => {
    const file = join(dir, 'truncated.sqlite');
    writeFileSync(file, readFileSync(backupFile()).subarray(0, 8192));
    await refuse(file, 'backup_corrupt');
  });

  it('an SQLite database that is not an undersigned one: backup_not_undersigned', async () => {
    const file = join(dir, 'other.sqlite');
    const other = new Database(file);
    other.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)');
    other.close();
    await refuse(file, 'backup_not_undersigned');
  });

  it('a backup whose log entry was altered: backup_log_invalid', async () => {
    const file = join(dir, 'altered-entry.sqlite');
    copyFileSync(backupFile(), file);
    const db = new Database(file);
    db.prepare("UPDATE log_entries SET body = replace(body, 'Bob Roy', 'Bob Rot') WHERE kind = 'member-added'").run();
    db.close();
    await refuse(file, 'backup_log_invalid');
  });

  it('a backup whose entries and leaf hashes were rewritten together: the signed checkpoints catch it', async () => {
    const file = join(dir, 'rewritten.sqlite');
    copyFileSync(backupFile(), file);
    const db = new Database(file);
    const { leafHash } = await import('../src/core/log/merkle.ts');
    const { bytesToHex, utf8ToBytes } = await import('../src/core/encoding.ts');
    const row = db.prepare("SELECT idx, body FROM log_entries WHERE kind = 'member-added' ORDER BY idx LIMIT 1").get() as { idx: number; body: string };
    const body = row.body.replace('Alice', 'Alicia');
    db.prepare('UPDATE log_entries SET body = ?, leaf_hash = ? WHERE idx = ?').run(body, bytesToHex(leafHash(utf8ToBytes(body))), row.idx);
    db.close();
    await refuse(file, 'backup_log_invalid');
  });

  it('a backup whose latest checkpoint lost its signature: backup_log_invalid', async () => {
    const file = join(dir, 'unsigned-checkpoint.sqlite');
    copyFileSync(backupFile(), file);
    const db = new Database(file);
    const { size, note } = db.prepare('SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1').get() as { size: number; note: string };
    // The same body, signed by nobody: the signature line now names another key.
    db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(note.replace('\u2014 ', '\u2014 someone.else/log '), size);
    db.close();
    await refuse(file, 'backup_log_invalid');
  });

  it('a backup whose signing key was replaced: backup_log_invalid', async () => {
    const file = join(dir, 'other-key.sqlite');
    copyFileSync(backupFile(), file);
    const db = new Database(file);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'signing_key'").run('11'.repeat(32));
    db.close();
    await refuse(file, 'backup_log_invalid');
  });

  it('a missing file: file_unreadable, exit 2', async () => {
    await refuse(join(dir, 'no-such-file.sqlite'), 'file_unreadable', 2);
  });

  it('a data directory that is not empty: data_dir_not_empty, and its files stay as they were', async () => {
    const target = join(dir, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'notes.txt'), 'mine');
    const r = await runCli(['restore', backupFile(), '--data', target]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[data_dir_not_empty]');
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(readdirSync(target)).toEqual(['notes.txt']);
  });

  it('backup never overwrites a file: backup_exists', async () => {
    const before = readFileSync(backupFile());
    const r = await runCli(['backup', '--data', join(dir, 'data'), '--out', backupFile()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[backup_exists]');
    expect(readFileSync(backupFile()).equals(before)).toBe(true);
  });
});
