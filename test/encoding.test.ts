/**
 * assertCanonicalEncodable (src/core/encoding.ts) refuses exactly what canonicalJson refuses, with
 * the same message: parseBundle uses it to check a whole bundle without building its text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertCanonicalEncodable, canonicalJson } from '../src/core/encoding.ts';

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
