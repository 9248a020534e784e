/**
 * The trustees' transport keys as fingerprint words (src/core/trustee/key-fingerprint.ts), to be
 * compared out of band: each trustee reads their own words aloud; the organizer, the other
 * trustees and the members check them against what their own page shows. And the alarm a
 * trustee's page raises on an entry in their name that they did not make (own-watch.ts).
 */
import { transportKeyFingerprint, type ListedTrustee } from '../../core/trustee/key-fingerprint.ts';
import type { OwnAlarm } from '../../core/trustee/own-entries.ts';
import { useI18n, type I18n } from '../i18n/i18n.tsx';
import { Words } from '../ui.tsx';

/** Each trustee: index, name and the words of their key; the reader's own key marked as theirs. */
export function TrusteeKeyList({ trustees, mine }: { trustees: ListedTrustee[]; mine?: string }) {
  const { t } = useI18n();
  return (
    <ul className="roster" data-testid="trustee-keys">
      {trustees.map((tr) => {
        const yours = tr.transportKey === mine;
        return (
          <li key={tr.index} className={yours ? 'card mine' : 'card'} data-testid={yours ? 'trustee-key-mine' : undefined}>
            <strong>
              {tr.index}. {tr.name}
            </strong>
            {yours ? <p className="small">{t('trustee.keyYours')}</p> : null}
            <Words hex={transportKeyFingerprint(tr.transportKey)} label={t('trustee.keyWordsOf', { index: tr.index, name: tr.name })} />
          </li>
        );
      })}
    </ul>
  );
}

function alarmText(i18n: I18n, a: OwnAlarm): string {
  switch (a.code) {
    case 'slot_not_mine':
      return i18n.t('trustee.alarm.slot', { index: a.index, slot: a.slot });
    case 'not_made_here':
      return i18n.t(a.signedByMe ? 'trustee.alarm.elsewhere' : 'trustee.alarm.forged', { index: a.index, kind: a.kind });
    case 'made_twice':
      return i18n.t('trustee.alarm.twice', { index: a.index, kind: a.kind, first: a.first });
  }
}

export function OwnAlarms({ alarms }: { alarms: OwnAlarm[] }) {
  const i18n = useI18n();
  if (!alarms.length) return null;
  return (
    <section className="danger-zone" role="alert" aria-labelledby="h-trustee-alarm" data-testid="trustee-alarm">
      <h2 id="h-trustee-alarm">{i18n.t('trustee.alarmTitle')}</h2>
      <ul>
        {alarms.map((a) => (
          <li key={`${a.code}-${a.index}`}>{alarmText(i18n, a)}</li>
        ))}
      </ul>
      <p>{i18n.t('trustee.alarmWhat')}</p>
    </section>
  );
}
