/**
 * `undersigned trustee …`: a trustee makes their key, joins the committee, and does their part of
 * the key generation, the reveals and the tallies. The client logic is in ../trustee.ts, loaded only
 * when one of these commands runs.
 */
import { Command, Option } from 'commander';
import { Client } from '../client.ts';
import { err, json, out, parseInteger, passphraseOption, serverOption } from '../command-kit.ts';
import { readPassphrase } from '../passphrase.ts';

export function trusteeCommands(program: Command): void {
  const trustee = program.command('trustee').description('act as a trustee of the committee');
  const shareOption = () => new Option('--share <file>', 'your encrypted trustee file').makeOptionMandatory();
  trustee
    .command('keygen')
    .description('make your trustee key on this machine, saved encrypted')
    .addOption(shareOption())
    .addOption(passphraseOption())
    .action(async (o) => {
      const key = await (await import('../trustee.ts')).keygen(o.share, await readPassphrase(o, 'New passphrase for your trustee file: '));
      out(`trustee key saved in ${o.share} (public key ${key}); keep a backup of the file and its passphrase`);
    });
  trustee
    .command('join')
    .description('join the committee with your join code')
    .addOption(serverOption())
    .requiredOption('--code <code>')
    .addOption(shareOption())
    .addOption(passphraseOption())
    .action(async (o) => {
      const secret = await (await import('../trustee.ts')).loadTrustee(o.share, await readPassphrase(o));
      const r = await (await import('../trustee.ts')).join(o.server, o.code, secret);
      out(`joined as trustee ${r.index}${r.committeeCreated ? '; every trustee has joined: the key generation can start (trustee run)' : ''}`);
    });
  trustee
    .command('status')
    .description('where the committee stands: who joined, who dealt, who must still act')
    .addOption(serverOption())
    .option('--json')
    .action(async (o) => {
      const s = await new Client(o.server).get<{ trustees: { index: number; name: string; joined: boolean }[]; ready: boolean; k: number | null; n: number | null; publicKey: string | null; waitingFor: { contribution: number[]; response: number[] } | null; disqualified: number[]; falseComplaints: number[]; failure: string | null }>('api/committee');
      if (o.json) return json(s);
      for (const t of s.trustees) out(`trustee ${t.index}: ${t.name}${t.joined ? '' : '  (has not joined)'}`);
      if (s.ready) out(`ready: ${s.k} of ${s.n}; key ${s.publicKey}`);
      else if (s.waitingFor) out(`waiting for: ${s.waitingFor.contribution.length ? `shares from trustees ${s.waitingFor.contribution.join(', ')}` : `checks by trustees ${s.waitingFor.response.join(', ')}`}`);
      if (s.disqualified.length) out(`disqualified dealers (a complaint against them was upheld): ${s.disqualified.join(', ')}`);
      if (s.falseComplaints.length) out(`trustees who complained falsely: ${s.falseComplaints.join(', ')}`);
      if (s.failure) out(`FAILED: ${s.failure}`);
    });
  trustee
    .command('run')
    .description('do your part: deal, check your shares, and reveal sealed names of letters that reached their threshold')
    .addOption(serverOption())
    .addOption(shareOption())
    .addOption(passphraseOption())
    .option('--once', 'do one round and exit')
    .addOption(new Option('--interval <seconds>').default(30).argParser(parseInteger('--interval')))
    .action(async (o) => {
      const secret = await (await import('../trustee.ts')).loadTrustee(o.share, await readPassphrase(o));
      for (;;) {
        const r = await (await import('../trustee.ts')).runOnce(o.server, secret);
        for (const line of r.did) out(line);
        if (r.waiting) err(r.waiting);
        if (o.once) break;
        await new Promise((res) => setTimeout(res, o.interval * 1000));
      }
    });
}
