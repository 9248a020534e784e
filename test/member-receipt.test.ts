/**
 * A member's receipt (src/core/member/receipt.ts), as the browser and the member CLI check it:
 * the entry the member sent is in a log signed by the key the member pinned.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex, sha256, utf8ToBytes } from '../src/core/encoding.ts';
import { formatCheckpoint, signNote, verifierKey } from '../src/core/log/checkpoint.ts';
import { type LogEntry, entryLeafHash } from '../src/core/log/entry.ts';
import { MerkleTree } from '../src/core/log/merkle.ts';
import { type Receipt, checkReceipt } from '../src/core/member/receipt.ts';

const origin = 'test.invalid/receipts';
const keyOf = (seed: string) => {
  const secretKey = sha256(utf8ToBytes(seed));
  return { secretKey, verifierKey: verifierKey(origin, ed25519.getPublicKey(secretKey)) };
};
const log = keyOf('log');
const entries: LogEntry[] = Array.from({ length: 5 }, (_, i) => ({ kind: 'member-added', member: i + 1, name: `Member ${i + 1}` }));
const tree = new MerkleTree(entries.map(entryLeafHash));
const receiptFor = (index: number, secretKey = log.secretKey): Receipt => ({
  index,
  leafHash: bytesToHex(entryLeafHash(entries[index])),
  proof: tree.inclusionProof(index).map(bytesToHex),
  checkpoint: signNote(formatCheckpoint({ origin, size: tree.size, rootHash: tree.root() }), { name: origin, secretKey }),
});

describe('a member checks a receipt', () => {
  it('a receipt for the entry sent, in a log signed by the pinned key, is accepted with the tree size', () => {
    expect(checkReceipt(receiptFor(3), entries[3], log.verifierKey)).toEqual({ ok: true, size: 5 });
  });

  it('a checkpoint signed by another key than the pinned one is refused', () => {
    expect(checkReceipt(receiptFor(3, keyOf('another').secretKey), entries[3], log.verifierKey)).toMatchObject({ ok: false, code: 'bad_receipt', reason: expect.stringContaining("the receipt's checkpoint") });
  });

  it('a receipt for another entry than the one sent is refused (the entry is hashed here, not taken from the receipt)', () => {
    expect(checkReceipt(receiptFor(2), entries[3], log.verifierKey)).toMatchObject({ ok: false, code: 'bad_receipt', reason: expect.stringContaining('does not prove the entry is in the log') });
    expect(checkReceipt({ ...receiptFor(2), leafHash: bytesToHex(entryLeafHash(entries[3])) }, entries[3], log.verifierKey)).toMatchObject({ ok: false, code: 'bad_receipt' });
  });

  it('a receipt that places the entry at another position is refused', () => {
    expect(checkReceipt({ ...receiptFor(3), index: 4 }, entries[3], log.verifierKey)).toMatchObject({ ok: false, code: 'bad_receipt' });
  });
});
