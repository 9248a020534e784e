/**
 * Letters (docs/api.md, "Letters"): proposing, reading, signing and closing. A nullifier's state is
 * asked with a POST, so that the nullifier is never in a URL (proxies log URLs with addresses).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LetterSchema } from '../../core/letter/letter.ts';
import { SignatureRecordSchema } from '../../core/letter/record.ts';
import { RosterSnapshotSchema } from '../../core/roster/roster.ts';
import { SemaphoreProofSchema } from '../../core/crypto/semaphore.ts';
import type { Services } from '../instance.ts';
import { loggedEntry, provenView } from './proven.ts';
import { hex32, idParams, nullifierBody, organizerOnly, receiptSchema } from './validation.ts';

/** A letter with what its visibility setting lets the asker see now (count and named: null while hidden). */
const letterStatus = z.object({
  letterId: hex32,
  letter: LetterSchema,
  status: z.enum(['open', 'past-deadline', 'closed']),
  rosterSize: z.number().int(),
  /** Fewer enrolled members than the instance's minimum group size: the count is shown only at the close. */
  smallGroup: z.boolean(),
  count: z.number().int().nullable(),
  named: z.array(z.string()).nullable(),
});

export const letterSchemas = {
  list: { response: { 200: z.object({ letters: z.array(letterStatus) }) } },
  propose: {
    body: z.object({ letter: z.unknown(), proposal: SemaphoreProofSchema }).strict(),
    response: { 201: z.object({ letterId: hex32, receipt: receiptSchema }) },
  },
  status: { params: idParams, response: { 200: letterStatus } },
  roster: { params: idParams, response: { 200: z.object({ snapshot: RosterSnapshotSchema }) } },
  opened: { params: idParams },
  record: {
    params: idParams,
    body: z.object({ record: SignatureRecordSchema }).strict(),
    response: { 201: z.object({ receipt: receiptSchema }) },
  },
  nullifier: {
    params: idParams,
    body: nullifierBody,
    response: {
      200: z.object({ seq: z.number().int(), action: z.enum(['support', 'withdraw']).nullable(), index: z.number().int().nullable() }),
    },
  },
  close: {
    params: idParams,
    response: { 200: receiptSchema.extend({ count: z.number().int(), named: z.array(z.string()) }) },
  },
};

export const letterRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { letters } = services;
  app.get('/api/letters', { schema: letterSchemas.list }, async () => ({ letters: await letters.list() }));
  app.post('/api/letters', { schema: letterSchemas.propose }, async (req, reply) => reply.status(201).send(await letters.propose(req.body.letter, req.body.proposal)));
  app.get('/api/letters/:id', { schema: letterSchemas.status }, async (req) => {
    const member = await services.sessions.check(req.headers['x-session'] as string | undefined);
    return letters.status(req.params.id, { member });
  });
  // The letter's opening with its inclusion proof against a witnessed checkpoint: the member's
  // client signs only a letter it found there (core/member/witnessed-log.ts checkOpenedOnLog).
  app.get('/api/letters/:id/opened', { schema: letterSchemas.opened }, async (req) => {
    const { row } = await letters.get(req.params.id);
    return provenView(services, [await loggedEntry(services, row.opened_idx)]);
  });
  app.get('/api/letters/:id/roster', { schema: letterSchemas.roster }, async (req) => ({ snapshot: await letters.roster(req.params.id) }));
  app.post('/api/letters/:id/records', { schema: letterSchemas.record }, async (req, reply) =>
    reply.status(201).send({ receipt: await letters.submitRecord(req.params.id, req.body.record) }),
  );
  app.post('/api/letters/:id/nullifier', { schema: letterSchemas.nullifier }, async (req) => letters.nullifierState(req.params.id, req.body.nullifier));
  app.post('/api/admin/letters/:id/close', { ...organizerOnly(services.admin), schema: letterSchemas.close }, async (req) => letters.close(req.params.id));
};
