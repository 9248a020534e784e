/**
 * `undersigned verifier --out verify.html`: writes the verifier in one file, a single HTML page
 * that checks a result file (a letter's or a procedure's) opened from disk with no network, with the
 * same code as `undersigned verify`. The file is made when the web app is built (npm run build:web);
 * this command copies it and prints its size and SHA-256, for whoever publishes it to compare.
 * Exit 0 written, 1 not built, 2 cannot write --out.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Command } from 'commander';
import { DEFAULT_VERIFIER_FILE } from '../../node/verifier-file.ts';
import { out } from '../command-kit.ts';
import { CliError } from '../errors.ts';

export function verifierCommands(program: Command): void {
  program
    .command('verifier')
    .description('write the verifier in one file: an HTML page that checks a result file with no network, opened from disk')
    .requiredOption('--out <file>', 'the HTML file to write (for example verify.html)')
    .action((o: { out: string }) => {
      let page: Buffer;
      try {
        page = readFileSync(DEFAULT_VERIFIER_FILE);
      } catch {
        throw new CliError('verifier_not_built', `the verifier in one file is made with the web app, and ${DEFAULT_VERIFIER_FILE} is missing: run \`npm run build:web\` first`, 1);
      }
      try {
        writeFileSync(o.out, page);
      } catch (e) {
        throw new CliError('file_unwritable', `cannot write ${o.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
      }
      const sha256 = createHash('sha256').update(page).digest('hex');
      out(`verifier written to ${o.out} (${page.length} bytes, ${(page.length / 1024 / 1024).toFixed(1)} MiB; SHA-256 ${sha256})`);
      out('open it in a browser, from disk: it checks a result file with no network and no server');
    });
}
