import { useEffect, useRef, useState } from 'react';
import type { RecordFlag } from '../../../electron/contract';
import { invoke } from '../api';
import { useAction } from '../hooks/useAction';
import { useI18n } from '../i18n';
import { useApp } from '../state';
import { ExportPackageFields, NO_PACKAGE, packageRequest } from './ExportPackage';
import { Modal } from './Modal';

type Manifest = 'none' | 'csv' | 'xlsx';

export interface ExportChoice {
  mode: 'combined' | 'per-order';
  images: boolean;
  manifest: Manifest;
  mask: boolean;
}

const DEFAULT_CHOICE: ExportChoice = { mode: 'combined', images: true, manifest: 'none', mask: true };
/** What a customs broker files from: every detail, one PDF and a spreadsheet manifest. */
export const BROKER_PRESET: ExportChoice = { mode: 'combined', images: true, manifest: 'xlsx', mask: false };

const choiceKey = (profile: string | null) => `clearance.export.${profile ?? '-'}`;

/** The last choice made under this account (kept on this computer), or the defaults. */
export function loadChoice(profile: string | null): ExportChoice {
  try {
    const raw = JSON.parse(
      localStorage.getItem(choiceKey(profile)) ?? 'null',
    ) as Partial<ExportChoice> | null;
    if (!raw) return DEFAULT_CHOICE;
    return {
      mode: raw.mode === 'per-order' ? 'per-order' : 'combined',
      images: raw.images !== false,
      manifest: raw.manifest === 'csv' || raw.manifest === 'xlsx' ? raw.manifest : 'none',
      mask: raw.mask !== false,
    };
  } catch {
    return DEFAULT_CHOICE;
  }
}

function saveChoice(profile: string | null, c: ExportChoice) {
  try {
    localStorage.setItem(choiceKey(profile), JSON.stringify(c));
  } catch {
    // Storage refused: next time starts from the defaults.
  }
}

interface IdProblem {
  orderId: string;
  expired: boolean;
  invalid: boolean;
}

/** The stored orders with an expired ID or an ID number that fails its check, among `ids`. */
async function idProblems(ids: string[] | 'all'): Promise<IdProblem[] | null> {
  const wanted = ids === 'all' ? null : new Set(ids);
  const found = new Map<string, IdProblem>();
  for (const flag of ['expired', 'invalid'] as RecordFlag[]) {
    for (let offset = 0; ; offset += 500) {
      const r = await invoke('records.search', {
        flags: [flag],
        sort: 'orderId',
        order: 'asc',
        offset,
        limit: 500,
      });
      if (!r.ok) return null;
      for (const row of r.value.rows) {
        if (wanted && !wanted.has(row.orderId)) continue;
        const p = found.get(row.orderId) ?? { orderId: row.orderId, expired: false, invalid: false };
        if (flag === 'expired') p.expired = true;
        else p.invalid = true;
        found.set(row.orderId, p);
      }
      if (offset + 500 >= r.value.total) break;
    }
  }
  return [...found.values()].sort((a, b) => (a.orderId < b.orderId ? -1 : 1));
}

const SHOWN_PROBLEMS = 12;

/**
 * Export options (the last choice under this account, or the broker preset), a warning naming the
 * orders whose ID would be refused, then main asks where to save ('export.start'); progress and
 * the list of files written arrive as events.
 */
export function ExportDialog({
  orderIds,
  batchJob,
  onClose,
}: {
  orderIds: string[] | 'all';
  /** The batch job the orders come from: its failed orders are listed in the manifest. */
  batchJob?: string;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const app = useApp();
  const profile = app.status.activeProfile?.name ?? null;
  const [choice, setChoice] = useState<ExportChoice>(() => loadChoice(profile));
  const [pkg, setPkg] = useState(NO_PACKAGE);
  const [problems, setProblems] = useState<IdProblem[] | null>(null);
  const [total, setTotal] = useState<number | null>(orderIds === 'all' ? null : orderIds.length);
  const { busy, run } = useAction(app.notifyError);
  const startButton = useRef<HTMLButtonElement>(null);
  const count = orderIds === 'all' ? 'all' : orderIds.length;
  const { mode, images, manifest, mask } = choice;
  const set = <K extends keyof ExportChoice>(k: K, v: ExportChoice[K]) =>
    setChoice((c) => ({ ...c, [k]: v }));

  useEffect(() => {
    let live = true;
    void idProblems(orderIds).then((p) => {
      if (live) setProblems(p ?? []);
    });
    if (orderIds === 'all')
      void invoke('records.search', { offset: 0, limit: 1 }).then((r) => {
        if (live && r.ok) setTotal(r.value.total);
      });
    return () => {
      live = false;
    };
  }, [orderIds]);

  const start = async () => {
    saveChoice(profile, choice);
    const started = await run(() =>
      invoke('export.start', {
        orderIds,
        ...choice,
        ...packageRequest(pkg),
        ...(batchJob ? { batchJob } : {}),
      }),
    );
    if (started) onClose();
  };

  const isBroker = JSON.stringify(choice) === JSON.stringify(BROKER_PRESET);

  return (
    <Modal title={t.exportDialog.title} onClose={onClose} initialFocus={startButton}>
      <p className="modal-text strong">{t.exportDialog.count(count)}</p>
      <div className="preset-row">
        <button
          type="button"
          className={`button ${isBroker ? 'button-selected' : ''}`}
          aria-pressed={isBroker}
          onClick={() => setChoice(BROKER_PRESET)}
        >
          {t.exportDialog.brokerPreset}
        </button>
      </div>
      <fieldset className="field-group">
        <legend>{t.exportDialog.mode}</legend>
        <label className="radio">
          <input
            type="radio"
            name="mode"
            checked={mode === 'combined'}
            onChange={() => set('mode', 'combined')}
          />
          {t.exportDialog.combined}
        </label>
        <label className="radio">
          <input
            type="radio"
            name="mode"
            checked={mode === 'per-order'}
            onChange={() => set('mode', 'per-order')}
          />
          {t.exportDialog.perOrder}
        </label>
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={images} onChange={(e) => set('images', e.target.checked)} />
        {t.exportDialog.images}
      </label>
      <label className="check">
        <input type="checkbox" checked={mask} onChange={(e) => set('mask', e.target.checked)} />
        {t.exportDialog.mask}
      </label>
      <p className="hint">{t.exportDialog.maskHint}</p>
      <label className="field">
        <span>{t.exportDialog.manifest}</span>
        <select value={manifest} onChange={(e) => set('manifest', e.target.value as Manifest)}>
          <option value="none">{t.exportDialog.manifestNone}</option>
          <option value="csv">CSV</option>
          <option value="xlsx">Excel (XLSX)</option>
        </select>
      </label>
      <ExportPackageFields value={pkg} onChange={setPkg} />
      {problems === null ? (
        <p className="hint" role="status">
          {t.exportDialog.checking}
        </p>
      ) : problems.length > 0 ? (
        <div className="banner banner-error export-problems" role="alert" data-testid="export-problems">
          <strong>{t.exportDialog.problemsTitle(problems.length, total ?? 'all')}</strong>
          <ul className="plain-list">
            {problems.slice(0, SHOWN_PROBLEMS).map((p) => (
              <li key={p.orderId}>
                <span className="mono">{p.orderId}</span>
                {' — '}
                {[p.expired && t.exportDialog.problemExpired, p.invalid && t.exportDialog.problemInvalid]
                  .filter(Boolean)
                  .join('，')}
              </li>
            ))}
            {problems.length > SHOWN_PROBLEMS && (
              <li>{t.exportDialog.moreProblems(problems.length - SHOWN_PROBLEMS)}</li>
            )}
          </ul>
          <p>{t.exportDialog.problemsAsk}</p>
        </div>
      ) : null}
      <div className="modal-actions">
        <button type="button" className="button" onClick={onClose}>
          {t.common.cancel}
        </button>
        <button
          ref={startButton}
          type="button"
          className="button button-primary"
          disabled={busy}
          onClick={start}
        >
          {problems && problems.length > 0 ? t.exportDialog.startAnyway : t.exportDialog.start}
        </button>
      </div>
    </Modal>
  );
}
