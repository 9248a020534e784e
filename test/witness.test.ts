/**
 * The witness (C2SP tlog-witness `add-checkpoint`) over real HTTP on a real SQLite file: each
 * status and body of the specification, the evidence it keeps of a misbehaving log, the race the
 * specification warns about, and that what it cosigns stays cosigned across a restart.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { FastifyInstance } from 'fastify';
import { sha256, utf8ToBytes } from '../src/core/encoding.ts';
import { formatCheckpoint, signNote, verifierKey } from '../src/core/log/checkpoint.ts';
import { addSignatureLines, verifyCosignatures } from '../src/core/log/cosignature.ts';
import { MerkleTree, leafHash } from '../src/core/log/merkle.ts';
import { MAX_REQUEST_BYTES, formatAddCheckpoint } from '../src/core/log/witness.ts';
import { buildWitnessApp } from '../src/witness/http.ts';
import { Witness, WitnessError, initWitness } from '../src/witness/witness.ts';

const ORIGIN = 'test.example/log';
const logKey = { name: ORIGIN, secretKey: new Uint8Array(32).fill(7) };
const logVkey = verifierKey(ORIGIN, ed25519.getPublicKey(logKey.secretKey));
const NOW = 1_765_100_000;

/** A log the test controls: append leaves, sign checkpoints, prove consistency. */
class TestLog {
  tree = new MerkleTree();
  constructor(
    private key = logKey,
    private tag = 'entry',
  ) {}
  grow(n: number): this {
    for (let i = 0; i < n; i++) this.tree.append(leafHash(utf8ToBytes(`${this.tag} ${this.tree.size}`)));
    return this;
  }
  checkpoint(size = this.tree.size): string {
    return signNote(formatCheckpoint({ origin: ORIGIN, size, rootHash: this.tree.root(size) }), this.key);
  }
  request(oldSize: number, size = this.tree.size): string {
    const proof = oldSize === 0 ? [] : this.tree.consistencyProof(oldSize, size);
    return formatAddCheckpoint({ oldSize, proof, checkpoint: this.checkpoint(size) });
  }
}

let dir: string;
let witness: Witness;
let app: FastifyInstance;
let url: string;
let witnessVkey: string;

async function post(body: string | Uint8Array): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(`${url}/add-checkpoint`, { method: 'POST', body: body as BodyInit, headers: { 'content-type': 'text/plain' } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-witness-'));
  witnessVkey = initWitness(dir, 'witness.test/w1').verifierKey;
  witness = new Witness(dir);
  witness.addLog(logVkey);
  app = await buildWitnessApp(witness, { now: () => NOW });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await app.close();
  witness.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('witness init', () => {
  it('keeps the key in a file only its owner reads, and never makes a second one', () => {
    expect(statSync(join(dir, 'witness-key.json')).mode & 0o777).toBe(0o600);
    expect(() => initWitness(dir, 'witness.test/w1')).toThrow(WitnessError);
    expect(() => initWitness(join(dir, 'other'), 'two words')).toThrow(/one word/);
    expect(witness.verifierKey).toBe(witnessVkey);
  });
});

describe('add-checkpoint (C2SP tlog-witness)', () => {
  const log = new TestLog().grow(5);

  it('the first checkpoint, from old size 0: 200 and a cosignature that verifies on it', async () => {
    const r = await post(log.request(0));
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^\u2014 witness\.test\/w1 \S+\n$/);
    const cosigned = addSignatureLines(log.checkpoint(), [r.text]);
    const v = verifyCosignatures(cosigned, { quorum: 1, witnesses: [witnessVkey] });
    expect(v.ok && v.witnesses[0].timestamp).toBe(NOW);
    expect(witness.latest(ORIGIN)?.size).toBe(5);
  });

  it('a client with a stale old size: 409, text/x.tlog.size, the latest cosigned size', async () => {
    log.grow(3);
    const r = await post(log.request(0));
    expect(r.status).toBe(409);
    expect(r.type).toBe('text/x.tlog.size');
    expect(r.text).toBe('5\n');
  });

  it('a consistency proof from the latest cosigned size: 200, and the witness moves on', async () => {
    const r = await post(log.request(5));
    expect(r.status).toBe(200);
    expect(witness.latest(ORIGIN)?.size).toBe(8);
    // The same checkpoint again (same size, same root): cosigned again.
    expect((await post(log.request(8))).status).toBe(200);
  });

  it('a rollback (a checkpoint smaller than the latest): refused, and the witness stays where it was', async () => {
    const r = await post(formatAddCheckpoint({ oldSize: 8, proof: [], checkpoint: log.checkpoint(6) }));
    expect(r.status).toBe(400);
    expect((await post(log.request(6, 6))).status).toBe(409);
    expect(witness.latest(ORIGIN)?.size).toBe(8);
  });

  it('a fork (the same size, another root): 409 and the request kept as evidence', async () => {
    const fork = new TestLog(logKey, 'forged').grow(8);
    const r = await post(formatAddCheckpoint({ oldSize: 8, proof: [], checkpoint: fork.checkpoint() }));
    expect(r.status).toBe(409);
    expect(r.text).toContain('witness_fork');
    expect(witness.evidence().map((e) => e.code)).toContain('witness_fork');
  });

  it('a history rewritten below the latest size (consistency fails): 422 and evidence', async () => {
    const fork = new TestLog(logKey, 'forged').grow(12);
    // A proof from the fork's own tree: valid for the fork, not for what the witness cosigned.
    const r = await post(formatAddCheckpoint({ oldSize: 8, proof: fork.tree.consistencyProof(8, 12), checkpoint: fork.checkpoint() }));
    expect(r.status).toBe(422);
    expect(witness.evidence().map((e) => e.code)).toContain('witness_inconsistent');
    // A proof with a hash changed.
    log.grow(4);
    const proof = log.tree.consistencyProof(8, 12);
    proof[0] = sha256(proof[0]);
    expect((await post(formatAddCheckpoint({ oldSize: 8, proof, checkpoint: log.checkpoint() }))).status).toBe(422);
    expect(witness.latest(ORIGIN)?.size).toBe(8);
  });

  it('an unknown origin: 404; no valid signature from a trusted key: 403', async () => {
    const stranger = { name: 'other.example/log', secretKey: new Uint8Array(32).fill(8) };
    const otherLog = signNote(formatCheckpoint({ origin: 'other.example/log', size: 1, rootHash: new Uint8Array(32) }), stranger);
    expect((await post(formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: otherLog }))).status).toBe(404);
    const impostor = new TestLog({ name: ORIGIN, secretKey: new Uint8Array(32).fill(9) }).grow(12);
    expect((await post(impostor.request(8))).status).toBe(403);
    // A valid signature line from the trusted key, but over another text.
    const tampered = log.checkpoint().replace('\n12\n', '\n13\n');
    expect((await post(formatAddCheckpoint({ oldSize: 8, proof: [], checkpoint: tampered }))).status).toBe(403);
  });

  it('malformed requests: 400 with a code, never a 500', async () => {
    const bad = [
      '',
      'old 8\n',
      'old 08\n\n' + log.checkpoint(),
      'old -1\n\n' + log.checkpoint(),
      'old 8\nnot base64!\n\n' + log.checkpoint(),
      'old 8\nAAAA\n\n' + log.checkpoint(),
      `old 8\n${'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n'.repeat(64)}\n${log.checkpoint()}`,
      'old 8\n\nnot a checkpoint\n',
      'old 99\n\n' + log.checkpoint(),
    ];
    for (const body of bad) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body.slice(0, 40))).toBe(400);
      expect(r.text).toMatch(/^witness_bad_request/);
    }
    expect((await post(new Uint8Array([0xff, 0xfe, 0x0a, 0x0a]))).status).toBe(400);
    expect((await post('x'.repeat(MAX_REQUEST_BYTES + 1))).status).toBe(413);
    expect((await fetch(`${url}/nothing`)).status).toBe(404);
    expect(witness.latest(ORIGIN)?.size).toBe(8);
  });

  it('two requests racing from the same old size: one is cosigned, the other gets 409; the witness never rolls back', async () => {
    log.grow(4); // 16 leaves
    const results = await Promise.all([post(log.request(8, 16)), post(log.request(8, 12))]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    const winner = results[0].status === 200 ? 16 : 12;
    expect(witness.latest(ORIGIN)?.size).toBe(winner);
    if (winner === 12) expect((await post(log.request(12, 16))).status).toBe(200);
    expect(witness.latest(ORIGIN)?.size).toBe(16);
  });

  it('what it cosigned survives a restart, and GET / says who it is and what it follows', async () => {
    const again = new Witness(dir);
    expect(again.latest(ORIGIN)?.size).toBe(16);
    again.close();
    const page = await (await fetch(`${url}/`)).text();
    expect(page).toContain(witnessVkey);
    expect(page).toContain(`${ORIGIN}  ${logVkey}  16`);
  });
});
