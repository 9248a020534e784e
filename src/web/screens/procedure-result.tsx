/**
 * A procedure's outcome as a verifier found it (src/core/bundle/procedure-bundle.ts): who voted, the
 * tally, the decision in the reader's language and the rule that made it. Used by the ballot page
 * and the verify page; both show it only for a verdict this browser computed itself.
 */
import type { ProcedureBundle } from '../../core/bundle/procedure-bundle.ts';
import { PRESETS, atLeast, decideProcedure, type Preset, yesNeededOfMembers } from '../../core/ballot/procedures.ts';
import type { I18n } from '../i18n/i18n.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/en.ts';
import type { ProcedureVerdict } from '../verify/client.ts';

export type ValidProcedure = Extract<ProcedureVerdict, { valid: true }>;
export type { ProcedureBundle };

/** An option as the reader says it: yes / no / abstain translated, candidates as they were typed. */
export function optionLabel(i18n: I18n, option: string): string {
  const key = `result.option.${option}`;
  return key in { 'result.option.yes': 1, 'result.option.no': 1, 'result.option.abstain': 1 } ? i18n.t(key as MessageKey) : option;
}

export function outcomeLabel(i18n: I18n, decision: string): string {
  const key = `result.outcome.${decision}`;
  return key in OUTCOME_KEYS ? i18n.t(key as MessageKey) : i18n.t('result.elected', { name: decision });
}
const OUTCOME_KEYS: Record<string, true> = Object.fromEntries(
  ['removed', 'not-removed', 'expelled', 'not-expelled', 'readmitted', 'not-readmitted', 'adopted', 'not-adopted', 'rejected', 'confidence-kept', 'confidence-lost', 'spill', 'no-spill', 'tie', 'no-quorum'].map((w) => [
    `result.outcome.${w}`,
    true,
  ]),
);

/** The decision rule of a preset in words, with the numbers for this roster. */
export function ruleText(i18n: I18n, preset: Preset, rosterSize: number): string {
  const r = preset.rule;
  let text: string;
  switch (r.kind) {
    case 'majority-of-members':
      text = i18n.t('rule.majority-of-members', { m: rosterSize, needed: yesNeededOfMembers(r, rosterSize)! });
      break;
    case 'majority-of-votes-cast':
      text = i18n.t('rule.majority-of-votes-cast');
      break;
    case 'fraction-of-members':
      text = i18n.t('rule.fraction-of-members', { fraction: `${r.fraction.num}/${r.fraction.den}`, m: rosterSize, needed: yesNeededOfMembers(r, rosterSize)! });
      break;
    case 'fraction-of-votes-cast':
      text = i18n.t('rule.fraction-of-votes-cast', { fraction: `${r.fraction.num}/${r.fraction.den}` });
      break;
    case 'plurality':
      text = i18n.t('rule.plurality');
      break;
  }
  if (r.quorum) text += ` ${i18n.t('rule.quorum', { needed: atLeast(r.quorum, rosterSize) })}`;
  return text;
}

export function ProcedureResult({ verdict }: { verdict: ValidProcedure }) {
  const i18n = useI18n();
  const { t } = i18n;
  const preset = PRESETS[verdict.procedure];
  const title = preset ? preset.title[i18n.lang] : verdict.procedure;
  const decided = verdict.tally && preset ? decideProcedure(preset, verdict.tally, verdict.rosterSize) : null;
  return (
    <div className="procedure-result">
      <p className="count big" data-testid="voters">
        {t('result.voters', { n: verdict.voters, m: verdict.rosterSize })}
      </p>
      {verdict.tally ? (
        <table className="tally" data-testid="tally">
          <tbody>
            {Object.entries(verdict.tally).map(([option, n]) => (
              <tr key={option}>
                <th scope="row">{optionLabel(i18n, option)}</th>
                <td>{i18n.number(n)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {verdict.decision ? (
        <p className="decision" data-testid="decision">
          <strong>{t('result.decision')}</strong> {outcomeLabel(i18n, verdict.decision)}
        </p>
      ) : null}
      <dl>
        <dt>{t('ballot.procedure')}</dt>
        <dd>{title}</dd>
        <dt>{t('verify.question')}</dt>
        <dd>{verdict.question}</dd>
        {preset ? (
          <>
            <dt>{t('ballot.rule')}</dt>
            <dd>
              {ruleText(i18n, preset, verdict.rosterSize)}
              {decided && preset.rule.kind !== 'plurality' && decided.decision !== 'no-quorum' ? <>. {t('result.needed', { n: decided.needed })}</> : null}
            </dd>
          </>
        ) : null}
        {verdict.notice ? (
          <>
            <dt>{t('ballot.notice')}</dt>
            <dd>{t('result.notice', { n: verdict.notice.count, m: verdict.notice.rosterSize, needed: verdict.notice.needed })}</dd>
          </>
        ) : null}
        {verdict.recorded ? (
          <>
            <dt>{t('result.recordedVotes')}</dt>
            <dd>
              <ul>
                {verdict.recorded.map((r) => (
                  <li key={r.name}>
                    {r.name} — {optionLabel(i18n, r.choice)}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
        <dt>{t('result.detail')}</dt>
        <dd className="small">
          <code>{verdict.detail}</code>
        </dd>
      </dl>
    </div>
  );
}
