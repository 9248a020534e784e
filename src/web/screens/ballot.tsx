/** One ballot: vote, see the status, the result after the tally. */
import { useI18n } from '../i18n/i18n.tsx';
import { Page } from '../ui.tsx';

export function BallotScreen({ id }: { id: string }) {
  const { t } = useI18n();
  return <Page title={t('ballot.title')}>{id}</Page>;
}
