/**
 * The verify page's working part, shared by the app's /verify screen (screens/verify.tsx) and the
 * verifier in one file (src/web/verifier, `undersigned verifier`): the dropzone, the progress and
 * the verdict with its reason. The verifier worker (verify.worker.ts, the same code as `undersigned
 * verify`) is started when the panel mounts, before any file is chosen, so that checking a file makes
 * no request; how it is started is the caller's (a URL of the app's build, or a worker inlined in
 * the single file). Opened from a delivery document's QR code (`#sha256=<hash>`), it says whether the
 * dropped file is the one the document describes.
 */
import { useEffect, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import type { VerifyRequest, VerifyResponse } from './verify.worker.ts';
import { bytesToHex, sha256 } from '../../core/encoding.ts';
import { ErrorNotice, Notice, Words } from '../ui.tsx';
import { ProcedureResult } from '../screens/procedure-result.tsx';

/** The SHA-256 a delivery document's QR code put in the fragment (`#sha256=<64 hex>`), if any. */
function expectedHash(): string | null {
  const m = /^#sha256=([0-9a-f]{64})$/.exec(window.location.hash);
  return m ? m[1] : null;
}

export type Verdict = Extract<VerifyResponse, { type: 'result' }>['verdict'];
export type ProcedureVerdict = Extract<VerifyResponse, { type: 'procedure' }>['verdict'];
export type ValidVerdict = Extract<Verdict, { valid: true }> | Extract<ProcedureVerdict, { valid: true }>;

export interface VerifyPanelProps {
  /** Starts the verifier worker (verify.worker.ts). */
  startWorker: () => Worker;
  /** The log key of the server the page comes from; undefined when there is none (the single file). */
  serverKey: string | undefined;
  /** What a valid file offers besides its verdict (the app: its document). */
  actions?: (bytes: Uint8Array, verdict: ValidVerdict) => ReactNode;
}

export function VerifyPanel({ startWorker, serverKey, actions }: VerifyPanelProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const worker = useRef<Worker | null>(null);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState(false);
  const [fileName, setFileName] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [procedure, setProcedure] = useState<ProcedureVerdict | null>(null);
  const [over, setOver] = useState(false);
  const [file, setFile] = useState<{ bytes: Uint8Array; sha256: string } | null>(null);
  const [expected] = useState(expectedHash);
  const nextId = useRef(1);
  const current = useRef(0);

  useEffect(() => {
    const w = startWorker();
    w.addEventListener('message', (e: MessageEvent<VerifyResponse>) => {
      const m = e.data;
      if ('id' in m && m.id !== current.current) return; // an earlier file's answer, after another was chosen
      if (m.type === 'ready') setReady(true);
      else if (m.type === 'progress') setProgress({ done: m.done, total: m.total });
      else if (m.type === 'result') {
        setProgress(null);
        setVerdict(m.verdict);
      } else if (m.type === 'procedure') {
        setProgress(null);
        if (m.verdict.valid) setProcedure(m.verdict);
        else setVerdict(m.verdict);
      }
    });
    w.addEventListener('error', () => setFailed(true));
    worker.current = w;
    return () => w.terminate();
  }, []);

  const check = async (file: File | undefined) => {
    if (!file || !worker.current) return;
    setVerdict(null);
    setProcedure(null);
    setFile(null);
    setFileName(file.name);
    setProgress({ done: 0, total: 0 });
    // The exact bytes: their SHA-256 is what a delivery document names.
    const bytes = new Uint8Array(await file.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    setFile({ bytes, sha256: bytesToHex(sha256(bytes)) });
    current.current = nextId.current++;
    worker.current.postMessage({ id: current.current, text } satisfies VerifyRequest);
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void check(e.dataTransfer.files[0]);
  };

  /** A sentence for the first reason the bundle fails, by its code or the family of its code. */
  const reasonOf = (code: string): string => {
    if (i18n.hasError(code)) return i18n.error(code);
    if (/^(note|checkpoint|verifier_key)_/.test(code)) return i18n.error('checkpoint_bad_signature');
    if (/^(inclusion|consistency)_/.test(code)) return i18n.error('not_in_log');
    if (/^roster_/.test(code)) return i18n.error('roster_digest_mismatch');
    return t('verify.generic');
  };

  return (
    <>
      {failed ? <ErrorNotice>{t('verify.workerFailed')}</ErrorNotice> : null}
      <div
        className={over ? 'dropzone over' : 'dropzone'}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <label htmlFor="bundle-file">{t('verify.drop')}</label>
        <input id="bundle-file" type="file" accept=".json,application/json" disabled={!ready} onChange={(e) => void check(e.target.files?.[0])} />
        <p className="small" role="status" data-testid="verify-ready">
          {ready ? t('verify.ready') : t('verify.loading')}
        </p>
      </div>

      {expected ? (
        <div className="notice info" data-testid="verify-expected">
          <p>{t('verify.expected')}</p>
          <Words hex={expected} />
          {file ? (
            file.sha256 === expected ? (
              <p data-testid="verify-expected-match">{t('verify.expectedMatch')}</p>
            ) : (
              <p role="alert" data-testid="verify-expected-other">
                <strong>{t('verify.expectedOther')}</strong>
              </p>
            )
          ) : null}
        </div>
      ) : null}

      {progress ? (
        <div className="progress" role="status" aria-live="polite">
          {progress.total > 0 ? <progress max={progress.total} value={progress.done} aria-label={t('verify.checking')} /> : <progress aria-label={t('verify.checking')} />}
          <p>{progress.total > 0 ? t('verify.progress', { done: progress.done, total: progress.total }) : t('verify.checking')}</p>
        </div>
      ) : null}

      {verdict && verdict.valid ? (
        <section className="verdict valid" aria-labelledby="h-verdict" data-testid="verdict">
          <h2 id="h-verdict">{t('verify.valid')}</h2>
          <p className="count big">{i18n.tn('count.signed', verdict.count, { m: verdict.rosterSize })}</p>
          <dl>
            <dt>{t('verify.letter')}</dt>
            <dd>{verdict.title}</dd>
            <dt>{t('verify.recipient')}</dt>
            <dd>{verdict.recipient}</dd>
            <dt>{t('verify.named')}</dt>
            <dd data-testid="verify-named">{verdict.named.length ? verdict.named.join(', ') : t('verify.namedNone')}</dd>
            {verdict.sealed.total > 0 ? (
              <>
                <dt>{t('verify.sealed')}</dt>
                <dd data-testid="verify-sealed">{sealedLine(t, verdict)}</dd>
              </>
            ) : null}
            <dt>{t('verify.records')}</dt>
            <dd>{i18n.number(verdict.records)}</dd>
            <dt>{t('letter.fingerprintTitle')}</dt>
            <dd>
              <Words hex={verdict.letterId} />
            </dd>
            <LogFacts checkpoint={verdict.checkpoint} verifierKey={verdict.verifierKey} serverKey={serverKey} />
          </dl>
          {file && actions ? <p className="actions">{actions(file.bytes, verdict)}</p> : null}
        </section>
      ) : null}
      {procedure && procedure.valid ? (
        <section className="verdict valid" aria-labelledby="h-verdict" data-testid="verdict">
          <h2 id="h-verdict">{t('verify.procedureValid')}</h2>
          <ProcedureResult verdict={procedure} />
          <dl>
            <LogFacts checkpoint={procedure.checkpoint} verifierKey={procedure.verifierKey} serverKey={serverKey} />
          </dl>
          {file && actions ? <p className="actions">{actions(file.bytes, procedure)}</p> : null}
        </section>
      ) : null}
      {verdict && !verdict.valid ? (
        <section className="verdict invalid" role="alert" aria-labelledby="h-verdict" data-testid="verdict" data-code={verdict.code}>
          <h2 id="h-verdict">{t('verify.invalid')}</h2>
          <p data-testid="verdict-reason">{reasonOf(verdict.code)}</p>
          <p className="small">
            {t('verify.detail')} <code>{verdict.reason}</code>
          </p>
        </section>
      ) : null}
      {fileName && (verdict || procedure) ? <p className="muted small">{t('verify.file', { name: fileName })}</p> : null}
      <Notice>{t('verify.offline')}</Notice>
    </>
  );
}

/** The log checkpoint a verdict rests on, and whether its key is this server's. */
function LogFacts({ checkpoint, verifierKey, serverKey }: { checkpoint: { origin: string; size: number; rootHash: string }; verifierKey: string; serverKey: string | undefined }) {
  const { t } = useI18n();
  return (
    <>
      <dt>{t('verify.checkpoint')}</dt>
      <dd>
        {t('verify.checkpointText', { origin: checkpoint.origin, size: checkpoint.size })}
        <Words hex={checkpoint.rootHash} />
      </dd>
      <dt>{t('verify.key')}</dt>
      <dd>
        <code className="hex">{verifierKey}</code>
        <p className="small">{serverKey === undefined ? t('verify.keyUnknown') : serverKey === verifierKey ? t('verify.keyThis') : t('verify.keyOther')}</p>
      </dd>
    </>
  );
}

/** What became of a letter's sealed signatures, as the CLI's `verify` prints it. */
function sealedLine(t: ReturnType<typeof useI18n>['t'], verdict: { revealed: string[]; sealed: { total: number; status: string } }): string {
  const total = verdict.sealed.total;
  if (verdict.sealed.status === 'below-threshold') return t('verify.sealedBelow', { total });
  if (verdict.sealed.status === 'pending') return t('verify.sealedPending', { total });
  return verdict.revealed.length ? t('verify.sealedRevealed', { total, names: verdict.revealed.join(', ') }) : t('verify.sealedRevealedNone', { total });
}
