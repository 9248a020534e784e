/**
 * Open (or create) an instance stored under a data directory: SQLite file, migrations, log key.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { nodeVerificationKeys } from '../node/artifacts.ts';
import { openSqlite } from './db.ts';
import { Instance } from './instance.ts';
import type { InstanceSettings } from './services/admin.ts';

export const DB_FILE = 'undersigned.sqlite';

export interface OpenOptions {
  dataDir: string;
  now?: () => Date;
}

export async function openInstance(options: OpenOptions): Promise<Instance> {
  const dir = resolve(options.dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const db = await openSqlite(join(dir, DB_FILE));
  return new Instance({
    db,
    keys: nodeVerificationKeys,
    now: options.now ?? (() => new Date()),
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
  });
}

/** Open, creating the instance on first use; returns the setup token when one was just made. */
export async function openOrInit(options: OpenOptions & { name?: string; origin?: string; settings?: Partial<InstanceSettings> }): Promise<{ instance: Instance; setupToken: string | null }> {
  const instance = await openInstance(options);
  // An instance half made by an older version is finished here, with a new setup token to show.
  if (await instance.admin.isHalfMade()) return { instance, setupToken: (await instance.admin.finishInit()).setupToken };
  if (await instance.admin.isInitialized()) {
    await instance.admin.load();
    return { instance, setupToken: null };
  }
  const { setupToken } = await instance.admin.init({ name: options.name ?? 'Our group', origin: options.origin ?? 'localhost/undersigned', settings: options.settings });
  return { instance, setupToken };
}
