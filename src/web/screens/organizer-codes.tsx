/**
 * The printable enrollment sheet: one slip per member with their code and what to do with it.
 * Codes work on paper first (DESIGN §5b): no mail to lose, and opening the page never spends a
 * code. Each slip carries a QR code that opens the enrollment page with the code filled in (in the
 * URL fragment: enrollment-slips.tsx). The codes live in this tab only: the sheet can be saved as a
 * PDF, leaving the tab asks first, and clearing the list forgets them here.
 */
import { useState } from 'react';
import { device } from '../device.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useApp } from '../state.tsx';
import { Notice, Page } from '../ui.tsx';
import { OrganizerNav, RequireOrganizer } from './organizer-shared.tsx';
import { SheetDownload, SlipQr, useLeaveWarning } from './enrollment-slips.tsx';

export function CodesScreen() {
  const { t } = useI18n();
  return <RequireOrganizer title={t('codes.title')}>{() => <Sheet />}</RequireOrganizer>;
}

function Sheet() {
  const i18n = useI18n();
  const { t } = i18n;
  const app = useApp();
  const [codes, setCodes] = useState(() => device.issuedCodes());
  const [confirmClear, setConfirmClear] = useState(false);
  const enrollUrl = `${window.location.origin}/enroll`;
  const group = app.instance?.name ?? '';
  useLeaveWarning(codes.length > 0);

  return (
    <Page title={t('codes.title')}>
      <OrganizerNav />
      <div className="no-print">
        <p>{t('codes.lead')}</p>
        {codes.length === 0 ? <Notice>{t('codes.none')}</Notice> : <Notice kind="warn">{t('codes.downloadHint')}</Notice>}
        {codes.length > 0 ? (
          <p className="actions">
            <SheetDownload codes={codes} group={group} primary />
            <button type="button" className="button" onClick={() => window.print()}>
              {t('codes.print')}
            </button>
            {confirmClear ? (
              <button
                type="button"
                className="button danger"
                onClick={() => {
                  device.setIssuedCodes([]);
                  setCodes([]);
                  setConfirmClear(false);
                }}
              >
                {t('codes.confirmClear')}
              </button>
            ) : (
              <button type="button" className="button" onClick={() => setConfirmClear(true)}>
                {t('codes.clear')}
              </button>
            )}
          </p>
        ) : null}
      </div>
      <ul className="slips">
        {codes.map((c) => (
          <li key={`${c.id}-${c.code}`} className="slip">
            <SlipQr code={c.code} />
            <p className="slip-group">{group}</p>
            <p className="slip-name">{c.name}</p>
            <p>{t('codes.slipStep1', { url: enrollUrl })}</p>
            <p className="slip-code" data-testid="enrollment-code">
              {c.code}
            </p>
            <p className="small">{t('codes.slipStep2', { date: i18n.date(c.expiresAt) })}</p>
            <p className="small">{t('codes.slipPrivate')}</p>
          </li>
        ))}
      </ul>
    </Page>
  );
}
