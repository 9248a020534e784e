/**
 * One ballot: its question and rule; for a member, voting (the choice encrypted to the trustee
 * committee in the prover worker, after checking the committee key against the log) and voting
 * again; for the organizer, closing it; after the close, the result — shown only once this
 * browser has verified the procedure's bundle itself (every vote, the sums, the trustees'
 * decryption, the notice and the decision).
 */
import { useCallback, useEffect, useState } from 'react';
import { type Ballot, isRecorded } from '../../core/ballot/ballot.ts';
import { PRESETS } from '../../core/ballot/procedures.ts';
import { ApiFailure, api } from '../api.ts';
import { ballotApi } from '../api-ballots.ts';
import { witnessedCommitteeView, witnessedOpenedView } from '../logwatch.ts';
import { WitnessedReceipt } from '../witnessed-receipt.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, useRouter } from '../router.tsx';
import { prove } from '../prover/client.ts';
import { useApp } from '../state.tsx';
import { ErrorNotice, Notice, Page, ProgressView, describe, download, useTask } from '../ui.tsx';
import { checkInWorker, type ProcedureVerdict } from '../verify/client.ts';
import { ProcedureResult, optionLabel, ruleText } from './procedure-result.tsx';
import { DocumentButton } from './result-document.tsx';

interface Mine {
  nullifier: string;
  seq: number;
  onRoster: boolean;
}

type Result = { state: 'checking'; done: number; total: number } | { state: 'done'; verdict: ProcedureVerdict; text: string } | { state: 'failed'; message: string };

export function BallotScreen({ id }: { id: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const app = useApp();
  const { search } = useRouter();
  const [ballot, setBallot] = useState<Ballot | null>(null);
  const [closed, setClosed] = useState(false);
  const [mine, setMine] = useState<Mine | null>(null);
  const [choice, setChoice] = useState<number | null>(null);
  const [done, setDone] = useState<{ index: number; checkpoint: string } | null>(null);
  const [confirmClose, setConfirmClose] = useState(false);
  const [notice, setNotice] = useState<string | null>(search.get('opened') ? t('open.opened') : null);
  const [result, setResult] = useState<Result | null>(null);
  const load = useTask();
  const act = useTask();
  const key = app.privateKey;
  const verifierKey = app.identityFile?.label.instance ?? app.instance?.verifierKey ?? '';

  const checkResult = useCallback(async () => {
    setResult({ state: 'checking', done: 0, total: 0 });
    try {
      const text = await ballotApi.bundle(id);
      const { kind, verdict } = await checkInWorker(text, (d, total) => setResult({ state: 'checking', done: d, total }), app.instance?.verifierKey);
      if (kind !== 'procedure') throw new ApiFailure('bundle_malformed', 'the server sent a letter bundle for a ballot', 0);
      setResult({ state: 'done', verdict, text });
    } catch (e) {
      setResult({ state: 'failed', message: describe(i18n, e) });
    }
  }, [id, app.instance?.verifierKey, i18n]);

  const refresh = useCallback(async () => {
    const got = await ballotApi.get(id);
    const checked = await prove('check-ballot', { ballotId: id, ballot: got.ballot });
    setBallot(checked.ballot);
    setClosed(got.status === 'closed');
    if (key) {
      const [{ nullifier }, { snapshot }, { commitment }] = await Promise.all([
        prove('vote-nullifier', { privateKey: key, ballotId: id }),
        ballotApi.roster(id),
        prove('commitment', { privateKey: key }),
      ]);
      const state = await ballotApi.nullifierState(id, nullifier);
      setMine({ nullifier, seq: state.seq, onRoster: snapshot.members.some((m) => m.commitment === commitment) });
    }
    if (got.status === 'closed') void checkResult();
  }, [id, key, checkResult]);

  useEffect(() => {
    void load.run(refresh);
  }, [refresh]);

  // A member looking at an open ballot will likely vote: load the circuit now, not on the click.
  const depth = ballot?.roster.depth;
  useEffect(() => {
    if (key && depth && !closed) prove('prepare', { depth }).catch(() => undefined);
  }, [key, depth, closed]);

  const vote = async () => {
    if (!key || !ballot || choice === null) return;
    setDone(null);
    await act.run(async (report) => {
      const [{ snapshot }, { nullifier }] = await Promise.all([ballotApi.roster(id), prove('vote-nullifier', { privateKey: key, ballotId: id })]);
      const state = await ballotApi.nullifierState(id, nullifier);
      // A secret vote is encrypted only to the key the committee's entries on the witnessed log give:
      // their checkpoint consistent with what this browser saw (here), cosigned and proven (in the worker).
      const serverKey = app.instance?.verifierKey ?? (await api.instance()).verifierKey;
      const committee = isRecorded(ballot) ? undefined : await witnessedCommitteeView(serverKey);
      // The ballot itself is voted on only as its opening on the witnessed log gives it (the roster must match that ballot's).
      const opened = await witnessedOpenedView('ballot', id, serverKey);
      const { record } = await prove('prove-vote', { privateKey: key, ballotId: id, opened, snapshot, committee, choice, seq: state.seq + 1 }, report);
      report({ stage: 'sending' });
      const { receipt } = await ballotApi.vote(id, record);
      report({ stage: 'receipt' });
      await prove('check-receipt', { receipt, entry: { kind: 'vote', ballotId: id, record }, verifierKey });
      setDone({ index: receipt.index, checkpoint: receipt.checkpoint });
      setMine({ nullifier, seq: record.action.seq, onRoster: true });
    });
  };

  const close = () =>
    act.run(async () => {
      if (!app.adminToken) return;
      const r = await ballotApi.close(app.adminToken, id);
      setConfirmClose(false);
      setNotice(t('ballot.closedNotice', { n: r.voters }));
      await refresh();
    });

  if (!ballot) {
    return (
      <Page title={t('ballot.title')}>
        <ErrorNotice>{load.error}</ErrorNotice>
        <ProgressView step={load.step} />
      </Page>
    );
  }

  const preset = PRESETS[ballot.procedure];
  const recorded = preset ? !preset.ballot.secret : false;
  const pastDeadline = Date.parse(ballot.deadline) <= Date.now();
  const canVote = !closed && !pastDeadline;
  return (
    <Page title={ballot.question} lead={preset ? preset.title[i18n.lang] : ballot.procedure}>
      {notice ? <Notice kind="ok">{notice}</Notice> : null}
      <ErrorNotice>{load.error}</ErrorNotice>
      <dl className="facts">
        {preset ? (
          <>
            <dt>{t('ballot.rule')}</dt>
            <dd>{ruleText(i18n, preset, ballot.roster.size)}</dd>
          </>
        ) : null}
        <dt>{t('ballot.deadline')}</dt>
        <dd>{i18n.date(ballot.deadline)}</dd>
        <dt>{t('ballot.trustees')}</dt>
        <dd>{recorded ? t('ballot.countedInClear') : t('ballot.trusteesText', { k: ballot.committee.k, n: ballot.committee.n })}</dd>
        {ballot.notice ? (
          <>
            <dt>{t('ballot.notice')}</dt>
            <dd>
              <Link to={`/letters/${ballot.notice}`}>{ballot.notice.slice(0, 16)}…</Link>
            </dd>
          </>
        ) : null}
      </dl>

      {recorded ? (
        <Notice kind="warn">
          <strong>{t('ballot.recordedTitle')}.</strong> {t('ballot.recorded')}
        </Notice>
      ) : (
        <details className="explain">
          <summary>{t('ballot.howTitle')}</summary>
          <p>{t('ballot.how')}</p>
        </details>
      )}

      {closed ? (
        <Notice>{t('ballot.closedNoVote')}</Notice>
      ) : pastDeadline ? (
        <Notice kind="warn">{t('ballot.pastDeadline')}</Notice>
      ) : !app.identityFile ? (
        <p className="muted">
          {t('ballot.notMember')} <Link to="/enroll">{t('home.enroll')}</Link>
        </p>
      ) : !key ? (
        <p>
          <Link className="button primary" to={`/unlock?next=${encodeURIComponent(`/ballots/${id}`)}`}>
            {t('ballot.unlock')}
          </Link>
        </p>
      ) : mine && !mine.onRoster ? (
        <Notice kind="warn">{t('ballot.notOnRoster')}</Notice>
      ) : null}

      {canVote && key && mine?.onRoster ? (
        <section aria-labelledby="h-vote">
          {mine.seq > 0 && !done ? <Notice>{t('ballot.alreadyVoted')}</Notice> : null}
          <fieldset className="choices">
            <legend id="h-vote">{t('ballot.choose')}</legend>
            {ballot.options.map((o, j) => (
              <label key={o} className="choice">
                <input type="radio" name="choice" value={j} checked={choice === j} onChange={() => setChoice(j)} disabled={act.busy} /> {optionLabel(i18n, o)}
              </label>
            ))}
          </fieldset>
          <p className="actions">
            <button type="button" className="button primary" disabled={act.busy || choice === null} onClick={() => void vote()}>
              {mine.seq > 0 ? t('ballot.voteAgain') : t('ballot.vote')}
            </button>
          </p>
        </section>
      ) : null}
      <ProgressView step={act.step} />
      <ErrorNotice>{act.error}</ErrorNotice>
      {done ? (
        <Notice kind="ok">
          <span data-testid="vote-done">{recorded ? t('ballot.votedRecorded') : t('ballot.voted')}</span> {t('ballot.receipt', { index: done.index })}
          <WitnessedReceipt checkpoint={done.checkpoint} />
        </Notice>
      ) : null}

      {app.adminToken && !closed ? (
        <section aria-labelledby="h-close" className="card">
          <h2 id="h-close" className="h3">
            {t('ballot.closeTitle')}
          </h2>
          <p className="small">{t('ballot.closeWarning')}</p>
          <p className="actions">
            {confirmClose ? (
              <>
                <button type="button" className="button danger" disabled={act.busy} onClick={() => void close()}>
                  {t('ballot.confirmClose')}
                </button>
                <button type="button" className="button" onClick={() => setConfirmClose(false)}>
                  {t('action.cancel')}
                </button>
              </>
            ) : (
              <button type="button" className="button" disabled={act.busy} onClick={() => setConfirmClose(true)}>
                {t('ballot.close')}
              </button>
            )}
          </p>
        </section>
      ) : null}

      {closed ? (
        <section aria-labelledby="h-result" data-testid="result">
          <h2 id="h-result">{t('ballot.resultTitle')}</h2>
          {result?.state === 'checking' ? (
            <div className="progress" role="status" aria-live="polite">
              {result.total > 0 ? <progress max={result.total} value={result.done} aria-label={t('ballot.checking')} /> : <progress aria-label={t('ballot.checking')} />}
              <p>{t('ballot.checking')}</p>
            </div>
          ) : null}
          {result?.state === 'failed' ? <ErrorNotice>{result.message}</ErrorNotice> : null}
          {result?.state === 'done' && !result.verdict.valid ? (
            <ErrorNotice>
              {i18n.hasError(result.verdict.code) ? i18n.error(result.verdict.code) : t('verify.generic')} <code>{result.verdict.reason}</code>
            </ErrorNotice>
          ) : null}
          {result?.state === 'done' && result.verdict.valid ? (
            <>
              {result.verdict.tally ? (
                <Notice kind="ok">{recorded ? t('ballot.checkedRecorded') : t('ballot.checked')}</Notice>
              ) : (
                <Notice>
                  <span data-testid="waiting">{t('ballot.waiting', { k: ballot.committee.k, n: ballot.committee.n })}</span>
                </Notice>
              )}
              <ProcedureResult verdict={result.verdict} />
              <p className="actions">
                <button type="button" className="button" onClick={() => download(`undersigned-ballot-${id.slice(0, 12)}.json`, result.text)}>
                  {t('ballot.download')}
                </button>
                <DocumentButton file={result.text} verdict={result.verdict} name={`undersigned-ballot-${id.slice(0, 12)}`} />
                {!result.verdict.tally ? (
                  <button type="button" className="button" onClick={() => void checkResult()}>
                    {t('ballot.refresh')}
                  </button>
                ) : null}
              </p>
              <p className="small muted">{t('ballot.verifyHint')}</p>
            </>
          ) : null}
        </section>
      ) : null}
    </Page>
  );
}
