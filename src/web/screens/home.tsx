/** The front page: what this instance is, and the one or two things this person can do next. */
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { useApp } from '../state.tsx';
import { Notice, Page } from '../ui.tsx';

export function HomeScreen() {
  const { t } = useI18n();
  const app = useApp();
  const name = app.instance?.name ?? '';
  return (
    <Page title={name || t('app.name')} lead={t('home.lead')}>
      {app.instance && !app.instance.setupDone ? <Notice kind="warn">{t('home.notSetUp')}</Notice> : null}

      {app.identityFile ? (
        <section aria-labelledby="h-member">
          <h2 id="h-member">{t('home.memberTitle')}</h2>
          <p>{app.privateKey ? t('home.memberUnlocked') : t('home.memberLocked')}</p>
          <p className="actions">
            {app.privateKey ? (
              <Link className="button primary" to="/letters">
                {t('home.seeLetters')}
              </Link>
            ) : (
              <Link className="button primary" to="/unlock?next=/letters">
                {t('home.unlock')}
              </Link>
            )}
          </p>
        </section>
      ) : (
        <section aria-labelledby="h-join">
          <h2 id="h-join">{t('home.joinTitle')}</h2>
          <p>{t('home.joinText')}</p>
          <p className="actions">
            <Link className="button primary" to="/enroll">
              {t('home.enroll')}
            </Link>
            <Link className="button" to="/restore">
              {t('home.restore')}
            </Link>
          </p>
        </section>
      )}

      <section aria-labelledby="h-anyone">
        <h2 id="h-anyone">{t('home.anyoneTitle')}</h2>
        <ul className="plain">
          <li>
            <Link to="/letters">{t('home.anyoneLetters')}</Link>
          </li>
          <li>
            <Link to="/ballots">{t('home.anyoneBallots')}</Link>
          </li>
          <li>
            <Link to="/verify">{t('home.anyoneVerify')}</Link>
          </li>
          <li>
            <Link to="/log">{t('home.anyoneLog')}</Link>
          </li>
        </ul>
      </section>

      <section aria-labelledby="h-safety">
        <h2 id="h-safety">{t('home.safetyTitle')}</h2>
        <ul>
          <li>{t('home.safety1')}</li>
          <li>{t('home.safety2')}</li>
          <li>{t('home.safety3')}</li>
        </ul>
      </section>

      <p className="muted small">
        {app.adminToken ? null : (
          <>
            <Link to="/organizer">{t('home.organizerLink')}</Link> ·{' '}
          </>
        )}
        <Link to="/trustee">{t('home.trusteeLink')}</Link>
      </p>
    </Page>
  );
}
