/**
 * `undersigned committee create`: the organizer names the trustees who reveal sealed names and
 * decrypt ballot tallies, and the threshold k of them that must agree.
 */
import { Command, Option } from 'commander';
import { dataOption, out, parseInteger, withInstance } from '../command-kit.ts';

export function committeeCommands(program: Command): void {
  program
    .command('committee')
    .description('the trustee committee that reveals sealed names (organizer)')
    .command('create')
    .description('name the trustees and the threshold k; prints each trustee\'s single-use join code')
    .addOption(dataOption())
    .requiredOption('--trustee <name...>', 'a trustee (repeat for each)')
    .addOption(new Option('--k <k>', 'how many trustees must agree to reveal').makeOptionMandatory().argParser(parseInteger('--k')))
    .option('--name <name>', 'name of the committee', 'Trustees')
    .action(async (o) => {
      await withInstance(o.data, async (i) => {
        const codes = await i.committee.create({ name: o.name, k: o.k, trustees: o.trustee });
        for (const t of codes) out(`trustee ${t.index}: ${t.name}  join code: ${t.code}`);
        out(`${o.k} of ${codes.length} trustees will be needed to reveal a sealed name`);
      });
    });
}
