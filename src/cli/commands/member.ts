/**
 * `undersigned member …`: a member acts with their identity file against a server: enroll, check
 * their roster entry, sign or withdraw, check a kept receipt, vote. The client logic is in
 * ../member.ts, loaded only when one of these commands runs.
 */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { releaseSnarkjs } from '../../node/artifacts.ts';
import type { Receipt } from '../../core/member/receipt.ts';
import { identityOption, json, out, passphraseOption, readText, serverOption } from '../command-kit.ts';
import { CliError } from '../errors.ts';
import { readPassphrase } from '../passphrase.ts';

export function memberCommands(program: Command): void {
  const mem = program.command('member').description('act as a member (identity file + server)');
  mem
    .command('enroll')
    .description('make an identity on this machine, save it encrypted, and enroll it with your code')
    .addOption(serverOption())
    .requiredOption('--code <code>', 'your enrollment code')
    .addOption(new Option('--identity <file>', 'where to save your encrypted identity').makeOptionMandatory())
    .addOption(passphraseOption())
    .action(async (o) => {
      const passphrase = await readPassphrase(o, 'New passphrase for your identity file: ');
      const r = await (await import('../member.ts')).enroll({ server: o.server, code: o.code, out: o.identity, passphrase });
      out(`enrolled as ${r.member.name} (member ${r.member.id}); identity saved encrypted in ${o.identity}`);
      out(`keep a copy of that file and its passphrase: nobody can recover them for you`);
    });
  mem
    .command('check')
    .description('check that your roster entry still holds your identity')
    .addOption(serverOption())
    .addOption(identityOption())
    .addOption(passphraseOption())
    .option('--json', 'print JSON')
    .action(async (o) => {
      const ctx = await (await import('../member.ts')).loadMember({ server: o.server, identity: o.identity, passphrase: await readPassphrase(o) });
      const r = await (await import('../member.ts')).check(ctx);
      if (o.json) json(r);
      if (!r.entry) throw new CliError('entry_changed', 'your identity is NOT on the roster: your entry was removed or replaced. Ask the organizer, and compare with the public log.');
      if (!o.json) out(`you are on the roster as ${r.entry.name} (member ${r.entry.id}, leaf ${r.entry.leaf}); your entry holds your identity`);
    });
  for (const [name, action] of [
    ['sign', 'support'],
    ['withdraw', 'withdraw'],
  ] as const) {
    const c = mem
      .command(name)
      .description(name === 'sign' ? 'sign a letter (anonymously unless --named); signing again replaces your previous action' : 'withdraw your signature')
      .addOption(serverOption())
      .addOption(identityOption())
      .addOption(passphraseOption())
      .requiredOption('--letter <id>', 'letter id')
      .option('--receipt <file>', 'save the receipt here');
    if (name === 'sign') {
      c.option('--named', 'show your name with your signature');
      c.option('--sealed', 'seal your name: revealed only if the letter reaches its reveal threshold');
    }
    c.action(async (o) => {
      if (o.named && o.sealed) throw new CliError('usage', 'choose --named or --sealed, not both', 2);
      const ctx = await (await import('../member.ts')).loadMember({ server: o.server, identity: o.identity, passphrase: await readPassphrase(o) });
      const r = await (await import('../member.ts')).sign(ctx, o.letter, { action, display: o.named ? 'named' : o.sealed ? 'sealed' : 'anonymous' });
      if (o.receipt) writeFileSync(o.receipt, JSON.stringify({ letterId: r.letterId, ...r.receipt }, null, 2) + '\n');
      out(`${action === 'support' ? 'signed' : 'withdrawn'} (${o.named ? 'named' : o.sealed ? 'sealed' : 'anonymous'}); log entry ${r.receipt.index}; your latest action is the one that counts`);
      await releaseSnarkjs();
    });
  }
  mem
    .command('receipt')
    .description('check a kept receipt against the log as it is now')
    .addOption(serverOption())
    .addOption(identityOption())
    .addOption(passphraseOption())
    .requiredOption('--receipt <file>', 'the receipt file')
    .action(async (o) => {
      const ctx = await (await import('../member.ts')).loadMember({ server: o.server, identity: o.identity, passphrase: await readPassphrase(o) });
      let receipt: Receipt;
      try {
        receipt = JSON.parse(readText(o.receipt, 'receipt')) as Receipt;
      } catch (e) {
        if (e instanceof CliError) throw e;
        throw new CliError('receipt_malformed', `${o.receipt} is not JSON`, 2);
      }
      const r = await (await import('../member.ts')).checkKeptReceipt(ctx.client, receipt, ctx.verifierKey, ctx.seen);
      out(`receipt holds: the log grew from ${r.from} to ${r.to} entries without rewriting your entry`);
    });
  // A member's secret vote; the organizer's ballot commands are in ./ballot.ts.
  mem
    .command('vote')
    .description('cast a secret ballot (encrypted to the trustees); voting again replaces your previous vote')
    .addOption(serverOption())
    .addOption(identityOption())
    .addOption(passphraseOption())
    .requiredOption('--ballot <id>', 'ballot id')
    .requiredOption('--choice <option>', 'e.g. yes or no')
    .action(async (o) => {
      const ctx = await (await import('../member.ts')).loadMember({ server: o.server, identity: o.identity, passphrase: await readPassphrase(o) });
      const r = await (await import('../member.ts')).vote(ctx, o.ballot, o.choice);
      out(`${r.revote ? 'vote replaced' : 'voted'}; log entry ${r.receipt.index}; your latest vote is the one that counts, and nobody can read it`);
      await releaseSnarkjs();
    });
}
