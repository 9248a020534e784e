/**
 * The enrollment sheet's parts (issue #15): each slip's QR code (the enrollment page with the code
 * in the URL fragment, which the browser never sends to the server: src/document/links.ts),
 * the sheet as a PDF to save the moment codes are made, and a warning before leaving a tab that
 * holds codes (they live only in this tab's storage: a closed tab loses them).
 */
import { useEffect, useState } from 'react';
import type { IssuedCode } from '../api.ts';
import { enrollmentUrl } from '../../document/links.ts';
import { qrMatrix, qrSvgPath } from '../../document/qr.ts';
import { enrollmentSheetPdf } from '../documents.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ErrorNotice, download } from '../ui.tsx';

export function SlipQr({ code }: { code: string }) {
  const { t } = useI18n();
  const url = enrollmentUrl(window.location.origin, code);
  const m = qrMatrix(url);
  const side = m.size + 8;
  return (
    <svg className="slip-qr" viewBox={`0 0 ${side} ${side}`} role="img" aria-label={t('codes.qr')} data-testid="enrollment-qr" shapeRendering="crispEdges">
      <rect width={side} height={side} fill="#fff" />
      <path d={qrSvgPath(m)} fill="#000" />
    </svg>
  );
}

/** The sheet as a PDF, made here from the codes in this tab. */
export function SheetDownload({ codes, group, primary = false }: { codes: IssuedCode[]; group: string; primary?: boolean }) {
  const i18n = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const pdf = await enrollmentSheetPdf(group, codes.map((c) => ({ name: c.name, code: c.code, expiresAt: c.expiresAt })), i18n.lang);
      download('undersigned-enrollment-sheet.pdf', pdf, 'application/pdf');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className={primary ? 'button primary' : 'button'} data-testid="download-sheet" disabled={busy || codes.length === 0} onClick={() => void save()}>
        {i18n.t('codes.download')}
      </button>
      <ErrorNotice>{error}</ErrorNotice>
    </>
  );
}

/** While codes are held in this tab, closing or reloading it asks first. */
export function useLeaveWarning(active: boolean): void {
  const { t } = useI18n();
  useEffect(() => {
    if (!active) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      // Browsers show their own words; the value only has to be set.
      e.returnValue = t('codes.leaveWarning');
      return e.returnValue;
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [active, t]);
}
