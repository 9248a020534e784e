/** The ballots of this group. */
import { useI18n } from '../i18n/i18n.tsx';
import { Page } from '../ui.tsx';

export function BallotsScreen() {
  const { t } = useI18n();
  return <Page title={t('ballots.title')}>{null}</Page>;
}
