/**
 * `undersigned demo`: runs a whole letter, or a whole procedure, on a throwaway instance and writes
 * its bundle. The demo (server, prover) loads only when the command runs.
 */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { releaseSnarkjs } from '../../node/artifacts.ts';
import { err, out, parseInteger } from '../command-kit.ts';
import { CliError } from '../errors.ts';

const runDemo: typeof import('../demo.ts').runDemo = async (...a) => (await import('../demo.ts')).runDemo(...a);
const runProcedureDemo: typeof import('../demo-procedure.ts').runProcedureDemo = async (...a) => (await import('../demo-procedure.ts')).runProcedureDemo(...a);

export function demoCommands(program: Command): void {
  program
    .command('demo')
    .description('run a whole letter on a throwaway instance and write its bundle')
    .addOption(new Option('--members <n>').default(153).argParser(parseInteger('--members')))
    .addOption(new Option('--signers <n>').default(31).argParser(parseInteger('--signers')))
    .addOption(new Option('--named <n>').default(5).argParser(parseInteger('--named')))
    .addOption(new Option('--sealed <n>', 'signers who sign sealed: named only if the letter reaches --threshold').default(0).argParser(parseInteger('--sealed')))
    .addOption(new Option('--threshold <n>', 'the letter\'s reveal threshold').default(0).argParser(parseInteger('--threshold')))
    .option('--trustees <k/n>', 'a k-of-n trustee committee for sealed signatures or ballots, e.g. 3/5')
    .option('--procedure <preset>', 'run a whole procedure instead: notice letter, secret ballot, decision (e.g. ca-leadership-review)')
    .addOption(new Option('--yes <n>', 'with --procedure: members voting yes').default(0).argParser(parseInteger('--yes')))
    .addOption(new Option('--no <n>', 'with --procedure: members voting no').default(0).argParser(parseInteger('--no')))
    .addOption(new Option('--witnesses <n>', 'run n witnesses that must all cosign the bundle\'s checkpoint').default(0).argParser(parseInteger('--witnesses', 0, 9)))
    .requiredOption('--out <file>')
    .action(async (o) => {
      let trustees: { k: number; n: number } | undefined;
      if (o.trustees !== undefined) {
        const m = /^(\d+)\/(\d+)$/.exec(o.trustees);
        if (!m) throw new CliError('usage', `--trustees is k/n, like 3/5, not "${o.trustees}"`, 2);
        trustees = { k: Number(m[1]), n: Number(m[2]) };
      }
      if (o.procedure) {
        const bundle = await runProcedureDemo({ procedure: o.procedure, members: o.members, yes: o.yes, no: o.no, trustees, witnesses: o.witnesses, log: err });
        writeFileSync(o.out, JSON.stringify(bundle) + '\n');
        out(`procedure bundle written to ${o.out}`);
        out(`verify it with: npx undersigned verify ${o.out}`);
        await releaseSnarkjs();
        return;
      }
      const { bundle } = await runDemo({ members: o.members, signers: o.signers, named: o.named, sealed: o.sealed, threshold: o.threshold, trustees, witnesses: o.witnesses, log: err });
      writeFileSync(o.out, JSON.stringify(bundle) + '\n');
      out(`bundle written to ${o.out}: ${bundle.result.count} of ${bundle.result.rosterSize} signed; named: ${bundle.result.named.join(', ') || '(none)'}`);
      if (bundle.result.sealed) {
        const s = bundle.result.sealed;
        out(`sealed: ${s.total}, revealed ${s.revealed}${s.stillSealed ? `, ${s.stillSealed} stayed sealed` : ''}${bundle.result.revealed?.length ? ` (${bundle.result.revealed.join(', ')})` : ''}`);
      }
      out(`verify it with: npx undersigned verify ${o.out}`);
      await releaseSnarkjs();
    });
}
