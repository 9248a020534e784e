/**
 * Bearer secrets (setup and organizer tokens, enrollment codes, sessions): the database keeps only
 * their SHA-256, so a copy of it opens nothing.
 */
import { bytesToHex, sha256, utf8ToBytes } from '../core/encoding.ts';

export const hashToken = (token: string): string => bytesToHex(sha256(utf8ToBytes(token)));

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
