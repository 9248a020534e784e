/**
 * C2SP signed-note and tlog-checkpoint with Ed25519: published vectors (golang.org/x/mod
 * sumdb/note, transparency-dev/formats), round trips, and malformed or forged notes.
 */
import { describe, it, expect } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, fromBase64, sha256, toBase64, utf8ToBytes } from '../src/core/encoding.ts';
import {
  MAX_SIGNATURES,
  formatCheckpoint,
  keyId,
  parseCheckpointBody,
  parseNote,
  parseVerifierKey,
  signNote,
  verifierKey,
  verifyCheckpoint,
} from '../src/core/log/checkpoint.ts';
import { ed25519Signer } from '../src/server/services/log.ts';
import sumdbNote from './fixtures/signed-note/golang-mod-sumdb-note.json' with { type: 'json' };
import sumdbCheckpoint from './fixtures/signed-note/transparency-dev-formats-sumdb-checkpoint.json' with { type: 'json' };

/** PRIVATE+KEY+<name>+<id>+base64(0x01 || seed) → seed. The base64 may itself contain '+'. */
function seedOf(signerKey: string): Uint8Array {
  const raw = fromBase64(signerKey.split('+').slice(4).join('+'));
  if (raw === null || raw[0] !== 0x01 || raw.length !== 33) throw new Error('bad signer key fixture');
  return raw.slice(1);
}

function codeOf(r: { ok: boolean; code?: string }): string {
  return r.ok ? 'ok' : (r.code ?? '?');
}

/** Replace the signature line's payload (key ID ‖ signature) through `edit`. */
function editSignature(note: string, edit: (raw: Uint8Array) => Uint8Array): string {
  const m = /^([\s\S]*\n\n\u2014 \S+ )(\S+)\n$/.exec(note);
  if (!m) throw new Error('unexpected note shape');
  return `${m[1]}${toBase64(edit(fromBase64(m[2])!))}\n`;
}

// A fixed test key (no randomness in tests either).
const logName = 'example.com/undersigned/test-log';
const logSeed = sha256(utf8ToBytes('undersigned test log key'));
const logPublic = ed25519.getPublicKey(logSeed);
const logVkey = verifierKey(logName, logPublic);
const rootHash = sha256(utf8ToBytes('some root'));

describe('golang.org/x/mod sumdb/note vector', () => {
  const peterSeed = seedOf(sumdbNote.peterSignerKey);
  const peterPublic = ed25519.getPublicKey(peterSeed);

  it('derives the same key ID and verifier key', () => {
    expect(bytesToHex(keyId('PeterNeumann', peterPublic))).toBe('c74f20a3');
    expect(verifierKey('PeterNeumann', peterPublic)).toBe(sumdbNote.peterVerifierKey);
    const parsed = parseVerifierKey(sumdbNote.peterVerifierKey);
    expect(parsed).toMatchObject({ ok: true, name: 'PeterNeumann' });
    if (parsed.ok) {
      expect(parsed.publicKey).toEqual(peterPublic);
      expect(bytesToHex(parsed.keyId)).toBe('c74f20a3');
    }
    const enoch = parseVerifierKey(sumdbNote.enochVerifierKey);
    expect(enoch.ok && bytesToHex(enoch.keyId)).toBe('af0cfe78');
  });

  it('signs to exactly the published note (Ed25519 is deterministic)', () => {
    expect(signNote(sumdbNote.text, { name: 'PeterNeumann', secretKey: peterSeed })).toBe(sumdbNote.signedNote);
  });

  it('signs to the same note with the server’s node:crypto signer', () => {
    const signer = ed25519Signer('PeterNeumann', peterSeed, ed25519.getPublicKey(peterSeed));
    expect(signNote(sumdbNote.text, signer)).toBe(sumdbNote.signedNote);
    for (let i = 0; i < 20; i++) {
      const body = `example.org/log\n${i}\n${toBase64(sha256(utf8ToBytes(String(i))))}\n`;
      expect(signNote(body, signer)).toBe(signNote(body, { name: 'PeterNeumann', secretKey: peterSeed }));
    }
    expect(() => ed25519Signer('PeterNeumann', peterSeed, ed25519.getPublicKey(new Uint8Array(32)))).toThrow(/not the secret key/);
  });

  it('parses the doubly signed note', () => {
    const r = parseNote(sumdbNote.text + '\n' + sumdbNote.peterSignatureLine + sumdbNote.enochSignatureLine);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.body).toBe(sumdbNote.text);
    expect(r.signatures.map((s) => [s.name, bytesToHex(s.keyId), s.signature.length])).toEqual([
      ['PeterNeumann', 'c74f20a3', 64],
      ['EnochRoot', 'af0cfe78', 64],
    ]);
  });

  it('verifies both signatures, then refuses the text as a checkpoint', () => {
    const note = sumdbNote.text + '\n' + sumdbNote.peterSignatureLine + sumdbNote.enochSignatureLine;
    // The signature check passes (else the code would be checkpoint_bad_signature); the two-line
    // text is simply not a checkpoint.
    expect(verifyCheckpoint(note, sumdbNote.peterVerifierKey)).toMatchObject({ code: 'checkpoint_malformed' });
    expect(verifyCheckpoint(note, sumdbNote.enochVerifierKey)).toMatchObject({ code: 'checkpoint_malformed' });
  });

  it('rejects the invalid signature of TestOpen (4 base64 chars inserted)', () => {
    const sig = sumdbNote.peterSignatureLine;
    const note = sumdbNote.text + '\n' + sig.slice(0, 60) + 'ABCD' + sig.slice(60);
    expect(codeOf(verifyCheckpoint(note, sumdbNote.peterVerifierKey))).toBe('checkpoint_bad_signature');
  });

  it('rejects the malformed messages of TestOpen', () => {
    const { text, peterSignatureLine: sig } = sumdbNote;
    const cases: [string | Uint8Array, string][] = [
      // No blank line, no signatures at all.
      [text, 'note_missing_blank_line'],
      // A blank line but nothing after it.
      [text + '\n', 'note_no_signatures'],
      // The signature line lacks its newline.
      [text + '\n' + sig.slice(0, -1), 'note_unterminated_line'],
      // U+0001 is an ASCII control character.
      ['\x01' + text + '\n' + sig, 'note_control_character'],
      // 0xFF never occurs in UTF-8.
      [concatBytes(new Uint8Array([0xff]), utf8ToBytes(text + '\n' + sig)), 'note_invalid_utf8'],
      // "Bad Name" has a space, and the line is unterminated: the missing newline is found first.
      [text + '\n' + '\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=', 'note_unterminated_line'],
      // A line after the signatures that is not a signature.
      [text + '\n' + sig + 'Unexpected line.\n', 'note_bad_signature_line'],
    ];
    for (const [note, code] of cases) {
      expect(codeOf(parseNote(note)), JSON.stringify(typeof note === 'string' ? note : '<bytes>')).toBe(code);
    }
  });

  it('rejects the mangled verifier keys of TestNewVerifier', () => {
    // Wrong key length, with the key ID adjusted to match.
    expect(codeOf(parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='))).toBe('verifier_key_malformed');
    // Unknown algorithm byte, with the key ID adjusted to match.
    expect(codeOf(parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'))).toBe('verifier_key_unknown_algorithm');
    // Every proper substring and every single-character change is refused.
    const k = sumdbNote.peterVerifierKey;
    for (let i = 0; i < k.length; i++) {
      for (let j = i + 1; j <= k.length; j++) {
        if (i !== 0 || j !== k.length) expect(parseVerifierKey(k.slice(i, j)).ok, k.slice(i, j)).toBe(false);
      }
      const changed = k.slice(0, i) + String.fromCharCode(k.charCodeAt(i) + 1) + k.slice(i + 1);
      expect(parseVerifierKey(changed).ok, changed).toBe(false);
    }
  });
});

describe('transparency-dev/formats: a real sum.golang.org checkpoint', () => {
  it('verifies and parses', () => {
    const r = verifyCheckpoint(sumdbCheckpoint.note, sumdbCheckpoint.verifierKey);
    expect(r).toMatchObject({ ok: true, origin: sumdbCheckpoint.origin, size: sumdbCheckpoint.size, extensions: [] });
    if (r.ok) expect(toBase64(r.rootHash)).toBe(sumdbCheckpoint.rootHash);
    // The same bytes as UTF-8.
    expect(verifyCheckpoint(utf8ToBytes(sumdbCheckpoint.note), sumdbCheckpoint.verifierKey).ok).toBe(true);
  });

  it('checks the expected origin when asked', () => {
    expect(verifyCheckpoint(sumdbCheckpoint.note, sumdbCheckpoint.verifierKey, { origin: 'go.sum database tree' }).ok).toBe(true);
    expect(codeOf(verifyCheckpoint(sumdbCheckpoint.note, sumdbCheckpoint.verifierKey, { origin: 'Go rocks but I might have the wrong ID' }))).toBe(
      'checkpoint_wrong_origin',
    );
  });
});

describe('checkpoint round trip', () => {
  const body = formatCheckpoint({ origin: logName, size: 1234, rootHash });
  const note = signNote(body, { name: logName, secretKey: logSeed });

  it('formats the body as three lines', () => {
    expect(body).toBe(`${logName}\n1234\n${toBase64(rootHash)}\n`);
    expect(formatCheckpoint({ origin: 'o', size: 0, rootHash })).toBe(`o\n0\n${toBase64(rootHash)}\n`);
  });

  it('signs with an em dash line and verifies', () => {
    expect(note.startsWith(body + '\n\u2014 ' + logName + ' ')).toBe(true);
    expect(note.endsWith('\n')).toBe(true);
    const r = verifyCheckpoint(note, logVkey, { origin: logName });
    expect(r).toMatchObject({ ok: true, origin: logName, size: 1234, extensions: [] });
    if (r.ok) expect(r.rootHash).toEqual(rootHash);
  });

  it('preserves extension lines', () => {
    const withExt = formatCheckpoint({ origin: logName, size: 7, rootHash, extensions: ['ext one', 'ext two'] });
    const r = verifyCheckpoint(signNote(withExt, { name: logName, secretKey: logSeed }), logVkey);
    expect(r).toMatchObject({ ok: true, size: 7, extensions: ['ext one', 'ext two'] });
  });

  it('ignores signatures from other keys, and accepts a cosigned note', () => {
    const other = sha256(utf8ToBytes('a witness'));
    const cosigned = note + signNote(body, { name: 'witness.example', secretKey: other }).slice(body.length + 1);
    expect(parseNote(cosigned)).toMatchObject({ ok: true });
    expect(verifyCheckpoint(cosigned, logVkey).ok).toBe(true);
    expect(verifyCheckpoint(cosigned, verifierKey('witness.example', ed25519.getPublicKey(other))).ok).toBe(true);
  });

  it('accepts up to MAX_SIGNATURES lines, not more', () => {
    const sigLine = note.slice(body.length + 1);
    expect(verifyCheckpoint(body + '\n' + sigLine.repeat(MAX_SIGNATURES), logVkey).ok).toBe(true);
    expect(codeOf(parseNote(body + '\n' + sigLine.repeat(MAX_SIGNATURES + 1)))).toBe('note_too_many_signatures');
  });
});

describe('forged or malformed checkpoints are rejected', () => {
  const body = formatCheckpoint({ origin: logName, size: 1234, rootHash });
  const note = signNote(body, { name: logName, secretKey: logSeed });
  const signed = (text: string) => signNote(text, { name: logName, secretKey: logSeed });
  const verify = (text: string | Uint8Array, vkey = logVkey) => codeOf(verifyCheckpoint(text, vkey));

  // The signature covers the body: 1234 -> 1235 breaks it.
  it('tampered body', () => expect(verify(note.replace('\n1234\n', '\n1235\n'))).toBe('checkpoint_bad_signature'));
  // One bit of the Ed25519 signature (after the 4-byte key ID) flipped.
  it('tampered signature', () => expect(verify(editSignature(note, (raw) => ((raw[10] ^= 0x04), raw)))).toBe('checkpoint_bad_signature'));
  // A truncated signature from the right key is a bad signature, not a foreign one.
  it('short signature', () => expect(verify(editSignature(note, (raw) => raw.slice(0, 40)))).toBe('checkpoint_bad_signature'));
  // Same public key under another name: the (name, key ID) pair is unknown, the signature ignored.
  it('wrong key name', () => expect(verify(note, verifierKey('example.com/other-log', logPublic))).toBe('checkpoint_unknown_key'));
  // The line's key ID no longer matches the key: ignored as a foreign signature.
  it('wrong key ID', () => expect(verify(editSignature(note, (raw) => ((raw[0] ^= 0x01), raw)))).toBe('checkpoint_unknown_key'));
  // Another key under the same name: different key ID, so the signature is foreign.
  it('another key with the same name', () => {
    const otherKey = verifierKey(logName, ed25519.getPublicKey(sha256(utf8ToBytes('other'))));
    expect(verify(note, otherKey)).toBe('checkpoint_unknown_key');
  });
  // A good signature followed by a forged one from the same key: the whole note is refused.
  it('a second, bad signature by the same key', () => {
    const sigLine = note.slice(body.length + 1);
    const bad = editSignature(note, (raw) => ((raw[20] ^= 0x01), raw)).slice(body.length + 1);
    expect(verify(body + '\n' + sigLine + bad)).toBe('checkpoint_bad_signature');
  });
  // Without the blank line nothing separates text from signatures.
  it('missing blank line', () => expect(verify(note.replace(`${toBase64(rootHash)}\n\n`, `${toBase64(rootHash)}\n`))).toBe('note_missing_blank_line'));
  // Two spaces between name and signature: the signature field starts with a space, not base64.
  it('extra space in the signature line', () => expect(verify(note.replace(`${logName} `, `${logName}  `))).toBe('note_bad_signature_encoding'));
  // A trailing space after the signature: not base64 either.
  it('trailing space on the signature line', () => expect(verify(note.slice(0, -1) + ' \n')).toBe('note_bad_signature_encoding'));
  // Two spaces after the em dash: the key name would be empty.
  it('extra space after the em dash', () => expect(verify(note.replace('\u2014 ', '\u2014  '))).toBe('note_bad_key_name'));
  // An ASCII hyphen is not an em dash.
  it('hyphen instead of em dash', () => expect(verify(note.replace('\u2014 ', '- '))).toBe('note_bad_signature_line'));
  // CRLF line endings: \r is a control character.
  it('CRLF line endings', () => expect(verify(note.replaceAll('\n', '\r\n'))).toBe('note_control_character'));
  // Unpaired surrogate: no UTF-8 encoding exists.
  it('lone surrogate', () => expect(verify(signed(`${logName}\n1\n${toBase64(rootHash)}\n`).replace(logName, logName + '\ud800'))).toBe('note_invalid_utf8'));
  // Non-canonical base64 (non-zero padding bits) in the signature.
  it('non-canonical base64 signature', () => {
    const m = /(\S+)\n$/.exec(note)!;
    const b64 = m[1];
    const last = b64[b64.length - 2]; // the character before the final '='
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const tweaked = b64.slice(0, -2) + alphabet[alphabet.indexOf(last) ^ 1] + '=';
    expect(verify(note.slice(0, -b64.length - 1) + tweaked + '\n')).toBe('note_bad_signature_encoding');
  });

  // Properly signed bodies that are not checkpoints:
  // Size with a leading zero (C2SP: no leading zeroes unless the tree is empty).
  it('non-canonical size 012', () => expect(verify(signed(`${logName}\n012\n${toBase64(rootHash)}\n`))).toBe('checkpoint_bad_size'));
  it('size with a plus sign', () => expect(verify(signed(`${logName}\n+12\n${toBase64(rootHash)}\n`))).toBe('checkpoint_bad_size'));
  // Whitespace inside the body is not trimmed.
  it('size with a trailing space', () => expect(verify(signed(`${logName}\n12 \n${toBase64(rootHash)}\n`))).toBe('checkpoint_bad_size'));
  it('size above 2^53 - 1', () => expect(verify(signed(`${logName}\n9007199254740992\n${toBase64(rootHash)}\n`))).toBe('checkpoint_bad_size'));
  // SHA-256 roots are 32 bytes.
  it('root of 31 bytes', () => expect(verify(signed(`${logName}\n12\n${toBase64(rootHash.slice(1))}\n`))).toBe('checkpoint_bad_root_hash'));
  it('root that is not base64', () => expect(verify(signed(`${logName}\n12\n${bytesToHex(rootHash)}\n`))).toBe('checkpoint_bad_root_hash'));
  it('empty origin', () => expect(verify(signed(`\n12\n${toBase64(rootHash)}\n`))).toBe('checkpoint_malformed'));
  it('only two lines', () => expect(verify(signed(`${logName}\n12\n`))).toBe('checkpoint_malformed'));
  // Extension lines must be non-empty; "a\n\nb\n" style bodies also move the note split.
  it('empty extension line', () => expect(codeOf(parseCheckpointBody(`${logName}\n12\n${toBase64(rootHash)}\n\nx\n`))).toBe('checkpoint_malformed'));

  // Bad trusted keys are reported, not thrown.
  it('verifier key with a wrong key ID', () => expect(verify(note, logVkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+'))).toBe('verifier_key_id_mismatch'));
  it('verifier key that is garbage', () => expect(verify(note, 'not a key')).toBe('verifier_key_malformed'));
});

describe('Ed25519 verification is strict RFC 8032, not ZIP-215', () => {
  it('refuses small-order public keys outright', () => {
    const identity = new Uint8Array(32);
    identity[0] = 1; // y = 1: the neutral element
    const id = bytesToHex(keyId('weak', identity));
    expect(codeOf(parseVerifierKey(`weak+${id}+${toBase64(concatBytes(new Uint8Array([1]), identity))}`))).toBe('verifier_key_malformed');
  });

  it('refuses a signature whose R is a non-canonical encoding', () => {
    // Sign with nonce r = 0, so R is the neutral element, and encode it as y = p + 1 (y >= p is
    // non-canonical). S = k·a with k = SHA-512(R' ‖ A ‖ M): the cofactored equation holds, so the
    // permissive ZIP-215 rules accept it; RFC 8032 §5.1.7 decoding does not.
    const body = formatCheckpoint({ origin: logName, size: 1, rootHash });
    const msg = utf8ToBytes(body);
    const p = 2n ** 255n - 19n;
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const le = (x: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((x >> BigInt(8 * i)) & 0xffn));
    const fromLe = (b: Uint8Array) => b.reduceRight((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
    const R = le(p + 1n);
    const { scalar } = ed25519.utils.getExtendedPublicKey(logSeed);
    const k = fromLe(sha512(concatBytes(R, logPublic, msg))) % L;
    const S = le((k * scalar) % L);
    const sig = concatBytes(R, S);
    expect(ed25519.verify(sig, msg, logPublic)).toBe(true); // noble's default (ZIP-215)
    expect(ed25519.verify(sig, msg, logPublic, { zip215: false })).toBe(false);
    const note = `${body}\n\u2014 ${logName} ${toBase64(concatBytes(keyId(logName, logPublic), sig))}\n`;
    expect(codeOf(verifyCheckpoint(note, logVkey))).toBe('checkpoint_bad_signature');
  });
});

describe('producers reject programmer errors', () => {
  it('throws on bad names, bodies, sizes and hashes', () => {
    expect(() => signNote('no newline', { name: logName, secretKey: logSeed })).toThrow(TypeError);
    expect(() => signNote('tab\there\n', { name: logName, secretKey: logSeed })).toThrow(TypeError);
    expect(() => signNote('ok\n', { name: 'has space', secretKey: logSeed })).toThrow(TypeError);
    expect(() => signNote('ok\n', { name: 'has+plus', secretKey: logSeed })).toThrow(TypeError);
    expect(() => signNote('ok\n', { name: logName, secretKey: logSeed.slice(1) })).toThrow(TypeError);
    expect(() => verifierKey('n\u00a0bsp', logPublic)).toThrow(TypeError);
    expect(() => keyId(logName, logPublic.slice(1))).toThrow(TypeError);
    expect(() => formatCheckpoint({ origin: '', size: 1, rootHash })).toThrow(TypeError);
    expect(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash })).toThrow(TypeError);
    expect(() => formatCheckpoint({ origin: 'o', size: -1, rootHash })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: 'o', size: 1.5, rootHash })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: rootHash.slice(1) })).toThrow(TypeError);
    expect(() => formatCheckpoint({ origin: 'o', size: 1, rootHash, extensions: [''] })).toThrow(TypeError);
  });
});
