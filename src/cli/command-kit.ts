/**
 * What the `undersigned` commands share: the writers for standard output and error, the options
 * several commands declare alike, and opening the local instance. The server and SQLite load only
 * when a command opens the instance, so `undersigned --help` and usage errors answer at once.
 */
import { readFileSync } from 'node:fs';
import { Option } from 'commander';
import type { Instance } from '../server/instance.ts';
import { CliError } from './errors.ts';

export const openInstance: typeof import('../server/open.ts').openInstance = async (...a) => (await import('../server/open.ts')).openInstance(...a);
/** Backup and restore of the data directory's database (server/backup.ts), loaded when used. */
export const backupDatabase: typeof import('../server/backup.ts').backupDatabase = async (...a) => (await import('../server/backup.ts')).backupDatabase(...a);
export const restoreDatabase = async (...a: Parameters<typeof import('../server/backup.ts').restoreDatabase>) => (await import('../server/backup.ts')).restoreDatabase(...a);

export const out = (text: string): void => {
  process.stdout.write(text + '\n');
};
export const err = (text: string) => process.stderr.write(text + '\n');
export const json = (value: unknown): void => out(JSON.stringify(value, null, 2));

export const dataOption = () => new Option('--data <dir>', 'data directory of the instance').default('./data');
export const serverOption = () => new Option('--server <url>', 'URL of the undersigned server').env('UNDERSIGNED_SERVER').makeOptionMandatory();
export const identityOption = () => new Option('--identity <file>', 'your encrypted identity file').env('UNDERSIGNED_IDENTITY').makeOptionMandatory();
export const passphraseOption = () => new Option('--passphrase-file <file>', 'read the identity passphrase from a file (or set UNDERSIGNED_PASSPHRASE)');

export async function withInstance<T>(dataDir: string, fn: (instance: Instance) => Promise<T>): Promise<T> {
  const instance = await openInstance({ dataDir });
  if (!(await instance.admin.isInitialized())) {
    throw new CliError('not_initialized', `no instance in ${dataDir}: run \`undersigned init --data ${dataDir}\` first`);
  }
  if (await instance.admin.isHalfMade()) {
    throw new CliError('half_made', `the instance in ${dataDir} was interrupted while it was being created: run \`undersigned init --data ${dataDir}\` to finish it`);
  }
  await instance.admin.load();
  try {
    return await fn(instance);
  } finally {
    await instance.db.destroy();
  }
}

export function parseInteger(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new CliError('usage', `${name} must be a whole number, not "${value}"`, 2);
    const n = Number(value);
    if (n < min || n > max) throw new CliError('usage', `${name} must be from ${min} to ${max}, not ${n}`, 2);
    return n;
  };
}

export function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError('file_unreadable', `cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
  }
}
