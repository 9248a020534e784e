/** The public log (docs/api.md, "Log"): the latest checkpoint, entries, inclusion and consistency proofs. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { badRequest } from '../errors.ts';
import type { Services } from '../instance.ts';
import { decimalInteger, hex32 } from './validation.ts';

const proof = z.object({ proof: z.array(hex32) });

export const logSchemas = {
  entries: { querystring: z.object({ start: decimalInteger(0), end: decimalInteger(1) }).strict() },
  inclusion: { querystring: z.object({ index: decimalInteger(0), size: decimalInteger(1) }).strict(), response: { 200: proof } },
  consistency: { querystring: z.object({ from: decimalInteger(1), to: decimalInteger(1) }).strict(), response: { 200: proof } },
};

export const logRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { log, letters } = services;
  app.get('/api/log/checkpoint', async (_req, reply) => {
    reply.type('text/plain; charset=utf-8');
    return log.latestCheckpoint();
  });
  app.get('/api/log/entries', { schema: logSchemas.entries }, async (req) => {
    const { start, end } = req.query;
    if (end <= start || end - start > 1000) throw badRequest('bad_range', 'ask for 1 to 1000 entries: start < end <= start + 1000');
    return { entries: await letters.publicLog(start, end) };
  });
  app.get('/api/log/witnesses', async () => services.witnesses.status());
  app.get('/api/log/inclusion', { schema: logSchemas.inclusion }, async (req) => ({ proof: await log.inclusion(req.query.index, req.query.size) }));
  app.get('/api/log/consistency', { schema: logSchemas.consistency }, async (req) => ({ proof: await log.consistency(req.query.from, req.query.to) }));
};
