/**
 * The instance itself and its organizer (docs/api.md "Instance and setup", "Organizer tokens";
 * docs/deploy.md): creating the instance (its log key and first log entry), opening it, the
 * one-time setup link exchanged for an organizer token, and checking that token on the
 * organizer's requests.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '../../core/encoding.ts';
import { DEFAULT_MIN_GROUP_SIZE } from '../../core/letter/letter.ts';
import { verifierKey as makeVerifierKey } from '../../core/log/checkpoint.ts';
import type { Clock } from '../clock.ts';
import { DEFAULT_ORGANIZER_TOKEN_DAYS, type Db, readMeta, upsertMeta } from '../db.ts';
import { ApiError, badRequest, conflict, notFound, unauthorized } from '../errors.ts';
import { hashToken, toBase64Url } from '../tokens.ts';
import { normalizeName } from './enrollment.ts';
import { SESSION_SECRET_META } from './sessions.ts';
import type { LogService } from './log.ts';

const SETUP_LIFETIME_HOURS = 72;

export { DEFAULT_MIN_GROUP_SIZE };

/** Instance-wide settings, kept in `meta` (set by `init` or `serve`). */
export interface InstanceSettings {
  minGroupSize: number;
  organizerTokenDays: number;
}

/** An organizer token as it is listed: never the token itself, which only its holder has. */
export interface OrganizerToken {
  id: number;
  createdAt: string;
  expiresAt: string;
  expired: boolean;
}

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
  async init(options: { name: string; origin: string; settings?: Partial<InstanceSettings> }): Promise<{ setupToken: string }> {
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
            { key: SESSION_SECRET_META, value: bytesToHex(this.deps.randomBytes(32)) },
            { key: 'min_group_size', value: String(options.settings?.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE) },
            { key: 'organizer_token_days', value: String(options.settings?.organizerTokenDays ?? DEFAULT_ORGANIZER_TOKEN_DAYS) },
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
      minGroupSize: (await this.settings()).minGroupSize,
    };
  }

  /** The instance's settings (defaults for an instance made before they existed). */
  async settings(): Promise<InstanceSettings> {
    const number = async (key: string, fallback: number) => {
      const v = await readMeta(this.db, key);
      return v === null ? fallback : Number(v);
    };
    return { minGroupSize: await number('min_group_size', DEFAULT_MIN_GROUP_SIZE), organizerTokenDays: await number('organizer_token_days', DEFAULT_ORGANIZER_TOKEN_DAYS) };
  }

  /** Change some settings (the operator's `serve --min-group-size`, `--organizer-token-days`). */
  async configure(settings: Partial<InstanceSettings>): Promise<void> {
    for (const [name, value] of Object.entries(settings)) {
      if (value === undefined) continue;
      if (!Number.isInteger(value) || value < 1) throw badRequest('bad_setting', `${name} must be a whole number ≥ 1, not ${value}`);
    }
    if (settings.minGroupSize !== undefined) await upsertMeta(this.db, 'min_group_size', String(settings.minGroupSize));
    if (settings.organizerTokenDays !== undefined) await upsertMeta(this.db, 'organizer_token_days', String(settings.organizerTokenDays));
  }

  /** Exchange the one-time setup token for an organizer token. Opening the link does not consume it. */
  async setup(token: string, name?: string): Promise<{ adminToken: string }> {
    const row = await this.db.selectFrom('setup_tokens').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
    if (!row || row.used) throw new ApiError(403, 'setup_token_invalid', 'this setup link is not valid or was already used');
    if (row.expires_at < this.deps.clock.iso()) throw new ApiError(403, 'setup_token_expired', 'this setup link has expired: run `undersigned init --new-setup-token`');
    const adminToken = toBase64Url(this.deps.randomBytes(32));
    const days = (await this.settings()).organizerTokenDays;
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('setup_tokens').set({ used: 1 }).where('token_hash', '=', row.token_hash).where('used', '=', 0).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new ApiError(403, 'setup_token_invalid', 'this setup link was already used');
      await trx
        .insertInto('admin_tokens')
        .values({ token_hash: hashToken(adminToken), created_at: this.deps.clock.iso(), expires_at: this.deps.clock.later(days * 24 * 60) })
        .execute();
      // The display name only; the log's identity is its origin and key, which never change.
      if (name !== undefined) await trx.updateTable('meta').set({ value: normalizeName(name) }).where('key', '=', 'name').execute();
    });
    return { adminToken };
  }

  /** A new one-time setup token; any older one not yet used stops working. */
  async newSetupToken(): Promise<string> {
    const token = toBase64Url(this.deps.randomBytes(24));
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('setup_tokens').set({ used: 1 }).where('used', '=', 0).execute();
      await trx.insertInto('setup_tokens').values({ token_hash: hashToken(token), expires_at: this.deps.clock.later(SETUP_LIFETIME_HOURS * 60), used: 0 }).execute();
    });
    return token;
  }

  /** The organizer token presented, if it is one we gave, not revoked and not expired: its id and expiry. */
  async checkAdmin(token: string | undefined): Promise<{ id: number; expiresAt: string }> {
    if (!token) throw unauthorized();
    const row = await this.db.selectFrom('admin_tokens').select(['id', 'expires_at']).where('token_hash', '=', hashToken(token)).executeTakeFirst();
    if (!row) throw unauthorized('this organizer token is not valid (or was revoked)');
    if (row.expires_at < this.deps.clock.iso()) {
      throw new ApiError(401, 'token_expired', 'this organizer token has expired: run `undersigned init --new-setup-token` on the server for a new setup link');
    }
    return { id: row.id, expiresAt: row.expires_at };
  }

  /** Every organizer token, oldest first (ids, dates and whether it has expired; never the token). */
  async listTokens(): Promise<OrganizerToken[]> {
    const now = this.deps.clock.iso();
    const rows = await this.db.selectFrom('admin_tokens').select(['id', 'created_at', 'expires_at']).orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, createdAt: r.created_at, expiresAt: r.expires_at, expired: r.expires_at < now }));
  }

  /** Revoke one organizer token: it stops working at once. */
  async revokeToken(id: number): Promise<void> {
    const r = await this.db.deleteFrom('admin_tokens').where('id', '=', id).executeTakeFirst();
    if (Number(r.numDeletedRows) !== 1) throw notFound('token_not_found', `there is no organizer token ${id}`);
  }
}
