/**
 * The instance's witnesses (docs/protocol.md §2): the policy of record is the latest
 * `witness-policy` entry on the log (also kept in `meta` so that it is read without a scan), and
 * every letter and ballot opened under it must name exactly it. A running server given witness
 * endpoints (`serve --witness`) logs its policy when it changes and runs the pumps that get each
 * checkpoint cosigned (../witnessing.ts); bundles of a witnessed letter or ballot are made
 * against the latest witnessed checkpoint, never a bare one.
 */
import { hexToBytes } from '../../core/encoding.ts';
import { type WitnessPolicy, samePolicy } from '../../core/log/cosignature.ts';
import { parseCheckpointBody, parseNote } from '../../core/log/checkpoint.ts';
import { type Db, readMeta, upsertMeta } from '../db.ts';
import { ApiError } from '../errors.ts';
import { type WitnessEndpoint, Witnessing, type WitnessingStatus } from '../witnessing.ts';
import type { LogService } from './log.ts';

const POLICY_KEY = 'witness_policy';
const WITNESSED_KEY = 'witnessed_checkpoint';

export interface WitnessConfig {
  endpoints: WitnessEndpoint[];
  /** How many must cosign (default: all). */
  quorum?: number;
  intervalMs?: number;
  /** How long a bundle or a committee view waits for the witnesses (default 15 s). */
  waitMs?: number;
  onAlarm?: (witness: string, reason: string) => void;
}

export class WitnessService {
  private pumps: Witnessing | null = null;
  private waitMs = 15_000;

  constructor(
    private readonly db: Db,
    private readonly log: LogService,
  ) {}

  /** The policy of record: the one the latest witness-policy entry set (undefined: none). */
  async policy(db: Db = this.db): Promise<WitnessPolicy | undefined> {
    const stored = await readMeta(db, POLICY_KEY);
    return stored === null || stored === 'null' ? undefined : (JSON.parse(stored) as WitnessPolicy);
  }

  /** A letter or ballot must name the policy of record (409 `witness_policy_mismatch`). */
  async requireNamed(named: WitnessPolicy | undefined, what: 'letter' | 'ballot'): Promise<void> {
    if (!samePolicy(named, await this.policy())) {
      throw new ApiError(409, 'witness_policy_mismatch', `the ${what} must name the instance's current witnesses: fetch them again (GET /api/log/witnesses)`);
    }
  }

  /**
   * Run with these witnesses: log the policy if it is not the one of record (or log that there is
   * none any more, given no endpoints), then start the pumps.
   */
  async configure(config: WitnessConfig | null): Promise<void> {
    const policy: WitnessPolicy | null = config && config.endpoints.length ? { quorum: config.quorum ?? config.endpoints.length, witnesses: config.endpoints.map((e) => e.verifierKey) } : null;
    await this.db.transaction().execute(async (trx) => {
      // Compared in the transaction that logs it: two servers starting at once log it once.
      if (samePolicy(policy, await this.policy(trx))) return;
      await this.log.append({ kind: 'witness-policy', policy }, trx);
      await upsertMeta(trx, POLICY_KEY, JSON.stringify(policy));
    });
    this.stop();
    if (!config || policy === null) return;
    this.waitMs = config.waitMs ?? 15_000;
    this.pumps = new Witnessing({
      endpoints: config.endpoints,
      quorum: policy.quorum,
      latest: async () => {
        const note = await this.log.latestCheckpoint();
        return { note, size: sizeOf(note) };
      },
      consistencyProof: async (from, to) => (await this.log.consistency(from, to)).map(hexToBytes),
      load: () => readMeta(this.db, WITNESSED_KEY),
      save: (note) => upsertMeta(this.db, WITNESSED_KEY, note),
      intervalMs: config.intervalMs,
      onAlarm: config.onAlarm,
    });
    await this.pumps.start();
  }

  stop(): void {
    this.pumps?.stop();
    this.pumps = null;
  }

  /** What GET /api/log/witnesses answers. */
  async status(): Promise<{ policy: WitnessPolicy | null; witnessed: { size: number; checkpoint: string } | null; witnesses: WitnessingStatus['witnesses'] }> {
    const policy = (await this.policy()) ?? null;
    if (!this.pumps) return { policy, witnessed: policy ? await this.storedWitnessed() : null, witnesses: [] };
    const s = this.pumps.status();
    return { policy, witnessed: s.witnessed, witnesses: s.witnesses };
  }

  /**
   * A checkpoint of at least `size` entries that the policy's quorum cosigned (waiting for the
   * pumps up to `timeoutMs`), or 503 `not_witnessed_yet`.
   */
  async witnessedAtLeast(size: number, timeoutMs = this.waitMs): Promise<{ size: number; checkpoint: string }> {
    const pumps = this.pumps;
    if (pumps && (await pumps.waitFor(size, timeoutMs))) return pumps.latestWitnessed()!;
    const stored = await this.storedWitnessed();
    if (stored && stored.size >= size) return stored;
    throw new ApiError(503, 'not_witnessed_yet', pumps ? 'the witnesses have not cosigned the log this far yet: try again in a moment' : 'this server runs without its witnesses: start it with its --witness options');
  }

  private async storedWitnessed(): Promise<{ size: number; checkpoint: string } | null> {
    const note = await readMeta(this.db, WITNESSED_KEY);
    return note === null ? null : { size: sizeOf(note), checkpoint: note };
  }
}

function sizeOf(note: string): number {
  const parsed = parseNote(note);
  if (!parsed.ok) throw new Error('a stored checkpoint does not parse');
  const cp = parseCheckpointBody(parsed.body);
  if (!cp.ok) throw new Error('a stored checkpoint does not parse');
  return cp.size;
}

