/**
 * Propose a letter, anonymously: the letter fixes the current roster, and the proposal is a
 * membership proof scoped to this letter (docs/protocol.md §5), unlinkable to the proposer's
 * signature on it. When the trustee committee is ready, the letter may also take sealed
 * signatures (§11): it then fixes the committee's key, checked against the log in the worker.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { bytesToHex } from '../../core/encoding.ts';
import type { Visibility } from '../../core/letter/letter.ts';
import { api } from '../api.ts';
import { trusteeApi } from '../api-trustee.ts';
import { pinnedAnchor, witnessedCommitteeView } from '../logwatch.ts';
import type { Letter } from '../../core/letter/letter.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, useRouter } from '../router.tsx';
import { prove } from '../prover/client.ts';
import { useApp } from '../state.tsx';
import { ErrorNotice, Field, Notice, Page, ProgressView, useTask } from '../ui.tsx';

const VISIBILITIES: Visibility[] = ['live', 'members', 'at-threshold', 'at-close'];

/** A datetime-local value (the person's local time) two weeks from now at 17:00. */
function defaultDeadline(): string {
  const d = new Date(Date.now() + 14 * 24 * 3600 * 1000);
  d.setHours(17, 0, 0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Local datetime-local value → the protocol's instant (UTC, to the second). */
export function toInstant(local: string): string | null {
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function NewLetterScreen() {
  const { t } = useI18n();
  const app = useApp();
  const { navigate } = useRouter();
  const [title, setTitle] = useState('');
  const [recipient, setRecipient] = useState('');
  const [text, setText] = useState('');
  const [deadline, setDeadline] = useState(defaultDeadline);
  const [visibility, setVisibility] = useState<Visibility>('live');
  const [threshold, setThreshold] = useState('');
  const [committee, setCommittee] = useState<NonNullable<Letter['committee']> | null>(null);
  const [sealed, setSealed] = useState(false);
  useEffect(() => {
    trusteeApi.ref().then(
      (r) => setCommittee(r.committee),
      () => setCommittee(null),
    );
  }, []);
  const [formError, setFormError] = useState<string | null>(null);
  const task = useTask();

  if (!app.privateKey) {
    return (
      <Page title={t('propose.title')}>
        <Notice>{app.identityFile ? t('letters.lockedHint') : t('propose.needIdentity')}</Notice>
        <p className="actions">
          {app.identityFile ? (
            <Link className="button primary" to="/unlock?next=/letters/new">
              {t('nav.unlock')}
            </Link>
          ) : (
            <Link className="button primary" to="/enroll">
              {t('home.enroll')}
            </Link>
          )}
        </p>
      </Page>
    );
  }
  const key = app.privateKey;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const instant = toInstant(deadline);
    if (!instant || Date.parse(instant) <= Date.now()) return setFormError(t('propose.deadlinePast'));
    const withSealed = sealed && committee !== null;
    const needsThreshold = visibility === 'at-threshold' || withSealed;
    const revealThreshold = needsThreshold ? Number(threshold) : 0;
    if (needsThreshold && (!Number.isInteger(revealThreshold) || revealThreshold < 1)) return setFormError(t('propose.thresholdNeeded'));
    await task.run(async (report) => {
      const { snapshot, ref } = await api.roster();
      const nonce = bytesToHex(crypto.getRandomValues(new Uint8Array(16)));
      // The letter names the witnesses this device pinned (none on an instance without witnesses):
      // the server takes only a letter that names its current ones, and every signer agrees to them.
      const serverKey = app.instance?.verifierKey ?? (await api.instance()).verifierKey;
      const { anchor } = await pinnedAnchor(serverKey);
      const fields = {
        title: title.trim(),
        text,
        recipient: recipient.trim(),
        deadline: instant,
        revealThreshold,
        visibility,
        ...(withSealed ? { committee } : {}),
        ...(anchor.witnesses ? { witnesses: anchor.witnesses } : {}),
      };
      const committeeOnLog = withSealed ? await witnessedCommitteeView(serverKey) : undefined;
      const made = await prove('prove-proposal', { privateKey: key, fields, snapshot, ref, nonce, committee: committeeOnLog }, report);
      report({ stage: 'sending' });
      const r = await api.propose(made.letter, made.proposal);
      report({ stage: 'receipt' });
      await prove('check-receipt', {
        receipt: r.receipt,
        entry: { kind: 'letter-opened', letterId: made.letterId, letter: made.letter, proposal: made.proposal },
        verifierKey: app.identityFile?.label.instance ?? '',
      });
      navigate(`/letters/${made.letterId}`);
    });
  };

  return (
    <Page title={t('propose.title')} lead={t('propose.lead')}>
      <form onSubmit={submit}>
        <Field label={t('propose.fieldTitle')}>
          {({ id }) => <input id={id} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={300} required />}
        </Field>
        <Field label={t('propose.recipient')} hint={t('propose.recipientHint')}>
          {({ id, describedBy }) => <input id={id} aria-describedby={describedBy} value={recipient} onChange={(e) => setRecipient(e.target.value)} maxLength={300} required />}
        </Field>
        <Field label={t('propose.text')} hint={t('propose.textHint')}>
          {({ id, describedBy }) => <textarea id={id} aria-describedby={describedBy} value={text} onChange={(e) => setText(e.target.value)} rows={10} maxLength={50_000} required />}
        </Field>
        <Field label={t('propose.deadline')} hint={t('propose.deadlineHint')}>
          {({ id, describedBy }) => <input id={id} type="datetime-local" aria-describedby={describedBy} value={deadline} onChange={(e) => setDeadline(e.target.value)} required />}
        </Field>
        <fieldset>
          <legend>{t('propose.visibility')}</legend>
          {VISIBILITIES.map((v) => (
            <div key={v} className="choice">
              <input type="radio" id={`vis-${v}`} name="visibility" value={v} checked={visibility === v} onChange={() => setVisibility(v)} aria-describedby={`vis-${v}-hint`} />
              <label htmlFor={`vis-${v}`}>{t(`visibility.${v}`)}</label>
              <p className="hint" id={`vis-${v}-hint`}>
                {t(`visibility.${v}.hint`)}
              </p>
            </div>
          ))}
        </fieldset>
        {committee ? (
          <fieldset>
            <legend>{t('propose.sealedTitle')}</legend>
            <div className="choice">
              <input type="checkbox" id="sealed" checked={sealed} onChange={(e) => setSealed(e.target.checked)} aria-describedby="sealed-hint" />
              <label htmlFor="sealed">{t('propose.sealed')}</label>
              <p className="hint" id="sealed-hint">
                {t('propose.sealedHint', { k: committee.k, n: committee.n })}
              </p>
            </div>
          </fieldset>
        ) : null}
        {visibility === 'at-threshold' || (sealed && committee) ? (
          <Field
            label={sealed && committee ? t('propose.sealedThreshold') : t('propose.threshold')}
            hint={sealed && committee && visibility === 'at-threshold' ? t('propose.sealedThresholdBoth') : t('propose.thresholdHint')}
          >
            {({ id, describedBy }) => (
              <input id={id} type="number" inputMode="numeric" min={1} aria-describedby={describedBy} value={threshold} onChange={(e) => setThreshold(e.target.value)} required />
            )}
          </Field>
        ) : null}
        <p className="small">{t('propose.anonymous')}</p>
        <ErrorNotice>{formError ?? task.error}</ErrorNotice>
        <ProgressView step={task.step} />
        <p className="actions">
          <button type="submit" className="button primary" disabled={task.busy}>
            {t('propose.submit')}
          </button>
        </p>
      </form>
    </Page>
  );
}
