/**
 * Restore on a new device: open the backup file with its passphrase (in the prover worker), check
 * it belongs to this instance (the log key written in it at enrollment) and that its identity is
 * on the roster, then keep it here.
 */
import { useState, type FormEvent } from 'react';
import { ApiFailure, api } from '../api.ts';
import type { IdentityFile } from '../../core/identity/identity-file.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { prove } from '../prover/client.ts';
import { useApp } from '../state.tsx';
import { ErrorNotice, Field, Notice, Page, ProgressView, useTask } from '../ui.tsx';

export function RestoreScreen() {
  const { t } = useI18n();
  const app = useApp();
  const [text, setText] = useState<string | null>(null);
  const [pass, setPass] = useState('');
  const [restoredAs, setRestoredAs] = useState<string | null>(null);
  const task = useTask();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (text === null) return;
    await task.run(async (report) => {
      const opened = await prove('open-identity', { text, passphrase: pass }, report);
      const info = await api.instance();
      if (opened.label.instance && opened.label.instance !== info.verifierKey) {
        throw new ApiFailure('backup_other_instance', 'this backup belongs to another instance', 0);
      }
      const { snapshot } = await api.roster();
      const entry = snapshot.members.find((m) => m.commitment === opened.commitment);
      if (!entry) throw new ApiFailure('backup_not_on_roster', 'this identity is not on the roster', 0);
      app.remember(JSON.parse(text) as IdentityFile, opened.privateKey);
      setPass('');
      setRestoredAs(entry.name);
    });
  };

  if (restoredAs !== null) {
    return (
      <Page title={t('restore.title')}>
        <Notice kind="ok">{t('restore.done', { name: restoredAs })}</Notice>
        <p className="actions">
          <Link className="button primary" to="/letters">
            {t('home.seeLetters')}
          </Link>
        </p>
      </Page>
    );
  }

  return (
    <Page title={t('restore.title')} lead={t('restore.lead')}>
      <form onSubmit={submit}>
        <Field label={t('enroll.backupFile')}>
          {({ id }) => (
            <input
              id={id}
              type="file"
              accept=".json,application/json"
              onChange={async (e) => {
                const f = e.target.files?.[0];
                setText(f ? await f.text() : null);
              }}
              required
            />
          )}
        </Field>
        <Field label={t('enroll.pass')}>
          {({ id }) => <input id={id} type="password" value={pass} onChange={(e) => setPass(e.target.value)} autoComplete="current-password" required />}
        </Field>
        <ErrorNotice>{task.error}</ErrorNotice>
        <ProgressView step={task.step} />
        <p className="actions">
          <button type="submit" className="button primary" disabled={task.busy || text === null || pass === ''}>
            {t('restore.submit')}
          </button>
        </p>
      </form>
      <p className="muted small">{t('restore.lost')}</p>
    </Page>
  );
}
