/**
 * Under a receipt (a signature's, a vote's): whether its checkpoint is witnessed yet, i.e. a
 * checkpoint the pinned witnesses' quorum cosigned covers it and extends it (logwatch.ts
 * `receiptWitnessed`). The witnesses cosign within seconds, so this looks a few times, then
 * leaves it; the receipt is final for the member only once it is witnessed. Shows nothing on an
 * instance without witnesses.
 */
import { useEffect, useState } from 'react';
import type { ReceiptWitnessing } from '../core/member/seen-log.ts';
import { useI18n } from './i18n/i18n.tsx';
import { receiptWitnessed } from './logwatch.ts';
import { useApp } from './state.tsx';
import { describe } from './ui.tsx';

const TRIES = 6;
const PAUSE_MS = 2500;

type Shown = { state: 'none' } | { state: 'checking' } | ReceiptWitnessing | { state: 'gave-up'; witnessedSize: number } | { state: 'failed'; message: string };

export function WitnessedReceipt({ checkpoint }: { checkpoint: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const serverKey = useApp().instance?.verifierKey;
  const [shown, setShown] = useState<Shown>({ state: 'checking' });

  useEffect(() => {
    if (!serverKey) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const look = async (attempt: number) => {
      try {
        const r = await receiptWitnessed(checkpoint, serverKey);
        if (cancelled) return;
        if (r === null) return setShown({ state: 'none' });
        if (!r.ok) return setShown({ state: 'failed', message: `${i18n.error(r.code, r.reason)} (${r.code})` });
        if (r.status.state === 'witnessed') return setShown(r.status);
        if (attempt + 1 >= TRIES) return setShown({ state: 'gave-up', witnessedSize: r.status.witnessedSize });
        setShown(r.status);
      } catch (e) {
        if (cancelled) return;
        if (attempt + 1 >= TRIES) return setShown({ state: 'failed', message: describe(i18n, e) });
      }
      timer = setTimeout(() => void look(attempt + 1), PAUSE_MS);
    };
    void look(0);
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [checkpoint, serverKey]);

  if (shown.state === 'none') return null;
  if (shown.state === 'failed') {
    return (
      <p className="notice error" role="alert" data-testid="receipt-witnessed">
        {t('witnessed.failed', { reason: shown.message })}
      </p>
    );
  }
  return (
    <p data-testid="receipt-witnessed" data-state={shown.state} role="status">
      {shown.state === 'witnessed'
        ? t('witnessed.yes', {
            k: shown.witnesses.cosigned,
            n: shown.witnesses.witnesses.length,
            names: shown.witnesses.witnesses.filter((w) => w.cosigned).map((w) => w.name).join(', '),
            size: shown.size,
          })
        : shown.state === 'gave-up'
          ? t('witnessed.gaveUp')
          : t('witnessed.waiting')}
    </p>
  );
}
