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
import { letterId } from '../src/core/letter/letter.ts';
import { checkCommitteeOnLog, checkOpenedOnLog, checkPolicyPinned, checkWitnessedCheckpoint, type LogView } from '../src/core/member/witnessed-log.ts';

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

describe('the letter or ballot a member signs, taken from its opening on the witnessed log', () => {
  const procedure = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/bad-bundles/good/procedure.json'), 'utf8'));
  const anchor = { verifierKey: bundle.log.verifierKey, witnesses: policy };
  const letterView: LogView = { checkpoint: cosigned(bundle.log.checkpoint, 2), entries: [bundle.opened] };
  const ballotView: LogView = { checkpoint: cosigned(procedure.log.checkpoint, 2), entries: [procedure.opened] };
  const ballotAnchor = { verifierKey: procedure.log.verifierKey, witnesses: policy };

  it('the opening in a checkpoint the quorum cosigned: the letter (and the ballot) are the logged ones', () => {
    const r = checkOpenedOnLog(letterView, bundle.letterId, anchor, 'letter');
    expect(r.ok && r.letter).toEqual(bundle.opened.entry.letter);
    expect(r.ok && [r.index, r.size]).toEqual([bundle.opened.index, Number(body.split('\n')[1])]);
    const b = checkOpenedOnLog(ballotView, procedure.ballotId, ballotAnchor, 'ballot');
    expect(b.ok && b.ballot).toEqual(procedure.opened.entry.ballot);
    // An unwitnessed instance: the log key alone.
    expect(codeOf(checkOpenedOnLog({ ...letterView, checkpoint: bundle.log.checkpoint }, bundle.letterId, { verifierKey: anchor.verifierKey }, 'letter'))).toBe('ok');
  });

  it('the bare checkpoint, one cosignature short, or another log key: letter_not_witnessed, letter_log_unverified', () => {
    expect(codeOf(checkOpenedOnLog({ ...letterView, checkpoint: bundle.log.checkpoint }, bundle.letterId, anchor, 'letter'))).toBe('letter_not_witnessed');
    expect(codeOf(checkOpenedOnLog({ ...letterView, checkpoint: cosigned(bundle.log.checkpoint, 1) }, bundle.letterId, anchor, 'letter'))).toBe('letter_not_witnessed');
    expect(codeOf(checkOpenedOnLog({ ...ballotView, checkpoint: procedure.log.checkpoint }, procedure.ballotId, ballotAnchor, 'ballot'))).toBe('ballot_not_witnessed');
    const otherKey = verifierKey('localhost/undersigned', ed25519.getPublicKey(new Uint8Array(32).fill(3)));
    expect(codeOf(checkOpenedOnLog(letterView, bundle.letterId, { ...anchor, verifierKey: otherKey }, 'letter'))).toBe('letter_log_unverified');
  });

  it('a letter shown to one member only, from a tree the operator signed with the log key: no witness cosigned it', () => {
    const operator = { name: 'operator.test/log', secretKey: new Uint8Array(32).fill(5) };
    const opAnchor = { verifierKey: verifierKey(operator.name, ed25519.getPublicKey(operator.secretKey)), witnesses: policy };
    const tree = new MerkleTree([entryLeafHash(bundle.opened.entry)]);
    const note = signNote(formatCheckpoint({ origin: operator.name, size: 1, rootHash: tree.root() }), operator);
    const view: LogView = { checkpoint: note, entries: [{ index: 0, entry: bundle.opened.entry, proof: [] }] };
    expect(codeOf(checkOpenedOnLog(view, bundle.letterId, opAnchor, 'letter'))).toBe('letter_not_witnessed');
    expect(codeOf(checkOpenedOnLog(view, bundle.letterId, { verifierKey: opAnchor.verifierKey }, 'letter'))).toBe('ok');
  });

  it('an opening that is not in the tree, of another letter, of another kind, or with other words: refused', () => {
    const notIn = (v: LogView, id = bundle.letterId) => codeOf(checkOpenedOnLog(v, id, anchor, 'letter'));
    expect(notIn({ ...letterView, entries: [{ ...bundle.opened, index: bundle.opened.index + 1 }] })).toBe('letter_not_on_log');
    expect(notIn({ ...letterView, entries: [{ ...bundle.opened, proof: bundle.opened.proof.slice(1) }] })).toBe('letter_not_on_log');
    expect(notIn({ ...letterView, entries: [{ ...bundle.opened, proof: ['zz'] }] })).toBe('letter_not_on_log');
    const reworded = structuredClone(bundle.opened);
    reworded.entry.letter.text += ' (and resign)';
    expect(notIn({ ...letterView, entries: [reworded] })).toBe('letter_id_mismatch');
    expect(notIn(letterView, 'ab'.repeat(32))).toBe('letter_not_on_log');
    expect(notIn({ ...letterView, entries: [bundle.records[0]] })).toBe('letter_not_on_log');
    expect(notIn({ ...letterView, entries: [] })).toBe('letter_not_on_log');
    expect(notIn({ ...letterView, entries: [bundle.opened, bundle.opened] })).toBe('letter_not_on_log');
    expect(notIn({ ...letterView, entries: [{ index: 0, entry: { kind: 'nonsense' }, proof: [] }] })).toBe('letter_not_on_log');
    expect(notIn({ checkpoint: letterView.checkpoint } as LogView)).toBe('letter_not_on_log');
    expect(codeOf(checkOpenedOnLog(ballotView, procedure.ballotId, ballotAnchor, 'letter'))).toBe('letter_not_on_log');
  });

  it('an opening the log holds whose words do not hash to the id (logged by a lying server): letter_id_mismatch, ballot_id_mismatch', () => {
    // The operator appends an opening whose letterId is not its words' hash, in a tree the witnesses cosign.
    const forge = (entry: LogEntry) => {
      const tree = new MerkleTree([entryLeafHash(entry)]);
      const note = signNote(formatCheckpoint({ origin: 'operator.test/log', size: 1, rootHash: tree.root() }), { name: 'operator.test/log', secretKey: new Uint8Array(32).fill(5) });
      return { checkpoint: cosigned(note, 2), entries: [{ index: 0, entry, proof: [] }] };
    };
    const vk = { verifierKey: verifierKey('operator.test/log', ed25519.getPublicKey(new Uint8Array(32).fill(5))), witnesses: policy };
    const letter = { ...bundle.opened.entry, letter: { ...bundle.opened.entry.letter, title: 'Other words' } };
    expect(codeOf(checkOpenedOnLog(forge(letter), bundle.letterId, vk, 'letter'))).toBe('letter_id_mismatch');
    const ballot = { ...procedure.opened.entry, ballot: { ...procedure.opened.entry.ballot, question: 'Another question?' } };
    expect(codeOf(checkOpenedOnLog(forge(ballot), procedure.ballotId, vk, 'ballot'))).toBe('ballot_id_mismatch');
  });
});

describe('a client that pins no policy (the member CLI) takes the witnesses the letter names: its id commits to them', () => {
  const operator = { name: 'operator.test/log', secretKey: new Uint8Array(32).fill(5) };
  const vk = verifierKey(operator.name, ed25519.getPublicKey(operator.secretKey));
  const letter = { ...bundle.opened.entry.letter, witnesses: policy };
  const id = letterId(letter);
  const entry = { ...bundle.opened.entry, letterId: id, letter } as LogEntry;
  const tree = new MerkleTree([entryLeafHash(entry)]);
  const note = signNote(formatCheckpoint({ origin: operator.name, size: 1, rootHash: tree.root() }), operator);
  const view = (checkpoint: string): LogView => ({ checkpoint, entries: [{ index: 0, entry, proof: [] }] });

  it('the quorum of the witnesses the letter names cosigned: ok; one short, or none: letter_not_witnessed', () => {
    expect(codeOf(checkOpenedOnLog(view(cosigned(note, 2)), id, { verifierKey: vk, witnesses: 'as-named' }, 'letter'))).toBe('ok');
    expect(codeOf(checkOpenedOnLog(view(cosigned(note, 1)), id, { verifierKey: vk, witnesses: 'as-named' }, 'letter'))).toBe('letter_not_witnessed');
    expect(codeOf(checkOpenedOnLog(view(note), id, { verifierKey: vk, witnesses: 'as-named' }, 'letter'))).toBe('letter_not_witnessed');
  });

  it('the same letter with the witnesses dropped is another letter (another id): letter_id_mismatch', () => {
    const { witnesses: _dropped, ...bare } = letter;
    const e2 = { ...entry, letter: bare } as LogEntry;
    const t2 = new MerkleTree([entryLeafHash(e2)]);
    const n2 = signNote(formatCheckpoint({ origin: operator.name, size: 1, rootHash: t2.root() }), operator);
    expect(codeOf(checkOpenedOnLog({ checkpoint: n2, entries: [{ index: 0, entry: e2, proof: [] }] }, id, { verifierKey: vk, witnesses: 'as-named' }, 'letter'))).toBe('letter_id_mismatch');
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
