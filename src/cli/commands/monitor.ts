/**
 * `undersigned monitor --server URL [--state FILE] [--log-key VKEY] [--json]` (docs/monitor.md):
 * downloads the whole log over the public API and checks its head and its rules with the core
 * monitor (src/node/log-monitor.ts, shared with a monitoring witness), and keeps the checkpoint it
 * accepted in the state file, so that the next run catches a rollback or a fork. Exit 0 clean (state saved), 1 with the first anomaly
 * (state left as it was), 2 usage or an unreadable state file.
 *
 * The log key is the one given with --log-key, else the one the state file pinned, else (first
 * use, said in the output) the one the server states: trust on first use, like an SSH host key.
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { Client } from '../client.ts';
import { json, out, readText, serverOption } from '../command-kit.ts';
import { CliError } from '../errors.ts';

const STATE_FORMAT = 'undersigned-monitor-state/1';

interface MonitorState {
  format: typeof STATE_FORMAT;
  server: string;
  logKey: string;
  size: number;
  root: string;
  checkpoint: string;
}

export function monitorCommands(program: Command): void {
  program
    .command('monitor')
    .description("download the whole log and check it: signed head, no rollback or fork since the last run, and the protocol's rules for every entry (exit 0 clean, 1 anomaly)")
    .addOption(serverOption())
    .option('--state <file>', 'keep the accepted checkpoint (and the pinned log key) here between runs')
    .addOption(new Option('--log-key <vkey>', 'the log key you expect (from the organizer, out of band); else the one the state file pinned'))
    .option('--json', 'print one JSON object')
    .action(async (o: { server: string; state?: string; logKey?: string; json?: boolean }) => {
      const { downloadAndCheckLog } = await import('../../node/log-monitor.ts');
      const client = new Client(o.server);
      const saved = o.state && existsSync(o.state) ? readState(o.state) : null;
      if (saved && o.logKey && saved.logKey !== o.logKey) {
        throw new CliError('log_key_conflict', `--log-key differs from the key pinned in ${o.state}: if the log key really changed, start a new state file`, 2);
      }
      let logKey = o.logKey ?? saved?.logKey;
      const firstUse = logKey === undefined;
      if (logKey === undefined) logKey = (await client.get<{ verifierKey: string }>('/api/instance')).verifierKey;

      const note = await client.text('/api/log/checkpoint');
      const checked = await downloadAndCheckLog({ get: (path) => client.get(path) }, { checkpoint: note, logKey, saved: saved ?? undefined });

      const report = (a: { code: string; index: number; reason: string }) => {
        if (o.json) json({ ok: false, anomaly: a, server: o.server, logKey, stateSaved: false });
        else out(`ANOMALY ${a.code} at log index ${a.index}: ${a.reason}${o.state ? ` (${o.state} left as it was)` : ''}`);
        process.exitCode = 1;
      };
      if (!checked.ok) return report(checked.anomaly);
      const { checkpoint } = checked;
      const root = Buffer.from(checkpoint.rootHash).toString('hex');
      if (o.state) writeState(o.state, { format: STATE_FORMAT, server: o.server, logKey, size: checkpoint.size, root, checkpoint: note });
      const s = checked.summary;
      if (o.json) {
        json({ ok: true, summary: s, checkpoint: { origin: checkpoint.origin, size: checkpoint.size, root }, server: o.server, logKey, firstUse, previousSize: saved?.size ?? null, stateSaved: Boolean(o.state) });
        return;
      }
      const parts = [
        `Log ${checkpoint.origin} is clean at size ${checkpoint.size}: ${s.entries} entries checked (${s.withheld} withheld by the server as signatures of letters whose count is hidden),`,
        `${s.members} members on the roster, ${s.letters} letters opened and ${s.closes} closed, ${s.signatures} signatures, ${s.ballots} ballots opened and ${s.ballotCloses} closed,`,
        `${s.committees} committees, ${s.reveals} reveal and ${s.tallies} tally entries;`,
        saved ? `consistent with the checkpoint at size ${saved.size} seen last time;` : 'no earlier checkpoint to compare with;',
        o.state ? `state saved to ${o.state}.` : 'state not saved (no --state: the next run cannot catch a rollback or a fork).',
      ];
      if (firstUse) parts.push(`The log key was taken from the server on first use: compare ${logKey} with the one the organizer published.`);
      out(parts.join(' '));
    });
}

function readState(file: string): MonitorState {
  let s: Partial<MonitorState>;
  try {
    s = JSON.parse(readText(file, 'monitor state')) as Partial<MonitorState>;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError('state_unreadable', `${file} is not a monitor state file (not JSON): move it away to start afresh`, 2);
  }
  if (s?.format !== STATE_FORMAT || typeof s.logKey !== 'string' || !Number.isSafeInteger(s.size) || typeof s.root !== 'string' || !/^[0-9a-f]{64}$/.test(s.root)) {
    throw new CliError('state_unreadable', `${file} is not a monitor state file (${STATE_FORMAT}): move it away to start afresh`, 2);
  }
  return s as MonitorState;
}

/** Written to a temporary file then renamed: a crash never leaves half a state file. */
function writeState(file: string, state: MonitorState): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, file);
}
