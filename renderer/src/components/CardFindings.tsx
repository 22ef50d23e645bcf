import type { ReactNode } from 'react';
import type { Bilingual, CardView } from '../../../electron/contract';
import { useI18n } from '../i18n';

/** ¥5,000.01 from 500001 fen, by the digits. */
export function yuan(fen: number): string {
  const s = String(Math.trunc(fen)).padStart(3, '0');
  return `¥${s.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${s.slice(-2)}`;
}

/** A card's list of problems by code (validation warnings, check findings), or a tick when none. */
export function ProblemList(p: {
  id: string;
  title: string;
  none: string;
  items: readonly { code: string; text: Bilingual }[];
  className?: string;
  testId?: string;
  children?: ReactNode;
}) {
  const { pick } = useI18n();
  return (
    <section
      className={p.className ? `warnings ${p.className}` : 'warnings'}
      aria-labelledby={p.id}
      data-testid={p.testId}
    >
      <h3 id={p.id}>{p.title}</h3>
      {p.items.length === 0 ? (
        <p className="ok-line">
          <span aria-hidden="true">✓ </span>
          {p.none}
        </p>
      ) : (
        <ul className="warning-list">
          {p.items.map((w) => (
            <li key={w.code} data-code={w.code}>
              <span className="warning-icon" aria-hidden="true">
                !
              </span>
              {pick(w.text)}
            </li>
          ))}
        </ul>
      )}
      {p.children}
    </section>
  );
}

/** The order's sheet row (masked) and what the checks before declaring found on it. */
export function CardFindings({ card }: { card: CardView }) {
  const { t } = useI18n();
  if (card.findings === undefined) return null;
  const s = card.sheet;
  const x = t.card.sheet;
  return (
    <ProblemList
      id="findings-title"
      title={t.card.findings}
      none={t.card.noFindings}
      items={card.findings}
      className="card-findings"
      testId="card-findings"
    >
      {s && (
        <p className="muted sheet-row">
          {[
            x.title,
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
    </ProblemList>
  );
}
