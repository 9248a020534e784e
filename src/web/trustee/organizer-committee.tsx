/**
 * The organizer's part of the trustee committee: name the trustees and the threshold, hand out
 * one invitation code per trustee (shown in this tab only), then follow the key generation.
 * The trustees do the rest themselves, on the trustee page or with `undersigned trustee`.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { trusteeApi, type CommitteeStatus, type TrusteeInvitation } from '../api-trustee.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { ErrorNotice, Field, useTask } from '../ui.tsx';
import { CommitteeStatusView } from './committee-status.tsx';

const INVITES = 'undersigned.trusteeInvites';

function keptInvites(): TrusteeInvitation[] {
  try {
    return JSON.parse(sessionStorage.getItem(INVITES) ?? '[]') as TrusteeInvitation[];
  } catch {
    return [];
  }
}

function keepInvites(invites: TrusteeInvitation[]): void {
  if (invites.length) sessionStorage.setItem(INVITES, JSON.stringify(invites));
  else sessionStorage.removeItem(INVITES);
}

export function CommitteeSection({ token }: { token: string }) {
  const { t } = useI18n();
  const [status, setStatus] = useState<CommitteeStatus | null>(null);
  const [invites, setInvites] = useState<TrusteeInvitation[]>(keptInvites);
  const [name, setName] = useState('');
  const [names, setNames] = useState('');
  const [k, setK] = useState('2');
  const load = useTask();
  const create = useTask();

  const reload = useCallback(() => void load.run(async () => setStatus(await trusteeApi.status())), [load.run]);
  useEffect(reload, []);

  const trustees = names
    .split('\n')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const kNumber = Number(k);
  const kTooLarge = trustees.length > 0 && kNumber > trustees.length;

  const onCreate = async (e: FormEvent) => {
    e.preventDefault();
    await create.run(async () => {
      const r = await trusteeApi.create(token, { name: name.trim(), k: kNumber, trustees });
      keepInvites(r.trustees);
      setInvites(r.trustees);
      setStatus(await trusteeApi.status());
    });
  };

  const formed = status !== null && status.trustees.length > 0;
  const url = `${window.location.origin}/trustee`;
  return (
    <section aria-labelledby="h-committee" data-testid="committee-section">
      <h2 id="h-committee">{t('committee.title')}</h2>
      <p>{t('committee.lead')}</p>
      <ErrorNotice>{load.error}</ErrorNotice>
      {invites.length > 0 ? (
        <div className="notice info" role="status">
          <h3>{t('committee.invitesTitle')}</h3>
          <p>{t('committee.invitesText', { url })}</p>
          <ul className="roster" data-testid="trustee-invites">
            {invites.map((i) => (
              <li key={i.index}>
                <strong>
                  {i.index}. {i.name}
                </strong>
                : <code>{i.code}</code>
              </li>
            ))}
          </ul>
          <p>
            <button
              type="button"
              className="button small"
              onClick={() => {
                keepInvites([]);
                setInvites([]);
              }}
            >
              {t('committee.invitesClear')}
            </button>
          </p>
        </div>
      ) : null}
      {status && !formed ? (
        <form onSubmit={onCreate}>
          <Field label={t('committee.name')} hint={t('committee.nameHint')}>
            {({ id, describedBy }) => <input id={id} aria-describedby={describedBy} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} autoComplete="off" required />}
          </Field>
          <Field label={t('committee.trustees')} hint={t('committee.trusteesHint')}>
            {({ id, describedBy }) => <textarea id={id} aria-describedby={describedBy} value={names} onChange={(e) => setNames(e.target.value)} rows={4} required />}
          </Field>
          <Field label={t('committee.k')} hint={t('committee.kHint')}>
            {({ id, describedBy }) => (
              <input id={id} aria-describedby={describedBy} type="number" inputMode="numeric" min={1} max={50} value={k} onChange={(e) => setK(e.target.value)} required />
            )}
          </Field>
          {kTooLarge ? <p className="notice warn">{t('committee.kTooLarge')}</p> : null}
          <ErrorNotice>{create.error}</ErrorNotice>
          <p className="actions">
            <button type="submit" className="button primary" disabled={create.busy || name.trim() === '' || trustees.length === 0 || kTooLarge || !(kNumber >= 1)}>
              {t('committee.create')}
            </button>
          </p>
        </form>
      ) : null}
      {formed ? (
        <>
          <h3>{t('committee.statusTitle')}</h3>
          <CommitteeStatusView status={status} />
          <p className="actions">
            <button type="button" className="button small" onClick={reload} disabled={load.busy}>
              {t('trustee.refresh')}
            </button>
          </p>
        </>
      ) : null}
      <p>
        <Link to="/trustee">{t('committee.trusteeLink')}</Link>
      </p>
    </section>
  );
}
