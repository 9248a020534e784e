/**
 * The `undersigned` command. Organizer commands work on the local data directory (the organizer
 * runs them on the server machine); member commands talk to a server over HTTP; `verify` needs
 * neither. Exit codes: 0 success, 1 failure (an invalid bundle, a refused request), 2 usage or
 * unreadable input.
 */
import { Command, CommanderError } from 'commander';
import { releaseSnarkjs } from '../node/artifacts.ts';
import { ApiError } from '../server/errors.ts';
import { err } from './command-kit.ts';
import { backupCommands } from './commands/backup.ts';
import { ballotCommands } from './commands/ballot.ts';
import { bundleCommands } from './commands/bundle.ts';
import { committeeCommands } from './commands/committee.ts';
import { demoCommands } from './commands/demo.ts';
import { instanceCommands } from './commands/instance.ts';
import { letterCommands } from './commands/letter.ts';
import { memberCommands } from './commands/member.ts';
import { monitorCommands } from './commands/monitor.ts';
import { organizerCommands } from './commands/organizer.ts';
import { rosterCommands } from './commands/roster.ts';
import { trusteeCommands } from './commands/trustee.ts';
import { verifierCommands } from './commands/verifier.ts';
import { verifyCommands } from './commands/verify.ts';
import { witnessCommands } from './commands/witness.ts';
import { CliError } from './errors.ts';

// Each command group is one module under ./commands; the order here is the order of `--help`.
export function buildProgram(): Command {
  const program = new Command('undersigned')
    .description('Letters a closed group can sign anonymously, by name or sealed, with a count anyone can verify.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)');
  instanceCommands(program);
  organizerCommands(program);
  backupCommands(program);
  rosterCommands(program);
  memberCommands(program);
  letterCommands(program);
  ballotCommands(program);
  committeeCommands(program);
  trusteeCommands(program);
  bundleCommands(program);
  verifyCommands(program);
  verifierCommands(program);
  monitorCommands(program);
  witnessCommands(program);
  demoCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const override = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  override(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof CliError) {
      err(`error: ${e.message} [${e.code}]`);
      return e.exitCode;
    }
    if (e instanceof ApiError) {
      err(`error: ${e.message} [${e.code}]`);
      return 1;
    }
    err(`error: ${(e as Error).message}`);
    return 1;
  } finally {
    await releaseSnarkjs();
  }
}

const code = await main(process.argv);
process.exit(code);
