/**
 * One undersigned instance: its services, each built once here with its collaborators, over one
 * database. Every rule the server enforces lives in a service named for its concept
 * (services/*.ts), so the HTTP routes, the organizer's CLI and the demo all go through the same
 * checks. The clock and the randomness are injected.
 *
 * Dependencies go one way: log ← roster ← enrollment, admin, sessions; committee ← letters ←
 * ballots ← bundles ← reveals. Services that take members' submissions (letters, sessions,
 * ballots) are also given how to verify and publish them (services/ingest.ts): here in this
 * thread and at once; a running server builds its own with `withIngest` (app.ts).
 */
import type { VerificationKeys } from '../core/crypto/semaphore.ts';
import { Clock } from './clock.ts';
import type { Db } from './db.ts';
import { AdminService } from './services/admin.ts';
import { BallotService } from './services/ballots.ts';
import { BundleService } from './services/bundles.ts';
import { CommitteeService } from './services/committee.ts';
import { EnrollmentService } from './services/enrollment.ts';
import { type IngestVerifier, type Publication, inThreadVerifier, publishAtOnce } from './services/ingest.ts';
import { LetterService } from './services/letters.ts';
import { LogService } from './services/log.ts';
import { RevealService } from './services/reveals.ts';
import { RosterService } from './services/roster.ts';
import { SessionService } from './services/sessions.ts';
import { WitnessService } from './services/witnesses.ts';

export interface InstanceDeps {
  db: Db;
  keys: VerificationKeys;
  now: () => Date;
  randomBytes: (n: number) => Uint8Array;
}

/** How members' submissions are verified and published (services/ingest.ts). */
export interface Ingest {
  verifier: IngestVerifier;
  publication: Publication;
}

/** The services a request handler may use: what the HTTP routes are given. */
export interface Services {
  /** How members' submissions are published: at once here, in shuffled windows in a server. */
  publication: Publication;
  admin: AdminService;
  log: LogService;
  roster: RosterService;
  enrollment: EnrollmentService;
  sessions: SessionService;
  committee: CommitteeService;
  letters: LetterService;
  ballots: BallotService;
  bundles: BundleService;
  reveals: RevealService;
  witnesses: WitnessService;
}

export class Instance implements Services {
  readonly db: Db;
  readonly keys: VerificationKeys;
  readonly clock: Clock;
  readonly publication: Publication;
  readonly log: LogService;
  readonly roster: RosterService;
  readonly enrollment: EnrollmentService;
  readonly admin: AdminService;
  readonly committee: CommitteeService;
  readonly sessions: SessionService;
  readonly letters: LetterService;
  readonly ballots: BallotService;
  readonly bundles: BundleService;
  readonly reveals: RevealService;
  readonly witnesses: WitnessService;

  constructor(private readonly deps: InstanceDeps) {
    const { db, keys, randomBytes } = deps;
    this.db = db;
    this.keys = keys;
    const clock = (this.clock = new Clock(deps.now));
    const log = (this.log = new LogService(db));
    const roster = (this.roster = new RosterService(db, log));
    this.enrollment = new EnrollmentService({ db, log, clock, randomBytes });
    this.admin = new AdminService({ db, log, clock, randomBytes });
    const committee = (this.committee = new CommitteeService(db, log));
    const witnesses = (this.witnesses = new WitnessService(db, log));
    const ingest = { verifier: inThreadVerifier(keys), publication: publishAtOnce(db) };
    this.publication = ingest.publication;
    this.sessions = new SessionService({ db, roster, clock, randomBytes, verifier: ingest.verifier });
    const minGroupSize = async () => (await this.admin.settings()).minGroupSize;
    const letters = (this.letters = new LetterService({ db, log, roster, committee, witnesses, clock, minGroupSize, ...ingest }));
    const ballots = (this.ballots = new BallotService({ db, log, roster, committee, witnesses, letters, clock, keys, ...ingest }));
    const bundles = (this.bundles = new BundleService({ db, log, roster, letters, ballots, committee, witnesses, keys }));
    this.reveals = new RevealService({ db, log, letters, bundles, committee });
  }

  /**
   * This instance's services for a running server whose submissions are verified and published by
   * `ingest` (its proof batcher and publication window): new letters, sessions and ballots
   * services, built once per server; the others, and every cache, are this instance's own.
   */
  withIngest(ingest: Ingest): Services {
    const { db, keys, randomBytes } = this.deps;
    const { log, roster, committee, witnesses, clock } = this;
    const minGroupSize = async () => (await this.admin.settings()).minGroupSize;
    const letters = new LetterService({ db, log, roster, committee, witnesses, clock, minGroupSize, ...ingest });
    const ballots = new BallotService({ db, log, roster, committee, witnesses, letters, clock, keys, ...ingest });
    return {
      publication: ingest.publication,
      admin: this.admin,
      log,
      roster,
      enrollment: this.enrollment,
      sessions: new SessionService({ db, roster, clock, randomBytes, verifier: ingest.verifier }),
      committee,
      letters,
      ballots,
      bundles: this.bundles,
      reveals: this.reveals,
      witnesses,
    };
  }
}
