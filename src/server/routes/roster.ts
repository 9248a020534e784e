/**
 * The roster (docs/api.md, "Roster"): the organizer adds, imports and removes members and issues
 * codes; anyone reads the roster and a member's history; a member enrolls with a code.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseRosterCsv } from '../../core/roster/roster-csv.ts';
import { RosterRefSchema, RosterSnapshotSchema, RosterMemberSchema } from '../../core/roster/roster.ts';
import { badRequest } from '../errors.ts';
import type { Services } from '../instance.ts';
import { decimal, decimalInteger, memberIdParams, organizerOnly, receiptSchema } from './validation.ts';

export const ROSTER_PAGE_DEFAULT = 500;
export const ROSTER_PAGE_MAX = 5000;

const issuedCode = z.object({ id: z.number().int(), name: z.string(), code: z.string(), expiresAt: z.string() });
const code = z.object({ code: z.string(), expiresAt: z.string() });

export const rosterSchemas = {
  addMember: {
    // The name's own rule (core/roster/member-name.ts, 400 bad_name) counts code points after normalizing: this only bounds the raw text.
    body: z.object({ name: z.string().min(1).max(2000), extra: z.record(z.string().max(100), z.string().max(1000)).optional() }).strict(),
    response: { 201: issuedCode },
  },
  importMembers: {
    body: z.object({ csv: z.string().min(1).max(20_000_000) }).strict(),
    response: { 201: z.object({ members: z.array(issuedCode) }) },
  },
  removeMember: { params: memberIdParams, response: { 200: z.object({ receipt: receiptSchema }) } },
  newCode: { params: memberIdParams, response: { 200: code } },
  /**
   * Without paging parameters: the whole snapshot (what the web app and the CLI verify against
   * `ref`). With `offset`, `limit` and/or `q`: one page of members, with `ref` and `leafCount` of the
   * whole roster, `total` members (matching `q`), members in id order.
   */
  roster: {
    querystring: z
      .object({ offset: decimalInteger(0).optional(), limit: decimalInteger(1, ROSTER_PAGE_MAX).optional(), q: z.string().max(200).optional() })
      .strict(),
    response: {
      200: z.union([
        z.object({ snapshot: RosterSnapshotSchema, ref: RosterRefSchema }),
        z.object({ ref: RosterRefSchema, leafCount: z.number(), total: z.number(), offset: z.number(), limit: z.number(), members: z.array(RosterMemberSchema) }),
      ]),
    },
  },
  member: { params: memberIdParams },
  enroll: {
    body: z.object({ code: z.string().min(1).max(100), commitment: decimal }).strict(),
    response: { 201: z.object({ member: z.object({ id: z.number().int(), name: z.string() }), leaf: z.number().int(), receipt: receiptSchema }) },
  },
};

export const rosterRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const organizer = organizerOnly(services.admin);

  app.post('/api/admin/members', { ...organizer, schema: rosterSchemas.addMember }, async (req, reply) => {
    const [m] = await services.enrollment.addMembers([{ name: req.body.name, extra: req.body.extra }]);
    return reply.status(201).send(m);
  });
  app.post('/api/admin/members/import', { ...organizer, bodyLimit: 25 * 1024 * 1024, schema: rosterSchemas.importMembers }, async (req, reply) => {
    const csv = parseRosterCsv(req.body.csv);
    if (!csv.ok) throw badRequest(csv.code, csv.reason);
    return reply.status(201).send({ members: await services.enrollment.addMembers(csv.members) });
  });
  app.delete('/api/admin/members/:id', { ...organizer, schema: rosterSchemas.removeMember }, async (req) => ({
    receipt: await services.enrollment.removeMember(req.params.id),
  }));
  app.post('/api/admin/members/:id/code', { ...organizer, schema: rosterSchemas.newCode }, async (req) => services.enrollment.reissueCode(req.params.id));
  app.post('/api/admin/members/:id/replacement', { ...organizer, schema: rosterSchemas.newCode }, async (req) => services.enrollment.approveReplacement(req.params.id));

  app.get('/api/roster', { schema: rosterSchemas.roster }, async (req) => {
    const q = req.query;
    if (q.offset === undefined && q.limit === undefined && q.q === undefined) {
      const { snapshot, ref } = await services.roster.current();
      return { snapshot, ref };
    }
    return services.roster.page(q.offset ?? 0, q.limit ?? ROSTER_PAGE_DEFAULT, q.q);
  });
  app.get('/api/roster/members/:id', { schema: rosterSchemas.member }, async (req) => services.roster.memberEntry(req.params.id));
  app.post('/api/enroll', { schema: rosterSchemas.enroll }, async (req, reply) => reply.status(201).send(await services.enrollment.enroll(req.body.code, req.body.commitment)));
};
