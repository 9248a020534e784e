/**
 * A member's client takes a trustee committee only from the witnessed log (src/core/member/
 * witnessed-log.ts): the committee entries of a real sealed letter (the corpus's good bundle),
 * shown with and without the cosignatures the pinned policy needs, and as an operator who holds
 * the log key would show them from a tree of its own making.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '../src/core/encoding.ts';
import { formatCheckpoint, signNote, verifierKey } from '../src/core/log/checkpoint.ts';
import { addSignatureLines, cosignatureLine, cosignerVerifierKey } from '../src/core/log/cosignature.ts';
import { entryLeafHash, type LogEntry } from '../src/core/log/entry.ts';
import { MerkleTree } from '../src/core/log/merkle.ts';
import { checkCommitteeOnLog, checkPolicyPinned, checkWitnessedCheckpoint, type LogView } from '../src/core/member/witnessed-log.ts';

const bundle = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/bad-bundles/good/sealed-letter.json'), 'utf8'));
const ref = bundle.opened.entry.letter.committee;
const realView: LogView = { checkpoint: bundle.log.checkpoint, entries: bundle.committee };
const body = bundle.log.checkpoint.slice(0, bundle.log.checkpoint.indexOf('\n\n') + 1);

const witness = (n: number) => ({ name: `w${n}.test/witness`, secretKey: new Uint8Array(32).fill(40 + n) });
const ws = [witness(1), witness(2), witness(3)];
const policy = { quorum: 2, witnesses: ws.map((w) => cosignerVerifierKey(w.name, ed25519.getPublicKey(w.secretKey))) };
const T = 1_765_200_000;
const cosigned = (note: string, n: number) =>
  addSignatureLines(
    note,
    ws.slice(0, n).map((w) => cosignatureLine(note.slice(0, note.indexOf('\n\n') + 1), T, w)),
  );

const codeOf = (r: { ok: boolean; code?: string }) => (r.ok ? 'ok' : r.code);

describe('the committee a letter names, taken from the witnessed log', () => {
  it('an unwitnessed instance: the entries in the log under the pinned key are enough', () => {
    expect(codeOf(checkCommitteeOnLog(realView, ref, { verifierKey: bundle.log.verifierKey }))).toBe('ok');
  });

  it('a witnessed instance: the checkpoint needs the quorum of cosignatures', () => {
    const anchor = { verifierKey: bundle.log.verifierKey, witnesses: policy };
    expect(codeOf(checkCommitteeOnLog(realView, ref, anchor))).toBe('sealed_not_witnessed');
    expect(codeOf(checkCommitteeOnLog({ ...realView, checkpoint: cosigned(bundle.log.checkpoint, 1) }, ref, anchor))).toBe('sealed_not_witnessed');
    const r = checkCommitteeOnLog({ ...realView, checkpoint: cosigned(bundle.log.checkpoint, 2) }, ref, anchor);
    expect(r.ok && r.size).toBe(Number(body.split('\n')[1]));
    expect(codeOf(checkWitnessedCheckpoint(cosigned(bundle.log.checkpoint, 3), anchor))).toBe('ok');
  });

  it('a checkpoint under another log key than the pinned one: log_unverified', () => {
    const other = { name: 'localhost/undersigned', secretKey: new Uint8Array(32).fill(3) };
    const vk = verifierKey(other.name, ed25519.getPublicKey(other.secretKey));
    expect(codeOf(checkCommitteeOnLog(realView, ref, { verifierKey: vk }, 'ballot'))).toBe('log_unverified');
  });

  it('an operator who holds the log key shows the committee from a tree of its own: no witness cosigned it', () => {
    // The operator signs a checkpoint over a tree that holds just these entries (a view nobody else gets).
    const operator = { name: 'operator.test/log', secretKey: new Uint8Array(32).fill(5) };
    const anchor = { verifierKey: verifierKey(operator.name, ed25519.getPublicKey(operator.secretKey)), witnesses: policy };
    const entries = bundle.committee.map((e: { entry: LogEntry }) => e.entry);
    const tree = new MerkleTree(entries.map((e: LogEntry) => entryLeafHash(e)));
    const note = signNote(formatCheckpoint({ origin: operator.name, size: tree.size, rootHash: tree.root() }), operator);
    const view: LogView = { checkpoint: note, entries: entries.map((entry: LogEntry, index: number) => ({ index, entry, proof: tree.inclusionProof(index).map(bytesToHex) })) };
    expect(codeOf(checkCommitteeOnLog(view, ref, anchor))).toBe('sealed_not_witnessed');
    // Without the witnesses the same view passes: which is why the device pins the policy too.
    expect(codeOf(checkCommitteeOnLog(view, ref, { verifierKey: anchor.verifierKey }))).toBe('ok');
  });

  it('entries not in the witnessed checkpoint (a proof from another tree, a moved index, one changed byte): committee_unverified', () => {
    const anchor = { verifierKey: bundle.log.verifierKey, witnesses: policy };
    const view = { ...realView, checkpoint: cosigned(bundle.log.checkpoint, 2) };
    const moved = { ...view, entries: view.entries.map((e, i) => (i === 0 ? { ...e, index: e.index + 1 } : e)) };
    expect(codeOf(checkCommitteeOnLog(moved, ref, anchor))).toBe('sealed_committee_unverified');
    const changed = structuredClone(view.entries) as unknown as { index: number; proof: string[]; entry: { committee?: { k: number } } }[];
    const created = changed.find((e) => e.entry.committee)!;
    created.entry.committee!.k = 3;
    expect(codeOf(checkCommitteeOnLog({ ...view, entries: changed }, ref, anchor))).toBe('sealed_committee_unverified');
    expect(codeOf(checkCommitteeOnLog({ ...view, entries: [{ index: 0, entry: { kind: 'nonsense' }, proof: [] }] }, ref, anchor))).toBe('sealed_committee_unverified');
  });

  it('entries that are in the log but give another key than the letter names: committee_mismatch', () => {
    const other = { ...ref, publicKey: ref.id };
    expect(codeOf(checkCommitteeOnLog(realView, other, { verifierKey: bundle.log.verifierKey }))).toBe('sealed_committee_mismatch');
  });
});

describe('the witness policy a letter names is the pinned one', () => {
  it('same policy, or none on both sides: fine; dropped, added or changed: witness_policy_changed', () => {
    const anchor = { verifierKey: 'k', witnesses: policy };
    expect(codeOf(checkPolicyPinned(policy, anchor))).toBe('ok');
    expect(codeOf(checkPolicyPinned(undefined, { verifierKey: 'k' }))).toBe('ok');
    expect(codeOf(checkPolicyPinned(undefined, anchor))).toBe('witness_policy_changed');
    expect(codeOf(checkPolicyPinned(policy, { verifierKey: 'k' }))).toBe('witness_policy_changed');
    expect(codeOf(checkPolicyPinned({ ...policy, quorum: 1 }, anchor))).toBe('witness_policy_changed');
    expect(codeOf(checkPolicyPinned({ ...policy, witnesses: [...policy.witnesses].reverse() }, anchor))).toBe('witness_policy_changed');
  });
});
