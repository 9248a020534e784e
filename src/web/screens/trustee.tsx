/**
 * The trustee page: join the committee with the organizer's invitation (the key is made in the
 * trustee worker and saved, encrypted under a passphrase, in the same file format as
 * `undersigned trustee keygen`), check that file before the code is spent, then — with the file
 * open in this page — take the key generation steps and, after a letter or a ballot closes, do
 * the trustee's duties: what the page will do is shown first, and done on a click.
 * The key lives in the worker's memory only while this page (or this tab's app) is open.
 * With the file open, the page also watches the log for entries in this trustee's name that it
 * did not make (../trustee/own-watch.ts), raises a red alarm and then does nothing more in its
 * name; and it shows every trustee's key as fingerprint words, this trustee's own marked.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiFailure } from '../api.ts';
import { trusteeApi, type CommitteeStatus } from '../api-trustee.ts';
import { useI18n, type I18n } from '../i18n/i18n.tsx';
import type { TrusteeFile } from '../../core/trustee/trustee-file.ts';
import { Link } from '../router.tsx';
import { useApp } from '../state.tsx';
import { closeTrustee, trustee } from '../trustee/client.ts';
import { fileSlug } from './enroll.tsx';
import { CommitteeStatusView } from '../trustee/committee-status.tsx';
import { beginRecord, recordMade, watchOwnEntries } from '../trustee/own-watch.ts';
import { OwnAlarms } from '../trustee/trustee-keys.tsx';
import type { OwnAlarm } from '../../core/trustee/own-entries.ts';
import type { DutyEvent, TrusteePlan, TrusteeProgress } from '../trustee/protocol.ts';
import { ErrorNotice, Field, Notice, Page, ProgressView, download, useTask, type Step } from '../ui.tsx';

const MIN_PASSPHRASE = 8;

/** The file open in the trustee worker, kept across screens of this tab (the worker outlives them). */
let opened: { transportKey: string; index: number | null } | null = null;

function trusteeFileName(index: number, instanceName: string): string {
  const slug = fileSlug(instanceName);
  return `undersigned-trustee-${index}${slug ? `-${slug}` : ''}.json`;
}

/** Opening or making a file reports only its key derivation, which the shared progress view shows. */
const kdfOnly = (report: (s: Step) => void) => (p: TrusteeProgress) => {
  if (p.stage === 'kdf') report(p);
};

/** The server's codes for a trustee invitation, in the trustee's words. */
function asTrusteeCode(e: unknown): unknown {
  if (e instanceof ApiFailure && (e.code === 'code_invalid' || e.code === 'code_used')) return new ApiFailure(`trustee_${e.code}`, e.message, e.status);
  return e;
}

export function TrusteeScreen() {
  const { t } = useI18n();
  const [status, setStatus] = useState<CommitteeStatus | null>(null);
  const [file, setFile] = useState(opened);
  // While a trustee is saving and checking a new file, the "open my file" form would only distract.
  const [joining, setJoining] = useState(false);
  const load = useTask();
  const reloadStatus = useCallback(() => trusteeApi.status().then(setStatus), []);
  useEffect(() => {
    void load.run(reloadStatus);
  }, []);

  const onOpen = (o: { transportKey: string; index: number | null }) => {
    opened = o;
    setFile(o);
    setJoining(false);
    void reloadStatus().catch(() => undefined);
  };
  const onClose = () => {
    closeTrustee();
    opened = null;
    setFile(null);
  };

  return (
    <Page title={t('trustee.title')} lead={t('trustee.lead')}>
      <ErrorNotice>{load.error}</ErrorNotice>
      {file ? (
        <Duties file={file} onClose={onClose} onChange={() => void reloadStatus().catch(() => undefined)} />
      ) : (
        <>
          {status && status.trustees.some((tr) => !tr.joined) ? <Join onJoined={onOpen} onStarted={setJoining} /> : null}
          {joining ? null : <Open onOpened={onOpen} />}
        </>
      )}
      <section aria-labelledby="h-committee-status">
        <h2 id="h-committee-status">{t('committee.statusTitle')}</h2>
        {status && status.trustees.length === 0 ? (
          <p>
            {t('committee.none')} <Link to="/organizer">{t('nav.organizer')}</Link>
          </p>
        ) : null}
        {status && status.trustees.length > 0 ? (
          <>
            <CommitteeStatusView status={status} mine={file?.transportKey} />
            <p className="muted small">
              {t('trustee.organizerNote')} <Link to="/organizer">{t('nav.organizer')}</Link>
            </p>
          </>
        ) : null}
      </section>
    </Page>
  );
}

type JoinStep = { step: 'start' } | { step: 'backup' | 'confirm'; code: string; slot: { index: number; name: string }; file: TrusteeFile; downloaded: boolean };

/** Invitation code and passphrase; the key made and saved; the saved file checked; only then the code spent. */
function Join({ onJoined, onStarted }: { onJoined: (o: { transportKey: string; index: number }) => void; onStarted: (started: boolean) => void }) {
  const { t } = useI18n();
  const app = useApp();
  const [state, setState] = useState<JoinStep>({ step: 'start' });
  const [code, setCode] = useState('');
  const [pass, setPass] = useState('');
  const [pass2, setPass2] = useState('');
  const [chosen, setChosen] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const task = useTask();
  useEffect(() => onStarted(state.step !== 'start'), [state.step]);

  const onMake = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    if (pass.length < MIN_PASSPHRASE) return setProblem(t('trustee.passTooShort'));
    if (pass !== pass2) return setProblem(t('trustee.passMismatch'));
    await task.run(async (report) => {
      // Asking which slot a code is for does not spend it.
      const slot = await trusteeApi.slot(code.trim()).catch((e: unknown) => {
        throw asTrusteeCode(e);
      });
      const made = await trustee('create', { passphrase: pass }, kdfOnly(report));
      setState({ step: 'backup', code: code.trim(), slot, file: made.file, downloaded: false });
    });
  };

  if (state.step === 'start') {
    return (
      <section aria-labelledby="h-join" className="panel">
        <h2 id="h-join">{t('trustee.joinTitle')}</h2>
        <p>{t('trustee.joinText')}</p>
        <form onSubmit={onMake}>
          <Field label={t('trustee.code')} hint={t('trustee.codeHint')}>
            {({ id, describedBy }) => (
              <input id={id} aria-describedby={describedBy} value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" spellCheck={false} required />
            )}
          </Field>
          <Field label={t('trustee.pass')} hint={t('trustee.passHint')}>
            {({ id, describedBy }) => (
              <input id={id} aria-describedby={describedBy} type="password" value={pass} onChange={(e) => setPass(e.target.value)} autoComplete="new-password" required />
            )}
          </Field>
          <Field label={t('trustee.pass2')}>
            {({ id }) => <input id={id} type="password" value={pass2} onChange={(e) => setPass2(e.target.value)} autoComplete="new-password" required />}
          </Field>
          <ErrorNotice>{problem ?? task.error}</ErrorNotice>
          <ProgressView step={task.step} />
          <p className="actions">
            <button type="submit" className="button primary" disabled={task.busy || code.trim() === ''}>
              {t('trustee.make')}
            </button>
          </p>
        </form>
      </section>
    );
  }

  const fileName = trusteeFileName(state.slot.index, app.instance?.name ?? '');
  if (state.step === 'backup') {
    return (
      <section aria-labelledby="h-backup" className="panel">
        <h2 id="h-backup">{t('trustee.backupTitle')}</h2>
        <Notice kind="ok">{t('trustee.invited', { index: state.slot.index, committee: state.slot.name })}</Notice>
        <p>{t('trustee.backupText')}</p>
        <p>{t('trustee.backupRisk')}</p>
        <p className="actions">
          <button
            type="button"
            className="button primary"
            onClick={() => {
              download(fileName, JSON.stringify(state.file, null, 2) + '\n');
              setState({ ...state, downloaded: true });
            }}
          >
            {t('trustee.download')}
          </button>
        </p>
        {state.downloaded ? (
          <>
            <p className="small">{t('trustee.downloadedHint', { file: fileName })}</p>
            <p className="actions">
              <button type="button" className="button" onClick={() => setState({ ...state, step: 'confirm' })}>
                {t('trustee.saved')}
              </button>
            </p>
          </>
        ) : null}
      </section>
    );
  }

  const onConfirm = async (e: FormEvent) => {
    e.preventDefault();
    if (!chosen) return;
    await task.run(async (report) => {
      const text = await chosen.text();
      // The file must open, with this passphrase, to the very key just made: then the code is spent.
      const { transportKey } = await trustee('open', { text, passphrase: pass, expect: state.file.transportKey }, kdfOnly(report));
      // The record of this trustee's own entries begins with the slot it takes (own-watch.ts).
      beginRecord(transportKey, { index: state.slot.index, committee: state.slot.name });
      report({ stage: 'sending' });
      const joined = await trustee('join', { code: state.code }).catch((e: unknown) => {
        throw asTrusteeCode(e instanceof Error && 'code' in e ? new ApiFailure(String(e.code), e.message, 403) : e);
      });
      onJoined({ transportKey, index: joined.index });
    });
  };

  return (
    <section aria-labelledby="h-confirm" className="panel">
      <h2 id="h-confirm">{t('trustee.confirmTitle')}</h2>
      <p>{t('trustee.confirmText')}</p>
      <form onSubmit={onConfirm}>
        <FileAndPassphrase onFile={setChosen} pass={pass} onPass={setPass} />
        <ErrorNotice>{task.error}</ErrorNotice>
        <ProgressView step={task.step} />
        <p className="actions">
          <button type="submit" className="button primary" disabled={task.busy || !chosen}>
            {t('trustee.confirm')}
          </button>
          <button type="button" className="button" onClick={() => setState({ ...state, step: 'backup' })}>
            {t('trustee.download')}
          </button>
        </p>
      </form>
    </section>
  );
}

/** The trustee file to open and its passphrase. */
function FileAndPassphrase({ onFile, pass, onPass }: { onFile: (f: File | null) => void; pass: string; onPass: (p: string) => void }) {
  const { t } = useI18n();
  return (
    <>
      <Field label={t('trustee.file')}>
        {({ id }) => <input id={id} type="file" accept=".json,application/json" onChange={(e) => onFile(e.target.files?.[0] ?? null)} required />}
      </Field>
      <Field label={t('trustee.pass')}>
        {({ id }) => <input id={id} type="password" value={pass} onChange={(e) => onPass(e.target.value)} autoComplete="current-password" required />}
      </Field>
    </>
  );
}

/** A trustee who already joined opens their file (made here or by `undersigned trustee keygen`). */
function Open({ onOpened }: { onOpened: (o: { transportKey: string; index: null }) => void }) {
  const { t } = useI18n();
  const [chosen, setChosen] = useState<File | null>(null);
  const [pass, setPass] = useState('');
  const task = useTask();
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!chosen) return;
    await task.run(async (report) => {
      const { transportKey } = await trustee('open', { text: await chosen.text(), passphrase: pass }, kdfOnly(report));
      onOpened({ transportKey, index: null });
    });
  };
  return (
    <section aria-labelledby="h-open" className="panel">
      <h2 id="h-open">{t('trustee.loadTitle')}</h2>
      <p>{t('trustee.loadText')}</p>
      <form onSubmit={onSubmit}>
        <FileAndPassphrase onFile={setChosen} pass={pass} onPass={setPass} />
        <ErrorNotice>{task.error}</ErrorNotice>
        <ProgressView step={task.step} />
        <p className="actions">
          <button type="submit" className="button primary" disabled={task.busy || !chosen}>
            {t('trustee.load')}
          </button>
        </p>
      </form>
    </section>
  );
}

function progressLabel(i18n: I18n, p: TrusteeProgress): string {
  switch (p.stage) {
    case 'kdf':
      return i18n.t('progress.kdf');
    case 'dkg':
    case 'signed':
      return i18n.t('trustee.progress.dkg');
    case 'checking':
      return i18n.t('trustee.progress.checking', { title: p.subject.title });
    case 'publishing':
      return i18n.t('trustee.progress.publishing', { title: p.subject.title });
  }
}

function eventText(i18n: I18n, e: DutyEvent): string {
  switch (e.kind) {
    case 'dealt':
      return i18n.t('trustee.done.dealt');
    case 'acked':
      return i18n.t('trustee.done.acked');
    case 'complained':
      return i18n.t('trustee.done.complained', { who: e.dealers.join(', ') });
    case 'revealed':
      return i18n.t('trustee.done.revealed', { title: e.subject.title });
    case 'tallied':
      return i18n.t('trustee.done.tallied', { title: e.subject.title });
  }
}

/** With the file open: who this trustee is, what is due, and doing it on a click. */
function Duties({ file, onClose, onChange }: { file: { transportKey: string; index: number | null }; onClose: () => void; onChange: () => void }) {
  const i18n = useI18n();
  const { t, tn } = i18n;
  const [plan, setPlan] = useState<TrusteePlan | null>(null);
  const [progress, setProgress] = useState<TrusteeProgress | null>(null);
  const [result, setResult] = useState<{ events: DutyEvent[]; did: string[] } | null>(null);
  const [alarms, setAlarms] = useState<OwnAlarm[]>([]);
  const [begun, setBegun] = useState<number | null>(null);
  const check = useTask();
  const act = useTask();

  const refresh = useCallback(async () => {
    // The log first: on an alarm, nothing more is done in this trustee's name.
    const watched = await watchOwnEntries(file.transportKey);
    setAlarms(watched.alarms);
    if (watched.begun !== null) setBegun(watched.begun);
    const p = await trustee('plan', {});
    setPlan(p);
    onChange();
  }, [onChange, file.transportKey]);
  useEffect(() => {
    void check.run(refresh);
  }, []);

  // While the key generation waits for other trustees, look again every few seconds.
  const waiting = plan !== null && !plan.ready && plan.dkg === null && plan.waitingFor.length > 0;
  useEffect(() => {
    if (!waiting || act.busy) return;
    const timer = setInterval(() => void refresh().catch(() => undefined), 4000);
    return () => clearInterval(timer);
  }, [waiting, act.busy, refresh]);

  const due = plan !== null && alarms.length === 0 && (plan.dkg !== null || plan.letters.some((l) => l.action === 'reveal') || plan.ballots.some((b) => b.action === 'tally'));

  const onDo = async () => {
    setResult(null);
    await act.run(async () => {
      try {
        // Each entry the worker signs is recorded here before it is sent.
        const r = await trustee('run', {}, (p) => (p.stage === 'signed' ? recordMade(file.transportKey, p.entry) : setProgress(p)));
        setResult(r);
      } finally {
        setProgress(null);
      }
      await refresh();
    });
  };

  const names = (indices: number[]) => indices.join(', ');
  return (
    <section aria-labelledby="h-duties" className="panel" data-testid="trustee-duties">
      <h2 id="h-duties">{t('trustee.todoTitle')}</h2>
      <Notice kind="ok">
        {t('trustee.loaded')}{' '}
        {plan?.me ? t('trustee.you', { index: plan.me.index, name: plan.me.name }) : plan && !plan.created ? t('trustee.youPending') : null}
      </Notice>
      <OwnAlarms alarms={alarms} />
      {begun !== null ? <p className="small muted">{t('trustee.recordBegun', { since: begun })}</p> : null}
      {plan && plan.created && !plan.me && alarms.length === 0 ? <ErrorNotice>{t('trustee.notOnCommittee')}</ErrorNotice> : null}
      <ErrorNotice>{check.error}</ErrorNotice>
      {plan?.failure ? <ErrorNotice>{t('committee.failed', { reason: plan.failure })}</ErrorNotice> : null}
      {result && result.events.length > 0 ? (
        <div className="notice ok" role="status" data-testid="trustee-done">
          <ul className="plain">
            {result.events.map((e, i) => (
              <li key={i}>{eventText(i18n, e)}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {result && result.did.length > 0 ? (
        <details>
          <summary>{t('trustee.detail')}</summary>
          <ul className="small">
            {result.did.map((d, i) => (
              <li key={i}>{d}</li>
            ))}
          </ul>
        </details>
      ) : null}
      {plan && (plan.me || !plan.created) ? (
        <>
          <ul className="plain todo" data-testid="trustee-todo">
            {plan.dkg === 'deal' ? <li>{t('trustee.todo.deal')}</li> : null}
            {plan.dkg === 'respond' ? <li>{t('trustee.todo.respond')}</li> : null}
            {plan.letters.map((l) => (
              <li key={l.letterId} className={l.action === 'reveal' ? undefined : 'muted'}>
                {l.action === 'reveal'
                  ? tn('trustee.todo.reveal', l.sealed, { title: l.title, count: l.count, t: l.threshold })
                  : l.action === 'below'
                    ? t('trustee.todo.below', { title: l.title, count: l.count, t: l.threshold })
                    : t('trustee.todo.revealDone', { title: l.title })}
              </li>
            ))}
            {plan.ballots.map((b) => (
              <li key={b.ballotId} className={b.action === 'tally' ? undefined : 'muted'}>
                {b.action === 'tally' ? t('trustee.todo.tally', { title: b.title }) : t('trustee.todo.tallyDone', { title: b.title })}
              </li>
            ))}
          </ul>
          {!due && waiting ? <p data-testid="trustee-waiting">{t('trustee.waiting', { who: names(plan.waitingFor) })}</p> : null}
          {!due && !waiting ? <p data-testid="trustee-nothing">{t('trustee.nothing')}</p> : null}
          {due && (plan.letters.some((l) => l.action === 'reveal') || plan.ballots.some((b) => b.action === 'tally')) ? <p className="small">{t('trustee.checkFirst')}</p> : null}
        </>
      ) : null}
      {progress && progress.stage !== 'kdf' ? (
        <div className="progress" role="status" aria-live="polite">
          <progress aria-label={progressLabel(i18n, progress)} />
          <p>{progressLabel(i18n, progress)}</p>
        </div>
      ) : null}
      <ErrorNotice>{act.error}</ErrorNotice>
      <p className="actions">
        {due ? (
          <button type="button" className="button primary" disabled={act.busy || check.busy} onClick={onDo}>
            {t('trustee.do')}
          </button>
        ) : null}
        <button type="button" className="button" disabled={act.busy || check.busy} onClick={() => void check.run(refresh)}>
          {t('trustee.refresh')}
        </button>
        <button type="button" className="button" disabled={act.busy} onClick={onClose}>
          {t('trustee.closeFile')}
        </button>
      </p>
    </section>
  );
}
