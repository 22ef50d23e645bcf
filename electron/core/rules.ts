/**
 * The rules every layer shares, each in one place: what a field may hold, the names the product
 * knows (sign methods, gateways, audit actions, flags, states), the defaults that are not a
 * settings concern, and the words each state is shown with. No imports of any kind — no zod, no
 * Node — so the renderer, the contract, the settings schema, the command and the export all read
 * the same values. Schemas are built from these rules where they are used (contract.ts,
 * settings/schema.ts); nothing here validates by itself beyond a pattern test.
 */

// ---- order ids ----------------------------------------------------------------------------

/** An order id after normalisation: 1–20 decimal digits (ids exceed 2^53: never a Number). */
export const ORDER_ID_DIGITS = '\\d{1,20}';
export const ORDER_ID_PATTERN = new RegExp(`^${ORDER_ID_DIGITS}$`);

declare const orderIdBrand: unique symbol;
/**
 * A normalised order id. Only the normaliser (core/gateway/order-id.ts) makes one, so a value of
 * this type has been through it; everything else that holds an id as text checks the pattern.
 */
export type OrderId = string & { readonly [orderIdBrand]: true };

/** The pattern test for ids that arrive already normalised (IPC payloads, URLs, files). */
export const isOrderIdText = (s: string): boolean => ORDER_ID_PATTERN.test(s);

// ---- profiles -----------------------------------------------------------------------------

/** A profile's name is its id (keychain account names, `--profile`): short, ASCII, no separators. */
export const PROFILE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;
export const PROFILE_NAME_RULE =
  'letters, digits, "_", "." or "-", at most 40, starting with a letter or digit';
export const PROFILE_NAME_MAX = 40;
/** The same rule as an HTML `pattern` attribute (anchored by the browser, compiled with the `v` flag). */
export const PROFILE_NAME_HTML_PATTERN = '[A-Za-z0-9][A-Za-z0-9_.\\-]{0,39}';

export const SIGN_METHODS = ['md5', 'hmac', 'hmac-sha256'] as const;
export type SignMethod = (typeof SIGN_METHODS)[number];
export const DEFAULT_SIGN_METHOD: SignMethod = 'hmac-sha256';

/** The gateways known by name; any other gateway is an http(s) URL. */
export const GATEWAY_NAMES = ['production', 'overseas', 'demo'] as const;
export type GatewayName = (typeof GATEWAY_NAMES)[number];
export const DEFAULT_GATEWAY: GatewayName = 'production';

/** Gateway calls per second a batch may make for an account, retries included. */
export const QPS = { default: 10, min: 1, max: 1000 } as const;

/** What a new profile starts with when the user names nothing else (the form, the command, the file). */
export const PROFILE_DEFAULTS = {
  gateway: DEFAULT_GATEWAY,
  signMethod: DEFAULT_SIGN_METHOD,
  qps: QPS.default,
  displayName: '',
} as const;

/** Lengths of the text fields, in characters. */
export const FIELD = {
  displayName: { max: 80 },
  appKey: { min: 1, max: 64 },
  targetAppKey: { max: 64 },
  appSecret: { min: 1, max: 256 },
  session: { min: 1, max: 512 },
  gatewayUrl: { max: 300 },
  redirectUri: { max: 300 },
  watermark: { min: 1, max: 40 },
  searchText: { max: 100 },
} as const;

/** The export's watermark unless the user set another (the settings and the export share it). */
export const DEFAULT_WATERMARK = '仅供清关使用';

// ---- preferences --------------------------------------------------------------------------

export const LANGUAGES = ['zh-CN', 'en-US'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Day counts the preferences accept (their defaults are the settings schema's). */
export const RETENTION = {
  retentionDays: { min: 1, max: 3650 },
  imageRetentionDays: { min: 1, max: 3650 },
  auditRetentionDays: { min: 1, max: 3650 },
  expiringSoonDays: { min: 1, max: 365 },
  /** A session known to expire within this many days is flagged. */
  sessionWarnDays: { min: 1, max: 90 },
} as const;

/** Combined export PDFs split every this many orders. */
export const EXPORT_SPLIT = { min: 1, max: 100_000 } as const;

/** What the checks before declaring can find, in the order a report lists them. */
export const FINDING_CODES = [
  'name-mismatch',
  'over-order-limit',
  'over-annual-limit',
  'shared-id',
  'expires-before-declaration',
  'no-identity',
  'no-sheet-row',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

/** The manifest templates the export has built in (core/export/template.ts defines each). */
export const BUILT_IN_TEMPLATE_NAMES = ['default', 'ceb621', 'images-only'] as const;
export type BuiltInTemplateName = (typeof BUILT_IN_TEMPLATE_NAMES)[number];

/** The ranges of the checks before declaring (amounts in fen). */
export const CHECK_LIMITS = {
  orderLimitFen: { min: 1, max: 1_000_000_000 },
  annualLimitFen: { min: 1, max: 10_000_000_000 },
  sharedIdNames: { min: 2, max: 100 },
  /**
   * Minutes between rechecks of the waiting orders; 0: never. Otherwise at least `shortest`: a
   * recheck is a batch job at the account's rate, and the list should leave room for other work.
   */
  waitingRecheckMinutes: { min: 0, max: 1440, shortest: 5 },
} as const;

/** A full ID number as a search takes it: 17 digits and a check character (a lower-case x is fine). */
export const ID_NUMBER_PATTERN = /^\d{17}[\dXx]$/;

// ---- names the vault and the audit log know -----------------------------------------------

export const AUDIT_ACTIONS = [
  'fetch',
  'reveal',
  'copy',
  'export',
  'print',
  'forget',
  'purge',
  'batch',
  'import',
  /** An exact search by a full ID number: who looked a person up (the number only as its keyed hash). */
  'search',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const RECORD_FLAGS = ['expired', 'expiring', 'invalid', 'no-images'] as const;
export type RecordFlag = (typeof RECORD_FLAGS)[number];

export const EXPIRY_STATUSES = ['valid', 'expiring', 'expired', 'long-term', 'unparsed'] as const;
export type ExpiryStatus = (typeof EXPIRY_STATUSES)[number];

export const SESSION_HEALTHS = ['ok', 'expiring', 'expired', 'needs-reauth', 'missing'] as const;
export type SessionHealth = (typeof SESSION_HEALTHS)[number];

/**
 * An account's badge: its session's health, except that an account never checked against the
 * gateway (no test, no lookup) is `untested`, and one whose signature was refused says so.
 */
export const ACCOUNT_BADGES = [...SESSION_HEALTHS, 'untested', 'signature-refused'] as const;
export type AccountBadge = (typeof ACCOUNT_BADGES)[number];

/** A batch job as the desk shows it. */
export const JOB_STATES = ['running', 'paused', 'stopped', 'cancelled', 'finished'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** One order of a batch job. */
export const ITEM_STATES = ['pending', 'running', 'done', 'failed', 'skipped'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

// ---- labels -------------------------------------------------------------------------------

/** A label in both languages; English in lower case, as it reads inside a sentence. */
export interface Label {
  zh: string;
  en: string;
}

export const EXPIRY_STATUS_LABELS: Record<ExpiryStatus, Label> = {
  valid: { zh: '有效', en: 'valid' },
  expiring: { zh: '即将过期', en: 'expiring soon' },
  expired: { zh: '已过期', en: 'expired' },
  'long-term': { zh: '长期有效', en: 'long-term' },
  unparsed: { zh: '无法识别', en: 'unreadable' },
};

export const RECORD_FLAG_LABELS: Record<RecordFlag, Label> = {
  expired: { zh: '已过期', en: 'expired' },
  expiring: { zh: '即将过期', en: 'expiring soon' },
  invalid: { zh: '校验未通过', en: 'failed validation' },
  'no-images': { zh: '无照片', en: 'no images' },
};

export const SESSION_HEALTH_LABELS: Record<SessionHealth, Label> = {
  ok: { zh: '授权正常', en: 'session OK' },
  expiring: { zh: '授权即将过期', en: 'session expiring soon' },
  expired: { zh: '授权已过期', en: 'session expired' },
  'needs-reauth': { zh: '需要重新授权', en: 're-authorisation needed' },
  missing: { zh: '未设置授权', en: 'no session key' },
};

export const ACCOUNT_BADGE_LABELS: Record<AccountBadge, Label> = {
  ...SESSION_HEALTH_LABELS,
  untested: { zh: '未测试', en: 'not tested' },
  'signature-refused': { zh: '签名被拒绝', en: 'signature refused' },
};

export const JOB_STATE_LABELS: Record<JobState, Label> = {
  running: { zh: '进行中', en: 'running' },
  paused: { zh: '已暂停', en: 'paused' },
  stopped: { zh: '已停止', en: 'stopped' },
  cancelled: { zh: '已取消', en: 'cancelled' },
  finished: { zh: '已完成', en: 'finished' },
};

export const ITEM_STATE_LABELS: Record<ItemState, Label> = {
  pending: { zh: '待处理', en: 'pending' },
  running: { zh: '查询中', en: 'looking up' },
  done: { zh: '完成', en: 'done' },
  failed: { zh: '失败', en: 'failed' },
  skipped: { zh: '跳过', en: 'skipped' },
};

/** The label in one language (`zh-CN` / `en-US`, as the settings name them). */
export const labelIn = (label: Label, lang: Language): string => (lang === 'en-US' ? label.en : label.zh);

// ---- failures -----------------------------------------------------------------------------

const DISK_FULL_CODES: readonly string[] = ['ENOSPC', 'EDQUOT', 'SQLITE_FULL'];

/** A write failed because the disk (or the user's quota) is full: the file system's or SQLite's word for it. */
export function diskFull(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && DISK_FULL_CODES.includes(code);
}
