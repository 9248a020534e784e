/** The ballots of this group, and for the organizer, opening a ballot that needs no notice. */
import { useEffect, useState } from 'react';
import { PRESETS } from '../../core/ballot/procedures.ts';
import { ballotApi, type BallotSummary } from '../api-ballots.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { useApp } from '../state.tsx';
import { ErrorNotice, Page, describe } from '../ui.tsx';
import { OpenBallotForm, presetsWithoutNotice } from './open-ballot.tsx';

export function BallotsScreen() {
  const i18n = useI18n();
  const { t } = i18n;
  const app = useApp();
  const [ballots, setBallots] = useState<BallotSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    ballotApi.list().then(
      (r) => setBallots(r.ballots),
      (e: unknown) => setError(describe(i18n, e)),
    );
  }, []);

  return (
    <Page title={t('ballots.title')} lead={t('ballots.lead')}>
      <ErrorNotice>{error}</ErrorNotice>
      {ballots && ballots.length === 0 ? <p className="muted">{t('ballots.none')}</p> : null}
      <ul className="letters ballots">
        {(ballots ?? []).map((b) => {
          const preset = PRESETS[b.ballot.procedure];
          return (
            <li key={b.ballotId} className="card">
              <h2 className="h3">
                <Link to={`/ballots/${b.ballotId}`}>{b.ballot.question}</Link>
              </h2>
              <p className="muted">{preset ? preset.title[i18n.lang] : b.ballot.procedure}</p>
              <p className="muted" data-testid="ballot-status">
                {b.status === 'open' ? t('ballots.until', { date: i18n.date(b.ballot.deadline) }) : t(`status.${b.status}`)}
              </p>
            </li>
          );
        })}
      </ul>
      {app.adminToken ? (
        <section aria-labelledby="h-open">
          <h2 id="h-open">{t('ballots.openTitle')}</h2>
          <p className="small">{t('ballots.openLead')}</p>
          <OpenBallotForm token={app.adminToken} presets={presetsWithoutNotice()} notice={null} />
        </section>
      ) : null}
    </Page>
  );
}
