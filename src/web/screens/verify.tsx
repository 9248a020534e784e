/**
 * The app's verify page: the shared verify panel (verify/verify-panel.tsx) with the verifier worker
 * of this build, this server's log key to compare with, a document (PDF) for a valid file, and the
 * same verifier as one HTML file to download (`/undersigned-verify.html`, built with the app by
 * vite.verifier.config.ts) for a recipient who wants to check with no server at all.
 */
import { useI18n } from '../i18n/i18n.tsx';
import { useApp } from '../state.tsx';
import { Page } from '../ui.tsx';
import { VerifyPanel } from '../verify/verify-panel.tsx';
import { DocumentButton } from './result-document.tsx';

/** Where the server offers the verifier in one file (src/server/web.ts). */
export const VERIFIER_FILE_PATH = '/undersigned-verify.html';

const startWorker = () => new Worker(new URL('../verify/verify.worker.ts', import.meta.url), { type: 'module', name: 'verifier' });

export function VerifyScreen() {
  const { t } = useI18n();
  const app = useApp();
  return (
    <Page title={t('verify.title')} lead={t('verify.lead')}>
      <VerifyPanel
        startWorker={startWorker}
        serverKey={app.instance?.verifierKey}
        actions={(bytes, verdict) => (
          <DocumentButton file={bytes} verdict={verdict} name={'letterId' in verdict ? `undersigned-letter-${verdict.letterId.slice(0, 12)}` : `undersigned-ballot-${verdict.ballotId.slice(0, 12)}`} />
        )}
      />
      <p className="small" data-testid="verifier-download">
        <a href={VERIFIER_FILE_PATH} download="undersigned-verify.html">
          {t('verify.downloadVerifier')}
        </a>{' '}
        {t('verify.downloadVerifierWhy')}
      </p>
    </Page>
  );
}
