/**
 * `undersigned letter …`: a member proposes a letter over the server; the organizer lists, shows and
 * closes letters on the local instance.
 */
import { Command, Option } from 'commander';
import { VISIBILITIES } from '../../core/letter/letter.ts';
import { releaseSnarkjs } from '../../node/artifacts.ts';
import { dataOption, identityOption, json, out, parseInteger, passphraseOption, readText, serverOption, withInstance } from '../command-kit.ts';
import { CliError } from '../errors.ts';
import { readPassphrase } from '../passphrase.ts';

export function letterCommands(program: Command): void {
  const letter = program.command('letter').description('letters');
  letter
    .command('create')
    .description('propose a letter anonymously (you prove you are a member, not which one)')
    .addOption(serverOption())
    .addOption(identityOption())
    .addOption(passphraseOption())
    .requiredOption('--title <title>')
    .option('--text <text>', 'the text of the letter')
    .option('--text-file <file>', 'read the text from a file')
    .requiredOption('--recipient <recipient>')
    .requiredOption('--deadline <instant>', 'e.g. 2026-12-01T17:00:00Z')
    .addOption(new Option('--visibility <who>', 'who sees the count before the close').choices([...VISIBILITIES]).default('live'))
    .addOption(new Option('--threshold <n>', 'reveal threshold').default(0).argParser(parseInteger('--threshold')))
    .option('--sealed', "allow sealed signatures (names revealed by the trustee committee only if --threshold is reached)")
    .action(async (o) => {
      const text = o.textFile ? readText(o.textFile, 'text file') : o.text;
      if (!text) throw new CliError('usage', 'give the text with --text or --text-file', 2);
      const ctx = await (await import('../member.ts')).loadMember({ server: o.server, identity: o.identity, passphrase: await readPassphrase(o) });
      const r = await (await import('../member.ts')).propose(ctx, { title: o.title, text, recipient: o.recipient, deadline: o.deadline, visibility: o.visibility, revealThreshold: o.threshold }, { sealed: o.sealed });
      out(r.letterId);
      await releaseSnarkjs();
    });
  letter
    .command('list')
    .description('list letters')
    .addOption(dataOption())
    .option('--json')
    .action(async (o) => {
      await withInstance(o.data, async (i) => {
        const letters = await i.letters.list();
        if (o.json) return json(letters);
        for (const l of letters) out(`${l.letterId}  ${l.status.padEnd(13)} ${l.count === null ? '(hidden)' : `${l.count} of ${l.rosterSize}`}  ${l.letter.title}`);
      });
    });
  letter
    .command('show <id>')
    .description('show a letter and its count (as its visibility allows)')
    .addOption(dataOption())
    .action(async (id: string, o) => {
      await withInstance(o.data, async (i) => json(await i.letters.status(id)));
    });
  letter
    .command('close <id>')
    .description('close a letter: commit its records and result to the log')
    .addOption(dataOption())
    .action(async (id: string, o) => {
      await withInstance(o.data, async (i) => {
        const r = await i.letters.close(id);
        out(`closed: ${r.count} of ${(await i.letters.status(id)).rosterSize} signed; log entry ${r.index}`);
      });
    });
}
