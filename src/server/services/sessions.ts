/**
 * Membership sessions (docs/protocol.md §8): a member proves membership of the current roster over
 * a fresh server challenge and gets a session token tied to no one, which lets them read what a
 * letter shows to members only.
 *
 * A challenge costs the server nothing to issue and leaves no trace: it is
 * nonce (12 bytes) ‖ expiry (4 bytes, Unix seconds, big-endian) ‖ tag (16 bytes), the tag being
 * HMAC-SHA-256 under the instance's session secret (`meta.session_secret`) over a domain tag, the
 * nonce and the expiry, truncated to 128 bits. 32 bytes in all, written as 64 hex characters as
 * before, so clients see no change. Only when a session is made is the challenge written down (in
 * `spent_challenges`, until it would have expired), so that it opens one session only. Expired
 * sessions and spent challenges are purged whenever a session is made: rows grow with sessions
 * opened in the last hour, never with challenges asked for.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { bytesToHex, hexToBytes } from '../../core/encoding.ts';
import type { SemaphoreProof } from '../../core/crypto/semaphore.ts';
import { sessionMessage, sessionScope } from '../../core/identity/session.ts';
import type { Clock } from '../clock.ts';
import { type Db, readMeta } from '../db.ts';
import { ApiError, badRequest } from '../errors.ts';
import { hashToken, toBase64Url } from '../tokens.ts';
import type { IngestVerifier } from './ingest.ts';
import type { RosterService } from './roster.ts';

const SESSION_LIFETIME_MINUTES = 60;
const CHALLENGE_LIFETIME_MINUTES = 10;
const CHALLENGE_TAG = 'undersigned/session-challenge/v1';
/** Where the instance keeps its session secret (`meta`): made by `init`, or on the first challenge of an older instance. */
export const SESSION_SECRET_META = 'session_secret';

export interface SessionDeps {
  db: Db;
  roster: RosterService;
  verifier: IngestVerifier;
  clock: Clock;
  randomBytes: (n: number) => Uint8Array;
}

export class SessionService {
  private readonly db: Db;
  private secret: Uint8Array | null = null;

  constructor(private readonly deps: SessionDeps) {
    this.db = deps.db;
  }

  /** A fresh challenge: nothing is stored. */
  async challenge(): Promise<{ challenge: string; expiresAt: string }> {
    const expiresAt = this.deps.clock.later(CHALLENGE_LIFETIME_MINUTES);
    const expiry = new Uint8Array(4);
    new DataView(expiry.buffer).setUint32(0, Date.parse(expiresAt) / 1000);
    const body = new Uint8Array([...this.deps.randomBytes(12), ...expiry]);
    return { challenge: bytesToHex(new Uint8Array([...body, ...(await this.tag(body))])), expiresAt };
  }

  /** Exchange a membership proof over a fresh challenge for a session token tied to no one. */
  async open(challenge: string, proof: SemaphoreProof): Promise<{ session: string; expiresAt: string }> {
    // Cheapest checks first: the tag and the expiry need no storage, the proof is checked last.
    const expiresAt = await this.challengeExpiry(challenge);
    if (expiresAt < this.deps.clock.iso()) throw new ApiError(403, 'challenge_expired', 'this challenge has expired: ask for a new one');
    if (await this.isSpent(challenge, this.db)) throw spent();
    const { ref } = await this.deps.roster.current();
    if (proof.merkleTreeRoot !== ref.root || proof.merkleTreeDepth !== ref.depth) throw badRequest('wrong_root', 'the proof is not against the current roster');
    if (proof.scope !== sessionScope(challenge).toString() || proof.message !== sessionMessage(challenge).toString()) {
      throw badRequest('wrong_scope', 'the proof is not over this challenge');
    }
    if (!(await this.deps.verifier.verify(proof))) throw badRequest('bad_proof', 'the membership proof does not verify');
    const session = toBase64Url(this.deps.randomBytes(32));
    const sessionExpiresAt = this.deps.clock.later(SESSION_LIFETIME_MINUTES);
    await this.db.transaction().execute(async (trx) => {
      await this.purgeExpired(trx);
      // Checked again inside the transaction: two concurrent exchanges of one challenge make one session.
      if (await this.isSpent(challenge, trx)) throw spent();
      await trx.insertInto('spent_challenges').values({ challenge, expires_at: expiresAt }).execute();
      await trx.insertInto('sessions').values({ token_hash: hashToken(session), expires_at: sessionExpiresAt }).execute();
    });
    return { session, expiresAt: sessionExpiresAt };
  }

  /** Whether a session token is one we gave and has not expired. */
  async check(token: string | undefined): Promise<boolean> {
    if (!token) return false;
    const row = await this.db.selectFrom('sessions').select('expires_at').where('token_hash', '=', hashToken(token)).executeTakeFirst();
    return row !== undefined && row.expires_at >= this.deps.clock.iso();
  }

  /** Sessions past their expiry and spent challenges past theirs: neither can be used any more. */
  async purgeExpired(db: Db = this.db): Promise<void> {
    const now = this.deps.clock.iso();
    await db.deleteFrom('sessions').where('expires_at', '<', now).execute();
    await db.deleteFrom('spent_challenges').where('expires_at', '<', now).execute();
  }

  /** The expiry a challenge carries, once its tag shows that this instance made it. */
  private async challengeExpiry(challenge: string): Promise<string> {
    if (!/^[0-9a-f]{64}$/.test(challenge)) throw new ApiError(403, 'challenge_invalid', 'a challenge is 64 lowercase hex characters: ask for a new one');
    const bytes = hexToBytes(challenge);
    const body = bytes.subarray(0, 16);
    if (!timingSafeEqual(bytes.subarray(16), await this.tag(body))) {
      throw new ApiError(403, 'challenge_invalid', 'this challenge was not made by this server: ask for a new one');
    }
    const seconds = new DataView(body.buffer, body.byteOffset + 12, 4).getUint32(0);
    return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private async isSpent(challenge: string, db: Db): Promise<boolean> {
    return (await db.selectFrom('spent_challenges').select('challenge').where('challenge', '=', challenge).executeTakeFirst()) !== undefined;
  }

  private async tag(body: Uint8Array): Promise<Uint8Array> {
    const mac = createHmac('sha256', await this.key());
    mac.update(CHALLENGE_TAG);
    mac.update(body);
    return new Uint8Array(mac.digest().subarray(0, 16));
  }

  /** The instance's session secret: made once, on the first challenge, and kept in `meta`. */
  private async key(): Promise<Uint8Array> {
    if (this.secret) return this.secret;
    let hex = await readMeta(this.db, SESSION_SECRET_META);
    if (hex === null) {
      // Two processes on one data directory may race: the first write wins and both read it back.
      await this.db
        .insertInto('meta')
        .values({ key: SESSION_SECRET_META, value: bytesToHex(this.deps.randomBytes(32)) })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      hex = (await readMeta(this.db, SESSION_SECRET_META))!;
    }
    this.secret = hexToBytes(hex);
    return this.secret;
  }
}

const spent = () => new ApiError(403, 'challenge_used', 'this challenge was already exchanged for a session: ask for a new one');
