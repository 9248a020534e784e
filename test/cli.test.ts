/**
 * The `undersigned` command as a person meets it: exit codes (0 success, 1 failure, 2 usage or
 * unreadable input), one-line errors naming a stable code, and never a stack trace.
 *
 * Member commands talk to a real server started in this process (`buildApp` + `listen` on port
 * 0); identity files for them are sealed here with the cheapest scrypt cost the format accepts,
 * since the CLI does not expose the cost. Only `member enroll` pays the default cost (~1 s).
 * Each run starts a Node process that loads the whole CLI (seconds on a busy machine), so the
 * independent runs of a block go concurrently.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFromPrivateKey } from '../src/core/identity/identity.ts';
import { KDF_LIMITS, sealIdentityFile } from '../src/core/identity/identity-file.ts';
import { buildApp } from '../src/server/app.ts';
import { hexToBytes } from '../src/core/encoding.ts';
import { formatCheckpoint, signNote, verifyCheckpoint } from '../src/core/log/checkpoint.ts';
import type { Receipt } from '../src/core/member/receipt.ts';
import type { Instance } from '../src/server/instance.ts';
import { openOrInit } from '../src/server/open.ts';
import { type Run, STACK_LINE, runCli } from './support/processes.ts';

const PASSPHRASE = 'correct horse battery staple';


const run = runCli;

/** Every run of the CLI, whatever its outcome, prints no stack trace. */
const runs: { args: string[]; result: Run }[] = [];
async function undersigned(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const result = await run(args, env);
  runs.push({ args, result });
  expect(result.stderr, result.stderr).not.toMatch(STACK_LINE);
  expect(result.stdout, result.stdout).not.toMatch(STACK_LINE);
  return result;
}

let dir: string;
let instance: Instance;
let app: FastifyInstance;
let server: string;
let usedCode: string;
let identityPath: string;
let memberName: string;
let receiptPath: string;
let enrollmentReceipt: Receipt;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-cli-'));
  const opened = await openOrInit({ dataDir: join(dir, 'data'), name: 'CLI caucus', origin: 'test.invalid/cli' });
  instance = opened.instance;
  app = await buildApp({ instance, log: () => {} });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  server = `http://127.0.0.1:${address.port}`;

  const [first, second] = await instance.enrollment.addMembers([{ name: 'Alice Tremblay' }, { name: 'Bob Roy' }]);
  // Bob's identity file, sealed with the cheapest accepted cost, and enrolled.
  const privateKey = new Uint8Array(randomBytes(32));
  const identity = identityFromPrivateKey(privateKey);
  const file = await sealIdentityFile({
    privateKey,
    passphrase: PASSPHRASE,
    salt: new Uint8Array(randomBytes(16)),
    nonce: new Uint8Array(randomBytes(24)),
    label: { instance: instance.log.verifierKey() },
    kdf: { N: KDF_LIMITS.minN, r: 8, p: 1 },
  });
  identityPath = join(dir, 'bob.identity.json');
  writeFileSync(identityPath, JSON.stringify(file));
  enrollmentReceipt = (await instance.enrollment.enroll(second.code, identity.commitment.toString())).receipt;
  receiptPath = join(dir, 'enrollment.receipt.json');
  writeFileSync(receiptPath, JSON.stringify(enrollmentReceipt));
  memberName = second.name;
  // Alice's code is used by someone else's enrollment.
  await instance.enrollment.enroll(first.code, identityFromPrivateKey(new Uint8Array(randomBytes(32))).commitment.toString());
  usedCode = first.code;
});

afterAll(async () => {
  await app?.close();
  await instance?.db.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the member CLI keeps the latest checkpoint it saw, next to the identity file', () => {
  it('member receipt keeps the head; a server that later shows another log of that size (under its own key) is refused with log_fork, and so is every later command until the evidence file is deleted', async () => {
    const mine = join(dir, 'head.identity.json');
    copyFileSync(identityPath, mine);
    const args = ['member', 'receipt', '--server', server, '--identity', mine, '--receipt', receiptPath];
    expect((await undersigned(args, { UNDERSIGNED_PASSPHRASE: PASSPHRASE })).code).toBe(0);
    const kept = JSON.parse(readFileSync(`${mine}.log-head.json`, 'utf8'));
    expect(kept.verifierKey).toBe(instance.log.verifierKey());
    const seen = verifyCheckpoint(kept.checkpoint, instance.log.verifierKey());
    if (!seen.ok) throw new Error(seen.reason);
    // What this identity saw, as if the operator had shown it another history of the same size
    // before (signed with the log key, which the operator holds).
    const row = await instance.db.selectFrom('meta').select('value').where('key', '=', 'signing_key').executeTakeFirstOrThrow();
    const origin = instance.log.verifierKey().split('+')[0];
    const forged = signNote(formatCheckpoint({ origin, size: seen.size, rootHash: new Uint8Array(32).fill(7) }), { name: origin, secretKey: hexToBytes(row.value) });
    writeFileSync(`${mine}.log-head.json`, JSON.stringify({ verifierKey: instance.log.verifierKey(), checkpoint: forged }));
    const r = await undersigned(args, { UNDERSIGNED_PASSPHRASE: PASSPHRASE });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[log_fork]');
    expect(JSON.parse(readFileSync(`${mine}.log-fork.json`, 'utf8'))).toMatchObject({ earlier: forged });
    const again = await undersigned(args, { UNDERSIGNED_PASSPHRASE: PASSPHRASE });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('log-fork.json');
  });
});

describe.concurrent('usage', () => {
  it('--help exits 0 and lists the commands', async () => {
    const r = await undersigned(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: undersigned/);
    for (const c of ['serve', 'roster', 'member', 'letter', 'verify']) expect(r.stdout).toContain(c);
  });

  it('a subcommand --help exits 0', async () => {
    const r = await undersigned(['member', 'sign', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--letter');
  });

  it('an unknown command exits 2', async () => {
    const r = await undersigned(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command/);
  });

  it('an unknown option exits 2', async () => {
    const r = await undersigned(['verify', 'x.json', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option/);
    expect((await undersigned(['--frobnicate'])).code).toBe(2);
  });

  it('a missing required option exits 2', async () => {
    const r = await undersigned(['bundle', 'export', 'ab'.repeat(32), '--data', join(dir, 'data')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out/);
  });

  it('a member id that is not a number exits 2', async () => {
    const r = await undersigned(['roster', 'remove', 'alice', '--data', join(dir, 'data')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/must be a whole number.*\[usage\]/);
  });
});

describe.concurrent('verify', () => {
  it('a missing file exits 2', async () => {
    const r = await undersigned(['verify', join(dir, 'no-such-bundle.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read bundle .*no-such-bundle\.json: ENOENT \[file_unreadable\]/);
  });

  it('a file that is not JSON exits 2', async () => {
    const f = join(dir, 'not-json.json');
    writeFileSync(f, 'this is { not json');
    const r = await undersigned(['verify', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not JSON.*\[bundle_not_json\]/);
  });

  it('an invalid bundle exits 1 and prints INVALID: <reason>', async () => {
    const f = join(dir, 'invalid.json');
    writeFileSync(f, JSON.stringify({ format: 'undersigned-bundle/1', letterId: 'ab'.repeat(32) }));
    const r = await undersigned(['verify', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^INVALID: \S.*\n$/);
    expect(r.stdout).toContain('bundle field');
  });

  it('--json prints exactly one JSON object, with the verdict and its code', async () => {
    const f = join(dir, 'invalid-for-json.json');
    writeFileSync(f, JSON.stringify({ format: 'undersigned-bundle/1', letterId: 'ab'.repeat(32) }));
    const r = await undersigned(['verify', f, '--json']);
    expect(r.code).toBe(1);
    const verdict = JSON.parse(r.stdout);
    expect(verdict).toMatchObject({ valid: false, code: 'bundle_malformed' });
    expect(typeof verdict.reason).toBe('string');
  });

  it('a JSON value that is not an object is an invalid bundle, not a crash', async () => {
    const f = join(dir, 'array.json');
    writeFileSync(f, '[1, 2, 3]');
    const r = await undersigned(['verify', f, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: false });
  });
});

describe.concurrent('member commands', () => {
  it('member enroll with a code already used exits 1 naming code_used', async () => {
    const r = await undersigned(['member', 'enroll', '--server', server, '--code', usedCode, '--identity', join(dir, 'new.identity.json')], {
      UNDERSIGNED_PASSPHRASE: PASSPHRASE,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*\[code_used\]\n$/);
  });

  it('member check with the right passphrase finds the member on the roster', async () => {
    const r = await undersigned(['member', 'check', '--server', server, '--identity', identityPath], { UNDERSIGNED_PASSPHRASE: PASSPHRASE });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`you are on the roster as ${memberName}`);
  });

  it('member check with a wrong passphrase exits 1 with identity_file_wrong_passphrase', async () => {
    const r = await undersigned(['member', 'check', '--server', server, '--identity', identityPath], { UNDERSIGNED_PASSPHRASE: 'not the passphrase' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*\[identity_file_wrong_passphrase\]\n$/);
  });

  it('a passphrase file works like the environment variable', async () => {
    const f = join(dir, 'passphrase.txt');
    writeFileSync(f, 'not the passphrase\n');
    const r = await undersigned(['member', 'check', '--server', server, '--identity', identityPath, '--passphrase-file', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[identity_file_wrong_passphrase]');
  });

  it('a corrupt identity file (not JSON) gives a clear error naming the file', async () => {
    const f = join(dir, 'corrupt.identity.json');
    writeFileSync(f, '{"format": "undersigned-identity/1", "kdf": {');
    const r = await undersigned(['member', 'check', '--server', server, '--identity', f], { UNDERSIGNED_PASSPHRASE: PASSPHRASE });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*corrupt\.identity\.json: .*not valid JSON \[identity_file_not_json\]\n$/);
  });

  it('an identity file with a damaged field gives a clear error naming the field', async () => {
    const f = join(dir, 'damaged.identity.json');
    writeFileSync(f, JSON.stringify({ format: 'undersigned-identity/1', kdf: { name: 'scrypt', N: 16384, r: 8, p: 1, salt: 'AAAA' } }));
    const r = await undersigned(['member', 'check', '--server', server, '--identity', f], { UNDERSIGNED_PASSPHRASE: PASSPHRASE });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*damaged\.identity\.json: .*\[identity_file_malformed\]\n$/);
  });

  it('a missing identity file exits 2', async () => {
    const r = await undersigned(['member', 'check', '--server', server, '--identity', join(dir, 'absent.json')], { UNDERSIGNED_PASSPHRASE: PASSPHRASE });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[identity_file_unreadable]');
  });

  it('no passphrase given (and no terminal to ask on) exits 2', async () => {
    const r = await undersigned(['member', 'check', '--server', server, '--identity', identityPath]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[passphrase_missing]');
  });

  it('member receipt: a kept receipt holds after the log grew', async () => {
    const r = await undersigned(['member', 'receipt', '--server', server, '--identity', identityPath, '--receipt', receiptPath], { UNDERSIGNED_PASSPHRASE: PASSPHRASE });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^receipt holds: the log grew from \d+ to \d+ entries/);
  });

  it('member receipt: a receipt whose entry was altered does not hold', async () => {
    const f = join(dir, 'altered.receipt.json');
    const leafHash = (enrollmentReceipt.leafHash.startsWith('0') ? '1' : '0') + enrollmentReceipt.leafHash.slice(1);
    writeFileSync(f, JSON.stringify({ ...enrollmentReceipt, leafHash }));
    const r = await undersigned(['member', 'receipt', '--server', server, '--identity', identityPath, '--receipt', f], { UNDERSIGNED_PASSPHRASE: PASSPHRASE });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[bad_receipt]');
  });

  it('member receipt: a receipt that is not JSON exits 2', async () => {
    const f = join(dir, 'garbled.receipt.json');
    writeFileSync(f, 'receipt? what receipt');
    const r = await undersigned(['member', 'receipt', '--server', server, '--identity', identityPath, '--receipt', f], { UNDERSIGNED_PASSPHRASE: PASSPHRASE });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[receipt_malformed]');
  });

  it('a server that does not answer exits 1 with server_unreachable', async () => {
    const r = await undersigned(['member', 'check', '--server', 'http://127.0.0.1:1', '--identity', identityPath], { UNDERSIGNED_PASSPHRASE: PASSPHRASE });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[server_unreachable]');
  });

  it('a server URL that is not http(s) exits 2', async () => {
    const r = await undersigned(['member', 'check', '--server', 'ftp://example.org', '--identity', identityPath], { UNDERSIGNED_PASSPHRASE: PASSPHRASE });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[bad_server]');
  });
});

describe.concurrent('organizer commands', () => {
  it('roster import with a bad CSV exits 1 naming the line, and writes no codes', async () => {
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'name,riding\nDan Roy,Laval\n"Eve Cote,Outremont\n');
    const codesOut = join(dir, 'codes.csv');
    const r = await undersigned(['roster', 'import', csv, '--codes-out', codesOut, '--data', join(dir, 'data')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*bad\.csv: line 3: .*\[csv_invalid\]\n$/);
    expect(existsSync(codesOut)).toBe(false);
    expect((await instance.roster.current()).snapshot.members.map((m) => m.name)).not.toContain('Dan Roy');
  });

  it('roster import with one person twice exits 1 naming both lines', async () => {
    const csv = join(dir, 'twice.csv');
    writeFileSync(csv, 'name\nDan Roy\nEve Cote\ndan roy\n');
    const r = await undersigned(['roster', 'import', csv, '--codes-out', join(dir, 'codes2.csv'), '--data', join(dir, 'data')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 4/);
    expect(r.stderr).toMatch(/line 2/);
    expect(r.stderr).toContain('[csv_duplicate_name]');
  });

  it('an organizer command on a directory with no instance exits 1 saying so', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const r = await undersigned(['roster', 'list', '--data', empty]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[not_initialized]');
  });

  it('closing a letter that does not exist exits 1 naming letter_not_found', async () => {
    const r = await undersigned(['letter', 'close', 'ab'.repeat(32), '--data', join(dir, 'data')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[letter_not_found]');
  });
});

describe('no command ever prints a stack trace', () => {
  it('none of the runs above printed a line starting with "    at "', () => {
    expect(runs.length).toBeGreaterThan(20);
    for (const { args, result } of runs) {
      expect(result.stderr, args.join(' ')).not.toMatch(STACK_LINE);
      expect(result.stdout, args.join(' ')).not.toMatch(STACK_LINE);
    }
  });
});
