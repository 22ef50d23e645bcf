import { useCallback, useEffect, useState } from 'react';
import type { AuditRow, RequestOf } from '../../../../electron/contract';
import { AUDIT_ACTIONS } from '../../../../electron/core/rules';
import { type ClearanceError, invoke } from '../../api';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';

type AuditAction = NonNullable<RequestOf<'audit.list'>['action']>;
const ACTIONS: readonly AuditAction[] = AUDIT_ACTIONS;
const SHOWN_ORDERS = 3;

interface Filter {
  action: AuditAction | '';
  orderPart: string;
  idNumber: string;
  osUser: string;
  host: string;
  since: string;
  until: string;
}
const EMPTY: Filter = { action: '', orderPart: '', idNumber: '', osUser: '', host: '', since: '', until: '' };

/** Only the filled, well-formed criteria (a half-typed ID number is not sent). */
function request(f: Filter): RequestOf<'audit.list'> {
  const part = f.orderPart.trim();
  const id = f.idNumber.trim();
  return {
    limit: 1000,
    ...(f.action ? { action: f.action } : {}),
    ...(/^\d{1,20}$/.test(part) ? { orderIdPart: part } : {}),
    ...(/^\d{17}[\dXx]$/.test(id) ? { idNumber: id } : {}),
    ...(f.osUser.trim() ? { osUser: f.osUser.trim() } : {}),
    ...(f.host.trim() ? { host: f.host.trim() } : {}),
    ...(f.since ? { since: f.since } : {}),
    ...(f.until ? { until: f.until } : {}),
  };
}

const csvCell = (v: string) => (/[",\n\r]/.test(v) || /^[=+\-@]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The audit log: search by action, order id (start or end), full ID number, user, computer and dates. */
export function AuditPanel() {
  const { t, dateTime, pick } = useI18n();
  const app = useApp();
  const [f, setF] = useState<Filter>(EMPTY);
  const [rows, setRows] = useState<AuditRow[] | null>(null);
  const [error, setError] = useState<ClearanceError | null>(null);
  const set = <K extends keyof Filter>(k: K, v: Filter[K]) => setF((cur) => ({ ...cur, [k]: v }));

  const load = useCallback(async () => {
    const r = await invoke('audit.list', request(f));
    if (r.ok) {
      setRows(r.value);
      setError(null);
    } else setError(r.error);
  }, [f]);

  useEffect(() => {
    const timer = setTimeout(() => void load(), 200);
    return () => clearTimeout(timer);
  }, [load]);

  const actionName = (a: string) =>
    ACTIONS.includes(a as AuditAction) ? t.settings.auditActions[a as AuditAction] : a;
  const detailText = (d: AuditRow['detail']) =>
    Object.entries(d)
      .map(([k, v]) => `${t.settings.detailKeys[k] ?? k}: ${t.settings.detailValues[String(v)] ?? String(v)}`)
      .join(' · ');

  /** The search's result as a table, in the UI's language: what both exports write. */
  const table = (list: AuditRow[]) => {
    const c = t.settings.auditCols;
    return {
      headers: [c.at, c.action, c.orders, c.user, t.settings.auditHost, c.profile, c.detail],
      rows: list.map((r) => [
        r.at,
        actionName(r.action),
        r.orderIds.join(' '),
        r.osUser,
        r.host,
        r.profile ?? '',
        detailText(r.detail),
      ]),
    };
  };

  const exportXlsx = async () => {
    if (!rows) return;
    const r = await invoke('audit.exportXlsx', table(rows));
    if (!r.ok) app.notifyError(r.error);
    else if (r.value.written && r.value.fileName)
      app.notify('success', t.settings.auditExported(r.value.rows, r.value.fileName));
  };

  const exportCsv = () => {
    if (!rows) return;
    const { headers, rows: cells } = table(rows);
    const lines = [headers.map(csvCell).join(','), ...cells.map((line) => line.map(csvCell).join(','))];
    // A byte-order mark, so that Excel reads the Chinese text as UTF-8.
    const blob = new Blob([`\uFEFF${lines.join('\r\n')}\r\n`], { type: 'text/csv;charset=utf-8' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `audit-${new Date().toISOString().slice(0, 10)}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };

  return (
    <section className="panel" aria-labelledby="audit-title">
      <div className="panel-head">
        <h2 id="audit-title" className="panel-title">
          {t.settings.audit}
        </h2>
        <span className="spacer" />
        <button type="button" className="button" onClick={exportCsv} disabled={!rows || rows.length === 0}>
          {t.settings.auditExportCsv}
        </button>
        <button type="button" className="button" onClick={exportXlsx} disabled={!rows || rows.length === 0}>
          {t.settings.auditExportXlsx}
        </button>
        <button type="button" className="button" onClick={() => void load()}>
          {t.card.refresh}
        </button>
      </div>
      <div className="toolbar audit-filters">
        <label className="field field-inline">
          <span>{t.settings.auditAction}</span>
          <select value={f.action} onChange={(e) => set('action', e.target.value as AuditAction | '')}>
            <option value="">{t.settings.auditAll}</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {t.settings.auditActions[a]}
              </option>
            ))}
          </select>
        </label>
        <label className="field field-inline">
          <span>{t.settings.auditOrder}</span>
          <input
            value={f.orderPart}
            onChange={(e) => set('orderPart', e.target.value)}
            inputMode="numeric"
            className="mono"
            size={20}
          />
        </label>
        <label className="field field-inline">
          <span>{t.settings.auditIdNumber}</span>
          <input
            value={f.idNumber}
            onChange={(e) => set('idNumber', e.target.value)}
            className="mono"
            size={20}
            maxLength={18}
            autoComplete="off"
            title={t.settings.auditIdNumberHint}
          />
        </label>
        <label className="field field-inline">
          <span>{t.settings.auditUser}</span>
          <input value={f.osUser} onChange={(e) => set('osUser', e.target.value)} size={10} />
        </label>
        <label className="field field-inline">
          <span>{t.settings.auditHost}</span>
          <input value={f.host} onChange={(e) => set('host', e.target.value)} size={12} />
        </label>
        <label className="field field-inline">
          <span>{t.settings.auditSince}</span>
          <input type="date" value={f.since} onChange={(e) => set('since', e.target.value)} />
        </label>
        <label className="field field-inline">
          <span>{t.settings.auditUntil}</span>
          <input type="date" value={f.until} onChange={(e) => set('until', e.target.value)} />
        </label>
      </div>
      <p className="hint">{t.settings.auditIdNumberHint}</p>
      {error ? (
        <p className="inline-error" role="alert">
          {pick(error.message)}
        </p>
      ) : rows === null ? (
        <p className="muted">{t.common.loading}</p>
      ) : rows.length === 0 ? (
        <p className="muted">{t.settings.auditEmpty}</p>
      ) : (
        <div className="audit-scroll">
          <p className="muted small" role="status">
            {t.settings.auditCount(rows.length)}
          </p>
          <table className="audit-table">
            <caption className="visually-hidden">{t.settings.audit}</caption>
            <thead>
              <tr>
                <th scope="col">{t.settings.auditCols.at}</th>
                <th scope="col">{t.settings.auditCols.action}</th>
                <th scope="col">{t.settings.auditCols.orders}</th>
                <th scope="col">{t.settings.auditCols.user}</th>
                <th scope="col">{t.settings.auditCols.profile}</th>
                <th scope="col">{t.settings.auditCols.detail}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td className="nowrap">{dateTime(r.at)}</td>
                  <td>
                    <span className={`tag tag-action-${r.action}`}>{actionName(r.action)}</span>
                  </td>
                  <td className="mono">
                    {r.orderIds.slice(0, SHOWN_ORDERS).join(', ')}
                    {r.orderIds.length > SHOWN_ORDERS ? ` … ${t.settings.moreOrders(r.orderIds.length)}` : ''}
                  </td>
                  <td>
                    {r.osUser}@{r.host}
                  </td>
                  <td>{r.profile ?? '—'}</td>
                  <td className="muted small">{detailText(r.detail)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
