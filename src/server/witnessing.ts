/**
 * Getting the log's checkpoints cosigned by its witnesses (C2SP tlog-witness, as a client).
 *
 * The server signs a checkpoint for every batch it appends; witnesses need not see each one: a
 * cosignature on a later checkpoint, which they give only when it is consistent with what they
 * cosigned before, vouches for every earlier one. So each witness has a pump that sends it the
 * latest COMMITTED checkpoint (read from storage, never one of a transaction that may yet roll
 * back) with a consistency proof from the size it cosigned last, and loops while the log moves.
 * The pumps run on a timer and whenever someone waits for a size (a bundle, a receipt check).
 *
 * A checkpoint is *witnessed* once `quorum` witnesses of the policy have cosigned that very
 * checkpoint; the latest witnessed one (log signature and cosignature lines, one note) is kept
 * in storage and served to clients and in bundles.
 *
 * A witness that answers with a size larger than the log's own, or refuses a checkpoint as a
 * fork or as inconsistent, is raising an alarm about this log: it is reported by `status()` and
 * `onAlarm`, and that witness is not asked again until the server restarts.
 */
import { parseNote } from '../core/log/checkpoint.ts';
import { addSignatureLines, checkWitnessPolicy, verifyCosignatures, type WitnessPolicy } from '../core/log/cosignature.ts';
import { formatAddCheckpoint, SIZE_CONTENT_TYPE } from '../core/log/witness.ts';

export interface WitnessEndpoint {
  /** The witness's verifier key (type 0x04); its name is the witness's name. */
  verifierKey: string;
  /** Its submission prefix: `add-checkpoint` is POSTed to `${url}/add-checkpoint`. */
  url: string;
}

export interface WitnessingOptions {
  endpoints: WitnessEndpoint[];
  quorum: number;
  /** The latest committed checkpoint (log signature only) and its size. */
  latest(): Promise<{ note: string; size: number }>;
  /** RFC 9162 consistency proof between two committed sizes. */
  consistencyProof(from: number, to: number): Uint8Array[] | Promise<Uint8Array[]>;
  /** Where the latest witnessed checkpoint is kept across restarts. */
  load(): Promise<string | null>;
  save(note: string): Promise<void>;
  /** Milliseconds between two rounds of the pumps (default 2000). */
  intervalMs?: number;
  /** Milliseconds a witness has to answer (default 10000). */
  timeoutMs?: number;
  onAlarm?: (witness: string, reason: string) => void;
  fetch?: typeof fetch;
}

interface Pump {
  name: string;
  endpoint: WitnessEndpoint;
  /** The size this witness cosigned last, as far as we know (0: nothing, or unknown). */
  size: number;
  /** The pump's pass in progress, if any. */
  running: Promise<void> | null;
  lastError: string | null;
  alarm: string | null;
}

export interface WitnessingStatus {
  policy: WitnessPolicy;
  witnesses: { name: string; verifierKey: string; url: string; cosignedSize: number; lastError: string | null; alarm: string | null }[];
  witnessed: { size: number; checkpoint: string } | null;
}

/** Parse `NAME=URL=VKEY` (the form of `serve --witness`); the name must be the key's. */
export function parseWitnessOption(text: string): WitnessEndpoint | string {
  const first = text.indexOf('=');
  const second = first < 0 ? -1 : text.indexOf('=', first + 1);
  if (second < 0) return 'a witness is given as NAME=URL=KEY';
  const name = text.slice(0, first);
  const url = text.slice(first + 1, second).replace(/\/+$/, '');
  const verifierKey = text.slice(second + 1);
  if (!/^https?:\/\/[^\s]+$/.test(url)) return `the witness URL ${JSON.stringify(url)} is not an http(s) URL`;
  if (!verifierKey.startsWith(`${name}+`)) return `the witness key is not the key of ${JSON.stringify(name)}`;
  return { verifierKey, url };
}

export class Witnessing {
  readonly policy: WitnessPolicy;
  private readonly pumps: Pump[];
  private witnessed: { size: number; checkpoint: string } | null = null;
  /** Cosignature lines gathered per checkpoint text (body), by witness name. */
  private lines = new Map<string, { size: number; note: string; byWitness: Map<string, string> }>();
  private waiters: { size: number; resolve: () => void }[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: WitnessingOptions) {
    this.policy = { quorum: options.quorum, witnesses: options.endpoints.map((e) => e.verifierKey) };
    const checked = checkWitnessPolicy(this.policy);
    if (!checked.ok) throw new Error(`witnesses: ${checked.reason}`);
    this.pumps = options.endpoints.map((endpoint, i) => ({ name: checked.keys[i].name, endpoint, size: 0, running: null, lastError: null, alarm: null }));
    this.fetch = options.fetch ?? fetch;
  }

  /** Load the witnessed checkpoint kept in storage, and start the pumps. */
  async start(): Promise<void> {
    const saved = await this.options.load();
    if (saved !== null) {
      const v = verifyCosignatures(saved, this.policy);
      const note = parseNote(saved);
      if (v.ok && note.ok) {
        const size = Number(note.body.split('\n')[1]);
        this.witnessed = { size, checkpoint: saved };
        for (const pump of this.pumps) if (v.witnesses.find((w) => w.name === pump.name)?.cosigned) pump.size = size;
      }
    }
    this.timer = setInterval(() => void this.round(), this.options.intervalMs ?? 2000);
    this.timer.unref?.();
    void this.round();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The latest checkpoint that `quorum` witnesses cosigned (note with every line), or null. */
  latestWitnessed(): { size: number; checkpoint: string } | null {
    return this.witnessed;
  }

  status(): WitnessingStatus {
    return {
      policy: this.policy,
      witnesses: this.pumps.map((p) => ({ name: p.name, verifierKey: p.endpoint.verifierKey, url: p.endpoint.url, cosignedSize: p.size, lastError: p.lastError, alarm: p.alarm })),
      witnessed: this.witnessed,
    };
  }

  /** Resolves once a checkpoint of at least `size` is witnessed; false after `timeoutMs`. */
  async waitFor(size: number, timeoutMs: number): Promise<boolean> {
    if ((this.witnessed?.size ?? -1) >= size) return true;
    const reached = new Promise<boolean>((resolve) => this.waiters.push({ size, resolve: () => resolve(true) }));
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref?.());
    void this.round();
    return Promise.race([reached, timeout]);
  }

  /**
   * One round: every pump not alarmed sends the latest checkpoint (a pump already running goes on
   * to the latest by itself); resolves when every pump is idle again.
   */
  async round(): Promise<void> {
    await Promise.all(
      this.pumps.filter((p) => p.alarm === null).map((p) => p.running ?? (p.running = this.pump(p).finally(() => (p.running = null)))),
    );
  }

  private async pump(p: Pump): Promise<void> {
    try {
      // Each pass sends the latest committed checkpoint; a 409 corrects our idea of the witness's size.
      for (let attempts = 0; attempts < 4; attempts++) {
        const { note, size } = await this.options.latest();
        const body = note.slice(0, note.indexOf('\n\n') + 1);
        if (this.lines.get(body)?.byWitness.has(p.name)) return;
        if (p.size > size) return this.raise(p, `it has cosigned a checkpoint of size ${p.size}, larger than this log (${size})`);
        const request = formatAddCheckpoint({ oldSize: p.size, proof: p.size === 0 ? [] : await this.options.consistencyProof(p.size, size), checkpoint: note });
        let res: Response;
        let text: string;
        try {
          res = await this.fetch(`${p.endpoint.url}/add-checkpoint`, { method: 'POST', body: request, headers: { 'content-type': 'text/plain' }, signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
          text = await res.text();
        } catch (e) {
          p.lastError = `unreachable: ${(e as Error).message}`;
          return;
        }
        if (res.status === 200) {
          // Keep the lines that verify under this witness's key on this very checkpoint.
          const mine = text.split('\n').filter((l) => l.length > 0 && verifyCosignatures(addSignatureLines(note, [l]), { quorum: 1, witnesses: [p.endpoint.verifierKey] }).ok);
          if (mine.length === 0) {
            p.lastError = 'its answer holds no valid cosignature of the checkpoint';
            return;
          }
          p.size = size;
          p.lastError = null;
          this.record(body, size, note, p.name, mine[0]);
          continue;
        }
        if (res.status === 409 && (res.headers.get('content-type') ?? '').startsWith(SIZE_CONTENT_TYPE) && /^(0|[1-9][0-9]*)\n$/.test(text)) {
          const theirs = Number(text.trim());
          if (theirs === p.size) return this.raise(p, `it refused size ${size} from its own latest size ${theirs}`);
          p.size = theirs;
          continue;
        }
        if (res.status === 409 || res.status === 422) return this.raise(p, `it refused the checkpoint of size ${size} (${res.status}: ${text.trim().slice(0, 200)})`);
        p.lastError = `HTTP ${res.status}: ${text.trim().slice(0, 200)}`;
        return;
      }
    } catch (e) {
      p.lastError = (e as Error).message;
    }
  }

  private record(body: string, size: number, note: string, witness: string, line: string): void {
    let entry = this.lines.get(body);
    if (!entry) {
      entry = { size, note, byWitness: new Map() };
      this.lines.set(body, entry);
    }
    entry.byWitness.set(witness, line);
    if (entry.byWitness.size >= this.policy.quorum && size > (this.witnessed?.size ?? -1)) {
      const checkpoint = addSignatureLines(note, [...entry.byWitness.values()]);
      this.witnessed = { size, checkpoint };
      void this.options.save(checkpoint).catch(() => {});
      for (const [b, e] of this.lines) if (e.size < size) this.lines.delete(b);
      const ready = this.waiters.filter((w) => w.size <= size);
      this.waiters = this.waiters.filter((w) => w.size > size);
      for (const w of ready) w.resolve();
    }
  }

  private raise(p: Pump, reason: string): void {
    p.alarm = reason;
    this.options.onAlarm?.(p.name, reason);
  }
}
