/**
 * The organizer's first run: the link printed by the server is /setup#<token>. The token travels
 * in the fragment (never sent to the server, so never in a log), and opening the link spends
 * nothing: only the button below does.
 */
import { useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { useApp } from '../state.tsx';
import { ErrorNotice, Field, Notice, Page, download, useTask } from '../ui.tsx';

let fragmentToken: string | null = null;

function tokenFromFragment(): string {
  if (fragmentToken !== null) return fragmentToken;
  const hash = window.location.hash.slice(1);
  // Out of the address bar (and the history) as soon as it is read.
  if (hash) window.history.replaceState(null, '', window.location.pathname);
  try {
    fragmentToken = decodeURIComponent(hash);
  } catch {
    fragmentToken = hash;
  }
  return fragmentToken;
}

export function SetupScreen() {
  const { t } = useI18n();
  const app = useApp();
  const [token, setToken] = useState(tokenFromFragment);
  const [name, setName] = useState('');
  const [adminToken, setAdminToken] = useState<string | null>(null);
  const task = useTask();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await task.run(async () => {
      const r = await api.setup(token.trim(), name.trim() || undefined);
      app.setAdminToken(r.adminToken);
      setAdminToken(r.adminToken);
      app.reloadInstance();
    });
  };

  if (adminToken) {
    return (
      <Page title={t('setup.doneTitle')}>
        <Notice kind="ok">{t('setup.done')}</Notice>
        <p>{t('setup.tokenExplain')}</p>
        <p>
          <code className="secret" data-testid="admin-token">
            {adminToken}
          </code>
        </p>
        <p className="actions">
          <button type="button" className="button" onClick={() => download('undersigned-organizer-token.txt', adminToken + '\n', 'text/plain')}>
            {t('setup.downloadToken')}
          </button>
          <Link className="button primary" to="/organizer">
            {t('setup.continue')}
          </Link>
        </p>
      </Page>
    );
  }

  return (
    <Page title={t('setup.title')} lead={t('setup.lead')}>
      {app.instance?.setupDone ? <Notice kind="warn">{t('setup.alreadyDone')}</Notice> : null}
      <form onSubmit={submit}>
        <Field label={t('setup.token')} hint={t('setup.tokenHint')}>
          {({ id, describedBy }) => (
            <input id={id} aria-describedby={describedBy} value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" spellCheck={false} required />
          )}
        </Field>
        <Field label={t('setup.name')} hint={t('setup.nameHint')}>
          {({ id, describedBy }) => (
            <input id={id} aria-describedby={describedBy} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} placeholder={app.instance?.name} />
          )}
        </Field>
        <ErrorNotice>{task.error}</ErrorNotice>
        <p className="actions">
          <button type="submit" className="button primary" disabled={task.busy || token.trim() === ''}>
            {t('setup.submit')}
          </button>
        </p>
      </form>
    </Page>
  );
}
