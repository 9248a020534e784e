/**
 * C2SP tlog-cosignature v1 (Ed25519, type 0x04) and the witness policy: the specification's
 * example, an independent Ed25519 (node:crypto, i.e. OpenSSL) on what we sign, and valid and
 * invalid cosignatures as a forger would make them.
 */
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, concatBytes, fromBase64, toBase64, utf8ToBytes } from '../src/core/encoding.ts';
import { formatCheckpoint, parseNote, parseVerifierKey, signNote, verifierKey, verifyCheckpoint } from '../src/core/log/checkpoint.ts';
import {
  addSignatureLines,
  checkWitnessPolicy,
  cosignatureLine,
  cosignedMessage,
  cosignerVerifierKey,
  parseCosignerKey,
  readTimestamp,
  verifyCosignatures,
  withoutSignaturesOf,
} from '../src/core/log/cosignature.ts';
import example from './fixtures/signed-note/c2sp-tlog-cosignature-example.json' with { type: 'json' };

const seed = (byte: number) => new Uint8Array(32).fill(byte);
const logKey = { name: 'example.org/log', secretKey: seed(1) };
const w1 = { name: 'w1.example.net/witness', secretKey: seed(2) };
const w2 = { name: 'w2.example.net/witness', secretKey: seed(3) };
const w3 = { name: 'w3.example.net/witness', secretKey: seed(4) };
const vkeyOf = (k: { name: string; secretKey: Uint8Array }) => cosignerVerifierKey(k.name, ed25519.getPublicKey(k.secretKey));
const policy = (quorum: number, ...ws: { name: string; secretKey: Uint8Array }[]) => ({ quorum, witnesses: ws.map(vkeyOf) });

const body = formatCheckpoint({ origin: 'example.org/log', size: 7, rootHash: new Uint8Array(32).fill(9) });
const logSigned = signNote(body, logKey);
const T = 1_765_000_000;

function codeOf(r: { ok: boolean; code?: string }): string {
  return r.ok ? 'ok' : (r.code ?? '?');
}

/** Replace the payload of the signature line of `name` through `edit`. */
function editLine(note: string, name: string, edit: (raw: Uint8Array) => Uint8Array): string {
  return note
    .split('\n')
    .map((line) => {
      const prefix = `\u2014 ${name} `;
      return line.startsWith(prefix) ? prefix + toBase64(edit(fromBase64(line.slice(prefix.length))!)) : line;
    })
    .join('\n');
}

describe('the specification (C2SP tlog-cosignature v1)', () => {
  it("parses the specification's example cosignature: key ID, and the timestamp of its own signed-message example", () => {
    const note = parseNote(example.checkpoint);
    expect(note.ok).toBe(true);
    if (!note.ok) return;
    const sig = note.signatures.find((s) => s.name === example.witnessName)!;
    expect(sig.signature.length).toBe(8 + 64);
    expect(readTimestamp(sig.signature)).toBe(example.timestamp);
    expect(new TextDecoder().decode(cosignedMessage(note.body, example.timestamp))).toBe(example.signedMessage);
  });

  it('the signed message is the header line, the time line, then the note text with its final newline', () => {
    expect(new TextDecoder().decode(cosignedMessage(body, 0))).toBe(`cosignature/v1\ntime 0\n${body}`);
    expect(new TextDecoder().decode(cosignedMessage(body, T))).toBe(`cosignature/v1\ntime ${T}\n${body}`);
  });

  it('key ID = SHA-256(name || 0x0A || 0x04 || key)[:4], and the verifier key carries type 0x04', () => {
    const pk = ed25519.getPublicKey(w1.secretKey);
    const id = createHash('sha256').update(Buffer.concat([Buffer.from(`${w1.name}\n`), Buffer.from([0x04]), Buffer.from(pk)])).digest().subarray(0, 4);
    expect(vkeyOf(w1)).toBe(`${w1.name}+${id.toString('hex')}+${toBase64(concatBytes(new Uint8Array([4]), pk))}`);
    const parsed = parseCosignerKey(vkeyOf(w1));
    expect(parsed.ok && bytesToHex(parsed.keyId)).toBe(id.toString('hex'));
    // A note key is not a cosigner key, and the reverse: the type byte keeps the two apart.
    expect(codeOf(parseCosignerKey(verifierKey(w1.name, pk)))).toBe('verifier_key_unknown_algorithm');
    expect(codeOf(parseVerifierKey(vkeyOf(w1)))).toBe('verifier_key_unknown_algorithm');
  });

  it('a cosignature line is base64(key ID || big-endian u64 timestamp || Ed25519 signature), and OpenSSL verifies the signature', () => {
    const line = cosignatureLine(body, T, w1);
    const m = /^\u2014 (\S+) (\S+)\n$/.exec(line)!;
    expect(m[1]).toBe(w1.name);
    const raw = fromBase64(m[2])!;
    expect(raw.length).toBe(4 + 8 + 64);
    expect(Buffer.from(raw.subarray(4, 12)).readBigUInt64BE()).toBe(BigInt(T));
    const pk = ed25519.getPublicKey(w1.secretKey);
    const spki = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(pk)]), format: 'der', type: 'spki' });
    const message = utf8ToBytes(`cosignature/v1\ntime ${T}\n${body}`);
    expect(nodeVerify(null, message, spki, raw.subarray(12))).toBe(true);
    // The note's own signature (type 0x01) is over the bare text: a cosignature is not a note signature.
    expect(nodeVerify(null, utf8ToBytes(body), spki, raw.subarray(12))).toBe(false);
  });
});

describe('verifying cosignatures against a policy', () => {
  const cosigned = addSignatureLines(logSigned, [cosignatureLine(body, T, w1), cosignatureLine(body, T + 5, w2)]);

  it('counts each policy witness with a valid line, reports who cosigned and when, and leaves the log signature valid', () => {
    const r = verifyCosignatures(cosigned, policy(2, w1, w2, w3));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.cosigned).toBe(2);
    expect(r.witnesses.map((w) => [w.name, w.cosigned, w.timestamp])).toEqual([
      [w1.name, true, T],
      [w2.name, true, T + 5],
      [w3.name, false, undefined],
    ]);
    expect(verifyCheckpoint(cosigned, verifierKey(logKey.name, ed25519.getPublicKey(logKey.secretKey))).ok).toBe(true);
  });

  it('fewer cosigners than the quorum: witness_quorum_not_met', () => {
    const r = verifyCosignatures(cosigned, policy(3, w1, w2, w3));
    expect(codeOf(r)).toBe('witness_quorum_not_met');
    expect(!r.ok && r.reason).toContain('2 of the 3');
  });

  it('one witness cosigning twice counts once', () => {
    const twice = addSignatureLines(logSigned, [cosignatureLine(body, T, w1), cosignatureLine(body, T + 1, w1)]);
    expect(codeOf(verifyCosignatures(twice, policy(2, w1, w2)))).toBe('witness_quorum_not_met');
    const one = verifyCosignatures(twice, policy(1, w1, w2));
    expect(one.ok && one.witnesses[0].timestamp).toBe(T + 1);
  });

  it('a line under a policy witness that does not verify is a forgery: witness_bad_cosignature', () => {
    // The timestamp changed after signing.
    const restamped = editLine(cosigned, w1.name, (raw) => {
      const out = raw.slice();
      out[11] ^= 1;
      return out;
    });
    expect(codeOf(verifyCosignatures(restamped, policy(1, w1, w2)))).toBe('witness_bad_cosignature');
    // The signature's last byte flipped.
    const flipped = editLine(cosigned, w2.name, (raw) => {
      const out = raw.slice();
      out[out.length - 1] ^= 1;
      return out;
    });
    expect(codeOf(verifyCosignatures(flipped, policy(1, w1, w2)))).toBe('witness_bad_cosignature');
    // No timestamp: a plain note signature (type 0x01 layout) under the witness's cosigner key ID.
    const untimed = editLine(cosigned, w1.name, (raw) => concatBytes(raw.slice(0, 4), raw.slice(12)));
    expect(codeOf(verifyCosignatures(untimed, policy(1, w1, w2)))).toBe('witness_bad_cosignature');
    // A timestamp above 2^63 - 1.
    const huge = editLine(cosigned, w1.name, (raw) => {
      const out = raw.slice();
      out[4] = 0x80;
      return out;
    });
    expect(codeOf(verifyCosignatures(huge, policy(1, w1, w2)))).toBe('witness_bad_cosignature');
  });

  it('a cosignature of another checkpoint, moved onto this one, does not verify', () => {
    const other = formatCheckpoint({ origin: 'example.org/log', size: 8, rootHash: new Uint8Array(32).fill(9) });
    const moved = addSignatureLines(logSigned, [cosignatureLine(other, T, w1)]);
    expect(codeOf(verifyCosignatures(moved, policy(1, w1)))).toBe('witness_bad_cosignature');
  });

  it('lines of unknown witnesses are ignored, even when they do not verify', () => {
    const stranger = { name: 'stranger.example/w', secretKey: seed(5) };
    const bogus = editLine(addSignatureLines(logSigned, [cosignatureLine(body, T, stranger)]), stranger.name, (raw) => raw.map((b) => b ^ 0xff));
    const r = verifyCosignatures(addSignatureLines(bogus, [cosignatureLine(body, T, w1)]), policy(1, w1));
    expect(r.ok).toBe(true);
    // The same name with another key (another key ID) is another witness: ignored.
    const impostor = { name: w1.name, secretKey: seed(6) };
    expect(codeOf(verifyCosignatures(addSignatureLines(logSigned, [cosignatureLine(body, T, impostor)]), policy(1, w1)))).toBe('witness_quorum_not_met');
  });

  it('notAfter: a cosignature dated in the future does not count', () => {
    expect(codeOf(verifyCosignatures(cosigned, policy(2, w1, w2), { notAfter: T + 4 }))).toBe('witness_quorum_not_met');
    expect(codeOf(verifyCosignatures(cosigned, policy(2, w1, w2), { notAfter: T + 5 }))).toBe('ok');
  });

  it('adding lines keeps the note, drops duplicates; removing a key takes its lines off', () => {
    const again = addSignatureLines(cosigned, [cosignatureLine(body, T, w1)]);
    expect(again).toBe(cosigned);
    const bare = withoutSignaturesOf(cosigned, [parseCosignerKey(vkeyOf(w1)), parseCosignerKey(vkeyOf(w2))].map((k) => (k.ok ? k : null)!));
    expect(bare).toBe(logSigned);
  });
});

describe('a witness policy', () => {
  it('refuses a key named twice, one key under two names, a note key, and a quorum it cannot meet', () => {
    expect(codeOf(checkWitnessPolicy(policy(1, w1, w2)))).toBe('ok');
    expect(codeOf(checkWitnessPolicy({ quorum: 1, witnesses: [vkeyOf(w1), vkeyOf(w1)] }))).toBe('witness_policy_invalid');
    const sameKey = { name: 'alias.example/w', secretKey: w1.secretKey };
    const r = checkWitnessPolicy(policy(2, w1, sameKey));
    expect(codeOf(r)).toBe('witness_policy_invalid');
    expect(!r.ok && r.reason).toContain("another witness's key");
    expect(codeOf(checkWitnessPolicy({ quorum: 1, witnesses: [verifierKey(w1.name, ed25519.getPublicKey(w1.secretKey))] }))).toBe('witness_policy_invalid');
    expect(codeOf(checkWitnessPolicy(policy(3, w1, w2)))).toBe('witness_policy_invalid');
    expect(codeOf(verifyCosignatures(logSigned, policy(3, w1, w2)))).toBe('witness_policy_invalid');
  });
});
