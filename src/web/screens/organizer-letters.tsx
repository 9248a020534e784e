/** Letters, for the organizer: close one (its record set and count go on the log), export its bundle. */
import { useCallback, useEffect, useState } from 'react';
import { api, type LetterStatus } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { ErrorNotice, Notice, Page, describe, download, useTask } from '../ui.tsx';
import { CountLine } from './letters.tsx';
import { OpenBallotForm, presetsReached } from './open-ballot.tsx';
import { OrganizerNav, RequireOrganizer } from './organizer-shared.tsx';

export function OrganizerLettersScreen() {
  const { t } = useI18n();
  return <RequireOrganizer title={t('orgLetters.title')}>{(token) => <Letters token={token} />}</RequireOrganizer>;
}

function Letters({ token }: { token: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [letters, setLetters] = useState<LetterStatus[] | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const task = useTask();

  const reload = useCallback(() => {
    api.letters().then(
      (r) => setLetters(r.letters),
      (e: unknown) => task.setError(describe(i18n, e)),
    );
  }, [i18n, task.setError]);
  useEffect(reload, [reload]);

  const close = (l: LetterStatus) =>
    task.run(async () => {
      const r = await api.closeLetter(token, l.letterId);
      setConfirm(null);
      setNotice(t('orgLetters.closed', { title: l.letter.title, n: r.count, m: l.rosterSize }));
      reload();
    });

  const exportBundle = (l: LetterStatus) =>
    task.run(async () => {
      const text = await api.bundle(l.letterId);
      download(`undersigned-${l.letterId.slice(0, 12)}.json`, text);
      setNotice(t('orgLetters.exported'));
    });

  return (
    <Page title={t('orgLetters.title')} lead={t('orgLetters.lead')}>
      <OrganizerNav />
      {notice ? <Notice kind="ok">{notice}</Notice> : null}
      <ErrorNotice>{task.error}</ErrorNotice>
      {letters && letters.length === 0 ? <p className="muted">{t('letters.none')}</p> : null}
      <ul className="letters">
        {(letters ?? []).map((l) => (
          <li key={l.letterId} className="card">
            <h2 className="h3">
              <Link to={`/letters/${l.letterId}`}>{l.letter.title}</Link>
            </h2>
            <p className="muted">
              {t(`status.${l.status}`)} · {t('letters.deadline', { date: i18n.date(l.letter.deadline) })}
            </p>
            <CountLine status={l} />
            <div className="actions">
              {l.status === 'closed' ? (
                <button type="button" className="button primary" disabled={task.busy} onClick={() => exportBundle(l)}>
                  {t('orgLetters.export')}
                </button>
              ) : confirm === l.letterId ? (
                <>
                  <button type="button" className="button danger" disabled={task.busy} onClick={() => close(l)}>
                    {t('orgLetters.confirmClose')}
                  </button>
                  <button type="button" className="button" onClick={() => setConfirm(null)}>
                    {t('action.cancel')}
                  </button>
                </>
              ) : (
                <button type="button" className="button" disabled={task.busy} onClick={() => setConfirm(l.letterId)}>
                  {t('orgLetters.close')}
                </button>
              )}
            </div>
            {confirm === l.letterId ? <p className="small">{t('orgLetters.closeWarning')}</p> : null}
            {l.status === 'closed' && l.count !== null ? <NoticeReached token={token} letter={l} /> : null}
          </li>
        ))}
      </ul>
    </Page>
  );
}

/** A closed letter that reached a procedure's notice threshold offers to open that procedure's ballot. */
function NoticeReached({ token, letter }: { token: string; letter: LetterStatus }) {
  const i18n = useI18n();
  const reached = presetsReached(letter.count ?? 0, letter.rosterSize);
  const [open, setOpen] = useState(false);
  if (reached.length === 0) return null;
  return (
    <div className="notice-reached">
      <p>{i18n.t('open.noticeReached', { list: reached.map((p) => p.title[i18n.lang]).join(' · ') })}</p>
      {open ? (
        <OpenBallotForm token={token} presets={reached} notice={letter.letterId} />
      ) : (
        <p className="actions">
          <button type="button" className="button primary" onClick={() => setOpen(true)}>
            {i18n.t('open.fromNotice')}
          </button>
        </p>
      )}
    </div>
  );
}
