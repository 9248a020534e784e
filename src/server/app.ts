/**
 * The HTTP API (docs/api.md), as a tree of Fastify plugins: this file sets what every route shares
 * (request limits, the error shape, security headers, one log line per request, how schemas are
 * checked), builds the server's submission path (a proof batcher and a publication window), then
 * registers one plugin per concept (routes/*.ts), each route declaring its zod schemas. A request
 * that does not match gets a 400 with a stable code, never a stack trace. Requests are logged by
 * route pattern and status only: no IP address, no user agent, no URL parameters.
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { ApiError } from './errors.ts';
import type { Instance, Services } from './instance.ts';
import { ProofBatcher, type ProofBatcherOptions } from './proof-batcher.ts';
import { Publisher } from './publisher.ts';
import { NoRateLimits, PROOF_ROUTES, type RateLimitOptions, RateLimited, RateLimiter } from './rate-limits.ts';
import { ballotRoutes } from './routes/ballots.ts';
import { bundleRoutes } from './routes/bundles.ts';
import { committeeRoutes } from './routes/committee.ts';
import { instanceRoutes } from './routes/instance.ts';
import { letterRoutes } from './routes/letters.ts';
import { logRoutes } from './routes/log.ts';
import { rosterRoutes } from './routes/roster.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { serializerCompiler, validatorCompiler } from './routes/validation.ts';
import { type IngestVerifier, appendInSavepoints, inThreadVerifier } from './services/ingest.ts';
import type { WitnessConfig } from './services/witnesses.ts';
import { registerWeb } from './web.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The services this server's routes run on (its own submission path: see `buildApp`). */
    services: Services;
    /** The limits every request goes through (rate-limits.ts). */
    rateLimiter: RateLimiter;
  }
  interface FastifyContextConfig {
    /** An organizer route: its token is checked, and its bucket taken, by `organizerOnly`. */
    organizer?: boolean;
  }
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
  /**
   * The witnesses that cosign this log's checkpoints (C2SP tlog-witness), and how many must
   * (default: all). Changing them logs a new witness policy; none, when the log had some, logs
   * that there are none any more. Undefined: leave the policy of record as it is (tests, demo).
   */
  witnesses?: WitnessConfig | null;
  /**
   * Rate limits (rate-limits.ts): by default DEFAULT_RATE_LIMITS; some of them replaced; or false
   * for none (a benchmark, a test that needs volume).
   */
  rateLimits?: RateLimitOptions | false;
  /**
   * People reach this server over HTTPS (its public URL is https://…, usually through a proxy):
   * every response then tells browsers to use HTTPS only from now on (Strict-Transport-Security).
   */
  https?: boolean;
}

/** One year, without includeSubDomains: the instance may live on one host of a domain it does not own. */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000';

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { instance } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    clientErrorHandler: (error, socket) => answerMalformedHttp(error, socket, log),
    // The router's own errors (a malformed %-escape, an over-long path parameter) skip the error
    // handler; without this they answer in Fastify's shape, echoing the path.
    frameworkErrors: (error, _req, res) => {
      const reply = res as unknown as FastifyReply;
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return reply.status(414).send({ error: { code: 'url_too_long', message: 'a part of the request URL is too long' } });
      return reply.status(400).send({ error: { code: 'bad_url', message: 'the request URL is not valid' } });
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const services = instance.withIngest({ verifier: ingestVerifier(app, instance, options, log), publication: publication(app, instance, options) });
  app.decorate('services', services);

  limitRequests(app, options);
  app.addHook('onResponse', async (req, reply) => {
    log(`${req.method} ${req.routeOptions.url ?? '(no route)'} ${reply.statusCode}`);
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('Cache-Control', 'no-store');
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    if (options.https) reply.header('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
    return payload;
  });
  app.setErrorHandler((error: unknown, req, reply) => {
    if (error instanceof RateLimited) reply.header('Retry-After', String(error.retryAfterSeconds));
    const { status, code, message } = errorAnswer(error, log);
    // Refused before its body was read (onRequest): close the connection rather than read the
    // rest of a body nobody will look at (an unauthenticated 25 MiB import, a flood).
    if ((status === 401 || status === 429) && ((req.headers['content-length'] ?? '0') !== '0' || req.headers['transfer-encoding'] !== undefined)) reply.header('Connection', 'close');
    return reply.status(status).send({ error: { code, message } });
  });
  app.setNotFoundHandler((_req, reply) => reply.status(404).send({ error: { code: 'not_found', message: 'no such route' } }));

  if (options.witnesses !== undefined) {
    await instance.witnesses.configure(options.witnesses && { ...options.witnesses, onAlarm: options.witnesses.onAlarm ?? ((w, reason) => log(`WITNESS ALARM: ${w}: ${reason}`)) });
    app.addHook('onClose', async () => instance.witnesses.stop());
  }
  registerWeb(app, { dir: options.webDir, log });
  for (const routes of [instanceRoutes, rosterRoutes, sessionRoutes, letterRoutes, bundleRoutes, logRoutes, ballotRoutes, committeeRoutes]) {
    await app.register(routes, { services });
  }
  return app;
}

/**
 * Every request takes its route's bucket, or a place among the proof-carrying submissions, in the
 * first hook, before its body is read; organizer routes take their token's bucket once the token
 * is checked (routes/validation.ts, organizerOnly). Nothing about the caller is looked at.
 */
function limitRequests(app: FastifyInstance, options: AppOptions): void {
  const limiter = options.rateLimits === false ? new NoRateLimits() : new RateLimiter(options.rateLimits);
  app.decorate('rateLimiter', limiter);
  app.decorateRequest('organizerToken', null);
  const proofRetryAfter = Math.ceil((options.publishWindowMs ?? 0) / 1000) + 1;
  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.config?.organizer) return;
    const route = `${req.method} ${req.routeOptions.url ?? '(no route)'}`;
    if (PROOF_ROUTES.has(route)) {
      // Released when the answer is sent or the connection closes, whichever comes first.
      reply.raw.once('close', limiter.admitProof(proofRetryAfter));
      return;
    }
    limiter.takeRoute(route);
  });
}

/**
 * How this server verifies incoming proofs and records: batched over a worker pool
 * (proof-batcher.ts; its threads start when the app listens or on the first proof, and end with
 * the app), or one by one in this thread when `proofBatching` is false.
 */
function ingestVerifier(app: FastifyInstance, instance: Instance, options: AppOptions, log: (line: string) => void): IngestVerifier {
  if (options.proofBatching === false) return inThreadVerifier(instance.keys);
  const batcher = new ProofBatcher(instance.keys, { warn: log, ...options.proofBatching });
  // A listening server gets its threads ready before the first request (about half a second).
  app.addHook('onListen', async () => batcher.start());
  app.addHook('onClose', async () => batcher.close());
  return { verify: (proof) => batcher.verify(proof), checkRecord: (task) => batcher.checkRecord(task) };
}

/** Always a publication window: with a window of 0, submissions checked together are still appended together. */
function publication(app: FastifyInstance, instance: Instance, options: AppOptions): Publisher<Instance['db']> {
  const publisher = new Publisher<Instance['db']>({
    windowMs: options.publishWindowMs ?? 0,
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
    runBatch: (appends) => appendInSavepoints(instance.db, appends),
  });
  // Submissions already accepted are published (and answered) before the server stops.
  app.addHook('onClose', async () => publisher.close());
  return publisher;
}

/**
 * HTTP that Node's parser refuses never reaches a route nor the error handler: a bad request line,
 * a duplicate or invalid Content-Length, a bad chunk, headers over Node's 16 KiB
 * (`--max-http-header-size`), a request too slow to arrive. Answered in our shape (Fastify's
 * default answers in its own), then the connection is closed: after such a request the stream
 * cannot be trusted to say where the next one starts (request smuggling).
 */
function answerMalformedHttp(error: NodeJS.ErrnoException, socket: Duplex, log: (line: string) => void): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', 'the request line and headers are too large (16 KiB at most)']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'the request took too long to arrive']
        : [400, 'bad_http', 'the request is not well-formed HTTP/1.1'];
  log(`(malformed HTTP) ${status}`);
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status]}`, 'Content-Type: application/json; charset=utf-8', `Content-Length: ${Buffer.byteLength(body)}`];
    head.push('Cache-Control: no-store', 'X-Content-Type-Options: nosniff', 'Connection: close');
    socket.write(`${head.join('\r\n')}\r\n\r\n${body}`);
  }
  // As Node's own handler does: the answer is written, the connection goes.
  socket.destroy();
}

/** The answer to an error: an ApiError as it says, Fastify's request errors with our codes, anything else a 500. */
function errorAnswer(error: unknown, log: (line: string) => void): { status: number; code: string; message: string } {
  if (error instanceof ApiError) return { status: error.status, code: error.code, message: error.message };
  const e = error as { code?: string; statusCode?: number; message?: string };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, code: 'body_too_large', message: 'the request body is too large' };
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, code: 'unsupported_media_type', message: 'send JSON (Content-Type: application/json)' };
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return { status: 400, code: 'invalid_json', message: 'the request body is empty' };
  if (e.statusCode === 400 || error instanceof SyntaxError) return { status: 400, code: 'invalid_json', message: 'the request body is not valid JSON' };
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return { status: e.statusCode, code: 'bad_request', message: e.message ?? 'bad request' };
  log(`internal error: ${e.message ?? String(error)}`);
  return { status: 500, code: 'internal', message: 'something went wrong on the server; nothing was changed' };
}
