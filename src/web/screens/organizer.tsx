/**
 * The roster, for the organizer: add members one at a time or from a CSV file, give a new code,
 * approve the replacement of a lost identity, remove a member. Every change is a public log
 * entry. New codes are kept in this tab only, for the printable sheet: the sheet (PDF) is offered
 * the moment codes are made, and leaving the tab asks first.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { RosterMember, RosterRef } from '../../core/roster/roster.ts';
import { api, type IssuedCode } from '../api.ts';
import { device } from '../device.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { useApp } from '../state.tsx';
import { ErrorNotice, Field, Notice, Page, describe, useTask } from '../ui.tsx';
import { OrganizerNav, RequireOrganizer } from './organizer-shared.tsx';
import { CommitteeSection } from '../trustee/organizer-committee.tsx';
import { SheetDownload, useLeaveWarning } from './enrollment-slips.tsx';
import { TokensSection } from './organizer-tokens.tsx';

/** Members shown per page of the organizer's roster. */
const PAGE_SIZE = 50;

function Pager({ offset, total, onGo }: { offset: number; total: number; onGo: (offset: number) => void }) {
  const { t } = useI18n();
  return (
    <nav className="pager" aria-label={t('organizer.pageRange', { from: offset + 1, to: Math.min(total, offset + PAGE_SIZE), total })}>
      <button type="button" className="button small" disabled={offset === 0} onClick={() => onGo(Math.max(0, offset - PAGE_SIZE))}>
        {t('organizer.previousPage')}
      </button>
      <span>{t('organizer.pageRange', { from: offset + 1, to: Math.min(total, offset + PAGE_SIZE), total })}</span>
      <button type="button" className="button small" disabled={offset + PAGE_SIZE >= total} onClick={() => onGo(offset + PAGE_SIZE)}>
        {t('organizer.nextPage')}
      </button>
    </nav>
  );
}

export function OrganizerScreen() {
  const { t } = useI18n();
  return <RequireOrganizer title={t('organizer.title')}>{(token) => <Roster token={token} />}</RequireOrganizer>;
}

function Roster({ token }: { token: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const app = useApp();
  // One page of the roster at a time: a roster of 100,000 is never rendered (or downloaded) whole.
  const [page, setPage] = useState<{ ref: RosterRef; total: number; members: RosterMember[] } | null>(null);
  const [offset, setOffset] = useState(0);
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [codes, setCodes] = useState<IssuedCode[]>(() => device.issuedCodes());
  const [name, setName] = useState('');
  const [csv, setCsv] = useState<{ name: string; text: string } | null>(null);
  const [confirmRemove, setConfirmRemove] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [fileKey, setFileKey] = useState(0);
  const load = useTask();
  const change = useTask();

  const reload = useCallback(() => {
    api.rosterPage(offset, PAGE_SIZE, query).then(
      (r) => setPage(r),
      (e: unknown) => load.setError(describe(i18n, e)),
    );
  }, [i18n, load.setError, offset, query]);
  useEffect(reload, [reload]);

  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    setOffset(0);
    setQuery(search.trim());
  };

  const addCodes = (more: IssuedCode[]) => {
    const next = [...device.issuedCodes().filter((c) => !more.some((m) => m.id === c.id)), ...more];
    device.setIssuedCodes(next);
    setCodes(next);
  };

  const onAdd = async (e: FormEvent) => {
    e.preventDefault();
    setNotice(null);
    await change.run(async () => {
      const m = await api.addMember(token, name.trim());
      addCodes([m]);
      setName('');
      setNotice(t('organizer.added', { name: m.name }));
      reload();
    });
  };

  const onImport = async (e: FormEvent) => {
    e.preventDefault();
    if (!csv) return;
    setNotice(null);
    await change.run(async () => {
      const r = await api.importMembers(token, csv.text);
      addCodes(r.members);
      setCsv(null);
      setFileKey((k) => k + 1);
      setNotice(i18n.tn('organizer.imported', r.members.length));
      reload();
    });
  };

  const act = async (id: number, memberName: string, what: 'code' | 'replace' | 'remove') => {
    setNotice(null);
    await change.run(async () => {
      if (what === 'remove') {
        await api.removeMember(token, id);
        setConfirmRemove(null);
        setNotice(t('organizer.removed', { name: memberName }));
      } else {
        const r = what === 'code' ? await api.reissueCode(token, id) : await api.approveReplacement(token, id);
        addCodes([{ id, name: memberName, code: r.code, expiresAt: r.expiresAt }]);
        setNotice(t(what === 'code' ? 'organizer.newCodeDone' : 'organizer.replaceDone', { name: memberName }));
      }
      reload();
    });
  };

  const members = page?.members ?? [];
  useLeaveWarning(codes.length > 0);

  return (
    <Page title={t('organizer.title')}>
      <OrganizerNav />
      {notice ? <Notice kind="ok">{notice}</Notice> : null}
      <ErrorNotice>{change.error}</ErrorNotice>

      {codes.length > 0 ? (
        <div className="notice info" role="status">
          <p>{i18n.tn('organizer.codesWaiting', codes.length)}</p>
          <p>{t('codes.downloadHint')}</p>
          <p className="actions">
            <SheetDownload codes={codes} group={app.instance?.name ?? ''} primary />
            <Link className="button" to="/organizer/codes">
              {t('organizer.printCodes')}
            </Link>
          </p>
        </div>
      ) : null}

      <section aria-labelledby="h-add">
        <h2 id="h-add">{t('organizer.addTitle')}</h2>
        <form onSubmit={onAdd} className="inline">
          <Field label={t('organizer.name')}>
            {({ id }) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} autoComplete="off" required />}
          </Field>
          <button type="submit" className="button primary" disabled={change.busy || name.trim() === ''}>
            {t('organizer.add')}
          </button>
        </form>
        <form onSubmit={onImport}>
          <Field label={t('organizer.csv')} hint={t('organizer.csvHint')}>
            {({ id, describedBy }) => (
              <input
                key={fileKey}
                id={id}
                type="file"
                accept=".csv,text/csv,text/plain"
                aria-describedby={describedBy}
                onChange={async (e) => {
                  const f = e.target.files?.[0];
                  setCsv(f ? { name: f.name, text: await f.text() } : null);
                }}
              />
            )}
          </Field>
          <button type="submit" className="button" disabled={change.busy || !csv}>
            {t('organizer.import')}
          </button>
        </form>
      </section>

      <section aria-labelledby="h-roster">
        <h2 id="h-roster">{t('organizer.rosterTitle')}</h2>
        {page ? <p>{t('organizer.rosterCounts', { n: page.ref.size, e: page.ref.enrolled })}</p> : null}
        <ErrorNotice>{load.error}</ErrorNotice>
        {page && page.ref.size === 0 ? <p className="muted">{t('organizer.empty')}</p> : null}
        {page && page.ref.size > 0 ? (
          <form onSubmit={onSearch} className="inline" role="search">
            <Field label={t('organizer.search')}>
              {({ id }) => <input id={id} type="search" value={search} onChange={(e) => setSearch(e.target.value)} maxLength={200} autoComplete="off" />}
            </Field>
            <button type="submit" className="button">
              {t('organizer.searchButton')}
            </button>
            {query ? (
              <button
                type="button"
                className="button"
                onClick={() => {
                  setSearch('');
                  setQuery('');
                  setOffset(0);
                }}
              >
                {t('organizer.showAll')}
              </button>
            ) : null}
          </form>
        ) : null}
        {page && query ? <p role="status">{page.total === 0 ? t('organizer.noMatch', { q: query }) : i18n.tn('organizer.matches', page.total, { q: query })}</p> : null}
        {page && page.total > PAGE_SIZE ? <Pager offset={offset} total={page.total} onGo={setOffset} /> : null}
        <ul className="roster">
          {members.map((m) => (
            <li key={m.id} className="card">
              <div className="row">
                <strong>{m.name}</strong>
                <span className={m.commitment ? 'tag ok' : 'tag'}>{m.commitment ? t('organizer.enrolled') : t('organizer.notEnrolled')}</span>
              </div>
              <div className="actions">
                {m.commitment ? (
                  <button type="button" className="button small" disabled={change.busy} onClick={() => act(m.id, m.name, 'replace')}>
                    {t('organizer.replace')}
                  </button>
                ) : (
                  <button type="button" className="button small" disabled={change.busy} onClick={() => act(m.id, m.name, 'code')}>
                    {t('organizer.newCode')}
                  </button>
                )}
                {confirmRemove === m.id ? (
                  <>
                    <button type="button" className="button small danger" disabled={change.busy} onClick={() => act(m.id, m.name, 'remove')}>
                      {t('organizer.confirmRemove', { name: m.name })}
                    </button>
                    <button type="button" className="button small" onClick={() => setConfirmRemove(null)}>
                      {t('action.cancel')}
                    </button>
                  </>
                ) : (
                  <button type="button" className="button small" disabled={change.busy} onClick={() => setConfirmRemove(m.id)} aria-label={t('organizer.removeLabel', { name: m.name })}>
                    {t('organizer.remove')}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
        {page && page.total > PAGE_SIZE ? <Pager offset={offset} total={page.total} onGo={setOffset} /> : null}
        <p className="muted small">{t('organizer.logNote')}</p>
      </section>

      <CommitteeSection token={token} />
      <TokensSection token={token} />
      <p className="muted small">
        <button type="button" className="link" onClick={() => app.setAdminToken(null)}>
          {t('organizer.forgetToken')}
        </button>
      </p>
    </Page>
  );
}
