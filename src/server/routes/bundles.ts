/** Bundles of closed letters and procedures (docs/api.md; docs/bundle-format.md). No response schema: a bundle's format is core/bundle/bundle.ts's. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../instance.ts';
import { z } from 'zod';
import { decimalInteger, idParams } from './validation.ts';

export const bundleSchemas = {
  bundle: { params: idParams },
  /** `from`: the log size a verifier saved (verify --state); the bundle then carries the consistency proof from it. */
  letterBundle: { params: idParams, querystring: z.object({ from: decimalInteger(1).optional() }).strict() },
};

export const bundleRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.get('/api/letters/:id/bundle', { schema: bundleSchemas.letterBundle }, async (req, reply) =>
    reply.type('application/json; charset=utf-8').send(await services.bundles.letterJson(req.params.id, req.query.from)),
  );
  app.get('/api/ballots/:id/bundle', { schema: bundleSchemas.bundle }, async (req) => services.bundles.procedure(req.params.id));
};
