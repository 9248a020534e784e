/**
 * Storage: Kysely over better-sqlite3 (one file under the data directory, WAL, synchronous=FULL
 * so that a record whose receipt was returned survives a crash). The queries use only what
 * Kysely can also run on PostgreSQL; the dialect is the one place that would change.
 */
import Database from 'better-sqlite3';
import { type Generated, Kysely, type Migration, Migrator, SqliteDialect, sql } from 'kysely';

export interface Tables {
  meta: { key: string; value: string };
  /** Organizer tokens: each made by one setup (or a CLI command), listed and revoked by `id`. */
  admin_tokens: { id: Generated<number>; token_hash: string; created_at: string; expires_at: string };
  setup_tokens: { token_hash: string; expires_at: string; used: number };
  members: {
    id: number;
    name: string;
    extra: string;
    leaf: number | null;
    commitment: string | null;
    status: 'active' | 'removed';
  };
  enrollment_codes: {
    code_hash: string;
    member_id: number;
    purpose: 'enroll' | 'replace';
    expires_at: string;
    used: number;
  };
  log_entries: { idx: number; leaf_hash: string; body: string; kind: string; letter_id: string | null };
  checkpoints: { size: number; root: string; note: string };
  letters: { id: string; body: string; opened_idx: number; closed_idx: number | null; deadline: string };
  signatures: {
    letter_id: string;
    log_idx: number;
    nullifier: string;
    seq: number;
    action: 'support' | 'withdraw';
    signer_member: number | null;
  };
  sessions: { token_hash: string; expires_at: string };
  /** The trustee committee being formed: one slot per trustee until all have joined. */
  ballots: { id: string; body: string; opened_idx: number; closed_idx: number | null; deadline: string };
  votes: { ballot_id: string; log_idx: number; nullifier: string; seq: number };
  trustee_slots: { idx: number; name: string; code_hash: string; transport_key: string | null; proof: string | null };
  /**
   * Session challenges already exchanged for a session (docs/protocol.md §8): a challenge is
   * stateless (an HMAC under `meta.session_secret`) until it is spent; each row is kept until the
   * challenge would have expired anyway, so a replay is always caught.
   */
  spent_challenges: { challenge: string; expires_at: string };
  /** Which log entries are about which member (member-* entries): GET /api/roster/members/:id reads one member's without a scan. */
  member_events: { member_id: number; idx: number };
}

export type Db = Kysely<Tables>;

const migrations: Record<string, Migration> = {
  '0001-initial': {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('meta').addColumn('key', 'text', (c) => c.primaryKey()).addColumn('value', 'text', (c) => c.notNull()).execute();
      await db.schema.createTable('admin_tokens').addColumn('token_hash', 'text', (c) => c.primaryKey()).execute();
      await db.schema
        .createTable('setup_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('members')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('extra', 'text', (c) => c.notNull())
        .addColumn('leaf', 'integer', (c) => c.unique())
        .addColumn('commitment', 'text', (c) => c.unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('enrollment_codes')
        .addColumn('code_hash', 'text', (c) => c.primaryKey())
        .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id'))
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('log_entries')
        .addColumn('idx', 'integer', (c) => c.primaryKey())
        .addColumn('leaf_hash', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('letter_id', 'text')
        .execute();
      await db.schema.createIndex('log_entries_letter').on('log_entries').columns(['letter_id', 'idx']).execute();
      await db.schema
        .createTable('checkpoints')
        .addColumn('size', 'integer', (c) => c.primaryKey())
        .addColumn('root', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('letters')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('opened_idx', 'integer', (c) => c.notNull())
        .addColumn('closed_idx', 'integer')
        .addColumn('deadline', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('signatures')
        .addColumn('letter_id', 'text', (c) => c.notNull().references('letters.id'))
        .addColumn('log_idx', 'integer', (c) => c.notNull().unique())
        .addColumn('nullifier', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('signer_member', 'integer')
        .addPrimaryKeyConstraint('signatures_pk', ['letter_id', 'nullifier', 'seq'])
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('challenges')
        .addColumn('challenge', 'text', (c) => c.primaryKey())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '0002-trustees': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('trustee_slots')
        .addColumn('idx', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull().unique())
        .addColumn('transport_key', 'text')
        .addColumn('proof', 'text')
        .execute();
    },
  },
  '0003-ballots': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('ballots')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('opened_idx', 'integer', (c) => c.notNull())
        .addColumn('closed_idx', 'integer')
        .addColumn('deadline', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('votes')
        .addColumn('ballot_id', 'text', (c) => c.notNull().references('ballots.id'))
        .addColumn('log_idx', 'integer', (c) => c.notNull().unique())
        .addColumn('nullifier', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('votes_pk', ['ballot_id', 'nullifier', 'seq'])
        .execute();
    },
  },
  '0004-credentials': {
    async up(db: Kysely<unknown>) {
      // Challenges are no longer stored when issued (an HMAC proves they are ours): only spent ones.
      await db.schema.dropTable('challenges').execute();
      await db.schema
        .createTable('spent_challenges')
        .addColumn('challenge', 'text', (c) => c.primaryKey())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_expiry').on('sessions').column('expires_at').execute();
      // Organizer tokens get an id (to list and revoke them) and an expiry. Tokens made before
      // this version get the default lifetime from the upgrade (their age is not known).
      await db.schema.alterTable('admin_tokens').renameTo('admin_tokens_old').execute();
      await db.schema
        .createTable('admin_tokens')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      const now = new Date();
      const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
      const expires = iso(new Date(now.getTime() + DEFAULT_ORGANIZER_TOKEN_DAYS * 86_400_000));
      await sql`INSERT INTO admin_tokens (token_hash, created_at, expires_at) SELECT token_hash, ${iso(now)}, ${expires} FROM admin_tokens_old`.execute(db);
      await db.schema.dropTable('admin_tokens_old').execute();
    },
  },
  '0005-member-events': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('member_events')
        .addColumn('member_id', 'integer', (c) => c.notNull())
        .addColumn('idx', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('member_events_pk', ['member_id', 'idx'])
        .execute();
      // The entries already on the log (their body holds the member's id).
      await sql`INSERT INTO member_events (member_id, idx) SELECT json_extract(body, '$.member'), idx FROM log_entries WHERE kind LIKE 'member-%'`.execute(db);
    },
  },
};

/** How long an organizer token lasts unless the instance says otherwise (meta `organizer_token_days`). */
export const DEFAULT_ORGANIZER_TOKEN_DAYS = 30;

/** The migrations this version knows, in order: a database that has run any other is from a newer version. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(migrations);

export async function openSqlite(file: string): Promise<Db> {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db);
  return db;
}

export async function migrate(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}

export { sql };

/** Rows go in this many at a time (SQLite's limit on bound parameters is 32,766). */
export const INSERT_BATCH = 500;

export function* chunks<T>(items: T[], n: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += n) yield items.slice(i, i + n);
}

export async function readMeta(db: Db, key: string): Promise<string | null> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}

export async function upsertMeta(db: Db, key: string, value: string): Promise<void> {
  const r = await db.updateTable('meta').set({ value }).where('key', '=', key).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) await db.insertInto('meta').values({ key, value }).execute();
}
