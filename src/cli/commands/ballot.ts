/**
 * `undersigned ballot …`: the organizer opens, lists, closes and exports the secret ballots of a
 * procedure on the local instance. A member votes with `member vote` (./member.ts).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { PRESETS } from '../../core/ballot/procedures.ts';
import { dataOption, out, withInstance } from '../command-kit.ts';
import { CliError } from '../errors.ts';

export function ballotCommands(program: Command): void {
  const ballotCmd = program.command('ballot').description('secret ballots of a procedure (organizer)');
  ballotCmd
    .command('open')
    .description("open a procedure's secret ballot (after its notice letter reached the threshold)")
    .addOption(dataOption())
    .addOption(new Option('--procedure <preset>').choices(Object.keys(PRESETS)).makeOptionMandatory())
    .option('--notice <letterId>', 'the closed notice letter that triggered it')
    .option('--candidate <name...>', 'candidates, for elections')
    .option('--deadline <instant>', 'e.g. 2026-12-01T17:00:00Z (default: in 7 days)')
    .option('--lang <en|fr>', 'language of the question', 'en')
    .action(async (o) => {
      const preset = PRESETS[o.procedure];
      const options = preset.ballot.options === 'candidates' ? (o.candidate ?? []) : preset.ballot.options;
      if (options.length < 2) throw new CliError('usage', 'an election needs at least two --candidate', 2);
      await withInstance(o.data, async (i) => {
        const committee = await i.committee.letterRef();
        if (!committee) throw new CliError('committee_not_ready', 'a secret ballot needs a trustee committee whose key generation is complete (committee create, trustee run)');
        const { ref } = await i.roster.current();
        const witnesses = await i.witnesses.policy();
        const r = await i.ballots.open({
          format: 'undersigned-ballot/1',
          question: o.lang === 'fr' ? preset.ballot.question.fr : preset.ballot.question.en,
          options,
          roster: ref,
          committee,
          deadline: o.deadline ?? new Date(Date.now() + 7 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          procedure: o.procedure,
          notice: o.notice ?? null,
          ...(witnesses ? { witnesses } : {}),
          nonce: Buffer.from(randomBytes(16)).toString('hex'),
        });
        out(r.ballotId);
      });
    });
  ballotCmd
    .command('list')
    .addOption(dataOption())
    .action(async (o) => {
      await withInstance(o.data, async (i) => {
        for (const b of await i.ballots.list()) out(`${b.ballotId}  ${b.status.padEnd(13)} ${b.ballot.procedure}  ${b.ballot.question}`);
      });
    });
  ballotCmd
    .command('close <id>')
    .description('close a ballot: commit its votes and their encrypted sums; the trustees then decrypt the tally')
    .addOption(dataOption())
    .action(async (id: string, o) => {
      await withInstance(o.data, async (i) => {
        const r = await i.ballots.close(id);
        out(`closed: ${r.voters} voters; the trustees can now decrypt the tally (trustee run)`);
      });
    });
  ballotCmd
    .command('export <id>')
    .description('write the procedure bundle: notice, ballot, tally and decision, verifiable offline')
    .addOption(dataOption())
    .requiredOption('--out <file>')
    .action(async (id: string, o) => {
      await withInstance(o.data, async (i) => {
        writeFileSync(o.out, JSON.stringify(await i.bundles.procedure(id)) + '\n');
        out(`procedure bundle written to ${o.out}`);
      });
    });
}
