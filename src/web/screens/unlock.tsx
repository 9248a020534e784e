/** Unlock the identity kept on this device with its passphrase, for this tab only. */
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, useRouter } from '../router.tsx';
import { prove } from '../prover/client.ts';
import { useApp } from '../state.tsx';
import { ErrorNotice, Field, Notice, Page, ProgressView, useTask } from '../ui.tsx';

/** Only same-site paths: `next` comes from the address bar. */
export function safeNext(next: string | null, fallback = '/letters'): string {
  return next && /^\/(?!\/)[\w\-/?=&.%]*$/.test(next) ? next : fallback;
}

export function UnlockScreen() {
  const { t } = useI18n();
  const app = useApp();
  const { search, navigate } = useRouter();
  const [pass, setPass] = useState('');
  const [confirmForget, setConfirmForget] = useState(false);
  const task = useTask();
  const next = safeNext(search.get('next'));

  if (!app.identityFile) {
    return (
      <Page title={t('unlock.title')}>
        <Notice>{t('unlock.none')}</Notice>
        <p className="actions">
          <Link className="button primary" to="/enroll">
            {t('home.enroll')}
          </Link>
          <Link className="button" to="/restore">
            {t('home.restore')}
          </Link>
        </p>
      </Page>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await task.run(async (report) => {
      const opened = await prove('open-identity', { text: JSON.stringify(app.identityFile), passphrase: pass }, report);
      app.remember(null, opened.privateKey);
      return true;
    });
    if (ok) navigate(next);
  };

  return (
    <Page title={t('unlock.title')} lead={t('unlock.lead')}>
      <form onSubmit={submit}>
        <Field label={t('enroll.pass')}>
          {({ id }) => <input id={id} type="password" value={pass} onChange={(e) => setPass(e.target.value)} autoComplete="current-password" required />}
        </Field>
        <ErrorNotice>{task.error}</ErrorNotice>
        <ProgressView step={task.step} />
        <p className="actions">
          <button type="submit" className="button primary" disabled={task.busy || pass === ''}>
            {t('unlock.submit')}
          </button>
        </p>
      </form>
      <section aria-labelledby="h-forget">
        <h2 id="h-forget" className="h3">
          {t('unlock.forgetTitle')}
        </h2>
        <p className="small">{t('unlock.forgetText')}</p>
        {confirmForget ? (
          <p className="actions">
            <button type="button" className="button danger" onClick={() => app.forget()}>
              {t('unlock.forgetConfirm')}
            </button>
            <button type="button" className="button" onClick={() => setConfirmForget(false)}>
              {t('action.cancel')}
            </button>
          </p>
        ) : (
          <p>
            <button type="button" className="button" onClick={() => setConfirmForget(true)}>
              {t('unlock.forget')}
            </button>
          </p>
        )}
      </section>
    </Page>
  );
}
