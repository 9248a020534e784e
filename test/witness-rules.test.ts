/**
 * The witness's and the policy's rules one by one, each asserting its reason (the HTTP tests in
 * test/witness.test.ts see only the status, which several rules share): the add-checkpoint body,
 * the decision, a policy's names and keys, `samePolicy`, `checkWitnessed` and the latest
 * timestamp a witness is reported with.
 */
import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { utf8ToBytes } from '../src/core/encoding.ts';
import { formatCheckpoint, signNote, verifierKey } from '../src/core/log/checkpoint.ts';
import { addSignatureLines, checkWitnessPolicy, checkWitnessed, cosignatureLine, cosignerVerifierKey, samePolicy, verifyCosignatures } from '../src/core/log/cosignature.ts';
import { MerkleTree, leafHash } from '../src/core/log/merkle.ts';
import { decideAddCheckpoint, formatAddCheckpoint, parseAddCheckpoint, type WitnessView } from '../src/core/log/witness.ts';

const log = { name: 'rules.test/log', secretKey: new Uint8Array(32).fill(61) };
const logVkey = verifierKey(log.name, ed25519.getPublicKey(log.secretKey));
const tree = new MerkleTree();
for (let i = 0; i < 6; i++) tree.append(leafHash(utf8ToBytes(`e${i}`)));
const note = (size: number) => signNote(formatCheckpoint({ origin: log.name, size, rootHash: tree.root(size) }), log);
const w = (n: number) => ({ name: `w${n}.rules.test`, secretKey: new Uint8Array(32).fill(70 + n) });
const vk = (k: { name: string; secretKey: Uint8Array }) => cosignerVerifierKey(k.name, ed25519.getPublicKey(k.secretKey));
const reasonOf = (r: { ok: boolean; reason?: string }) => (r.ok ? 'ok' : r.reason);

describe('the add-checkpoint body', () => {
  it('each malformation has its own reason', () => {
    const cp = note(3);
    expect(reasonOf(parseAddCheckpoint(`old 0\nno blank line anywhere\n`))).toMatch(/no empty line/);
    expect(reasonOf(parseAddCheckpoint(`\n\n${cp}`))).toMatch(/first line is not "old <size>"/);
    expect(reasonOf(parseAddCheckpoint(`x old 1\n\n${cp}`))).toMatch(/first line is not "old <size>"/);
    expect(reasonOf(parseAddCheckpoint(`old 10x\n\n${cp}`))).toMatch(/first line is not "old <size>"/);
    expect(reasonOf(parseAddCheckpoint(`old 99999999999999999\n\n${cp}`))).toMatch(/larger than 2\^53/);
    const hash = 'A'.repeat(43) + '=';
    expect(parseAddCheckpoint(`old 1\n${`${hash}\n`.repeat(63)}\n${cp}`).ok).toBe(true);
    expect(reasonOf(parseAddCheckpoint(`old 1\n${`${hash}\n`.repeat(64)}\n${cp}`))).toMatch(/more than 63/);
    expect(reasonOf(parseAddCheckpoint(`old 1\nAAAA\n\n${cp}`))).toMatch(/proof line 1 is not the base64 of a 32-byte hash/);
    expect(reasonOf(parseAddCheckpoint(42 as unknown as string))).toMatch(/not text/);
    const ok = parseAddCheckpoint(formatAddCheckpoint({ oldSize: 2, proof: tree.consistencyProof(2, 3), checkpoint: cp }));
    expect(ok.ok && [ok.oldSize, ok.proof.length, ok.checkpoint]).toEqual([2, tree.consistencyProof(2, 3).length, cp]);
  });
});

describe('the decision', () => {
  const view = (latest: { size: number; rootHash: Uint8Array } | null): WitnessView => ({ logKeys: (o) => (o === log.name ? [logVkey] : undefined), latest: () => latest });
  it('a malformed note or checkpoint inside the body: 400 with the part that is wrong', () => {
    const r1 = decideAddCheckpoint('old 0\n\nno signatures here\n', view(null));
    expect(r1).toMatchObject({ ok: false, status: 400, code: 'witness_bad_request' });
    expect(reasonOf(r1)).toMatch(/^checkpoint: /);
    const r2 = decideAddCheckpoint(`old 0\n\n${signNote('one line only\n', log)}`, view(null));
    expect(r2).toMatchObject({ ok: false, status: 400 });
    expect(reasonOf(r2)).toMatch(/^checkpoint: a checkpoint has at least three lines/);
    const r3 = decideAddCheckpoint('old\n\n', view(null));
    expect(reasonOf(r3)).toMatch(/first line is not "old <size>"/);
  });
  it('a first checkpoint with a proof: 422, the proof must be empty from size 0', () => {
    const r = decideAddCheckpoint(formatAddCheckpoint({ oldSize: 0, proof: [tree.root(1)], checkpoint: note(3) }), view(null));
    expect(r).toMatchObject({ ok: false, status: 422, code: 'witness_inconsistent' });
    expect(reasonOf(r)).toMatch(/must be empty when the old size is 0/);
    expect(decideAddCheckpoint(formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: note(3) }), view(null))).toMatchObject({ ok: true, status: 200 });
  });
  it('the origin the signature is checked against is the checkpoint’s own', () => {
    const other = { name: 'other.rules.test/log', secretKey: log.secretKey };
    const cp = signNote(formatCheckpoint({ origin: log.name, size: 3, rootHash: tree.root(3) }), other);
    expect(decideAddCheckpoint(formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: cp }), view(null))).toMatchObject({ status: 403 });
  });
});

describe('a policy', () => {
  it('two witnesses under one name with two keys: named twice', () => {
    const a = w(1);
    const b = { name: a.name, secretKey: w(2).secretKey };
    expect(reasonOf(checkWitnessPolicy({ quorum: 1, witnesses: [vk(a), vk(b)] }))).toMatch(/is named twice/);
    expect(reasonOf(checkWitnessPolicy({ quorum: 1, witnesses: ['nonsense'] }))).toMatch(/^witness key "nonsense": /);
    expect(reasonOf(checkWitnessPolicy({ quorum: 3, witnesses: [vk(w(1)), vk(w(2))] }))).toMatch(/a quorum of 3 out of 2/);
  });
  it('samePolicy: same quorum, same keys, same order; a prefix or a superset is another policy', () => {
    const p = { quorum: 1, witnesses: [vk(w(1)), vk(w(2))] };
    expect(samePolicy(p, { ...p, witnesses: [...p.witnesses] })).toBe(true);
    expect(samePolicy(p, { ...p, witnesses: [p.witnesses[0]] })).toBe(false);
    expect(samePolicy({ ...p, witnesses: [p.witnesses[0]] }, p)).toBe(false);
    expect(samePolicy(p, { ...p, quorum: 2 })).toBe(false);
    expect(samePolicy(undefined, null)).toBe(true);
    expect(samePolicy(p, null)).toBe(false);
  });
});

describe('checkWitnessed (step 4b)', () => {
  const body = formatCheckpoint({ origin: log.name, size: 6, rootHash: tree.root(6) });
  const p = { quorum: 1, witnesses: [vk(w(1))] };
  const cosigned = addSignatureLines(signNote(body, log), [cosignatureLine(body, 1000, w(1))]);
  it('no policy: no witnesses; a policy met: its summary; not met: the failure', () => {
    expect(checkWitnessed(cosigned, undefined)).toEqual({ ok: true, witnesses: null });
    expect(checkWitnessed(cosigned, p)).toEqual({ ok: true, witnesses: { quorum: 1, cosigned: 1, witnesses: [{ name: w(1).name, verifierKey: p.witnesses[0], cosigned: true, timestamp: 1000 }] } });
    expect(checkWitnessed(signNote(body, log), p)).toMatchObject({ ok: false, code: 'witness_quorum_not_met' });
  });
  it('an expected policy: the letter must name exactly it', () => {
    expect(checkWitnessed(cosigned, p, p).ok).toBe(true);
    expect(checkWitnessed(cosigned, undefined, p)).toMatchObject({ ok: false, code: 'witness_policy_unexpected', reason: 'it names no witnesses, and you expected some' });
    expect(checkWitnessed(cosigned, p, { quorum: 1, witnesses: [vk(w(2))] })).toMatchObject({ ok: false, code: 'witness_policy_unexpected', reason: 'it names other witnesses, or another quorum, than the ones you expected' });
  });
  it('a witness cosigning twice is reported with its latest time, whatever the order of the lines', () => {
    const later = addSignatureLines(signNote(body, log), [cosignatureLine(body, 2000, w(1)), cosignatureLine(body, 1000, w(1))]);
    const r = verifyCosignatures(later, p);
    expect(r.ok && r.witnesses[0].timestamp).toBe(2000);
  });
});
