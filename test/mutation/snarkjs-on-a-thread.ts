/**
 * Set-up for the mutation runs (vitest.mutation.config.ts): Stryker's vitest runner runs the tests
 * on a worker thread, where snarkjs cannot load as it is. Its ffjavascript imports the `web-worker`
 * package, which, loaded on any thread but the main one, takes that thread for a web worker of its
 * own (src/node/poseidon-wasm.ts has the same trap). So, on a worker thread only: the package is
 * put in the module cache as a constructor that refuses, before snarkjs loads, and snarkjs is
 * given a single-threaded curve (its verifier reuses `globalThis.curve_bn128` when one is there).
 * Nothing about the verification changes: the same snarkjs code checks the same proofs.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { keepWebWorkerOut } from '../../src/node/poseidon-wasm.ts';

if (!isMainThread) {
  const require = createRequire(import.meta.url);
  // snarkjs's own ffjavascript (0.3.x, nested), and the web-worker package it imports.
  const ffjs = createRequire(require.resolve('snarkjs')).resolve('ffjavascript'); // …/ffjavascript/build/main.cjs
  keepWebWorkerOut(ffjs, 'mutation runs');
  const { buildBn128 } = (await import(pathToFileURL(join(dirname(ffjs), '..', 'main.js')).href)) as { buildBn128(singleThread: boolean): Promise<unknown> };
  await import('snarkjs'); // its bn128.js resets the cached curve when it first loads: load it before setting one
  (globalThis as { curve_bn128?: unknown }).curve_bn128 = await buildBn128(true);
}
