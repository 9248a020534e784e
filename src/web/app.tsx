/** The frame around every screen: header, navigation, language switch, warnings, and the screens. */
import { useEffect } from 'react';
import { device } from './device.ts';
import { LanguageSwitch, useI18n } from './i18n/i18n.tsx';
import { deliver, isFinal, withRefusal, withoutItem } from './outbox.ts';
import { Link, useRouter, type Route } from './router.tsx';
import { BallotScreen } from './screens/ballot.tsx';
import { BallotsScreen } from './screens/ballots.tsx';
import { EnrollScreen } from './screens/enroll.tsx';
import { HomeScreen } from './screens/home.tsx';
import { LetterScreen } from './screens/letter.tsx';
import { LettersScreen } from './screens/letters.tsx';
import { LogScreen } from './screens/log.tsx';
import { NewLetterScreen } from './screens/new-letter.tsx';
import { CodesScreen } from './screens/organizer-codes.tsx';
import { OrganizerLettersScreen } from './screens/organizer-letters.tsx';
import { OrganizerScreen } from './screens/organizer.tsx';
import { RestoreScreen } from './screens/restore.tsx';
import { SetupScreen } from './screens/setup.tsx';
import { TrusteeScreen } from './screens/trustee.tsx';
import { UnlockScreen } from './screens/unlock.tsx';
import { VerifyScreen } from './screens/verify.tsx';
import { isDanger } from './logwatch.ts';
import { useApp } from './state.tsx';
import { Page } from './ui.tsx';

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <HomeScreen />;
    case 'setup':
      return <SetupScreen />;
    case 'organizer':
      return <OrganizerScreen />;
    case 'codes':
      return <CodesScreen />;
    case 'organizer-letters':
      return <OrganizerLettersScreen />;
    case 'enroll':
      return <EnrollScreen />;
    case 'restore':
      return <RestoreScreen />;
    case 'unlock':
      return <UnlockScreen />;
    case 'letters':
      return <LettersScreen />;
    case 'new-letter':
      return <NewLetterScreen />;
    case 'letter':
      return <LetterScreen id={route.id} />;
    case 'log':
      return <LogScreen />;
    case 'verify':
      return <VerifyScreen />;
    case 'trustee':
      return <TrusteeScreen />;
    case 'ballots':
      return <BallotsScreen />;
    case 'ballot':
      return <BallotScreen id={route.id} />;
    case 'not-found':
      return <NotFound />;
  }
}

function NotFound() {
  const { t } = useI18n();
  return (
    <Page title={t('notFound.title')}>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </Page>
  );
}

/** Sends waiting signatures again when the server is back (every 20 s, and when the network returns). */
function OutboxSender() {
  const app = useApp();
  useEffect(() => {
    let running = false;
    const tick = async () => {
      const key = app.identityFile?.label.instance ?? app.instance?.verifierKey;
      const waiting = device.outbox().filter((p) => !p.refused);
      if (running || !key || waiting.length === 0) return;
      running = true;
      try {
        for (const item of waiting) {
          const d = await deliver(item, key);
          if (d.ok) app.setOutbox(withoutItem(device.outbox(), item));
          else if (!d.unreachable && isFinal(d.code)) app.setOutbox(withRefusal(device.outbox(), item, { code: d.code, message: d.message }));
        }
      } finally {
        running = false;
      }
    };
    const timer = setInterval(tick, 20_000);
    window.addEventListener('online', tick);
    void tick();
    return () => {
      clearInterval(timer);
      window.removeEventListener('online', tick);
    };
  }, [app.identityFile, app.instance, app.setOutbox]);
  return null;
}

function Banners() {
  const app = useApp();
  const { t } = useI18n();
  const { route } = useRouter();
  const waiting = app.outbox.filter((p) => !p.refused).length;
  return (
    <>
      {app.instanceError?.code === 'server_unreachable' ? (
        <div className="banner warn" role="alert">
          {t('banner.unreachable')}{' '}
          <button type="button" className="link" onClick={app.reloadInstance}>
            {t('action.retry')}
          </button>
        </div>
      ) : null}
      {isDanger(app.log) && route.name !== 'log' ? (
        <div className="banner danger" role="alert">
          {t('banner.fork')} <Link to="/log">{t('banner.forkLink')}</Link>
        </div>
      ) : null}
      {waiting > 0 ? (
        <div className="banner warn" role="status">
          {t('banner.outbox', { n: waiting })}
        </div>
      ) : null}
    </>
  );
}

export function App() {
  const { t } = useI18n();
  const app = useApp();
  const { route } = useRouter();
  const member = app.identityFile !== null;
  return (
    <>
      <a className="skip" href="#main">
        {t('nav.skip')}
      </a>
      <header className="site">
        <div className="bar">
          <Link to="/" className="brand">
            {app.instance?.name || t('app.name')}
          </Link>
          <LanguageSwitch />
        </div>
        <nav aria-label={t('nav.label')}>
          <ul>
            <li>
              <Link to="/letters" aria-current={route.name === 'letters' || route.name === 'letter' ? 'page' : undefined}>
                {t('nav.letters')}
              </Link>
            </li>
            <li>
              <Link to="/ballots" aria-current={route.name === 'ballots' || route.name === 'ballot' ? 'page' : undefined}>
                {t('nav.ballots')}
              </Link>
            </li>
            <li>
              <Link to="/log" aria-current={route.name === 'log' ? 'page' : undefined}>
                {t('nav.log')}
              </Link>
            </li>
            <li>
              <Link to="/verify" aria-current={route.name === 'verify' ? 'page' : undefined}>
                {t('nav.verify')}
              </Link>
            </li>
            {app.adminToken ? (
              <li>
                <Link to="/organizer" aria-current={route.name.startsWith('organizer') || route.name === 'codes' ? 'page' : undefined}>
                  {t('nav.organizer')}
                </Link>
              </li>
            ) : null}
            {member ? (
              <li>
                {app.privateKey ? (
                  <button type="button" className="link" onClick={app.lock}>
                    {t('nav.lock')}
                  </button>
                ) : (
                  <Link to={`/unlock?next=${encodeURIComponent(window.location.pathname)}`}>{t('nav.unlock')}</Link>
                )}
              </li>
            ) : null}
          </ul>
        </nav>
      </header>
      <Banners />
      <main id="main">
        <Screen key={route.name === 'letter' || route.name === 'ballot' ? route.id : route.name} route={route} />
      </main>
      <footer className="site">
        <p>{t('footer.text')}</p>
      </footer>
      <OutboxSender />
    </>
  );
}
