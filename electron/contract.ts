/**
 * The IPC contract: every channel between the renderer and the main process, in one table.
 * Main registers a handler per entry (electron/main/ipc.ts), the preload builds `window.clearance`
 * from it, and the renderer imports its types only. Adding a channel is adding one entry.
 *
 * Every reply is a Result value: errors cross the boundary typed, never as thrown exceptions.
 * Secrets never travel here in a reply; personal data leaves main only in the replies that exist
 * to show it (`record.reveal`, `record.copy`), and those are audited.
 */
import { z } from 'zod';
import type { ClearanceError, ErrorKind, Lang } from './core/errors';
import { GATEWAY_RULE, isGatewaySetting } from './core/settings/schema';

// ---- shared value types --------------------------------------------------------------------

export type Reply<T> = { ok: true; value: T } | { ok: false; error: ClearanceError };

export type Bilingual = { 'zh-CN': string; 'en-US': string };

import {
  type AccountBadge,
  AUDIT_ACTIONS,
  CHECK_LIMITS,
  EXPORT_SPLIT,
  type ExpiryStatus,
  FIELD,
  FINDING_CODES,
  type FindingCode,
  type ItemState,
  type JobState,
  LANGUAGES,
  ORDER_ID_PATTERN,
  PROFILE_NAME_PATTERN,
  QPS,
  RECORD_FLAGS,
  RETENTION,
  type RecordFlag,
  type SessionHealth,
  SIGN_METHODS,
  type SignMethod,
} from './core/rules';

export type { AccountBadge, ExpiryStatus, FindingCode, RecordFlag, SessionHealth };

/** What a check before declaring found on an order (never a name or a full ID number). */
export interface FindingView {
  orderId: string;
  code: FindingCode;
  text: Bilingual;
}

/** An order's row on the imported order sheet, masked as an identity is. */
export interface SheetRowView {
  waybill: string | null;
  maskedConsignee: string | null;
  maskedPhone: string | null;
  amountFen: number | null;
  paymentNo: string | null;
  orderTime: string | null;
}

export interface WaitingView {
  orderId: string;
  since: string;
  checkedAt: string;
  checks: number;
  onSheet: boolean;
  message: Bilingual;
}

/** A clearance card as the renderer shows it: masked, with display-ready texts. */
export interface CardView {
  orderId: string;
  maskedName: string;
  maskedIdNumber: string;
  typeLabel: Bilingual;
  idFormLabel: Bilingual;
  expiry: { raw: string; date: string | null; status: ExpiryStatus; daysLeft: number | null };
  warnings: { code: string; text: Bilingual }[];
  /** URLs the renderer may load: served from the vault by main, never the gateway's URLs. */
  images: { front: string | null; back: string | null };
  fetchedAt: string;
  firstFetchedAt: string;
  profile: string;
  source: 'vault' | 'gateway';
  demo: boolean;
  /** The checks before declaring, against today (the lookup bar's card always has them). */
  findings?: FindingView[];
  /** The order's row on the imported sheet; null when it has none. */
  sheet?: SheetRowView | null;
}

export interface RecordRow {
  orderId: string;
  maskedName: string;
  maskedIdNumber: string;
  expiryStatus: ExpiryStatus;
  expiry: string;
  flags: RecordFlag[];
  fetchedAt: string;
  profile: string;
}

export interface ProfileView {
  name: string;
  displayName: string;
  appKey: string;
  gateway: string;
  signMethod: SignMethod;
  targetAppKey: string | null;
  sessionExpiresAt: string | null;
  qps: number;
  /** Flags only: the values never leave the keychain. */
  hasSecret: boolean;
  hasSession: boolean;
  health: SessionHealth;
  /** What to show: the health, or `untested` / `signature-refused` from the last test or lookup. */
  badge: AccountBadge;
  /** When and how the gateway last answered for this account in this session of the app. */
  lastCheck: { at: string; via: 'test' | 'lookup' } | null;
  isDefault: boolean;
  /** The callback registered on the open platform (null: none set; the default is used). */
  redirectUri: string | null;
  /** A refresh token is stored: the session can be renewed without the browser. */
  hasRefreshToken: boolean;
  /** The earliest relevant expiry (Beijing time with offset) and whole days left (0: under a day). */
  sessionExpiry: string | null;
  sessionDaysLeft: number | null;
  /** What the last authorisation said (never a token). */
  authorization: AuthorizationView | null;
}

/** The facts of an authorisation, as absolute Beijing times (`2026-12-02T14:00:00+08:00`). */
export interface AuthorizationView {
  userNick: string | null;
  userId: string | null;
  obtainedAt: string;
  expiresAt: string | null;
  refreshExpiresAt: string | null;
  r1ExpiresAt: string | null;
  r2ExpiresAt: string | null;
  w1ExpiresAt: string | null;
  w2ExpiresAt: string | null;
  via: 'authorize' | 'refresh';
}

/** An authorisation under way: the URL the system browser was sent to (no secret in it). */
export interface AuthorizeStarted {
  url: string;
  redirectUri: string;
  /** The app listens on a loopback callback; otherwise the user pastes the landed URL or the code. */
  listening: boolean;
  /** The system browser was asked to open the URL (false: show it to be opened by hand). */
  opened: boolean;
}

export interface Preferences {
  language: Lang;
  retentionDays: number;
  imageRetentionDays: number | null;
  auditRetentionDays: number;
  expiringSoonDays: number;
  watermarkText: string;
  downloadImagesByDefault: boolean;
  /** Combined export PDFs split every this many orders; null: one file. */
  exportSplitEvery?: number | null;
  /** Warn this many days before a session expires. */
  sessionWarnDays: number;
  /** The checks before declaring (fen: ¥5,000.00 is 500000). Main always sends these four. */
  orderLimitFen?: number;
  annualLimitFen?: number;
  sharedIdNames?: number;
  /** Orders waiting for their identity are asked again this often while the app is open (0: never). */
  waitingRecheckMinutes?: number;
}

export interface AppStatus {
  version: string;
  demo: boolean;
  online: boolean;
  activeProfile: ProfileView | null;
  hasProfiles: boolean;
  preferences: Preferences;
  /** A problem that blocks work (keychain unreachable, vault key missing), in words. */
  blocker: ClearanceError | null;
}

export interface AuditRow {
  id: number;
  at: string;
  action: string;
  osUser: string;
  host: string;
  profile: string | null;
  orderIds: string[];
  detail: Record<string, string | number | boolean>;
}

export interface ConnectionReport {
  reachable: boolean;
  signatureAccepted: boolean;
  sessionValid: boolean;
  clockSkewSeconds: number | null;
  messages: Bilingual[];
}

export type BatchItemState = ItemState;

export interface BatchProgress {
  jobId: string;
  state: JobState;
  counts: Record<BatchItemState, number>;
  total: number;
  callsPerSecond: number;
  etaSeconds: number | null;
  /** Why the job stopped (an auth failure stops it). */
  stoppedBy: ClearanceError | null;
  /** Running time over all runs (pauses left out), including the run under way. */
  elapsedMs: number;
  /** Calls per second over all runs: the rate shown once the job has ended. */
  averageCallsPerSecond: number;
  /** Where the orders came from (a file name, `app`) and when the job was made. */
  source: string;
  createdAt: string;
}

/** An ended job's summary beside its counts: how many finished orders have an ID problem. */
export interface BatchSummary {
  jobId: string;
  done: { expired: number; invalid: number };
  /** Skipped orders were already in the vault: their stored record's validity. */
  skipped: { expired: number; invalid: number };
}

export interface BatchItemView {
  orderId: string;
  state: BatchItemState;
  errorKind: ErrorKind | null;
  message: Bilingual | null;
}

/** Order ids read from a paste or a file, before a batch starts. */
export interface PreparedOrders {
  valid: string[];
  /** Repeats dropped (the first of each kept). */
  duplicates: number;
  /** Entries that are not order ids: where, a safe preview (digits and punctuation only), and why. */
  invalid: { line: number; preview: string; reason: string; message: Bilingual }[];
  /** Lines left out that held no order id: a heading or label, a row with an empty order id cell. */
  skipped: { line: number; why: 'heading' | 'empty-cell' }[];
  /** The sheet column the ids were read from (1-based), with its heading when it has one. */
  column: { number: number; name: string | null } | null;
}

export interface ExportProgress {
  exportId: string;
  done: number;
  total: number;
  state: 'running' | 'finished' | 'failed' | 'cancelled';
  destination: string | null;
  /** Every file written, by its final path (when finished). */
  files: string[];
  warnings: Bilingual[];
}

// ---- request schemas ------------------------------------------------------------------------

// Built from core/rules.ts, as the settings schema is: one rule per field, whoever checks it.
const orderIdText = z.string().regex(ORDER_ID_PATTERN);
const orderIds = z.array(orderIdText).max(100_000);
const profileName = z.string().regex(PROFILE_NAME_PATTERN);
const empty = z.object({}).strict();
/** A whole number within a rule's range (days, minutes, fen). */
const days = (rule: { min: number; max: number }) => z.number().int().min(rule.min).max(rule.max);

/** What the records list filters and sorts by (the vault's search criteria). */
const recordFilter = z.object({
  text: z.string().max(FIELD.searchText.max).optional(),
  flags: z.array(z.enum(RECORD_FLAGS)).max(RECORD_FLAGS.length).optional(),
  fetchedFrom: z.string().date().optional(),
  fetchedTo: z.string().date().optional(),
  sort: z.enum(['fetchedAt', 'orderId', 'expiry']).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  /** Only records with this finding of the checks before declaring. */
  finding: z.enum(FINDING_CODES).optional(),
});

/**
 * A patch names only the fields it changes. No field has a default here (the defaults are the
 * settings schema's): zod's `.partial()` would still fill a defaulted field in, and a one-field
 * patch would reset the others.
 */
const preferencesPatch = z
  .object({
    language: z.enum(LANGUAGES),
    retentionDays: days(RETENTION.retentionDays),
    imageRetentionDays: days(RETENTION.imageRetentionDays).nullable(),
    auditRetentionDays: days(RETENTION.auditRetentionDays),
    expiringSoonDays: days(RETENTION.expiringSoonDays),
    watermarkText: z.string().trim().min(FIELD.watermark.min).max(FIELD.watermark.max),
    downloadImagesByDefault: z.boolean(),
    exportSplitEvery: z.number().int().min(EXPORT_SPLIT.min).max(EXPORT_SPLIT.max).nullable(),
    sessionWarnDays: days(RETENTION.sessionWarnDays),
    orderLimitFen: days(CHECK_LIMITS.orderLimitFen),
    annualLimitFen: days(CHECK_LIMITS.annualLimitFen),
    sharedIdNames: days(CHECK_LIMITS.sharedIdNames),
    waitingRecheckMinutes: days(CHECK_LIMITS.waitingRecheckMinutes).refine(
      (m) => m === 0 || m >= CHECK_LIMITS.waitingRecheckMinutes.shortest,
      `0 (off) or ${CHECK_LIMITS.waitingRecheckMinutes.shortest}–${CHECK_LIMITS.waitingRecheckMinutes.max} minutes`,
    ),
  })
  .partial()
  .strict();

/** Team mode as Settings → Team and the status bar show it; never a password or the team key. */
export interface TeamView {
  joined: boolean;
  /** 'off' outside a team; 'syncing'; 'synced' (outbox empty); 'pending' (changes waiting); 'offline'; 'problem'. */
  state: 'off' | 'syncing' | 'synced' | 'pending' | 'offline' | 'problem';
  server: string | null;
  deskLabel: string | null;
  lastSync: string | null;
  outbox: number;
  desks: { label: string; osUser: string; host: string; lastSeen: string; self: boolean }[];
  problem: ClearanceError | null;
}

const teamServer = z
  .object({
    server: z.string().trim().min(1).max(500),
    ca: z.string().max(1000).optional(),
    name: z.string().trim().min(1).max(60).optional(),
    /** Write-only, like the profile secrets: stored in the keychain, never sent back. */
    password: z.string().max(512).optional(),
  })
  .strict();

/** The channel table. `reply` is a phantom: the type the handler returns inside `Reply<…>`. */
const reply = <T>() => undefined as unknown as T;

export const CHANNELS = {
  'app.status': { request: empty, reply: reply<AppStatus>() },
  'demo.enable': { request: empty, reply: reply<AppStatus>() },

  'lookup.get': {
    request: z.object({ input: z.string().max(200), refresh: z.boolean(), needImage: z.boolean() }).strict(),
    reply: reply<CardView>(),
  },
  'record.reveal': {
    request: z.object({ orderId: orderIdText }).strict(),
    reply: reply<{ name: string; idNumber: string }>(),
  },
  'record.copy': {
    request: z.object({ orderId: orderIdText, field: z.enum(['orderId', 'name', 'idNumber']) }).strict(),
    reply: reply<{ text: string }>(),
  },
  'record.print': { request: z.object({ orderId: orderIdText }).strict(), reply: reply<{ audited: true }>() },
  'records.search': {
    request: recordFilter
      .extend({ offset: z.number().int().min(0), limit: z.number().int().min(1).max(500) })
      .strict(),
    /**
     * `text` of 18 characters with a right check character is a full ID number: matched exactly
     * (in a team, the team's records too, by the blind index) and audited (`search`); the reply
     * says so with `idNumber`.
     */
    reply: reply<{
      rows: RecordRow[];
      total: number;
      idNumber?: { team: 'off' | 'searched' | 'unreachable' };
    }>(),
  },
  /** Every order id matching a filter, in list order (select all, then export or forget). */
  'records.ids': { request: recordFilter.strict(), reply: reply<{ orderIds: string[] }>() },
  'records.forget': { request: z.object({ orderIds }).strict(), reply: reply<{ count: number }>() },

  'export.start': {
    request: z
      .object({
        orderIds: z.union([orderIds, z.literal('all')]),
        mode: z.enum(['combined', 'per-order']),
        images: z.boolean(),
        manifest: z.enum(['none', 'csv', 'xlsx']),
        mask: z.boolean(),
        /** A built-in manifest template (default, ceb621, images-only) or the path of a template .json file. */
        template: z.string().min(1).max(1000).optional(),
        /** One ZIP for the broker (manifest, combined PDF, images, checks.txt) instead of loose files. */
        package: z.boolean().optional(),
        /** Split the combined PDF every this many orders. */
        split: z.number().int().min(1).max(100_000).optional(),
        /** Refuse to export when the order sheet checks found anything. */
        strict: z.boolean().optional(),
        /** The batch job the orders come from: its failed orders are listed in the manifest with their reason. */
        batchJob: z.string().max(64).optional(),
      })
      .strict(),
    reply: reply<{ exportId: string } | { cancelledByUser: true }>(),
  },
  'export.cancel': {
    request: z.object({ exportId: z.string().max(64) }).strict(),
    reply: reply<{ cancelled: boolean }>(),
  },
  /** Shows a finished export's folder in the system's file manager (by export id, never a path). */
  'export.openFolder': {
    request: z.object({ exportId: z.string().max(64) }).strict(),
    reply: reply<{ opened: boolean }>(),
  },

  'batch.prepare': {
    request: z.object({ text: z.string().max(5_000_000) }).strict(),
    reply: reply<PreparedOrders>(),
  },
  'batch.importFile': {
    request: z.object({ column: z.string().max(100).optional() }).strict(),
    reply: reply<
      | ({ kind: 'ids'; fileName: string } & PreparedOrders)
      | { kind: 'choose-column'; fileName: string; columns: string[] }
      | { cancelledByUser: true }
    >(),
  },
  'batch.start': {
    request: z.object({ orderIds, needImage: z.boolean(), refresh: z.boolean() }).strict(),
    reply: reply<{ jobId: string }>(),
  },
  'batch.control': {
    request: z
      .object({ jobId: z.string().max(64), action: z.enum(['pause', 'resume', 'cancel', 'retry-failed']) })
      .strict(),
    reply: reply<BatchProgress>(),
  },
  /** A job's order ids in one state (done or skipped: to export; failed: to copy or look into), in input order. */
  'batch.doneIds': {
    request: z
      .object({ jobId: z.string().max(64), state: z.enum(['done', 'failed', 'skipped']).optional() })
      .strict(),
    reply: reply<{ orderIds: string[] }>(),
  },
  'batch.list': { request: empty, reply: reply<BatchProgress[]>() },
  'batch.summary': {
    request: z.object({ jobId: z.string().max(64) }).strict(),
    reply: reply<BatchSummary>(),
  },
  'batch.items': {
    request: z
      .object({
        jobId: z.string().max(64),
        offset: z.number().int().min(0),
        limit: z.number().int().min(1).max(1000),
        /** Only the orders in this state (the "failed only" view). */
        state: z.enum(['pending', 'running', 'done', 'failed', 'skipped']).optional(),
      })
      .strict(),
    reply: reply<{ items: BatchItemView[]; total: number }>(),
  },

  /** Import the order sheet: the host's file dialog, or a file dropped on the page (its bytes). */
  'orders.import': {
    request: z
      .object({
        map: z.array(z.string().max(200)).max(20).optional(),
        dropped: z
          .object({ name: z.string().min(1).max(255), base64: z.string().max(70_000_000) })
          .strict()
          .optional(),
      })
      .strict(),
    reply: reply<
      | {
          kind: 'imported';
          fileName: string;
          rows: number;
          new: number;
          changed: number;
          unchanged: number;
          repeated: number;
          ignored: string[];
          /** The sheet's orders the vault has no identity for yet (for a batch lookup). */
          withoutIdentity: string[];
        }
      | { kind: 'choose-column'; fileName: string; message: Bilingual; columns: string[] }
      | { kind: 'bad-rows'; fileName: string; rows: { row: number; field: string; text: Bilingual }[] }
      | { cancelledByUser: true }
    >(),
  },
  'orders.waiting': { request: empty, reply: reply<{ items: WaitingView[] }>() },
  /** Ask the gateway again for the waiting orders, as a batch job (null: nothing is waiting). */
  'orders.recheck': { request: empty, reply: reply<{ jobId: string | null; orders: number }>() },
  'checks.list': {
    request: z.object({ scope: z.enum(['orders', 'sheet', 'all']), orderIds: orderIds.optional() }).strict(),
    reply: reply<{
      declarationDate: string;
      orders: number;
      counts: Record<FindingCode, number>;
      findings: FindingView[];
    }>(),
  },

  'settings.get': { request: empty, reply: reply<{ profiles: ProfileView[]; preferences: Preferences }>() },
  'settings.setPreferences': { request: preferencesPatch, reply: reply<Preferences>() },
  'profile.save': {
    request: z
      .object({
        name: profileName,
        displayName: z.string().trim().max(FIELD.displayName.max),
        appKey: z.string().trim().min(FIELD.appKey.min).max(FIELD.appKey.max),
        // The settings' own rule: named gateways, demo, https, or http to this machine only.
        gateway: z.string().max(FIELD.gatewayUrl.max).refine(isGatewaySetting, GATEWAY_RULE),
        signMethod: z.enum(SIGN_METHODS),
        targetAppKey: z.string().trim().max(FIELD.targetAppKey.max).nullable(),
        sessionExpiresAt: z.string().date().nullable(),
        qps: z.number().int().min(QPS.min).max(QPS.max),
        /** Absent: unchanged; null: removed. The settings schema checks the URL. */
        redirectUri: z.string().trim().max(FIELD.redirectUri.max).nullable().optional(),
      })
      .strict(),
    reply: reply<ProfileView>(),
  },
  /** Write-only: the renderer can set a secret, never read one back. */
  'profile.setSecrets': {
    request: z
      .object({
        name: profileName,
        appSecret: z.string().min(FIELD.appSecret.min).max(FIELD.appSecret.max).optional(),
        session: z.string().min(FIELD.session.min).max(FIELD.session.max).optional(),
      })
      .strict(),
    reply: reply<ProfileView>(),
  },
  'profile.remove': {
    request: z.object({ name: profileName }).strict(),
    reply: reply<{ removed: boolean }>(),
  },
  'profile.use': { request: z.object({ name: profileName }).strict(), reply: reply<AppStatus>() },
  'profile.test': { request: z.object({ name: profileName }).strict(), reply: reply<ConnectionReport>() },
  /**
   * Start authorising an account: the system browser opens the authorize URL. With a loopback
   * callback main listens and finishes on its own (event `profile.authorized`); otherwise the user
   * pastes the landed URL or the code (`profile.authorizeComplete`).
   */
  'profile.authorizeStart': {
    request: z
      .object({ name: profileName, redirectUri: z.string().trim().max(FIELD.redirectUri.max).optional() })
      .strict(),
    reply: reply<AuthorizeStarted>(),
  },
  /** The landed URL or the bare code, pasted; the state is checked against the authorisation under way. */
  'profile.authorizeComplete': {
    request: z.object({ name: profileName, input: z.string().min(1).max(2000) }).strict(),
    reply: reply<ProfileView>(),
  },
  'profile.authorizeCancel': {
    request: z.object({ name: profileName }).strict(),
    reply: reply<{ cancelled: boolean }>(),
  },
  /** Renew the session with the stored refresh token (once; a refusal means re-authorise). */
  'profile.refresh': { request: z.object({ name: profileName }).strict(), reply: reply<ProfileView>() },

  'audit.list': {
    request: z
      .object({
        since: z.string().date().optional(),
        until: z.string().date().optional(),
        action: z.enum(AUDIT_ACTIONS).optional(),
        orderId: orderIdText.optional(),
        /** A prefix or suffix of an order id. */
        orderIdPart: orderIdText.optional(),
        /** A full ID number; matched by its keyed hash (the number is never stored in the log). */
        idNumber: z
          .string()
          .regex(/^\d{17}[\dXx]$/)
          .optional(),
        osUser: z.string().min(1).max(64).optional(),
        host: z.string().min(1).max(255).optional(),
        limit: z.number().int().min(1).max(1000),
      })
      .strict(),
    reply: reply<AuditRow[]>(),
  },
  'vault.purge': { request: empty, reply: reply<{ records: number; images: number; audit: number }>() },
  /**
   * The audit search's table as an Excel file (the core's XLSX writer: every cell text), where the
   * user chooses; the page sends the rows as it shows them (in its language), never a path.
   */
  'audit.exportXlsx': {
    request: z
      .object({
        headers: z.array(z.string().max(100)).min(1).max(12),
        rows: z.array(z.array(z.string().max(20_000)).max(12)).max(1000),
      })
      .strict(),
    reply: reply<{ written: boolean; rows: number; fileName: string | null }>(),
  },
  /** How many records a purge now would delete (older than the retention period), before asking. */
  'vault.purgePreview': { request: empty, reply: reply<{ records: number; retentionDays: number }>() },

  'team.status': { request: empty, reply: reply<TeamView>() },
  'team.sync': { request: empty, reply: reply<TeamView>() },
  /** Creates the team on the server; the join code is in this reply only, shown once. */
  'team.init': { request: teamServer, reply: reply<TeamView & { joinCode: string }>() },
  'team.join': {
    request: teamServer.extend({ joinCode: z.string().trim().min(10).max(200) }).strict(),
    reply: reply<TeamView>(),
  },
  'team.leave': { request: empty, reply: reply<TeamView>() },
} as const;

/** Events main pushes to the renderer. */
export interface EventPayloads {
  'batch.progress': BatchProgress;
  'export.progress': ExportProgress;
  'app.status': AppStatus;
  /** A loopback authorisation finished (or failed) in main. */
  'profile.authorized': { name: string } & (
    | { ok: true; profile: ProfileView }
    | { ok: false; error: ClearanceError }
  );
  'team.status': TeamView;
}

export type Channel = keyof typeof CHANNELS;
export type RequestOf<C extends Channel> = z.input<(typeof CHANNELS)[C]['request']>;
export type ReplyOf<C extends Channel> = (typeof CHANNELS)[C]['reply'];
export type EventName = keyof EventPayloads;

export { ipcName } from './ipc-wire';

/** What the preload exposes as `window.clearance`. */
export interface ClearanceApi {
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Reply<ReplyOf<C>>>;
  /** Returns the function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

export const CHANNEL_NAMES = Object.keys(CHANNELS) as Channel[];
