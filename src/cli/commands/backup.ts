/**
 * `undersigned backup` and `undersigned restore` (docs/deploy.md §Backups): an online copy of the
 * instance's database while the server runs, and its restoration into an empty data directory
 * after the copy was checked (src/server/backup.ts says what is checked).
 */
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import type { Check } from '../../core/result.ts';
import type { BackupSummary } from '../../server/backup.ts';
import { backupDatabase, dataOption, out, restoreDatabase } from '../command-kit.ts';
import { CliError } from '../errors.ts';

export function backupCommands(program: Command): void {
  program
    .command('backup')
    .description("copy the instance's database to a new file, consistently, while the server runs (the copy holds the log signing key: keep it secret)")
    .addOption(dataOption())
    .requiredOption('--out <file>', 'the backup file to write (never overwritten)')
    .action(async (o) => {
      const summary = orFail(await backupDatabase(o.data, o.out));
      out(`backup written to ${o.out}: log of ${summary.logSize} entries, checked against its ${summary.checkpoints} signed checkpoints`);
      out(`log key: ${summary.verifierKey}`);
    });

  program
    .command('restore <file>')
    .description('check a backup file, then restore it into an empty data directory')
    .addOption(dataOption())
    .action(async (file: string, o) => {
      if (!existsSync(file) || !statSync(file).isFile()) throw new CliError('file_unreadable', `cannot read the backup ${file}: no such file`, 2);
      const summary = orFail(await restoreDatabase(file, o.data));
      out(`restored into ${o.data}: log of ${summary.logSize} entries, checked against its ${summary.checkpoints} signed checkpoints`);
      out(`log key: ${summary.verifierKey}`);
      out(`start the server on it with: undersigned serve --data ${o.data}`);
    });
}

function orFail(result: Check<BackupSummary>): BackupSummary {
  if (!result.ok) throw new CliError(result.code, result.reason, 1);
  return result;
}
