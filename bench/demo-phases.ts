/**
 * The demo end to end (src/cli/demo.ts), timed per phase without touching src: runDemo reports a
 * line at each phase boundary through its `log` option, and we timestamp those lines.
 */
import { runDemo } from '../src/cli/demo.ts';
import type { Bundle } from '../src/core/bundle/bundle.ts';

export interface Phase {
  name: string;
  ms: number;
}

export interface DemoResult {
  options: { members: number; signers: number; named: number };
  totalMs: number;
  phases: Phase[];
  /** Proofs made (and verified by the server) in the proving phase: the proposal and every record. */
  proofsMade: number;
  /** Proving phase divided by proofsMade: one Semaphore proof made, submitted and verified by the server. */
  msPerProofMade: number | null;
  bundle: Bundle;
}

/** Phase names keyed by the start of the line that ends them, in the order runDemo logs them. */
const BOUNDARIES: [prefix: string, name: string][] = [
  ['roster: adding', 'open a fresh instance (SQLite, log key)'],
  ['letter ', 'add and enroll members, fix the roster'],
  ['', 'prove: proposal + every record, each verified by the server'],
  ['closed:', 'close the letter'],
];
const LAST_PHASE = 'export the bundle, clean up';
const PROVING = 2;

export async function benchDemo(options: DemoResult['options']): Promise<DemoResult> {
  const marks: { line: string; at: number }[] = [];
  const start = performance.now();
  const { bundle } = await runDemo({ ...options, log: (line) => marks.push({ line, at: performance.now() }) });
  const end = performance.now();

  const proofsMade = bundle.records.length + 1;
  const expected = marks.length === BOUNDARIES.length && marks.every((m, i) => m.line.startsWith(BOUNDARIES[i][0]));
  const phases: Phase[] = [];
  let from = start;
  marks.forEach((m, i) => {
    // If runDemo's lines changed, keep the timings and label each phase by the line that ended it.
    phases.push({ name: expected ? BOUNDARIES[i][1] : `until "${m.line}"`, ms: m.at - from });
    from = m.at;
  });
  phases.push({ name: expected ? LAST_PHASE : 'until runDemo returned', ms: end - from });
  return {
    options,
    totalMs: end - start,
    phases,
    proofsMade,
    msPerProofMade: expected ? phases[PROVING].ms / proofsMade : null,
    bundle,
  };
}
