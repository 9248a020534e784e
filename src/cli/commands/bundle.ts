/**
 * `undersigned bundle export`: the organizer writes the offline-verifiable bundle of a closed letter.
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { dataOption, out, withInstance } from '../command-kit.ts';

export function bundleCommands(program: Command): void {
  program
    .command('bundle')
    .description('result bundles')
    .command('export <id>')
    .description('write the offline-verifiable bundle of a closed letter')
    .addOption(dataOption())
    .requiredOption('--out <file>')
    .action(async (id: string, o) => {
      await withInstance(o.data, async (i) => {
        writeFileSync(o.out, JSON.stringify(await i.bundles.letter(id)) + '\n');
        out(`bundle written to ${o.out}`);
      });
    });
}
