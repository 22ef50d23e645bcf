import { useI18n } from '../../i18n';

/** One line of a connection test: ✓ or ✗, with the answer spelled out for screen readers. */
export function Check({ ok, label }: { ok: boolean; label: string }) {
  const { t } = useI18n();
  return (
    <li className={ok ? 'ok' : 'bad'}>
      <span aria-hidden="true">{ok ? '✓' : '✗'} </span>
      {label}
      <span className="visually-hidden">: {ok ? t.common.yes : t.common.no}</span>
    </li>
  );
}

export function NumberField({
  label,
  value,
  onChange,
  min,
  max,
  optional,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  min: number;
  max: number;
  optional?: boolean;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        value={value}
        required={!optional}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}
