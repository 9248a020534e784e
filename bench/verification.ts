/**
 * Verification cost per signature record, three ways, in one process:
 *   baseline: verifyProof from @semaphore-protocol/proof on each record's proof;
 *   ours:     verifySemaphoreProof (src/core/crypto/semaphore.ts) on the same proofs;
 *   bundle:   verifyBundle (src/core/bundle/bundle.ts) on the whole bundle, divided by its record count
 *             (it also checks the proposal proof, the log, the roster and the tally).
 * The first call of each method runs from a released BN254 curve and is timed apart (it builds the
 * curve and its worker threads); one untimed round follows; then rounds interleave the methods,
 * alternating their order, so that drift (heat, GC, other load) falls on all of them alike.
 */
import { verifyProof } from '@semaphore-protocol/proof';
import { type Bundle, verifyBundle } from '../src/core/bundle/bundle.ts';
import { type SemaphoreProof, verifySemaphoreProof } from '../src/core/crypto/semaphore.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { type Summary, summarize, timed } from './stats.ts';

/** Our records carry the proof in Semaphore's own JSON shape (decimal strings, 8 packed points). */
type BaselineProof = Parameters<typeof verifyProof>[0];

export interface VerificationResult {
  records: number;
  rounds: number;
  /** First call of each method, each after releasing the curve (ms). */
  firstCallMs: { baseline: number; ours: number; bundle: number };
  /** The untimed-in-samples warm-up round, per record (ms). */
  warmupRoundMsPerRecord: { baseline: number; ours: number; bundle: number };
  /** Per-record samples: one per call for baseline and ours, one per round (total / records) for bundle. */
  baseline: Summary;
  ours: Summary;
  bundlePerRecord: Summary;
  bundleTotal: Summary;
  ratio: {
    oursOverBaseline: { median: number; p90: number };
    bundlePerRecordOverBaseline: { median: number; p90: number };
  };
}

function proofsOf(bundle: Bundle): SemaphoreProof[] {
  return bundle.records.map(({ entry }, i) => {
    if (entry.kind !== 'signature') throw new Error(`bundle record ${i} is a ${entry.kind} entry, not a signature`);
    return entry.record.proof;
  });
}

function mustHold(ok: boolean, what: string): void {
  // A benchmark of a verifier that says no measures an early exit, not verification.
  if (!ok) throw new Error(`benchmark aborted: ${what} rejected a proof the demo made`);
}

export async function benchVerification(bundle: Bundle, rounds: number): Promise<VerificationResult> {
  const proofs = proofsOf(bundle);
  const n = proofs.length;
  const baselineProofs = proofs.map((p) => p as unknown as BaselineProof);

  const baselineCall = async (i: number) => mustHold(await verifyProof(baselineProofs[i]), 'verifyProof (@semaphore-protocol/proof)');
  const oursCall = async (i: number) => mustHold(await verifySemaphoreProof(proofs[i], nodeVerificationKeys), 'verifySemaphoreProof');
  const bundleCall = async () => {
    const verdict = await verifyBundle(bundle, { keys: nodeVerificationKeys });
    if (!verdict.valid) throw new Error(`benchmark aborted: verifyBundle rejected the demo bundle: ${verdict.code}: ${verdict.reason}`);
  };

  // Cold first calls, each paying for building the curve.
  await releaseSnarkjs();
  const firstBaseline = (await timed(() => baselineCall(0))).ms;
  await releaseSnarkjs();
  const firstOurs = (await timed(() => oursCall(0))).ms;
  await releaseSnarkjs();
  const firstBundle = (await timed(bundleCall)).ms;

  // One full warm-up round, kept out of the samples.
  const warm = { baseline: 0, ours: 0, bundle: 0 };
  for (let i = 0; i < n; i++) warm.baseline += (await timed(() => baselineCall(i))).ms;
  for (let i = 0; i < n; i++) warm.ours += (await timed(() => oursCall(i))).ms;
  warm.bundle = (await timed(bundleCall)).ms;

  const baseline: number[] = [];
  const ours: number[] = [];
  const bundleTotal: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) bundleTotal.push((await timed(bundleCall)).ms);
    for (let i = 0; i < n; i++) {
      if ((r + i) % 2 === 0) {
        baseline.push((await timed(() => baselineCall(i))).ms);
        ours.push((await timed(() => oursCall(i))).ms);
      } else {
        ours.push((await timed(() => oursCall(i))).ms);
        baseline.push((await timed(() => baselineCall(i))).ms);
      }
    }
    if (r % 2 === 1) bundleTotal.push((await timed(bundleCall)).ms);
  }

  const b = summarize(baseline);
  const o = summarize(ours);
  const perRecord = summarize(bundleTotal.map((ms) => ms / n));
  return {
    records: n,
    rounds,
    firstCallMs: { baseline: firstBaseline, ours: firstOurs, bundle: firstBundle },
    warmupRoundMsPerRecord: { baseline: warm.baseline / n, ours: warm.ours / n, bundle: warm.bundle / n },
    baseline: b,
    ours: o,
    bundlePerRecord: perRecord,
    bundleTotal: summarize(bundleTotal),
    ratio: {
      oursOverBaseline: { median: o.median / b.median, p90: o.p90 / b.p90 },
      bundlePerRecordOverBaseline: { median: perRecord.median / b.median, p90: perRecord.p90 / b.p90 },
    },
  };
}
