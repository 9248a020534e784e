/**
 * The HTTP API (docs/api.md). Every route declares zod schemas for its params, query and body;
 * a request that does not match gets a 400 with a stable code, never a stack trace. Requests are
 * logged by route pattern and status only: no IP address, no user agent, no URL parameters.
 */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { VoteRecordSchema } from '../core/ballot/ballot.ts';
import { SignatureRecordSchema } from '../core/record.ts';
import { parseRosterCsv } from '../core/roster-csv.ts';
import { SemaphoreProofSchema } from '../core/semaphore.ts';
import { ApiError, badRequest } from './errors.ts';
import type { Db } from './db.ts';
import type { Instance } from './instance.ts';
import { ProofBatcher, type ProofBatcherOptions } from './proof-batcher.ts';
import { Publisher } from './publisher.ts';
import { registerWeb } from './web.ts';

const hex32 = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex characters');
const decimal = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'a decimal integer');
const memberIdParam = z.object({ id: z.coerce.number().int().min(1) }).strict();
const letterParam = z.object({ id: hex32 }).strict();
const extraSchema = z.record(z.string().max(100), z.string().max(1000));

export const ROSTER_PAGE_DEFAULT = 500;
export const ROSTER_PAGE_MAX = 5000;

export const schemas = {
  setup: z.object({ token: z.string().min(1).max(200), name: z.string().trim().min(1).max(200).optional() }).strict(),
  addMember: z.object({ name: z.string().min(1).max(200), extra: extraSchema.optional() }).strict(),
  importMembers: z.object({ csv: z.string().min(1).max(20_000_000) }).strict(),
  enroll: z.object({ code: z.string().min(1).max(100), commitment: decimal }).strict(),
  propose: z.object({ letter: z.unknown(), proposal: SemaphoreProofSchema }).strict(),
  record: z.object({ record: SignatureRecordSchema }).strict(),
  session: z.object({ challenge: hex32, proof: SemaphoreProofSchema }).strict(),
  entriesQuery: z.object({ start: z.coerce.number().int().min(0), end: z.coerce.number().int().min(1) }).strict(),
  inclusionQuery: z.object({ index: z.coerce.number().int().min(0), size: z.coerce.number().int().min(1) }).strict(),
  consistencyQuery: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }).strict(),
  rosterQuery: z
    .object({ offset: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().min(1).max(ROSTER_PAGE_MAX).optional(), q: z.string().max(200).optional() })
    .strict(),
  nullifierBody: z.object({ nullifier: decimal }).strict(),
  createCommittee: z
    .object({ name: z.string().min(1).max(200), k: z.number().int().min(1).max(50), trustees: z.array(z.string().min(1).max(200)).min(1).max(50) })
    .strict(),
  joinCommittee: z.object({ code: z.string().min(1).max(100), transportKey: hex32, proof: z.object({ c: hex32, s: hex32 }).strict() }).strict(),
  committeeEntry: z.object({ entry: z.unknown() }).strict(),
};

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue.path.length ? `${where}.${issue.path.join('.')}` : where;
    throw badRequest('invalid_request', `${path}: ${issue.message}`);
  }
  return r.data;
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7) : undefined;
}

export interface AppOptions {
  instance: Instance;
  /** Where request lines go; by default stderr. Each line: method, route pattern, status. */
  log?: (line: string) => void;
  /** The built web app (Vite output); by default dist/web. */
  webDir?: string;
  /**
   * How incoming proofs are verified: batched over a worker pool (proof-batcher.ts; the default,
   * its threads start when the app listens or on the first proof, and end with the app), or false
   * for one by one in this thread.
   */
  proofBatching?: ProofBatcherOptions | false;
  /**
   * Publication window in milliseconds (publisher.ts): members' submissions are held to the end
   * of the window and appended in a shuffled order, in one transaction. 0 (the default here)
   * publishes at once (those checked together, together); `undersigned serve` sets a few seconds.
   */
  publishWindowMs?: number;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { instance } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    // The router's own errors (a malformed %-escape, an over-long path parameter) skip the error
    // handler; without this they answer in Fastify's shape, echoing the path.
    frameworkErrors: (error, _req, res) => {
      const reply = res as unknown as FastifyReply;
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return reply.status(414).send({ error: { code: 'url_too_long', message: 'a part of the request URL is too long' } });
      return reply.status(400).send({ error: { code: 'bad_url', message: 'the request URL is not valid' } });
    },
  });

  if (options.proofBatching !== false) {
    const batcher = new ProofBatcher(instance.keys, { warn: log, ...options.proofBatching });
    const detach = instance.verifyWith(batcher);
    // A listening server gets its threads ready before the first request (about half a second).
    app.addHook('onListen', async () => batcher.start());
    app.addHook('onClose', async () => {
      detach();
      await batcher.close();
    });
  }

  {
    // Always: with a window of 0, submissions checked together are still appended together.
    const publisher = new Publisher<Db>({
      windowMs: options.publishWindowMs ?? 0,
      randomBytes: (n) => new Uint8Array(randomBytes(n)),
      runBatch: (appends) => instance.appendBatch(appends),
    });
    const detach = instance.publishWith(publisher);
    app.addHook('onClose', async () => {
      // Submissions already accepted are published (and answered) before the server stops.
      detach();
      await publisher.close();
    });
  }

  app.addHook('onResponse', async (req, reply) => {
    log(`${req.method} ${req.routeOptions.url ?? '(no route)'} ${reply.statusCode}`);
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('Cache-Control', 'no-store');
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    return payload;
  });

  app.setErrorHandler((error: unknown, _req, reply) => {
    if (error instanceof ApiError) {
      return reply.status(error.status).send({ error: { code: error.code, message: error.message } });
    }
    const e = error as { code?: string; statusCode?: number; message?: string };
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.status(413).send({ error: { code: 'body_too_large', message: 'the request body is too large' } });
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.status(415).send({ error: { code: 'unsupported_media_type', message: 'send JSON (Content-Type: application/json)' } });
    if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return reply.status(400).send({ error: { code: 'invalid_json', message: 'the request body is empty' } });
    if (e.statusCode === 400 || (error instanceof SyntaxError)) {
      return reply.status(400).send({ error: { code: 'invalid_json', message: 'the request body is not valid JSON' } });
    }
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.status(e.statusCode).send({ error: { code: 'bad_request', message: e.message ?? 'bad request' } });
    }
    log(`internal error: ${e.message ?? String(error)}`);
    return reply.status(500).send({ error: { code: 'internal', message: 'something went wrong on the server; nothing was changed' } });
  });

  app.setNotFoundHandler((_req, reply) => reply.status(404).send({ error: { code: 'not_found', message: 'no such route' } }));

  registerWeb(app, { dir: options.webDir, log });
  const admin = async (req: FastifyRequest) => instance.checkAdmin(bearer(req));

  // --- instance & setup
  app.get('/api/instance', async () => instance.info());
  app.post('/api/setup', async (req) => {
    const body = parse(schemas.setup, req.body, 'body');
    return instance.setup(body.token, body.name);
  });

  // --- roster (organizer)
  app.post('/api/admin/members', async (req, reply: FastifyReply) => {
    await admin(req);
    const body = parse(schemas.addMember, req.body, 'body');
    const [m] = await instance.addMembers([{ name: body.name, extra: body.extra }]);
    return reply.status(201).send(m);
  });
  app.post('/api/admin/members/import', { bodyLimit: 25 * 1024 * 1024 }, async (req, reply) => {
    await admin(req);
    const body = parse(schemas.importMembers, req.body, 'body');
    const csv = parseRosterCsv(body.csv);
    if (!csv.ok) throw badRequest(csv.code, csv.reason);
    const members = await instance.addMembers(csv.members);
    return reply.status(201).send({ members });
  });
  app.delete('/api/admin/members/:id', async (req) => {
    await admin(req);
    const { id } = parse(memberIdParam, req.params, 'params');
    return { receipt: await instance.removeMember(id) };
  });
  app.post('/api/admin/members/:id/code', async (req) => {
    await admin(req);
    const { id } = parse(memberIdParam, req.params, 'params');
    return instance.reissueCode(id);
  });
  app.post('/api/admin/members/:id/replacement', async (req) => {
    await admin(req);
    const { id } = parse(memberIdParam, req.params, 'params');
    return instance.approveReplacement(id);
  });
  app.post('/api/admin/letters/:id/close', async (req) => {
    await admin(req);
    const { id } = parse(letterParam, req.params, 'params');
    return instance.closeLetter(id);
  });

  // --- roster (public)
  // Without paging parameters: the whole snapshot (what the web app and the CLI verify against
  // `ref`). With `offset` and/or `limit`: one page of members, with `ref` and `leafCount` of the
  // whole roster, `total` members, members in id order.
  app.get('/api/roster', async (req) => {
    const q = parse(schemas.rosterQuery, req.query, 'query');
    if (q.offset === undefined && q.limit === undefined && q.q === undefined) {
      const { snapshot, ref } = await instance.roster();
      return { snapshot, ref };
    }
    return instance.rosterPage(q.offset ?? 0, q.limit ?? ROSTER_PAGE_DEFAULT, q.q);
  });
  app.get('/api/roster/members/:id', async (req) => {
    const { id } = parse(memberIdParam, req.params, 'params');
    return instance.memberEntry(id);
  });
  app.post('/api/enroll', async (req, reply) => {
    const body = parse(schemas.enroll, req.body, 'body');
    return reply.status(201).send(await instance.enroll(body.code, body.commitment));
  });

  // --- membership sessions
  app.post('/api/session/challenge', async () => instance.challenge());
  app.post('/api/session', async (req) => {
    const body = parse(schemas.session, req.body, 'body');
    return instance.openSession(body.challenge, body.proof);
  });

  // --- letters
  app.get('/api/letters', async () => ({ letters: await instance.letters() }));
  app.post('/api/letters', async (req, reply) => {
    const body = parse(schemas.propose, req.body, 'body');
    return reply.status(201).send(await instance.proposeLetter(body.letter, body.proposal));
  });
  app.get('/api/letters/:id', async (req) => {
    const { id } = parse(letterParam, req.params, 'params');
    const member = await instance.checkSession(req.headers['x-session'] as string | undefined);
    return instance.letterStatus(id, { member });
  });
  app.get('/api/letters/:id/roster', async (req) => {
    const { id } = parse(letterParam, req.params, 'params');
    return { snapshot: await instance.letterRoster(id) };
  });
  app.post('/api/letters/:id/records', async (req, reply) => {
    const { id } = parse(letterParam, req.params, 'params');
    const body = parse(schemas.record, req.body, 'body');
    return reply.status(201).send({ receipt: await instance.submitRecord(id, body.record) });
  });
  // A POST, so that the nullifier is never in a URL (proxies log URLs with client addresses).
  app.post('/api/letters/:id/nullifier', async (req) => {
    const { id } = parse(letterParam, req.params, 'params');
    const { nullifier } = parse(schemas.nullifierBody, req.body, 'body');
    return instance.nullifierState(id, nullifier);
  });
  app.get('/api/letters/:id/bundle', async (req) => {
    const { id } = parse(letterParam, req.params, 'params');
    return instance.bundle(id);
  });

  // --- log
  app.get('/api/log/checkpoint', async (req, reply) => {
    reply.type('text/plain; charset=utf-8');
    return instance.latestCheckpoint();
  });
  app.get('/api/log/entries', async (req) => {
    const q = parse(schemas.entriesQuery, req.query, 'query');
    if (q.end <= q.start || q.end - q.start > 1000) throw badRequest('bad_range', 'ask for 1 to 1000 entries: start < end <= start + 1000');
    return { entries: await instance.logEntries(q.start, q.end) };
  });
  app.get('/api/log/inclusion', async (req) => {
    const q = parse(schemas.inclusionQuery, req.query, 'query');
    return { proof: await instance.inclusion(q.index, q.size) };
  });
  app.get('/api/log/consistency', async (req) => {
    const q = parse(schemas.consistencyQuery, req.query, 'query');
    return { proof: await instance.consistency(q.from, q.to) };
  });

  // --- ballots
  const ballotParam = letterParam;
  app.post('/api/admin/ballots', async (req, reply) => {
    await admin(req);
    const body = parse(z.object({ ballot: z.unknown() }).strict(), req.body, 'body');
    return reply.status(201).send(await instance.ballots.open(body.ballot));
  });
  app.post('/api/admin/ballots/:id/close', async (req) => {
    await admin(req);
    const { id } = parse(ballotParam, req.params, 'params');
    return instance.ballots.close(id);
  });
  app.get('/api/ballots', async () => ({ ballots: await instance.ballots.list() }));
  app.get('/api/ballots/:id', async (req) => {
    const { id } = parse(ballotParam, req.params, 'params');
    const { ballot, row } = await instance.ballots.get(id);
    return { ballotId: id, ballot, status: row.closed_idx !== null ? 'closed' : 'open' };
  });
  app.get('/api/ballots/:id/roster', async (req) => {
    const { id } = parse(ballotParam, req.params, 'params');
    const { row } = await instance.ballots.get(id);
    return { snapshot: await instance.snapshotAt(row.opened_idx) };
  });
  app.post('/api/ballots/:id/nullifier', async (req) => {
    const { id } = parse(ballotParam, req.params, 'params');
    const { nullifier } = parse(schemas.nullifierBody, req.body, 'body');
    return instance.ballots.nullifierState(id, nullifier);
  });
  app.post('/api/ballots/:id/votes', async (req, reply) => {
    const { id } = parse(ballotParam, req.params, 'params');
    const body = parse(z.object({ record: VoteRecordSchema }).strict(), req.body, 'body');
    return reply.status(201).send({ receipt: await instance.ballots.vote(id, body.record) });
  });
  app.post('/api/ballots/:id/tally', async (req, reply) => {
    const { id } = parse(ballotParam, req.params, 'params');
    const body = parse(schemas.committeeEntry, req.body, 'body');
    return reply.status(201).send(await instance.ballots.submitTally(id, body.entry));
  });
  app.get('/api/ballots/:id/bundle', async (req) => {
    const { id } = parse(ballotParam, req.params, 'params');
    return instance.ballots.bundle(id);
  });

  // --- trustee committee (sealed signatures)
  app.post('/api/admin/committee', async (req, reply) => {
    await admin(req);
    const body = parse(schemas.createCommittee, req.body, 'body');
    return reply.status(201).send({ trustees: await instance.committee.create(body) });
  });
  app.post('/api/committee/slot', async (req) => {
    const code = parse(z.object({ code: z.string().min(1).max(100) }).strict(), req.body, 'body').code;
    return instance.committee.slot(code);
  });
  app.post('/api/committee/join', async (req, reply) => {
    const body = parse(schemas.joinCommittee, req.body, 'body');
    return reply.status(201).send(await instance.committee.join(body.code, body.transportKey, body.proof));
  });
  app.get('/api/committee', async () => instance.committee.status());
  app.get('/api/committee/ref', async () => ({ committee: await instance.committee.letterRef() }));
  app.post('/api/committee/entries', async (req, reply) => {
    const body = parse(schemas.committeeEntry, req.body, 'body');
    return reply.status(201).send(await instance.committee.submit(body.entry));
  });
  app.post('/api/letters/:id/reveals', async (req, reply) => {
    const { id } = parse(letterParam, req.params, 'params');
    const body = parse(schemas.committeeEntry, req.body, 'body');
    return reply.status(201).send(await instance.committee.submitReveal(id, body.entry));
  });

  return app;
}
