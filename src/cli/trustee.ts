/** The trustee's commands over HTTP: keygen, join, status, run (a daemon, or one step with --once). */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Bundle } from '../core/bundle.ts';
import type { ProcedureBundle } from '../core/procedure-bundle.ts';
import type { CommitteeEntry } from '../core/committee.ts';
import { transportEntry } from '../core/trustee/dkg.ts';
import { type TrusteeApi, trusteeStep } from '../core/trustee/duties.ts';
import { openTrusteeFile, sealTrusteeFile } from '../core/trustee/trustee-file.ts';
import { nodeVerificationKeys } from '../node/artifacts.ts';
import { Client } from './client.ts';
import { CliError } from './errors.ts';

const random = (n: number) => new Uint8Array(randomBytes(n));

export function httpTrusteeApi(client: Client): TrusteeApi {
  return {
    committeeEntries: async () => (await client.get<{ entries: { entry: CommitteeEntry }[] }>('api/committee')).entries.map((e) => e.entry),
    submitCommitteeEntry: (entry) => client.post('api/committee/entries', { entry }),
    closedSealedLetters: async () => {
      const { letters } = await client.get<{ letters: { letterId: string; status: string; letter: { committee?: unknown } }[] }>('api/letters');
      return letters.filter((l) => l.status === 'closed' && l.letter.committee).map((l) => l.letterId);
    },
    bundle: (id) => client.get<Bundle>(`api/letters/${id}/bundle`),
    submitReveal: (id, entry) => client.post(`api/letters/${id}/reveals`, { entry }),
    closedBallots: async () => (await client.get<{ ballots: { ballotId: string; status: string }[] }>('api/ballots')).ballots.filter((b) => b.status === 'closed').map((b) => b.ballotId),
    procedureBundle: (id) => client.get<ProcedureBundle>(`api/ballots/${id}/bundle`),
    submitTally: (id, entry) => client.post(`api/ballots/${id}/tally`, { entry }),
  };
}

export async function keygen(out: string, passphrase: string): Promise<string> {
  if (existsSync(out)) throw new CliError('file_exists', `${out} already exists`, 2);
  if (passphrase.length < 8) throw new CliError('weak_passphrase', 'choose a passphrase of at least 8 characters', 2);
  const file = await sealTrusteeFile({ seed: random(32), passphrase, salt: random(16), nonce: random(24) });
  writeFileSync(out, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
  return file.transportKey;
}

export async function loadTrustee(file: string, passphrase: string): Promise<bigint> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError('trustee_file_unreadable', `cannot read ${file}: ${(e as Error).message}`, 2);
  }
  const opened = await openTrusteeFile(text, passphrase);
  if (!opened.ok) throw new CliError(opened.code, `${file}: ${opened.reason}`);
  return opened.secret;
}

export async function join(server: string, code: string, secret: bigint) {
  const client = new Client(server);
  // The slot's index and the committee's name are part of the proof's context; asking does not use the code.
  const slot = await client.post<{ index: number; name: string }>('api/committee/slot', { code });
  return client.post<{ index: number; committeeCreated: boolean }>('api/committee/join', { code, ...transportEntry(secret, slot.name, slot.index, random) });
}

export async function runOnce(server: string, secret: bigint) {
  return trusteeStep(httpTrusteeApi(new Client(server)), secret, nodeVerificationKeys, random);
}
