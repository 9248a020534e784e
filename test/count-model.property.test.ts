/**
 * The count (docs/protocol.md §7, src/core/letter/tally.ts) against a reference model: a Map from
 * nullifier to its latest action. Pure, no proofs, so many cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from '../src/core/letter/record.ts';
import { type TallyInput, tally } from '../src/core/letter/tally.ts';

const LETTER = 'ab'.repeat(32);
const NULLIFIERS = ['11', '22', '33', '44', '55'];
/** The member behind each nullifier (distinct: one member, one nullifier per letter). */
const memberOf = (n: string) => NULLIFIERS.indexOf(n) + 1;
const nameOf = (id: number) => `Member ${id}`;

interface Step {
  nullifier: string;
  action: 'support' | 'withdraw';
  named: boolean;
  /** How far above the signer's previous seq this one is (>= 1). */
  gap: number;
}

const step: fc.Arbitrary<Step> = fc.record({
  nullifier: fc.constantFrom(...NULLIFIERS),
  action: fc.constantFrom('support' as const, 'withdraw' as const),
  named: fc.boolean(),
  gap: fc.integer({ min: 1, max: 3 }),
});

function action(kind: 'support' | 'withdraw', named: boolean, seq: number): Action {
  const base = { format: 'undersigned-action/1' as const, letterId: LETTER, seq };
  if (kind === 'withdraw') return { ...base, action: 'withdraw' };
  if (!named) return { ...base, action: 'support', display: 'anonymous' };
  return { ...base, action: 'support', display: 'named', named: { publicKey: ['1', '2'], signature: { R8: ['3', '4'], S: '5' } } };
}

/** Turn steps into tally inputs with a strictly increasing seq per nullifier. */
function toInputs(steps: readonly Step[]): TallyInput[] {
  const seqs = new Map<string, number>();
  return steps.map((s) => {
    const seq = (seqs.get(s.nullifier) ?? 0) + s.gap;
    seqs.set(s.nullifier, seq);
    const named = s.action === 'support' && s.named;
    return {
      nullifier: s.nullifier,
      action: action(s.action, named, seq),
      signerName: named ? nameOf(memberOf(s.nullifier)) : null,
      signerId: named ? memberOf(s.nullifier) : null,
    };
  });
}

/** The reference: the latest input per nullifier; count its supports, name its named supports. */
function model(inputs: readonly TallyInput[]) {
  const latest = new Map<string, TallyInput>();
  for (const r of inputs) latest.set(r.nullifier, r);
  const supports = [...latest.values()].filter((r) => r.action.action === 'support');
  const named = supports
    .filter((r) => r.signerId !== null)
    .map((r) => ({ id: r.signerId!, name: r.signerName! }))
    .sort((a, b) => a.id - b.id);
  return { count: supports.length, named, participants: latest.size };
}

const RUNS = 2000;

describe('the count', () => {
  it('equals the latest action per nullifier (count, named list, participants)', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const inputs = toInputs(steps);
        const r = tally(inputs);
        expect(r).toEqual({ ok: true, tally: model(inputs) });
      }),
      { numRuns: RUNS },
    );
  });

  it('never exceeds the number of distinct nullifiers, nor goes below zero', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const r = tally(toInputs(steps));
        if (!r.ok) throw new Error(r.reason);
        expect(r.tally.count).toBeGreaterThanOrEqual(0);
        expect(r.tally.count).toBeLessThanOrEqual(new Set(steps.map((s) => s.nullifier)).size);
        expect(r.tally.named.length).toBeLessThanOrEqual(r.tally.count);
      }),
      { numRuns: RUNS },
    );
  });

  it('does not depend on how different signers interleave (only each signer’s own order matters)', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 30 }).chain((steps) => fc.tuple(fc.constant(steps), fc.shuffledSubarray(steps.map((_, i) => i), { minLength: steps.length }))),
        ([steps, order]) => {
          const inputs = toInputs(steps);
          // Re-interleave: keep each nullifier's inputs in their order, take nullifiers in `order`'s pattern.
          const queues = new Map<string, TallyInput[]>();
          for (const r of inputs) queues.set(r.nullifier, [...(queues.get(r.nullifier) ?? []), r]);
          const interleaved = order.map((i) => queues.get(inputs[i].nullifier)!.shift()!);
          expect(tally(interleaved)).toEqual(tally(inputs));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a seq that does not increase for the same nullifier is refused as a replay, naming the record', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 30 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 3 }),
        (steps, pick, at, drop) => {
          const inputs = toInputs(steps);
          // Replay: an earlier input of a signer (or one with a seq no higher than its latest so far),
          // inserted after that signer's latest input at or before the insertion point.
          const victim = inputs[pick % inputs.length];
          const after = inputs.findLastIndex((r) => r.nullifier === victim.nullifier);
          const position = after + 1 + (at % (inputs.length - after));
          const latestSeq = inputs[after].action.seq;
          const replayed: TallyInput = { ...victim, action: { ...victim.action, seq: Math.max(1, latestSeq - drop) } };
          const tampered = [...inputs.slice(0, position), replayed, ...inputs.slice(position)];
          const r = tally(tampered);
          expect(r).toMatchObject({ ok: false, code: 'replay' });
          if (!r.ok) expect(r.reason).toContain(`record ${position}:`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('with arbitrary seqs, is refused exactly at the first record whose seq does not follow its signer’s', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(step, fc.integer({ min: 1, max: 6 })), { maxLength: 25 }), (pairs) => {
        const inputs = pairs.map(([s, seq]) => ({ ...toInputs([s])[0], action: action(s.action, s.action === 'support' && s.named, seq) }));
        const last = new Map<string, number>();
        const firstBad = inputs.findIndex((r) => {
          const bad = (last.get(r.nullifier) ?? 0) >= r.action.seq;
          last.set(r.nullifier, r.action.seq);
          return bad;
        });
        const r = tally(inputs);
        if (firstBad < 0) expect(r).toEqual({ ok: true, tally: model(inputs) });
        else {
          expect(r).toMatchObject({ ok: false, code: 'replay' });
          if (!r.ok) expect(r.reason).toContain(`record ${firstBad}:`);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a member named on two nullifiers whose latest actions are named supports is refused', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 20 }), (steps) => {
        const inputs = toInputs(steps);
        // Two fresh nullifiers, both named supports by member 99 (who owns no other nullifier here).
        const extra = ['aa', 'bb'].map((n) => ({ nullifier: n, action: action('support', true, 1), signerName: nameOf(99), signerId: 99 }));
        const r = tally([...inputs, ...extra]);
        expect(r).toMatchObject({ ok: false, code: 'named_twice' });
        // ...unless one of them withdraws afterwards: then the member is named once.
        const withdrawn = tally([...inputs, ...extra, { nullifier: 'aa', action: action('withdraw', false, 2), signerName: null, signerId: null }]);
        expect(withdrawn.ok).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('does not modify its input', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const inputs = toInputs(steps);
        const copy = structuredClone(inputs);
        tally(inputs);
        expect(inputs).toEqual(copy);
      }),
      { numRuns: 200 },
    );
  });

  it('examples: sign, withdraw, sign again counts once; a withdrawn named signer is not named', () => {
    const [s1, w2, s3] = toInputs([
      { nullifier: '11', action: 'support', named: false, gap: 1 },
      { nullifier: '11', action: 'withdraw', named: false, gap: 1 },
      { nullifier: '11', action: 'support', named: false, gap: 1 },
    ]);
    expect(tally([s1])).toMatchObject({ ok: true, tally: { count: 1 } });
    expect(tally([s1, w2])).toMatchObject({ ok: true, tally: { count: 0, participants: 1 } });
    expect(tally([s1, w2, s3])).toMatchObject({ ok: true, tally: { count: 1 } });
    const [n1, n2] = toInputs([
      { nullifier: '22', action: 'support', named: true, gap: 1 },
      { nullifier: '22', action: 'withdraw', named: false, gap: 1 },
    ]);
    expect(tally([n1])).toMatchObject({ ok: true, tally: { named: [{ id: 2, name: 'Member 2' }] } });
    expect(tally([n1, n2])).toMatchObject({ ok: true, tally: { count: 0, named: [] } });
    // The same record twice is a replay.
    expect(tally([s1, s1])).toMatchObject({ ok: false, code: 'replay' });
  });
});
