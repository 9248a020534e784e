/**
 * Decision rules and procedure presets (src/core/ballot/procedures.ts), one test per rule, at the
 * boundaries; then properties of the threshold arithmetic and of `decide`.
 * Published counts used as fixtures are cited in docs/procedures.md.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DecisionRule,
  type Fraction,
  PRESETS,
  UK_1922_THRESHOLD_SINCE_NOV_2024,
  atLeast,
  decide,
  decideProcedure,
  definePreset,
  moreThan,
  noticeThreshold,
  withNoticeFraction,
} from '../src/core/ballot/procedures.ts';

const yn = (yes: number, no: number, abstain = 0) => ({ yes, no, ...(abstain ? { abstain } : {}) });

describe('notice thresholds: a fraction of the roster, rounded up', () => {
  it('20% of 153 caucus members is 31 signatures (30.6 rounded up)', () => {
    expect(noticeThreshold(PRESETS['ca-leadership-review'], 153)).toBe(31);
    expect(noticeThreshold(PRESETS['ca-expulsion'], 153)).toBe(31);
    expect(atLeast({ num: 1, den: 5 }, 153)).toBe(31);
  });

  it('20% of 100 is exactly 20, not 21', () => {
    expect(noticeThreshold(PRESETS['ca-leadership-review'], 100)).toBe(20);
  });

  it('matches counts published for real caucuses', () => {
    // 20% of 179 Liberal MPs = 36 (Chong, 2019); 20% of 121 Conservative MPs = 25 (2019).
    expect(noticeThreshold(PRESETS['ca-expulsion'], 179)).toBe(36);
    expect(noticeThreshold(PRESETS['ca-leadership-review'], 121)).toBe(25);
    // 15% of 317 = 48 (Full Fact, 2018); of 360 = 54 (2022); of 121 = 19 (2024): the rule before Nov. 2024.
    const uk = PRESETS['uk-1922-confidence-15pc'];
    expect(noticeThreshold(uk, 317)).toBe(48);
    expect(noticeThreshold(uk, 360)).toBe(54);
    expect(noticeThreshold(uk, 121)).toBe(19);
  });

  it('1922 Committee: the preset is the rule in force, one third of MPs (121 → 41, Nov. 2024); 15% is the historical preset', () => {
    expect(PRESETS['uk-1922-confidence'].notice?.fraction).toEqual(UK_1922_THRESHOLD_SINCE_NOV_2024);
    expect(noticeThreshold(PRESETS['uk-1922-confidence'], 121)).toBe(41);
    expect(PRESETS['uk-1922-confidence-15pc'].notice?.fraction).toEqual({ num: 15, den: 100 });
    // Both cite their source; the current rule cites the change of Nov. 2024.
    expect(PRESETS['uk-1922-confidence'].source.citation).toContain('Nov. 2024');
    expect(PRESETS['uk-1922-confidence-15pc'].source.url).toMatch(/^https:\/\//);
    // Everything but the threshold, the title and the source is the same procedure.
    const { notice: a, title: _t1, source: _s1, caveats: _c1, id: _i1, ...current } = PRESETS['uk-1922-confidence'];
    const { notice: b, title: _t2, source: _s2, caveats: _c2, id: _i2, ...historical } = PRESETS['uk-1922-confidence-15pc'];
    expect(historical).toEqual(current);
    expect({ ...a, fraction: null }).toEqual({ ...b, fraction: null });
  });

  it('withNoticeFraction makes a what-if preset without touching the registered one', () => {
    const third = withNoticeFraction(PRESETS['uk-1922-confidence-15pc'], UK_1922_THRESHOLD_SINCE_NOV_2024);
    expect(noticeThreshold(third, 121)).toBe(41);
    expect(PRESETS['uk-1922-confidence-15pc'].notice?.fraction).toEqual({ num: 15, den: 100 });
  });

  it('1922 Committee letters: count hidden until the threshold, chair alone knows, withdrawable', () => {
    expect(PRESETS['uk-1922-confidence'].notice).toMatchObject({ visibility: 'at-threshold', revealSigners: 'chair', withdrawable: true });
  });

  it('a procedure without notice has no threshold', () => {
    expect(noticeThreshold(PRESETS['ca-interim-leader'], 153)).toBeNull();
    expect(() => withNoticeFraction(PRESETS['ca-interim-leader'], { num: 1, den: 2 })).toThrow(RangeError);
  });
});

describe('majority of all members', () => {
  const rule: DecisionRule = { kind: 'majority-of-members' };

  it('153 members: 77 yes removes the leader', () => {
    const d = decideProcedure(PRESETS['ca-leadership-review'], yn(77, 70), 153);
    expect(d).toMatchObject({ decision: 'removed', needed: 77 });
  });

  it('153 members: 76 yes does not, even 76–0 (76 is not a majority of all 153)', () => {
    expect(decideProcedure(PRESETS['ca-leadership-review'], yn(76, 71), 153).decision).toBe('not-removed');
    expect(decideProcedure(PRESETS['ca-leadership-review'], yn(76, 0), 153).decision).toBe('not-removed');
  });

  it('an even roster needs more than half: 100 members need 51', () => {
    expect(decide(rule, yn(50, 0), 100).decision).toBe('fail');
    expect(decide(rule, yn(51, 49), 100)).toMatchObject({ decision: 'pass', needed: 51 });
  });

  it('expulsion: majority of all caucus members (179 → 90, as Chong counted)', () => {
    expect(decideProcedure(PRESETS['ca-expulsion'], yn(90, 30), 179).decision).toBe('expelled');
    expect(decideProcedure(PRESETS['ca-expulsion'], yn(89, 0), 179).decision).toBe('not-expelled');
  });

  it('abstentions count against', () => {
    expect(decide(rule, yn(76, 0, 77), 153).decision).toBe('fail');
  });
});

describe('majority of votes cast (abstentions excluded)', () => {
  const rule: DecisionRule = { kind: 'majority-of-votes-cast' };

  it('50–50 fails, 51–50 passes', () => {
    expect(decide(rule, yn(50, 50), 200).decision).toBe('fail');
    expect(decide(rule, yn(51, 50), 200)).toMatchObject({ decision: 'pass', needed: 51 });
  });

  it('abstentions do not count: 3–2 with 95 abstaining passes', () => {
    expect(decide(rule, yn(3, 2, 95), 100).decision).toBe('pass');
  });

  it('nothing passes with no votes', () => {
    expect(decide(rule, {}, 10)).toMatchObject({ decision: 'fail', needed: 1 });
  });

  it('1922 confidence vote: the leader needs a majority; a tie loses', () => {
    const uk = PRESETS['uk-1922-confidence'];
    expect(decideProcedure(uk, yn(200, 117), 317).decision).toBe('confidence-kept'); // Dec. 2018
    expect(decideProcedure(uk, yn(211, 148), 359).decision).toBe('confidence-kept'); // June 2022
    expect(decideProcedure(uk, yn(150, 150), 317).decision).toBe('confidence-lost');
  });

  it('readmission and the recorded adoption votes use it', () => {
    expect(decideProcedure(PRESETS['ca-readmission'], yn(40, 39, 20), 153).decision).toBe('readmitted');
    expect(decideProcedure(PRESETS['ca-adoption-vote'], yn(40, 40), 153).decision).toBe('not-adopted');
    expect(PRESETS['ca-adoption-vote'].ballot.secret).toBe(false);
  });
});

describe('fraction of members', () => {
  it('two thirds of 100 is 67 (Liberal spill against an elected prime minister)', () => {
    const lib = PRESETS['au-liberal-spill-pm'];
    expect(decideProcedure(lib, yn(67, 33), 100)).toMatchObject({ decision: 'spill', needed: 67 });
    expect(decideProcedure(lib, yn(66, 0), 100).decision).toBe('no-spill');
  });

  it('75% of 100 is 75 (Labor in government)', () => {
    const gov = PRESETS['au-labor-spill-government'];
    expect(decideProcedure(gov, yn(75, 25), 100)).toMatchObject({ decision: 'spill', needed: 75 });
    expect(decideProcedure(gov, yn(74, 0), 100).decision).toBe('no-spill');
  });

  it('60% of 100 is 60 (Labor in opposition)', () => {
    const opp = PRESETS['au-labor-spill-opposition'];
    expect(decideProcedure(opp, yn(60, 40), 100)).toMatchObject({ decision: 'spill', needed: 60 });
    expect(decideProcedure(opp, yn(59, 0), 100).decision).toBe('no-spill');
  });

  it('strict: more than two thirds of 99 is 67, at least two thirds of 99 is 66', () => {
    const f: Fraction = { num: 2, den: 3 };
    expect(decide({ kind: 'fraction-of-members', fraction: f, strict: true }, yn(66, 0), 99)).toMatchObject({ decision: 'fail', needed: 67 });
    expect(decide({ kind: 'fraction-of-members', fraction: f, strict: false }, yn(66, 0), 99)).toMatchObject({ decision: 'pass', needed: 66 });
  });
});

describe('fraction of votes cast', () => {
  const f: Fraction = { num: 2, den: 3 };
  it('two thirds of 30 cast is 20; strictly more needs 21; abstentions excluded', () => {
    expect(decide({ kind: 'fraction-of-votes-cast', fraction: f, strict: false }, yn(20, 10, 50), 100)).toMatchObject({ decision: 'pass', needed: 20 });
    expect(decide({ kind: 'fraction-of-votes-cast', fraction: f, strict: true }, yn(20, 10, 50), 100)).toMatchObject({ decision: 'fail', needed: 21 });
  });
});

describe('plurality (candidate elections)', () => {
  const rule: DecisionRule = { kind: 'plurality' };

  it('the most votes wins, with or without a majority', () => {
    expect(decide(rule, { ana: 10, bo: 7, cy: 5 }, 30)).toMatchObject({ decision: 'ana', needed: 8 });
    expect(decide(rule, { ana: 10, bo: 7, cy: 5 }, 30).detail).toContain('not a majority');
    expect(decideProcedure(PRESETS['ca-interim-leader'], { ana: 12, bo: 7 }, 30).detail).toContain('a majority');
  });

  it('an equal top is a tie', () => {
    expect(decide(rule, { ana: 9, bo: 9, cy: 3 }, 30)).toMatchObject({ decision: 'tie', needed: 10 });
    expect(decide(rule, {}, 30).decision).toBe('tie');
  });

  it('blank ballots are not a candidate', () => {
    expect(decide(rule, { ana: 2, abstain: 20 }, 30).decision).toBe('ana');
  });

  it('a candidate cannot be named tie or no-quorum', () => {
    expect(() => decide(rule, { tie: 3, bo: 1 }, 30)).toThrow(RangeError);
  });
});

describe('quorum (ballots returned, as a fraction of the roster)', () => {
  it('a majority of votes cast with a quorum of half: 49 ballots of 100 is no quorum, 50 is', () => {
    const rule: DecisionRule = { kind: 'majority-of-votes-cast', quorum: { num: 1, den: 2 } };
    expect(decide(rule, yn(40, 9), 100)).toMatchObject({ decision: 'no-quorum', needed: 50 });
    expect(decide(rule, yn(40, 9, 1), 100).decision).toBe('pass'); // abstentions count towards quorum
  });

  it('plurality reports no-quorum', () => {
    expect(decide({ kind: 'plurality', quorum: { num: 1, den: 3 } }, { ana: 5 }, 30).decision).toBe('no-quorum');
  });
});

describe('impossible input is refused', () => {
  it('more ballots than members, negative or fractional counts, a bad fraction', () => {
    expect(() => decide({ kind: 'majority-of-members' }, yn(100, 54), 153)).toThrow(RangeError);
    expect(() => decide({ kind: 'majority-of-members' }, yn(-1, 0), 153)).toThrow(RangeError);
    expect(() => decide({ kind: 'majority-of-members' }, yn(1.5, 0), 153)).toThrow(RangeError);
    expect(() => atLeast({ num: 3, den: 2 }, 10)).toThrow(RangeError);
    expect(() => moreThan({ num: 1, den: 0 }, 10)).toThrow(RangeError);
    expect(() => decide({ kind: 'fraction-of-members', fraction: { num: 1, den: 0 }, strict: false }, {}, 10)).toThrow();
  });
});

describe('presets', () => {
  it('all the required presets exist and validate', () => {
    const ids = [
      'ca-leadership-review',
      'ca-interim-leader',
      'ca-expulsion',
      'ca-readmission',
      'ca-chair-election',
      'ca-chair-removal',
      'ca-adoption-vote',
      'uk-1922-confidence',
      'uk-1922-confidence-15pc',
      'au-liberal-spill-pm',
      'au-labor-spill-government',
      'au-labor-spill-opposition',
      'generic',
    ];
    expect(Object.keys(PRESETS).sort()).toEqual([...ids].sort());
    for (const [id, p] of Object.entries(PRESETS)) {
      expect(p.id).toBe(id);
      expect(definePreset(p)).toEqual(p);
    }
  });

  it('a candidate ballot must use plurality, and a yes/no ballot must have outcome words', () => {
    expect(() => definePreset({ ...PRESETS.generic, ballot: { ...PRESETS.generic.ballot, options: 'candidates' } })).toThrow();
    expect(() => definePreset({ ...PRESETS.generic, outcomes: null })).toThrow();
    expect(() => definePreset({ ...PRESETS.generic, outcomes: { pass: 'tie', fail: 'x' } })).toThrow();
  });

  it('a generic preset takes any threshold and rule', () => {
    const p = definePreset({
      ...PRESETS.generic,
      id: 'club-recall',
      notice: { fraction: { num: 1, den: 4 }, revealSigners: 'none', visibility: 'live', withdrawable: true },
      rule: { kind: 'fraction-of-votes-cast', fraction: { num: 3, den: 5 }, strict: false, quorum: { num: 1, den: 2 } },
    });
    expect(noticeThreshold(p, 41)).toBe(11);
    expect(decideProcedure(p, yn(15, 10), 41).decision).toBe('adopted');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const fraction = fc
  .tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 1_000_000 }))
  .map(([den, n]) => ({ num: n % (den + 1), den }));
const roster = fc.integer({ min: 0, max: 10_000_000 });

describe('properties', () => {
  it('atLeast(f, of) is the least integer n with n·den ≥ num·of', () => {
    fc.assert(
      fc.property(fraction, roster, (f, of) => {
        const n = BigInt(atLeast(f, of));
        const target = BigInt(f.num) * BigInt(of);
        const den = BigInt(f.den);
        return n * den >= target && (n === 0n || (n - 1n) * den < target);
      }),
      { numRuns: 2000 },
    );
  });

  it('moreThan(f, of) is the least integer n with n·den > num·of', () => {
    fc.assert(
      fc.property(fraction, roster, (f, of) => {
        const n = BigInt(moreThan(f, of));
        const target = BigInt(f.num) * BigInt(of);
        const den = BigInt(f.den);
        return n * den > target && (n - 1n) * den <= target;
      }),
      { numRuns: 2000 },
    );
  });

  it('atLeast and moreThan never exceed the roster by more than one, and agree unless f·of is an integer', () => {
    fc.assert(
      fc.property(fraction, roster, (f, of) => {
        const exact = (BigInt(f.num) * BigInt(of)) % BigInt(f.den) === 0n;
        const a = atLeast(f, of);
        const m = moreThan(f, of);
        return a <= of && m <= of + 1 && (exact ? m === a + 1 : m === a);
      }),
      { numRuns: 2000 },
    );
  });

  const yesNoRule: fc.Arbitrary<DecisionRule> = fc.oneof(
    fc.constant<DecisionRule>({ kind: 'majority-of-members' }),
    fc.constant<DecisionRule>({ kind: 'majority-of-votes-cast' }),
    fc.record({ f: fraction, strict: fc.boolean() }).map(({ f, strict }): DecisionRule => ({ kind: 'fraction-of-members', fraction: f, strict })),
    fc.record({ f: fraction, strict: fc.boolean() }).map(({ f, strict }): DecisionRule => ({ kind: 'fraction-of-votes-cast', fraction: f, strict })),
  );
  const withQuorum = fc
    .tuple(yesNoRule, fc.option(fraction, { nil: undefined }))
    .map(([r, q]): DecisionRule => (q ? { ...r, quorum: q } : r));
  const ballots = fc
    .tuple(fc.integer({ min: 1, max: 500 }), fc.nat(), fc.nat(), fc.nat())
    .map(([m, a, b, c]) => {
      const yes = a % (m + 1);
      const no = b % (m - yes + 1);
      const abstain = c % (m - yes - no + 1);
      return { m, yes, no, abstain };
    });

  it('decide is monotone in yes votes: one more yes (new, from a no, or from an abstention) never turns a pass into a fail', () => {
    fc.assert(
      fc.property(withQuorum, ballots, (rule, { m, yes, no, abstain }) => {
        const passes = (y: number, n: number, a: number) => decide(rule, yn(y, n, a), m).decision === 'pass';
        if (!passes(yes, no, abstain)) return true;
        const more: [number, number, number][] = [];
        if (yes + no + abstain < m) more.push([yes + 1, no, abstain]);
        if (no > 0) more.push([yes + 1, no - 1, abstain]);
        if (abstain > 0) more.push([yes + 1, no, abstain - 1]);
        return more.every(([y, n, a]) => passes(y, n, a));
      }),
      { numRuns: 3000 },
    );
  });

  it('decide passes exactly when yes ≥ needed (or reports no-quorum), and needed ≥ 1', () => {
    fc.assert(
      fc.property(withQuorum, ballots, (rule, { m, yes, no, abstain }) => {
        const d = decide(rule, yn(yes, no, abstain), m);
        if (d.decision === 'no-quorum') return yes + no + abstain < d.needed;
        return d.needed >= 1 && (d.decision === 'pass') === (yes >= d.needed);
      }),
      { numRuns: 3000 },
    );
  });
});
