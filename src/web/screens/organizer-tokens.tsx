/**
 * The organizer's tokens, on the roster page: each one made by a setup link, listed by number and
 * dates (the server keeps only their SHA-256, so it cannot show them), and revocable at once. The
 * token this page uses is marked; revoking it signs this page out. The same from the server's
 * shell: `undersigned organizer tokens list|revoke`.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, type OrganizerTokenInfo } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useApp } from '../state.tsx';
import { ErrorNotice, describe, useTask } from '../ui.tsx';

export function TokensSection({ token }: { token: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const app = useApp();
  const [tokens, setTokens] = useState<OrganizerTokenInfo[] | null>(null);
  const [confirm, setConfirm] = useState<number | null>(null);
  const load = useTask();
  const change = useTask();

  const reload = useCallback(() => {
    api.organizerTokens(token).then(
      (r) => setTokens(r.tokens),
      (e: unknown) => load.setError(describe(i18n, e)),
    );
  }, [i18n, load.setError, token]);
  useEffect(reload, [reload]);

  const revoke = async (item: OrganizerTokenInfo) => {
    await change.run(async () => {
      await api.revokeOrganizerToken(token, item.id);
      setConfirm(null);
      if (item.current) app.setAdminToken(null);
      else reload();
    });
  };

  return (
    <section aria-labelledby="h-tokens">
      <h2 id="h-tokens">{t('tokens.title')}</h2>
      <p className="muted small">{t('tokens.lead')}</p>
      <ErrorNotice>{load.error}</ErrorNotice>
      <ErrorNotice>{change.error}</ErrorNotice>
      <ul className="tokens" data-testid="organizer-tokens">
        {(tokens ?? []).map((item) => (
          <li key={item.id} className="card">
            <div className="row">
              <strong>{t('tokens.name', { id: item.id })}</strong>
              {item.current ? <span className="tag ok">{t('tokens.current')}</span> : null}
              {item.expired ? <span className="tag">{t('tokens.expired')}</span> : null}
            </div>
            <p className="muted small">{t('tokens.dates', { made: i18n.date(item.createdAt), expires: i18n.date(item.expiresAt) })}</p>
            <div className="actions">
              {confirm === item.id ? (
                <>
                  <button type="button" className="button small danger" disabled={change.busy} onClick={() => revoke(item)}>
                    {t(item.current ? 'tokens.confirmRevokeOwn' : 'tokens.confirmRevoke', { id: item.id })}
                  </button>
                  <button type="button" className="button small" onClick={() => setConfirm(null)}>
                    {t('action.cancel')}
                  </button>
                </>
              ) : (
                <button type="button" className="button small" disabled={change.busy} onClick={() => setConfirm(item.id)} aria-label={t('tokens.revokeLabel', { id: item.id })}>
                  {t('tokens.revoke')}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
