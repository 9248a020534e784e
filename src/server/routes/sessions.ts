/** Membership sessions (docs/api.md, "Membership sessions"; protocol.md §5). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SemaphoreProofSchema } from '../../core/crypto/semaphore.ts';
import type { Services } from '../instance.ts';
import { hex32 } from './validation.ts';

export const sessionSchemas = {
  challenge: { response: { 200: z.object({ challenge: hex32, expiresAt: z.string() }) } },
  open: {
    body: z.object({ challenge: hex32, proof: SemaphoreProofSchema }).strict(),
    response: { 200: z.object({ session: z.string(), expiresAt: z.string() }) },
  },
};

export const sessionRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.post('/api/session/challenge', { schema: sessionSchemas.challenge }, async () => services.sessions.challenge());
  app.post('/api/session', { schema: sessionSchemas.open }, async (req) => services.sessions.open(req.body.challenge, req.body.proof));
};
