/**
 * Procedures of real bodies as data (presets), with their notice and decision rule. Sources, and
 * what could not be checked in them, are in docs/procedures.md; every preset's `caveats` repeats
 * the points that matter to a user. Pure: no I/O, no clock, no randomness. The rules themselves
 * are in decision-rules.ts (re-exported here for the callers that take both).
 */
import { z } from 'zod';
import { type Decision, DecisionRuleSchema, type Fraction, FractionSchema, RESERVED_DECISIONS, atLeast, decide } from './decision-rules.ts';
export * from './decision-rules.ts';

// ---------------------------------------------------------------------------------------------
// Presets

const Bilingual = z.strictObject({ en: z.string().min(1), fr: z.string().min(1) });

export const NoticeSchema = z.strictObject({
  /** Signatures needed, as a fraction of the roster, rounded up (`atLeast`). */
  fraction: FractionSchema,
  /** Who learns who signed: nobody, the chair (recipient) only, or everyone. */
  revealSigners: z.enum(['none', 'chair', 'all']),
  /** When the running count is shown (same words as a letter's visibility). */
  visibility: z.enum(['live', 'members', 'at-threshold', 'at-close']),
  /** Whether a signer may take their signature back before the threshold is reached. */
  withdrawable: z.boolean(),
});
export type Notice = z.infer<typeof NoticeSchema>;

export const PresetSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
    title: Bilingual,
    /** url null: no public source (the generic preset). */
    source: z.strictObject({ citation: z.string().min(1), url: z.url().nullable() }),
    /** Who may start the procedure. */
    trigger: Bilingual,
    notice: NoticeSchema.nullable(),
    ballot: z.strictObject({
      question: Bilingual,
      options: z.union([z.array(z.string().min(1)).min(2), z.literal('candidates')]),
      /** false: a recorded vote, each member's vote is published with their name. */
      secret: z.boolean(),
    }),
    rule: DecisionRuleSchema,
    /** Outcome words for a yes/no ballot; null for a candidate election. */
    outcomes: z.strictObject({ pass: z.string().min(1), fail: z.string().min(1) }).nullable(),
    /** Where this preset departs from, or could not be checked against, its source (English). */
    caveats: z.array(z.string().min(1)),
  })
  .refine((p) => (p.ballot.options === 'candidates') === (p.rule.kind === 'plurality'), 'candidate ballots, and only they, use plurality')
  .refine((p) => (p.outcomes === null) === (p.rule.kind === 'plurality'), 'yes/no ballots, and only they, have outcome words')
  .refine(
    (p) => p.outcomes === null || !(RESERVED_DECISIONS as readonly string[]).some((w) => w === p.outcomes?.pass || w === p.outcomes?.fail),
    'outcome words cannot be tie or no-quorum',
  );
export type Preset = z.infer<typeof PresetSchema>;

const YES_NO = ['yes', 'no'];

/** The 1922 Committee threshold in force since November 2024: one third of Conservative MPs (The Independent, 19 Nov. 2024). */
export const UK_1922_THRESHOLD_SINCE_NOV_2024: Fraction = { num: 1, den: 3 };
/** The 1922 Committee threshold until November 2024: 15% of Conservative MPs (Full Fact, 2018). */
export const UK_1922_THRESHOLD_BEFORE_NOV_2024: Fraction = { num: 15, den: 100 };
const TWENTY_PERCENT: Fraction = { num: 20, den: 100 };

/** Parliament of Canada Act, R.S.C. 1985, c. P-1, as amended by the Reform Act, 2014 (S.C. 2015, c. 37). */
const PCA = 'Parliament of Canada Act, R.S.C. 1985, c. P-1, ss. 49.1–49.8 (added by the Reform Act, 2014, S.C. 2015, c. 37)';
const PCA_URL = 'https://laws-lois.justice.gc.ca/eng/acts/P-1/';
const PCA_READ =
  'The consolidated statute text was not readable from here; the rule is taken from secondary sources quoting or summarising it (docs/procedures.md).';
const PCA_ADOPTED = 'Applies only if the caucus adopted this provision in its recorded vote after the last general election (ca-adoption-vote).';

const presets: Preset[] = [
  {
    id: 'ca-leadership-review',
    title: { en: 'Leadership review (Parliament of Canada Act)', fr: 'Examen de la direction (Loi sur le Parlement du Canada)' },
    source: { citation: `${PCA}: leadership review, s. 49.5(1)–(3)`, url: PCA_URL },
    trigger: {
      en: 'Caucus members, by a written notice to the caucus chair signed by at least 20% of the caucus; the chair makes the notice public.',
      fr: 'Les membres du groupe parlementaire, par un avis écrit au président du groupe signé par au moins 20 % de ses membres; le président rend l’avis public.',
    },
    notice: { fraction: TWENTY_PERCENT, revealSigners: 'all', visibility: 'at-threshold', withdrawable: false },
    ballot: {
      question: { en: 'Should the leader of the party be replaced?', fr: 'Le chef du parti doit-il être remplacé ?' },
      options: YES_NO,
      secret: true,
    },
    rule: { kind: 'majority-of-members' },
    outcomes: { pass: 'removed', fail: 'not-removed' },
    caveats: [
      PCA_READ,
      PCA_ADOPTED,
      'Subsection numbers (49.5(1)–(3)) come from an MP’s 2025 commentary; the 2019 Hansard lists the adoptable provisions as ss. 49.2, 49.3, 49.4, 49.5(1)–(4) and 49.6.',
      'Signers revealed to all: the Canadian Press (2022) reports that the chair must make public the names of the members requesting the review; whether withdrawal is possible is not stated.',
    ],
  },
  {
    id: 'ca-interim-leader',
    title: { en: 'Election of an interim leader (Parliament of Canada Act)', fr: 'Élection d’un chef intérimaire (Loi sur le Parlement du Canada)' },
    source: { citation: `${PCA}: interim leader, s. 49.5(4) and s. 49.6 (numbering unverified)`, url: PCA_URL },
    trigger: {
      en: 'The caucus chair, after the leader is replaced in a leadership review or the office of leader falls vacant.',
      fr: 'Le président du groupe parlementaire, après le remplacement du chef à la suite d’un examen de la direction ou lorsque la charge de chef devient vacante.',
    },
    notice: null,
    ballot: { question: { en: 'Who should be interim leader?', fr: 'Qui doit être chef intérimaire ?' }, options: 'candidates', secret: true },
    rule: { kind: 'plurality' },
    outcomes: null,
    caveats: [
      PCA_READ,
      PCA_ADOPTED,
      'Secret ballot is reported by secondary sources; whether the statute requires a majority (and so further rounds) rather than a plurality was not verified: `detail` says whether the winner has a majority of votes cast.',
    ],
  },
  {
    id: 'ca-expulsion',
    title: { en: 'Expulsion of a caucus member (Parliament of Canada Act)', fr: 'Expulsion d’un député du groupe parlementaire (Loi sur le Parlement du Canada)' },
    source: { citation: `${PCA}: expulsion, s. 49.2`, url: PCA_URL },
    trigger: {
      en: 'Caucus members, by a written notice to the caucus chair signed by at least 20% of the caucus, requesting that the member’s membership be reviewed.',
      fr: 'Les membres du groupe parlementaire, par un avis écrit au président du groupe signé par au moins 20 % de ses membres, demandant l’examen de l’appartenance du député.',
    },
    notice: { fraction: TWENTY_PERCENT, revealSigners: 'chair', visibility: 'at-threshold', withdrawable: false },
    ballot: {
      question: { en: 'Should this member be expelled from the caucus?', fr: 'Ce député doit-il être expulsé du groupe parlementaire ?' },
      options: YES_NO,
      secret: true,
    },
    rule: { kind: 'majority-of-members' },
    outcomes: { pass: 'expelled', fail: 'not-expelled' },
    caveats: [
      PCA_READ,
      PCA_ADOPTED,
      'Signers revealed to the chair only: the quoted text requires the notice to reach the chair and says nothing about publishing it (not verified).',
    ],
  },
  {
    id: 'ca-readmission',
    title: { en: 'Readmission of a caucus member (Parliament of Canada Act)', fr: 'Réadmission d’un député au groupe parlementaire (Loi sur le Parlement du Canada)' },
    source: { citation: `${PCA}: readmission, s. 49.2 or 49.3 (numbering unverified)`, url: PCA_URL },
    trigger: {
      en: 'Caucus members, by a written notice to the caucus chair (assumed 20%, as for expulsion; not verified).',
      fr: 'Les membres du groupe parlementaire, par un avis écrit au président du groupe (20 % présumés, comme pour l’expulsion; non vérifié).',
    },
    notice: { fraction: TWENTY_PERCENT, revealSigners: 'chair', visibility: 'at-threshold', withdrawable: false },
    ballot: {
      question: { en: 'Should this member be readmitted to the caucus?', fr: 'Ce député doit-il être réadmis au groupe parlementaire ?' },
      options: YES_NO,
      secret: true,
    },
    rule: { kind: 'majority-of-votes-cast' },
    outcomes: { pass: 'readmitted', fail: 'not-readmitted' },
    caveats: [
      PCA_READ,
      PCA_ADOPTED,
      'The rule "majority of caucus members present" comes from committee testimony on the bill before its amendment; the enacted text was not read.',
      '"Present" is modelled as "voting yes or no": a member who returns a blank ballot is treated as not present. Under a literal "majority of those present", a blank would count against.',
      'The 20% notice is an assumption by analogy with expulsion (the 2013 draft bill had a written notice to the chair for readmission too).',
      'A member re-elected as the party’s candidate is readmitted without a vote (testimony; not verified).',
    ],
  },
  {
    id: 'ca-chair-election',
    title: { en: 'Election of the caucus chair (Parliament of Canada Act)', fr: 'Élection du président du groupe parlementaire (Loi sur le Parlement du Canada)' },
    source: { citation: `${PCA}: caucus chair, ss. 49.3–49.4 (numbering unverified)`, url: PCA_URL },
    trigger: {
      en: 'At the first caucus meeting after a general election, or when the office of chair is vacant.',
      fr: 'À la première réunion du groupe parlementaire après une élection générale, ou lorsque la présidence est vacante.',
    },
    notice: null,
    ballot: { question: { en: 'Who should chair the caucus?', fr: 'Qui doit présider le groupe parlementaire ?' }, options: 'candidates', secret: true },
    rule: { kind: 'plurality' },
    outcomes: null,
    caveats: [
      PCA_READ,
      PCA_ADOPTED,
      'The bill as introduced had the chair elected by secret ballot by a majority of caucus members; whether the enacted text requires a majority (and so further rounds) was not verified: `detail` says whether the winner has a majority of votes cast.',
    ],
  },
  {
    id: 'ca-chair-removal',
    title: { en: 'Removal of the caucus chair (Parliament of Canada Act)', fr: 'Destitution du président du groupe parlementaire (Loi sur le Parlement du Canada)' },
    source: { citation: `${PCA}: caucus chair, ss. 49.3–49.4 (numbering unverified)`, url: PCA_URL },
    trigger: {
      en: 'Caucus members, by a written notice signed by at least 20% of the caucus.',
      fr: 'Les membres du groupe parlementaire, par un avis écrit signé par au moins 20 % de ses membres.',
    },
    notice: { fraction: TWENTY_PERCENT, revealSigners: 'chair', visibility: 'at-threshold', withdrawable: false },
    ballot: {
      question: { en: 'Should the caucus chair be removed?', fr: 'Le président du groupe parlementaire doit-il être destitué ?' },
      options: YES_NO,
      secret: true,
    },
    rule: { kind: 'majority-of-members' },
    outcomes: { pass: 'removed', fail: 'not-removed' },
    caveats: [
      PCA_READ,
      PCA_ADOPTED,
      '20% notice and a majority of all caucus members: from the Globe and Mail editorial (2015) summarising the Act, not from the text.',
      'To whom the notice goes when it concerns the chair, and who sees the signers, was not verified (modelled as the chair).',
    ],
  },
  {
    id: 'ca-adoption-vote',
    title: {
      en: 'Post-election vote on adopting a Reform Act provision (Parliament of Canada Act)',
      fr: 'Vote postélectoral sur l’adoption d’une disposition de la Loi de 2014 instituant des réformes (Loi sur le Parlement du Canada)',
    },
    source: { citation: `${PCA}: s. 49.8 (vote at the first caucus meeting; each vote recorded, s. 49.8(3); Speaker informed, s. 49.8(5))`, url: PCA_URL },
    trigger: {
      en: 'The caucus, at its first meeting after a general election: one vote for each of the four sets of provisions.',
      fr: 'Le groupe parlementaire, à sa première réunion après une élection générale : un vote pour chacun des quatre ensembles de dispositions.',
    },
    notice: null,
    ballot: {
      question: {
        en: 'Should this provision apply to the caucus until the next dissolution of Parliament?',
        fr: 'Cette disposition doit-elle s’appliquer au groupe parlementaire jusqu’à la prochaine dissolution du Parlement ?',
      },
      options: YES_NO,
      secret: false,
    },
    rule: { kind: 'majority-of-votes-cast' },
    outcomes: { pass: 'adopted', fail: 'not-adopted' },
    caveats: [
      PCA_READ,
      'Recorded vote: s. 49.8(3) as quoted by Michael Chong (2019), "The vote of each caucus member, in each vote, is to be recorded."',
      '"Majority rules" is from an MP’s commentary; whether the majority is of votes cast or of all caucus members was not verified.',
    ],
  },
  {
    id: 'uk-1922-confidence',
    title: {
      en: 'Confidence vote in the party leader (Conservative Party, 1922 Committee)',
      fr: 'Vote de confiance envers le chef du parti (Parti conservateur, comité 1922)',
    },
    source: {
      citation: '1922 Committee rules (unpublished): threshold raised from 15% to one third of Conservative MPs in Nov. 2024 (The Independent, 19 Nov. 2024); ballot as reported by the Institute for Government and Full Fact',
      url: 'https://the-independent.com/news/uk/bob-blackman-tories-mps-iain-duncan-smith-kemi-badenoch-b2640186.html',
    },
    trigger: {
      en: 'Conservative MPs, by letters to the chair of the 1922 Committee, who alone knows the count; a letter may be withdrawn.',
      fr: 'Les députés conservateurs, par lettres au président du comité 1922, seul à connaître leur nombre; une lettre peut être retirée.',
    },
    notice: { fraction: UK_1922_THRESHOLD_SINCE_NOV_2024, revealSigners: 'chair', visibility: 'at-threshold', withdrawable: true },
    ballot: {
      question: { en: 'Do you have confidence in the leader of the party?', fr: 'Avez-vous confiance dans le chef du parti ?' },
      options: YES_NO,
      secret: true,
    },
    rule: { kind: 'majority-of-votes-cast' },
    outcomes: { pass: 'confidence-kept', fail: 'confidence-lost' },
    caveats: [
      'The 1922 Committee’s rules are not published; everything here is as reported by third parties.',
      'The rule in force since Nov. 2024: letters from one third of Conservative MPs (The Independent, Nov. 2024). Before that it was 15%: that rule is the preset uk-1922-confidence-15pc.',
      'The ballot asks about confidence: "yes" keeps the leader, and a tie loses. Full Fact reports a simple majority of the votes; the Institute for Government writes "more than 50% of all Conservative MPs" — use majority-of-members if that reading applies.',
    ],
  },
  {
    id: 'uk-1922-confidence-15pc',
    title: {
      en: 'Confidence vote in the party leader, rule before Nov. 2024: 15% (Conservative Party, 1922 Committee)',
      fr: 'Vote de confiance envers le chef du parti, règle d’avant nov. 2024 : 15 % (Parti conservateur, comité 1922)',
    },
    source: {
      citation: '1922 Committee rules (unpublished) until Nov. 2024, as reported by Full Fact (15% of Conservative MPs, 2018) and the Institute for Government',
      url: 'https://fullfact.org/law/conservative-leadership-contest/',
    },
    trigger: {
      en: 'Conservative MPs, by letters to the chair of the 1922 Committee, who alone knows the count; a letter may be withdrawn.',
      fr: 'Les députés conservateurs, par lettres au président du comité 1922, seul à connaître leur nombre; une lettre peut être retirée.',
    },
    notice: { fraction: UK_1922_THRESHOLD_BEFORE_NOV_2024, revealSigners: 'chair', visibility: 'at-threshold', withdrawable: true },
    ballot: {
      question: { en: 'Do you have confidence in the leader of the party?', fr: 'Avez-vous confiance dans le chef du parti ?' },
      options: YES_NO,
      secret: true,
    },
    rule: { kind: 'majority-of-votes-cast' },
    outcomes: { pass: 'confidence-kept', fail: 'confidence-lost' },
    caveats: [
      'The 1922 Committee’s rules are not published; everything here is as reported by third parties.',
      'The historical rule (letters from 15% of Conservative MPs, used in Dec. 2018 and June 2022); replaced by one third in Nov. 2024: the rule in force is the preset uk-1922-confidence.',
      'The ballot asks about confidence: "yes" keeps the leader, and a tie loses. Full Fact reports a simple majority of the votes; the Institute for Government writes "more than 50% of all Conservative MPs" — use majority-of-members if that reading applies.',
    ],
  },
  {
    id: 'au-liberal-spill-pm',
    title: {
      en: 'Spill motion against a Liberal prime minister who won an election (Liberal Party of Australia)',
      fr: 'Motion de vacance de la direction contre un premier ministre libéral élu (Parti libéral d’Australie)',
    },
    source: {
      citation: 'Parliamentary Liberal Party rule adopted 3 Dec. 2018 (ABC News; Prime Minister’s press conference, 3 Dec. 2018)',
      url: 'https://www.abc.net.au/news/2018-12-03/liberal-party-passes-leadership-spill-rules/10579172',
    },
    trigger: {
      en: 'A member of the Liberal party room moves a spill motion against a leader who led the party to an election win and became prime minister.',
      fr: 'Un membre du caucus libéral propose une motion de vacance contre un chef qui a mené le parti à la victoire électorale et est devenu premier ministre.',
    },
    notice: null,
    ballot: {
      question: { en: 'Should the party leadership be declared vacant?', fr: 'La direction du parti doit-elle être déclarée vacante ?' },
      options: YES_NO,
      secret: true,
    },
    rule: { kind: 'fraction-of-members', fraction: { num: 2, den: 3 }, strict: false },
    outcomes: { pass: 'spill', fail: 'no-spill' },
    caveats: [
      'The party-room rule text was not read; press reports say two thirds of the party room, for a leader who won an election. Read as "at least two thirds of all party-room members".',
      'How a spill motion is moved, and that party-room ballots are secret, are conventions not checked in a written rule.',
      'For any other Liberal leader, a spill is decided by a simple majority of the party room: use generic.',
    ],
  },
  {
    id: 'au-labor-spill-government',
    title: { en: 'Labor leadership spill, in government (Australian Labor Party)', fr: 'Remise en jeu de la direction travailliste, au gouvernement (Parti travailliste australien)' },
    source: {
      citation: 'Federal Parliamentary Labor Party caucus rules adopted 22 July 2013 (ABC News, 22 July 2013)',
      url: 'https://www.abc.net.au/news/2013-07-22/rudd-wins-caucus-support-for-party-reform/4835506',
    },
    trigger: { en: 'Members of the federal Labor caucus, while Labor is in government.', fr: 'Les membres du caucus travailliste fédéral, lorsque le parti est au gouvernement.' },
    notice: null,
    ballot: {
      question: { en: 'Should a leadership ballot be held?', fr: 'Faut-il tenir un scrutin sur la direction du parti ?' },
      options: YES_NO,
      secret: true,
    },
    rule: { kind: 'fraction-of-members', fraction: { num: 75, den: 100 }, strict: false },
    outcomes: { pass: 'spill', fail: 'no-spill' },
    caveats: [
      'The real rule is a signed petition of 75% of caucus, not a secret ballot; this preset measures the same threshold secretly. A caucus that must follow its rule should collect named signatures (a letter with this threshold).',
      'The leadership ballot that follows is weighted 50:50 between caucus and party members, which is outside this roster.',
      'Reported (2013, AAP) to require that the leader has brought the party into disrepute; the caucus rule text was not read.',
    ],
  },
  {
    id: 'au-labor-spill-opposition',
    title: { en: 'Labor leadership spill, in opposition (Australian Labor Party)', fr: 'Remise en jeu de la direction travailliste, dans l’opposition (Parti travailliste australien)' },
    source: {
      citation: 'Federal Parliamentary Labor Party caucus rules adopted 22 July 2013 (ABC News, 22 July 2013)',
      url: 'https://www.abc.net.au/news/2013-07-22/rudd-wins-caucus-support-for-party-reform/4835506',
    },
    trigger: { en: 'Members of the federal Labor caucus, while Labor is in opposition.', fr: 'Les membres du caucus travailliste fédéral, lorsque le parti est dans l’opposition.' },
    notice: null,
    ballot: {
      question: { en: 'Should a leadership ballot be held?', fr: 'Faut-il tenir un scrutin sur la direction du parti ?' },
      options: YES_NO,
      secret: true,
    },
    rule: { kind: 'fraction-of-members', fraction: { num: 60, den: 100 }, strict: false },
    outcomes: { pass: 'spill', fail: 'no-spill' },
    caveats: [
      'The real rule is a signed petition of 60% of caucus, not a secret ballot; this preset measures the same threshold secretly.',
      'The leadership ballot that follows is weighted 50:50 between caucus and party members, which is outside this roster.',
      'The caucus rule text was not read; 60% is as reported by ABC News (2013).',
    ],
  },
  {
    id: 'generic',
    title: { en: 'Generic procedure', fr: 'Procédure générique' },
    source: { citation: 'None: the group sets its own threshold and rule', url: null },
    trigger: { en: 'Any member.', fr: 'Tout membre.' },
    notice: null,
    ballot: { question: { en: 'Do you approve the motion?', fr: 'Approuvez-vous la motion ?' }, options: YES_NO, secret: true },
    rule: { kind: 'majority-of-votes-cast' },
    outcomes: { pass: 'adopted', fail: 'rejected' },
    caveats: ['A template: change the notice, ballot and rule with definePreset({...PRESETS.generic, ...}).'],
  },
];

/** Validates a preset (e.g. a generic one with the group's own numbers); throws a ZodError if it is not one. */
export function definePreset(preset: unknown): Preset {
  return PresetSchema.parse(preset);
}

export const PRESETS: Record<string, Preset> = Object.freeze(Object.fromEntries(presets.map((p) => [p.id, definePreset(p)])));


/** Signatures needed on the notice for a roster of `rosterSize` (rounded up), or null if the preset has no notice. */
export function noticeThreshold(preset: Preset, rosterSize: number): number | null {
  return preset.notice === null ? null : atLeast(preset.notice.fraction, rosterSize);
}

/** The same preset with another notice threshold (a what-if: a ballot names its procedure by id, and is verified against the registered preset). */
export function withNoticeFraction(preset: Preset, fraction: Fraction): Preset {
  if (preset.notice === null) throw new RangeError(`${preset.id} has no notice`);
  return definePreset({ ...preset, notice: { ...preset.notice, fraction } });
}

/** `decide` with the preset's rule and outcome words, for a tally keyed `yes` / `no` (or by candidate). */
export function decideProcedure(preset: Preset, tally: Record<string, number>, rosterSize: number): Decision {
  return decide(preset.rule, tally, rosterSize, preset.outcomes ? { outcomes: preset.outcomes } : {});
}
