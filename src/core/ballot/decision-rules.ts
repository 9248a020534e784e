/**
 * The decision rules that turn a tally into an outcome (docs/protocol.md §12.6), used by the
 * presets of procedures.ts. Pure: no I/O, no clock, no randomness.
 *
 * Arithmetic is exact: thresholds are fractions of integers, rounded with BigInt, never with
 * floating point (0.15 × 317 must give 48, not 47.550000000000004 rounded by luck).
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Fractions and thresholds

export type Fraction = { num: number; den: number };

/** A fraction between 0 and 1 inclusive, as two non-negative integers (den ≥ 1). */
export const FractionSchema = z
  .strictObject({
    num: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    den: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  })
  .refine((f) => f.num <= f.den, 'a fraction between 0 and 1');

function checkFraction(f: Fraction): void {
  if (!FractionSchema.safeParse(f).success) throw new RangeError(`not a fraction in [0, 1]: ${JSON.stringify(f)}`);
}

function checkCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
}

/** The smallest integer n with n ≥ fraction·of, i.e. ceil(num·of / den). "At least 20% of 153" = 31. */
export function atLeast(fraction: Fraction, of: number): number {
  checkFraction(fraction);
  checkCount(of, 'of');
  const num = BigInt(fraction.num) * BigInt(of);
  const den = BigInt(fraction.den);
  return Number((num + den - 1n) / den);
}

/** The smallest integer n with n > fraction·of, i.e. floor(num·of / den) + 1. "More than half of 153" = 77. */
export function moreThan(fraction: Fraction, of: number): number {
  checkFraction(fraction);
  checkCount(of, 'of');
  return Number((BigInt(fraction.num) * BigInt(of)) / BigInt(fraction.den)) + 1;
}

const HALF: Fraction = { num: 1, den: 2 };

// ---------------------------------------------------------------------------------------------
// Decision rules

const quorum = {
  /** Optional: at least this fraction of the roster must return a ballot (abstentions count). */
  quorum: FractionSchema.optional(),
};

export const DecisionRuleSchema = z.discriminatedUnion('kind', [
  /** yes > M/2 where M is the whole roster: absences and abstentions count against. */
  z.strictObject({ kind: z.literal('majority-of-members'), ...quorum }),
  /** yes > (yes + no)/2: abstentions and absences are not counted at all. */
  z.strictObject({ kind: z.literal('majority-of-votes-cast'), ...quorum }),
  /** yes ≥ f·M (or yes > f·M when strict), M the whole roster. */
  z.strictObject({ kind: z.literal('fraction-of-members'), fraction: FractionSchema, strict: z.boolean(), ...quorum }),
  /** yes ≥ f·(yes + no) (or > when strict); abstentions excluded. */
  z.strictObject({ kind: z.literal('fraction-of-votes-cast'), fraction: FractionSchema, strict: z.boolean(), ...quorum }),
  /** Candidate elections: most votes wins; an equal top is reported as `tie`. */
  z.strictObject({ kind: z.literal('plurality'), ...quorum }),
]);
export type DecisionRule = z.infer<typeof DecisionRuleSchema>;

export type Outcomes = { pass: string; fail: string };
export type Decision = {
  /** The outcome word for a yes/no question, or the winning option, `tie` or `no-quorum`. */
  decision: string;
  /**
   * Yes/no: yes votes needed to pass, given this tally. Plurality: votes the leader needed to win
   * outright (runner-up + 1). No quorum: ballots needed for the quorum.
   */
  needed: number;
  detail: string;
};
export type DecideOptions = {
  /** Tally key of the yes option (default `yes`). */
  yes?: string;
  /** Tally key of the no option (default `no`). */
  no?: string;
  /** Plurality only: a tally key that is a blank ballot, not a candidate (default `abstain`). */
  abstain?: string;
  /** The words for yes/no outcomes (default `pass` / `fail`). */
  outcomes?: Outcomes;
};

/** Words `decide` itself may return; a candidate cannot be called this. */
export const RESERVED_DECISIONS = ['tie', 'no-quorum'] as const;

function fractionText(f: Fraction): string {
  return `${f.num}/${f.den}`;
}

/**
 * For a rule counted against all members: the "yes" votes it needs on a roster of `rosterSize`
 * (whatever the turnout; at least 1). Null for rules counted against the votes cast, and plurality.
 */
export function yesNeededOfMembers(rule: DecisionRule, rosterSize: number): number | null {
  switch (rule.kind) {
    case 'majority-of-members':
      return Math.max(1, moreThan(HALF, rosterSize));
    case 'fraction-of-members':
      return Math.max(1, rule.strict ? moreThan(rule.fraction, rosterSize) : atLeast(rule.fraction, rosterSize));
    default:
      return null;
  }
}

/**
 * Applies `rule` to `tally` (option → number of ballots) for a roster of `rosterSize` members.
 *
 * Yes/no rules: keys other than `yes`/`no` are blank ballots (abstentions): they count towards a
 * quorum and are otherwise ignored — which, under a rule "of members", means they count against.
 * A motion never passes with zero yes votes. Plurality: every key except `abstain` is a candidate.
 * Throws RangeError on an impossible tally (negative or fractional counts, more ballots than members).
 */
export function decide(rule: DecisionRule, tally: Record<string, number>, rosterSize: number, options: DecideOptions = {}): Decision {
  const r = DecisionRuleSchema.parse(rule);
  checkCount(rosterSize, 'rosterSize');
  let total = 0;
  for (const [key, n] of Object.entries(tally)) {
    checkCount(n, `tally[${JSON.stringify(key)}]`);
    total += n;
  }
  if (total > rosterSize) throw new RangeError(`${total} ballots for a roster of ${rosterSize}`);

  if (r.quorum) {
    const q = atLeast(r.quorum, rosterSize);
    if (total < q) {
      return {
        decision: 'no-quorum',
        needed: q,
        detail: `${total} of ${rosterSize} members voted; the quorum is ${fractionText(r.quorum)} of the roster = ${q} ballots (abstentions count towards it)`,
      };
    }
  }

  if (r.kind === 'plurality') return plurality(tally, options.abstain ?? 'abstain');

  const yesKey = options.yes ?? 'yes';
  const noKey = options.no ?? 'no';
  if (yesKey === noKey) throw new RangeError('the yes and no options must differ');
  const outcomes = options.outcomes ?? { pass: 'pass', fail: 'fail' };
  const yes = tally[yesKey] ?? 0;
  const no = tally[noKey] ?? 0;
  const blank = total - yes - no;
  const cast = yes + no;

  let needed: number;
  let basis: string;
  switch (r.kind) {
    case 'majority-of-members':
      needed = yesNeededOfMembers(r, rosterSize)!;
      basis = `a majority of all ${rosterSize} members (more than half; absences and abstentions count against)`;
      break;
    case 'majority-of-votes-cast':
      needed = moreThan(HALF, cast);
      basis = `a majority of the ${cast} yes/no votes cast (more than half; ${blank} abstentions not counted)`;
      break;
    case 'fraction-of-members':
      needed = yesNeededOfMembers(r, rosterSize)!;
      basis = `${r.strict ? 'more than' : 'at least'} ${fractionText(r.fraction)} of all ${rosterSize} members (absences and abstentions count against)`;
      break;
    case 'fraction-of-votes-cast':
      needed = r.strict ? moreThan(r.fraction, cast) : atLeast(r.fraction, cast);
      basis = `${r.strict ? 'more than' : 'at least'} ${fractionText(r.fraction)} of the ${cast} yes/no votes cast (${blank} abstentions not counted)`;
      break;
  }
  needed = Math.max(1, needed);
  const passed = yes >= needed;
  return {
    decision: passed ? outcomes.pass : outcomes.fail,
    needed,
    detail: `${yes} yes, ${no} no, ${blank} abstaining, ${rosterSize - total} not voting; needed ${needed} yes: ${basis}; ${passed ? 'passed' : 'not passed'}`,
  };
}

function plurality(tally: Record<string, number>, abstainKey: string): Decision {
  const candidates = Object.entries(tally).filter(([k]) => k !== abstainKey);
  for (const [k] of candidates) {
    if ((RESERVED_DECISIONS as readonly string[]).includes(k)) throw new RangeError(`"${k}" cannot be a candidate's name`);
  }
  const cast = candidates.reduce((s, [, n]) => s + n, 0);
  const top = candidates.reduce((m, [, n]) => Math.max(m, n), 0);
  const leaders = candidates.filter(([, n]) => n === top).map(([k]) => k);
  if (top === 0 || leaders.length !== 1) {
    return {
      decision: 'tie',
      needed: top + 1,
      detail: top === 0 ? 'no votes for any candidate' : `tie at ${top} votes between ${leaders.map((l) => JSON.stringify(l)).join(', ')}`,
    };
  }
  const runnerUp = candidates.filter(([k]) => k !== leaders[0]).reduce((m, [, n]) => Math.max(m, n), 0);
  const majority = top >= moreThan(HALF, cast);
  return {
    decision: leaders[0],
    needed: runnerUp + 1,
    detail: `${JSON.stringify(leaders[0])} has the most votes: ${top} of ${cast} cast (runner-up ${runnerUp}); ${majority ? 'a' : 'not a'} majority of votes cast`,
  };
}
