/**
 * The public log as this browser sees it: the latest signed checkpoint, its fingerprint words in
 * English and French (to compare with other members in person), the consistency check against
 * the last checkpoint this browser saw, and — in red — what a fork means and what to do.
 */
import { useEffect, useState } from 'react';
import { bytesToHex } from '../../core/encoding.ts';
import { verifyCheckpoint } from '../../core/log/checkpoint.ts';
import { device } from '../device.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { LogCheck } from '../logwatch.ts';
import { useApp } from '../state.tsx';
import { ErrorNotice, Notice, Page, Words, describe } from '../ui.tsx';

function CheckpointView({ note, verifierKey, caption }: { note: string; verifierKey: string; caption?: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const cp = verifyCheckpoint(note, verifierKey);
  if (!cp.ok) return <p className="muted">{cp.reason}</p>;
  const root = bytesToHex(cp.rootHash);
  return (
    <div className="checkpoint">
      {caption ? <h3>{caption}</h3> : null}
      <dl>
        <dt>{t('log.size')}</dt>
        <dd data-testid="log-size">{i18n.number(cp.size)}</dd>
        <dt>{t('log.wordsEn')}</dt>
        <dd>
          <Words hex={root} lang="en" />
        </dd>
        <dt>{t('log.wordsFr')}</dt>
        <dd>
          <Words hex={root} lang="fr" />
        </dd>
        <dt>{t('log.root')}</dt>
        <dd>
          <code className="hex">{root}</code>
        </dd>
        <dt>{t('log.origin')}</dt>
        <dd>
          <code>{cp.origin}</code>
        </dd>
      </dl>
    </div>
  );
}

function Danger({ check }: { check: LogCheck }) {
  const { t } = useI18n();
  const app = useApp();
  const [confirm, setConfirm] = useState(false);
  const title = check.state === 'fork' ? t('log.forkTitle') : check.state === 'key-changed' ? t('log.keyTitle') : t('log.badSigTitle');
  return (
    <section className="danger-zone" role="alert" aria-labelledby="h-danger" data-testid="fork-warning">
      <h2 id="h-danger">{title}</h2>
      <p>{check.state === 'fork' ? t('log.forkMeaning') : check.state === 'key-changed' ? t('log.keyMeaning') : t('log.badSigMeaning')}</p>
      <h3>{t('log.whatToDo')}</h3>
      <ol>
        <li>{t('log.do1')}</li>
        <li>{t('log.do2')}</li>
        <li>{t('log.do3')}</li>
        <li>{t('log.do4')}</li>
      </ol>
      {check.state === 'fork' ? (
        <>
          <p className="small">{t('log.forkDetail', { reason: check.evidence.reason })}</p>
          <div className="two">
            <CheckpointView note={check.evidence.earlier} verifierKey={check.verifierKey} caption={t('log.earlier')} />
            <CheckpointView note={check.evidence.later} verifierKey={check.verifierKey} caption={t('log.later')} />
          </div>
          {confirm ? (
            <p className="actions">
              <button
                type="button"
                className="button"
                onClick={() => {
                  device.setFork(null);
                  device.setLastCheckpoint({ verifierKey: check.verifierKey, note: check.evidence.later });
                  void app.refreshLog();
                }}
              >
                {t('log.clearConfirm')}
              </button>
            </p>
          ) : (
            <p>
              <button type="button" className="button small" onClick={() => setConfirm(true)}>
                {t('log.clear')}
              </button>
            </p>
          )}
        </>
      ) : null}
      {check.state === 'key-changed' ? (
        <dl className="small">
          <dt>{t('log.keyExpected')}</dt>
          <dd>
            <code className="hex">{check.expected}</code>
          </dd>
          <dt>{t('log.keyGot')}</dt>
          <dd>
            <code className="hex">{check.got}</code>
          </dd>
        </dl>
      ) : null}
    </section>
  );
}

export function LogScreen() {
  const i18n = useI18n();
  const { t } = i18n;
  const app = useApp();
  const [check, setCheck] = useState<LogCheck | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    app.refreshLog().then(
      (c) => {
        setCheck(c);
        if (!c && app.logError) setError(describe(i18n, app.logError));
      },
      (e: unknown) => setError(describe(i18n, e)),
    );
  }, []);

  const current = check ?? app.log;
  return (
    <Page title={t('log.title')} lead={t('log.lead')}>
      <ErrorNotice>{error}</ErrorNotice>
      {current && (current.state === 'fork' || current.state === 'key-changed' || current.state === 'bad-signature') ? <Danger check={current} /> : null}
      {current && (current.state === 'first' || current.state === 'same' || current.state === 'grew') ? (
        <>
          <Notice kind="ok">
            <span data-testid="log-status">
              {current.state === 'first' ? t('log.first') : current.state === 'same' ? t('log.same') : t('log.grew', { from: current.from, to: current.checkpoint.size })}
            </span>
          </Notice>
          <section aria-labelledby="h-cp">
            <h2 id="h-cp">{t('log.latest')}</h2>
            <p className="small">{t('log.compare')}</p>
            <CheckpointView note={current.note} verifierKey={current.verifierKey} />
          </section>
          <section aria-labelledby="h-key">
            <h2 id="h-key">{t('log.keyTitleShort')}</h2>
            <p className="small">{t('log.keyText')}</p>
            <code className="hex">{current.verifierKey}</code>
          </section>
        </>
      ) : null}
    </Page>
  );
}
