/** Secret ballots (docs/api.md, "Ballots"; protocol.md §12). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { VoteRecordSchema } from '../../core/ballot/ballot.ts';
import { RosterSnapshotSchema } from '../../core/roster/roster.ts';
import type { Services } from '../instance.ts';
import { loggedEntry, provenView } from './proven.ts';
import { entryBody, hex32, idParams, nullifierBody, organizerOnly, receiptSchema } from './validation.ts';

export const ballotSchemas = {
  open: { body: z.object({ ballot: z.unknown() }).strict(), response: { 201: z.object({ ballotId: hex32, index: z.number().int() }) } },
  close: { params: idParams, response: { 200: z.object({ index: z.number().int(), voters: z.number().int() }) } },
  ballot: { params: idParams },
  roster: { params: idParams, response: { 200: z.object({ snapshot: RosterSnapshotSchema }) } },
  nullifier: { params: idParams, body: nullifierBody, response: { 200: z.object({ seq: z.number().int() }) } },
  vote: { params: idParams, body: z.object({ record: VoteRecordSchema }).strict(), response: { 201: z.object({ receipt: receiptSchema }) } },
  tally: { params: idParams, body: entryBody, response: { 201: receiptSchema } },
};

export const ballotRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { ballots } = services;
  const organizer = organizerOnly(services.admin);
  app.post('/api/admin/ballots', { ...organizer, schema: ballotSchemas.open }, async (req, reply) => reply.status(201).send(await ballots.open(req.body.ballot)));
  app.post('/api/admin/ballots/:id/close', { ...organizer, schema: ballotSchemas.close }, async (req) => ballots.close(req.params.id));
  app.get('/api/ballots', async () => ({ ballots: await ballots.list() }));
  app.get('/api/ballots/:id', { schema: ballotSchemas.ballot }, async (req) => {
    const { ballot, row } = await ballots.get(req.params.id);
    return { ballotId: req.params.id, ballot, status: row.closed_idx !== null ? 'closed' : 'open' };
  });
  // The ballot's opening with its inclusion proof against a witnessed checkpoint (checkOpenedOnLog).
  app.get('/api/ballots/:id/opened', { schema: ballotSchemas.ballot }, async (req) => {
    const { row } = await ballots.get(req.params.id);
    return provenView(services, [await loggedEntry(services, row.opened_idx)]);
  });
  app.get('/api/ballots/:id/roster', { schema: ballotSchemas.roster }, async (req) => {
    const { row } = await ballots.get(req.params.id);
    return { snapshot: await services.roster.snapshotAt(row.opened_idx) };
  });
  app.post('/api/ballots/:id/nullifier', { schema: ballotSchemas.nullifier }, async (req) => ballots.nullifierState(req.params.id, req.body.nullifier));
  app.post('/api/ballots/:id/votes', { schema: ballotSchemas.vote }, async (req, reply) => reply.status(201).send({ receipt: await ballots.vote(req.params.id, req.body.record) }));
  app.post('/api/ballots/:id/tally', { schema: ballotSchemas.tally }, async (req, reply) => reply.status(201).send(await ballots.submitTally(req.params.id, req.body.entry)));
};
