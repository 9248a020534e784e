/**
 * Enrollment, in four steps: the code and a passphrase; an identity made on this device (in the
 * prover worker) and sealed into a backup file, which is downloaded; the backup re-opened from
 * the file the person saved, proving they hold it; only then the code is spent, binding the
 * identity's commitment to their roster entry. The secret never leaves the device.
 */
import { useState, type FormEvent } from 'react';
import type { IdentityFile } from '../../core/identity/identity-file.ts';
import { ApiFailure, api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { prove } from '../prover/client.ts';
import { useApp } from '../state.tsx';
import { ErrorNotice, Field, Notice, Page, ProgressView, download, useTask } from '../ui.tsx';

export const MIN_PASSPHRASE = 8;
const CODE_ALPHABET = /^[0-9A-HJKMNP-TV-Z]{16}$/;

/** The same normalization as the server's (src/server/services/enrollment.ts normalizeCode), to catch typos early. */
/**
 * The code in the address's fragment (`#code=ABCD-…`, from a slip's QR code), or null; the
 * fragment is then dropped from the address bar and the tab's history, so the code does not stay
 * there. Opening the page spends nothing: only the enrollment request does.
 */
function codeFromFragment(): string | null {
  const m = /^#code=([A-Za-z0-9-]{1,64})$/.exec(window.location.hash);
  if (!m) return null;
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return m[1];
}

export function looksLikeCode(code: string): boolean {
  const c = code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return CODE_ALPHABET.test(c);
}

/** The instance's name as a file-name part: ASCII letters and digits, dashes, at most 40 characters. */
export function fileSlug(instanceName: string): string {
  return instanceName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
}

export function backupFileName(instanceName: string): string {
  const slug = fileSlug(instanceName);
  return `undersigned-backup${slug ? `-${slug}` : ''}.json`;
}

interface Made {
  file: IdentityFile;
  privateKey: string;
  commitment: string;
}

type Stage = 'form' | 'backup' | 'confirm' | 'enroll' | 'done';

export function EnrollScreen() {
  const i18n = useI18n();
  const { t } = i18n;
  const app = useApp();
  const [stage, setStage] = useState<Stage>('form');
  // A slip's QR code opens /enroll#code=…: the code comes in the fragment, which no request carries.
  const [fromLink] = useState(codeFromFragment);
  const [code, setCode] = useState(fromLink ?? '');
  const [pass1, setPass1] = useState('');
  const [pass2, setPass2] = useState('');
  const [made, setMade] = useState<Made | null>(null);
  const [downloaded, setDownloaded] = useState(false);
  const [backupText, setBackupText] = useState<string | null>(null);
  const [confirmPass, setConfirmPass] = useState('');
  const [enrolledAs, setEnrolledAs] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const task = useTask();

  const instanceName = app.instance?.name ?? '';

  const makeIdentity = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    if (!looksLikeCode(code)) return setFormError(t('enroll.codeShape'));
    if (pass1.length < MIN_PASSPHRASE) return setFormError(t('enroll.passTooShort', { n: MIN_PASSPHRASE }));
    if (pass1 !== pass2) return setFormError(t('enroll.passMismatch'));
    const info = app.instance ?? (await api.instance().catch(() => null));
    if (!info) return setFormError(i18n.error('server_unreachable'));
    await task.run(async (report) => {
      const r = await prove('create-identity', { passphrase: pass1, label: { instance: info.verifierKey } }, report);
      setMade(r);
      setPass1('');
      setPass2('');
      setStage('backup');
    });
  };

  const saveBackup = () => {
    if (!made) return;
    download(backupFileName(instanceName), JSON.stringify(made.file, null, 2) + '\n');
    setDownloaded(true);
  };

  const enroll = async (m: Made) => {
    setStage('enroll');
    await task.run(async (report) => {
      report({ stage: 'sending' });
      const r = await api.enroll(code, m.commitment);
      report({ stage: 'receipt' });
      await prove('check-receipt', {
        receipt: r.receipt,
        entry: { kind: 'member-enrolled', member: r.member.id, leaf: r.leaf, commitment: m.commitment },
        verifierKey: m.file.label.instance ?? '',
      });
      app.remember(m.file, m.privateKey);
      setEnrolledAs(r.member.name);
      setStage('done');
    });
  };

  const confirmBackup = async (e: FormEvent) => {
    e.preventDefault();
    if (!made || backupText === null) return;
    const ok = await task.run(async (report) => {
      const opened = await prove('open-identity', { text: backupText, passphrase: confirmPass }, report);
      if (opened.commitment !== made.commitment) throw new ApiFailure('backup_other_identity', 'another identity', 0);
      return true;
    });
    if (ok) {
      setConfirmPass('');
      await enroll(made);
    }
  };

  const retryEnroll = async (e: FormEvent) => {
    e.preventDefault();
    if (!made) return;
    if (!looksLikeCode(code)) return task.setError(t('enroll.codeShape'));
    await enroll(made);
  };

  const steps: [Stage[], string][] = [
    [['form'], t('enroll.step1')],
    [['backup'], t('enroll.step2')],
    [['confirm'], t('enroll.step3')],
    [['enroll', 'done'], t('enroll.step4')],
  ];
  const current = steps.findIndex(([s]) => s.includes(stage));

  return (
    <Page title={t('enroll.title')} lead={stage === 'form' ? t('enroll.lead') : undefined}>
      <ol className="steps" aria-label={t('enroll.stepsLabel')}>
        {steps.map(([, label], i) => (
          <li key={i} className={i === current ? 'current' : i < current ? 'done' : ''} aria-current={i === current ? 'step' : undefined}>
            {label}
          </li>
        ))}
      </ol>

      {app.identityFile && stage === 'form' ? <Notice kind="warn">{t('enroll.alreadyHere')}</Notice> : null}

      {stage === 'form' && fromLink ? <Notice>{t('enroll.codeFromLink')}</Notice> : null}
      {stage === 'form' ? (
        <form onSubmit={makeIdentity}>
          <Field label={t('enroll.code')} hint={t('enroll.codeHint')}>
            {({ id, describedBy }) => (
              <input id={id} aria-describedby={describedBy} value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" autoCapitalize="characters" spellCheck={false} required />
            )}
          </Field>
          <Field label={t('enroll.pass')} hint={t('enroll.passHint', { n: MIN_PASSPHRASE })}>
            {({ id, describedBy }) => (
              <input id={id} type="password" aria-describedby={describedBy} value={pass1} onChange={(e) => setPass1(e.target.value)} autoComplete="new-password" required />
            )}
          </Field>
          <Field label={t('enroll.pass2')}>
            {({ id }) => <input id={id} type="password" value={pass2} onChange={(e) => setPass2(e.target.value)} autoComplete="new-password" required />}
          </Field>
          <ErrorNotice>{formError ?? task.error}</ErrorNotice>
          <ProgressView step={task.step} />
          <p className="actions">
            <button type="submit" className="button primary" disabled={task.busy}>
              {t('enroll.make')}
            </button>
          </p>
        </form>
      ) : null}

      {stage === 'backup' ? (
        <section aria-labelledby="h-backup">
          <h2 id="h-backup">{t('enroll.backupTitle')}</h2>
          <p>{t('enroll.backupText')}</p>
          <ul>
            <li>{t('enroll.backupWhere')}</li>
            <li>{t('enroll.backupRisk')}</li>
          </ul>
          <p className="actions">
            <button type="button" className="button primary" onClick={saveBackup}>
              {t('enroll.download')}
            </button>
            <button type="button" className="button" disabled={!downloaded} onClick={() => setStage('confirm')}>
              {t('enroll.saved')}
            </button>
          </p>
          {downloaded ? <Notice>{t('enroll.downloadedHint', { file: backupFileName(instanceName) })}</Notice> : null}
        </section>
      ) : null}

      {stage === 'confirm' ? (
        <section aria-labelledby="h-confirm">
          <h2 id="h-confirm">{t('enroll.confirmTitle')}</h2>
          <p>{t('enroll.confirmText')}</p>
          <form onSubmit={confirmBackup}>
            <Field label={t('enroll.backupFile')}>
              {({ id }) => (
                <input
                  id={id}
                  type="file"
                  accept=".json,application/json"
                  onChange={async (e) => {
                    const f = e.target.files?.[0];
                    setBackupText(f ? await f.text() : null);
                  }}
                  required
                />
              )}
            </Field>
            <Field label={t('enroll.pass')}>
              {({ id }) => <input id={id} type="password" value={confirmPass} onChange={(e) => setConfirmPass(e.target.value)} autoComplete="current-password" required />}
            </Field>
            <ErrorNotice>{task.error}</ErrorNotice>
            <ProgressView step={task.step} />
            <p className="actions">
              <button type="submit" className="button primary" disabled={task.busy || backupText === null || confirmPass === ''}>
                {t('enroll.confirm')}
              </button>
              <button type="button" className="button" onClick={() => setStage('backup')}>
                {t('enroll.backAgain')}
              </button>
            </p>
          </form>
        </section>
      ) : null}

      {stage === 'enroll' ? (
        <section aria-labelledby="h-enroll">
          <h2 id="h-enroll">{t('enroll.enrollTitle')}</h2>
          <ProgressView step={task.step} />
          {task.error ? (
            <form onSubmit={retryEnroll}>
              <ErrorNotice>{task.error}</ErrorNotice>
              <p>{t('enroll.fixCode')}</p>
              <Field label={t('enroll.code')}>
                {({ id }) => <input id={id} value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" spellCheck={false} required />}
              </Field>
              <p className="actions">
                <button type="submit" className="button primary" disabled={task.busy}>
                  {t('action.retry')}
                </button>
              </p>
            </form>
          ) : null}
        </section>
      ) : null}

      {stage === 'done' ? (
        <section aria-labelledby="h-done">
          <h2 id="h-done">{t('enroll.doneTitle')}</h2>
          <Notice kind="ok">{t('enroll.done', { name: enrolledAs ?? '' })}</Notice>
          <p>{t('enroll.doneNext')}</p>
          <p className="actions">
            <Link className="button primary" to="/letters">
              {t('home.seeLetters')}
            </Link>
          </p>
        </section>
      ) : null}
    </Page>
  );
}
