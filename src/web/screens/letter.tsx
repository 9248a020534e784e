/**
 * One letter: its words (checked against its id, shown as fingerprint words), "N of M", and for
 * a member: their status, signing anonymously, by name or sealed (the name revealed only if the
 * letter reaches its threshold: docs/protocol.md §11), withdrawing, signing again, and their
 * receipt, re-checked against the log as it grows. A signature is put in the outbox before it is
 * sent, so a server that cannot be reached never makes it vanish. After the close, a letter that
 * takes sealed signatures shows what became of them (from its result file), and the page offers
 * the result file and the recipient's document (PDF), each verified in this browser first.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Letter } from '../../core/letter/letter.ts';
import type { SealedSummary } from '../../core/bundle/bundle-sealed.ts';
import { ApiFailure, api, type LetterStatus } from '../api.ts';
import { trusteeApi } from '../api-trustee.ts';
import { device, type KeptReceipt } from '../device.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { recheckReceipt, witnessedCommitteeView, witnessedOpenedView } from '../logwatch.ts';
import { deliver, isFinal, withoutItem } from '../outbox.ts';
import { Link } from '../router.tsx';
import { prove } from '../prover/client.ts';
import { useApp } from '../state.tsx';
import { ErrorNotice, Notice, Page, ProgressView, Words, useTask } from '../ui.tsx';
import { CountLine, withMemberCounts } from './letters.tsx';
import { type ListedTrustee, trusteesOfCommittee } from '../../core/trustee/key-fingerprint.ts';
import { TrusteeKeyList } from '../trustee/trustee-keys.tsx';
import { WitnessedReceipt } from '../witnessed-receipt.tsx';
import { LetterResultSection } from './result-document.tsx';

interface Mine {
  nullifier: string;
  seq: number;
  action: 'support' | 'withdraw' | null;
  name: string | null;
}

type ReceiptCheck = { ok: true; size: number } | { ok: false; reason: string } | null;

type Display = 'anonymous' | 'named' | 'sealed';

/** What the closed letter's result file says of its sealed signatures. */
interface SealedOutcome {
  summary: SealedSummary;
  revealed: string[];
}

async function sealedOutcome(id: string): Promise<SealedOutcome | null> {
  const bundle = JSON.parse(await api.bundle(id)) as { result?: { sealed?: SealedSummary; revealed?: string[] } };
  const summary = bundle.result?.sealed;
  return summary ? { summary, revealed: bundle.result?.revealed ?? [] } : null;
}

export function LetterScreen({ id }: { id: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const app = useApp();
  const [status, setStatus] = useState<LetterStatus | null>(null);
  const [letter, setLetter] = useState<Letter | null>(null);
  const [mine, setMine] = useState<Mine | null>(null);
  const [kept, setKept] = useState<KeptReceipt | null>(() => device.receipt(id));
  const [receiptCheck, setReceiptCheck] = useState<ReceiptCheck>(null);
  const [renewed, setRenewed] = useState<'new' | 'expired' | null>(null);
  const [confirm, setConfirm] = useState<'named' | 'sealed' | null>(null);
  const [outcome, setOutcome] = useState<SealedOutcome | null>(null);
  const [trustees, setTrustees] = useState<ListedTrustee[] | null | undefined>(undefined);
  const [done, setDone] = useState<string | null>(null);
  const [kept4Retry, setKept4Retry] = useState(false);
  const load = useTask();
  const act = useTask();

  const key = app.privateKey;
  const verifierKey = app.identityFile?.label.instance ?? app.instance?.verifierKey ?? '';
  const pending = app.outbox.filter((p) => p.letterId === id);
  const waiting = pending.filter((p) => !p.refused);

  const refresh = useCallback(
    async (report?: Parameters<typeof app.ensureSession>[0]) => {
      let s = await api.letter(id);
      if (key) {
        const member = await withMemberCounts([s], app.ensureSession, report);
        s = member.letters[0];
        setRenewed(member.renewed);
      }
      const checked = await prove('check-letter', { letterId: id, letter: s.letter });
      setLetter(checked.letter);
      setStatus(s);
      if (s.status === 'closed' && checked.letter.committee) setOutcome(await sealedOutcome(id).catch(() => null));
      // The trustees of the committee this letter names (its id is part of the letter's): their keys' words.
      const committee = checked.letter.committee;
      if (committee) setTrustees(await trusteeApi.status().then((c) => trusteesOfCommittee(c.entries.map((e) => e.entry), committee.id)).catch(() => null));
      if (key) {
        const [{ nullifier }, { snapshot }] = await Promise.all([prove('nullifier', { privateKey: key, letterId: id }), api.letterRoster(id)]);
        const { commitment } = await prove('commitment', { privateKey: key });
        const state = await api.nullifierState(id, nullifier);
        const entry = snapshot.members.find((m) => m.commitment === commitment) ?? null;
        setMine({ nullifier, seq: state.seq, action: state.action, name: entry?.name ?? null });
      }
    },
    [id, key, app.ensureSession],
  );

  useEffect(() => {
    void load.run(refresh);
  }, [refresh]);

  // A member looking at an open letter will likely sign: load the circuit now, not on the click.
  const depth = letter?.roster.depth;
  useEffect(() => {
    if (key && depth && status?.status === 'open') prove('prepare', { depth }).catch(() => undefined);
  }, [key, depth, status?.status]);

  // The kept receipt, re-checked against the log as it is now (a consistency proof).
  useEffect(() => {
    if (!kept || !verifierKey) return;
    let cancelled = false;
    (async () => {
      const note = await api.checkpoint();
      const problem = await recheckReceipt(kept.receipt.checkpoint, note, verifierKey);
      if (cancelled) return;
      if (problem) {
        device.setFork({ earlier: kept.receipt.checkpoint, later: note, reason: problem });
        void app.refreshLog();
        setReceiptCheck({ ok: false, reason: problem });
      } else {
        const size = Number(note.split('\n')[1]);
        device.setReceipt({ ...kept, checkedAt: size });
        setReceiptCheck({ ok: true, size });
      }
    })().catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [kept, verifierKey]);

  const perform = async (choice: { action: 'support' | 'withdraw'; display?: Display }) => {
    if (!key || !letter) return;
    setDone(null);
    setKept4Retry(false);
    setConfirm(null);
    await act.run(async (report) => {
      if (waiting.length > 0) throw new ApiFailure('outbox_waiting', 'a signature is waiting to be sent', 0);
      const [{ snapshot }, { nullifier }] = await Promise.all([api.letterRoster(id), prove('nullifier', { privateKey: key, letterId: id })]);
      const state = await api.nullifierState(id, nullifier);
      if (choice.action === 'withdraw' && state.action !== 'support') throw new ApiFailure('nothing_to_withdraw', 'nothing to withdraw', 0);
      // A sealed name is sealed only to the key the committee's entries on the witnessed log give:
      // their checkpoint consistent with what this browser saw (here), cosigned and proven (in the worker).
      const serverKey = app.instance?.verifierKey ?? (await api.instance()).verifierKey;
      const committee = choice.display === 'sealed' ? await witnessedCommitteeView(serverKey) : undefined;
      // The letter itself is signed only as its opening on the witnessed log gives it (the roster too: it must match that letter's).
      const opened = await witnessedOpenedView('letter', id, serverKey);
      const { record } = await prove('prove-action', { privateKey: key, letterId: id, opened, snapshot, choice: { ...choice, seq: state.seq + 1 }, committee }, report);
      const item = { letterId: id, record, made: new Date().toISOString() };
      // Kept on this device before the first attempt to send it.
      app.setOutbox([...device.outbox(), item]);
      report({ stage: 'sending' });
      const d = await deliver(item, verifierKey);
      if (!d.ok && d.unreachable) {
        setKept4Retry(true);
        return;
      }
      app.setOutbox(withoutItem(device.outbox(), item));
      if (!d.ok) throw new ApiFailure(d.code, d.message, 400);
      setKept(d.kept);
      setDone(
        choice.action === 'withdraw'
          ? t('letter.withdrawn')
          : choice.display === 'named'
            ? t('letter.signedNamed')
            : choice.display === 'sealed'
              ? t('letter.signedSealed', { t: letter.revealThreshold })
              : t('letter.signedAnonymous'),
      );
      await refresh();
    });
  };

  const retryNow = async () => {
    setKept4Retry(false);
    await act.run(async (report) => {
      for (const item of waiting) {
        report({ stage: 'sending' });
        const d = await deliver(item, verifierKey);
        if (!d.ok && d.unreachable) {
          setKept4Retry(true);
          return;
        }
        app.setOutbox(withoutItem(device.outbox(), item));
        if (!d.ok) {
          if (isFinal(d.code)) throw new ApiFailure(d.code, d.message, 400);
          continue;
        }
        setKept(d.kept);
        setDone(t('letter.sentLater'));
      }
      await refresh();
    });
  };

  const dismiss = (index: number) => app.setOutbox(withoutItem(device.outbox(), pending[index]));

  const title = letter?.title ?? t('letter.loading');
  const open = status?.status === 'open';
  const supporting = mine?.action === 'support';
  const onRoster = mine?.name !== null && mine !== null;
  const display = kept && mine && kept.seq === mine.seq ? kept.display : null;
  // Sealed signatures need the letter's committee and a threshold to reveal at.
  const sealedOffered = !!letter?.committee && letter.revealThreshold >= 1;

  return (
    <Page title={title}>
      <ErrorNotice>{load.error}</ErrorNotice>
      <ProgressView step={load.busy ? load.step : null} />
      {renewed === 'expired' ? <Notice>{t('session.renewed')}</Notice> : null}
      {status && letter ? (
        <>
          <p className="muted">
            {t('letters.to', { recipient: letter.recipient })} · {t(`status.${status.status}`)} · {t('letters.deadline', { date: i18n.date(letter.deadline) })}
          </p>
          <CountLine status={status} big />
          {status.named && status.named.length > 0 ? (
            <p data-testid="named">
              {t('letter.named')} {status.named.join(', ')}
            </p>
          ) : null}
          {sealedOffered ? <SealedPanel letter={letter} closed={status.status === 'closed'} outcome={outcome} trustees={trustees} mine={display === 'sealed' && supporting ? mine?.name ?? null : null} /> : null}
          {status.status === 'closed' ? <LetterResultSection id={id} verifierKey={verifierKey} /> : null}

          <section aria-labelledby="h-me" className="panel">
            <h2 id="h-me">{t('letter.youTitle')}</h2>
            {!app.identityFile ? (
              <p>{t('letter.notMember')}</p>
            ) : !key ? (
              <p>
                {t('letters.lockedHint')} <Link to={`/unlock?next=/letters/${id}`}>{t('nav.unlock')}</Link>
              </p>
            ) : mine ? (
              <>
                <p data-testid="my-status">
                  {mine.action === null
                    ? t('letter.statusNone')
                    : mine.action === 'withdraw'
                      ? t('letter.statusWithdrew')
                      : display === 'named'
                        ? t('letter.statusNamed')
                        : display === 'sealed'
                          ? t('letter.statusSealed', { t: letter.revealThreshold })
                          : display === 'anonymous'
                          ? t('letter.statusAnonymous')
                          : t('letter.statusSigned')}
                </p>
                <p className="small">{t('letter.latestCounts')}</p>
                {!onRoster ? <Notice kind="warn">{t('error.not_on_roster')}</Notice> : null}

                {done ? <Notice kind="ok">{done}</Notice> : null}
                {kept4Retry || waiting.length > 0 ? (
                  <div className="notice warn" role="alert">
                    <p>{t('letter.keptForRetry')}</p>
                    <p>
                      <button type="button" className="button" onClick={retryNow} disabled={act.busy}>
                        {t('letter.retryNow')}
                      </button>
                    </p>
                  </div>
                ) : null}
                {pending.map((p, i) =>
                  p.refused ? (
                    <div key={i} className="notice error" role="alert">
                      <p>{t('letter.refusedLater', { date: i18n.date(p.made), reason: i18n.error(p.refused.code, p.refused.message) })}</p>
                      <button type="button" className="button small" onClick={() => dismiss(i)}>
                        {t('action.dismiss')}
                      </button>
                    </div>
                  ) : null,
                )}
                <ErrorNotice>{act.error}</ErrorNotice>
                <ProgressView step={act.step} />

                {open && onRoster && waiting.length === 0 ? (
                  supporting ? (
                    <p className="actions">
                      <button type="button" className="button" disabled={act.busy} onClick={() => perform({ action: 'withdraw' })}>
                        {t('letter.withdraw')}
                      </button>
                    </p>
                  ) : confirm === 'named' ? (
                    <div className="panel inner">
                      <p>{t('letter.namedWarning', { name: mine.name ?? '' })}</p>
                      <p className="actions">
                        <button type="button" className="button primary" disabled={act.busy} onClick={() => perform({ action: 'support', display: 'named' })}>
                          {t('letter.confirmNamed')}
                        </button>
                        <button type="button" className="button" onClick={() => setConfirm(null)}>
                          {t('action.cancel')}
                        </button>
                      </p>
                    </div>
                  ) : confirm === 'sealed' && letter.committee ? (
                    <div className="panel inner" data-testid="sealed-confirm">
                      <p>{t('letter.sealedWarning', { name: mine.name ?? '', t: letter.revealThreshold, k: letter.committee.k, n: letter.committee.n })}</p>
                      <p>{t('letter.sealedWarning2')}</p>
                      <p className="actions">
                        <button type="button" className="button primary" disabled={act.busy} onClick={() => perform({ action: 'support', display: 'sealed' })}>
                          {t('letter.confirmSealed')}
                        </button>
                        <button type="button" className="button" onClick={() => setConfirm(null)}>
                          {t('action.cancel')}
                        </button>
                      </p>
                    </div>
                  ) : (
                    <>
                      <p className="actions">
                        <button type="button" className="button primary" disabled={act.busy} onClick={() => perform({ action: 'support', display: 'anonymous' })}>
                          {mine.action === 'withdraw' ? t('letter.signAgainAnonymous') : t('letter.signAnonymous')}
                        </button>
                        <button type="button" className="button" disabled={act.busy} onClick={() => setConfirm('named')}>
                          {t('letter.signNamed')}
                        </button>
                        {sealedOffered ? (
                          <button type="button" className="button" disabled={act.busy} onClick={() => setConfirm('sealed')}>
                            {t('letter.signSealed')}
                          </button>
                        ) : null}
                      </p>
                      <p className="small">{t('letter.anonymousExplain')}</p>
                      {sealedOffered ? <p className="small">{t('letter.sealedExplain', { t: letter.revealThreshold })}</p> : null}
                    </>
                  )
                ) : null}
                {!open && status.status === 'past-deadline' ? <p>{t('letter.pastDeadline')}</p> : null}
                {status.status === 'closed' ? <p>{t('letter.closedText')}</p> : null}
              </>
            ) : null}
            {kept ? (
              <div className="receipt small" data-testid="receipt">
                <p>
                  {t('letter.receipt', { index: kept.receipt.index })}{' '}
                  {receiptCheck?.ok ? t('letter.receiptChecked', { size: receiptCheck.size }) : null}
                </p>
                <WitnessedReceipt checkpoint={kept.receipt.checkpoint} />
                {receiptCheck && !receiptCheck.ok ? (
                  <ErrorNotice>
                    {t('letter.receiptBroken')} <Link to="/log">{t('banner.forkLink')}</Link>
                  </ErrorNotice>
                ) : null}
              </div>
            ) : null}
          </section>

          <section aria-labelledby="h-text">
            <h2 id="h-text">{t('letter.textTitle')}</h2>
            <div className="letter-text">{letter.text}</div>
          </section>

          <section aria-labelledby="h-fp">
            <h2 id="h-fp">{t('letter.fingerprintTitle')}</h2>
            <p className="small">{t('letter.fingerprintText')}</p>
            <Words hex={id} label={t('letter.fingerprintTitle')} />
            <details>
              <summary>{t('letter.fullId')}</summary>
              <code className="hex">{id}</code>
            </details>
          </section>
        </>
      ) : null}
    </Page>
  );
}

/**
 * A letter that takes sealed signatures: the rule before the close; after it, what became of the
 * sealed names (none, stayed sealed below the threshold, waiting for the trustees, or revealed).
 */
function SealedPanel({ letter, closed, outcome, mine, trustees }: { letter: Letter; closed: boolean; outcome: SealedOutcome | null; mine: string | null; trustees: ListedTrustee[] | null | undefined }) {
  const i18n = useI18n();
  const { t, tn } = i18n;
  const committee = letter.committee!;
  const rule = t('sealed.rule', { t: letter.revealThreshold, k: committee.k, n: committee.n });
  if (!closed || !outcome) {
    return (
      <section aria-labelledby="h-sealed" className="panel" data-testid="sealed">
        <h2 id="h-sealed">{t('sealed.title')}</h2>
        <p>{rule}</p>
        <TrusteeKeys trustees={trustees} />
      </section>
    );
  }
  const { summary, revealed } = outcome;
  // The member who signed sealed on this device: what became of their own name.
  const mineText = !mine ? null : summary.status === 'revealed' && revealed.includes(mine) ? t('sealed.mineRevealed') : summary.status === 'below-threshold' ? t('sealed.mineStayed') : null;
  return (
    <section aria-labelledby="h-sealed" className="panel" data-testid="sealed">
      <h2 id="h-sealed">{t('sealed.title')}</h2>
      <p data-testid="sealed-outcome">
        {summary.status === 'none'
          ? t('sealed.none')
          : summary.status === 'below-threshold'
            ? tn('sealed.stayed', summary.stillSealed, { t: letter.revealThreshold })
            : summary.status === 'pending'
              ? tn('sealed.pending', summary.stillSealed, { k: committee.k, t: letter.revealThreshold })
              : revealed.length > 0
                ? `${t('sealed.revealed')} ${revealed.join(', ')}`
                : t('sealed.revealedNone')}
      </p>
      {summary.invalid.length > 0 ? <p>{tn('sealed.invalid', summary.invalid.length)}</p> : null}
      {mineText ? <p data-testid="sealed-mine">{mineText}</p> : null}
      <p className="small muted">
        {rule} {t('sealed.checkFile')}
      </p>
      <TrusteeKeys trustees={trustees} />
    </section>
  );
}

/** Under the sealed-signature rule: the letter's trustees and their keys' words, to compare in person. */
function TrusteeKeys({ trustees }: { trustees: ListedTrustee[] | null | undefined }) {
  const { t } = useI18n();
  if (trustees === undefined) return null;
  return (
    <>
      <h3>{t('sealed.trusteesTitle')}</h3>
      {trustees === null ? (
        <ErrorNotice>{t('sealed.trusteesMissing')}</ErrorNotice>
      ) : (
        <>
          <p className="small">{t('sealed.trusteesText')}</p>
          <TrusteeKeyList trustees={trustees} />
        </>
      )}
    </>
  );
}
