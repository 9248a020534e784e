/**
 * `undersigned init` and `undersigned serve`: create the instance in the data directory and run its
 * server. The server loads only when `serve` runs.
 */
import { Command, Option } from 'commander';
import { type WitnessEndpoint, parseWitnessOption } from '../../server/witnessing.ts';
import { dataOption, err, openInstance, out, parseInteger, withInstance } from '../command-kit.ts';
import { CliError } from '../errors.ts';
import { servingAddress } from '../public-url.ts';

const buildApp: typeof import('../../server/app.ts').buildApp = async (...a) => (await import('../../server/app.ts')).buildApp(...a);
const openOrInit: typeof import('../../server/open.ts').openOrInit = async (...a) => (await import('../../server/open.ts')).openOrInit(...a);

export function instanceCommands(program: Command): void {
  program
    .command('init')
    .description('create an instance in the data directory and print a one-time setup token')
    .addOption(dataOption())
    .option('--name <name>', 'name of the group', 'Our group')
    .option('--origin <origin>', 'log origin: a host name and path that identifies this log', 'localhost/undersigned')
    .option('--new-setup-token', 'make a new setup token for an existing instance (older unused ones stop working)')
    .addOption(minGroupSizeOption())
    .addOption(organizerTokenDaysOption())
    .action(async (o) => {
      if (o.newSetupToken) {
        await withInstance(o.data, async (i) => out(`setup token (one use, 72 hours; any older one no longer works): ${await i.admin.newSetupToken()}`));
        return;
      }
      const instance = await openInstance({ dataDir: o.data });
      try {
        const halfMade = await instance.admin.isHalfMade();
        const { setupToken } = await instance.admin.init({ name: o.name, origin: o.origin, settings: settingsOf(o) });
        const settings = await instance.admin.settings();
        out(halfMade ? `finished the instance in ${o.data}, whose creation had been interrupted (its name and log key are the ones it had)` : `created instance "${o.name}" in ${o.data}`);
        out(`log key: ${instance.log.verifierKey()}`);
        out(`counts are shown before the close only for groups of at least ${settings.minGroupSize} enrolled members; organizer tokens last ${settings.organizerTokenDays} days`);
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
    .option('--witness <NAME=URL=KEY>', "a witness that cosigns this log's checkpoints (repeat for each; KEY as `undersigned witness init` printed it)", (v: string, all: string[] = []) => [...all, v])
    .option('--witness-quorum <k>', 'how many witnesses must cosign a checkpoint (default: all)', parseInteger('--witness-quorum', 1, 32))
    .addOption(new Option('--public-url <url>', 'the address people open, e.g. https://caucus.example.org (behind an HTTPS proxy): the setup link is printed with it').env('UNDERSIGNED_PUBLIC_URL'))
    .option('--insecure-http', 'allow plain HTTP beyond loopback (browsers then refuse WebCrypto, and tokens cross the network in clear)')
    .option('--no-witnesses', 'run without the witnesses the log names (logs that this instance has none any more)')
    .addOption(minGroupSizeOption())
    .addOption(organizerTokenDaysOption())
    .option('--no-rate-limits', 'answer every request, however many (for a benchmark; see docs/threat-model.md §4.10)')
    .addOption(
      new Option('--rate-limit-scale <x>', 'multiply every rate limit by x (a large group: 10 or more; docs/api.md, Rate limits)')
        .default(1)
        .argParser(parseScale)
        .env('UNDERSIGNED_RATE_LIMIT_SCALE'),
    )
    .action(async (o) => {
      const endpoints = witnessEndpoints(o.witness ?? []);
      if (o.witnessQuorum !== undefined && (endpoints.length === 0 || o.witnessQuorum > endpoints.length)) {
        throw new CliError('usage', `--witness-quorum ${o.witnessQuorum} needs at least that many --witness`, 2);
      }
      // Refused before anything is opened or created (the port is the one asked for; see below).
      const { https } = servingAddress({ host: o.host, port: o.port, publicUrl: o.publicUrl, insecureHttp: o.insecureHttp });
      const { instance, setupToken } = await openOrInit({ dataDir: o.data, settings: settingsOf(o) });
      await instance.admin.configure(settingsOf(o));
      const recorded = await instance.witnesses.policy();
      if (recorded && endpoints.length === 0 && o.witnesses !== false) {
        await instance.db.destroy();
        throw new CliError('witnesses_required', `this instance's log names ${recorded.witnesses.length} witnesses (quorum ${recorded.quorum}): pass each with --witness NAME=URL=KEY, or --no-witnesses to drop them`, 2);
      }
      const witnesses = endpoints.length ? { endpoints, quorum: o.witnessQuorum } : recorded ? null : undefined;
      const app = await buildApp({ instance, publishWindowMs: o.publishWindow * 1000, witnesses, rateLimits: o.rateLimits === false ? false : { scale: o.rateLimitScale }, https });
      await app.listen({ port: o.port, host: o.host });
      // With --port 0 the system picks the port: print the one actually bound.
      const bound = app.server.address();
      const port = typeof bound === 'object' && bound ? bound.port : o.port;
      const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`;
      out(`undersigned is running at ${url}/`);
      const reach = servingAddress({ host: o.host, port, publicUrl: o.publicUrl, insecureHttp: o.insecureHttp });
      if (reach.publicUrl !== url) out(`public URL: ${reach.publicUrl}/`);
      for (const warning of reach.warnings) err(warning);
      out(`data: ${o.data}   log key: ${instance.log.verifierKey()}`);
      const settings = await instance.admin.settings();
      out(`minimum group size ${settings.minGroupSize}; organizer tokens last ${settings.organizerTokenDays} days${o.rateLimits === false ? '; NO rate limits' : o.rateLimitScale !== 1 ? `; rate limits ×${o.rateLimitScale}` : ''}`);
      const policy = await instance.witnesses.policy();
      if (policy) out(`witnesses: ${policy.quorum} of ${policy.witnesses.length} must cosign each checkpoint (${policy.witnesses.map((w) => w.slice(0, w.indexOf('+'))).join(', ')})`);
      if (setupToken) {
        out(`one-time setup link for the organizer: ${reach.publicUrl}/setup#${setupToken}`);
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
}

const minGroupSizeOption = () =>
  new Option('--min-group-size <n>', 'below this many enrolled members, counts are shown only at the close (default 5; kept by the instance)').argParser(parseInteger('--min-group-size', 1, 1_000_000));
const organizerTokenDaysOption = () =>
  new Option('--organizer-token-days <days>', 'how long an organizer token lasts (default 30; kept by the instance)').argParser(parseInteger('--organizer-token-days', 1, 3650));
function parseScale(value: string): number {
  const x = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(x >= 0.1 && x <= 1000)) throw new CliError('usage', `--rate-limit-scale must be a number from 0.1 to 1000, not "${value}"`, 2);
  return x;
}
const settingsOf = (o: { minGroupSize?: number; organizerTokenDays?: number }) => ({ minGroupSize: o.minGroupSize, organizerTokenDays: o.organizerTokenDays });

function witnessEndpoints(options: string[]): WitnessEndpoint[] {
  return options.map((text) => {
    const parsed = parseWitnessOption(text);
    if (typeof parsed === 'string') throw new CliError('usage', `--witness ${JSON.stringify(text.slice(0, 80))}: ${parsed}`, 2);
    return parsed;
  });
}
