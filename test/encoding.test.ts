/**
 * assertCanonicalEncodable (src/core/encoding.ts) refuses exactly what canonicalJson refuses, with
 * the same message: parseBundle uses it to check a whole bundle without building its text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertCanonicalEncodable, canonicalJson, illFormedStringPath } from '../src/core/encoding.ts';

const outcome = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return `throws: ${(e as Error).message}`;
  }
};

describe('assertCanonicalEncodable', () => {
  it('throws exactly when canonicalJson throws, on arbitrary values (lone surrogates, unsafe numbers, class instances)', () => {
    const leaf = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom('a', '\ud800', '\udc00', 'é') }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.bigInt(),
      fc.date(),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string({ unit: 'binary' }), tie('node'), { maxKeys: 4 })),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(outcome(() => assertCanonicalEncodable(v))).toBe(outcome(() => canonicalJson(v)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('object keys are strings too (RFC 8785 §3.2.2.2: well-formed UTF-16)', () => {
  it('canonicalJson and assertCanonicalEncodable refuse a key with a lone surrogate', () => {
    expect(() => canonicalJson({ ['a\ud800']: 1 })).toThrow('not well-formed');
    expect(() => assertCanonicalEncodable({ ok: { ['\udc00']: 'x' } })).toThrow('not well-formed');
  });
});

describe('illFormedStringPath (what the API checks every request with)', () => {
  const text = fc.string({ unit: fc.constantFrom('a', '\ud800', '\udc00', '\ud83d\ude00', 'é') });
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.constant(null), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(text, tie('node'), { maxKeys: 4 })),
  })).node;

  it('finds a string or key exactly when canonicalJson would refuse one, and its path leads to it', () => {
    fc.assert(
      fc.property(value, (v) => {
        const path = illFormedStringPath(v);
        expect(path === null).toBe(outcome(() => canonicalJson(v)) === 'ok');
        if (path === null) return;
        let at: unknown = v;
        for (const [i, key] of path.entries()) {
          const next = (at as Record<string | number, unknown>)[key];
          // The last step may name an ill-formed key (written with U+FFFD for the message).
          if (next === undefined && i === path.length - 1) {
            expect(Object.keys(at as object).some((k) => !k.isWellFormed())).toBe(true);
            return;
          }
          at = next;
        }
        expect(typeof at === 'string' && !at.isWellFormed(), JSON.stringify({ v, path })).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('walks 200,000 levels of nesting without exhausting the stack', () => {
    const deep = JSON.parse(`${'['.repeat(200_000)}"\\udfff"${']'.repeat(200_000)}`);
    expect(illFormedStringPath(deep)).toHaveLength(200_000);
    expect(illFormedStringPath(JSON.parse(`${'['.repeat(200_000)}"ok"${']'.repeat(200_000)}`))).toBeNull();
  });
});
