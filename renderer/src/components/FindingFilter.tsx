import type { FindingCode } from '../../../electron/contract';
import { useI18n } from '../i18n';

const CODES: FindingCode[] = [
  'name-mismatch',
  'over-order-limit',
  'over-annual-limit',
  'shared-id',
  'expires-before-declaration',
  'no-sheet-row',
];

const TEXT: Record<'zh-CN' | 'en-US', Record<FindingCode | 'label' | 'any', string>> = {
  'zh-CN': {
    label: '申报前检查',
    any: '全部（不按检查筛选）',
    'name-mismatch': '姓名不符',
    'over-order-limit': '超单笔限额',
    'over-annual-limit': '超年度限额',
    'shared-id': '一证多人',
    'expires-before-declaration': '证件在申报日前到期',
    'no-identity': '缺身份信息',
    'no-sheet-row': '不在订单表中',
  },
  'en-US': {
    label: 'Checks before declaring',
    any: 'All (no check filter)',
    'name-mismatch': 'Name mismatch',
    'over-order-limit': 'Over the order limit',
    'over-annual-limit': 'Over the annual limit',
    'shared-id': 'Shared ID',
    'expires-before-declaration': 'ID expires before declaring',
    'no-identity': 'No identity',
    'no-sheet-row': 'Not on the order sheet',
  },
};

/** The records list's filter by a finding of the checks before declaring (records only: no no-identity). */
export function FindingFilter({
  value,
  onChange,
}: {
  value: FindingCode | null;
  onChange: (v: FindingCode | null) => void;
}) {
  const { lang } = useI18n();
  const x = TEXT[lang];
  return (
    <label className="field finding-filter">
      <span className="visually-hidden">{x.label}</span>
      <select
        aria-label={x.label}
        value={value ?? ''}
        onChange={(e) => onChange((e.target.value || null) as FindingCode | null)}
      >
        <option value="">{x.any}</option>
        {CODES.map((c) => (
          <option key={c} value={c}>
            {x[c]}
          </option>
        ))}
      </select>
    </label>
  );
}
