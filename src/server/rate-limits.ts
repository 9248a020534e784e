/**
 * Rate limits that bound work, not people (docs/threat-model.md §4.10, docs/api.md "Rate limits").
 *
 * Nothing here knows who is asking: there is no address, no cookie, no fingerprint, so there is
 * nothing to store or log. Three kinds of limit, each over a finite set of keys (so the memory is
 * bounded by the number of routes and of organizer tokens, never by the number of callers):
 *
 * - a token bucket per route (method and pattern, e.g. `GET /api/letters/:id/bundle`), shared by
 *   everyone who calls it: it bounds how much of the one event loop a route may take, so a flood
 *   of one route slows that route, not the publication of signatures or the other routes;
 * - a token bucket per organizer token on the organizer routes, taken after the token is checked
 *   (an unauthenticated caller cannot drain the organizer's bucket, only be refused 401);
 * - on the routes that carry a proof (proposal, signature, vote, session), a bound on how many
 *   such submissions are being handled at once — read, verified, or waiting for their publication
 *   window — instead of a rate: the work they cost is proof verification, and this bounds the
 *   verifier's queue whoever sends the proofs.
 *
 * A refused request is answered 429 `rate_limited` with `Retry-After` (whole seconds), before its
 * body is read.
 */
import { ApiError } from './errors.ts';

export interface Bucket {
  /** Requests allowed at once after a quiet period. */
  burst: number;
  /** Requests allowed per second, sustained. */
  perSecond: number;
}

export interface RateLimitOptions {
  /** Per route, by `METHOD /pattern`; routes not listed get `route`. */
  routes?: Record<string, Bucket>;
  /** Any route not listed in `routes`. */
  route?: Bucket;
  /** Each organizer token, over all organizer routes together. */
  organizer?: Bucket;
  /** Proof-carrying submissions handled at once, over all of them. */
  proofsInFlight?: number;
  /**
   * Every bucket (burst and rate) and the in-flight bound multiplied by this (default 1): one knob
   * for a large group (`serve --rate-limit-scale 20` for a union of 50,000) or a small machine.
   */
  scale?: number;
  /** Monotonic milliseconds (injected in tests). */
  now?: () => number;
}

/** The routes whose work is a proof verification (bounded by `proofsInFlight`, not by a bucket). */
export const PROOF_ROUTES: ReadonlySet<string> = new Set(['POST /api/letters', 'POST /api/letters/:id/records', 'POST /api/ballots/:id/votes', 'POST /api/session']);

/**
 * Defaults: generous for people, tight for the routes that rebuild large answers. A caucus of a
 * few hundred members never meets them; a script asking for a bundle in a loop does.
 */
export const DEFAULT_RATE_LIMITS: Required<Omit<RateLimitOptions, 'now' | 'scale'>> = {
  route: { burst: 600, perSecond: 200 },
  routes: {
    'GET /api/letters/:id/bundle': { burst: 30, perSecond: 10 },
    'GET /api/ballots/:id/bundle': { burst: 30, perSecond: 10 },
    'POST /api/letters/:id/reveals': { burst: 30, perSecond: 10 },
    'POST /api/ballots/:id/tally': { burst: 30, perSecond: 10 },
    'GET /api/letters': { burst: 120, perSecond: 40 },
    'GET /api/roster': { burst: 120, perSecond: 40 },
    'POST /api/session/challenge': { burst: 300, perSecond: 100 },
    'POST /api/enroll': { burst: 120, perSecond: 40 },
  },
  organizer: { burst: 120, perSecond: 20 },
  proofsInFlight: 2048,
};

/** Answered when a limit is reached: 429 with how long to wait. */
export class RateLimited extends ApiError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'rate_limited', `this server is busy with requests like this one: try again in ${retryAfterSeconds} s`);
  }
}

class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly bucket: Bucket,
    now: number,
  ) {
    this.tokens = bucket.burst;
    this.at = now;
  }

  /** Take one token: 0 if there was one, else the seconds until there is. */
  take(now: number): number {
    this.tokens = Math.min(this.bucket.burst, this.tokens + ((now - this.at) / 1000) * this.bucket.perSecond);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.bucket.perSecond));
  }
}

export class RateLimiter {
  private readonly routeBuckets = new Map<string, TokenBucket>();
  private readonly organizerBuckets = new Map<number, TokenBucket>();
  private inFlight = 0;
  private readonly options: Required<Omit<RateLimitOptions, 'scale'>>;

  constructor(options: RateLimitOptions = {}) {
    const k = options.scale ?? 1;
    if (!(k > 0 && Number.isFinite(k))) throw new RangeError(`rate limit scale must be a positive number, not ${k}`);
    const scaled = (b: Bucket): Bucket => ({ burst: Math.max(1, Math.round(b.burst * k)), perSecond: b.perSecond * k });
    const merged = { ...DEFAULT_RATE_LIMITS, now: () => performance.now(), ...options, routes: { ...DEFAULT_RATE_LIMITS.routes, ...options.routes } };
    for (const [name, b] of Object.entries({ route: merged.route, organizer: merged.organizer, ...merged.routes })) {
      if (!(b.burst >= 1 && b.perSecond > 0)) throw new RangeError(`rate limit ${name}: burst must be ≥ 1 and perSecond > 0`);
    }
    if (!(merged.proofsInFlight >= 1)) throw new RangeError('rate limit proofsInFlight must be ≥ 1');
    this.options = {
      now: merged.now,
      route: scaled(merged.route),
      organizer: scaled(merged.organizer),
      routes: Object.fromEntries(Object.entries(merged.routes).map(([r, b]) => [r, scaled(b)])),
      proofsInFlight: Math.max(1, Math.round(merged.proofsInFlight * k)),
    };
  }

  /** A request to `route` (`METHOD /pattern`) by anyone: throws RateLimited when its bucket is empty. */
  takeRoute(route: string): void {
    let b = this.routeBuckets.get(route);
    if (!b) this.routeBuckets.set(route, (b = new TokenBucket(this.options.routes[route] ?? this.options.route, this.options.now())));
    const wait = b.take(this.options.now());
    if (wait) throw new RateLimited(wait);
  }

  /** A request by the organizer token `id` (already checked). */
  takeOrganizer(id: number): void {
    let b = this.organizerBuckets.get(id);
    if (!b) this.organizerBuckets.set(id, (b = new TokenBucket(this.options.organizer, this.options.now())));
    const wait = b.take(this.options.now());
    if (wait) throw new RateLimited(wait);
  }

  /** Admit one proof-carrying submission; `release` is to be called once when it has been answered. */
  admitProof(retryAfterSeconds: number): () => void {
    if (this.inFlight >= this.options.proofsInFlight) throw new RateLimited(retryAfterSeconds);
    this.inFlight++;
    let released = false;
    return () => {
      if (!released) this.inFlight--;
      released = true;
    };
  }

  /** Forget a revoked token's bucket. */
  forgetOrganizer(id: number): void {
    this.organizerBuckets.delete(id);
  }
}

/** No limit at all (`rateLimits: false`: tests that need volume, a benchmark). */
export class NoRateLimits extends RateLimiter {
  override takeRoute(): void {}
  override takeOrganizer(): void {}
  override admitProof(): () => void {
    return () => {};
  }
}
