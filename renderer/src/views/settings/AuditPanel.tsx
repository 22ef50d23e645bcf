import { useCallback, useEffect, useState } from 'react';
import type { AuditRow, RequestOf } from '../../../../electron/contract';
import { AUDIT_ACTIONS, isOrderIdText } from '../../../../electron/core/rules';
import { type ClearanceError, invoke } from '../../api';
import { useI18n } from '../../i18n';

type AuditAction = NonNullable<RequestOf<'audit.list'>['action']>;
const ACTIONS: readonly AuditAction[] = AUDIT_ACTIONS;

/** The audit log: filter by action, order id and date; newest first. */
export function AuditPanel() {
  const { t, dateTime, pick } = useI18n();
  const [action, setAction] = useState<AuditAction | ''>('');
  const [orderId, setOrderId] = useState('');
  const [since, setSince] = useState('');
  const [rows, setRows] = useState<AuditRow[] | null>(null);
  const [error, setError] = useState<ClearanceError | null>(null);

  const load = useCallback(async () => {
    const id = orderId.trim();
    const r = await invoke('audit.list', {
      limit: 300,
      ...(action ? { action } : {}),
      ...(isOrderIdText(id) ? { orderId: id } : {}),
      ...(since ? { since } : {}),
    });
    if (r.ok) {
      setRows(r.value);
      setError(null);
    } else setError(r.error);
  }, [action, orderId, since]);

  useEffect(() => {
    const timer = setTimeout(() => void load(), 200);
    return () => clearTimeout(timer);
  }, [load]);

  const actionName = (a: string) =>
    ACTIONS.includes(a as AuditAction) ? t.settings.auditActions[a as AuditAction] : a;

  return (
    <section className="panel" aria-labelledby="audit-title">
      <div className="panel-head">
        <h2 id="audit-title" className="panel-title">
          {t.settings.audit}
        </h2>
        <button type="button" className="button" onClick={() => void load()}>
          {t.card.refresh}
        </button>
      </div>
      <div className="toolbar">
        <label className="field field-inline">
          <span>{t.settings.auditAction}</span>
          <select value={action} onChange={(e) => setAction(e.target.value as AuditAction | '')}>
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
            value={orderId}
            onChange={(e) => setOrderId(e.target.value)}
            inputMode="numeric"
            className="mono"
            size={20}
          />
        </label>
        <label className="field field-inline">
          <span>{t.settings.auditSince}</span>
          <input type="date" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
      </div>
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
                    {r.orderIds.slice(0, 3).join(', ')}
                    {r.orderIds.length > 3 ? ` ${t.settings.moreOrders(r.orderIds.length - 3)}` : ''}
                  </td>
                  <td>
                    {r.osUser}@{r.host}
                  </td>
                  <td>{r.profile ?? '—'}</td>
                  <td className="muted small">
                    {Object.entries(r.detail)
                      .map(([k, v]) => `${k}: ${String(v)}`)
                      .join(' · ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
