/**
 * The delivery document in the app (issue #15): a button that makes the PDF of a result file this
 * browser verified, never of one it did not. On the letter page after the close the result file is
 * fetched and verified first (the verifier worker, with the log key this browser pinned); on the
 * verify and ballot pages the file was verified already and its verdict is passed in.
 */
import { useState } from 'react';
import type { BundleVerdict } from '../../core/bundle/bundle.ts';
import type { ProcedureVerdict } from '../../core/bundle/procedure-bundle.ts';
import { api } from '../api.ts';
import { deliveryPdf } from '../documents.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { checkInWorker } from '../verify/client.ts';
import { ErrorNotice, download } from '../ui.tsx';

type Made = { state: 'idle' } | { state: 'busy'; what: 'checking' | 'making' } | { state: 'failed'; message: string; detail?: string };

/** Make and save the document of `file`, whose verdict (computed in this browser) is `verdict`. */
async function saveDocument(file: string | Uint8Array, verdict: BundleVerdict | ProcedureVerdict, lang: 'en' | 'fr', name: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const made = await deliveryPdf(file, verdict, lang);
  if (!made.ok) return { ok: false, reason: made.reason };
  download(`${name}.pdf`, made.pdf, 'application/pdf');
  return { ok: true };
}

/** For a file verified already (verify page, ballot page). */
export function DocumentButton({ file, verdict, name }: { file: string | Uint8Array; verdict: BundleVerdict | ProcedureVerdict; name: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [made, setMade] = useState<Made>({ state: 'idle' });
  if (!verdict.valid) return null;
  const run = async () => {
    setMade({ state: 'busy', what: 'making' });
    const r = await saveDocument(file, verdict, i18n.lang, name).catch((e: Error) => ({ ok: false as const, reason: e.message }));
    setMade(r.ok ? { state: 'idle' } : { state: 'failed', message: t('document.refused'), detail: r.reason });
  };
  return (
    <>
      <button type="button" className="button" data-testid="download-document" disabled={made.state === 'busy'} onClick={() => void run()}>
        {made.state === 'busy' ? t('document.making') : t('document.download')}
      </button>
      {made.state === 'failed' ? (
        <ErrorNotice>
          {made.message} {made.detail ? <code>{made.detail}</code> : null}
        </ErrorNotice>
      ) : null}
    </>
  );
}

/** On a closed letter's page: the result file and its document, each verified here before it is saved. */
export function LetterResultSection({ id, verifierKey }: { id: string; verifierKey: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [made, setMade] = useState<Made>({ state: 'idle' });
  const name = `undersigned-letter-${id.slice(0, 12)}`;

  const run = async (what: 'pdf' | 'json') => {
    setMade({ state: 'busy', what: 'checking' });
    try {
      const text = await api.bundle(id);
      const checked = await checkInWorker(text, undefined, verifierKey || undefined);
      const verdict = checked.verdict;
      if (!verdict.valid) {
        setMade({ state: 'failed', message: t('document.refused'), detail: verdict.reason });
        return;
      }
      if (what === 'json') {
        download(`${name}.json`, text);
        setMade({ state: 'idle' });
        return;
      }
      setMade({ state: 'busy', what: 'making' });
      const r = await saveDocument(text, verdict, i18n.lang, name);
      setMade(r.ok ? { state: 'idle' } : { state: 'failed', message: t('document.refused'), detail: r.reason });
    } catch (e) {
      setMade({ state: 'failed', message: (e as Error).message });
    }
  };

  const busy = made.state === 'busy';
  return (
    <section aria-labelledby="h-document" className="panel" data-testid="letter-document">
      <h2 id="h-document">{t('document.title')}</h2>
      <p>{t('document.lead')}</p>
      <p className="actions">
        <button type="button" className="button primary" data-testid="download-document" disabled={busy} onClick={() => void run('pdf')}>
          {t('document.download')}
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => void run('json')}>
          {t('document.downloadFile')}
        </button>
      </p>
      {made.state === 'busy' ? (
        <p role="status" className="small">
          {made.what === 'checking' ? t('document.checking') : t('document.making')}
        </p>
      ) : null}
      {made.state === 'failed' ? (
        <ErrorNotice>
          {made.message} {made.detail ? <code data-testid="document-refused">{made.detail}</code> : null}
        </ErrorNotice>
      ) : null}
      <p className="small muted">{t('document.hint')}</p>
    </section>
  );
}
