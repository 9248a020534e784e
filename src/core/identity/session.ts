/**
 * Membership sessions (docs/protocol.md §8): to read content that only members may see, a member
 * proves membership over a fresh server challenge. The nullifier is scoped to that challenge, so
 * two sessions of one member cannot be linked to each other, to a roster entry or to a signature.
 */
import { taggedHash } from '../encoding.ts';
import { hexToBigint } from '../crypto/semaphore.ts';

export function sessionScope(challenge: string): bigint {
  return hexToBigint(taggedHash('undersigned/session/v1', { challenge }));
}

export function sessionMessage(challenge: string): bigint {
  return hexToBigint(challenge);
}
