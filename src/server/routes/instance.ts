/**
 * The instance, its setup link and the organizer's own tokens (docs/api.md, "Instance and setup",
 * "Organizer tokens").
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../instance.ts';
import { organizerOnly } from './validation.ts';

const organizerToken = z.object({ id: z.number().int(), createdAt: z.string(), expiresAt: z.string(), expired: z.boolean() });

export const instanceSchemas = {
  info: {
    response: {
      200: z.object({ name: z.string(), origin: z.string(), verifierKey: z.string(), checkpoint: z.string(), setupDone: z.boolean(), minGroupSize: z.number().int() }),
    },
  },
  setup: {
    body: z.object({ token: z.string().min(1).max(200), name: z.string().trim().min(1).max(200).optional() }).strict(),
    response: { 200: z.object({ adminToken: z.string() }) },
  },
  whoami: { response: { 200: z.object({ tokenId: z.number().int(), expiresAt: z.string() }) } },
  tokens: { response: { 200: z.object({ tokens: z.array(organizerToken.extend({ current: z.boolean() })) }) } },
  revoke: { params: z.object({ id: z.string().regex(/^[1-9][0-9]{0,15}$/, 'a token id (a whole number)').transform(Number) }).strict(), response: { 200: z.object({ revoked: z.number().int() }) } },
};

export const instanceRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.get('/api/instance', { schema: instanceSchemas.info }, async () => services.admin.info());
  app.post('/api/setup', { schema: instanceSchemas.setup }, async (req) => services.admin.setup(req.body.token, req.body.name));

  const organizer = organizerOnly(services.admin);
  // What the organizer page asks to check a token: 200 with its id, or 401.
  app.get('/api/admin/whoami', { ...organizer, schema: instanceSchemas.whoami }, async (req) => ({ tokenId: req.organizerToken!.id, expiresAt: req.organizerToken!.expiresAt }));
  app.get('/api/admin/tokens', { ...organizer, schema: instanceSchemas.tokens }, async (req) => ({
    tokens: (await services.admin.listTokens()).map((t) => ({ ...t, current: t.id === req.organizerToken!.id })),
  }));
  app.delete('/api/admin/tokens/:id', { ...organizer, schema: instanceSchemas.revoke }, async (req) => {
    await services.admin.revokeToken(req.params.id);
    app.rateLimiter.forgetOrganizer(req.params.id);
    return { revoked: req.params.id };
  });
};
