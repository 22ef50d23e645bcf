import { useCallback, useEffect, useState } from 'react';
import type { ReplyOf } from '../../../electron/contract';
import { type ClearanceError, invoke } from '../api';
import { useI18n } from '../i18n';

type Imported = Extract<ReplyOf<'orders.import'>, { kind: 'imported' }>;
type Choose = Extract<ReplyOf<'orders.import'>, { kind: 'choose-column' }>;
type BadRows = Extract<ReplyOf<'orders.import'>, { kind: 'bad-rows' }>;

const FIELDS = ['orderId', 'waybill', 'consignee', 'phone', 'amount', 'paymentNo', 'orderTime', '-'] as const;

const TEXT = {
  'zh-CN': {
    title: '当天的订单表',
    hint: '将订单表（CSV 或 XLSX）拖到这里，或',
    choose: '选择文件…',
    importing: '正在导入…',
    imported: (f: string, n: number) => `已导入 ${f}：${n} 行`,
    counts: (a: number, b: number, c: number) => `新增 ${a} · 变更 ${b} · 未变 ${c}`,
    repeated: (n: number) => `表中重复 ${n} 行，以后一行为准`,
    ignored: (cols: string) => `未导入的列：${cols}`,
    missing: (n: number) => `${n} 个订单尚无身份信息`,
    lookup: (n: number) => `将 ${n} 个尚无身份信息的订单送去批量查询`,
    bad: (f: string, n: number) => `${f} 有 ${n} 行无法导入，整张表未导入：`,
    chooseTitle: '请指定列：',
    column: '列',
    field: '字段',
    apply: '按此导入',
    waiting: (n: number) => `${n} 个订单在等待身份信息`,
    recheck: '重新查询等待中的订单',
    dropped: '拖入的文件',
  },
  'en-US': {
    title: "The day's order sheet",
    hint: 'Drop the order sheet (CSV or XLSX) here, or',
    choose: 'Choose a file…',
    importing: 'Importing…',
    imported: (f: string, n: number) => `Imported ${f}: ${n} rows`,
    counts: (a: number, b: number, c: number) => `new ${a} · changed ${b} · unchanged ${c}`,
    repeated: (n: number) => `${n} repeated rows: the later one kept`,
    ignored: (cols: string) => `Columns not imported: ${cols}`,
    missing: (n: number) => `${n} orders have no identity yet`,
    lookup: (n: number) => `Send the ${n} orders without an identity to a batch lookup`,
    bad: (f: string, n: number) => `${f}: ${n} rows cannot be imported, so nothing was imported:`,
    chooseTitle: 'Which column?',
    column: 'Column',
    field: 'Field',
    apply: 'Import with this',
    waiting: (n: number) => `${n} orders are waiting for their identity`,
    recheck: 'Ask again for the waiting orders',
    dropped: 'dropped file',
  },
} as const;

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * Import the day's order sheet (drop a file or choose one), answer "which column?", see bad rows by
 * number, and hand the orders without an identity (or the waiting ones) to the batch lookup.
 */
export function OrderSheetImport({ onLookup }: { onLookup: (orderIds: string[], label: string) => void }) {
  const { lang, pick } = useI18n();
  const x = TEXT[lang];
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const [result, setResult] = useState<Imported | null>(null);
  const [choose, setChoose] = useState<Choose | null>(null);
  const [bad, setBad] = useState<BadRows | null>(null);
  const [error, setError] = useState<ClearanceError | null>(null);
  const [dropped, setDropped] = useState<{ name: string; base64: string } | null>(null);
  const [col, setCol] = useState('');
  const [field, setField] = useState<(typeof FIELDS)[number]>('orderTime');
  const [map, setMap] = useState<string[]>([]);
  const [waiting, setWaiting] = useState<string[]>([]);

  const loadWaiting = useCallback(async () => {
    const r = await invoke('orders.waiting', {});
    if (r.ok) setWaiting(r.value.items.map((w) => w.orderId));
  }, []);
  useEffect(() => {
    void loadWaiting();
  }, [loadWaiting]);

  const run = async (file: { name: string; base64: string } | null, mapping: string[]) => {
    setBusy(true);
    const r = await invoke('orders.import', {
      ...(mapping.length ? { map: mapping } : {}),
      ...(file ? { dropped: file } : {}),
    });
    setBusy(false);
    setError(null);
    setBad(null);
    setChoose(null);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    const v = r.value;
    if ('cancelledByUser' in v) return;
    if (v.kind === 'choose-column') {
      setChoose(v);
      setCol(v.columns[0]?.split(':')[0] ?? '');
      return;
    }
    if (v.kind === 'bad-rows') {
      setBad(v);
      return;
    }
    setResult(v);
    setMap([]);
    void loadWaiting();
  };

  const onDrop = async (e: React.DragEvent) => {
    e.preventDefault();
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (!file) return;
    const f = { name: file.name, base64: toBase64(new Uint8Array(await file.arrayBuffer())) };
    setDropped(f);
    setMap([]);
    await run(f, []);
  };

  return (
    <section className="order-sheet" aria-labelledby="order-sheet-title" data-testid="order-sheet">
      <h3 id="order-sheet-title" className="panel-title">
        {x.title}
      </h3>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the drop zone; the button inside does the same by keyboard */}
      <div
        className={`drop-zone${over ? ' drop-over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <span>{x.hint} </span>
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={() => {
            setDropped(null);
            setMap([]);
            void run(null, []);
          }}
        >
          {busy ? x.importing : x.choose}
        </button>
      </div>

      {error && (
        <p className="banner banner-error" role="alert">
          {pick(error.message)}
        </p>
      )}

      {choose && (
        <fieldset className="choose-column">
          <legend>{x.chooseTitle}</legend>
          <p>{pick(choose.message)}</p>
          <label className="field">
            <span>{x.column}</span>
            <select value={col} onChange={(e) => setCol(e.target.value)}>
              {choose.columns.map((c) => (
                <option key={c} value={c.split(':')[0]}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{x.field}</span>
            <select value={field} onChange={(e) => setField(e.target.value as (typeof FIELDS)[number])}>
              {FIELDS.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              const next = [...map, `${col}=${field}`];
              setMap(next);
              void run(dropped, next);
            }}
          >
            {x.apply}
          </button>
        </fieldset>
      )}

      {bad && (
        <div className="banner banner-error" role="alert">
          <p>{x.bad(bad.fileName, bad.rows.length)}</p>
          <ul className="invalid-list">
            {bad.rows.slice(0, 200).map((b) => (
              <li key={`${b.row}-${b.field}`}>{pick(b.text)}</li>
            ))}
          </ul>
        </div>
      )}

      {result && (
        <div className="prepared" aria-live="polite" data-testid="sheet-result">
          <p>
            <strong>{x.imported(result.fileName, result.rows)}</strong> —{' '}
            {x.counts(result.new, result.changed, result.unchanged)}
          </p>
          {result.repeated > 0 && <p className="muted">{x.repeated(result.repeated)}</p>}
          {result.ignored.length > 0 && <p className="muted">{x.ignored(result.ignored.join(', '))}</p>}
          {result.withoutIdentity.length > 0 && (
            <button
              type="button"
              className="button button-primary"
              onClick={() => onLookup(result.withoutIdentity, result.fileName)}
            >
              {x.lookup(result.withoutIdentity.length)}
            </button>
          )}
        </div>
      )}

      {waiting.length > 0 && (
        <p className="waiting-line">
          <span>{x.waiting(waiting.length)}</span>{' '}
          <button type="button" className="button" onClick={() => onLookup(waiting, 'waiting')}>
            {x.recheck}
          </button>
        </p>
      )}
    </section>
  );
}
