/** The trustee page: join the committee, keep the share file, do the trustee's duties. */
import { useI18n } from '../i18n/i18n.tsx';
import { Page } from '../ui.tsx';

export function TrusteeScreen() {
  const { t } = useI18n();
  return <Page title={t('trustee.title')}>{null}</Page>;
}
