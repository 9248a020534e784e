/**
 * How every route checks what a request brings, from the zod schemas it declares
 * (`schema: { params, querystring, body, response }`, typed by fastify-type-provider-zod):
 *
 * - A params, query or body that does not match is a 400 `invalid_request` whose message names
 *   the first wrong field: `body.record.action.seq: …`, `params.id: …`, `query.limit: …`
 *   (docs/api.md, Conventions). A missing body is checked as `{}`. The type provider's own
 *   validator answers in another shape, so this one is ours.
 * - Before its schema, every string and object key a request brings must be well-formed UTF-16
 *   (no lone surrogate, which JSON's `\ud800` escape can carry): canonical JSON (RFC 8785 §3.2.2.2)
 *   cannot encode one, so a schema that let it through would end in a 500 further on. Checked here,
 *   once for every route, body parts the schema leaves `unknown` (letters, ballots, entries) included.
 * - Response schemas give the handlers their types and document the answer; the answer is
 *   written with JSON.stringify as it is (zod would write the keys in the schema's order, and a
 *   bundle of 10,000 records would be parsed once more for nothing). Tests check answers
 *   against the same schemas.
 */
import type { FastifyRequest, FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import { z } from 'zod';
import type { AdminService } from '../services/admin.ts';
import { illFormedStringPath } from '../../core/encoding.ts';
import { badRequest } from '../errors.ts';

/** The name a request part has in error messages. */
const PART_NAMES: Record<string, string> = { body: 'body', params: 'params', querystring: 'query', headers: 'headers' };

export const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (value) => {
    const where = PART_NAMES[httpPart ?? ''] ?? String(httpPart);
    const illFormed = illFormedStringPath(value);
    if (illFormed) return { error: badRequest('invalid_request', `${shortPath([where, ...illFormed])}: not well-formed Unicode (a lone UTF-16 surrogate)`) };
    const r = schema.safeParse(value ?? {});
    if (r.success) return { value: r.data };
    const issue = r.error.issues[0];
    const path = shortPath([where, ...issue.path.map(String)]);
    return { error: badRequest('invalid_request', `${path}: ${issue.message}`) };
  };

/** A field's path for a message, cut to its first 200 characters (a key can be long, a value deeply nested). */
function shortPath(parts: (string | number)[]): string {
  const path = parts.join('.');
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

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
/**
 * A whole number in a path or a query, written in canonical decimal: digits only, no sign, point,
 * exponent, spaces or leading zero ("0" itself excepted), at most Number.MAX_SAFE_INTEGER. One
 * spelling per number, so `/api/roster/members/0x1` or `?index=1e0` is refused, not read as 1.
 */
export const decimalInteger = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/, 'a whole number in decimal digits (no sign, point, exponent or leading zero)')
    .transform(Number)
    .pipe(z.number().min(min).max(max));
export const memberIdParams = z.object({ id: decimalInteger(1) }).strict();
export const nullifierBody = z.object({ nullifier: decimal }).strict();
/** A trustee's entry (committee, reveal, tally): its own schema is checked by the service, with `bad_entry`. */
export const entryBody = z.object({ entry: z.unknown() }).strict();
/** What routes that append a log entry answer (docs/api.md, Receipts). */
export const receiptSchema = z.object({ index: z.number().int(), leafHash: hex32, proof: z.array(hex32), checkpoint: z.string() });
export const indexSchema = z.object({ index: z.number().int() });
