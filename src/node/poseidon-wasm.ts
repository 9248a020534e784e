/**
 * The LeanIMT levels (or the root) of a block of roster leaves, as roster-tree.ts computes them,
 * with Poseidon in WebAssembly: circomlibjs's Poseidon (iden3's reference JavaScript for circomlib,
 * whose Poseidon circuit Semaphore uses), compiled by circomlibjs's `buildPoseidonWasm` on top of
 * wasmcurves' Montgomery arithmetic for the BN254 scalar field (32-bit limbs, the optimised round
 * constants). Nothing of ours in the arithmetic: we lay the tree out in the module's memory.
 *
 * Why: a 100,000-member roster is ~100,000 hashes; poseidon2.ts's BigInt code takes ~205 µs a hash
 * on this project's 2-core machine, this ~65 µs (bench/README.md). A block stays in the module's
 * memory in Montgomery form from the leaves to the top, so a hash is one call with pointers and no
 * conversion. test/scale-roster-tree.test.ts checks it against poseidon2.ts on random and edge
 * inputs (and poseidon2.ts is checked against poseidon-lite there).
 *
 * Node only (roster-tree-pool.ts); the browser keeps poseidon2.ts. Building the module (~0.6 s:
 * loading circomlibjs, then the constants) happens once per process; the compiled module is then
 * handed to each worker, which only instantiates it.
 */
import { Module, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

/** The BN254 scalar field, Poseidon's field (bn254.ts's R; not imported, to keep mcl out of tree workers). */
const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const WORD = 32;
const PAGE = 65536;
/** The module's memory at the start, in 64 KiB pages, as ffjavascript sets it for this code. */
const INITIAL_PAGES = 25;

interface Exports {
  poseidon(pState: number, pIn: number, nIn: number, pOut: number, nOut: number): void;
  frm_batchToMontgomery(pIn: number, n: number, pOut: number): void;
  frm_batchFromMontgomery(pIn: number, n: number, pOut: number): void;
}

/**
 * Compile the module: wasmcurves' field arithmetic for r, then circomlibjs's Poseidon on it.
 *
 * circomlibjs imports ffjavascript, whose bn128.js, when it first loads, sets
 * globalThis.curve_bn128 = null: that is where snarkjs caches its curve and its worker threads, and
 * a curve dropped that way keeps the process alive (releaseSnarkjs can no longer reach it). So a
 * curve already there is put back. ffjavascript also imports the `web-worker` package, which, when
 * first loaded on a thread other than the main one, takes the thread for a worker it spawned
 * itself: it replaces the thread's global object and fails to load a module named in workerData
 * (printing an error). Nothing here starts a worker, so on worker threads the package is put in the
 * module cache as a constructor that refuses, before circomlibjs loads (not on the main thread,
 * where snarkjs may need the real one later).
 */
export async function buildPoseidonModule(): Promise<WebAssembly.Module> {
  const g = globalThis as { curve_bn128?: unknown };
  const snarkjsCurve = g.curve_bn128;
  if (!isMainThread) keepWebWorkerOut(createRequire(createRequire(import.meta.url).resolve('circomlibjs')).resolve('ffjavascript'), 'poseidon-wasm');
  try {
    const [{ buildPoseidonWasm }, { ModuleBuilder }, wasmcurves] = await Promise.all([importPoseidonWasm(), import('wasmbuilder'), import('wasmcurves')]);
    const builder = new ModuleBuilder();
    builder.setMemory(INITIAL_PAGES);
    wasmcurves.buildF1m(builder, R, 'frm');
    buildPoseidonWasm(builder);
    return await WebAssembly.compile(builder.build());
  } finally {
    if (snarkjsCurve) g.curve_bn128 = snarkjsCurve;
  }
}

/**
 * circomlibjs's src/poseidon_wasm.js alone: the package's entry also loads ethers for its contract
 * generators (~0.35 s more). The package's exports map lists only its entry, so the file is
 * imported by path (circomlibjs is pinned to 0.1.7 in package.json, whose layout this is).
 */
async function importPoseidonWasm(): Promise<{ buildPoseidonWasm(module: unknown): void }> {
  const entry = createRequire(import.meta.url).resolve('circomlibjs'); // …/circomlibjs/build/main.cjs
  return import(pathToFileURL(join(dirname(entry), '..', 'src', 'poseidon_wasm.js')).href);
}

/**
 * Put the `web-worker` package that `ffjavascriptEntry` (a resolved ffjavascript entry file)
 * imports in the module cache as a constructor that refuses, unless it is loaded already: on a
 * worker thread, the real one would take the thread (see buildPoseidonModule).
 */
export function keepWebWorkerOut(ffjavascriptEntry: string, who: string): void {
  const path = createRequire(ffjavascriptEntry).resolve('web-worker');
  const require = createRequire(import.meta.url);
  if (require.cache[path]) return;
  const stub = new Module(path);
  stub.filename = path;
  stub.loaded = true;
  stub.exports = function NoWebWorker() {
    throw new Error(`${who}: something tried to start a web worker`);
  };
  require.cache[path] = stub;
}

/** One instance of the module, with its own memory, reused for every block a thread hashes. */
export class PoseidonTree {
  private readonly memory = new WebAssembly.Memory({ initial: INITIAL_PAGES });
  private readonly ex: Exports;
  /** The first free byte after the module's own data (its allocator's pointer, kept at address 0). */
  private readonly free: number;

  constructor(module: WebAssembly.Module) {
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.ex = instance.exports as unknown as Exports;
    this.free = new Uint32Array(this.memory.buffer)[0];
  }

  /** Every level of the tree of these leaves, leaves first, root last: leanTreeLevels. */
  levels(leaves: readonly bigint[]): bigint[][] {
    return this.hash(leaves, (read, sizes) => {
      let at = 0;
      return sizes.map((size) => Array.from({ length: size }, () => read(at++)));
    });
  }

  /** The root alone: leanTreeRoot (0 for no leaves). */
  root(leaves: readonly bigint[]): bigint {
    return this.hash(leaves, (read, sizes) => read(sizes.reduce((a, b) => a + b, 0) - 1));
  }

  /** Hash the levels of `leaves` in memory, then hand `take` a reader of node i (the levels laid end to end). */
  private hash<T>(leaves: readonly bigint[], take: (read: (i: number) => bigint, sizes: number[]) => T): T {
    if (leaves.length === 0) return take(() => 0n, [0]);
    for (const leaf of leaves) if (leaf < 0n || leaf >= R) throw new RangeError('poseidon-wasm: a leaf is not a field element');
    const sizes = [leaves.length];
    while (sizes[sizes.length - 1] > 1) sizes.push(Math.ceil(sizes[sizes.length - 1] / 2));
    const total = sizes.reduce((a, b) => a + b, 0);
    // 1. After the module's data: the zero state (0 is 0 in Montgomery form too), then every level.
    const pState = (this.free + 63) & ~31;
    const base = pState + WORD;
    const end = base + total * WORD;
    if (end > this.memory.buffer.byteLength) this.memory.grow(Math.ceil((end - this.memory.buffer.byteLength) / PAGE));
    const bytes = new Uint8Array(this.memory.buffer);
    const view = new DataView(this.memory.buffer);
    bytes.fill(0, pState, base);
    // 2. The leaves, little-endian, into Montgomery form.
    const mask = (1n << 64n) - 1n;
    leaves.forEach((leaf, i) => {
      for (let w = 0; w < 4; w++) view.setBigUint64(base + i * WORD + 8 * w, (leaf >> BigInt(64 * w)) & mask, true);
    });
    const ex = this.ex;
    ex.frm_batchToMontgomery(base, leaves.length, base);
    // 3. Level by level: a node with a right sibling is Poseidon(left, right); a lone left node is carried up.
    let below = base;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const up = below + sizes[l] * WORD;
      const pairs = Math.floor(sizes[l] / 2);
      for (let i = 0; i < pairs; i++) ex.poseidon(pState, below + 2 * i * WORD, 2, up + i * WORD, 1);
      if (sizes[l] % 2 === 1) bytes.copyWithin(up + pairs * WORD, below + 2 * pairs * WORD, below + (2 * pairs + 1) * WORD);
      below = up;
    }
    // 4. Back to integers.
    ex.frm_batchFromMontgomery(base, total, base);
    const read = (i: number) => {
      const at = base + i * WORD;
      return view.getBigUint64(at, true) | (view.getBigUint64(at + 8, true) << 64n) | (view.getBigUint64(at + 16, true) << 128n) | (view.getBigUint64(at + 24, true) << 192n);
    };
    return take(read, sizes);
  }
}
