/**
 * Semaphore v4 proofs as this protocol uses them: the public-signal hashing, the proof shape,
 * and Groth16 verification against a verification key the caller supplies.
 *
 * Semaphore v4 (https://docs.semaphore.pse.dev/) proves "I know the secret of a leaf of the tree
 * with this root" and outputs nullifier = Poseidon(scope, secret). Its four public signals are
 * [merkleTreeRoot, nullifier, H(message), H(scope)] where H(x) = keccak256(x as 32 bytes) >> 8.
 * We verify with snarkjs directly rather than through @semaphore-protocol/proof so that the
 * verifier never reaches for the network and never pulls in the prover (docs/protocol.md §4).
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { z } from 'zod';

/** BN254 scalar field order: every public signal must be below it. */
export const SNARK_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
export const MIN_DEPTH = 1;
export const MAX_DEPTH = 32;

const decimal = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'a decimal integer without leading zeros');

export const SemaphoreProofSchema = z
  .object({
    merkleTreeDepth: z.number().int().min(MIN_DEPTH).max(MAX_DEPTH),
    merkleTreeRoot: decimal,
    nullifier: decimal,
    message: decimal,
    scope: decimal,
    points: z.array(decimal).length(8),
  })
  .strict();
export type SemaphoreProof = z.infer<typeof SemaphoreProofSchema>;

/** A snarkjs Groth16 verification key (the JSON that @zk-kit/semaphore-artifacts ships per depth). */
export type VerificationKey = Record<string, unknown> & { protocol: 'groth16'; curve: 'bn128'; nPublic: number };
/** Verification keys by tree depth, provided by the caller (loaded from disk, bundled in a page...). */
export type VerificationKeys = (depth: number) => VerificationKey | Promise<VerificationKey>;

/** Semaphore's hash of a message or scope into the field: keccak256(uint256 big-endian) >> 8. */
export function semaphoreHash(value: bigint): bigint {
  if (value < 0n || value >= 1n << 256n) throw new RangeError('value must fit in 256 bits');
  const bytes = new Uint8Array(32);
  let v = value;
  for (let i = 31; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return BigInt('0x' + bytesToHex(keccak_256(bytes))) >> 8n;
}

/** A 32-byte hex digest read as a big-endian integer (how letter ids and record hashes become scope and message). */
export function hexToBigint(hex: string): bigint {
  return BigInt('0x' + hex);
}

/** BN254 base field order: every proof coordinate must be below it. */
export const BN254_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/** The packed 8-element proof (Semaphore's packGroth16Proof) back into snarkjs's shape. */
export function unpackGroth16Proof(points: readonly string[]) {
  return {
    pi_a: [points[0], points[1], '1'],
    pi_b: [
      [points[3], points[2]],
      [points[5], points[4]],
      ['1', '0'],
    ],
    pi_c: [points[6], points[7], '1'],
    protocol: 'groth16',
    curve: 'bn128',
  };
}

/**
 * The Groth16 statement a Semaphore proof makes: its four public signals
 * [root, nullifier, H(message), H(scope)] and its points as integers, or null when a value is out
 * of range (a signal not below the scalar field, a message or scope over 256 bits, a coordinate
 * not below the base field), in which case no verifier accepts it.
 */
export function semaphoreGroth16Input(proof: SemaphoreProof): { publicSignals: bigint[]; points: bigint[] } | null {
  const root = BigInt(proof.merkleTreeRoot);
  const nullifier = BigInt(proof.nullifier);
  if (root >= SNARK_FIELD || nullifier >= SNARK_FIELD) return null;
  const message = BigInt(proof.message);
  const scope = BigInt(proof.scope);
  if (message >= 1n << 256n || scope >= 1n << 256n) return null;
  const points = proof.points.map(BigInt);
  if (points.some((p) => p >= BN254_FIELD)) return null;
  return { publicSignals: [root, nullifier, semaphoreHash(message), scopeHash(scope)], points };
}

/** semaphoreHash of a scope, remembering the last one: a letter's records all share one scope. */
let lastScope: { scope: bigint; hash: bigint } | undefined;
function scopeHash(scope: bigint): bigint {
  if (lastScope?.scope !== scope) lastScope = { scope, hash: semaphoreHash(scope) };
  return lastScope.hash;
}

/**
 * Verify a Semaphore v4 proof's Groth16 part. The caller checks what the signals must equal
 * (root, scope, message); this only says whether the proof is valid for the signals it states.
 * Many proofs at once: verifySemaphoreProofs in groth16-batch.ts gives the same answers, faster.
 */
export async function verifySemaphoreProof(proof: SemaphoreProof, keys: VerificationKeys): Promise<boolean> {
  const input = semaphoreGroth16Input(proof);
  if (!input) return false;
  const vkey = await keys(proof.merkleTreeDepth);
  const unpacked = unpackGroth16Proof(proof.points);
  // snarkjs checks that the points are on the curve, not that B lies in G2 (the order-r subgroup
  // of the twist), which Groth16's soundness assumes: bn254.ts does (loaded only when needed).
  const [[bx0, bx1], [by0, by1]] = unpacked.pi_b;
  const { isG2Point } = await import('./bn254.ts');
  if (!(await isG2Point(BigInt(bx0), BigInt(bx1), BigInt(by0), BigInt(by1)))) return false;
  // snarkjs is loaded on first use: importing it in a worker thread breaks the thread (its
  // web-worker dependency takes over any worker that loads it), and batch verifiers never need it.
  const { groth16 } = await import('snarkjs');
  try {
    return await groth16.verify(vkey as never, input.publicSignals.map(String), unpacked as never);
  } catch {
    return false;
  }
}
