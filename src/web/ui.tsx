/** Small building blocks shared by the screens: page frame, notices, progress, fields, words. */
import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { fingerprintWords } from '../core/fingerprint-words.ts';
import { ApiFailure } from './api.ts';
import { useI18n, type I18n } from './i18n/i18n.tsx';
import type { MessageKey } from './i18n/en.ts';
import { ProverFailure } from './prover/client.ts';
import type { Progress } from './prover/protocol.ts';

let firstScreen = true;

/**
 * A screen: sets the document title and, when it replaces another screen, moves the focus to its
 * heading (so a screen-reader or keyboard user starts at the new content). Not on the first
 * screen after a page load: there the focus stays at the top, before the skip link.
 */
export function Page({ title, children, lead }: { title: string; children: ReactNode; lead?: ReactNode }) {
  const h1 = useRef<HTMLHeadingElement>(null);
  const { t } = useI18n();
  useEffect(() => {
    document.title = `${title} · ${t('app.name')}`;
  }, [title, t]);
  useEffect(() => {
    if (firstScreen) {
      firstScreen = false;
      return;
    }
    h1.current?.focus({ preventScroll: true });
  }, []);
  return (
    <>
      <h1 ref={h1} tabIndex={-1}>
        {title}
      </h1>
      {lead ? <p className="lead">{lead}</p> : null}
      {children}
    </>
  );
}

/** A sentence for any failure, in the reader's language. */
export function describe(i18n: I18n, error: unknown): string {
  if (error instanceof ApiFailure || error instanceof ProverFailure) return i18n.error(error.code, error.message);
  return i18n.error('unknown', error instanceof Error ? error.message : String(error));
}

export function ErrorNotice({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <div className="notice error" role="alert">
      {children}
    </div>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'ok' | 'warn'; children: ReactNode }) {
  return (
    <div className={`notice ${kind}`} role="status">
      {children}
    </div>
  );
}

export type Step = Progress | { stage: 'session' | 'sending' | 'receipt' | 'preparing' };

export function stepLabel(i18n: I18n, step: Step): string {
  switch (step.stage) {
    case 'kdf':
      return i18n.t('progress.kdf');
    case 'artifacts':
      return i18n.t('progress.artifacts', { loaded: i18n.bytes(step.loaded), total: i18n.bytes(step.total) });
    case 'proving':
      return i18n.t('progress.proving');
    case 'session':
      return i18n.t('progress.session');
    case 'sending':
      return i18n.t('progress.sending');
    case 'receipt':
      return i18n.t('progress.receipt');
    case 'preparing':
      return i18n.t('progress.preparing');
  }
}

/** Progress of a long task: a bar (exact while downloading, moving otherwise) and what is happening. */
export function ProgressView({ step }: { step: Step | null }) {
  const i18n = useI18n();
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    if (!step) return;
    const start = Date.now();
    setSeconds(0);
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - start) / 1000)), 1000);
    return () => clearInterval(timer);
  }, [step === null]);
  if (!step) return null;
  const label = stepLabel(i18n, step);
  const exact = step.stage === 'artifacts' && step.total > 0;
  return (
    <div className="progress" role="status" aria-live="polite">
      {exact ? (
        <progress max={step.total} value={step.loaded} aria-label={label} />
      ) : (
        <progress aria-label={label} />
      )}
      <p>
        {label} <span className="muted">{i18n.t('progress.elapsed', { s: seconds })}</span>
      </p>
    </div>
  );
}

/** Run one long task at a time, with its progress and its failure in the reader's language. */
export function useTask() {
  const i18n = useI18n();
  const [step, setStep] = useState<Step | null>(null);
  const [error, setError] = useState<string | null>(null);
  const busy = step !== null;
  const run = useCallback(
    async <T,>(task: (report: (s: Step) => void) => Promise<T>): Promise<T | undefined> => {
      setError(null);
      setStep({ stage: 'preparing' });
      try {
        return await task(setStep);
      } catch (e) {
        setError(describe(i18n, e));
        return undefined;
      } finally {
        setStep(null);
      }
    },
    [i18n],
  );
  return { step, busy, error, setError, run };
}

export function Field({ label, hint, children }: { label: string; hint?: string; children: (ids: { id: string; describedBy?: string }) => ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {children({ id, describedBy: hint ? hintId : undefined })}
    </div>
  );
}

/** Fingerprint words of a digest, in the reader's language (or the one given). */
export function Words({ hex, lang, label }: { hex: string; lang?: 'en' | 'fr'; label?: string }) {
  const i18n = useI18n();
  const words = fingerprintWords(hex, lang ?? i18n.lang);
  return (
    <p className="words" lang={lang ?? i18n.lang} aria-label={label}>
      {words.map((w, i) => (
        <span key={i} className="word">
          {w}
        </span>
      ))}
    </p>
  );
}

/** Save text or bytes as a file on the person's device (no request: a Blob URL). */
export function download(filename: string, data: string | Uint8Array, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function Key({ k }: { k: MessageKey }) {
  return <>{useI18n().t(k)}</>;
}
