/**
 * `undersigned init` and `undersigned serve`: create the instance in the data directory and run its
 * server. The server loads only when `serve` runs.
 */
import { Command, Option } from 'commander';
import { dataOption, openInstance, out, parseInteger, withInstance } from '../command-kit.ts';

const buildApp: typeof import('../../server/app.ts').buildApp = async (...a) => (await import('../../server/app.ts')).buildApp(...a);
const openOrInit: typeof import('../../server/open.ts').openOrInit = async (...a) => (await import('../../server/open.ts')).openOrInit(...a);

export function instanceCommands(program: Command): void {
  program
    .command('init')
    .description('create an instance in the data directory and print a one-time setup token')
    .addOption(dataOption())
    .option('--name <name>', 'name of the group', 'Our group')
    .option('--origin <origin>', 'log origin: a host name and path that identifies this log', 'localhost/undersigned')
    .option('--new-setup-token', 'make a new setup token for an existing instance')
    .action(async (o) => {
      if (o.newSetupToken) {
        await withInstance(o.data, async (i) => out(`setup token: ${await i.admin.newSetupToken()}`));
        return;
      }
      const instance = await openInstance({ dataDir: o.data });
      try {
        const { setupToken } = await instance.admin.init({ name: o.name, origin: o.origin });
        out(`created instance "${o.name}" in ${o.data}`);
        out(`log key: ${instance.log.verifierKey()}`);
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
      out(`data: ${o.data}   log key: ${instance.log.verifierKey()}`);
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
}
