/**
 * Where the trustee committee stands, as the server's status route reports it (the trustee
 * worker re-checks every entry itself before acting): each trustee's step in the key
 * generation, what it waits for, and the fingerprint of the key once it is on the log.
 */
import type { CommitteeStatus } from '../api-trustee.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/en.ts';
import { trusteesOfCommittee } from '../../core/trustee/key-fingerprint.ts';
import { Words } from '../ui.tsx';
import { TrusteeKeyList } from './trustee-keys.tsx';

type Stage = 'invited' | 'joined' | 'dealt' | 'acked' | 'complained' | 'disqualified';

export function trusteeStages(status: CommitteeStatus): Map<number, Stage> {
  const stages = new Map<number, Stage>();
  for (const t of status.trustees) stages.set(t.index, t.joined ? 'joined' : 'invited');
  for (const { entry } of status.entries) {
    if (entry.kind === 'dkg-contribution') stages.set(entry.contribution.dealer, 'dealt');
    else if (entry.kind === 'dkg-ack') stages.set(entry.trustee, 'acked');
    else if (entry.kind === 'dkg-complaint') stages.set(entry.accuser, 'complained');
  }
  for (const d of status.disqualified) stages.set(d, 'disqualified');
  return stages;
}

/** `mine`: the transport key of the trustee reading, whose words are marked as theirs. */
export function CommitteeStatusView({ status, mine }: { status: CommitteeStatus; mine?: string }) {
  const { t } = useI18n();
  const stages = trusteeStages(status);
  const keys = status.committeeId ? trusteesOfCommittee(status.entries.map((e) => e.entry), status.committeeId) : null;
  const k = status.k ?? null;
  const n = status.n ?? status.trustees.length;
  const where: MessageKey = status.ready
    ? 'committee.ready'
    : !status.created
      ? 'committee.waitingJoin'
      : status.waitingFor?.contribution.length
        ? 'committee.waitingDeal'
        : 'committee.waitingCheck';
  return (
    <div data-testid="committee-status">
      {status.failure ? <p className="notice error">{t('committee.failed', { reason: status.failure })}</p> : <p>{t(where)}</p>}
      {k !== null ? <p>{t('committee.kOfN', { k, n })}</p> : null}
      <ul className="roster">
        {status.trustees.map((tr) => {
          const stage = stages.get(tr.index) ?? 'invited';
          const ok = stage === 'acked' || (status.ready && stage !== 'disqualified');
          return (
            <li key={tr.index} className="card">
              <div className="row">
                <strong>
                  {tr.index}. {tr.name}
                </strong>
                <span className={ok ? 'tag ok' : 'tag'}>{t(`committee.stage.${stage}` as MessageKey)}</span>
              </div>
            </li>
          );
        })}
      </ul>
      {keys ? (
        <>
          <h3>{t('trustee.keysTitle')}</h3>
          <p className="small">{t('trustee.keysText')}</p>
          <TrusteeKeyList trustees={keys} mine={mine} />
        </>
      ) : null}
      {status.publicKey ? (
        <>
          <h3>{t('committee.keyWords')}</h3>
          <Words hex={status.publicKey} label={t('committee.keyWords')} />
        </>
      ) : null}
    </div>
  );
}
