/**
 * snarkjs gets its BN254 arithmetic from ffjavascript, which caches one curve in
 * globalThis.curve_bn128 and, when that is empty, builds a multi-threaded one whose threads are
 * Web Workers started from `data:` URLs. Our Content-Security-Policy (worker-src 'self') forbids
 * those, so each worker that proves or verifies puts a single-threaded curve there first.
 */
import * as snarkjs from 'snarkjs';

type Curves = { getCurveFromName(name: string, options: { singleThread: boolean }): Promise<unknown> };
const { curves } = snarkjs as unknown as { curves: Curves };

let ready: Promise<void> | null = null;

export function singleThreadedCurve(): Promise<void> {
  ready ??= curves.getCurveFromName('bn128', { singleThread: true }).then((curve) => {
    (globalThis as { curve_bn128?: unknown }).curve_bn128 = curve;
  });
  return ready;
}
