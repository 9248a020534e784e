/**
 * The crash harness (issue #14): `npm run chaos -- --kills K`.
 *
 * A real server process (`undersigned serve`, publication window of 1 s) on a data directory of
 * its own; clients keep submitting real records through its API: signature records with real
 * Semaphore proofs (pre-made and cached: chaos-records.ts) and enrollments. At a random moment the
 * server is killed with SIGKILL (sometimes while it is still starting), then started again on the
 * same data. After each restart the harness checks (chaos-checks.ts) that every receipt it was
 * given is in the log at its index with its leaf hash, that the log and every checkpoint verify
 * (from the API and from the database file), and that the server started cleanly (ready, no
 * internal error). It prints one JSON line:
 *
 *   {"kills":K,"acknowledged":A,"lost":0,"restartFailures":0}
 *
 * and exits 0, or non-zero when anything was lost, a restart failed or a check found a problem
 * (each problem on stderr). Options: --kills K (5), --signers N (24), --seqs S (4), --concurrency C
 * (4), --min-alive-ms / --max-alive-ms (0 / 2500: how long a server lives before its kill, after
 * it is ready; the publication window is 1 s), --seed X (random: the
 * kill moments and choices, printed), --cache DIR (.tmp/chaos), --keep (keep the data directory).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { entryLeafHash } from '../../src/core/log/entry.ts';
import { bytesToHex } from '../../src/core/encoding.ts';
import type { Receipt } from '../../src/core/member/receipt.ts';
import { releaseSnarkjs } from '../../src/node/artifacts.ts';
import { DB_FILE } from '../../src/server/open.ts';
import { type ServerProcess, root, startServer } from '../support/processes.ts';
import { type Acknowledged, StoredLogCheck, checkpointProblems, receiptProblem } from './chaos-checks.ts';
import { type ChaosRecords, chaosRecords } from './chaos-records.ts';

const { values: o } = parseArgs({
  options: {
    kills: { type: 'string', default: '5' },
    signers: { type: 'string', default: '24' },
    seqs: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '4' },
    'min-alive-ms': { type: 'string', default: '0' },
    'max-alive-ms': { type: 'string', default: '2500' },
    seed: { type: 'string' },
    cache: { type: 'string', default: join(root, '.tmp', 'chaos') },
    keep: { type: 'boolean', default: false },
  },
});
const num = (name: keyof typeof o) => {
  const n = Number(o[name]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
};
const kills = num('kills');
const concurrency = Math.max(1, num('concurrency'));
const minAliveMs = num('min-alive-ms');
const maxAliveMs = Math.max(minAliveMs, num('max-alive-ms'));
const seed = o.seed === undefined ? randomBytes(4).readUInt32LE() : num('seed');
const say = (line: string) => process.stderr.write(`chaos: ${line}\n`);

/** mulberry32: the kill moments and the choices of what to send, from --seed. */
let state = seed >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const problems: string[] = [];
const acknowledged: Acknowledged[] = [];

/** What the clients send: each signer's records in seq order, and enrollment codes. */
class Workload {
  private readonly nextSeq: number[];
  private readonly busy = new Set<number>();
  private readonly codes: string[] = [];
  private extra = 0;
  private toppingUp = false;
  adminToken = '';
  verifierKey = '';

  constructor(private readonly r: ChaosRecords) {
    this.nextSeq = r.records.map(() => 0);
  }

  addCodes(codes: string[]): void {
    this.codes.push(...codes);
  }

  /** One client: sends until the server is gone (a request that fails to connect or is cut). */
  async client(url: string): Promise<void> {
    for (;;) {
      const signer = this.freeSigner();
      const outcome = signer !== null && random() < 0.6 ? await this.sign(url, signer) : await this.enrollOrTopUp(url);
      if (outcome === 'gone') return;
    }
  }

  private freeSigner(): number | null {
    const free = this.nextSeq.flatMap((s, i) => (s < this.r.plan.seqs && !this.busy.has(i) ? [i] : []));
    return free.length ? free[Math.floor(random() * free.length)] : null;
  }

  private async sign(url: string, i: number): Promise<'ok' | 'gone'> {
    this.busy.add(i);
    const record = this.r.records[i][this.nextSeq[i]];
    // Whatever happens, this record is not sent again: an unacknowledged one may be in the log.
    this.nextSeq[i]++;
    try {
      const res = await post(url, `api/letters/${this.r.letterId}/records`, { record });
      if (res === 'gone') return 'gone';
      // The rate limiter turned it away: nothing was stored, no receipt promised (its seq is skipped,
      // which the counting rule allows). Back off as a client does.
      if (res.status === 429) return sleep(500 + random() * 1000).then(() => 'ok');
      const leaf = bytesToHex(entryLeafHash({ kind: 'signature', letterId: this.r.letterId, record }));
      this.settle(`signer ${i + 1} seq ${record.action.seq}`, res, (body) => ({ receipt: (body as { receipt: Receipt }).receipt, leaf }));
      return 'ok';
    } finally {
      this.busy.delete(i);
    }
  }

  private async enrollOrTopUp(url: string): Promise<'ok' | 'gone'> {
    if (this.codes.length < 2 * concurrency && !this.toppingUp) return this.topUp(url);
    const code = this.codes.shift();
    if (!code) return sleep(20).then(() => 'ok');
    // A commitment is a field element; a random one stands for a member's new identity.
    const commitment = (BigInt(`0x${randomBytes(31).toString('hex')}`) + 1n).toString();
    const res = await post(url, 'api/enroll', { code, commitment });
    if (res === 'gone') return 'gone';
    if (res.status === 429) {
      this.codes.push(code); // not spent: refused before anything was stored
      return sleep(500 + random() * 1000).then(() => 'ok');
    }
    this.settle('an enrollment', res, (body) => {
      const b = body as { member: { id: number }; leaf: number; receipt: Receipt };
      return { receipt: b.receipt, leaf: bytesToHex(entryLeafHash({ kind: 'member-enrolled', member: b.member.id, leaf: b.leaf, commitment })) };
    });
    return 'ok';
  }

  /** The organizer adds members (an import), for their enrollment codes. */
  private async topUp(url: string): Promise<'ok' | 'gone'> {
    this.toppingUp = true;
    try {
      const names = Array.from({ length: 40 }, () => `Chaos Extra ${++this.extra}`);
      const res = await post(url, 'api/admin/members/import', { csv: ['name', ...names].join('\n') }, this.adminToken);
      if (res === 'gone') return 'gone';
      if (res.status === 429) return sleep(500 + random() * 1000).then(() => 'ok');
      if (res.status !== 201) problems.push(`an import: ${res.status} ${JSON.stringify(res.body)}`);
      else this.addCodes((res.body as { members: { code: string }[] }).members.map((m) => m.code));
      return 'ok';
    } finally {
      this.toppingUp = false;
    }
  }

  private settle(what: string, res: { status: number; body: unknown }, read: (body: unknown) => { receipt: Receipt; leaf: string }): void {
    if (res.status !== 201) {
      problems.push(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
      return;
    }
    const { receipt, leaf } = read(res.body);
    const wrong = receiptProblem(receipt, leaf, this.verifierKey);
    if (wrong) problems.push(`${what}: ${wrong}`);
    acknowledged.push({ what, receipt });
  }
}

/** POST JSON; 'gone' when the server did not answer in full (it was killed). */
async function post(url: string, path: string, body: unknown, token?: string): Promise<{ status: number; body: unknown } | 'gone'> {
  try {
    const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  } catch {
    return 'gone';
  }
}

async function must(res: { status: number; body: unknown } | 'gone', what: string): Promise<unknown> {
  if (res === 'gone' || res.status >= 300) throw new Error(`${what}: ${res === 'gone' ? 'no answer' : `${res.status} ${JSON.stringify(res.body)}`}`);
  return res.body;
}

/** A fresh instance with the signers enrolled and the letter open, as the records expect. */
async function setUp(server: ServerProcess, r: ChaosRecords, w: Workload): Promise<void> {
  // The setup link is printed a few lines after the line that says the server is running.
  let token: string | undefined;
  for (let waited = 0; !token && waited < 10_000; waited += 50) {
    token = /setup#([A-Za-z0-9_-]+)/.exec(server.output().stdout)?.[1];
    if (!token) await sleep(50);
  }
  if (!token) throw new Error('the first start printed no setup link');
  w.adminToken = ((await must(await post(server.url, 'api/setup', { token }), 'setup')) as { adminToken: string }).adminToken;
  w.verifierKey = ((await (await fetch(`${server.url}api/instance`)).json()) as { verifierKey: string }).verifierKey;
  const added = (await must(await post(server.url, 'api/admin/members/import', { csv: ['name', ...r.names].join('\n') }, w.adminToken), 'import')) as { members: { code: string }[] };
  for (const [i, m] of added.members.entries()) await must(await post(server.url, 'api/enroll', { code: m.code, commitment: r.commitments[i] }), `enroll signer ${i + 1}`);
  await must(await post(server.url, 'api/letters', { letter: r.letter, proposal: r.proposal }), 'propose the letter (if the roster differs, delete the cache)');
}

/** Start the server; a failed start is counted, and tried again (three times at most in a row). */
async function restart(dataDir: string, counts: { restartFailures: number }): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServer(dataDir, ['--publish-window', '1']);
    } catch (error) {
      counts.restartFailures++;
      problems.push(`restart failed: ${(error as Error).message.slice(0, 2000)}`);
      if (attempt === 3) throw error;
    }
  }
}

async function kill(server: ServerProcess): Promise<void> {
  server.child.kill('SIGKILL');
  await server.exited;
}

async function main(): Promise<number> {
  say(`seed ${seed}`);
  const records = await chaosRecords({ signers: num('signers'), seqs: num('seqs') }, o.cache!, say);
  await releaseSnarkjs();
  const dataDir = mkdtempSync(join(tmpdir(), 'undersigned-chaos-'));
  const counts = { kills: 0, restartFailures: 0 };
  const w = new Workload(records);
  let server = await startServer(dataDir, ['--publish-window', '1']);
  // Stopped from outside: the server goes too, and the data directory.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      server.child.kill('SIGKILL');
      if (!o.keep) rmSync(dataDir, { recursive: true, force: true });
      process.exit(130);
    });
  }
  try {
    await setUp(server, records, w);
    const check = new StoredLogCheck(join(dataDir, DB_FILE), w.verifierKey);
    let latest: { size: number; root: Uint8Array } | null = null;
    while (counts.kills < kills) {
      // Sometimes the kill comes while the server is still starting (loading, migrating, syncing):
      // started with a short deadline, it is killed then (startServer waits for it to be gone).
      if (counts.kills > 0 && random() < 0.15) {
        const early = await startServer(dataDir, ['--publish-window', '1'], 200 + random() * 1500).catch(() => null);
        if (early) await kill(early);
        counts.kills++;
        server = await restart(dataDir, counts);
      }
      const clients = Array.from({ length: concurrency }, () => w.client(server.url));
      await sleep(minAliveMs + random() * (maxAliveMs - minAliveMs));
      await kill(server);
      counts.kills++;
      await Promise.all(clients);
      server = await restart(dataDir, counts);
      const found = [...check.problems()];
      const cps = await checkpointProblems(server.url, w.verifierKey, latest);
      found.push(...cps.problems);
      latest = cps.latest ?? latest;
      if (latest && check.rootAt(latest.size) !== bytesToHex(latest.root)) found.push(`the API's latest checkpoint (${latest.size} entries) is not the root of the stored entries`);
      const lost = acknowledged.filter((a) => check.leafAt(a.receipt.index) !== a.receipt.leafHash);
      for (const a of lost) found.push(`lost: ${a.what}, acknowledged at index ${a.receipt.index}`);
      if (/internal error/.test(server.output().stderr)) found.push(`the server logged an internal error: ${server.output().stderr.slice(0, 2000)}`);
      problems.push(...found);
      say(`kill ${counts.kills}/${kills}: ${acknowledged.length} acknowledged, log ${latest?.size ?? '?'} entries${found.length ? `, ${found.length} problems` : ''}`);
    }
    // The last server stops cleanly on SIGTERM.
    server.child.kill('SIGTERM');
    const end = await server.exited;
    if (end.code !== 0) problems.push(`the last server did not stop cleanly on SIGTERM: ${end.code ?? end.signal}`);
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) await kill(server);
    if (o.keep) say(`data kept in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
  const lost = problems.filter((p) => p.startsWith('lost: ')).length;
  for (const p of problems) say(`PROBLEM ${p}`);
  process.stdout.write(`${JSON.stringify({ kills: counts.kills, acknowledged: acknowledged.length, lost, restartFailures: counts.restartFailures })}\n`);
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    say(`FAILED ${(error as Error).stack ?? String(error)}`);
    process.exit(2);
  },
);
