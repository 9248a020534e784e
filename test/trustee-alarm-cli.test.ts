/**
 * Issue 13 item 3, the trustee daemon: `undersigned trustee run` checks the whole log against the
 * record of what it made (`<trustee file>.own.json`, src/core/trustee/own-entries.ts) before each
 * step, and stops with `ALARM:` lines on stderr and exit 1 when an entry in its name is one it did
 * not make.
 *
 * A real instance behind a real HTTP server; trustee 1 ("Ana") is the real CLI as a process, the
 * two others the trustee code in-process. Lying servers are copies of its database (VACUUM INTO)
 * edited as a dishonest operator would, through the instance's own paths: one where the operator
 * joined Ana's slot with a key of its own (the committee every member would then seal names to),
 * one where Ana's acknowledgement is logged a second time.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transportEntry } from '../src/core/trustee/dkg.ts';
import { trusteeStep } from '../src/core/trustee/duties.ts';
import { randomScalar } from '../src/core/trustee/group.ts';
import { ownTransportKey } from '../src/core/trustee/own-entries.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import type { Instance } from '../src/server/instance.ts';
import { inProcessTrusteeApi } from '../src/server/trustee-api.ts';
import { type Run, copyOfInstance, runCli, serve as serveOn } from './support/processes.ts';
import { type World, makeWorld } from './support/world.ts';

const random = (n: number) => new Uint8Array(randomBytes(n));
const PASSPHRASE = 'ana keeps her key safe';


const cli = (args: string[]): Promise<Run> => runCli(['trustee', ...args], { UNDERSIGNED_PASSPHRASE: PASSPHRASE });

let world: World;
let dir: string;
let share: string;
let honest: string;
let codes: { index: number; code: string }[];
let others: bigint[];
let beforeJoin: Instance;
const servers: { app: FastifyInstance; instance: Instance }[] = [];

const serve = (instance: Instance) => serveOn(instance, servers);

/** A copy of the honest instance's database as it is now, opened as a second instance. */
const copyOf = (name: string) => copyOfInstance(world.instance, dir, name, () => world.clock.now);

const others2and3 = async (instance: Instance) => {
  for (const s of others) await trusteeStep(inProcessTrusteeApi(instance), s, nodeVerificationKeys, random);
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-trustee-alarm-'));
  share = join(dir, 'ana-trustee.json');
  world = await makeWorld({ members: 2 });
  honest = await serve(world.instance);
  codes = await world.instance.committee.create({ name: 'Trustees', k: 2, trustees: ['Ana', 'Ben', 'Chloé'] });
  // The operator keeps the database as it was before anyone joined: its invitation codes unspent.
  beforeJoin = await copyOf('before-join');
  others = [randomScalar(random), randomScalar(random)];

  const keygen = await cli(['keygen', '--share', share]);
  expect(keygen.code, keygen.stderr).toBe(0);
  const joined = await cli(['join', '--server', honest, '--code', codes[0].code, '--share', share]);
  expect(joined.code, joined.stderr).toBe(0);
  expect(joined.stdout).toContain('joined as trustee 1');
  for (const [i, s] of others.entries()) {
    const e = transportEntry(s, 'Trustees', i + 2, random);
    await world.instance.committee.join(codes[i + 1].code, e.transportKey, e.proof);
  }
  // The key generation: Ana deals and acknowledges with the CLI, the others in-process.
  for (const expected of ['dealt my shares', 'checked my shares and acknowledged them']) {
    const r = await cli(['run', '--once', '--server', honest, '--share', share]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(expected);
    await others2and3(world.instance);
  }
  expect(await world.instance.committee.letterRef()).not.toBeNull();
}, 240_000);

afterAll(async () => {
  for (const s of servers) {
    await s.app.close();
    if (s.instance !== world.instance) await s.instance.db.destroy();
  }
  await beforeJoin?.db.destroy();
  await world?.close();
  rmSync(dir, { recursive: true, force: true });
  await releaseSnarkjs();
});

describe('the trustee daemon against an honest server', () => {
  it('joining begins the record next to the trustee file; each entry the trustee signs is in it', () => {
    const record = JSON.parse(readFileSync(`${share}.own.json`, 'utf8'));
    expect(record).toMatchObject({ format: 'undersigned-trustee-own/1', slot: { index: 1, committee: 'Trustees' }, since: 0 });
    expect(record.transportKey).toBe(JSON.parse(readFileSync(share, 'utf8')).transportKey);
    expect(record.made).toHaveLength(2); // its contribution and its ack
  });

  it('raises no alarm on a log where every entry in its name is its own, and shows its key words', async () => {
    const r = await cli(['run', '--once', '--server', honest, '--share', share]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('ALARM');
    expect(r.stdout).toMatch(/^your key's fingerprint words: (\w+ ){7}\w+$/m);
  });

  it('trustee status lists every trustee with the fingerprint words of its key', async () => {
    const r = await cli(['status', '--server', honest]);
    expect(r.code, r.stderr).toBe(0);
    const own = (await cli(['run', '--once', '--server', honest, '--share', share])).stdout.match(/fingerprint words: (.*)$/m)![1];
    expect(r.stdout).toContain(`trustee 1: Ana  key words: ${own}`);
    expect(r.stdout).toMatch(/trustee 3: Chloé  key words: (\w+ ){7}\w+/);
  });
});

describe('the trustee daemon against lying servers', () => {
  it('a committee whose slot 1 holds a key the operator made: ALARM at the committee-created entry, exit 1, nothing done', async () => {
    // In its copy the operator spends Ana's code itself, with a key of its own (its join proof verifies).
    const operator = randomScalar(random);
    const e = transportEntry(operator, 'Trustees', 1, random);
    await beforeJoin.committee.join(codes[0].code, e.transportKey, e.proof);
    for (const [i, s] of others.entries()) {
      const t = transportEntry(s, 'Trustees', i + 2, random);
      await beforeJoin.committee.join(codes[i + 1].code, t.transportKey, t.proof);
    }
    const created = (await beforeJoin.committee.entries()).find((x) => x.entry.kind === 'committee-created')!;
    const lying = await serve(beforeJoin);
    const before = readFileSync(`${share}.own.json`, 'utf8');

    const r = await cli(['run', '--once', '--server', lying, '--share', share]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain(`ALARM: log entry ${created.index} (committee-created) lists transport key ${ownTransportKey(operator).slice(0, 16)}… for trustee 1, your slot: it is not your key`);
    expect(r.stderr).toContain('[trustee_alarm]');
    expect(r.stdout).not.toContain('dealt');
    // Nothing was signed: the record is as it was.
    expect(readFileSync(`${share}.own.json`, 'utf8')).toBe(before);
  });

  it('Ana’s acknowledgement logged a second time: ALARM naming both indexes, exit 1', async () => {
    const replayed = await copyOf('replayed-ack');
    const ack = (await replayed.committee.entries()).find((x) => x.entry.kind === 'dkg-ack' && x.entry.trustee === 1)!;
    const again = await replayed.db.transaction().execute((trx) => replayed.log.append(ack.entry, trx));
    const lying = await serve(replayed);
    const r = await cli(['run', '--once', '--server', lying, '--share', share]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain(`ALARM: log entry ${again.index} (dkg-ack) is a second copy of your entry at log index ${ack.index}`);
    // The honest server, seen by the same record afterwards, is still clean.
    expect((await cli(['run', '--once', '--server', honest, '--share', share])).code).toBe(0);
  });

  it('with no record next to the trustee file, one is begun at the current log size, and said so', async () => {
    const moved = join(dir, 'copy-of-ana.json');
    copyFileSync(share, moved);
    const r = await cli(['run', '--once', '--server', honest, '--share', moved]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: no record of your own entries was kept next to .*: begun in .* at log size \d+/);
    expect(existsSync(`${moved}.own.json`)).toBe(true);
  });
});
