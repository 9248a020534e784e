/**
 * The state the fuzz harness attacks: a real instance, made with the test world's helpers
 * (test/support/world.ts) and real proofs, then cached, because the proofs take a while:
 *
 * - set up (the setup token spent for an organizer token, which the harness keeps);
 * - six members, four enrolled with real identities, two with unused codes (never sent);
 * - a 2-of-3 trustee committee whose key generation is complete;
 * - an open letter (deadline 2099) with two signatures, one anonymous and one named;
 * - a closed letter with one signature (its bundle can be fetched).
 *
 * The template data directory is kept under the system's temporary directory, keyed by a hash
 * of the code that shapes it; each run copies it to a fresh data directory.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Letter } from '../../src/core/letter/letter.ts';
import type { SignatureRecord } from '../../src/core/letter/record.ts';
import type { SemaphoreProof } from '../../src/core/crypto/semaphore.ts';
import { releaseSnarkjs } from '../../src/node/artifacts.ts';
import { root } from '../support/processes.ts';
import { formCommittee, makeWorld, openLetter } from '../support/world.ts';

export interface FuzzFixture {
  adminToken: string;
  /** Member ids: enrolled (codes used) and not enrolled. */
  enrolled: number[];
  unenrolled: number[];
  maxMemberId: number;
  open: { id: string; letter: Letter; proposal: SemaphoreProof; records: SignatureRecord[]; nullifiers: string[] };
  closed: { id: string; letter: Letter; records: SignatureRecord[] };
  /** The committee's logged entries (dkg-contribution, dkg-ack...): resubmitted, they are refused. */
  committeeEntries: unknown[];
  committeeId: string;
  logSize: number;
}

/** What the template depends on: when one of these files changes, the cache is rebuilt. */
const SHAPING = ['test/fuzz/fixture.ts', 'test/support/world.ts', 'src/server/db.ts', 'package.json'];

function cacheDir(): string {
  const h = createHash('sha256');
  for (const f of SHAPING) h.update(readFileSync(join(root, f)));
  return join(tmpdir(), `undersigned-fuzz-fixture-${h.digest('hex').slice(0, 16)}`);
}

/** A fresh copy of the fixture in `dataDir` (built and cached on first use), and what the harness needs to know of it. */
export async function fixtureCopy(dataDir: string, say: (line: string) => void): Promise<FuzzFixture> {
  const cache = cacheDir();
  if (!existsSync(join(cache, 'fixture.json'))) {
    say(`building the fuzz fixture (real proofs, once) in ${cache}`);
    await buildTemplate(cache);
  }
  cpSync(join(cache, 'data'), dataDir, { recursive: true });
  return JSON.parse(readFileSync(join(cache, 'fixture.json'), 'utf8')) as FuzzFixture;
}

async function buildTemplate(cache: string): Promise<void> {
  const world = await makeWorld({ members: 6, enroll: 4 });
  const { instance } = world;
  const { adminToken } = await instance.admin.setup(world.setupToken);
  await formCommittee(world);
  const deadline = '2099-01-01T00:00:00Z';
  const open = await openLetter(world, { deadline, title: 'Fuzz: an open letter' });
  const openRecords = [await open.sign(1, { action: 'support', display: 'anonymous', seq: 1 }), await open.sign(2, { action: 'support', display: 'named', seq: 1 })];
  const closed = await openLetter(world, { deadline, title: 'Fuzz: a closed letter' }, 3);
  const closedRecords = [await closed.sign(3, { action: 'support', display: 'anonymous', seq: 1 })];
  await instance.letters.close(closed.id);
  const opened = await instance.db.selectFrom('log_entries').select('body').where('letter_id', '=', open.id).where('kind', '=', 'letter-opened').executeTakeFirstOrThrow();
  const status = await instance.committee.status();
  const members = await instance.db.selectFrom('members').select(['id', 'commitment']).orderBy('id').execute();
  const fixture: FuzzFixture = {
    adminToken,
    enrolled: members.filter((m) => m.commitment !== null).map((m) => m.id),
    unenrolled: members.filter((m) => m.commitment === null).map((m) => m.id),
    maxMemberId: Math.max(...members.map((m) => m.id)),
    open: {
      id: open.id,
      letter: open.letter,
      proposal: (JSON.parse(opened.body) as { proposal: SemaphoreProof }).proposal,
      records: openRecords,
      nullifiers: openRecords.map((r) => r.proof.nullifier),
    },
    closed: { id: closed.id, letter: closed.letter, records: closedRecords },
    committeeEntries: status.entries.map((e) => e.entry),
    committeeId: status.committeeId ?? '',
    logSize: (await instance.log.view()).size,
  };
  await instance.db.destroy();
  await releaseSnarkjs();
  // Built aside and renamed, so that two runs building at once never see half a template.
  const building = `${cache}.${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building);
  cpSync(world.dir, join(building, 'data'), { recursive: true });
  writeFileSync(join(building, 'fixture.json'), JSON.stringify(fixture));
  rmSync(world.dir, { recursive: true, force: true });
  try {
    renameSync(building, cache);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another run finished first
  }
}
