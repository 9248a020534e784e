/**
 * Membership sessions (docs/protocol.md §5): a member proves membership of the current roster over
 * a fresh server challenge and gets a session token tied to no one, which lets them read what a
 * letter shows to members only.
 */
import { bytesToHex } from '../../core/encoding.ts';
import type { SemaphoreProof } from '../../core/crypto/semaphore.ts';
import { sessionMessage, sessionScope } from '../../core/identity/session.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db.ts';
import { ApiError, badRequest } from '../errors.ts';
import { hashToken, toBase64Url } from '../tokens.ts';
import type { IngestVerifier } from './ingest.ts';
import type { RosterService } from './roster.ts';

const SESSION_LIFETIME_MINUTES = 60;
const CHALLENGE_LIFETIME_MINUTES = 10;

export interface SessionDeps {
  db: Db;
  roster: RosterService;
  verifier: IngestVerifier;
  clock: Clock;
  randomBytes: (n: number) => Uint8Array;
}

export class SessionService {
  private readonly db: Db;

  constructor(private readonly deps: SessionDeps) {
    this.db = deps.db;
  }

  async challenge(): Promise<{ challenge: string; expiresAt: string }> {
    const challenge = bytesToHex(this.deps.randomBytes(32));
    const expiresAt = this.deps.clock.later(CHALLENGE_LIFETIME_MINUTES);
    await this.db.insertInto('challenges').values({ challenge, expires_at: expiresAt, used: 0 }).execute();
    return { challenge, expiresAt };
  }

  /** Exchange a membership proof over a fresh challenge for a session token tied to no one. */
  async open(challenge: string, proof: SemaphoreProof): Promise<{ session: string; expiresAt: string }> {
    const row = await this.db.selectFrom('challenges').selectAll().where('challenge', '=', challenge).executeTakeFirst();
    if (!row || row.used) throw new ApiError(403, 'challenge_invalid', 'this challenge is unknown or was already used: ask for a new one');
    if (row.expires_at < this.deps.clock.iso()) throw new ApiError(403, 'challenge_expired', 'this challenge has expired: ask for a new one');
    const { ref } = await this.deps.roster.current();
    if (proof.merkleTreeRoot !== ref.root || proof.merkleTreeDepth !== ref.depth) throw badRequest('wrong_root', 'the proof is not against the current roster');
    if (proof.scope !== sessionScope(challenge).toString() || proof.message !== sessionMessage(challenge).toString()) {
      throw badRequest('wrong_scope', 'the proof is not over this challenge');
    }
    if (!(await this.deps.verifier.verify(proof))) throw badRequest('bad_proof', 'the membership proof does not verify');
    const session = toBase64Url(this.deps.randomBytes(32));
    const expiresAt = this.deps.clock.later(SESSION_LIFETIME_MINUTES);
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('challenges').set({ used: 1 }).where('challenge', '=', challenge).where('used', '=', 0).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new ApiError(403, 'challenge_invalid', 'this challenge was already used');
      await trx.insertInto('sessions').values({ token_hash: hashToken(session), expires_at: expiresAt }).execute();
    });
    return { session, expiresAt };
  }

  /** Whether a session token is one we gave and has not expired. */
  async check(token: string | undefined): Promise<boolean> {
    if (!token) return false;
    const row = await this.db.selectFrom('sessions').select('expires_at').where('token_hash', '=', hashToken(token)).executeTakeFirst();
    return row !== undefined && row.expires_at >= this.deps.clock.iso();
  }
}
