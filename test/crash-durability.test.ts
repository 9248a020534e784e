/**
 * Durability: a signature whose receipt was returned survives the server being killed (SIGKILL,
 * no chance to flush or close anything) the moment the receipt arrives. The real server runs as
 * a child process (`undersigned serve --port 0`, which prints the port it bound); the organizer
 * uses the CLI on the same data directory while it runs; the member uses the member CLI.
 *
 * What this covers: a process crash. The database commits with synchronous=FULL in WAL mode, so
 * a committed record is in the -wal file before the receipt is sent; a power loss (which this
 * test cannot simulate) is what synchronous=FULL is for.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hexToBytes } from '../src/core/encoding.ts';
import { verifyCheckpoint } from '../src/core/log/checkpoint.ts';
import { entryLeafHash, type LogEntry } from '../src/core/log/entry.ts';
import { verifyInclusion } from '../src/core/log/merkle.ts';
import type { Receipt } from '../src/core/member/receipt.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'undersigned.mjs');
const PASSPHRASE = 'correct horse battery staple';

const env: NodeJS.ProcessEnv = { ...process.env, UNDERSIGNED_PASSPHRASE: PASSPHRASE };
for (const k of ['PORT', 'HOST', 'UNDERSIGNED_SERVER', 'UNDERSIGNED_IDENTITY']) delete env[k];

const children = new Set<ChildProcess>();
let dir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

async function ok(args: string[]): Promise<string> {
  const r = await cli(args);
  if (r.code !== 0) throw new Error(`undersigned ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

interface Server {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start `undersigned serve --port 0` and learn its URL from the line it prints. */
function startServer(dataDir: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve', '--data', dataDir, '--port', '0', '--host', '127.0.0.1', '--min-group-size', '1'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
      child.on('exit', (code, signal) => {
        children.delete(child);
        res({ code, signal });
      }),
    );
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${out}\n${err}`)), 60_000);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /undersigned is running at (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(out);
      if (m && m[2] !== '0') {
        clearTimeout(timer);
        resolve({ child, url: m[1], exited });
      }
    });
    child.on('error', reject);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it was ready:\n${out}\n${err}`));
    });
  });
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

// Filled in by beforeAll.
let letterId: string;
let receipt: Receipt & { letterId: string };
let killedBeforeCliExit: boolean;
let killSignal: NodeJS.Signals | null;
let restarted: Server;
const identityFile = () => join(dir, 'alice.identity.json');
const receiptFile = () => join(dir, 'receipt.json');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-crash-'));
  const data = join(dir, 'data');
  const first = await startServer(data);

  // The organizer adds members with the CLI on the server's data directory, while it runs.
  const alice = JSON.parse(await ok(['roster', 'add', 'Alice Tremblay', '--data', data, '--json']));
  await ok(['roster', 'add', 'Bob Roy', '--data', data]);

  await ok(['member', 'enroll', '--server', first.url, '--code', alice.code, '--identity', identityFile()]);
  const created = await ok([
    'letter', 'create', '--server', first.url, '--identity', identityFile(),
    '--title', 'Request for a leadership review', '--text', 'We ask the chair to convene a review.',
    '--recipient', 'The caucus chair', '--deadline', '2099-01-01T00:00:00Z',
  ]);
  letterId = created.trim().split('\n').at(-1)!;
  expect(letterId).toMatch(/^[0-9a-f]{64}$/);

  // Sign, and kill -9 the server the moment the receipt is on disk (the CLI writes it as soon as
  // the server's answer arrives and checks out).
  const sign = cli(['member', 'sign', '--server', first.url, '--identity', identityFile(), '--letter', letterId, '--receipt', receiptFile()]);
  let cliDone = false;
  void sign.then(() => (cliDone = true));
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (existsSync(receiptFile()) || cliDone) {
        clearInterval(poll);
        killedBeforeCliExit = !cliDone;
        first.child.kill('SIGKILL');
        resolve();
      }
    }, 1);
  });
  killSignal = (await first.exited).signal;
  const signed = await sign;
  if (signed.code !== 0) throw new Error(`member sign exited ${signed.code}\n${signed.stdout}\n${signed.stderr}`);
  receipt = JSON.parse(readFileSync(receiptFile(), 'utf8'));

  restarted = await startServer(data);
}, 300_000); // seven CLI runs, two proofs and four scrypt derivations: slow on a busy 2-core machine

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a signature whose receipt was returned survives kill -9', () => {
  it('the server was killed by SIGKILL as soon as the receipt was written', () => {
    expect(killSignal).toBe('SIGKILL');
    expect(killedBeforeCliExit).toBe(true);
    expect(receipt.letterId).toBe(letterId);
  });

  it('after the restart, the log has the entry at the receipt index with the same leaf hash', async () => {
    const { entries } = await getJson<{ entries: { index: number; leafHash: string; entry: LogEntry | null }[] }>(
      `${restarted.url}api/log/entries?start=${receipt.index}&end=${receipt.index + 1}`,
    );
    expect(entries).toHaveLength(1);
    expect(entries[0].index).toBe(receipt.index);
    expect(entries[0].leafHash).toBe(receipt.leafHash);
    expect(entries[0].entry).toMatchObject({ kind: 'signature', letterId });
    expect(Buffer.from(entryLeafHash(entries[0].entry!)).toString('hex')).toBe(receipt.leafHash);
  });

  it('the letter still counts the signature', async () => {
    const status = await getJson<{ count: number | null; status: string }>(`${restarted.url}api/letters/${letterId}`);
    expect(status).toMatchObject({ count: 1, status: 'open' });
  });

  it('the receipt checks against the new checkpoint (`member receipt`), after the log grew', async () => {
    const data = join(dir, 'data');
    await ok(['roster', 'add', 'Carol Gagnon', '--data', data]);
    const out = await ok(['member', 'receipt', '--server', restarted.url, '--identity', identityFile(), '--receipt', receiptFile()]);
    const size = receipt.index + 1;
    expect(out).toMatch(new RegExp(`receipt holds: the log grew from ${size} to ${size + 1} entries`));
  });

  it('the entry is included in the tree of the new signed checkpoint', async () => {
    const info = await getJson<{ verifierKey: string }>(`${restarted.url}api/instance`);
    const note = await (await fetch(`${restarted.url}api/log/checkpoint`)).text();
    const cp = verifyCheckpoint(note, info.verifierKey);
    if (!cp.ok) throw new Error(cp.reason);
    expect(cp.size).toBeGreaterThan(receipt.index + 1);
    const { proof } = await getJson<{ proof: string[] }>(`${restarted.url}api/log/inclusion?index=${receipt.index}&size=${cp.size}`);
    const inclusion = verifyInclusion({ leafHash: hexToBytes(receipt.leafHash), index: receipt.index, size: cp.size, proof: proof.map(hexToBytes), root: cp.rootHash });
    expect(inclusion).toMatchObject({ ok: true });
  });

  it('the restarted server stops cleanly on SIGTERM', async () => {
    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toEqual({ code: 0, signal: null });
  });
});
