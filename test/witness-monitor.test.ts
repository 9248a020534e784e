/**
 * A witness that monitors what it cosigns (`witness serve --monitor ORIGIN=URL`; issue 13 item 5;
 * src/witness/monitor.ts, docs/monitor.md): a real instance run with one real witness over HTTP,
 * which downloads the instance's log before each cosignature and checks it with the monitor's rules.
 * While the log obeys them the witness cosigns, across a hidden count's withheld signature that
 * becomes public at its letter's close; once a lying server closes a letter a second time
 * (straight into its log), the witness refuses the next checkpoint with the anomaly's code and
 * index, keeps the evidence, refuses every later checkpoint, and the instance shows the alarm.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEntry } from '../src/core/log/entry.ts';
import { signNote } from '../src/core/log/checkpoint.ts';
import { formatAddCheckpoint } from '../src/core/log/witness.ts';
import { releaseSnarkjs } from '../src/node/artifacts.ts';
import { buildApp } from '../src/server/app.ts';
import { buildWitnessApp } from '../src/witness/http.ts';
import { parseMonitorOption } from '../src/witness/monitor.ts';
import { Witness, initWitness } from '../src/witness/witness.ts';
import { type World, makeWorld, openLetter } from './support/world.ts';

const root = mkdtempSync(join(tmpdir(), 'undersigned-witness-monitor-'));
let world: World;
let app: FastifyInstance;
let server: string;
let witness: Witness;
let witnessApp: FastifyInstance;
let vkey: string;
const alarms: string[] = [];

/** A free TCP port: the instance must know the witness's URL before the witness knows the instance's. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function witnessing(): Promise<{ witnesses: { cosignedSize: number; lastError: string | null; alarm: string | null }[]; witnessed: { size: number } | null }> {
  return (await fetch(`${server}/api/log/witnesses`)).json();
}

const policy = () => ({ quorum: 1, witnesses: [vkey] });
const logSize = () => world.instance.log.size();

beforeAll(async () => {
  world = await makeWorld({ members: 4 });
  const dir = join(root, 'w');
  vkey = initWitness(dir, 'monitor.test/w').verifierKey;
  const witnessUrl = `http://127.0.0.1:${await freePort()}`;
  app = await buildApp({
    instance: world.instance,
    proofBatching: false,
    log: () => {},
    witnesses: { endpoints: [{ url: witnessUrl, verifierKey: vkey }], intervalMs: 100, waitMs: 5000, onAlarm: (_w, reason) => alarms.push(reason) },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  server = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  // The in-process equivalent of `witness serve --data DIR --log KEY --monitor ORIGIN=URL`.
  const monitor = parseMonitorOption(`${world.instance.log.origin}=${server}`);
  if (typeof monitor === 'string') throw new Error(monitor);
  witness = new Witness(dir, { monitors: [monitor] });
  witness.addLog(world.instance.log.verifierKey());
  witnessApp = await buildWitnessApp(witness);
  await witnessApp.listen({ port: Number(new URL(witnessUrl).port), host: '127.0.0.1' });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await witnessApp?.close();
  witness?.close();
  await world?.close();
  rmSync(root, { recursive: true, force: true });
  await releaseSnarkjs();
});

describe('a witness that monitors the log it cosigns', () => {
  it('cosigns while the log obeys the rules, across a withheld signature that becomes public at its close', async () => {
    const hidden = await openLetter(world, { witnesses: policy(), visibility: 'at-close' });
    await hidden.sign(1, { action: 'support', display: 'anonymous', seq: 1 });
    const served = (await (await fetch(`${server}/api/log/entries?start=0&end=${await logSize()}`)).json()) as { entries: { entry: unknown }[] };
    expect(served.entries.filter((e) => e.entry === null)).toHaveLength(1);
    expect((await world.instance.witnesses.witnessedAtLeast(await logSize())).size).toBe(await logSize());

    // The close makes the signature's body public: the witness fetches it again, and the close's
    // records match the signature entries it holds.
    await hidden.sign(2, { action: 'support', display: 'anonymous', seq: 1 });
    await world.instance.letters.close(hidden.id);
    const size = await logSize();
    expect((await world.instance.witnesses.witnessedAtLeast(size)).size).toBe(size);
    expect(witness.latest(world.instance.log.origin)?.size).toBe(size);
    const status = await witnessing();
    expect(status.witnesses[0]).toMatchObject({ cosignedSize: size, alarm: null });
    expect(witness.monitor.alarms()).toEqual([]);
    expect(witness.evidence()).toEqual([]);
  }, 120_000);

  it('a letter closed a second time (a lying server, straight into its log): the next checkpoint is refused with letter_closed_twice, the evidence kept, and the instance shows the alarm', async () => {
    const entries = (await world.instance.log.entries(0, await logSize(), async () => false)).map((e) => e.entry as LogEntry);
    const close = entries.find((e) => e.kind === 'letter-closed')!;
    const cosigned = witness.latest(world.instance.log.origin)!.size;
    const forged = await world.instance.db.transaction().execute((trx) => world.instance.log.append(close, trx));
    const index = forged.index;
    expect(index).toBe(entries.length);

    await expect(world.instance.witnesses.witnessedAtLeast(index + 1, 3000)).rejects.toMatchObject({ code: 'not_witnessed_yet' });
    const status = await witnessing();
    expect(status.witnesses[0].alarm).toMatch(new RegExp(`422: witness_log_anomaly: letter_closed_twice at log index ${index}:`));
    expect(alarms.join('\n')).toContain('letter_closed_twice');
    expect(witness.latest(world.instance.log.origin)?.size).toBe(cosigned);
    expect(witness.monitor.alarms()).toMatchObject([{ origin: world.instance.log.origin, code: 'letter_closed_twice', index, size: index + 1 }]);
    const evidence = witness.evidence();
    expect(evidence).toMatchObject([{ origin: world.instance.log.origin, code: 'letter_closed_twice' }]);
    expect(evidence[0].request).toContain(`\n${index + 1}\n`);
  }, 60_000);

  it('refuses every later checkpoint of that log (422, the same anomaly), even one the log appends honestly after', async () => {
    await world.instance.db.transaction().execute((trx) => world.instance.log.append({ kind: 'member-added', member: 50, name: 'Nadia' }, trx));
    const checkpoint = await world.instance.log.latestCheckpoint();
    const oldSize = witness.latest(world.instance.log.origin)!.size;
    const proof = (await world.instance.log.consistency(oldSize, await logSize())).map((h) => new Uint8Array(Buffer.from(h, 'hex')));
    const res = await fetch(`${witnessApp.listeningOrigin}/add-checkpoint`, { method: 'POST', body: formatAddCheckpoint({ oldSize, proof, checkpoint }) });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/^witness_log_anomaly: letter_closed_twice at log index \d+: .*until its operator has looked/);
    // The GET page says so to people.
    expect(await (await fetch(`${witnessApp.listeningOrigin}/`)).text()).toContain('ALARM');
  }, 60_000);

  it('keeps the alarm in its database, whatever --monitor says when it starts again', () => {
    const again = new Witness(join(root, 'w'));
    try {
      expect(again.monitor.alarms()).toMatchObject([{ code: 'letter_closed_twice' }]);
    } finally {
      again.close();
    }
  });

  it('a checkpoint the log did not sign raises no alarm (anyone can POST to a witness); an unreachable server is 503, to retry', async () => {
    const dir = join(root, 'w2');
    initWitness(dir, 'monitor.test/w2');
    // A server that answers nothing: the port of a listener just closed.
    const w = new Witness(dir, { monitors: [{ origin: world.instance.log.origin, url: `http://127.0.0.1:${await freePort()}` }] });
    try {
      w.addLog(world.instance.log.verifierKey());
      const note = await world.instance.log.latestCheckpoint();
      const body = note.slice(0, note.indexOf('\n\n') + 1);
      const forged = signNote(body, { name: world.instance.log.origin, secretKey: new Uint8Array(32).fill(7) });
      expect(await w.submit(formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: forged }))).toMatchObject({ ok: false, status: 403 });
      const refused = await w.submit(formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: note }));
      expect(refused).toMatchObject({ ok: false, status: 503, code: 'witness_log_unchecked' });
      if (!refused.ok) expect(refused.reason).toMatch(/cannot download the log/);
      expect(w.monitor.alarms()).toEqual([]);
      expect(w.evidence()).toEqual([]);
      expect(w.latest(world.instance.log.origin)).toBeNull();
    } finally {
      w.close();
    }
  }, 30_000);
});

describe('parseMonitorOption (the value of `witness serve --monitor`)', () => {
  it('takes ORIGIN=URL, an origin holding "=" included, and refuses anything else with a sentence', () => {
    expect(parseMonitorOption('caucus.example.org/log=https://caucus.example.org/')).toEqual({ origin: 'caucus.example.org/log', url: 'https://caucus.example.org' });
    expect(parseMonitorOption('a=b=http://127.0.0.1:3000')).toEqual({ origin: 'a=b', url: 'http://127.0.0.1:3000' });
    for (const bad of ['caucus.example.org/log', 'caucus.example.org/log=ftp://x', '=http://x', 'o=http://']) expect(typeof parseMonitorOption(bad)).toBe('string');
  });
});

describe('undersigned witness serve --monitor', () => {
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'undersigned.mjs');
  const run = (args: string[]): Promise<{ code: number | null; stderr: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });

  it('refuses a malformed value, and a log the witness does not follow, with a code and no stack trace (exit 2)', async () => {
    const dir = join(root, 'cli');
    initWitness(dir, 'monitor.test/cli');
    const bad = await run(['witness', 'serve', '--data', dir, '--port', '0', '--monitor', 'caucus.example.org/log']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ORIGIN=URL.*\[witness_bad_monitor\]/);
    expect(bad.stderr).not.toMatch(/^ {4}at /m);
    const unknown = await run(['witness', 'serve', '--data', dir, '--port', '0', '--monitor', 'caucus.example.org/log=http://127.0.0.1:1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/\[witness_monitor_unknown_log\]/);
  }, 30_000);
});
