import type { CardView } from '../../../electron/contract';
import { useI18n } from '../i18n';

const TEXT = {
  'zh-CN': {
    title: '申报前检查',
    none: '未发现问题',
    sheet: '订单表',
    waybill: '运单号',
    consignee: '收件人',
    phone: '手机',
    amount: '实付金额',
    time: '下单时间',
  },
  'en-US': {
    title: 'Checks before declaring',
    none: 'No findings',
    sheet: 'Order sheet',
    waybill: 'Waybill',
    consignee: 'Consignee',
    phone: 'Phone',
    amount: 'Amount paid',
    time: 'Order time',
  },
} as const;

/** ¥5,000.01 from 500001 fen, by the digits. */
export function yuan(fen: number): string {
  const s = String(Math.trunc(fen)).padStart(3, '0');
  return `¥${s.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${s.slice(-2)}`;
}

/** The order's sheet row (masked) and what the checks before declaring found on it. */
export function CardFindings({ card }: { card: CardView }) {
  const { lang, pick } = useI18n();
  const x = TEXT[lang];
  if (card.findings === undefined) return null;
  const s = card.sheet;
  return (
    <section className="warnings card-findings" aria-labelledby="findings-title" data-testid="card-findings">
      <h3 id="findings-title">{x.title}</h3>
      {card.findings.length === 0 ? (
        <p className="ok-line">
          <span aria-hidden="true">✓ </span>
          {x.none}
        </p>
      ) : (
        <ul className="warning-list">
          {card.findings.map((f) => (
            <li key={f.code} data-code={f.code}>
              <span className="warning-icon" aria-hidden="true">
                !
              </span>
              {pick(f.text)}
            </li>
          ))}
        </ul>
      )}
      {s && (
        <p className="muted sheet-row">
          {[
            x.sheet,
            s.waybill && `${x.waybill} ${s.waybill}`,
            s.maskedConsignee && `${x.consignee} ${s.maskedConsignee}`,
            s.maskedPhone && `${x.phone} ${s.maskedPhone}`,
            s.amountFen !== null && `${x.amount} ${yuan(s.amountFen)}`,
            s.orderTime && `${x.time} ${s.orderTime}`,
          ]
            .filter(Boolean)
            .join(' · ')}
        </p>
      )}
    </section>
  );
}
