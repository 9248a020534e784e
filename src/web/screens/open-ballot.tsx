/**
 * The organizer opens a procedure's ballot: from a closed notice letter that reached the
 * procedure's threshold (organizer Letters page), or for a procedure that needs no notice (the
 * Ballots page). The ballot fixes the current roster and the trustee committee; the server
 * re-checks the notice and the threshold, and so does every verifier of the result.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { Ballot } from '../../core/ballot/ballot.ts';
import { bytesToHex } from '../../core/encoding.ts';
import { PRESETS, type Preset, noticeThreshold } from '../../core/ballot/procedures.ts';
import { ApiFailure, api } from '../api.ts';
import { ballotApi } from '../api-ballots.ts';
import { trusteeApi } from '../api-trustee.ts';
import { pinnedAnchor } from '../logwatch.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, useRouter } from '../router.tsx';
import { ErrorNotice, Field, Notice, ProgressView, useTask } from '../ui.tsx';
import { toInstant } from './new-letter.tsx';

/** A datetime-local value a week from now at 17:00 (the person's local time). */
function inAWeek(): string {
  const d = new Date(Date.now() + 7 * 24 * 3600 * 1000);
  d.setHours(17, 0, 0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The presets whose notice threshold this closed letter reached. */
export function presetsReached(count: number, rosterSize: number): Preset[] {
  return Object.values(PRESETS).filter((p) => p.notice && count >= (noticeThreshold(p, rosterSize) ?? Infinity));
}

/** Presets that open without a notice letter. */
export function presetsWithoutNotice(): Preset[] {
  return Object.values(PRESETS).filter((p) => !p.notice);
}

export function OpenBallotForm({ token, presets, notice }: { token: string; presets: Preset[]; notice: string | null }) {
  const i18n = useI18n();
  const { t, lang } = i18n;
  const { navigate } = useRouter();
  // A secret ballot needs the trustees' key: without a ready committee, say so before the form.
  const [committeeReady, setCommitteeReady] = useState<boolean | null>(null);
  useEffect(() => {
    trusteeApi.ref().then(
      (r) => setCommitteeReady(r.committee !== null),
      () => setCommitteeReady(null),
    );
  }, []);
  const [procedure, setProcedure] = useState(presets[0]?.id ?? '');
  const preset = PRESETS[procedure];
  const [question, setQuestion] = useState(preset ? preset.ballot.question[lang] : '');
  const [candidates, setCandidates] = useState('');
  const [deadline, setDeadline] = useState(inAWeek);
  const [formError, setFormError] = useState<string | null>(null);
  const task = useTask();

  const choose = (id: string) => {
    setProcedure(id);
    setQuestion(PRESETS[id].ballot.question[lang]);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    if (!preset) return;
    const instant = toInstant(deadline);
    if (!instant || Date.parse(instant) <= Date.now()) return setFormError(t('propose.deadlinePast'));
    const options =
      preset.ballot.options === 'candidates'
        ? [...new Set(candidates.split('\n').map((c) => c.trim()).filter(Boolean))]
        : preset.ballot.options;
    if (options.length < 2) return setFormError(t('open.needTwo'));
    await task.run(async () => {
      const [{ committee }, { ref }, info] = await Promise.all([trusteeApi.ref(), api.roster(), api.instance()]);
      if (!committee) throw new ApiFailure('committee_not_ready', 'no complete trustee committee', 409);
      // The ballot names the witnesses this device pinned (none on an instance without witnesses).
      const { anchor } = await pinnedAnchor(info.verifierKey);
      const ballot: Ballot = {
        format: 'undersigned-ballot/1',
        question: question.trim(),
        options,
        roster: ref,
        committee,
        deadline: instant,
        procedure: preset.id,
        notice,
        nonce: bytesToHex(crypto.getRandomValues(new Uint8Array(16))),
        ...(anchor.witnesses ? { witnesses: anchor.witnesses } : {}),
      };
      const r = await ballotApi.open(token, ballot);
      navigate(`/ballots/${r.ballotId}?opened=1`);
    });
  };

  if (!preset) return null;
  if (committeeReady === false) {
    return (
      <Notice kind="warn">
        {t('open.noCommittee')} <Link to="/organizer">{t('nav.organizer')}</Link>
      </Notice>
    );
  }
  return (
    <form onSubmit={submit} className="open-ballot">
      {presets.length > 1 ? (
        <Field label={t('open.procedure')}>
          {({ id, describedBy }) => (
            <select id={id} aria-describedby={describedBy} value={procedure} onChange={(e) => choose(e.target.value)}>
              {presets.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.title[lang]}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : (
        <p>
          <strong>{preset.title[lang]}</strong>
        </p>
      )}
      <p className="small">
        {t('open.sourceLabel')} {preset.source.url ? <a href={preset.source.url}>{preset.source.citation}</a> : preset.source.citation}
      </p>
      {preset.caveats.length ? (
        <details className="small">
          <summary>{t('open.caveats')}</summary>
          <ul lang="en">
            {preset.caveats.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </details>
      ) : null}
      <Notice kind={preset.ballot.secret ? 'info' : 'warn'}>{preset.ballot.secret ? t('open.secretNote') : t('open.recordedNote')}</Notice>
      <Field label={t('open.question')}>
        {({ id, describedBy }) => <input id={id} aria-describedby={describedBy} value={question} onChange={(e) => setQuestion(e.target.value)} maxLength={1000} required />}
      </Field>
      {preset.ballot.options === 'candidates' ? (
        <Field label={t('open.candidates')}>
          {({ id, describedBy }) => <textarea id={id} aria-describedby={describedBy} rows={4} value={candidates} onChange={(e) => setCandidates(e.target.value)} required />}
        </Field>
      ) : null}
      <Field label={t('open.deadline')} hint={t('open.deadlineHint')}>
        {({ id, describedBy }) => <input id={id} type="datetime-local" aria-describedby={describedBy} value={deadline} onChange={(e) => setDeadline(e.target.value)} required />}
      </Field>
      <ErrorNotice>{formError ?? task.error}</ErrorNotice>
      <ProgressView step={task.step} />
      <p className="actions">
        <button type="submit" className="button primary" disabled={task.busy}>
          {t('open.submit')}
        </button>
      </p>
    </form>
  );
}
