import { beforeAll, describe, expect, it } from 'vitest';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { Identity } from '@semaphore-protocol/identity';
import {
  IDENTITY_FILE_FORMAT,
  type IdentityFile,
  openIdentityFile,
  sealIdentityFile,
} from '../src/core/identity/identity-file.ts';
import { canonicalBytes, fromBase64, toBase64, utf8ToBytes } from '../src/core/encoding.ts';

// Fast but still accepted: the floor is N = 2^14.
const KDF = { N: 2 ** 14, r: 8, p: 1 };
const PASS = 'correct horse battery staple';

const bytes = (length: number, start: number) => Uint8Array.from({ length }, (_, i) => (start + i * 7) & 0xff);
const privateKey = bytes(32, 1);
const salt = bytes(16, 100);
const nonce = bytes(24, 200);
const label = { instance: 'Caucus of the Left', memberName: 'Geneviève Côté' };

let file: IdentityFile;
const clone = (): IdentityFile => structuredClone(file);

beforeAll(async () => {
  file = await sealIdentityFile({ privateKey, passphrase: PASS, salt, nonce, label, kdf: KDF });
});

describe('sealIdentityFile / openIdentityFile round trip', () => {
  it('writes the documented shape with the public commitment', () => {
    const id = new Identity(privateKey);
    expect(file).toEqual({
      format: IDENTITY_FILE_FORMAT,
      kdf: { name: 'scrypt', N: KDF.N, r: KDF.r, p: KDF.p, salt: toBase64(salt) },
      cipher: { name: 'xchacha20-poly1305', nonce: toBase64(nonce) },
      commitment: id.commitment.toString(),
      label,
      ciphertext: expect.any(String),
    });
    expect(fromBase64(file.ciphertext)?.length).toBe(48);
  });

  it('opens with the right passphrase and returns the same key and commitment', async () => {
    const opened = await openIdentityFile(file, PASS);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(opened.privateKey).toEqual(privateKey);
    expect(opened.commitment).toBe(new Identity(opened.privateKey).commitment.toString());
    expect(opened.commitment).toBe(new Identity(privateKey).commitment.toString());
    expect(opened.label).toEqual(label);
  });

  it('accepts the file as JSON text', async () => {
    const opened = await openIdentityFile(JSON.stringify(file, null, 2), PASS);
    expect(opened.ok).toBe(true);
  });

  it('works with no label, and with the passphrase typed in another Unicode normal form', async () => {
    const passphrase = 'Geneviève à Québec'.normalize('NFC');
    const f = await sealIdentityFile({ privateKey, passphrase, salt, nonce, kdf: KDF });
    expect(f.label).toEqual({});
    const opened = await openIdentityFile(JSON.stringify(f), passphrase.normalize('NFD'));
    expect(opened.ok && opened.label).toEqual({});
  });

  it('is deterministic for the same inputs (no randomness inside)', async () => {
    const again = await sealIdentityFile({ privateKey, passphrase: PASS, salt, nonce, label, kdf: KDF });
    expect(again).toEqual(file);
  });
});

describe('openIdentityFile rejects', () => {
  it('a wrong passphrase, saying it may also be an altered file', async () => {
    const r = await openIdentityFile(file, 'correct horse battery stapler');
    expect(r).toMatchObject({ ok: false, code: 'identity_file_wrong_passphrase' });
    expect(!r.ok && r.reason).toContain('wrong passphrase, or the file was altered');
  });

  const alterations: [string, (f: IdentityFile) => void][] = [
    ['kdf.salt', (f) => (f.kdf.salt = toBase64(bytes(16, 101)))],
    ['cipher.nonce', (f) => (f.cipher.nonce = toBase64(bytes(24, 201)))],
    ['kdf.N', (f) => (f.kdf.N = 2 ** 15)],
    ['kdf.r', (f) => (f.kdf.r = 9)],
    ['kdf.p', (f) => (f.kdf.p = 2)],
    ['commitment', (f) => (f.commitment = new Identity(bytes(32, 2)).commitment.toString())],
    ['label.memberName', (f) => (f.label.memberName = 'Marc-André Tremblay')],
    ['label.instance removed', (f) => delete f.label.instance],
    ['label.instance added', (f) => (f.label = { memberName: label.memberName, instance: 'Other' })],
  ];
  for (const [field, alter] of alterations) {
    it(`a file whose ${field} was altered`, async () => {
      const f = clone();
      alter(f);
      const r = await openIdentityFile(f, PASS);
      expect(r).toMatchObject({ ok: false, code: 'identity_file_wrong_passphrase' });
    });
  }

  it('a file whose format was altered', async () => {
    const f = { ...clone(), format: 'undersigned-identity/2' };
    const r = await openIdentityFile(f, PASS);
    expect(r).toMatchObject({ ok: false, code: 'identity_file_malformed' });
    expect(!r.ok && r.reason).toContain('format');
  });

  it('a bit-flipped ciphertext', async () => {
    for (const index of [0, 31, 47]) {
      const f = clone();
      const ct = fromBase64(f.ciphertext)!;
      ct[index] ^= 0x01;
      f.ciphertext = toBase64(ct);
      const r = await openIdentityFile(f, PASS);
      expect(r).toMatchObject({ ok: false, code: 'identity_file_wrong_passphrase' });
    }
  });

  it('a truncated ciphertext, naming the field', async () => {
    const f = clone();
    f.ciphertext = toBase64(fromBase64(f.ciphertext)!.subarray(0, 47));
    const r = await openIdentityFile(f, PASS);
    expect(r).toMatchObject({ ok: false, code: 'identity_file_malformed' });
    expect(!r.ok && r.reason).toContain('ciphertext');
  });

  it('text that is not JSON (including a truncated file)', async () => {
    expect(await openIdentityFile('hello', PASS)).toMatchObject({ ok: false, code: 'identity_file_not_json' });
    const text = JSON.stringify(file);
    expect(await openIdentityFile(text.slice(0, -10), PASS)).toMatchObject({ ok: false, code: 'identity_file_not_json' });
  });

  it('JSON that is not an object', async () => {
    for (const v of [null, 42, [], '"string"', '[1]']) {
      expect(await openIdentityFile(v, PASS)).toMatchObject({ ok: false, code: 'identity_file_malformed' });
    }
  });

  it('a foreign format', async () => {
    const r = await openIdentityFile({ format: 'age-encryption.org/v1', data: 'x' }, PASS);
    expect(r).toMatchObject({ ok: false, code: 'identity_file_malformed' });
    expect(!r.ok && r.reason).toContain('age-encryption.org/v1');
    expect(await openIdentityFile({ hello: 1 }, PASS)).toMatchObject({ ok: false, code: 'identity_file_malformed' });
  });

  it('a weak KDF, before spending time on it', async () => {
    for (const kdf of [{ N: 2 ** 13 }, { N: 2 ** 10 }, { r: 4 }, { r: 1 }]) {
      const f = clone();
      Object.assign(f.kdf, kdf);
      expect(await openIdentityFile(f, PASS)).toMatchObject({ ok: false, code: 'identity_file_weak_kdf' });
    }
  });

  it('KDF parameters that are not a power of two or too costly to run', async () => {
    for (const kdf of [{ N: 3 * 2 ** 14 }, { N: 2 ** 21 }, { N: 2 ** 40 }, { r: 64 }, { p: 0 }, { p: 100 }, { N: 1.5 }]) {
      const f = clone();
      Object.assign(f.kdf, kdf);
      const r = await openIdentityFile(f, PASS);
      expect(r).toMatchObject({ ok: false, code: 'identity_file_malformed' });
      expect(!r.ok && r.reason).toContain('kdf');
    }
  });

  it('bad base64 and wrong lengths, naming the field', async () => {
    const cases: [string, (f: IdentityFile) => void][] = [
      ['kdf.salt', (f) => (f.kdf.salt = 'not base64!')],
      ['kdf.salt', (f) => (f.kdf.salt = toBase64(bytes(15, 0)))],
      ['cipher.nonce', (f) => (f.cipher.nonce = toBase64(bytes(12, 0)))],
      ['kdf.salt', (f) => (f.kdf.salt = f.kdf.salt.replace(/=+$/, ''))], // unpadded
      ['ciphertext', (f) => (f.ciphertext = f.ciphertext + 'AAAA')],
      ['ciphertext', (f) => (f.ciphertext = '')],
    ];
    for (const [field, alter] of cases) {
      const f = clone();
      alter(f);
      const r = await openIdentityFile(f, PASS);
      expect(r).toMatchObject({ ok: false, code: 'identity_file_malformed' });
      expect(!r.ok && r.reason).toContain(field);
    }
  });

  it('missing, extra or mistyped fields, naming the field', async () => {
    const cases: [string, (f: Record<string, any>) => void][] = [
      ['commitment', (f) => delete f.commitment],
      ['commitment', (f) => (f.commitment = '0x12')],
      ['commitment', (f) => (f.commitment = 12)],
      ['kdf.name', (f) => (f.kdf.name = 'argon2id')],
      ['cipher.name', (f) => (f.cipher.name = 'aes-256-gcm')],
      ['kdf.N', (f) => (f.kdf.N = '16384')],
      ['label', (f) => (f.label.email = 'a@b.c')],
      ['label.memberName', (f) => (f.label.memberName = 'x'.repeat(201))],
      ['label', (f) => delete f.label],
      ['(file)', (f) => (f.note = 'unauthenticated extra field')],
    ];
    for (const [field, alter] of cases) {
      const f: Record<string, any> = clone();
      alter(f);
      const r = await openIdentityFile(f, PASS);
      expect(r, field).toMatchObject({ ok: false, code: 'identity_file_malformed' });
      expect(!r.ok && r.reason).toContain(field);
    }
  });

  it('a file that decrypts to a key whose commitment is not the stated one', async () => {
    // Built by hand: a sealer that wrote the wrong commitment (sealIdentityFile never does).
    const stated = new Identity(bytes(32, 2)).commitment.toString();
    const header = {
      format: IDENTITY_FILE_FORMAT,
      kdf: { name: 'scrypt', ...KDF, salt: toBase64(salt) },
      cipher: { name: 'xchacha20-poly1305', nonce: toBase64(nonce) },
      commitment: stated,
      label: {},
    };
    const key = await scryptAsync(utf8ToBytes(PASS), salt, { ...KDF, dkLen: 32 });
    const ciphertext = xchacha20poly1305(key, nonce, canonicalBytes(header)).encrypt(privateKey);
    const r = await openIdentityFile({ ...header, ciphertext: toBase64(ciphertext) }, PASS);
    expect(r).toMatchObject({ ok: false, code: 'identity_file_commitment_mismatch' });
    expect(!r.ok && r.reason).toContain(stated);
  });

  it('oversized text without parsing it', async () => {
    const r = await openIdentityFile(' '.repeat(100_000), PASS);
    expect(r).toMatchObject({ ok: false, code: 'identity_file_malformed' });
  });
});

describe('sealIdentityFile refuses bad arguments', () => {
  const base = { privateKey, passphrase: PASS, salt, nonce, kdf: KDF };
  it.each([
    ['a 31-byte key', { privateKey: bytes(31, 0) }],
    ['a 12-byte nonce', { nonce: bytes(12, 0) }],
    ['an 8-byte salt', { salt: bytes(8, 0) }],
    ['an empty passphrase', { passphrase: '' }],
    ['a lone surrogate in the passphrase', { passphrase: 'abc\uD800' }],
    ['a weak KDF', { kdf: { N: 2 ** 10, r: 8, p: 1 } }],
    ['a too-long label', { label: { memberName: 'x'.repeat(201) } }],
  ])('%s', async (_, change) => {
    await expect(sealIdentityFile({ ...base, ...change })).rejects.toThrow();
  });
});
