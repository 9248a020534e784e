/**
 * The fixed world of the 10,000-signature bundle benchmark (bench/bundle-10k.ts) and of its proof
 * generator (bench/bundle-proofs.ts): a roster of 100,000 members whose names and identities come
 * from a fixed seed, so the roster, its digest, the letter and its id are the same on every run and
 * the proofs made once (hours of proving) stay valid across sessions.
 *
 * Signers 0..9,999 and the proposer (10,000) have real Semaphore identities (private key =
 * SHA-256 of the seed, a label and the index); the other members' commitments are seeded field
 * elements nobody holds a key for, which changes nothing for the verifier (it sees commitments).
 *
 * Files, all under bench/.cache/bundle-10k/ (gitignored):
 *   fixture.json   names and commitments (deriving 10,001 identities takes a while: done once)
 *   letter.json    the letter, its id and the proposal proof
 *   records.jsonl  one signature record per line, appended as they are made
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { identityFromPrivateKey, type Identity } from '../src/core/identity/identity.ts';
import type { Letter } from '../src/core/letter/letter.ts';
import { plausibleNames } from '../src/cli/demo-names.ts';
import type { SignatureRecord } from '../src/core/letter/record.ts';
import type { RosterRef } from '../src/core/roster/roster.ts';
import { SNARK_FIELD, type SemaphoreProof } from '../src/core/crypto/semaphore.ts';

export const MEMBERS = 100_000;
export const SIGNERS = 10_000;
export const PROPOSER = SIGNERS;
const SEED = 'undersigned-bench-bundle-10k/1';

const here = dirname(fileURLToPath(import.meta.url));
export const fixtureDir = join(here, '.cache', 'bundle-10k');
export const files = {
  fixture: join(fixtureDir, 'fixture.json'),
  letter: join(fixtureDir, 'letter.json'),
  records: join(fixtureDir, 'records.jsonl'),
};

function seeded(label: string, i: number): Uint8Array {
  return sha256(new TextEncoder().encode(`${SEED}/${label}/${i}`));
}

/** Signer `i`'s identity (0 ≤ i ≤ PROPOSER). */
export function identityOf(i: number): Identity {
  return identityFromPrivateKey(seeded('identity', i));
}

export interface Fixture {
  names: string[];
  commitments: string[];
}

export function fixture(log: (line: string) => void = () => {}): Fixture {
  if (existsSync(files.fixture)) return JSON.parse(readFileSync(files.fixture, 'utf8')) as Fixture;
  log(`deriving ${PROPOSER + 1} identities and ${MEMBERS - PROPOSER - 1} seeded commitments (once)…`);
  const names = plausibleNames(MEMBERS, seeded('names', 0));
  const commitments: string[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    if (i <= PROPOSER) commitments.push(identityOf(i).commitment.toString());
    else commitments.push(((BigInt('0x' + Buffer.from(seeded('commitment', i)).toString('hex')) % (SNARK_FIELD - 1n)) + 1n).toString());
    if ((i + 1) % 2000 === 0 && i <= PROPOSER) log(`  ${i + 1} identities`);
  }
  mkdirSync(fixtureDir, { recursive: true });
  writeFileSync(join(here, '.cache', '.gitignore'), '*\n');
  writeFileSync(files.fixture, JSON.stringify({ names, commitments }) + '\n');
  return { names, commitments };
}

export function benchLetter(ref: RosterRef): Letter {
  return {
    format: 'undersigned-letter/1',
    title: 'Benchmark letter of 10,000 signatures',
    text: 'A letter for the bundle benchmark (bench/bundle-10k.ts).',
    recipient: 'Nobody',
    roster: ref,
    deadline: '2099-01-01T00:00:00Z',
    revealThreshold: 0,
    visibility: 'live',
    nonce: '10'.repeat(16),
  };
}

export interface LetterFile {
  letter: Letter;
  letterId: string;
  proposal: SemaphoreProof;
}

/** The records made so far (a torn last line, from a killed generator, is left out). */
export function readRecords(): SignatureRecord[] {
  if (!existsSync(files.records)) return [];
  const text = readFileSync(files.records, 'utf8');
  const lines = text.split('\n');
  lines.pop(); // after the last newline: empty, or a torn line
  return lines.map((l) => JSON.parse(l) as SignatureRecord);
}
