/**
 * `undersigned witness init | add-log | serve`: run a transparency-log witness (C2SP tlog-witness)
 * that cosigns an undersigned log's checkpoints, and refuses any that contradicts one it cosigned
 * before. Anyone independent of the operator can run one: a union's lawyer, a journalist, another
 * local. With `serve --monitor ORIGIN=URL` it also checks the log's rules before it cosigns
 * (src/witness/monitor.ts). The witness loads only when a `witness` command runs.
 */
import { Command, Option } from 'commander';
import { out, parseInteger } from '../command-kit.ts';
import { CliError } from '../errors.ts';

const witnessModule = () => import('../../witness/witness.ts');

async function openWitness(dir: string, options: import('../../witness/witness.ts').WitnessOptions = {}) {
  const { Witness, WitnessError } = await witnessModule();
  try {
    return new Witness(dir, options);
  } catch (e) {
    if (e instanceof WitnessError) throw new CliError(e.code, e.message, 2);
    throw e;
  }
}

export function witnessCommands(program: Command): void {
  const witness = program.command('witness').description('run a witness that cosigns a log only while it stays append-only (C2SP tlog-witness)');

  witness
    .command('init')
    .description('make a witness key in the data directory and print its verifier key')
    .requiredOption('--data <dir>', 'data directory of the witness')
    .requiredOption('--name <name>', 'witness name, one word such as witness.example.org/w1')
    .action(async (o) => {
      const { initWitness, WitnessError } = await witnessModule();
      try {
        const { verifierKey } = initWitness(o.data, o.name);
        out(`witness key made in ${o.data}`);
        out(`verifier key: ${verifierKey}`);
        out('give it to the organizer, who adds it to the server with --witness NAME=URL=KEY');
      } catch (e) {
        if (e instanceof WitnessError) throw new CliError(e.code, e.message, 2);
        throw e;
      }
    });

  witness
    .command('add-log')
    .description("follow a log: cosign checkpoints signed by this log key (the server's `log key`)")
    .requiredOption('--data <dir>', 'data directory of the witness')
    .requiredOption('--log <verifierKey>', 'the log key, as `undersigned serve` prints it')
    .option('--origin <origin>', "the log's origin line (default: the key's name)")
    .action(async (o) => {
      const w = await openWitness(o.data);
      try {
        const { origin } = w.addLog(o.log, o.origin);
        out(`following ${origin}`);
      } catch (e) {
        const { WitnessError } = await witnessModule();
        if (e instanceof WitnessError) throw new CliError(e.code, e.message, 2);
        throw e;
      } finally {
        w.close();
      }
    });

  witness
    .command('clear-alarm')
    .description('cosign a monitored log again after you have looked at the anomaly its monitor found (a real one is found again at its next checkpoint)')
    .requiredOption('--data <dir>', 'data directory of the witness')
    .requiredOption('--origin <origin>', "the log's origin")
    .action(async (o) => {
      const w = await openWitness(o.data);
      try {
        const alarm = w.monitor.alarms().find((a) => a.origin === o.origin);
        if (!alarm || !w.monitor.clearAlarm(o.origin)) throw new CliError('witness_no_alarm', `no alarm is raised for ${o.origin}`, 2);
        out(`alarm cleared for ${o.origin} (it was ${alarm.code} at log index ${alarm.index}; the evidence is kept)`);
      } finally {
        w.close();
      }
    });

  witness
    .command('serve')
    .description('answer add-checkpoint requests (C2SP tlog-witness) over HTTP')
    .requiredOption('--data <dir>', 'data directory of the witness')
    .addOption(new Option('--port <port>', 'TCP port').default(3100).argParser(parseInteger('--port', 0, 65535)))
    .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1'))
    .option('--log <verifierKey>', 'follow this log key too (as `witness add-log`; repeat for several)', (v: string, all: string[] = []) => [...all, v])
    .option(
      '--monitor <origin=url>',
      "also monitor this followed log, served by the undersigned server at URL: cosign its checkpoints only while the log obeys the protocol's rules (repeat for several)",
      (v: string, all: string[] = []) => [...all, v],
    )
    .action(async (o) => {
      const { parseMonitorOption } = await import('../../witness/monitor.ts');
      const monitors = (o.monitor ?? []).map((text: string) => {
        const m = parseMonitorOption(text);
        if (typeof m === 'string') throw new CliError('witness_bad_monitor', `--monitor: ${m}`, 2);
        return m;
      });
      const w = await openWitness(o.data, { monitors });
      for (const key of o.log ?? []) {
        try {
          w.addLog(key);
        } catch (e) {
          w.close();
          throw new CliError('witness_bad_log_key', (e as Error).message, 2);
        }
      }
      const followed = new Set(w.logs().map((l) => l.origin));
      const unknown = monitors.find((m: { origin: string }) => !followed.has(m.origin));
      if (unknown) {
        w.close();
        throw new CliError('witness_monitor_unknown_log', `--monitor ${unknown.origin}: this witness does not follow that origin; add its log key first (--log or \`witness add-log\`)`, 2);
      }
      const { buildWitnessApp } = await import('../../witness/http.ts');
      const app = await buildWitnessApp(w);
      await app.listen({ port: o.port, host: o.host });
      const bound = app.server.address();
      const port = typeof bound === 'object' && bound ? bound.port : o.port;
      out(`witness ${w.name} is running at http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}/`);
      out(`verifier key: ${w.verifierKey}`);
      for (const log of w.logs()) out(`following ${log.origin} (${log.size === null ? 'nothing cosigned yet' : `cosigned up to ${log.size}`})`);
      for (const m of w.monitor.monitors()) out(`monitoring ${m.origin} from ${m.url}`);
      for (const a of w.monitor.alarms()) out(`ALARM ${a.origin}: ${a.code} at log index ${a.index}: ${a.reason} (nothing more of it is cosigned; \`witness clear-alarm\` once you have looked)`);
      const stop = async () => {
        await app.close();
        w.close();
        process.exit(0);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      await new Promise(() => {});
    });
}
