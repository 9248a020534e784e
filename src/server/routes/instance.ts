/** The instance and its setup link (docs/api.md, "Instance and setup"). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../instance.ts';

export const instanceSchemas = {
  info: {
    response: {
      200: z.object({ name: z.string(), origin: z.string(), verifierKey: z.string(), checkpoint: z.string(), setupDone: z.boolean() }),
    },
  },
  setup: {
    body: z.object({ token: z.string().min(1).max(200), name: z.string().trim().min(1).max(200).optional() }).strict(),
    response: { 200: z.object({ adminToken: z.string() }) },
  },
};

export const instanceRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.get('/api/instance', { schema: instanceSchemas.info }, async () => services.admin.info());
  app.post('/api/setup', { schema: instanceSchemas.setup }, async (req) => services.admin.setup(req.body.token, req.body.name));
};
