/**
 * The trustee committee (docs/api.md, "Trustee committee"; protocol.md §10–§11): the organizer
 * names the trustees, each joins with its code, the key generation is relayed through the log,
 * and after a close the trustees publish their reveal partials.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../instance.ts';
import { provenView } from './proven.ts';
import { entryBody, hex32, idParams, indexSchema, organizerOnly } from './validation.ts';

const joinCode = z.string().min(1).max(100);

export const committeeSchemas = {
  create: {
    body: z.object({ name: z.string().min(1).max(200), k: z.number().int().min(1).max(50), trustees: z.array(z.string().min(1).max(200)).min(1).max(50) }).strict(),
    response: { 201: z.object({ trustees: z.array(z.object({ index: z.number().int(), name: z.string(), code: z.string() })) }) },
  },
  slot: { body: z.object({ code: joinCode }).strict(), response: { 200: z.object({ index: z.number().int(), name: z.string() }) } },
  join: {
    body: z.object({ code: joinCode, transportKey: hex32, proof: z.object({ c: hex32, s: hex32 }).strict() }).strict(),
    response: { 201: z.object({ index: z.number().int(), committeeCreated: z.boolean() }) },
  },
  entry: { body: entryBody, response: { 201: z.object({ index: z.number().int(), ready: z.boolean() }) } },
  reveal: { params: idParams, body: entryBody, response: { 201: indexSchema } },
};

export const committeeRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { committee } = services;
  app.post('/api/admin/committee', { ...organizerOnly(services.admin), schema: committeeSchemas.create }, async (req, reply) =>
    reply.status(201).send({ trustees: await committee.create(req.body) }),
  );
  app.post('/api/committee/slot', { schema: committeeSchemas.slot }, async (req) => committee.slot(req.body.code));
  app.post('/api/committee/join', { schema: committeeSchemas.join }, async (req, reply) =>
    reply.status(201).send(await committee.join(req.body.code, req.body.transportKey, req.body.proof)),
  );
  app.get('/api/committee', async () => committee.status());
  app.get('/api/committee/ref', async () => ({ committee: await committee.letterRef() }));
  // The committee's entries with inclusion proofs against a checkpoint the witnesses cosigned (the
  // latest checkpoint on an instance without witnesses): what a member's client checks before it
  // seals a name or encrypts a vote to the committee key (core/member/witnessed-log.ts).
  app.get('/api/committee/proofs', async () => provenView(services, (await committee.status()).entries));
  app.post('/api/committee/entries', { schema: committeeSchemas.entry }, async (req, reply) => reply.status(201).send(await committee.submit(req.body.entry)));
  app.post('/api/letters/:id/reveals', { schema: committeeSchemas.reveal }, async (req, reply) =>
    reply.status(201).send(await services.reveals.submitReveal(req.params.id, req.body.entry)),
  );
};
