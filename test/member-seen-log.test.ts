/**
 * What a member's client remembers of the log (src/core/member/seen-log.ts): the witness policy
 * pinned on first use, a checkpoint shown now against the last one seen (either may be the
 * larger: a witnessed checkpoint lags behind the latest), and a receipt witnessed or waiting.
 * Trees built with the RFC 9162 code of src/core/log/merkle.ts.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../src/core/log/checkpoint.ts';
import { cosignerVerifierKey } from '../src/core/log/cosignature.ts';
import { consistencyProof, leafHash, rootFromLeafHashes } from '../src/core/log/merkle.ts';
import { checkConsistent, consistencyStep, pinPolicy, receiptWitnessing } from '../src/core/member/seen-log.ts';

const key = (n: number) => cosignerVerifierKey(`w${n}.test/witness`, ed25519.getPublicKey(new Uint8Array(32).fill(60 + n)));
const policy = { quorum: 2, witnesses: [key(1), key(2)] };
const leaves = Array.from({ length: 12 }, (_, i) => leafHash(new Uint8Array([i])));
const other = Array.from({ length: 12 }, (_, i) => leafHash(new Uint8Array([i, i === 3 ? 1 : 0])));
const cp = (size: number, tree = leaves, origin = 'example.org/log'): Checkpoint => ({ origin, size, rootHash: rootFromLeafHashes(tree.slice(0, size)), extensions: [] });
const summary = { quorum: 2, cosigned: 2, witnesses: [] };
const codeOf = (r: { ok: boolean; code?: string }) => (r.ok ? 'ok' : r.code);

describe('the witness policy is pinned on first use', () => {
  it('a device with none pinned pins the first policy it is served', () => {
    expect(pinPolicy(null, policy)).toEqual({ ok: true, policy, pin: policy });
  });
  it('an instance without witnesses pins nothing (a later policy is pinned then)', () => {
    expect(pinPolicy(null, null)).toEqual({ ok: true, policy: undefined, pin: null });
  });
  it('the same policy again: nothing new to pin', () => {
    expect(pinPolicy(policy, { ...policy, witnesses: [...policy.witnesses] })).toEqual({ ok: true, policy, pin: null });
  });
  it('another quorum, other keys, the keys in another order, or no policy at all: witness_policy_changed', () => {
    expect(codeOf(pinPolicy(policy, { ...policy, quorum: 1 }))).toBe('witness_policy_changed');
    expect(codeOf(pinPolicy(policy, { quorum: 2, witnesses: [key(1), key(3)] }))).toBe('witness_policy_changed');
    expect(codeOf(pinPolicy(policy, { quorum: 2, witnesses: [key(2), key(1)] }))).toBe('witness_policy_changed');
    expect(codeOf(pinPolicy(policy, null))).toBe('witness_policy_changed');
  });
  it('a malformed policy (not the schema; a quorum it cannot reach; one key twice) is witness_policy_invalid, never pinned', () => {
    expect(codeOf(pinPolicy(null, { quorum: 'all', witnesses: [key(1)] }))).toBe('witness_policy_invalid');
    expect(codeOf(pinPolicy(null, { quorum: 3, witnesses: [key(1), key(2)] }))).toBe('witness_policy_invalid');
    expect(codeOf(pinPolicy(null, { quorum: 1, witnesses: [key(1), key(1)] }))).toBe('witness_policy_invalid');
  });
});

describe('a checkpoint shown now against the last one seen', () => {
  it('the same tree needs no proof; another tree of the same size is a fork', () => {
    expect(consistencyStep(cp(7), cp(7))).toEqual({ kind: 'same' });
    expect(codeOf(checkConsistent(cp(7), cp(7), []))).toBe('ok');
    expect(consistencyStep(cp(7), cp(7, other)).kind).toBe('fork');
    expect(codeOf(checkConsistent(cp(7), cp(7, other), []))).toBe('log_fork');
  });
  it('a larger tree is checked with a proof from the seen size (it grew)', () => {
    expect(consistencyStep(cp(5), cp(11))).toEqual({ kind: 'proof', from: 5, to: 11, grew: true });
    expect(codeOf(checkConsistent(cp(5), cp(11), consistencyProof(leaves, 5, 11)))).toBe('ok');
  });
  it('a smaller tree (a witnessed checkpoint behind the latest) is checked with a proof to the seen size', () => {
    expect(consistencyStep(cp(11), cp(5))).toEqual({ kind: 'proof', from: 5, to: 11, grew: false });
    expect(codeOf(checkConsistent(cp(11), cp(5), consistencyProof(leaves, 5, 11)))).toBe('ok');
  });
  it('a tree that rewrote an entry the seen one holds is a fork, whichever is larger', () => {
    expect(codeOf(checkConsistent(cp(5), cp(11, other), consistencyProof(other, 5, 11)))).toBe('log_fork');
    expect(codeOf(checkConsistent(cp(11, other), cp(5), consistencyProof(leaves, 5, 11)))).toBe('log_fork');
  });
  it('a proof for other sizes, or none, proves nothing: log_fork', () => {
    expect(codeOf(checkConsistent(cp(5), cp(11), consistencyProof(leaves, 4, 11)))).toBe('log_fork');
    expect(codeOf(checkConsistent(cp(5), cp(11), []))).toBe('log_fork');
  });
  it('a log under another name is not the one seen', () => {
    expect(codeOf(checkConsistent(cp(5), cp(11, leaves, 'evil.example/log'), consistencyProof(leaves, 5, 11)))).toBe('log_fork');
  });
});

describe('a receipt is witnessed once a cosigned checkpoint covers it', () => {
  it('no witnessed checkpoint yet, or one smaller than the receipt: waiting', () => {
    expect(receiptWitnessing(cp(6), null, [])).toEqual({ ok: true, status: { state: 'waiting', witnessedSize: 0 } });
    expect(receiptWitnessing(cp(6), { checkpoint: cp(4), witnesses: summary }, [])).toEqual({ ok: true, status: { state: 'waiting', witnessedSize: 4 } });
  });
  it('a witnessed checkpoint of the receipt’s tree or one extending it: witnessed, with its witnesses', () => {
    expect(receiptWitnessing(cp(6), { checkpoint: cp(6), witnesses: summary }, [])).toEqual({ ok: true, status: { state: 'witnessed', size: 6, witnesses: summary } });
    expect(receiptWitnessing(cp(6), { checkpoint: cp(9), witnesses: summary }, consistencyProof(leaves, 6, 9))).toMatchObject({ ok: true, status: { state: 'witnessed', size: 9 } });
  });
  it('a witnessed checkpoint that does not extend the receipt’s tree: log_fork', () => {
    expect(codeOf(receiptWitnessing(cp(6), { checkpoint: cp(9, other), witnesses: summary }, consistencyProof(other, 6, 9)))).toBe('log_fork');
  });
});
