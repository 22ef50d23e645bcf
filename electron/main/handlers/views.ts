/**
 * The DTOs the renderer sees, made from core's values: plain functions, no state. Personal data
 * leaves main masked here; only record.reveal / record.copy carry it in full (and are audited).
 */
import type {
  BatchProgress as BatchProgressView,
  CardView,
  FindingView,
  PreparedOrders,
  ProfileView as ProfileViewDto,
  RecordRow,
  SheetRowView,
} from '../../contract';
import type { ParsedOrders } from '../../core/batch/input';
import type { BatchProgress, JobInfo } from '../../core/batch/types';
import type { OrderContext } from '../../core/checks';
import { type ClearanceError, clearanceError } from '../../core/errors';
import type { ImageSide } from '../../core/gateway/clearance';
import {
  credentialTypeLabel,
  ID_FORM_LABELS,
  maskIdNumber,
  maskName,
  maskPhone,
  WARNINGS,
} from '../../core/idcard';
import type { Finding, OrderFacts } from '../../core/orders/types';
import type { AccountBadge, SessionHealth } from '../../core/rules';
import type { Preferences } from '../../core/settings/schema';
import { needsReauthFor, type ProfileView } from '../../core/settings/store';
import type { RecordFlag, RecordQuery, StoredRecord } from '../../core/vault/types';

/** The last time the gateway answered about an account's credentials (kept in main, per profile). */
export interface AccountCheck {
  at: string;
  via: 'test' | 'lookup';
  result: 'ok' | 'signature-refused';
}

/**
 * What a gateway answer says about the account's key and signature (`null` error: success): they
 * passed, they were refused, or nothing (a network failure, throttling, a refused session, which
 * the session's health already tells).
 */
export function checkResultOf(error: Pick<ClearanceError, 'reason'> | null): AccountCheck['result'] | null {
  if (!error || error.reason === 'business' || error.reason === 'argument-invalid') return 'ok';
  if (error.reason === 'signature-invalid' || error.reason === 'app-key-invalid') return 'signature-refused';
  return null;
}

/** The badge: a session that cannot work says so first; then a refused signature; then "not tested". */
export function accountBadge(health: SessionHealth, check: AccountCheck | undefined): AccountBadge {
  if (health === 'missing' || health === 'expired' || health === 'needs-reauth') return health;
  if (!check) return 'untested';
  if (check.result === 'signature-refused') return 'signature-refused';
  return health;
}

export function profileView(p: ProfileView, check?: AccountCheck): ProfileViewDto {
  const health = p.health ?? 'missing';
  return {
    name: p.name,
    displayName: p.displayName,
    appKey: p.appKey,
    gateway: p.gateway,
    signMethod: p.signMethod,
    targetAppKey: p.targetAppKey ?? null,
    sessionExpiresAt: p.sessionExpiresAt ?? null,
    qps: p.qps,
    hasSecret: p.hasSecret === true,
    hasSession: p.hasSession === true,
    health,
    badge: accountBadge(health, check),
    lastCheck: check ? { at: check.at, via: check.via } : null,
    isDefault: p.isDefault,
    redirectUri: p.redirectUri ?? null,
    hasRefreshToken: p.hasRefreshToken === true,
    sessionExpiry: p.sessionExpiry,
    sessionDaysLeft: p.sessionDaysLeft,
    authorization: p.authorization
      ? {
          userNick: p.authorization.userNick ?? null,
          userId: p.authorization.userId ?? null,
          obtainedAt: p.authorization.obtainedAt,
          expiresAt: p.authorization.expiresAt ?? null,
          refreshExpiresAt: p.authorization.refreshExpiresAt ?? null,
          r1ExpiresAt: p.authorization.r1ExpiresAt ?? null,
          r2ExpiresAt: p.authorization.r2ExpiresAt ?? null,
          w1ExpiresAt: p.authorization.w1ExpiresAt ?? null,
          w2ExpiresAt: p.authorization.w2ExpiresAt ?? null,
          via: p.authorization.via,
        }
      : null,
  };
}

export function preferencesView(p: Preferences) {
  return {
    language: p.language,
    retentionDays: p.retentionDays,
    imageRetentionDays: p.imageRetentionDays ?? null,
    auditRetentionDays: p.auditRetentionDays,
    expiringSoonDays: p.expiringSoonDays,
    watermarkText: p.watermarkText,
    downloadImagesByDefault: p.downloadImagesByDefault,
    exportSplitEvery: p.exportSplitEvery ?? null,
    sessionWarnDays: p.sessionWarnDays,
    orderLimitFen: p.orderLimitFen,
    annualLimitFen: p.annualLimitFen,
    sharedIdNames: p.sharedIdNames,
    waitingRecheckMinutes: p.waitingRecheckMinutes,
  };
}

const both = (t: { zh: string; en: string }) => ({ 'zh-CN': t.zh, 'en-US': t.en });

/** The clearance card: masked values, the vault's verdict (validated on read, against today). */
export function cardView(
  r: StoredRecord,
  source: CardView['source'],
  ctx: { imageUrl: (orderId: string, side: ImageSide) => string; demo: boolean; orders?: OrderContext },
): CardView {
  const v = r.validation;
  const orders = ctx.orders
    ? { findings: ctx.orders.findings.map(findingView), sheet: sheetRowView(ctx.orders.order) }
    : {};
  return {
    ...orders,
    orderId: r.orderId,
    maskedName: maskName(r.name),
    maskedIdNumber: maskIdNumber(r.idNumber),
    typeLabel: {
      'zh-CN': credentialTypeLabel(r.idType, 'zh-CN'),
      'en-US': credentialTypeLabel(r.idType, 'en-US'),
    },
    idFormLabel: both(ID_FORM_LABELS[v.form]),
    expiry: {
      raw: r.expiry,
      date: v.expiry.date ?? null,
      status: v.expiry.status,
      daysLeft: v.expiry.daysLeft ?? null,
    },
    warnings: v.warnings.map((code) => ({ code, text: both(WARNINGS[code]) })),
    images: {
      front: r.images.front ? ctx.imageUrl(r.orderId, 'front') : null,
      back: r.images.back ? ctx.imageUrl(r.orderId, 'back') : null,
    },
    fetchedAt: r.fetchedAt,
    firstFetchedAt: r.firstFetchedAt,
    profile: r.profile,
    source,
    demo: ctx.demo,
  };
}

export function recordRow(r: StoredRecord): RecordRow {
  const f = r.validation.flags;
  const flags: RecordRow['flags'] = [];
  if (f.expired) flags.push('expired');
  if (f.expiring) flags.push('expiring');
  if (f.invalid) flags.push('invalid');
  if (f.noImages) flags.push('no-images');
  return {
    orderId: r.orderId,
    maskedName: maskName(r.name),
    maskedIdNumber: maskIdNumber(r.idNumber),
    expiryStatus: r.validation.expiry.status,
    expiry: r.expiry,
    flags,
    fetchedAt: r.fetchedAt,
    profile: r.profile,
  };
}

/** A job's state as the batch view shows it; `active`: a run of it is going on in this process. */
export function progressView(
  p: BatchProgress | null,
  job: JobInfo,
  active: boolean,
  stopped: ClearanceError | null = null,
): BatchProgressView {
  const counts = p?.counts ?? job.counts;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const state: BatchProgressView['state'] = active
    ? p?.paused
      ? 'paused'
      : 'running'
    : job.status === 'finished'
      ? 'finished'
      : job.status === 'cancelled'
        ? 'cancelled'
        : job.status === 'stopped'
          ? 'stopped'
          : job.status === 'paused'
            ? 'paused'
            : counts.pending + counts.running === 0
              ? 'finished'
              : 'stopped';
  return {
    jobId: job.id,
    state,
    counts,
    total,
    callsPerSecond: p?.callsPerSecond ?? 0,
    etaSeconds: p?.etaSeconds ?? null,
    stoppedBy: stopped,
    ...runTotals(p, job, active),
    source: job.source,
    createdAt: job.createdAt,
  };
}

/** Running time and average rate over every run; the run under way adds its own so far. */
function runTotals(p: BatchProgress | null, job: JobInfo, active: boolean) {
  const elapsedMs = job.runMs + (active && p ? p.elapsedMs : 0);
  // The live run's calls are not in the job's totals yet: its rate is the live one.
  const calls = job.calls;
  return {
    elapsedMs,
    averageCallsPerSecond: job.runMs > 0 ? Math.round((calls / job.runMs) * 10_000) / 10 : 0,
  };
}

export const preparedOrders = (p: ParsedOrders): PreparedOrders => ({
  valid: p.orderIds,
  duplicates: p.duplicates,
  invalid: p.invalid.map(({ line, preview, reason }) => ({
    line,
    preview,
    reason,
    message: clearanceError(reason).message,
  })),
  skipped: p.skipped.map(({ line, why }) => ({ line, why })),
  column: p.column ? { number: p.column.index + 1, name: p.column.name } : null,
});

/** The records list's filter, as the vault's query. */
export function vaultQuery(q: {
  text?: string | undefined;
  flags?: RecordFlag[] | undefined;
  fetchedFrom?: string | undefined;
  fetchedTo?: string | undefined;
  sort?: RecordQuery['sort'] | undefined;
  order?: RecordQuery['order'] | undefined;
}): Omit<RecordQuery, 'offset' | 'limit'> {
  return {
    ...(q.text ? { text: q.text } : {}),
    ...(q.flags ? { flags: q.flags } : {}),
    ...(q.fetchedFrom ? { fetchedFrom: q.fetchedFrom } : {}),
    ...(q.fetchedTo ? { fetchedTo: q.fetchedTo } : {}),
    sort: q.sort ?? 'fetchedAt',
    order: q.order ?? 'desc',
  };
}

/**
 * What a gateway answer says about the profile's session (`null` error: the call succeeded):
 * a refused session marks it; any answer that got past the session check clears an old mark.
 */
export function sessionLesson(
  error: Pick<ClearanceError, 'kind' | 'reason'> | null,
  markedNow: boolean,
): 'mark' | 'clear' | null {
  if (error && needsReauthFor(error)) return 'mark';
  if (markedNow && (!error || error.kind === 'business')) return 'clear';
  return null;
}

export const findingView = (f: Finding): FindingView => ({
  orderId: f.orderId,
  code: f.code,
  text: both(f.message),
});

/** The sheet row as the card shows it: consignee and phone masked. */
export function sheetRowView(f: OrderFacts | undefined): SheetRowView | null {
  if (!f) return null;
  return {
    waybill: f.waybill ?? null,
    maskedConsignee: f.consignee !== undefined ? maskName(f.consignee) : null,
    maskedPhone: f.phone !== undefined ? maskPhone(f.phone) : null,
    amountFen: f.amountFen ?? null,
    paymentNo: f.paymentNo ?? null,
    orderTime: f.orderTime ?? null,
  };
}
