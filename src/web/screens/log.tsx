/**
 * The public log as this browser sees it: the latest signed checkpoint, its fingerprint words in
 * English and French (to compare with other members in person), the consistency check against
 * the last checkpoint this browser saw, and — in red — what a fork, a new log key or new
 * witnesses mean and what to do. Then the latest checkpoint the witnesses cosigned (which
 * witness, when), the witnesses themselves, and the entries, newest first.
 */
import { useEffect, useState } from 'react';
import { bytesToHex } from '../../core/encoding.ts';
import { verifyCheckpoint } from '../../core/log/checkpoint.ts';
import { type WitnessReport, WitnessPolicySchema } from '../../core/log/cosignature.ts';
import { checkWitnessedCheckpoint } from '../../core/member/witnessed-log.ts';
import { type WitnessStatus, api } from '../api.ts';
import { device } from '../device.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { type LogCheck, checkAgainstSeen, isDanger } from '../logwatch.ts';
import { useApp } from '../state.tsx';
import { ErrorNotice, Notice, Page, Words, describe } from '../ui.tsx';
import { LogEntries } from './log-entries.tsx';

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

/** `recheck`: look at the log again once the member cleared a warning (this page keeps its own result). */
function Danger({ check, recheck }: { check: LogCheck; recheck: () => void }) {
  const { t } = useI18n();
  const [confirm, setConfirm] = useState(false);
  const title = check.state === 'fork' ? t('log.forkTitle') : check.state === 'key-changed' ? t('log.keyTitle') : check.state === 'policy-changed' ? t('log.policyTitle') : t('log.badSigTitle');
  return (
    <section className="danger-zone" role="alert" aria-labelledby="h-danger" data-testid="fork-warning">
      <h2 id="h-danger">{title}</h2>
      <p>
        {check.state === 'fork'
          ? t('log.forkMeaning')
          : check.state === 'key-changed'
            ? t('log.keyMeaning')
            : check.state === 'policy-changed'
              ? t('log.policyMeaning')
              : t('log.badSigMeaning')}
      </p>
      <h3>{t('log.whatToDo')}</h3>
      <ol>
        {(check.state === 'policy-changed' ? (['log.policyDo1', 'log.policyDo2', 'log.policyDo3', 'log.policyDo4'] as const) : (['log.do1', 'log.do2', 'log.do3', 'log.do4'] as const)).map((step) => (
          <li key={step}>{t(step)}</li>
        ))}
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
                  // Neither side of a fork is known to be the true one: forget both, start afresh.
                  device.setFork(null);
                  device.setLastCheckpoint(null);
                  recheck();
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
      {check.state === 'policy-changed' ? (
        <dl className="small">
          <dt>{t('log.policyExpected')}</dt>
          <dd>
            <PolicyText policy={check.expected} />
          </dd>
          <dt>{t('log.policyGot')}</dt>
          <dd>
            <PolicyText policy={check.got} />
          </dd>
        </dl>
      ) : null}
      {check.state === 'policy-changed' && (check.got === null || WitnessPolicySchema.safeParse(check.got).success) ? (
        confirm ? (
          <p className="actions">
            <button
              type="button"
              className="button"
              onClick={() => {
                // The member compared the keys with the organizer out of band: pin the new policy
                // (or, when the server names none any more, forget the pin).
                const got = WitnessPolicySchema.safeParse(check.got);
                device.setWitnessPolicy(got.success ? got.data : null);
                recheck();
              }}
            >
              {t('log.policyAcceptConfirm')}
            </button>
          </p>
        ) : (
          <p>
            <button type="button" className="button small" onClick={() => setConfirm(true)}>
              {t('log.policyAccept')}
            </button>
          </p>
        )
      ) : null}
    </section>
  );
}

/** A witness policy as a person reads it: the quorum, then each witness's key; anything else as sent. */
function PolicyText({ policy }: { policy: unknown }) {
  const { t } = useI18n();
  const parsed = WitnessPolicySchema.safeParse(policy);
  if (policy === null || policy === undefined) return <>{t('log.policyNone')}</>;
  if (!parsed.success) return <code className="hex">{JSON.stringify(policy)}</code>;
  return (
    <>
      {t('log.policyQuorum', { k: parsed.data.quorum, n: parsed.data.witnesses.length })}
      <ul>
        {parsed.data.witnesses.map((w) => (
          <li key={w}>
            <code className="hex">{w}</code>
          </li>
        ))}
      </ul>
    </>
  );
}

type Witnessed =
  | { state: 'ok'; size: number; note: string; quorum: number; reports: WitnessReport[] }
  | { state: 'none' }
  | { state: 'failed'; code: string; reason: string };

/**
 * The latest checkpoint the witnesses cosigned, checked here: the log key and the witness policy
 * this browser pinned, the pinned quorum of valid cosignatures, and consistency with what this
 * browser saw before.
 */
async function checkWitnessed(status: WitnessStatus, verifierKey: string): Promise<Witnessed> {
  const policy = device.witnessPolicy() ?? undefined;
  if (!status.witnessed || !policy) return { state: 'none' };
  const checked = checkWitnessedCheckpoint(status.witnessed.checkpoint, { verifierKey, witnesses: policy });
  if (!checked.ok) return { state: 'failed', code: checked.code, reason: checked.reason };
  const seen = await checkAgainstSeen(status.witnessed.checkpoint, verifierKey);
  if (!seen.ok) return { state: 'failed', code: seen.code, reason: seen.reason };
  return { state: 'ok', size: checked.checkpoint.size, note: status.witnessed.checkpoint, quorum: policy.quorum, reports: checked.witnesses?.witnesses ?? [] };
}

function WitnessedCheckpoint({ witnessed, verifierKey }: { witnessed: Witnessed; verifierKey: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <section aria-labelledby="h-witnessed" data-testid="log-witnessed">
      <h2 id="h-witnessed">{t('log.witnessedTitle')}</h2>
      {witnessed.state === 'none' ? <p>{t('log.witnessedNone')}</p> : null}
      {witnessed.state === 'failed' ? (
        <ErrorNotice>
          {i18n.error(witnessed.code, witnessed.reason)} ({witnessed.code})
        </ErrorNotice>
      ) : null}
      {witnessed.state === 'ok' ? (
        <>
          <p className="small">{t('log.witnessedText', { k: witnessed.quorum })}</p>
          <CheckpointView note={witnessed.note} verifierKey={verifierKey} />
          <h3>{t('log.cosignatures')}</h3>
          <ul className="cosignatures">
            {witnessed.reports.map((w) => (
              <li key={w.verifierKey} data-testid="cosignature" data-cosigned={w.cosigned}>
                <strong>{w.name}</strong>{' '}
                {w.cosigned && w.timestamp !== undefined
                  ? t('log.cosignedAt', { date: i18n.date(new Date(w.timestamp * 1000).toISOString()) })
                  : t('log.notCosigned')}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function Witnesses({ status }: { status: WitnessStatus }) {
  const i18n = useI18n();
  const { t } = i18n;
  const policy = status.policy;
  return (
    <section aria-labelledby="h-witnesses" data-testid="log-witnesses">
      <h2 id="h-witnesses">{t('log.witnessesTitle')}</h2>
      {!policy ? (
        <p>{t('log.witnessesNone')}</p>
      ) : (
        <>
          <p className="small">{t('log.witnessesText', { k: policy.quorum, n: policy.witnesses.length })}</p>
          <ul className="witnesses">
            {policy.witnesses.map((key) => {
              const w = status.witnesses.find((x) => x.verifierKey === key);
              return (
                <li key={key} data-testid="witness">
                  <strong>{key.split('+')[0]}</strong>
                  <br />
                  <code className="hex">{key}</code>
                  <br />
                  {w ? t('log.witnessCosigned', { size: w.cosignedSize }) : t('log.witnessUnknown')}
                  {w?.alarm ? (
                    <span className="notice error" role="alert" data-testid="witness-alarm">
                      {t('log.witnessAlarm', { alarm: w.alarm })}
                    </span>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}

export function LogScreen() {
  const i18n = useI18n();
  const { t } = i18n;
  const app = useApp();
  const [check, setCheck] = useState<LogCheck | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<WitnessStatus | null>(null);
  const [witnessed, setWitnessed] = useState<Witnessed | null>(null);

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
  const shown = current && (current.state === 'first' || current.state === 'same' || current.state === 'grew') ? current : null;
  // The witnesses, once this browser's own look at the log is done (it pins the policy first).
  useEffect(() => {
    if (!shown) return;
    let cancelled = false;
    api
      .witnesses()
      .then(async (s) => {
        const w = await checkWitnessed(s, shown.verifierKey);
        if (cancelled) return;
        setStatus(s);
        setWitnessed(w);
      })
      .catch((e: unknown) => {
        if (!cancelled) setError(describe(i18n, e));
      });
    return () => {
      cancelled = true;
    };
  }, [shown?.note]);

  return (
    <Page title={t('log.title')} lead={t('log.lead')}>
      <ErrorNotice>{error}</ErrorNotice>
      {current && isDanger(current) ? <Danger check={current} recheck={() => void app.refreshLog().then(setCheck)} /> : null}
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
          {/* On an instance without witnesses there is no witnessed checkpoint to wait for: the Witnesses section says so. */}
          {witnessed && status?.policy ? <WitnessedCheckpoint witnessed={witnessed} verifierKey={current.verifierKey} /> : null}
          {status ? <Witnesses status={status} /> : null}
          <section aria-labelledby="h-key">
            <h2 id="h-key">{t('log.keyTitleShort')}</h2>
            <p className="small">{t('log.keyText')}</p>
            <code className="hex">{current.verifierKey}</code>
          </section>
          <LogEntries size={current.checkpoint.size} />
        </>
      ) : null}
    </Page>
  );
}
