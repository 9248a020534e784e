/**
 * `undersigned trustee …`: a trustee makes their key, joins the committee, and does their part of
 * the key generation, the reveals and the tallies. The client logic is in ../trustee.ts, loaded only
 * when one of these commands runs.
 */
import { Command, Option } from 'commander';
import { Client } from '../client.ts';
import { err, json, out, parseInteger, passphraseOption, serverOption } from '../command-kit.ts';
import { CliError } from '../errors.ts';
import { readPassphrase } from '../passphrase.ts';

/** This trustee's key as fingerprint words, to read aloud (src/core/trustee/key-fingerprint.ts). */
async function keyWords(secret: bigint): Promise<string> {
  const { ownTransportKey } = await import('../../core/trustee/own-entries.ts');
  const { transportKeyFingerprint } = await import('../../core/trustee/key-fingerprint.ts');
  const { fingerprintWords } = await import('../../core/fingerprint-words.ts');
  return fingerprintWords(transportKeyFingerprint(ownTransportKey(secret)), 'en').join(' ');
}

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
      const t = await import('../trustee.ts');
      const r = await t.join(o.server, o.code, secret, t.ownRecordPath(o.share));
      out(`joined as trustee ${r.index}${r.committeeCreated ? '; every trustee has joined: the key generation can start (trustee run)' : ''}`);
      out(`your key's fingerprint words: ${await keyWords(secret)} (read them to the organizer and the other trustees)`);
    });
  trustee
    .command('status')
    .description('where the committee stands: who joined, who dealt, who must still act')
    .addOption(serverOption())
    .option('--json')
    .action(async (o) => {
      const s = await new Client(o.server).get<{ trustees: { index: number; name: string; joined: boolean }[]; ready: boolean; committeeId: string | null; k: number | null; n: number | null; publicKey: string | null; waitingFor: { contribution: number[]; response: number[] } | null; disqualified: number[]; falseComplaints: number[]; failure: string | null; entries: { entry: unknown }[] }>('api/committee');
      if (o.json) return json(s);
      const { trusteesOfCommittee, transportKeyFingerprint } = await import('../../core/trustee/key-fingerprint.ts');
      const { fingerprintWords } = await import('../../core/fingerprint-words.ts');
      const listed = s.committeeId ? trusteesOfCommittee(s.entries.map((e) => e.entry), s.committeeId) : null;
      for (const t of s.trustees) {
        const key = listed?.find((l) => l.index === t.index)?.transportKey;
        out(`trustee ${t.index}: ${t.name}${t.joined ? '' : '  (has not joined)'}${key ? `  key words: ${fingerprintWords(transportKeyFingerprint(key), 'en').join(' ')}` : ''}`);
      }
      if (s.ready) out(`ready: ${s.k} of ${s.n}; key ${s.publicKey}`);
      else if (s.waitingFor) out(`waiting for: ${s.waitingFor.contribution.length ? `shares from trustees ${s.waitingFor.contribution.join(', ')}` : `checks by trustees ${s.waitingFor.response.join(', ')}`}`);
      if (s.disqualified.length) out(`disqualified dealers (a complaint against them was upheld): ${s.disqualified.join(', ')}`);
      if (s.falseComplaints.length) out(`trustees who complained falsely: ${s.falseComplaints.join(', ')}`);
      if (s.failure) out(`FAILED: ${s.failure}`);
    });
  trustee
    .command('run')
    .description('do your part: deal, check your shares, and reveal sealed names of letters that reached their threshold; stops with ALARM lines (exit 1) when the log holds an entry in your name that you did not make')
    .addOption(serverOption())
    .addOption(shareOption())
    .addOption(passphraseOption())
    .option('--once', 'do one round and exit')
    .addOption(new Option('--interval <seconds>').default(30).argParser(parseInteger('--interval')))
    .action(async (o) => {
      const t = await import('../trustee.ts');
      const secret = await t.loadTrustee(o.share, await readPassphrase(o));
      const record = t.ownRecordPath(o.share);
      const watch = t.ownWatch(o.server, secret, record);
      const { describeAlarm } = await import('../../core/trustee/own-entries.ts');
      out(`your key's fingerprint words: ${await keyWords(secret)}`);
      for (;;) {
        // Before each step, the log is checked for entries in this trustee's name it did not make:
        // on an alarm nothing more is done in its name until a person has looked.
        const w = await watch.check();
        if (w.begun !== null) err(`note: no record of your own entries was kept next to ${o.share}: begun in ${record} at log size ${w.begun}; entries in your name before it are not checked`);
        if (w.alarms.length) {
          for (const a of w.alarms) err(`ALARM: ${describeAlarm(a)}`);
          throw new CliError('trustee_alarm', `${w.alarms.length === 1 ? 'an entry' : `${w.alarms.length} entries`} on the log in your name that you did not make (first at log index ${w.alarms[0].index}): stopped before doing anything more`);
        }
        const r = await t.runOnce(o.server, secret, record);
        for (const line of r.did) out(line);
        if (r.waiting) err(r.waiting);
        if (o.once) break;
        await new Promise((res) => setTimeout(res, o.interval * 1000));
      }
    });
}
