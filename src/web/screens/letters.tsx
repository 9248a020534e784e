/**
 * The letters, with their counts as each letter's visibility allows. For a letter whose count only
 * members may see, an unlocked member opens a membership session (a proof over a fresh challenge,
 * tied to no one) and asks again with it.
 */
import { useEffect, useState } from 'react';
import { api, type LetterStatus } from '../api.ts';
import { device } from '../device.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { useApp } from '../state.tsx';
import { ErrorNotice, Notice, Page, ProgressView, useTask } from '../ui.tsx';

/** "N of M members signed", or why the count is not shown. */
export function CountLine({ status, big = false }: { status: LetterStatus; big?: boolean }) {
  const i18n = useI18n();
  const { t } = i18n;
  const app = useApp();
  const { letter, count, rosterSize } = status;
  if (count !== null) {
    return (
      <p className={big ? 'count big' : 'count'} data-testid="count">
        {i18n.tn('count.signed', count, { m: rosterSize })}
      </p>
    );
  }
  let why: string;
  if (status.smallGroup && status.status !== 'closed') {
    return (
      <p className="count hidden" data-testid="count">
        {t('count.hiddenSmallGroup')}
      </p>
    );
  }
  switch (letter.visibility) {
    case 'members':
      why = app.identityFile && !app.privateKey ? t('count.hiddenMembersLocked') : t('count.hiddenMembers');
      break;
    case 'at-threshold':
      why = t('count.hiddenThreshold', { n: letter.revealThreshold });
      break;
    default:
      why = t('count.hiddenClose');
  }
  return (
    <p className="count hidden" data-testid="count">
      {why}
    </p>
  );
}

type EnsureSession = ReturnType<typeof useApp>['ensureSession'];
type SessionProgress = Parameters<EnsureSession>[0];

const membersOnly = (l: LetterStatus) => l.count === null && !l.smallGroup && l.letter.visibility === 'members' && l.status !== 'closed';

/**
 * Ask again, with a membership session, for the letters only members may count. A session the
 * server no longer accepts (it expired there) shows as a count still hidden: it is then dropped
 * and a new one opened, once.
 */
export async function withMemberCounts(
  letters: LetterStatus[],
  ensureSession: EnsureSession,
  report?: SessionProgress,
): Promise<{ letters: LetterStatus[]; renewed: 'new' | 'expired' | null }> {
  const needs = letters.filter(membersOnly);
  if (needs.length === 0) return { letters, renewed: null };
  let { token, renewed } = await ensureSession(report);
  let fresh = await Promise.all(needs.map((l) => api.letter(l.letterId, token)));
  if (fresh.some(membersOnly)) {
    device.setMemberSession(null);
    ({ token } = await ensureSession(report));
    renewed = 'expired';
    fresh = await Promise.all(needs.map((l) => api.letter(l.letterId, token)));
  }
  const byId = new Map(fresh.map((l) => [l.letterId, l]));
  return { letters: letters.map((l) => byId.get(l.letterId) ?? l), renewed };
}

export function LettersScreen() {
  const i18n = useI18n();
  const { t } = i18n;
  const app = useApp();
  const [letters, setLetters] = useState<LetterStatus[] | null>(null);
  const [renewed, setRenewed] = useState<'new' | 'expired' | null>(null);
  const task = useTask();

  useEffect(() => {
    void task.run(async (report) => {
      const { letters: all } = await api.letters();
      setLetters(all);
      if (app.privateKey) {
        const r = await withMemberCounts(all, app.ensureSession, report);
        setLetters(r.letters);
        setRenewed(r.renewed);
      }
    });
  }, [app.privateKey]);

  return (
    <Page title={t('letters.title')} lead={t('letters.lead')}>
      {app.identityFile && !app.privateKey ? (
        <Notice>
          {t('letters.lockedHint')} <Link to="/unlock?next=/letters">{t('nav.unlock')}</Link>
        </Notice>
      ) : null}
      {renewed === 'expired' ? <Notice>{t('session.renewed')}</Notice> : null}
      {app.privateKey ? (
        <p className="actions">
          <Link className="button primary" to="/letters/new">
            {t('letters.propose')}
          </Link>
        </p>
      ) : null}
      <ProgressView step={task.step} />
      <ErrorNotice>{task.error}</ErrorNotice>
      {letters && letters.length === 0 ? <p className="muted">{t('letters.none')}</p> : null}
      <ul className="letters">
        {(letters ?? []).map((l) => {
          const mine = device.receipt(l.letterId);
          return (
            <li key={l.letterId} className="card">
              <h2 className="h3">
                <Link to={`/letters/${l.letterId}`}>{l.letter.title}</Link>
              </h2>
              <p className="muted">
                {t('letters.to', { recipient: l.letter.recipient })} · {t(`status.${l.status}`)} · {t('letters.deadline', { date: i18n.date(l.letter.deadline) })}
              </p>
              <CountLine status={l} />
              {mine ? <p className="tag ok">{mine.action === 'support' ? t('letters.youSigned') : t('letters.youWithdrew')}</p> : null}
            </li>
          );
        })}
      </ul>
    </Page>
  );
}
