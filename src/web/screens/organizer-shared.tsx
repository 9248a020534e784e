/** What the organizer's screens share: the token gate and their sub-navigation. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, useRouter } from '../router.tsx';
import { useApp } from '../state.tsx';
import { ErrorNotice, Field, Page, useTask } from '../ui.tsx';

export function OrganizerNav() {
  const { t } = useI18n();
  const { route } = useRouter();
  const items: [string, string, string][] = [
    ['/organizer', 'organizer', t('organizer.navRoster')],
    ['/organizer/codes', 'codes', t('organizer.navCodes')],
    ['/organizer/letters', 'organizer-letters', t('organizer.navLetters')],
  ];
  return (
    <nav className="subnav no-print" aria-label={t('organizer.navLabel')}>
      <ul>
        {items.map(([to, name, label]) => (
          <li key={to}>
            <Link to={to} aria-current={route.name === name ? 'page' : undefined}>
              {label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Renders its children with the organizer token, or asks for the token first. */
export function RequireOrganizer({ title, children }: { title: string; children: (token: string) => ReactNode }) {
  const { t } = useI18n();
  const app = useApp();
  const [value, setValue] = useState('');
  const task = useTask();
  if (app.adminToken) return <>{children(app.adminToken)}</>;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await task.run(async () => {
      const token = value.trim();
      if (await api.checkAdmin(token)) app.setAdminToken(token);
      else task.setError(t('error.unauthorized'));
    });
  };
  return (
    <Page title={title} lead={t('organizer.needToken')}>
      <form onSubmit={submit}>
        <Field label={t('organizer.token')} hint={t('organizer.tokenHint')}>
          {({ id, describedBy }) => (
            <input id={id} aria-describedby={describedBy} value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" spellCheck={false} required />
          )}
        </Field>
        <ErrorNotice>{task.error}</ErrorNotice>
        <p className="actions">
          <button type="submit" className="button primary" disabled={task.busy || value.trim() === ''}>
            {t('organizer.useToken')}
          </button>
        </p>
      </form>
    </Page>
  );
}
