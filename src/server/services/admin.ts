/**
 * The instance itself and its organizer (docs/operations.md): creating the instance (its log key
 * and first log entry), opening it, the one-time setup link exchanged for an organizer token, and
 * checking that token on the organizer's requests.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '../../core/encoding.ts';
import { verifierKey as makeVerifierKey } from '../../core/log/checkpoint.ts';
import type { Clock } from '../clock.ts';
import { type Db, readMeta } from '../db.ts';
import { ApiError, badRequest, conflict, unauthorized } from '../errors.ts';
import { hashToken, toBase64Url } from '../tokens.ts';
import { normalizeName } from './enrollment.ts';
import type { LogService } from './log.ts';

const SETUP_LIFETIME_HOURS = 72;

export interface AdminDeps {
  db: Db;
  log: LogService;
  clock: Clock;
  randomBytes: (n: number) => Uint8Array;
}

export class AdminService {
  private readonly db: Db;

  constructor(private readonly deps: AdminDeps) {
    this.db = deps.db;
  }

  /** Whether the instance exists (its key is stored), even half made (see `isHalfMade`). */
  async isInitialized(): Promise<boolean> {
    return (await readMeta(this.db, 'origin')) !== null;
  }

  /**
   * An instance created by an older version whose `init` was interrupted (a crash between its two
   * commits: metadata, then the first log entry): its key is stored but its log has no first entry, so it answered 503 to
   * everything and refused a second `init`. `finishInit` completes it.
   */
  async isHalfMade(): Promise<boolean> {
    return (await this.isInitialized()) && (await this.deps.log.size()) === 0;
  }

  /**
   * Create the instance: its log signing key, the first log entry and a one-time setup token, in
   * ONE transaction (a crash leaves either nothing or a whole instance). On a half-made instance
   * (`isHalfMade`) this finishes it with the key and name it already has.
   */
  async init(options: { name: string; origin: string }): Promise<{ setupToken: string }> {
    if (await this.isHalfMade()) return this.finishInit();
    if (await this.isInitialized()) throw conflict('already_initialized', 'this instance already exists');
    if (!/^[a-z0-9.-]+(\/[A-Za-z0-9._-]+)*$/.test(options.origin)) {
      throw badRequest('bad_origin', 'the log origin is a host name like example.org/caucus');
    }
    const secretKey = this.deps.randomBytes(32);
    const publicKey = ed25519.getPublicKey(secretKey);
    const setupToken = toBase64Url(this.deps.randomBytes(24));
    this.deps.log.useKey(options.origin, secretKey);
    try {
      await this.db.transaction().execute(async (trx) => {
        // Another process may have created it since the check above.
        if ((await readMeta(trx, 'origin')) !== null) throw conflict('already_initialized', 'this instance already exists');
        await trx
          .insertInto('meta')
          .values([
            { key: 'origin', value: options.origin },
            { key: 'name', value: options.name },
            { key: 'signing_key', value: bytesToHex(secretKey) },
          ])
          .execute();
        await trx.insertInto('setup_tokens').values({ token_hash: hashToken(setupToken), expires_at: this.deps.clock.later(SETUP_LIFETIME_HOURS * 60), used: 0 }).execute();
        await this.deps.log.append({ kind: 'instance-created', name: options.name, verifierKey: makeVerifierKey(options.origin, publicKey) }, trx);
      });
    } catch (error) {
      this.deps.log.forgetKey(); // nothing was stored: the key signs nothing
      throw error;
    }
    return { setupToken };
  }

  /**
   * Finish a half-made instance (`isHalfMade`): its first log entry, with the key and name stored,
   * and a new setup token (the one made then was never shown: its `init` did not return).
   */
  async finishInit(): Promise<{ setupToken: string }> {
    const { origin, secretKey } = await this.storedKey();
    this.deps.log.useKey(origin, secretKey);
    const setupToken = toBase64Url(this.deps.randomBytes(24));
    await this.db.transaction().execute(async (trx) => {
      if ((await this.deps.log.size(trx)) !== 0) throw conflict('already_initialized', 'this instance already exists');
      const name = (await readMeta(trx, 'name')) ?? '';
      await trx.insertInto('setup_tokens').values({ token_hash: hashToken(setupToken), expires_at: this.deps.clock.later(SETUP_LIFETIME_HOURS * 60), used: 0 }).execute();
      await this.deps.log.append({ kind: 'instance-created', name, verifierKey: makeVerifierKey(origin, ed25519.getPublicKey(secretKey)) }, trx);
    });
    return { setupToken };
  }

  /** Load the signing key and the log into memory. */
  async load(): Promise<void> {
    const { origin, secretKey } = await this.storedKey();
    if ((await this.deps.log.size()) === 0) {
      throw new ApiError(503, 'half_made', 'this instance was interrupted while it was being created: run `undersigned init` (or `serve`) on its data directory to finish it');
    }
    this.deps.log.useKey(origin, secretKey);
    await this.deps.log.syncTree();
  }

  private async storedKey(): Promise<{ origin: string; secretKey: Uint8Array }> {
    const origin = await readMeta(this.db, 'origin');
    const key = await readMeta(this.db, 'signing_key');
    if (origin === null || key === null) throw new ApiError(503, 'not_initialized', 'this instance has not been created yet');
    return { origin, secretKey: hexToBytes(key) };
  }

  async info() {
    return {
      name: (await readMeta(this.db, 'name')) ?? '',
      origin: this.deps.log.origin,
      verifierKey: this.deps.log.verifierKey(),
      checkpoint: await this.deps.log.latestCheckpoint(),
      setupDone: (await this.db.selectFrom('admin_tokens').select('token_hash').executeTakeFirst()) !== undefined,
    };
  }

  /** Exchange the one-time setup token for an organizer token. Opening the link does not consume it. */
  async setup(token: string, name?: string): Promise<{ adminToken: string }> {
    const row = await this.db.selectFrom('setup_tokens').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
    if (!row || row.used) throw new ApiError(403, 'setup_token_invalid', 'this setup link is not valid or was already used');
    if (row.expires_at < this.deps.clock.iso()) throw new ApiError(403, 'setup_token_expired', 'this setup link has expired: run `undersigned init --new-setup-token`');
    const adminToken = toBase64Url(this.deps.randomBytes(32));
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('setup_tokens').set({ used: 1 }).where('token_hash', '=', row.token_hash).where('used', '=', 0).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new ApiError(403, 'setup_token_invalid', 'this setup link was already used');
      await trx.insertInto('admin_tokens').values({ token_hash: hashToken(adminToken) }).execute();
      // The display name only; the log's identity is its origin and key, which never change.
      if (name !== undefined) await trx.updateTable('meta').set({ value: normalizeName(name) }).where('key', '=', 'name').execute();
    });
    return { adminToken };
  }

  async newSetupToken(): Promise<string> {
    const token = toBase64Url(this.deps.randomBytes(24));
    await this.db.insertInto('setup_tokens').values({ token_hash: hashToken(token), expires_at: this.deps.clock.later(SETUP_LIFETIME_HOURS * 60), used: 0 }).execute();
    return token;
  }

  async checkAdmin(token: string | undefined): Promise<void> {
    if (!token) throw unauthorized();
    const row = await this.db.selectFrom('admin_tokens').select('token_hash').where('token_hash', '=', hashToken(token)).executeTakeFirst();
    if (!row) throw unauthorized('this organizer token is not valid');
  }
}
