/**
 * `npm run bench [-- --quick]`: the demo end to end, then verification per record against
 * @semaphore-protocol/proof's verifyProof as the baseline, in one process. Writes
 * bench/results/latest.{json,md} (or quick.{json,md} with --quick, which is not committed).
 * See bench/README.md for what each number means.
 */
// Load snarkjs (and its ffjavascript) before anything builds a curve. verifySemaphoreProof imports
// it lazily; when ffjavascript's bn128.js first runs it sets globalThis.curve_bn128 = null, which
// orphans the curve the prover already built (its worker threads keep the process alive forever).
import 'snarkjs';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { releaseSnarkjs } from '../src/node/artifacts.ts';
import { benchDemo } from './demo-phases.ts';
import { loadNow, machineInfo } from './machine.ts';
import { markdown } from './report.ts';
import { benchVerification } from './verification.ts';

const SETTINGS = {
  full: { demo: { members: 153, signers: 31, named: 5 }, rounds: 20, file: 'latest' },
  quick: { demo: { members: 24, signers: 6, named: 2 }, rounds: 5, file: 'quick' },
};

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--quick');
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown argument ${unknown.join(' ')}; the only option is --quick\n`);
  process.exit(2);
}
const mode = args.includes('--quick') ? 'quick' : 'full';
const settings = SETTINGS[mode];
const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

try {
  const machine = machineInfo();
  const { members, signers, named } = settings.demo;
  say(`demo with ${members} members, ${signers} signers, ${named} named…`);
  const { bundle, ...demo } = await benchDemo(settings.demo);
  say(`demo took ${(demo.totalMs / 1000).toFixed(1)} s; verifying ${bundle.records.length} records, ${settings.rounds} rounds…`);
  const verification = await benchVerification(bundle, settings.rounds);
  machine.load.end = loadNow();

  const results = { mode, settings: { ...settings.demo, rounds: settings.rounds }, machine, demo, verification };
  const table = markdown(machine, demo, verification, mode);
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${settings.file}.json`), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(dir, `${settings.file}.md`), table);
  process.stdout.write(table);
  say(`wrote bench/results/${settings.file}.json and .md`);
  // Then verification throughput (bare verifyProof vs batch and pool), in its own process so its
  // worker threads and curves start clean; it ends by printing one JSON line with baselinePerSec,
  // oursPerSec and ratio, which goes to our stdout as the run's summary line.
  say('verification throughput (bench/verify-throughput.ts)…');
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(dirname(fileURLToPath(import.meta.url)), 'verify-throughput.ts'), ...(mode === 'quick' ? ['--quick'] : [])], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (child.status !== 0) throw new Error(`verify-throughput.ts exited with ${child.status ?? child.signal}`);
} finally {
  await releaseSnarkjs();
  // That should leave nothing running. If something still holds the process (an orphaned curve's
  // worker ports, see above), say what rather than hang after the results are written, and exit.
  // The timer is unref'd: it never delays a clean exit.
  setTimeout(() => {
    say(`still running 10 s after releasing snarkjs, held by: ${process.getActiveResourcesInfo().join(', ')}; exiting`);
    process.exit();
  }, 10_000).unref();
}
