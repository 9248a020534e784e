/**
 * The `undersigned` command. Organizer commands work on the local data directory (the organizer
 * runs them on the server machine); member commands talk to a server over HTTP; `verify` needs
 * neither. Exit codes: 0 success, 1 failure (an invalid bundle, a refused request), 2 usage or
 * unreadable input.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { verifyBundle } from '../core/bundle.ts';
import { parseRosterCsv } from '../core/roster-csv.ts';
import { VISIBILITIES } from '../core/letter.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../node/artifacts.ts';
import { buildApp } from '../server/app.ts';
import { ApiError } from '../server/errors.ts';
import type { Instance, Receipt } from '../server/instance.ts';
import { openInstance, openOrInit } from '../server/open.ts';
import { Client } from './client.ts';
import { runDemo } from './demo.ts';
import { CliError } from './errors.ts';
import * as member from './member.ts';
import { readPassphrase } from './passphrase.ts';
import { Progress } from './progress.ts';

const out = (text: string): void => {
  process.stdout.write(text + '\n');
};
const err = (text: string) => process.stderr.write(text + '\n');
const json = (value: unknown): void => out(JSON.stringify(value, null, 2));

const dataOption = () => new Option('--data <dir>', 'data directory of the instance').default('./data');
const serverOption = () => new Option('--server <url>', 'URL of the undersigned server').env('UNDERSIGNED_SERVER').makeOptionMandatory();
const identityOption = () => new Option('--identity <file>', 'your encrypted identity file').env('UNDERSIGNED_IDENTITY').makeOptionMandatory();
const passphraseOption = () => new Option('--passphrase-file <file>', 'read the identity passphrase from a file (or set UNDERSIGNED_PASSPHRASE)');

async function withInstance<T>(dataDir: string, fn: (instance: Instance) => Promise<T>): Promise<T> {
  const instance = await openInstance({ dataDir });
  if (!(await instance.isInitialized())) {
    throw new CliError('not_initialized', `no instance in ${dataDir}: run \`undersigned init --data ${dataDir}\` first`);
  }
  await instance.load();
  try {
    return await fn(instance);
  } finally {
    await instance.db.destroy();
  }
}

function parseInteger(name: string) {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new CliError('usage', `${name} must be a whole number, not "${value}"`, 2);
    return Number(value);
  };
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError('file_unreadable', `cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
  }
}

export function buildProgram(): Command {
  const program = new Command('undersigned')
    .description('Letters a closed group can sign anonymously, by name or sealed, with a count anyone can verify.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('init')
    .description('create an instance in the data directory and print a one-time setup token')
    .addOption(dataOption())
    .option('--name <name>', 'name of the group', 'Our group')
    .option('--origin <origin>', 'log origin: a host name and path that identifies this log', 'localhost/undersigned')
    .option('--new-setup-token', 'make a new setup token for an existing instance')
    .action(async (o) => {
      if (o.newSetupToken) {
        await withInstance(o.data, async (i) => out(`setup token: ${await i.newSetupToken()}`));
        return;
      }
      const instance = await openInstance({ dataDir: o.data });
      try {
        const { setupToken } = await instance.init({ name: o.name, origin: o.origin });
        out(`created instance "${o.name}" in ${o.data}`);
        out(`log key: ${instance.verifierKey()}`);
        out(`setup token (one use, 72 hours): ${setupToken}`);
      } finally {
        await instance.db.destroy();
      }
    });

  program
    .command('serve')
    .description('run the server (creates the instance on first run)')
    .addOption(dataOption())
    .addOption(new Option('--port <port>', 'TCP port').default(3000).argParser(parseInteger('--port')).env('PORT'))
    .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1').env('HOST'))
    .action(async (o) => {
      const { instance, setupToken } = await openOrInit({ dataDir: o.data });
      const app = await buildApp({ instance });
      await app.listen({ port: o.port, host: o.host });
      const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
      out(`undersigned is running at ${url}/`);
      out(`data: ${o.data}   log key: ${instance.verifierKey()}`);
      if (setupToken) {
        out(`one-time setup link for the organizer: ${url}/setup#${setupToken}`);
        out(`(opening the link does not use it up; the token is spent only when setup completes)`);
      }
      const stop = async () => {
        await app.close();
        await instance.db.destroy();
        process.exit(0);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      await new Promise(() => {});
    });

  // --- roster ------------------------------------------------------------------------------
  const roster = program.command('roster').description('the group roster (organizer)');
  roster
    .command('add <name>')
    .description('add a member and print their single-use enrollment code')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (name: string, o) => {
      await withInstance(o.data, async (i) => {
        const [m] = await i.addMembers([{ name }]);
        if (o.json) json(m);
        else out(`added member ${m.id}: ${m.name}\nenrollment code: ${m.code} (single use, expires ${m.expiresAt})`);
      });
    });
  roster
    .command('import <file.csv>')
    .description('add members from a CSV file with a "name" column; writes their enrollment codes')
    .addOption(dataOption())
    .requiredOption('--codes-out <file.csv>', 'where to write name,code,expires (keep it safe: codes are secrets)')
    .action(async (file: string, o) => {
      const parsed = parseRosterCsv(readText(file, 'roster file'));
      if (!parsed.ok) throw new CliError(parsed.code, `${file}: ${parsed.reason}`);
      await withInstance(o.data, async (i) => {
        const added = await i.addMembers(parsed.members);
        const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
        writeFileSync(o.codesOut, 'id,name,code,expires\n' + added.map((m) => `${m.id},${quote(m.name)},${m.code},${m.expiresAt}`).join('\n') + '\n', { mode: 0o600 });
        out(`added ${added.length} members; enrollment codes written to ${o.codesOut}`);
      });
    });
  roster
    .command('list')
    .description('list the roster')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (o) => {
      await withInstance(o.data, async (i) => {
        const { snapshot, ref } = await i.roster();
        if (o.json) return json({ snapshot, ref });
        for (const m of snapshot.members) out(`${String(m.id).padStart(5)}  ${m.commitment ? 'enrolled    ' : 'not enrolled'}  ${m.name}`);
        out(`${ref.size} members, ${ref.enrolled} enrolled; root ${ref.root}`);
      });
    });
  roster
    .command('remove <id>')
    .description('remove a member (a logged event)')
    .addOption(dataOption())
    .action(async (id: string, o) => {
      await withInstance(o.data, async (i) => {
        const r = await i.removeMember(parseInteger('<id>')(id));
        out(`removed member ${id} (log entry ${r.index})`);
      });
    });
  roster
    .command('code <id>')
    .description('a new enrollment code for a member who has not enrolled')
    .addOption(dataOption())
    .action(async (id: string, o) => {
      await withInstance(o.data, async (i) => {
        const c = await i.reissueCode(parseInteger('<id>')(id));
        out(`enrollment code: ${c.code} (single use, expires ${c.expiresAt})`);
      });
    });
  roster
    .command('replace <id>')
    .description("approve the replacement of a member's lost identity: prints a replacement code")
    .addOption(dataOption())
    .action(async (id: string, o) => {
      await withInstance(o.data, async (i) => {
        const c = await i.approveReplacement(parseInteger('<id>')(id));
        out(`replacement code: ${c.code} (single use, expires ${c.expiresAt}); the member enrolls a new identity with it`);
      });
    });

  // --- member --------------------------------------------------------------------------------
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
      const r = await member.enroll({ server: o.server, code: o.code, out: o.identity, passphrase });
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
      const ctx = await member.loadMember({ server: o.server, identity: o.identity, passphrase: await readPassphrase(o) });
      const r = await member.check(ctx);
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
    if (name === 'sign') c.option('--named', 'show your name with your signature');
    c.action(async (o) => {
      const ctx = await member.loadMember({ server: o.server, identity: o.identity, passphrase: await readPassphrase(o) });
      const r = await member.sign(ctx, o.letter, { action, display: o.named ? 'named' : 'anonymous' });
      if (o.receipt) writeFileSync(o.receipt, JSON.stringify({ letterId: r.letterId, ...r.receipt }, null, 2) + '\n');
      out(`${action === 'support' ? 'signed' : 'withdrawn'} (${o.named ? 'named' : 'anonymous'}); log entry ${r.receipt.index}; your latest action is the one that counts`);
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
      const ctx = await member.loadMember({ server: o.server, identity: o.identity, passphrase: await readPassphrase(o) });
      let receipt: Receipt;
      try {
        receipt = JSON.parse(readText(o.receipt, 'receipt')) as Receipt;
      } catch (e) {
        if (e instanceof CliError) throw e;
        throw new CliError('receipt_malformed', `${o.receipt} is not JSON`, 2);
      }
      const r = await member.checkKeptReceipt(ctx.client, receipt, ctx.verifierKey);
      out(`receipt holds: the log grew from ${r.from} to ${r.to} entries without rewriting your entry`);
    });

  // --- letters -------------------------------------------------------------------------------
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
    .action(async (o) => {
      const text = o.textFile ? readText(o.textFile, 'text file') : o.text;
      if (!text) throw new CliError('usage', 'give the text with --text or --text-file', 2);
      const ctx = await member.loadMember({ server: o.server, identity: o.identity, passphrase: await readPassphrase(o) });
      const r = await member.propose(ctx, { title: o.title, text, recipient: o.recipient, deadline: o.deadline, visibility: o.visibility, revealThreshold: o.threshold });
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
        const letters = await i.letters();
        if (o.json) return json(letters);
        for (const l of letters) out(`${l.letterId}  ${l.status.padEnd(13)} ${l.count === null ? '(hidden)' : `${l.count} of ${l.rosterSize}`}  ${l.letter.title}`);
      });
    });
  letter
    .command('show <id>')
    .description('show a letter and its count (as its visibility allows)')
    .addOption(dataOption())
    .action(async (id: string, o) => {
      await withInstance(o.data, async (i) => json(await i.letterStatus(id)));
    });
  letter
    .command('close <id>')
    .description('close a letter: commit its records and result to the log')
    .addOption(dataOption())
    .action(async (id: string, o) => {
      await withInstance(o.data, async (i) => {
        const r = await i.closeLetter(id);
        out(`closed: ${r.count} of ${(await i.letterStatus(id)).rosterSize} signed; log entry ${r.index}`);
      });
    });

  program
    .command('bundle')
    .description('result bundles')
    .command('export <id>')
    .description('write the offline-verifiable bundle of a closed letter')
    .addOption(dataOption())
    .requiredOption('--out <file>')
    .action(async (id: string, o) => {
      await withInstance(o.data, async (i) => {
        writeFileSync(o.out, JSON.stringify(await i.bundle(id)) + '\n');
        out(`bundle written to ${o.out}`);
      });
    });

  program
    .command('verify <bundle.json>')
    .description('verify a bundle offline: exit 0 valid, 1 invalid, 2 unreadable')
    .option('--json', 'print one JSON object')
    .option('--key <verifierKey>', 'the log key you expect (from the organizer, out of band)')
    .action(async (file: string, o) => {
      const text = readText(file, 'bundle');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new CliError('bundle_not_json', `${file} is not JSON: ${(e as Error).message}`, 2);
      }
      const records = Array.isArray((parsed as { records?: unknown })?.records) ? (parsed as { records: unknown[] }).records.length : 0;
      const progress = new Progress('verifying', records);
      const verdict = await verifyBundle(parsed, { keys: nodeVerificationKeys, expectedVerifierKey: o.key, onProgress: (d) => progress.tick(d) });
      await releaseSnarkjs();
      if (o.json) {
        json(verdict);
      } else if (verdict.valid) {
        out(`VALID: ${verdict.count} of ${verdict.rosterSize} members signed "${verdict.title}"`);
        out(`named: ${verdict.named.length ? verdict.named.join(', ') : '(none)'}`);
        out(`${verdict.records} records checked; letter ${verdict.letterId}`);
        out(`log ${verdict.checkpoint.origin} at size ${verdict.checkpoint.size}, signed by ${verdict.verifierKey}`);
        if (!o.key) out('(compare that key with the one the organizer published, or pass it with --key)');
      } else {
        out(`INVALID: ${verdict.reason}`);
      }
      process.exitCode = verdict.valid ? 0 : 1;
    });

  program
    .command('demo')
    .description('run a whole letter on a throwaway instance and write its bundle')
    .addOption(new Option('--members <n>').default(153).argParser(parseInteger('--members')))
    .addOption(new Option('--signers <n>').default(31).argParser(parseInteger('--signers')))
    .addOption(new Option('--named <n>').default(5).argParser(parseInteger('--named')))
    .requiredOption('--out <file>')
    .action(async (o) => {
      const { bundle } = await runDemo({ members: o.members, signers: o.signers, named: o.named, log: err });
      writeFileSync(o.out, JSON.stringify(bundle) + '\n');
      out(`bundle written to ${o.out}: ${bundle.result.count} of ${bundle.result.rosterSize} signed; named: ${bundle.result.named.join(', ') || '(none)'}`);
      out(`verify it with: npx undersigned verify ${o.out}`);
      await releaseSnarkjs();
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const c of program.commands) {
    c.exitOverride();
    for (const s of c.commands) s.exitOverride();
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof CliError) {
      err(`error: ${e.message} [${e.code}]`);
      return e.exitCode;
    }
    if (e instanceof ApiError) {
      err(`error: ${e.message} [${e.code}]`);
      return 1;
    }
    err(`error: ${(e as Error).message}`);
    return 1;
  } finally {
    await releaseSnarkjs();
  }
}

const code = await main(process.argv);
process.exit(code);
