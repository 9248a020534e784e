/**
 * `node --import tsx bench/cheap-requests.ts [--quick]`: what three unauthenticated requests cost
 * the server (issue #14), against the old code path in the same run.
 *
 *   GET /api/letters/:id/bundle   ours: built once per checkpoint, then sent from the cache;
 *                                 baseline: the cache emptied before each request (every request
 *                                 built the bundle, as before).
 *   GET /api/letters              ours: counts kept per letter and log size (closed: for good);
 *                                 baseline: the counts emptied before each request.
 *   GET /api/roster/members/:id   ours: through the member index; baseline: the old query (every
 *                                 member-* entry read and parsed), copied here.
 *
 * The store: a real instance on SQLite with 10,000 members added and enrolled (random commitments),
 * 20 letters on that roster (10 closed) with 1,000 signature entries each (2,000 on the letter whose
 * bundle is fetched). The signature entries are synthetic (one record's shape, distinct nullifiers,
 * proofs that would not verify) and written with the log service: none of the paths measured
 * verifies a proof. Requests go through app.inject (routing, serialization), one at a time.
 * Writes bench/results/cheap-requests.{json,md}. Not a test.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Letter } from '../src/core/letter/letter.ts';
import { letterId as computeLetterId } from '../src/core/letter/letter.ts';
import type { LogEntry } from '../src/core/log/entry.ts';
import { buildApp } from '../src/server/app.ts';
import { openOrInit } from '../src/server/open.ts';
import { loadNow, machineInfo } from './machine.ts';
import { type Summary, summarize, timed } from './stats.ts';

const quick = process.argv.includes('--quick');
const MEMBERS = quick ? 2_000 : 10_000;
const LETTERS = 20;
const RECORDS = quick ? 200 : 1_000;
const ROUNDS = quick ? 10 : 30;
const here = dirname(fileURLToPath(import.meta.url));
const say = (line: string) => process.stderr.write(`${line}\n`);
const field = () => (BigInt(`0x${randomBytes(31).toString('hex')}`) + 1n).toString();

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-bench-cheap-'));
  const { instance } = await openOrInit({ dataDir: dir, name: 'Bench', origin: 'bench.invalid/cheap' });
  try {
    say(`store: ${MEMBERS} members, ${LETTERS} letters of ${RECORDS} records…`);
    const added = await instance.enrollment.addMembers(Array.from({ length: MEMBERS }, (_, i) => ({ name: `Member ${i + 1}` })));
    await instance.enrollment.enrollMany(added.map((m) => ({ code: m.code, commitment: field() })));
    const { ref } = await instance.roster.current();
    const ids: string[] = [];
    for (let l = 0; l < LETTERS; l++) ids.push(await syntheticLetter(instance, ref, l, l === 0 ? 2 * RECORDS : RECORDS, l % 2 === 0));
    const app = await buildApp({ instance, log: () => {}, proofBatching: false });
    const services = app.services as unknown as { bundles: { built: Map<string, unknown> }; letters: { tallies: Map<string, unknown> } };
    const get = async (url: string) => {
      const res = await app.inject({ method: 'GET', url });
      if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      return res.body.length;
    };
    const rounds = async (f: () => Promise<unknown>, before?: () => void): Promise<Summary> => {
      const ms: number[] = [];
      await f(); // warm-up (and, for ours, the one build the cache keeps)
      for (let i = 0; i < ROUNDS; i++) {
        before?.();
        ms.push((await timed(f)).ms);
      }
      return summarize(ms);
    };
    const rows: { request: string; baseline: Summary; ours: Summary }[] = [];
    const bundleUrl = `/api/letters/${ids[0]}/bundle`;
    say('GET bundle…');
    rows.push({ request: `GET /api/letters/:id/bundle (${2 * RECORDS} records, ${((await get(bundleUrl)) / 1e6).toFixed(1)} MB)`, baseline: await rounds(() => get(bundleUrl), () => services.bundles.built.clear()), ours: await rounds(() => get(bundleUrl)) });
    say('GET letters…');
    rows.push({ request: `GET /api/letters (${LETTERS} letters, half closed)`, baseline: await rounds(() => get('/api/letters'), () => services.letters.tallies.clear()), ours: await rounds(() => get('/api/letters')) });
    say('member history…');
    const member = Math.floor(MEMBERS / 2);
    rows.push({ request: `GET /api/roster/members/:id (${2 * MEMBERS} member-* entries)`, baseline: await rounds(() => oldMemberEntry(instance, member)), ours: await rounds(() => get(`/api/roster/members/${member}`)) });
    await app.close();

    const result = { date: new Date().toISOString(), quick, machine: machineInfo(), loadAverage: loadNow(), members: MEMBERS, letters: LETTERS, records: RECORDS, rounds: ROUNDS, rows };
    const name = quick ? 'cheap-requests-quick' : 'cheap-requests';
    writeFileSync(join(here, 'results', `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    const table = rows.map((r) => `| ${r.request} | ${r.baseline.median.toFixed(2)} | ${r.ours.median.toFixed(2)} | ${(r.baseline.median / r.ours.median).toFixed(1)}× |`);
    const md = [
      `# Cheap requests (bench/cheap-requests.ts${quick ? ' --quick' : ''})`,
      '',
      `${result.date}, load average ${result.loadAverage.toFixed(1)} on a shared machine; median of ${ROUNDS} requests each, one at a time, after one warm-up.`,
      '',
      '| request | baseline (old path), ms | ours, ms | baseline / ours |',
      '|---|---|---|---|',
      ...table,
      '',
    ].join('\n');
    writeFileSync(join(here, 'results', `${name}.md`), md);
    process.stdout.write(md);
  } finally {
    await instance.db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The old GET /api/roster/members/:id: every member-* entry read and parsed, then filtered. */
async function oldMemberEntry(instance: Awaited<ReturnType<typeof openOrInit>>['instance'], memberId: number) {
  const m = await instance.db.selectFrom('members').select(['id', 'name', 'leaf', 'commitment', 'status']).where('id', '=', memberId).executeTakeFirst();
  const rows = await instance.db.selectFrom('log_entries').select(['idx', 'body']).where('kind', 'like', 'member-%').orderBy('idx').execute();
  const events = rows.map((r) => ({ index: r.idx, entry: JSON.parse(r.body) as LogEntry })).filter((e) => 'member' in e.entry && e.entry.member === memberId);
  return JSON.stringify({ member: m, events });
}

/** A letter on the current roster with `n` synthetic signature entries, closed or not. */
async function syntheticLetter(instance: Awaited<ReturnType<typeof openOrInit>>['instance'], ref: Letter['roster'], l: number, n: number, close: boolean): Promise<string> {
  const letter: Letter = {
    format: 'undersigned-letter/1',
    title: `Letter ${l}`,
    text: 'A synthetic letter for the benchmark.',
    recipient: 'Nobody',
    roster: ref,
    deadline: '2099-01-01T00:00:00Z',
    revealThreshold: 0,
    visibility: 'live',
    nonce: randomBytes(16).toString('hex'),
  };
  const id = computeLetterId(letter);
  const proof = (nullifier: string) => ({ merkleTreeDepth: ref.depth, merkleTreeRoot: ref.root, nullifier, message: field(), scope: field(), points: Array.from({ length: 8 }, field) });
  await instance.db.transaction().execute(async (trx) => {
    const opened = await instance.log.append({ kind: 'letter-opened', letterId: id, letter, proposal: proof(field()) } as LogEntry, trx);
    await trx.insertInto('letters').values({ id, body: JSON.stringify(letter), opened_idx: opened.index, closed_idx: null, deadline: letter.deadline }).execute();
    const records = Array.from({ length: n }, () => ({ action: { format: 'undersigned-action/1', letterId: id, action: 'support', display: 'anonymous', seq: 1 }, proof: proof(field()) }));
    const appended = await instance.log.appendMany(records.map((record) => ({ kind: 'signature', letterId: id, record }) as LogEntry), trx);
    for (let i = 0; i < n; i += 500) {
      await trx.insertInto('signatures').values(records.slice(i, i + 500).map((r, j) => ({ letter_id: id, log_idx: appended.firstIndex + i + j, nullifier: r.proof.nullifier, seq: 1, action: 'support' as const, signer_member: null }))).execute();
    }
    if (close) {
      const closed = await instance.log.append({ kind: 'letter-closed', letterId: id, records: { size: n, root: '00'.repeat(32) }, result: { count: n, named: [] } }, trx);
      await trx.updateTable('letters').set({ closed_idx: closed.index }).where('id', '=', id).execute();
    }
  });
  return id;
}

await main();
