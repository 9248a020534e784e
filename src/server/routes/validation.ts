/**
 * How every route checks what a request brings, from the zod schemas it declares
 * (`schema: { params, querystring, body, response }`, typed by fastify-type-provider-zod):
 *
 * - A params, query or body that does not match is a 400 `invalid_request` whose message names
 *   the first wrong field: `body.record.action.seq: …`, `params.id: …`, `query.limit: …`
 *   (docs/api.md, Conventions). A missing body is checked as `{}`. The type provider's own
 *   validator answers in another shape, so this one is ours.
 * - Response schemas give the handlers their types and document the answer; the answer is
 *   written with JSON.stringify as it is (zod would write the keys in the schema's order, and a
 *   bundle of 10,000 records would be parsed once more for nothing). Tests check answers
 *   against the same schemas.
 */
import type { FastifyRequest, FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import { z } from 'zod';
import type { AdminService } from '../services/admin.ts';
import { badRequest } from '../errors.ts';

/** The name a request part has in error messages. */
const PART_NAMES: Record<string, string> = { body: 'body', params: 'params', querystring: 'query', headers: 'headers' };

export const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (value) => {
    const r = schema.safeParse(value ?? {});
    if (r.success) return { value: r.data };
    const where = PART_NAMES[httpPart ?? ''] ?? String(httpPart);
    const issue = r.error.issues[0];
    const path = issue.path.length ? `${where}.${issue.path.join('.')}` : where;
    return { error: badRequest('invalid_request', `${path}: ${issue.message}`) };
  };

export const serializerCompiler: FastifySerializerCompiler<z.ZodType> = () => (data) => JSON.stringify(data);

declare module 'fastify' {
  interface FastifyRequest {
    /** On organizer routes, the token that was presented, once checked. */
    organizerToken: { id: number; expiresAt: string } | null;
  }
}

/**
 * Organizer routes (/api/admin/…), as route options to spread: the token is checked in the first
 * hook (onRequest), before the body is read or parsed (an unauthenticated 25 MiB import is
 * refused without reading it), then the token's own rate limit is taken (rate-limits.ts).
 */
export function organizerOnly(admin: AdminService) {
  return {
    config: { organizer: true },
    onRequest: async (req: FastifyRequest): Promise<void> => {
      const h = req.headers.authorization;
      const token = await admin.checkAdmin(h?.startsWith('Bearer ') ? h.slice(7) : undefined);
      req.server.rateLimiter.takeOrganizer(token.id);
      req.organizerToken = token;
    },
  };
}

export const hex32 = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex characters');
export const decimal = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'a decimal integer');
/** `:id` of a letter or a ballot. */
export const idParams = z.object({ id: hex32 }).strict();
export const memberIdParams = z.object({ id: z.coerce.number().int().min(1) }).strict();
export const nullifierBody = z.object({ nullifier: decimal }).strict();
/** A trustee's entry (committee, reveal, tally): its own schema is checked by the service, with `bad_entry`. */
export const entryBody = z.object({ entry: z.unknown() }).strict();
/** What routes that append a log entry answer (docs/api.md, Receipts). */
export const receiptSchema = z.object({ index: z.number().int(), leafHash: hex32, proof: z.array(hex32), checkpoint: z.string() });
export const indexSchema = z.object({ index: z.number().int() });
