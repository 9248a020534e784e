/**
 * The witness's HTTP interface (C2SP tlog-witness): `POST /add-checkpoint`, with the statuses and
 * bodies of the specification, and `GET /` a plain-text page saying who the witness is and which
 * logs it follows (its "monitoring prefix" for people). No request is logged: a witness has no
 * need of its clients' addresses.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { MAX_REQUEST_BYTES, SIZE_CONTENT_TYPE } from '../core/log/witness.ts';
import type { Witness } from './witness.ts';

export interface WitnessAppOptions {
  /** POSIX seconds, for the cosignature timestamps (tests pin it). */
  now?: () => number;
}

export async function buildWitnessApp(witness: Witness, options: WitnessAppOptions = {}): Promise<FastifyInstance> {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const app = Fastify({ logger: false, bodyLimit: MAX_REQUEST_BYTES, trustProxy: false });
  // tlog-witness does not name a content type for the request: read any as text.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_REQUEST_BYTES }, (_req, body, done) => done(null, body));

  app.post('/add-checkpoint', async (req, reply) => {
    const body = typeof req.body === 'string' ? req.body : '';
    const result = await witness.submit(body, now());
    if (result.ok) return reply.code(200).type('text/plain; charset=utf-8').send(result.cosignature);
    if (result.status === 409 && result.latestSize !== undefined && result.code === 'witness_old_size_mismatch') {
      return reply.code(409).type(SIZE_CONTENT_TYPE).send(`${result.latestSize}\n`);
    }
    return reply.code(result.status).type('text/plain; charset=utf-8').send(`${result.code}: ${result.reason}\n`);
  });

  app.get('/', async (_req, reply) => {
    const lines = [`undersigned witness ${witness.name}`, `verifier key: ${witness.verifierKey}`, '', 'logs followed (origin, log key, latest cosigned size):'];
    for (const log of witness.logs()) lines.push(`  ${log.origin}  ${log.vkey}  ${log.size ?? 'none yet'}`);
    const monitors = witness.monitor.monitors();
    if (monitors.length > 0) {
      lines.push('', 'logs monitored (checked against the protocol\'s rules before cosigning):');
      for (const m of monitors) lines.push(`  ${m.origin}  ${m.url}`);
    }
    for (const a of witness.monitor.alarms()) lines.push('', `ALARM ${a.origin}: ${a.code} at log index ${a.index}: ${a.reason}`);
    return reply.type('text/plain; charset=utf-8').send(lines.join('\n') + '\n');
  });

  app.setNotFoundHandler((_req, reply) => reply.code(404).type('text/plain; charset=utf-8').send('not_found\n'));
  app.setErrorHandler((error: { statusCode?: number; code?: string }, _req, reply) => {
    const status = error.statusCode === 413 ? 413 : error.statusCode && error.statusCode < 500 ? 400 : 500;
    const code = status === 413 ? 'witness_request_too_large' : status === 400 ? 'witness_bad_request' : 'witness_internal_error';
    return reply.code(status).type('text/plain; charset=utf-8').send(`${code}\n`);
  });
  return app;
}
