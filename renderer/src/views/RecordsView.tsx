import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { FindingCode, RecordFlag, RecordRow } from '../../../electron/contract';
import { type ClearanceError, invoke } from '../api';
import { ExpiryBadge } from '../components/ExpiryBadge';
import { FindingFilter } from '../components/FindingFilter';
import { useI18n } from '../i18n';
import { useApp } from '../state';
import { ANY_DATE, type DateChoice, DateFilter, dateRange } from './records/DateFilter';

const PAGE = 200;
const ROW_HEIGHT = 44;
const FLAGS: RecordFlag[] = ['expired', 'expiring', 'invalid', 'no-images'];
type Sort = 'fetchedAt' | 'orderId' | 'expiry';

interface Query {
  text: string;
  flags: RecordFlag[];
  /** The fetch-date filter, as the search's fetchedFrom / fetchedTo. */
  range: ReturnType<typeof dateRange>;
  finding: FindingCode | null;
  sort: Sort;
  order: 'asc' | 'desc';
}

/** Selection by row index within the current query: everything, or a set of indices. */
interface Selection {
  all: boolean;
  set: Set<number>;
}
const NONE: Selection = { all: false, set: new Set() };

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setV(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return v;
}

/** The last search of this session (the view unmounts when a card is opened). */
let kept: { text: string; flags: RecordFlag[]; sort: { sort: Sort; order: 'asc' | 'desc' } } = {
  text: '',
  flags: [],
  sort: { sort: 'fetchedAt', order: 'desc' },
};

/**
 * Every stored record in a virtualised list. Rows are fetched in pages of 200 as they scroll
 * into view, so 100,000 records cost only the pages looked at.
 */
export function RecordsView() {
  const { t, dateTime } = useI18n();
  const app = useApp();
  const [text, setText] = useState(kept.text);
  /** The backend took the text for a whole ID number: an exact, audited search (and the team's state). */
  const [idSearch, setIdSearch] = useState<'off' | 'searched' | 'unreachable' | null>(null);
  const [flags, setFlags] = useState<RecordFlag[]>(kept.flags);
  const [finding, setFinding] = useState<FindingCode | null>(null);
  const [dates, setDates] = useState<DateChoice>(ANY_DATE);
  const [sort, setSort] = useState<{ sort: Sort; order: 'asc' | 'desc' }>(kept.sort);
  // The search survives opening a card and coming back.
  useEffect(() => {
    kept = { text, flags, sort };
  }, [text, flags, sort]);
  const debounced = useDebounced(text.trim(), 250);
  const query: Query = useMemo(
    () => ({ text: debounced, flags, finding, range: dateRange(dates), ...sort }),
    [debounced, flags, finding, dates, sort],
  );

  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<ClearanceError | null>(null);
  const [, setVersion] = useState(0);
  const pages = useRef(new Map<number, RecordRow[]>());
  const inFlight = useRef(new Map<number, Promise<RecordRow[] | null>>());
  const generation = useRef(0);
  const [selection, setSelection] = useState<Selection>(NONE);
  const [active, setActive] = useState(0);
  const anchor = useRef<number | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [reloadKey, setReloadKey] = useState(0);

  const fetchPage = useCallback(
    (page: number): Promise<RecordRow[] | null> => {
      const cached = pages.current.get(page);
      if (cached) return Promise.resolve(cached);
      const running = inFlight.current.get(page);
      if (running) return running;
      const gen = generation.current;
      const p = (async () => {
        const r = await invoke('records.search', {
          ...query.range,
          ...(query.text ? { text: query.text } : {}),
          ...(query.flags.length ? { flags: query.flags } : {}),
          ...(query.finding ? { finding: query.finding } : {}),
          sort: query.sort,
          order: query.order,
          offset: page * PAGE,
          limit: PAGE,
        });
        if (gen !== generation.current) return null;
        inFlight.current.delete(page);
        if (!r.ok) {
          setError(r.error);
          return null;
        }
        pages.current.set(page, r.value.rows);
        setTotal(r.value.total);
        setIdSearch(r.value.idNumber?.team ?? null);
        setVersion((v) => v + 1);
        return r.value.rows;
      })();
      inFlight.current.set(page, p);
      return p;
    },
    [query],
  );

  // A new query starts from nothing: fresh pages, no selection, scrolled to the top.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reloadKey forces a refetch
  useEffect(() => {
    generation.current++;
    pages.current = new Map();
    inFlight.current = new Map();
    setSelection(NONE);
    setActive(0);
    anchor.current = null;
    setError(null);
    setTotal(null);
    scrollRef.current?.scrollTo({ top: 0 });
    void fetchPage(0);
  }, [fetchPage, reloadKey]);

  const count = total ?? 0;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    if (total === null || total === 0) return;
    for (let p = Math.floor(first / PAGE); p <= Math.floor(last / PAGE); p++) void fetchPage(p);
  }, [first, last, total, fetchPage]);

  const rowAt = (i: number) => pages.current.get(Math.floor(i / PAGE))?.[i % PAGE];
  const isSelected = (i: number) => selection.all || selection.set.has(i);
  const selectedCount = selection.all ? count : selection.set.size;

  const select = (i: number, e: { shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }) => {
    setActive(i);
    if (e.shiftKey && anchor.current !== null) {
      const [a, b] = anchor.current < i ? [anchor.current, i] : [i, anchor.current];
      const set = new Set(e.ctrlKey || e.metaKey ? selection.set : []);
      for (let k = a; k <= b; k++) set.add(k);
      setSelection({ all: false, set });
      return;
    }
    anchor.current = i;
    if (e.ctrlKey || e.metaKey) {
      const set = selection.all
        ? new Set(Array.from({ length: count }, (_, k) => k))
        : new Set(selection.set);
      if (set.has(i)) set.delete(i);
      else set.add(i);
      setSelection({ all: false, set });
    } else setSelection({ all: false, set: new Set([i]) });
  };

  /** The order ids of the selection, fetching the pages not seen yet. */
  const selectedIds = async (): Promise<string[]> => {
    if (selection.all) {
      const r = await invoke('records.ids', {
        ...query.range,
        ...(query.text ? { text: query.text } : {}),
        ...(query.flags.length ? { flags: query.flags } : {}),
        ...(query.finding ? { finding: query.finding } : {}),
        sort: query.sort,
        order: query.order,
      });
      if (r.ok) return r.value.orderIds;
      app.notifyError(r.error);
      return [];
    }
    const indices = [...selection.set].sort((a, b) => a - b);
    const needed = [...new Set(indices.map((i) => Math.floor(i / PAGE)))];
    for (let k = 0; k < needed.length; k += 6) await Promise.all(needed.slice(k, k + 6).map(fetchPage));
    return indices.map(rowAt).flatMap((r) => (r ? [r.orderId] : []));
  };

  const exportSelection = async () => {
    if (selectedCount === 0) return;
    const unfiltered =
      !query.text && query.flags.length === 0 && !query.finding && Object.keys(query.range).length === 0;
    app.openExport(selection.all && unfiltered ? 'all' : await selectedIds());
  };

  const forgetSelection = async () => {
    if (selectedCount === 0) return;
    const ids = await selectedIds();
    const yes = await app.confirm({
      title: t.records.forgetTitle(ids.length),
      body: t.records.forgetBody,
      confirmLabel: t.records.forgetSelected,
      danger: true,
    });
    if (!yes) return;
    const r = await invoke('records.forget', { orderIds: ids });
    if (!r.ok) {
      app.notifyError(r.error);
      return;
    }
    app.notify('success', t.records.forgotten(r.value.count));
    setReloadKey((k) => k + 1);
  };

  // Ctrl+E exports the selection while this view is open.
  const exportRef = useRef(exportSelection);
  exportRef.current = exportSelection;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'e') {
        e.preventDefault();
        void exportRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const open = (i: number) => {
    const row = rowAt(i);
    if (row) app.openOrder(row.orderId);
  };

  const onListKey = (e: React.KeyboardEvent) => {
    if (count === 0) return;
    const move = (to: number) => {
      const next = Math.max(0, Math.min(count - 1, to));
      e.preventDefault();
      if (e.shiftKey) {
        // The row the extension starts from is part of it, even before any click.
        if (anchor.current === null) anchor.current = active;
        select(next, { shiftKey: true, ctrlKey: false, metaKey: false });
      } else setActive(next);
      virtualizer.scrollToIndex(next);
    };
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    if (e.key === 'ArrowDown') move(active + 1);
    else if (e.key === 'ArrowUp') move(active - 1);
    else if (e.key === 'PageDown') move(active + page);
    else if (e.key === 'PageUp') move(active - page);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(count - 1);
    else if (e.key === ' ') {
      e.preventDefault();
      select(active, { shiftKey: false, ctrlKey: true, metaKey: false });
    } else if (e.key === 'Enter') {
      e.preventDefault();
      open(active);
    } else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'a') {
      e.preventDefault();
      setSelection({ all: true, set: new Set() });
    } else if (e.key === 'Escape' && selectedCount > 0) {
      e.preventDefault();
      setSelection(NONE);
    }
  };

  const toggleFlag = (f: RecordFlag) =>
    setFlags((list) => (list.includes(f) ? list.filter((x) => x !== f) : [...list, f]));

  const sortBy = (s: Sort) =>
    setSort((cur) => ({ sort: s, order: cur.sort === s && cur.order === 'desc' ? 'asc' : 'desc' }));
  const ariaSort = (s: Sort) =>
    sort.sort === s ? (sort.order === 'asc' ? t.records.sortedAsc : t.records.sortedDesc) : '';
  const sortHeader = (s: Sort, label: string) => (
    <div className={`col col-${s}`}>
      <button type="button" className="sort-button" onClick={() => sortBy(s)}>
        {label}
        <span className="visually-hidden">{ariaSort(s)}</span>
        <span aria-hidden="true" className="sort-mark">
          {sort.sort === s ? (sort.order === 'asc' ? '▲' : '▼') : ''}
        </span>
      </button>
    </div>
  );

  const filtered =
    query.text !== '' ||
    query.flags.length > 0 ||
    query.finding !== null ||
    Object.keys(query.range).length > 0;
  const activeId = count > 0 ? `record-${active}` : undefined;

  return (
    <div className="records-view">
      <div className="toolbar">
        <label className="search-field">
          <span className="visually-hidden">{t.records.search}</span>
          <input
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={t.records.searchPlaceholder}
            aria-label={t.records.search}
          />
        </label>
        <fieldset className="chips">
          <legend className="visually-hidden">{t.records.filters}</legend>
          {FLAGS.map((f) => (
            <button
              key={f}
              type="button"
              className={`chip chip-${f}`}
              aria-pressed={flags.includes(f)}
              onClick={() => toggleFlag(f)}
            >
              {t.flags[f]}
            </button>
          ))}
        </fieldset>
        <FindingFilter value={finding} onChange={setFinding} />
        <span className="spacer" />
        <span className="count" role="status">
          {idSearch !== null && query.text !== '' ? (
            <span className="id-search-note">
              {idSearch === 'searched'
                ? t.records.idNumberSearchTeam
                : idSearch === 'unreachable'
                  ? t.records.idNumberSearchOffline
                  : t.records.idNumberSearch}
              {' · '}
            </span>
          ) : null}
          {total === null ? t.common.loading : t.records.total(total)}
          {selectedCount > 0 ? ` · ${t.records.selected(selectedCount)}` : ''}
        </span>
      </div>

      <div className="toolbar toolbar-dates">
        <DateFilter value={dates} onChange={setDates} />
      </div>

      <div className="toolbar toolbar-actions">
        <button
          type="button"
          className="button"
          disabled={count === 0}
          onClick={() => setSelection({ all: true, set: new Set() })}
        >
          {t.records.selectAll}
        </button>
        <button
          type="button"
          className="button"
          disabled={selectedCount === 0}
          onClick={() => setSelection(NONE)}
        >
          {t.records.clearSelection}
        </button>
        <button
          type="button"
          className="button button-primary"
          disabled={selectedCount === 0}
          onClick={exportSelection}
          aria-keyshortcuts="Control+E"
        >
          {t.records.exportSelected}
        </button>
        <button
          type="button"
          className="button button-danger-quiet"
          disabled={selectedCount === 0}
          onClick={forgetSelection}
        >
          {t.records.forgetSelected}
        </button>
        <span className="spacer" />
        <span className="hint">{t.records.hint}</span>
      </div>

      <div className="table">
        <div className="table-head" role="presentation">
          <div className="row row-head">
            {sortHeader('orderId', t.records.cols.orderId)}
            <div className="col col-name">{t.records.cols.name}</div>
            <div className="col col-idnumber">{t.records.cols.idNumber}</div>
            {sortHeader('expiry', t.records.cols.expiry)}
            <div className="col col-flags">{t.records.cols.flags}</div>
            {sortHeader('fetchedAt', t.records.cols.fetchedAt)}
            <div className="col col-profile">{t.records.cols.profile}</div>
          </div>
        </div>
        {error ? (
          <div className="table-state" role="alert">
            <p>{t.errors.kinds[error.kind]}</p>
            <p className="muted">{error.message[app.status.preferences.language]}</p>
            <button type="button" className="button" onClick={() => setReloadKey((k) => k + 1)}>
              {t.common.retry}
            </button>
          </div>
        ) : total === 0 ? (
          <div className="table-state empty-state">
            <p>{filtered ? t.records.noMatch : t.records.empty}</p>
          </div>
        ) : (
          <div
            ref={scrollRef}
            className="table-scroll"
            role="listbox"
            aria-multiselectable="true"
            aria-label={t.records.listLabel}
            aria-activedescendant={activeId}
            aria-busy={total === null}
            tabIndex={0}
            onKeyDown={onListKey}
          >
            <div className="table-inner" style={{ height: virtualizer.getTotalSize() }}>
              {items.map((v) => {
                const row = rowAt(v.index);
                const selected = isSelected(v.index);
                return (
                  // biome-ignore lint/a11y/useFocusableInteractive: focus stays on the listbox (aria-activedescendant)
                  // biome-ignore lint/a11y/useKeyWithClickEvents: the listbox handles the keys for its options
                  <div
                    key={v.key}
                    id={`record-${v.index}`}
                    role="option"
                    aria-selected={selected}
                    aria-setsize={count}
                    aria-posinset={v.index + 1}
                    className={`row ${selected ? 'row-selected' : ''} ${v.index === active ? 'row-active' : ''} ${v.index % 2 ? 'row-odd' : ''}`}
                    style={{ transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}
                    onClick={(e) => {
                      select(v.index, e);
                      scrollRef.current?.focus({ preventScroll: true });
                    }}
                    onDoubleClick={() => open(v.index)}
                  >
                    {row ? (
                      <>
                        <div className="col col-orderId mono">{row.orderId}</div>
                        <div className="col col-name">{row.maskedName}</div>
                        <div className="col col-idnumber mono">{row.maskedIdNumber}</div>
                        <div className="col col-expiry">
                          <ExpiryBadge status={row.expiryStatus} daysLeft={null} />
                        </div>
                        <div className="col col-flags">
                          {row.flags
                            .filter((f) => f === 'invalid' || f === 'no-images')
                            .map((f) => (
                              <span key={f} className={`tag tag-${f}`}>
                                {t.flags[f]}
                              </span>
                            ))}
                        </div>
                        <div className="col col-fetchedAt">{dateTime(row.fetchedAt)}</div>
                        <div className="col col-profile">{row.profile}</div>
                      </>
                    ) : (
                      <div className="col skeleton" />
                    )}
                  </div>
                );
              })}
            </div>
          </div>
        )}
      </div>
    </div>
  );
}
