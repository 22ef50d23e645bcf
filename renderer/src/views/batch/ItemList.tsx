import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import type { BatchItemView, BatchProgress } from '../../../../electron/contract';
import { invoke } from '../../api';
import { useI18n } from '../../i18n';

const ITEM_PAGE = 500;
const ITEM_HEIGHT = 36;

/** The per-order status, virtualised; visible pages are fetched again as progress arrives. */
export function ItemList({ job, only }: { job: BatchProgress; only: 'failed' | null }) {
  const { t, pick } = useI18n();
  const pages = useRef(new Map<number, BatchItemView[]>());
  const [, setVersion] = useState(0);
  const scrollRef = useRef<HTMLElement>(null);
  const virtualizer = useVirtualizer({
    count: only ? job.counts[only] : job.total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ITEM_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  const finished = job.counts.done + job.counts.failed + job.counts.skipped;

  // Progress events can come many times a second: refetch the visible pages at most every 400 ms.
  const lastFetch = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: refetch on progress and scroll
  useEffect(() => {
    const run = async () => {
      lastFetch.current = Date.now();
      for (let p = Math.floor(first / ITEM_PAGE); p <= Math.floor(last / ITEM_PAGE); p++) {
        const r = await invoke('batch.items', {
          jobId: job.jobId,
          offset: p * ITEM_PAGE,
          limit: ITEM_PAGE,
          ...(only ? { state: only } : {}),
        });
        if (r.ok) pages.current.set(p, r.value.items);
      }
      setVersion((v) => v + 1);
    };
    const wait = Math.max(0, 400 - (Date.now() - lastFetch.current));
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void run(), wait);
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, [job.jobId, first, last, finished, job.state, only]);

  const itemAt = (i: number) => pages.current.get(Math.floor(i / ITEM_PAGE))?.[i % ITEM_PAGE];

  return (
    <div className="item-list">
      <h3 className="sub-title">{t.batch.items}</h3>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard */}
      <section ref={scrollRef} className="item-scroll" aria-label={t.batch.items} tabIndex={0}>
        <ul className="table-inner plain-list" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((v) => {
            const it = itemAt(v.index);
            return (
              <li
                key={v.key}
                className={`item-row ${it ? `item-${it.state}` : ''}`}
                style={{ transform: `translateY(${v.start}px)`, height: ITEM_HEIGHT }}
              >
                {it ? (
                  <>
                    <span className="mono item-id">{it.orderId}</span>
                    <span className={`state state-item-${it.state}`}>{t.batch.itemStates[it.state]}</span>
                    <span className="item-message">
                      {it.errorKind
                        ? `${t.errors.kinds[it.errorKind]}${it.message ? ` — ${pick(it.message)}` : ''}`
                        : ''}
                    </span>
                  </>
                ) : (
                  <span className="skeleton" />
                )}
              </li>
            );
          })}
        </ul>
      </section>
    </div>
  );
}
