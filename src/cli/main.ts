/**
 * The `undersigned` command. Organizer commands work on the local data directory (the organizer
 * runs them on the server machine); member commands talk to a server over HTTP; `verify` needs
 * neither. Exit codes: 0 success, 1 failure (an invalid bundle, a refused request), 2 usage or
 * unreadable input.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { parseRosterCsv } from '../core/roster-csv.ts';
import { VISIBILITIES } from '../core/letter.ts';
import { PRESETS } from '../core/procedures.ts';
import { randomBytes } from 'node:crypto';
import { nodeVerificationKeys, releaseSnarkjs } from '../node/artifacts.ts';
import { ApiError } from '../server/errors.ts';
import type { Instance, Receipt } from '../server/instance.ts';
import { Client } from './client.ts';
import { CliError } from './errors.ts';
import { readPassphrase } from './passphrase.ts';
import { Progress } from './progress.ts';

// Heavy modules (the prover, the server, SQLite) load only for the commands that use them, so
// `undersigned --help` and usage errors answer at once.
const PROCEDURE_BUNDLE_FORMAT = 'undersigned-procedure/1';
const verifyBundle: typeof import('../core/bundle.ts').verifyBundle = async (...a) => (await import('../core/bundle.ts')).verifyBundle(...a);
const verifyProcedureBundle: typeof import('../core/procedure-bundle.ts').verifyProcedureBundle = async (...a) =>
  (await import('../core/procedure-bundle.ts')).verifyProcedureBundle(...a);
const proofVerifier = async (...a: Parameters<typeof import('../node/verify-pool.ts').proofVerifier>) => (await import('../node/verify-pool.ts')).proofVerifier(...a);
const buildApp: typeof import('../server/app.ts').buildApp = async (...a) => (await import('../server/app.ts')).buildApp(...a);
const openInstance: typeof import('../server/open.ts').openInstance = async (...a) => (await import('../server/open.ts')).openInstance(...a);
const openOrInit: typeof import('../server/open.ts').openOrInit = async (...a) => (await import('../server/open.ts')).openOrInit(...a);
const runDemo: typeof import('./demo.ts').runDemo = async (...a) => (await import('./demo.ts')).runDemo(...a);
const runProcedureDemo: typeof import('./demo-procedure.ts').runProcedureDemo = async (...a) => (await import('./demo-procedure.ts')).runProcedureDemo(...a);

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

function parseInteger(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new CliError('usage', `${name} must be a whole number, not "${value}"`, 2);
    const n = Number(value);
    if (n < min || n > max) throw new CliError('usage', `${name} must be from ${min} to ${max}, not ${n}`, 2);
    return n;
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
    .addOption(
      new Option('--publish-window <seconds>', "members' signatures and votes are published together at the end of each window, in a random order (0: at once)")
        .default(5)
        .argParser(parseInteger('--publish-window', 0, 60))
        .env('UNDERSIGNED_PUBLISH_WINDOW'),
    )
    .action(async (o) => {
      const { instance, setupToken } = await openOrInit({ dataDir: o.data });
      const app = await buildApp({ instance, publishWindowMs: o.publishWindow * 1000 });
      await app.listen({ port: o.port, host: o.host });
      // With --port 0 the system picks the port: print the one actually bound.
      const bound = app.server.address();
      const port = typeof bound === 'object' && bound ? bound.port : o.port;
      const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`;
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
      const r = await (await import('./member.ts')).enroll({ server: o.server, code: o.code, out: o.identity, passphrase });
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
      const ctx = await (await import('./member.ts')).loadMember({ server: o.server, identity: o.identity, passphrase: await readPassphrase(o) });
      const r = await (await import('./member.ts')).check(ctx);
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
      const ctx = await (await import('./member.ts')).loadMember({ server: o.server, identity: o.identity, passphrase: await readPassphrase(o) });
      const r = await (await import('./member.ts')).sign(ctx, o.letter, { action, display: o.named ? 'named' : o.sealed ? 'sealed' : 'anonymous' });
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
      const ctx = await (await import('./member.ts')).loadMember({ server: o.server, identity: o.identity, passphrase: await readPassphrase(o) });
      let receipt: Receipt;
      try {
        receipt = JSON.parse(readText(o.receipt, 'receipt')) as Receipt;
      } catch (e) {
        if (e instanceof CliError) throw e;
        throw new CliError('receipt_malformed', `${o.receipt} is not JSON`, 2);
      }
      const r = await (await import('./member.ts')).checkKeptReceipt(ctx.client, receipt, ctx.verifierKey);
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
    .option('--sealed', "allow sealed signatures (names revealed by the trustee committee only if --threshold is reached)")
    .action(async (o) => {
      const text = o.textFile ? readText(o.textFile, 'text file') : o.text;
      if (!text) throw new CliError('usage', 'give the text with --text or --text-file', 2);
      const ctx = await (await import('./member.ts')).loadMember({ server: o.server, identity: o.identity, passphrase: await readPassphrase(o) });
      const r = await (await import('./member.ts')).propose(ctx, { title: o.title, text, recipient: o.recipient, deadline: o.deadline, visibility: o.visibility, revealThreshold: o.threshold }, { sealed: o.sealed });
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

  // --- ballots ----------------------------------------------------------------------------------
  mem
    .command('vote')
    .description('cast a secret ballot (encrypted to the trustees); voting again replaces your previous vote')
    .addOption(serverOption())
    .addOption(identityOption())
    .addOption(passphraseOption())
    .requiredOption('--ballot <id>', 'ballot id')
    .requiredOption('--choice <option>', 'e.g. yes or no')
    .action(async (o) => {
      const ctx = await (await import('./member.ts')).loadMember({ server: o.server, identity: o.identity, passphrase: await readPassphrase(o) });
      const r = await (await import('./member.ts')).vote(ctx, o.ballot, o.choice);
      out(`${r.revote ? 'vote replaced' : 'voted'}; log entry ${r.receipt.index}; your latest vote is the one that counts, and nobody can read it`);
      await releaseSnarkjs();
    });
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
        const { ref } = await i.roster();
        const r = await i.ballots.open({
          format: 'undersigned-ballot/1',
          question: o.lang === 'fr' ? preset.ballot.question.fr : preset.ballot.question.en,
          options,
          roster: ref,
          committee,
          deadline: o.deadline ?? new Date(Date.now() + 7 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          procedure: o.procedure,
          notice: o.notice ?? null,
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
        writeFileSync(o.out, JSON.stringify(await i.ballots.bundle(id)) + '\n');
        out(`procedure bundle written to ${o.out}`);
      });
    });

  // --- trustee committee ---------------------------------------------------------------------
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
  const trustee = program.command('trustee').description('act as a trustee of the committee');
  const shareOption = () => new Option('--share <file>', 'your encrypted trustee file').makeOptionMandatory();
  trustee
    .command('keygen')
    .description('make your trustee key on this machine, saved encrypted')
    .addOption(shareOption())
    .addOption(passphraseOption())
    .action(async (o) => {
      const key = await (await import('./trustee.ts')).keygen(o.share, await readPassphrase(o, 'New passphrase for your trustee file: '));
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
      const secret = await (await import('./trustee.ts')).loadTrustee(o.share, await readPassphrase(o));
      const r = await (await import('./trustee.ts')).join(o.server, o.code, secret);
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
      const secret = await (await import('./trustee.ts')).loadTrustee(o.share, await readPassphrase(o));
      for (;;) {
        const r = await (await import('./trustee.ts')).runOnce(o.server, secret);
        for (const line of r.did) out(line);
        if (r.waiting) err(r.waiting);
        if (o.once) break;
        await new Promise((res) => setTimeout(res, o.interval * 1000));
      }
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
      if ((parsed as { format?: unknown })?.format === PROCEDURE_BUNDLE_FORMAT) {
        const votes = Array.isArray((parsed as { votes?: unknown })?.votes) ? (parsed as { votes: unknown[] }).votes.length : 0;
        const bar = new Progress('verifying votes', votes);
        const rootOf = (await import('../node/roster-tree-pool.ts')).rootOfLeavesParallel;
        const notice = (parsed as { notice?: { records?: unknown } })?.notice;
        const proofs = await proofVerifier(votes + (Array.isArray(notice?.records) ? notice.records.length : 0));
        const v = await verifyProcedureBundle(parsed, { keys: nodeVerificationKeys, expectedVerifierKey: o.key, onProgress: (d) => bar.tick(d), rootOf, verifyProofs: proofs.verifyProofs }).finally(proofs.close);
        await releaseSnarkjs();
        if (o.json) json(v);
        else if (v.valid) {
          if (v.notice) out(`notice: ${v.notice.count} of ${v.notice.rosterSize} signed (the procedure needs ${v.notice.needed}); letter ${v.notice.letterId}`);
          out(`ballot: "${v.question}" — ${v.voters} of ${v.rosterSize} members voted`);
          out(v.tally ? `tally: ${Object.entries(v.tally).map(([k, n]) => `${k} ${n}`).join(', ')}` : 'tally: not decrypted yet');
          if (v.recorded) for (const r of v.recorded) out(`  recorded vote: ${r.name}: ${r.choice}`);
          out(v.decision ? `VALID. Decision: ${v.decision} (${v.detail})` : `VALID, no decision yet: ${v.detail}`);
          out(`log ${v.checkpoint.origin} at size ${v.checkpoint.size}, signed by ${v.verifierKey}`);
        } else out(`INVALID: ${v.reason}`);
        process.exitCode = v.valid ? 0 : 1;
        return;
      }
      const records = Array.isArray((parsed as { records?: unknown })?.records) ? (parsed as { records: unknown[] }).records.length : 0;
      const progress = new Progress('verifying', records);
      // Record proofs are verified in batches, over a worker pool for a large bundle (verify-pool.ts).
      const proofs = await proofVerifier(records);
      // A large roster's tree is hashed on every core (roster-tree-pool.ts).
      const rootOf = (await import('../node/roster-tree-pool.ts')).rootOfLeavesParallel;
      const verdict = await verifyBundle(parsed, { keys: nodeVerificationKeys, expectedVerifierKey: o.key, onProgress: (d) => progress.tick(d), verifyProofs: proofs.verifyProofs, rootOf }).finally(
        proofs.close,
      );
      await releaseSnarkjs();
      if (o.json) {
        json(verdict);
      } else if (verdict.valid) {
        out(`VALID: ${verdict.count} of ${verdict.rosterSize} members signed "${verdict.title}"`);
        out(`named: ${verdict.named.length ? verdict.named.join(', ') : '(none)'}`);
        if (verdict.sealed.total) {
          const why = { none: '', 'below-threshold': ' — below the reveal threshold, these names stay sealed for good', pending: ' — the threshold was met but this bundle holds fewer than k trustees’ partials (not yet revealed, or left out)', revealed: '' }[verdict.sealed.status];
          out(`sealed: ${verdict.sealed.total} (revealed ${verdict.sealed.revealed}, still sealed ${verdict.sealed.stillSealed})${why}${verdict.revealed.length ? `: ${verdict.revealed.join(', ')}` : ''}`);
          for (const reason of verdict.sealed.invalid) out(`sealed name invalid, counted but naming nobody: ${reason}`);
          for (const m of verdict.trustees.misbehaving) out(`trustee ${m.trustee} misbehaved: ${m.reason}`);
        }
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
    .addOption(new Option('--sealed <n>', 'signers who sign sealed: named only if the letter reaches --threshold').default(0).argParser(parseInteger('--sealed')))
    .addOption(new Option('--threshold <n>', 'the letter\'s reveal threshold').default(0).argParser(parseInteger('--threshold')))
    .option('--trustees <k/n>', 'a k-of-n trustee committee for sealed signatures or ballots, e.g. 3/5')
    .option('--procedure <preset>', 'run a whole procedure instead: notice letter, secret ballot, decision (e.g. ca-leadership-review)')
    .addOption(new Option('--yes <n>', 'with --procedure: members voting yes').default(0).argParser(parseInteger('--yes')))
    .addOption(new Option('--no <n>', 'with --procedure: members voting no').default(0).argParser(parseInteger('--no')))
    .requiredOption('--out <file>')
    .action(async (o) => {
      let trustees: { k: number; n: number } | undefined;
      if (o.trustees !== undefined) {
        const m = /^(\d+)\/(\d+)$/.exec(o.trustees);
        if (!m) throw new CliError('usage', `--trustees is k/n, like 3/5, not "${o.trustees}"`, 2);
        trustees = { k: Number(m[1]), n: Number(m[2]) };
      }
      if (o.procedure) {
        const bundle = await runProcedureDemo({ procedure: o.procedure, members: o.members, yes: o.yes, no: o.no, trustees, log: err });
        writeFileSync(o.out, JSON.stringify(bundle) + '\n');
        out(`procedure bundle written to ${o.out}`);
        out(`verify it with: npx undersigned verify ${o.out}`);
        await releaseSnarkjs();
        return;
      }
      const { bundle } = await runDemo({ members: o.members, signers: o.signers, named: o.named, sealed: o.sealed, threshold: o.threshold, trustees, log: err });
      writeFileSync(o.out, JSON.stringify(bundle) + '\n');
      out(`bundle written to ${o.out}: ${bundle.result.count} of ${bundle.result.rosterSize} signed; named: ${bundle.result.named.join(', ') || '(none)'}`);
      if (bundle.result.sealed) {
        const s = bundle.result.sealed;
        out(`sealed: ${s.total}, revealed ${s.revealed}${s.stillSealed ? `, ${s.stillSealed} stayed sealed` : ''}${bundle.result.revealed?.length ? ` (${bundle.result.revealed.join(', ')})` : ''}`);
      }
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
