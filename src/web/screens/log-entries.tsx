/**
 * The public log's entries on the log page: newest first, 50 a page (GET /api/log/entries serves
 * at most 1000 at once), each with its index, its kind and one line saying what it records. An
 * entry the server holds back (a signature on a letter whose count is not public yet) shows as
 * held back: its leaf hash is in the tree all the same.
 */
import { useEffect, useState } from 'react';
import type { LogEntry } from '../../core/log/entry.ts';
import { api } from '../api.ts';
import { type I18n, useI18n } from '../i18n/i18n.tsx';
import { ErrorNotice, describe } from '../ui.tsx';

export const PAGE_SIZE = 50;

/** Entries [start, end) of page `page` (0: the newest) of a log of `size` entries. */
export function pageRange(size: number, page: number): { start: number; end: number } {
  const end = Math.max(0, size - page * PAGE_SIZE);
  return { start: Math.max(0, end - PAGE_SIZE), end };
}

const short = (hex: string) => `${hex.slice(0, 12)}…`;

/** One line of what an entry records, in the reader's language. */
export function entrySummary(i18n: I18n, entry: LogEntry | null): string {
  const { t } = i18n;
  if (entry === null) return t('logEntry.hidden');
  switch (entry.kind) {
    case 'instance-created':
      return t('logEntry.instance', { name: entry.name });
    case 'witness-policy':
      return entry.policy
        ? t('logEntry.witnesses', { k: entry.policy.quorum, n: entry.policy.witnesses.length, names: entry.policy.witnesses.map((w) => w.split('+')[0]).join(', ') })
        : t('logEntry.noWitnesses');
    case 'member-added':
      return t('logEntry.memberAdded', { member: entry.member, name: entry.name });
    case 'member-enrolled':
      return t('logEntry.memberEnrolled', { member: entry.member, leaf: entry.leaf });
    case 'member-replaced':
      return t('logEntry.memberReplaced', { member: entry.member, leaf: entry.leaf });
    case 'member-removed':
      return t('logEntry.memberRemoved', { member: entry.member });
    case 'letter-opened':
      return t('logEntry.letterOpened', { title: entry.letter.title, recipient: entry.letter.recipient, id: short(entry.letterId) });
    case 'signature': {
      const a = entry.record.action;
      if (a.action === 'withdraw') return t('logEntry.withdrawn', { id: short(entry.letterId) });
      return t(`logEntry.signature.${a.display}`, { id: short(entry.letterId) });
    }
    case 'letter-closed':
      return t('logEntry.letterClosed', { id: short(entry.letterId), count: entry.result.count });
    case 'committee-created':
      return t('logEntry.committeeCreated', { name: entry.committee.name, k: entry.committee.k, n: entry.committee.n });
    case 'dkg-contribution':
      return t('logEntry.contribution', { trustee: entry.contribution.dealer });
    case 'dkg-ack':
      return t('logEntry.ack', { trustee: entry.trustee });
    case 'dkg-complaint':
      return t('logEntry.complaint', { trustee: entry.accuser });
    case 'committee-ready':
      return t('logEntry.committeeReady', { id: short(entry.committeeId) });
    case 'reveal-partials':
      return t('logEntry.reveal', { trustee: entry.trustee, id: short(entry.letterId) });
    case 'ballot-opened':
      return t('logEntry.ballotOpened', { question: entry.ballot.question, id: short(entry.ballotId) });
    case 'vote':
      return t('logEntry.vote', { id: short(entry.ballotId) });
    case 'ballot-closed':
      return t('logEntry.ballotClosed', { id: short(entry.ballotId), voters: entry.voters });
    case 'tally-partials':
      return t('logEntry.tally', { trustee: entry.trustee, id: short(entry.ballotId) });
  }
}

type Row = { index: number; entry: LogEntry | null };

export function LogEntries({ size }: { size: number }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [page, setPage] = useState(0);
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pages = Math.max(1, Math.ceil(size / PAGE_SIZE));

  useEffect(() => {
    const { start, end } = pageRange(size, page);
    if (end <= start) return setRows([]);
    let cancelled = false;
    api.entries(start, end).then(
      (r) => {
        if (!cancelled) setRows([...r.entries].reverse());
      },
      (e: unknown) => {
        if (!cancelled) setError(describe(i18n, e));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [size, page]);

  const nav = (
    <p className="actions pager">
      <button type="button" className="button small" disabled={page === 0} onClick={() => setPage(page - 1)}>
        {t('log.newer')}
      </button>
      <span>{t('log.page', { page: page + 1, pages })}</span>
      <button type="button" className="button small" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
        {t('log.older')}
      </button>
    </p>
  );
  return (
    <section aria-labelledby="h-entries" data-testid="log-entries">
      <h2 id="h-entries">{t('log.entriesTitle')}</h2>
      <p className="small">{t('log.entriesText')}</p>
      <ErrorNotice>{error}</ErrorNotice>
      {nav}
      {rows ? (
        <ol className="log-entries">
          {rows.map((r) => (
            <li key={r.index} data-testid="log-entry">
              <span className="entry-index">{i18n.number(r.index)}</span> <code className="entry-kind">{r.entry?.kind ?? t('logEntry.hiddenKind')}</code>{' '}
              <span className="entry-what">{entrySummary(i18n, r.entry)}</span>
            </li>
          ))}
        </ol>
      ) : null}
      {pages > 1 ? nav : null}
    </section>
  );
}
