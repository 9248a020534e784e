/**
 * `undersigned bundle export`: the organizer writes the offline-verifiable bundle of a closed letter.
 * `undersigned bundle pdf`: anyone writes the delivery document of a result file, after verifying it
 * (src/document/delivery.ts; a file that does not verify gives no document, only the reason).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { dataOption, out, parseInteger, serverOption, withInstance } from '../command-kit.ts';
import { CliError } from '../errors.ts';
import { expectedPolicy, verifyParsed } from './verify.ts';

export function bundleCommands(program: Command): void {
  const bundle = program.command('bundle').description('result bundles');
  bundle
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
  bundle
    .command('pdf <bundle.json>')
    .description('verify a result file, then write the document its recipient is handed (PDF)')
    .requiredOption('--out <file>', 'the PDF to write')
    .addOption(new Option('--lang <lang>', 'language of the document').choices(['en', 'fr']).default('en'))
    .addOption(serverOption())
    .option('--key <verifierKey>', 'the log key you expect (from the organizer, out of band)')
    .option('--witness <verifierKey>', 'a witness key you expect (repeat for each)', (v: string, all: string[] = []) => [...all, v])
    .option('--witness-quorum <k>', 'the quorum you expect with --witness', parseInteger('--witness-quorum', 1, 32))
    .action(async (file: string, o) => {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(file));
      } catch (e) {
        throw new CliError('file_unreadable', `cannot read bundle ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder().decode(bytes));
      } catch (e) {
        throw new CliError('bundle_not_json', `${file} is not JSON: ${(e as Error).message}`, 2);
      }
      const expectedWitnesses = expectedPolicy(o.witness, o.witnessQuorum);
      const { verdict } = await verifyParsed(parsed, { key: o.key, expectedWitnesses });
      const { deliveryDocument } = await import('../../document/delivery.ts');
      const { documentFont } = await import('../../node/document-font.ts');
      const made = await deliveryDocument({ bundle: bytes, verdict, lang: o.lang, font: documentFont(), site: o.server });
      if (!made.ok) throw new CliError(made.code, made.reason, made.code === 'bad_site' ? 2 : 1);
      writeFileSync(o.out, made.pdf);
      out(`document written to ${o.out} (${made.pdf.length} bytes) for the result file with SHA-256 ${made.sha256}`);
    });
}
