/**
 * The server's side of witnessing: real witnesses over HTTP cosign a growing log from the size
 * each cosigned last; a quorum makes a checkpoint witnessed; a witness that is down does not stop
 * the others; a restart resumes; a forked log is refused and raises an alarm, and never becomes
 * witnessed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { utf8ToBytes } from '../src/core/encoding.ts';
import { formatCheckpoint, signNote, verifierKey, verifyCheckpoint } from '../src/core/log/checkpoint.ts';
import { verifyCosignatures } from '../src/core/log/cosignature.ts';
import { MerkleTree, leafHash } from '../src/core/log/merkle.ts';
import { Witnessing, parseWitnessOption } from '../src/server/witnessing.ts';
import { type RunningWitness, startWitness } from './support/processes.ts';

const ORIGIN = 'witnessing.test/log';
const logKey = { name: ORIGIN, secretKey: new Uint8Array(32).fill(11) };
const logVkey = verifierKey(ORIGIN, ed25519.getPublicKey(logKey.secretKey));

class TestLog {
  tree = new MerkleTree();
  constructor(private tag = 'entry') {}
  grow(n: number): this {
    for (let i = 0; i < n; i++) this.tree.append(leafHash(utf8ToBytes(`${this.tag} ${this.tree.size}`)));
    return this;
  }
  source() {
    return {
      latest: async () => ({ note: signNote(formatCheckpoint({ origin: ORIGIN, size: this.tree.size, rootHash: this.tree.root() }), logKey), size: this.tree.size }),
      consistencyProof: (from: number, to: number) => this.tree.consistencyProof(from, to),
    };
  }
}

const root = mkdtempSync(join(tmpdir(), 'undersigned-witnessing-'));
const witnesses: RunningWitness[] = [];

function witnessing(log: TestLog, ws: RunningWitness[], quorum: number, store: { note: string | null } = { note: null }, alarms: string[] = []) {
  return new Witnessing({
    endpoints: ws.map((w) => ({ url: w.url, verifierKey: w.vkey })),
    quorum,
    ...log.source(),
    load: async () => store.note,
    save: async (note) => {
      store.note = note;
    },
    intervalMs: 60_000,
    timeoutMs: 2000,
    onAlarm: (w, reason) => alarms.push(`${w}: ${reason}`),
  });
}

beforeAll(async () => {
  for (const name of ['alpha', 'beta', 'gamma']) witnesses.push(await startWitness(root, name, logVkey));
});

afterAll(async () => {
  for (const w of witnesses) await w.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('witnessing a log', () => {
  const log = new TestLog().grow(4);
  const store = { note: null as string | null };
  let w: Witnessing;

  it('a quorum of witnesses cosigns the latest checkpoint; the note verifies under the log key and the policy', async () => {
    w = witnessing(log, witnesses, 2, store);
    await w.start();
    expect(await w.waitFor(4, 5000)).toBe(true);
    const got = w.latestWitnessed()!;
    expect(got.size).toBe(4);
    expect(verifyCheckpoint(got.checkpoint, logVkey).ok).toBe(true);
    const v = verifyCosignatures(got.checkpoint, w.policy);
    expect(v.ok && v.cosigned).toBeGreaterThanOrEqual(2);
    expect(store.note).toBe(got.checkpoint);
  });

  it('as the log grows, each witness cosigns from the size it cosigned last (a consistency proof)', async () => {
    log.grow(9);
    expect(await w.waitFor(13, 5000)).toBe(true);
    await w.round();
    expect(w.status().witnesses.map((s) => s.cosignedSize)).toEqual([13, 13, 13]);
    for (const rw of witnesses) expect(rw.witness.latest(ORIGIN)?.size).toBe(13);
  });

  it('a witness that is down does not stop the quorum; its error is reported', async () => {
    const down = { ...witnesses[2], url: 'http://127.0.0.1:9' };
    const partial = witnessing(log, [witnesses[0], witnesses[1], down], 2);
    log.grow(2);
    await partial.start();
    expect(await partial.waitFor(15, 5000)).toBe(true);
    expect(partial.status().witnesses[2].lastError).toMatch(/unreachable/);
    partial.stop();
  });

  it('two of three down: nothing new is witnessed, and waiting says so', async () => {
    const downs = [witnesses[0], { ...witnesses[1], url: 'http://127.0.0.1:9' }, { ...witnesses[2], url: 'http://127.0.0.1:9' }];
    const lonely = witnessing(log.grow(1), downs, 2);
    await lonely.start();
    expect(await lonely.waitFor(16, 800)).toBe(false);
    expect(lonely.latestWitnessed()).toBe(null);
    lonely.stop();
  });

  it('after a restart it resumes from the stored checkpoint, and learns a witness’s size from its 409', async () => {
    w.stop();
    const again = witnessing(log, witnesses, 2, store);
    await again.start();
    expect(again.latestWitnessed()?.size).toBe(13);
    // gamma cosigned 13 on the stored note only if it was among the lines kept; either way, 409s correct the sizes.
    expect(await again.waitFor(16, 5000)).toBe(true);
    await again.round();
    expect(again.status().witnesses.every((s) => s.cosignedSize === 16 && s.alarm === null)).toBe(true);
    again.stop();
  });

  it('a forked log (another history at the same sizes) is refused by every witness, raises alarms, and is never witnessed', async () => {
    const fork = new TestLog('forged').grow(20);
    const alarms: string[] = [];
    const forked = witnessing(fork, witnesses, 1, { note: null }, alarms);
    await forked.start();
    expect(await forked.waitFor(20, 1500)).toBe(false);
    expect(forked.latestWitnessed()).toBe(null);
    expect(alarms.length).toBe(3);
    expect(forked.status().witnesses.every((s) => s.alarm !== null)).toBe(true);
    for (const rw of witnesses) {
      expect(rw.witness.latest(ORIGIN)?.size).toBe(16);
      expect(rw.witness.evidence().length).toBeGreaterThan(0);
    }
    forked.stop();
  });
});

describe('serve --witness NAME=URL=KEY', () => {
  it('parses the three parts, a base64 key with "=" and "+" included, and refuses a name that is not the key’s', () => {
    const vkey = witnesses[0].vkey;
    const name = vkey.slice(0, vkey.indexOf('+'));
    expect(parseWitnessOption(`${name}=http://127.0.0.1:3100/=${vkey}`)).toEqual({ url: 'http://127.0.0.1:3100', verifierKey: vkey });
    expect(parseWitnessOption(`other=http://127.0.0.1:3100=${vkey}`)).toMatch(/not the key of/);
    expect(parseWitnessOption(`${name}=ftp://x=${vkey}`)).toMatch(/not an http/);
    expect(parseWitnessOption(vkey)).toMatch(/NAME=URL=KEY/);
  });
});
