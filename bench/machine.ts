/** Where and with what a run happened: enough to tell whether two result files are comparable. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem, type as osType, release } from 'node:os';
import { dirname, join } from 'node:path';

export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  git: { commit: string; dirty: boolean } | null;
  /** 1-minute load average when the run started and ended: other work on the machine skews absolute times (less so the ratios). */
  load: { start: number; end: number | null };
  packages: Record<string, string>;
}

/** The version of `name` as resolved from `from` (a file path): nested copies can differ from the top-level one. */
function versionOf(name: string, from: string): string {
  try {
    let dir = dirname(createRequire(from).resolve(name));
    for (;;) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name && pkg.version) return pkg.version;
      } catch {
        // no package.json at this level: keep walking up
      }
      const up = dirname(dir);
      if (up === dir) return 'unknown';
      dir = up;
    }
  } catch {
    return 'unresolvable';
  }
}

function git(): MachineInfo['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim() !== '';
    return { commit, dirty };
  } catch {
    return null;
  }
}

/** The 1-minute load average, rounded. */
export function loadNow(): number {
  return Math.round(loadavg()[0] * 100) / 100;
}

export function machineInfo(): MachineInfo {
  const here = import.meta.url;
  const proofEntry = createRequire(here).resolve('@semaphore-protocol/proof');
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    git: git(),
    load: { start: loadNow(), end: null },
    packages: {
      snarkjs: versionOf('snarkjs', here),
      '@semaphore-protocol/proof': versionOf('@semaphore-protocol/proof', here),
      'snarkjs (used by @semaphore-protocol/proof)': versionOf('snarkjs', proofEntry),
      '@zk-kit/semaphore-artifacts': versionOf('@zk-kit/semaphore-artifacts', here),
    },
  };
}
