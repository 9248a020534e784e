/**
 * The member CLI keeps the latest checkpoint it saw across runs (src/cli/seen-head.ts): real
 * RFC 9162 trees and signed checkpoints, the server's consistency proofs computed from them —
 * and a lying server's: a fork of the same size, a history rewritten under a larger tree, a
 * proof that is not hex, a checkpoint under another key.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../src/core/encoding.ts';
import { formatCheckpoint, signNote, verifierKey } from '../src/core/log/checkpoint.ts';
import { MerkleTree } from '../src/core/log/merkle.ts';
import { CliError } from '../src/cli/errors.ts';
import { SeenHead } from '../src/cli/seen-head.ts';

const dir = mkdtempSync(join(tmpdir(), 'undersigned-seen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = { name: 'seen.test/log', secretKey: new Uint8Array(32).fill(9) };
const vk = verifierKey(key.name, ed25519.getPublicKey(key.secretKey));
const leaf = (i: number, salt = 0) => new Uint8Array(32).fill((i * 7 + salt) % 251);
const treeOf = (n: number, salt = 0) => {
  const t = new MerkleTree();
  for (let i = 0; i < n; i++) t.append(leaf(i, i >= 5 ? salt : 0));
  return t;
};
const note = (t: MerkleTree, size = t.size, k = key) => signNote(formatCheckpoint({ origin: k.name, size, rootHash: t.root(size) }), k);

/** A head over the honest log `t` (the proofs a server of that log would give). */
const head = (name: string, t: MerkleTree) => new SeenHead(join(dir, name), vk, async (from, to) => t.consistencyProof(from, to).map(bytesToHex));
const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e) => (e instanceof CliError ? e.code : `threw ${e}`));

describe('the checkpoint a member CLI saw last, kept next to the identity file', () => {
  it('first sight is kept; a larger consistent one replaces it; a smaller consistent one (a witnessed view that lags) does not', async () => {
    const t = treeOf(20);
    const h = head('a.identity.json', t);
    await h.check(note(t, 10));
    expect(JSON.parse(readFileSync(h.headFile, 'utf8'))).toEqual({ verifierKey: vk, checkpoint: note(t, 10) });
    await h.check(note(t, 20));
    expect(JSON.parse(readFileSync(h.headFile, 'utf8')).checkpoint).toBe(note(t, 20));
    await h.check(note(t, 7));
    await h.check(note(t, 20));
    expect(JSON.parse(readFileSync(h.headFile, 'utf8')).checkpoint).toBe(note(t, 20));
    expect(existsSync(h.forkFile)).toBe(false);
  });

  it('a second log of the size seen (another root, under the same key): log_fork, evidence kept, and every later check refuses until it is deleted', async () => {
    const t = treeOf(12);
    const other = treeOf(12, 1);
    const h = head('b.identity.json', t);
    await h.check(note(t));
    expect(await codeOf(h.check(note(other)))).toBe('log_fork');
    const evidence = JSON.parse(readFileSync(h.forkFile, 'utf8'));
    expect([evidence.earlier, evidence.later]).toEqual([note(t), note(other)]);
    expect(await codeOf(h.check(note(t)))).toBe('log_fork');
    rmSync(h.forkFile);
    expect(await codeOf(h.check(note(t)))).toBe('ok');
  });

  it('a larger log that rewrote what was seen (its consistency proof cannot join them): log_fork; the head is not moved', async () => {
    const seen = treeOf(8);
    const rewritten = treeOf(16, 3); // differs from entry 5 on
    const h = head('c.identity.json', rewritten);
    await new SeenHead(join(dir, 'c.identity.json'), vk, async () => []).check(note(seen));
    expect(await codeOf(h.check(note(rewritten)))).toBe('log_fork');
    expect(JSON.parse(readFileSync(h.headFile, 'utf8')).checkpoint).toBe(note(seen));
  });

  it('a proof that is not hex, or a checkpoint under another key: log_unverified, nothing kept', async () => {
    const t = treeOf(6);
    const file = join(dir, 'd.identity.json');
    await head('d.identity.json', t).check(note(t, 3));
    expect(await codeOf(new SeenHead(file, vk, async () => ['zz']).check(note(t, 6)))).toBe('log_unverified');
    const stranger = { name: key.name, secretKey: new Uint8Array(32).fill(10) };
    expect(await codeOf(head('d.identity.json', t).check(note(t, 6, stranger)))).toBe('log_unverified');
    expect(JSON.parse(readFileSync(`${file}.log-head.json`, 'utf8')).checkpoint).toBe(note(t, 3));
  });

  it('a head file that is garbage, or kept under another log key, starts again from what is shown', async () => {
    const t = treeOf(4);
    const h = head('e.identity.json', t);
    writeFileSync(h.headFile, '{not json');
    await h.check(note(t));
    writeFileSync(h.headFile, JSON.stringify({ verifierKey: 'other+key', checkpoint: 'x' }));
    await h.check(note(t, 2));
    expect(JSON.parse(readFileSync(h.headFile, 'utf8')).checkpoint).toBe(note(t, 2));
  });
});
