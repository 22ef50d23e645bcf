import { useI18n } from '../../i18n';

/** When a record was fetched: any day, today, yesterday (Beijing days, as the vault keeps them), or a range. */
export interface DateChoice {
  kind: 'any' | 'today' | 'yesterday' | 'range';
  from: string;
  to: string;
}

export const ANY_DATE: DateChoice = { kind: 'any', from: '', to: '' };

const shanghaiDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today in Beijing as YYYY-MM-DD, `offset` days away. */
export function beijingDay(now: Date, offset = 0): string {
  return shanghaiDay.format(new Date(now.getTime() + offset * 86_400_000));
}

/** The search's `fetchedFrom` / `fetchedTo` (both days inclusive) for a choice; none for any day. */
export function dateRange(c: DateChoice, now = new Date()): { fetchedFrom?: string; fetchedTo?: string } {
  if (c.kind === 'today') return { fetchedFrom: beijingDay(now), fetchedTo: beijingDay(now) };
  if (c.kind === 'yesterday') return { fetchedFrom: beijingDay(now, -1), fetchedTo: beijingDay(now, -1) };
  if (c.kind === 'range') {
    const day = /^\d{4}-\d{2}-\d{2}$/;
    return {
      ...(day.test(c.from) ? { fetchedFrom: c.from } : {}),
      ...(day.test(c.to) ? { fetchedTo: c.to } : {}),
    };
  }
  return {};
}

/** The chip row of the records list: any day, today, yesterday, or a range of two days. */
export function DateFilter({ value, onChange }: { value: DateChoice; onChange: (c: DateChoice) => void }) {
  const { t } = useI18n();
  const d = t.records.dates;
  const chip = (kind: DateChoice['kind'], label: string) => (
    <button
      type="button"
      className="chip"
      aria-pressed={value.kind === kind}
      onClick={() => onChange({ ...value, kind })}
    >
      {label}
    </button>
  );
  return (
    <fieldset className="chips date-filter">
      <legend className="visually-hidden">{d.legend}</legend>
      {chip('any', d.any)}
      {chip('today', d.today)}
      {chip('yesterday', d.yesterday)}
      {chip('range', d.range)}
      {value.kind === 'range' && (
        <>
          <label className="date-field">
            <span className="visually-hidden">{d.from}</span>
            <input
              type="date"
              aria-label={d.from}
              value={value.from}
              onChange={(e) => onChange({ ...value, from: e.target.value })}
            />
          </label>
          <span aria-hidden="true">–</span>
          <label className="date-field">
            <span className="visually-hidden">{d.to}</span>
            <input
              type="date"
              aria-label={d.to}
              value={value.to}
              onChange={(e) => onChange({ ...value, to: e.target.value })}
            />
          </label>
        </>
      )}
    </fieldset>
  );
}
