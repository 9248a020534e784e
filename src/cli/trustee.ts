/**
 * The trustee's commands over HTTP: keygen, join, status, run (a daemon, or one step with --once).
 * Next to the trustee file, `<file>.own.json` records the slot it joined and every entry it signed
 * (src/core/trustee/own-entries.ts), written before each entry is sent; `run` checks the log
 * against it before every step.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Bundle } from '../core/bundle/bundle.ts';
import type { ProcedureBundle } from '../core/bundle/procedure-bundle.ts';
import type { CommitteeEntry } from '../core/trustee/committee.ts';
import { transportEntry } from '../core/trustee/dkg.ts';
import { type TrusteeApi, trusteeStep } from '../core/trustee/duties.ts';
import { type OwnAlarm, type OwnRecord, OwnRecordSchema, entriesNotMine, newOwnRecord, ownTransportKey, withMade } from '../core/trustee/own-entries.ts';
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

/** Where the record of a trustee file's own entries is kept: next to it. */
export const ownRecordPath = (trusteeFile: string) => `${trusteeFile}.own.json`;

export function readOwnRecord(path: string): OwnRecord | null {
  if (!existsSync(path)) return null;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError('own_record_unreadable', `cannot read ${path}: ${(e as Error).message}`, 2);
  }
  const parsed = OwnRecordSchema.safeParse(value);
  if (!parsed.success) throw new CliError('own_record_malformed', `${path} is not a trustee's record of its own entries`, 2);
  return parsed.data;
}

/** Written to a temporary file and renamed: a crash leaves the old record or the new one, never half. */
export function writeOwnRecord(path: string, record: OwnRecord): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

/** `record`: where to begin the record of this trustee's own entries (see ownRecordPath). */
export async function join(server: string, code: string, secret: bigint, record?: string) {
  const client = new Client(server);
  // The slot's index and the committee's name are part of the proof's context; asking does not use the code.
  const slot = await client.post<{ index: number; name: string }>('api/committee/slot', { code });
  if (record) writeOwnRecord(record, newOwnRecord(ownTransportKey(secret), { index: slot.index, committee: slot.name }, 0));
  return client.post<{ index: number; committeeCreated: boolean }>('api/committee/join', { code, ...transportEntry(secret, slot.name, slot.index, random) });
}

/** The HTTP API with every entry this trustee signs added to its record before it is sent. */
function recordingApi(api: TrusteeApi, path: string): TrusteeApi {
  const made = (entry: unknown) => {
    const record = readOwnRecord(path);
    if (!record) throw new CliError('own_record_missing', `${path} disappeared: nothing sent`, 2);
    writeOwnRecord(path, withMade(record, entry));
  };
  return {
    ...api,
    submitCommitteeEntry: (entry) => (made(entry), api.submitCommitteeEntry(entry)),
    submitReveal: (id, entry) => (made(entry), api.submitReveal(id, entry)),
    submitTally: (id, entry) => (made(entry), api.submitTally(id, entry)),
  };
}

/** One step of the trustee's duties; with `record`, each entry it signs is recorded there first. */
export async function runOnce(server: string, secret: bigint, record?: string) {
  const api = httpTrusteeApi(new Client(server));
  return trusteeStep(record ? recordingApi(api, record) : api, secret, nodeVerificationKeys, random);
}

/** Entries per request: the API's maximum (docs/api.md, GET /api/log/entries). */
const PAGE = 1000;

/**
 * Watches the whole log for entries in this trustee's name that it did not make. The log is read
 * once, then only what was appended since. With no record yet (a trustee that joined before
 * records were kept), one is begun at the current log size, and `begun` says so.
 */
export function ownWatch(server: string, secret: bigint, path: string) {
  const client = new Client(server);
  const entries: { index: number; entry: unknown }[] = [];
  return {
    async check(): Promise<{ alarms: OwnAlarm[]; begun: number | null }> {
      const note = await client.text('api/log/checkpoint');
      const size = Number(note.split('\n')[1]);
      if (!Number.isSafeInteger(size) || size < 0) throw new CliError('bad_checkpoint', 'the server sent a checkpoint without a size');
      let begun: number | null = null;
      let record = readOwnRecord(path);
      if (!record) {
        record = newOwnRecord(ownTransportKey(secret), null, size);
        writeOwnRecord(path, record);
        begun = size;
      }
      if (record.transportKey !== ownTransportKey(secret)) throw new CliError('own_record_other_key', `${path} is the record of another trustee file`, 2);
      while (entries.length < size) {
        const start = entries.length;
        const page = await client.get<{ entries: { index: number; entry: unknown }[] }>(`api/log/entries?start=${start}&end=${Math.min(start + PAGE, size)}`);
        if (!page.entries.length) break;
        entries.push(...page.entries.map((e) => ({ index: e.index, entry: e.entry })));
      }
      return { alarms: entriesNotMine(record, entries), begun };
    },
  };
}
