/** The results as a markdown table (bench/results/*.md, copied into bench/README.md). */
import type { DemoResult } from './demo-phases.ts';
import type { MachineInfo } from './machine.ts';
import type { VerificationResult } from './verification.ts';

const ms = (x: number) => x.toFixed(1);
const s = (x: number) => (x / 1000).toFixed(2);
const ratio = (x: number) => `${x.toFixed(2)}×`;

export function markdown(machine: MachineInfo, demo: Omit<DemoResult, 'bundle'>, v: VerificationResult, mode: string): string {
  const { members, signers, named } = demo.options;
  const git = machine.git ? `${machine.git.commit}${machine.git.dirty ? ' (src/ modified)' : ''}` : 'unknown';
  const lines = [
    `Run ${machine.date} (${mode}) on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, commit ${git}; load average ${machine.load.start} at start, ${machine.load.end ?? '?'} at end.`,
    '',
    `### Demo end to end (${members} members, ${signers} signers, ${named} named)`,
    '',
    '| phase | seconds |',
    '|---|---:|',
    ...demo.phases.map((p) => `| ${p.name} | ${s(p.ms)} |`),
    `| **total** | **${s(demo.totalMs)}** |`,
    '',
    demo.msPerProofMade === null
      ? `${demo.proofsMade} proofs made; runDemo's progress lines changed, so the proving phase could not be isolated.`
      : `${demo.proofsMade} proofs made: ${ms(demo.msPerProofMade)} ms per proof made, submitted and verified by the server (the first one also builds the curve).`,
    '',
    `### Verification per record (${v.records} records, ${v.rounds} interleaved rounds)`,
    '',
    '| method | samples | median ms | p90 ms | median vs baseline | first call ms (cold curve) |',
    '|---|---:|---:|---:|---:|---:|',
    `| baseline: \`verifyProof\` (@semaphore-protocol/proof ${machine.packages['@semaphore-protocol/proof']}) | ${v.baseline.n} | ${ms(v.baseline.median)} | ${ms(v.baseline.p90)} | 1.00× | ${ms(v.firstCallMs.baseline)} |`,
    `| ours: \`verifySemaphoreProof\` | ${v.ours.n} | ${ms(v.ours.median)} | ${ms(v.ours.p90)} | ${ratio(v.ratio.oursOverBaseline.median)} | ${ms(v.firstCallMs.ours)} |`,
    `| ours: \`verifyBundle\` ÷ ${v.records} records | ${v.bundlePerRecord.n} | ${ms(v.bundlePerRecord.median)} | ${ms(v.bundlePerRecord.p90)} | ${ratio(v.ratio.bundlePerRecordOverBaseline.median)} | ${ms(v.firstCallMs.bundle)} (whole bundle) |`,
    '',
    `Whole bundle: median ${ms(v.bundleTotal.median)} ms, p90 ${ms(v.bundleTotal.p90)} ms (${v.records + 1} proofs: the records and the proposal).`,
    '',
  ];
  return lines.join('\n');
}
