/**
 * The verifier in one file (`undersigned verifier --out verify.html`, and /undersigned-verify.html
 * on a server): the app's verify panel (verify/verify-panel.tsx) and its worker (verify.worker.ts,
 * the same code as `undersigned verify`), built by vite.verifier.config.ts into a single HTML file
 * with every script, the WebAssembly and the Semaphore verification keys inside. Opened from disk,
 * it makes no request of any kind: the worker starts from a blob: URL (a worker cannot load from
 * file://), and the page's own Content-Security-Policy (index.html) allows no connection at all.
 */
import '../jitless.ts';
import { useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider, LanguageSwitch, useI18n } from '../i18n/i18n.tsx';
import { VerifyPanel } from '../verify/verify-panel.tsx';
import VerifierWorker from '../verify/verify.worker.ts?worker&inline';
import '../styles.css';

const startWorker = () => new VerifierWorker({ name: 'verifier' });

function Verifier() {
  const { t, lang } = useI18n();
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = `${t('verifier.title')} · ${t('app.name')}`;
  }, [lang, t]);
  return (
    <>
      <header className="site">
        <div className="bar">
          <span className="brand">{t('app.name')}</span>
          <LanguageSwitch />
        </div>
      </header>
      <main id="main">
        <h1>{t('verifier.title')}</h1>
        <p className="lead">{t('verifier.lead')}</p>
        <VerifyPanel startWorker={startWorker} serverKey={undefined} />
        <p className="muted small">{t('verifier.source')}</p>
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <I18nProvider>
    <Verifier />
  </I18nProvider>,
);
