import type { ExpiryStatus } from '../../../electron/contract';
import { useI18n } from '../i18n';

/** The expiry status in words, coloured, with the days left (or past) when known. */
export function ExpiryBadge({ status, daysLeft }: { status: ExpiryStatus; daysLeft: number | null }) {
  const { t } = useI18n();
  let days = '';
  if (daysLeft !== null && (status === 'valid' || status === 'expiring' || status === 'expired')) {
    if (daysLeft > 0) days = t.expiry.daysLeft(daysLeft);
    else if (daysLeft === 0) days = t.expiry.today;
    // "已过期 1066 天": the badge already says it is past.
    else days = t.expiry.daysAgo(-daysLeft);
  }
  return (
    <span className={`badge badge-expiry badge-${status}`} data-status={status}>
      <span className="badge-dot" aria-hidden="true" />
      <span className="badge-label">{t.expiry[status]}</span>
      {days && <span className="badge-days">{days}</span>}
    </span>
  );
}
