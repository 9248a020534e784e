/**
 * The malformed requests the fuzz harness sends: every route of docs/api.md, each request built
 * from a plausible one (the fixture's real letter, records, proofs and entries) and then broken
 * the way an attacker would break it — wrong types, missing and unknown fields, huge and deeply
 * nested values, odd Unicode, invalid JSON, wrong content types, bogus credentials (and the real
 * organizer token with a bad body), oversized bodies — or sent as raw malformed HTTP.
 *
 * Nothing here may change the instance: the harness checks that the database is the same after.
 * So a request that carries the real organizer token, or that could complete an enrollment,
 * always gets a change that its schema refuses ("breaking"), and takes only ids that cannot act
 * (unknown ones, or ones the route refuses: a closed letter to close, an enrolled member to get
 * a new code). Other requests may get any change: without a fresh proof they cannot act.
 */
import type { z } from 'zod';
import { BallotSchema } from '../../src/core/ballot/ballot.ts';
import { illFormedStringPath } from '../../src/core/encoding.ts';
import { ballotSchemas } from '../../src/server/routes/ballots.ts';
import { committeeSchemas } from '../../src/server/routes/committee.ts';
import { rosterSchemas } from '../../src/server/routes/roster.ts';
import type { FuzzFixture } from './fixture.ts';

/** A seeded generator (sfc32, seeded by splitmix32): the same seed gives the same requests. */
export class Rand {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    [this.a, this.b, this.c, this.d] = [next(), next(), next(), next()];
  }
  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t / 2 ** 32;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  hex(bytes: number): string {
    let s = '';
    for (let i = 0; i < bytes; i++) s += this.int(256).toString(16).padStart(2, '0');
    return s;
  }
}

export type FuzzRequest =
  | { kind: 'http'; route: string; method: string; path: string; headers: Record<string, string>; body?: Buffer }
  | { kind: 'raw'; route: string; bytes: Buffer };

type Json = unknown;
interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** As in docs/api.md, `:id` for the one path parameter. */
  path: string;
  organizer?: boolean;
  /** Ids the route may take with the real organizer token: they cannot act (see the header). */
  idsSafeWithToken?: (fx: FuzzFixture) => string[];
  /** Plausible ids for anyone. */
  ids?: (fx: FuzzFixture) => string[];
  query?: (fx: FuzzFixture) => Record<string, string>;
  /** A plausible body (valid shape, built from the fixture); absent: the route takes none. */
  body?: (fx: FuzzFixture, r: Rand) => Record<string, Json>;
  /**
   * For a route whose plausible body could act: does its schema accept this body? Such a body
   * is always broken by a change the schema refuses, and checked with this before it is sent.
   */
  accepts?: (body: unknown) => boolean;
}

/** The route's own schema accepts the body, and it has no ill-formed string (which every route refuses first). */
const schemaAccepts = (schema: z.ZodType) => (body: unknown) => illFormedStringPath(body) === null && schema.safeParse(body).success;
const letterIds = (fx: FuzzFixture) => [fx.open.id, fx.closed.id];
const memberIds = (fx: FuzzFixture) => [...fx.enrolled, ...fx.unenrolled].map(String);
const proofLike = (r: Rand) => ({
  merkleTreeDepth: 1 + r.int(32),
  merkleTreeRoot: String(r.int(1e9)),
  nullifier: String(r.int(1e9)),
  message: '1',
  scope: '2',
  points: Array.from({ length: 8 }, () => String(r.int(1e9))),
});
const transportProof = (r: Rand) => ({ c: r.hex(32), s: r.hex(32) });

export const ROUTES: Route[] = [
  { method: 'GET', path: '/api/instance' },
  { method: 'POST', path: '/api/setup', body: (_fx, r) => ({ token: r.hex(32), name: 'Fuzz group' }) },
  { method: 'GET', path: '/api/roster', query: () => ({ offset: '0', limit: '2', q: 'mem' }) },
  { method: 'GET', path: '/api/roster/members/:id', ids: memberIds },
  { method: 'POST', path: '/api/enroll', body: (_fx, r) => ({ code: 'ABCD-EFGH-JKMN-PQRS', commitment: String(r.int(1e9) + 1) }) },
  { method: 'POST', path: '/api/admin/members', organizer: true, accepts: schemaAccepts(rosterSchemas.addMember.body), body: () => ({ name: 'Fuzz Member', extra: { email: 'f@example.org' } }) },
  { method: 'POST', path: '/api/admin/members/import', organizer: true, accepts: schemaAccepts(rosterSchemas.importMembers.body), body: () => ({ csv: 'name,email\nFuzz One,a@b\nFuzz Two,c@d\n' }) },
  { method: 'DELETE', path: '/api/admin/members/:id', organizer: true, ids: memberIds, idsSafeWithToken: (fx) => [String(fx.maxMemberId + 1000)] },
  { method: 'POST', path: '/api/admin/members/:id/code', organizer: true, ids: memberIds, idsSafeWithToken: (fx) => fx.enrolled.map(String) },
  { method: 'POST', path: '/api/admin/members/:id/replacement', organizer: true, ids: memberIds, idsSafeWithToken: (fx) => fx.unenrolled.map(String) },
  { method: 'POST', path: '/api/admin/letters/:id/close', organizer: true, ids: letterIds, idsSafeWithToken: (fx) => [fx.closed.id] },
  { method: 'GET', path: '/api/admin/whoami', organizer: true },
  { method: 'GET', path: '/api/admin/tokens', organizer: true },
  { method: 'DELETE', path: '/api/admin/tokens/:id', organizer: true, ids: () => ['1', '2'], idsSafeWithToken: () => ['999999'] },
  { method: 'POST', path: '/api/session/challenge' },
  { method: 'POST', path: '/api/session', body: (_fx, r) => ({ challenge: r.hex(32), proof: proofLike(r) }) },
  { method: 'GET', path: '/api/letters' },
  { method: 'POST', path: '/api/letters', body: (fx) => ({ letter: fx.open.letter, proposal: fx.open.proposal }) },
  { method: 'GET', path: '/api/letters/:id', ids: letterIds },
  { method: 'GET', path: '/api/letters/:id/opened', ids: letterIds },
  { method: 'GET', path: '/api/letters/:id/roster', ids: letterIds },
  { method: 'POST', path: '/api/letters/:id/records', ids: letterIds, body: (fx, r) => ({ record: r.pick([...fx.open.records, ...fx.closed.records]) }) },
  { method: 'POST', path: '/api/letters/:id/nullifier', ids: letterIds, body: (fx, r) => ({ nullifier: r.pick(fx.open.nullifiers) }) },
  { method: 'GET', path: '/api/letters/:id/bundle', ids: letterIds },
  { method: 'POST', path: '/api/admin/committee', organizer: true, accepts: schemaAccepts(committeeSchemas.create.body), body: () => ({ name: 'Trustees', k: 2, trustees: ['Ana', 'Ben', 'Chloé'] }) },
  { method: 'POST', path: '/api/committee/slot', body: (_fx, r) => ({ code: `${r.hex(2)}-${r.hex(2)}-${r.hex(2)}-${r.hex(2)}-${r.hex(2)}`.toUpperCase() }) },
  { method: 'POST', path: '/api/committee/join', body: (_fx, r) => ({ code: r.hex(10), transportKey: r.hex(32), proof: transportProof(r) }) },
  { method: 'GET', path: '/api/committee' },
  { method: 'GET', path: '/api/committee/ref' },
  { method: 'GET', path: '/api/committee/proofs' },
  { method: 'POST', path: '/api/committee/entries', body: (fx, r) => ({ entry: r.pick(fx.committeeEntries) }) },
  {
    method: 'POST',
    path: '/api/letters/:id/reveals',
    ids: letterIds,
    body: (fx, r) => ({
      entry: { kind: 'reveal-partials', letterId: fx.closed.id, committeeId: fx.committeeId, trustee: 1, partials: [{ nullifier: '1', D: r.hex(32), proof: transportProof(r) }], signature: transportProof(r) },
    }),
  },
  { method: 'POST', path: '/api/admin/ballots', organizer: true, accepts: (b) => schemaAccepts(ballotSchemas.open.body)(b) && BallotSchema.safeParse((b as { ballot: unknown }).ballot).success, body: (fx) => ({ ballot: { format: 'undersigned-ballot/1', title: 'Fuzz', roster: fx.open.letter.roster } }) },
  { method: 'POST', path: '/api/admin/ballots/:id/close', organizer: true, idsSafeWithToken: () => ['ab'.repeat(32)] },
  { method: 'GET', path: '/api/ballots' },
  { method: 'GET', path: '/api/ballots/:id', ids: () => ['cd'.repeat(32)] },
  { method: 'GET', path: '/api/ballots/:id/opened', ids: () => ['cd'.repeat(32)] },
  { method: 'GET', path: '/api/ballots/:id/roster', ids: () => ['cd'.repeat(32)] },
  { method: 'POST', path: '/api/ballots/:id/nullifier', ids: () => ['cd'.repeat(32)], body: () => ({ nullifier: '12345' }) },
  {
    method: 'POST',
    path: '/api/ballots/:id/votes',
    ids: () => ['cd'.repeat(32)],
    body: (_fx, r) => ({ record: { action: { format: 'undersigned-vote/1', ballotId: 'cd'.repeat(32), seq: 1, choice: [r.hex(32), r.hex(32)] }, proof: proofLike(r) } }),
  },
  { method: 'POST', path: '/api/ballots/:id/tally', ids: () => ['cd'.repeat(32)], body: (_fx, r) => ({ entry: { kind: 'tally-partials', ballotId: 'cd'.repeat(32), trustee: 1, partials: [], signature: transportProof(r) } }) },
  { method: 'GET', path: '/api/ballots/:id/bundle', ids: () => ['cd'.repeat(32)] },
  { method: 'GET', path: '/api/log/checkpoint' },
  { method: 'GET', path: '/api/log/witnesses' },
  { method: 'GET', path: '/api/log/entries', query: (fx) => ({ start: '0', end: String(fx.logSize) }) },
  { method: 'GET', path: '/api/log/inclusion', query: (fx) => ({ index: '1', size: String(fx.logSize) }) },
  { method: 'GET', path: '/api/log/consistency', query: (fx) => ({ from: '1', to: String(fx.logSize) }) },
];

/** The web app's pages and files (docs/api.md, "Web app and artifacts"): only when the app is built. */
export const WEB_PATHS = ['/', '/setup', '/organizer', '/organizer/codes', '/enroll', '/letters/:id', '/log', '/verify', '/assets/:id', '/artifacts/semaphore-:id.json'];

// ---- Values an attacker tries ----------------------------------------------------------------

const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  'a\udc00b',
  '\ud83d',
  '\u200b',
  '\u0301',
  '\u2066x\u2069',
  '\u202e',
  '\uffff',
  '\ufeff',
  '😀'.repeat(3),
  'e\u0301',
  '\t\n\r',
  '0x1',
  '1e0',
  '+1',
  '1.0',
  '-1',
  '01',
  'NaN',
  'Infinity',
  'null',
  'true',
  '__proto__',
  'constructor',
  '<script>alert(1)</script>',
  "'; DROP TABLE members; --",
  '../../../../etc/passwd',
  '%00',
  '%ZZ',
  'AB'.repeat(32),
  '21888242871839275222246405745257275088548364400416034343698204186575808495617',
  '9'.repeat(79),
];

function oddString(r: Rand): string {
  if (r.chance(0.08)) return r.pick(['x', 'é', '\ud800', '😀', '\u200b']).repeat(1 + r.int(100_000));
  if (r.chance(0.2)) return r.hex(1 + r.int(40));
  return r.pick(ODD_STRINGS);
}

/**
 * A value nested `depth` times. Past a few hundred levels JSON.stringify would exhaust this
 * process's stack, so it stands as a marker string that `serialize` writes out as the nesting.
 */
function deep(r: Rand, depth: number): Json {
  if (depth > 200) return `${DEEP_MARK}${depth}${r.pick(['[', '{'])}${DEEP_MARK}`;
  let v: Json = r.pick([0, 'x', null, '\ud800']);
  for (let i = 0; i < depth; i++) v = r.chance(0.5) ? [v] : { a: v };
  return v;
}
const DEEP_MARK = '\u0001deep\u0001';
const DEEP_MARKER = /"\\u0001deep\\u0001(\d+)([[{])\\u0001deep\\u0001"/g;

/** JSON text of a body, deep-nesting markers written out. */
function serialize(value: Json): string {
  return JSON.stringify(value).replace(DEEP_MARKER, (_m, n: string, open: string) =>
    open === '[' ? `${'['.repeat(Number(n))}0${']'.repeat(Number(n))}` : `${'{"a":'.repeat(Number(n))}0${'}'.repeat(Number(n))}`,
  );
}

/** Any JSON value, biased to the ones that break parsers and validators. */
function oddValue(r: Rand): Json {
  switch (r.int(12)) {
    case 0:
      return null;
    case 1:
      return r.pick([true, false]);
    case 2:
      return r.pick([0, -1, 1, -0, 1.5, 1e21, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e308, Number.MIN_VALUE, 4294967296, 65536]);
    case 3:
    case 4:
    case 5:
      return oddString(r);
    case 6:
      return [];
    case 7:
      return {};
    case 8:
      return Array.from({ length: r.chance(0.3) ? 50_000 : 1 + r.int(10) }, () => r.pick([0, 'a', null, {}]));
    case 9:
      return deep(r, r.chance(0.3) ? 10_000 : 1 + r.int(50));
    case 10:
      return Object.fromEntries(Array.from({ length: r.chance(0.2) ? 20_000 : 1 + r.int(5) }, (_, i) => [r.chance(0.3) ? oddString(r) : `k${i}`, i]));
    default:
      return { __proto__: { admin: true }, constructor: { prototype: 1 } };
  }
}

// ---- Changes to a body -----------------------------------------------------------------------

/** Every path to an object key or array slot in `value` (the body's fields, nested). */
function paths(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (out.length > 500) return out;
  if (Array.isArray(value)) value.forEach((v, i) => (out.push([...prefix, i]), paths(v, [...prefix, i], out)));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) (out.push([...prefix, k]), paths(v, [...prefix, k], out));
  return out;
}

/** The object or array holding the last step of `path`, or undefined when an earlier change removed it. */
function parentOf(root: Json, path: (string | number)[]): Record<string | number, Json> | undefined {
  let at = root as Record<string | number, Json> | undefined;
  for (const p of path.slice(0, -1)) {
    const next = at?.[p];
    if (next === null || typeof next !== 'object') return undefined;
    at = next as Record<string | number, Json>;
  }
  return at;
}

const clone = (v: Json): Json => JSON.parse(JSON.stringify(v));

/**
 * A change every route's schema refuses (its objects are strict, its fields typed): an unknown
 * top-level field, a required one gone, a field of the wrong type, a lone surrogate somewhere.
 */
function breakBody(body: Record<string, Json>, r: Rand): Record<string, Json> {
  const b = clone(body) as Record<string, Json>;
  const keys = Object.keys(b);
  switch (r.int(5)) {
    case 0:
      b[r.pick(['unknown', 'admin', 'isAdmin', '__proto__x', oddString(r) || 'x'])] = oddValue(r);
      return b;
    case 1:
      if (keys.length) delete b[r.pick(keys)];
      else b.unknown = 1;
      return b;
    case 2: {
      if (!keys.length) return { unknown: 1 };
      // A type no field of any route has at the top: an array of nulls or a deep object.
      b[r.pick(keys)] = r.pick([[null], deep(r, 3), 12.5]);
      return b;
    }
    case 3: {
      const ps = paths(b);
      if (!ps.length) return { unknown: '\ud800' };
      const p = r.pick(ps);
      const parent = parentOf(b, p);
      if (parent) parent[p[p.length - 1]] = r.pick(['\ud800', 'x\udfff', ['\udbff']]);
      else b.unknown = '\ud800';
      return b;
    }
    default:
      return { ...b, [r.pick(keys.length ? keys : ['x'])]: undefined, unknown: oddValue(r) };
  }
}

/** Any change: a field replaced by an odd value, removed, duplicated into an unknown one, nested. */
function mutateBody(body: Record<string, Json>, r: Rand): Json {
  const b = clone(body) as Record<string, Json>;
  const ps = paths(b);
  const n = 1 + r.int(3);
  for (let i = 0; i < n && ps.length; i++) {
    const p = r.pick(ps);
    const parent = parentOf(b, p);
    if (!parent) continue;
    const key = p[p.length - 1];
    switch (r.int(5)) {
      case 0:
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
        break;
      case 1:
        parent[`${key}_`] = parent[key];
        break;
      case 2:
        parent[key] = [parent[key]];
        break;
      default:
        parent[key] = oddValue(r);
    }
  }
  if (r.chance(0.1)) return r.pick([[b], 'string', 42, null, true, [], deep(r, 100)]);
  return b;
}

// ---- Requests --------------------------------------------------------------------------------

const BOGUS_AUTH = ['Bearer', 'Bearer ', 'Bearer x', 'bearer TOKEN', 'Basic YWRtaW46YWRtaW4=', 'Bearer null', 'Bearer undefined', 'Bearer ' + 'A'.repeat(8000), 'Bearer ../../etc', 'Token abc'];
const CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/jsonp', 'application/json-patch+json', 'APPLICATION/JSON', 'application/json;;', '*/*', 'application/xml'];
const BAD_JSON = ['{', '{"a":', '{"a":1,}', "{'a':1}", '{"a":NaN}', '{"a":1} trailing', '[1,2', '\ufeff{}', '{"a":01}', '{"a":"\\x41"}', '{"a":"\\ud800"', '{"__proto__":{"x":1}}', '{"a":1,"a":2}', '/* c */ {}', 'null', '"string"', '12', 'true', '\u0000'];
const BAD_ID_SPELLINGS = ['0', '-1', '0x1', '1e0', '+1', '1.0', '01', ' 1', '1%20', '%31', '١', '9007199254740993', '99999999999999999999999', 'abc', '%00', '%ZZ', '%ED%A0%80', '..', '%2e%2e', 'a'.repeat(120), 'AB'.repeat(32), 'ab'.repeat(31), '😀', 'null', '[object Object]'];

/** The spellings that are no id once the URL is decoded (`%31` is "1"): what the real token may take. */
const NEVER_AN_ID = BAD_ID_SPELLINGS.filter((s) => {
  let decoded = s;
  try {
    decoded = decodeURIComponent(s);
  } catch {
    /* not decodable: refused as bad_url */
  }
  return !/^[1-9][0-9]*$/.test(decoded) && !/^[0-9a-f]{64}$/.test(decoded);
});

function pathFor(route: Route, fx: FuzzFixture, r: Rand, withToken: boolean): string {
  if (!route.path.includes(':id')) return route.path;
  let id: string;
  if (withToken && route.organizer) id = r.chance(0.5) && route.idsSafeWithToken?.(fx).length ? r.pick(route.idsSafeWithToken(fx)) : r.pick(NEVER_AN_ID);
  else if (r.chance(0.4) && route.ids?.(fx).length) id = r.pick(route.ids(fx));
  else if (r.chance(0.3)) id = r.hex(32);
  else id = r.pick(BAD_ID_SPELLINGS);
  return route.path.replace(':id', id);
}

function queryFor(route: Route, fx: FuzzFixture, r: Rand): string {
  const base = route.query?.(fx) ?? {};
  const params: [string, string][] = Object.entries(base);
  if (r.chance(0.8)) {
    const n = 1 + r.int(3);
    for (let i = 0; i < n; i++) {
      switch (r.int(5)) {
        case 0:
          if (params.length) params.splice(r.int(params.length), 1);
          break;
        case 1:
          params.push([r.pick(['unknown', 'admin', '__proto__', ...Object.keys(base)]), r.pick(BAD_ID_SPELLINGS)]);
          break;
        default:
          if (params.length) params[r.int(params.length)][1] = r.chance(0.7) ? r.pick(BAD_ID_SPELLINGS) : oddString(r).slice(0, 3000);
      }
    }
  }
  if (!params.length) return '';
  return '?' + params.map(([k, v]) => `${encodeURIComponent(k.toWellFormed())}=${r.chance(0.1) ? v.replace(/[^A-Za-z0-9]/g, '%') : encodeURIComponent(v.toWellFormed())}`).join('&');
}

/** One malformed request for `route`. */
function httpRequest(route: Route, fx: FuzzFixture, r: Rand): FuzzRequest {
  const headers: Record<string, string> = {};
  let withToken = false;
  if (route.organizer) {
    const mode = r.int(4);
    if (mode <= 1) {
      withToken = true;
      headers.authorization = `Bearer ${fx.adminToken}`;
    } else if (mode === 2) headers.authorization = r.pick(BOGUS_AUTH);
  } else if (r.chance(0.15)) headers.authorization = r.chance(0.5) ? r.pick(BOGUS_AUTH) : `Bearer ${fx.adminToken}`;
  if (r.chance(0.15)) headers['x-session'] = r.pick(['', 'x', r.hex(32), 'a'.repeat(5000), '../..']);

  const path = pathFor(route, fx, r, withToken) + queryFor(route, fx, r);
  const label = `${route.method} ${route.path}`;
  // A route whose body could act, with the real token: its body must be refused by its schema.
  // (A body-less route with the real token takes only ids that cannot act: any body is harmless.)
  const mustBreak = withToken && route.accepts !== undefined;
  let text: string | undefined;
  let contentType: string | undefined = 'application/json';
  const plan = r.int(100);
  if (!route.body && route.method !== 'POST') {
    if (plan < 20) text = serialize(oddValue(r));
    else contentType = r.chance(0.5) ? undefined : contentType;
  } else if (plan < 12) {
    text = r.pick(BAD_JSON);
  } else if (plan < 18) {
    text = '';
  } else if (plan < 24) {
    contentType = r.pick(CONTENT_TYPES);
    text = JSON.stringify(route.body?.(fx, r) ?? {});
  } else if (plan < 27) {
    // Over the limit: 1 MiB, 25 MiB for the import (only the import's limit is sent rarely).
    const size = route.path.endsWith('/import') && r.chance(0.2) ? 25 * 1024 * 1024 + 10 : 1024 * 1024 + 10;
    text = JSON.stringify({ csv: 'x'.repeat(size) });
  } else if (route.body) {
    const plausible = route.body(fx, r);
    const changed = mutateBody(plausible, r);
    text = serialize(mustBreak ? breakBody(isPlainObject(changed) && r.chance(0.5) ? changed : plausible, r) : changed);
  } else {
    // A body-less POST: no body, an empty one, or one it ignores.
    text = r.pick([undefined, '', '{}', serialize(oddValue(r))]);
    if (text === undefined || (text === '' && r.chance(0.5))) contentType = undefined;
  }
  if (mustBreak && text !== undefined) {
    // Checked, not hoped (whatever the content type says): a body the route's schema would
    // still accept gets a key it refuses.
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined; // not JSON: refused as invalid_json
    }
    if (parsed !== undefined && route.accepts!(parsed)) text = `{"unknown":true,${text.trim().slice(1)}`;
  }
  if (contentType) headers['content-type'] = contentType;
  if (r.chance(0.05)) headers['content-encoding'] = r.pick(['gzip', 'br', 'deflate', 'identity, gzip']);
  if (r.chance(0.05)) for (let i = 0; i < 50; i++) headers[`x-fuzz-${i}`] = r.hex(8);
  const method = r.chance(0.03) ? r.pick(['PUT', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'DELETE', 'GET', 'POST']) : route.method;
  // Another method on an organizer route must not act either: only GET (no such route) or a refused one.
  const safeMethod = withToken && method !== route.method ? 'PATCH' : method;
  return { kind: 'http', route: label, method: safeMethod, path, headers, body: text === undefined ? undefined : Buffer.from(text, 'utf8') };
}

const isPlainObject = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Raw bytes that are not well-formed HTTP/1.1 (or stretch it): answered in our shape, or the connection closed. */
function rawRequest(fx: FuzzFixture, r: Rand): FuzzRequest {
  const path = pathFor(r.pick(ROUTES), fx, r, false);
  const body = '{"token":"x"}';
  const templates = [
    `GARBAGE\r\n\r\n`,
    `GET ${path} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000 + r.int(20_000))}\r\n\r\n`,
    `GET /${'a'.repeat(17_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    `POST /api/setup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nContent-Length: ${body.length + 1}\r\n\r\n${body}`,
    `POST /api/setup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    `POST /api/setup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`,
    `POST /api/setup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n${body}`,
    `POST /api/setup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1x\r\n\r\n${body}`,
    `GET ${path} HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n`,
    `GET ${path} HTTP/1.1\r\nHost: x\r\nX-Nul: a\u0000b\r\n\r\n`,
    `GET ${path} HTTP/9.9\r\nHost: x\r\n\r\n`,
    `G@T ${path} HTTP/1.1\r\nHost: x\r\n\r\n`,
    `GET ${path} HTTP/1.1\nHost: x\n\n`,
    `GET  ${path}  HTTP/1.1\r\nHost: x\r\n\r\n`,
    `GET http://evil.example${path} HTTP/1.1\r\nHost: x\r\n\r\n`,
    `GET ${path}\u0000 HTTP/1.1\r\nHost: x\r\n\r\n`,
    `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`,
    `GET ${path} HTTP/1.1\r\nHost: x\r\n Folded: header\r\n\r\n`,
    `POST /api/enroll HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{"a":1}GET / HTTP/1.1\r\n\r\n`,
    `GET ${path} HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 2500 }, (_, i) => `X-${i}: 1`).join('\r\n')}\r\n\r\n`,
  ];
  return { kind: 'raw', route: 'raw HTTP', bytes: Buffer.from(r.pick(templates), 'latin1') };
}

/** The `n` requests of a run, as a generator (the large bodies are made one at a time). */
export function* fuzzRequests(n: number, seed: number, fx: FuzzFixture, web: boolean): Generator<FuzzRequest> {
  const r = new Rand(seed);
  let k = 0;
  /**
   * Routes in turn, so that every one gets its share. A GET that takes no input (no id, no
   * query) gets a fifth of the turns: only headers, methods and stray bodies can vary there, and
   * some of these answers are costly to compute (the committee's status replays its entries).
   */
  const nextRoute = (): Route => {
    for (;;) {
      const route = ROUTES[k++ % ROUTES.length];
      if (route.method !== 'GET' || route.path.includes(':id') || route.query || r.chance(0.2)) return route;
    }
  };
  for (let i = 0; i < n; i++) {
    const roll = r.int(100);
    if (roll < 8) yield rawRequest(fx, r);
    else if (roll < 11 && web) {
      const path = r.pick(WEB_PATHS).replace(':id', r.chance(0.5) ? r.pick(BAD_ID_SPELLINGS) : r.pick(['1', '32', '0', '33', fx.open.id, 'index.js']));
      yield { kind: 'http', route: 'web', method: r.pick(['GET', 'GET', 'HEAD', 'POST']), path, headers: r.chance(0.3) ? { range: 'bytes=0-1,5-2' } : {} };
    } else yield httpRequest(nextRoute(), fx, r);
  }
}
