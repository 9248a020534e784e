/**
 * A trustee's secret, kept in a passphrase-encrypted file (the same construction as the member's
 * identity file, docs/protocol.md §3.3: scrypt, then XChaCha20-Poly1305 with the whole header as
 * associated data). The file holds a 32-byte seed; the transport secret is derived from it, and the
 * trustee's dealing polynomial from that (src/core/trustee/dkg.ts), so nothing else must be stored:
 * the key share itself is recomputed from the public log whenever it is needed.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { canonicalBytes, fromBase64, toBase64 } from '../encoding.ts';
import { type Check, fail, pass } from '../result.ts';
import { G, encodePoint, mod, mul } from './group.ts';

export const TRUSTEE_FILE_FORMAT = 'undersigned-trustee/1';

const FileSchema = z
  .object({
    format: z.literal(TRUSTEE_FILE_FORMAT),
    kdf: z.object({ name: z.literal('scrypt'), N: z.number().int(), r: z.number().int(), p: z.number().int(), salt: z.string() }).strict(),
    cipher: z.object({ name: z.literal('xchacha20-poly1305'), nonce: z.string() }).strict(),
    /** The transport public key, so a person can tell files apart without the passphrase. */
    transportKey: z.string().regex(/^[0-9a-f]{64}$/),
    ciphertext: z.string(),
  })
  .strict();
export type TrusteeFile = z.infer<typeof FileSchema>;

export function transportSecret(seed: Uint8Array): bigint {
  const h = sha512(concatBytes(utf8ToBytes('undersigned/trustee-secret/v1'), new Uint8Array([0]), seed));
  let v = 0n;
  for (let i = h.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(h[i]);
  return mod(v);
}

function header(f: Omit<TrusteeFile, 'ciphertext'>): Uint8Array {
  return canonicalBytes({ format: f.format, kdf: f.kdf, cipher: f.cipher, transportKey: f.transportKey });
}

export async function sealTrusteeFile(input: { seed: Uint8Array; passphrase: string; salt: Uint8Array; nonce: Uint8Array; N?: number }): Promise<TrusteeFile> {
  if (input.seed.length !== 32 || input.salt.length !== 16 || input.nonce.length !== 24) throw new TypeError('seed 32, salt 16, nonce 24 bytes');
  if (!input.passphrase) throw new TypeError('a passphrase is required');
  const kdf = { name: 'scrypt' as const, N: input.N ?? 2 ** 17, r: 8, p: 1, salt: toBase64(input.salt) };
  const head = {
    format: TRUSTEE_FILE_FORMAT,
    kdf,
    cipher: { name: 'xchacha20-poly1305' as const, nonce: toBase64(input.nonce) },
    transportKey: encodePoint(mul(G, transportSecret(input.seed))),
  } as const;
  const key = await scryptAsync(utf8ToBytes(input.passphrase.normalize('NFC')), input.salt, { N: kdf.N, r: kdf.r, p: kdf.p, dkLen: 32 });
  const ciphertext = xchacha20poly1305(key, input.nonce, header(head)).encrypt(input.seed);
  return { ...head, ciphertext: toBase64(ciphertext) };
}

export async function openTrusteeFile(json: unknown, passphrase: string): Promise<Check<{ secret: bigint; transportKey: string }>> {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch {
      return fail('trustee_file_not_json', 'the trustee file is not JSON');
    }
  }
  const parsed = FileSchema.safeParse(value);
  if (!parsed.success) return fail('trustee_file_malformed', `not an undersigned trustee file (${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message})`);
  const f = parsed.data;
  if (f.kdf.N < 2 ** 14 || f.kdf.N > 2 ** 20 || (f.kdf.N & (f.kdf.N - 1)) !== 0 || f.kdf.r !== 8 || f.kdf.p < 1 || f.kdf.p > 4) {
    return fail('trustee_file_weak_kdf', 'the file asks for scrypt parameters outside the accepted range');
  }
  const salt = fromBase64(f.kdf.salt);
  const nonce = fromBase64(f.cipher.nonce);
  const ct = fromBase64(f.ciphertext);
  if (!salt || salt.length !== 16 || !nonce || nonce.length !== 24 || !ct || ct.length !== 48) return fail('trustee_file_malformed', 'a field of the trustee file has the wrong length');
  const key = await scryptAsync(utf8ToBytes(passphrase.normalize('NFC')), salt, { N: f.kdf.N, r: f.kdf.r, p: f.kdf.p, dkLen: 32 });
  let seed: Uint8Array;
  try {
    seed = xchacha20poly1305(key, nonce, header(f)).decrypt(ct);
  } catch {
    return fail('trustee_file_wrong_passphrase', 'wrong passphrase, or the file was altered');
  }
  const secret = transportSecret(seed);
  if (encodePoint(mul(G, secret)) !== f.transportKey) return fail('trustee_file_key_mismatch', 'the file decrypts to another key than it states');
  return pass({ secret, transportKey: f.transportKey });
}
