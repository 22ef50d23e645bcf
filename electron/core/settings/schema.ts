import { z } from 'zod';
import { resolveGatewayUrl } from '../gateway/client';
import {
  CHECK_LIMITS,
  DEFAULT_WATERMARK,
  EXPORT_SPLIT,
  FIELD,
  GATEWAY_NAMES,
  LANGUAGES,
  PROFILE_DEFAULTS,
  PROFILE_NAME_PATTERN,
  PROFILE_NAME_RULE,
  QPS,
  RETENTION,
  SIGN_METHODS,
} from '../rules';

/**
 * The one schema of the settings file (profiles and preferences), built from core/rules.ts; the
 * defaults of the preferences are this file's. Secrets are not part of it: unknown keys are
 * dropped on every read, so nothing secret can ride along even if written by hand.
 */

export { GATEWAY_NAMES, LANGUAGES };

export const profileNameSchema = z.string().regex(PROFILE_NAME_PATTERN, PROFILE_NAME_RULE);

/** A gateway setting: a named gateway, `demo`, an https URL, or plain http to this machine only. */
export const isGatewaySetting = (v: string) => v === 'demo' || resolveGatewayUrl(v).ok;

export const GATEWAY_RULE =
  'production | overseas | demo | an https URL (http only to 127.0.0.1 / localhost)';

export const gatewaySchema = z.string().refine(isGatewaySetting, GATEWAY_RULE);

/** The server a gateway setting reaches (scheme, host and port); `demo` is the built-in simulator. */
export function gatewayOrigin(v: string): string | null {
  if (v === 'demo') return 'demo';
  const r = resolveGatewayUrl(v);
  return r.ok ? new URL(r.value).origin : null;
}

/**
 * Secrets entered for one server are never sent to another: a profile whose gateway moves to
 * another origin loses its App Secret and session (see SettingsStore.changeProfile).
 */
export const sameGatewayServer = (a: string, b: string) => gatewayOrigin(a) === gatewayOrigin(b);

/** A calendar date, YYYY-MM-DD (the session's expiry as the user read it off the authorisation page). */
export const isoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
  .refine(
    (v) =>
      !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
    'a real date',
  );

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A callback URL: https, or plain http to this machine only (where the app's own listener waits). */
export const redirectUriSchema = z
  .string()
  .trim()
  .max(FIELD.redirectUri.max)
  .refine((v) => {
    try {
      const u = new URL(v);
      if (u.username || u.password || u.hash) return false;
      return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname));
    } catch {
      return false;
    }
  }, 'https://… or http://127.0.0.1:<port>/<path>');

/** An absolute time with its offset, as `beijingIso` writes it. */
const instantSchema = z.iso.datetime({ offset: true });

export const authorizationSchema = z.object({
  obtainedAt: instantSchema,
  /** The session key (access_token) stops working. */
  expiresAt: instantSchema.optional(),
  /** The refresh token stops working (re_expires_in). */
  refreshExpiresAt: instantSchema.optional(),
  /** Per risk level of API or field: reads r1/r2, writes w1/w2. */
  r1ExpiresAt: instantSchema.optional(),
  r2ExpiresAt: instantSchema.optional(),
  w1ExpiresAt: instantSchema.optional(),
  w2ExpiresAt: instantSchema.optional(),
  userNick: z.string().max(200).optional(),
  userId: z.string().max(40).optional(),
  /** How the session was last obtained. */
  via: z.enum(['authorize', 'refresh']).default('authorize'),
});
export type Authorization = z.infer<typeof authorizationSchema>;

export const profileSchema = z.object({
  name: profileNameSchema,
  displayName: z.string().trim().max(FIELD.displayName.max).default(PROFILE_DEFAULTS.displayName),
  appKey: z.string().trim().min(FIELD.appKey.min).max(FIELD.appKey.max),
  gateway: gatewaySchema.default(PROFILE_DEFAULTS.gateway),
  signMethod: z.enum(SIGN_METHODS).default(PROFILE_DEFAULTS.signMethod),
  targetAppKey: z.string().trim().min(1).max(FIELD.targetAppKey.max).optional(),
  /** Last day the session key is known to be valid on, if the user entered it. */
  sessionExpiresAt: isoDateSchema.optional(),
  /** Set when the gateway rejected the session (codes 26/27, invalid-sessionkey); cleared by a new session key. */
  needsReauth: z.boolean().default(false),
  needsReauthSince: z.iso.datetime().optional(),
  /**
   * The callback URL registered for the App Key on the open platform (the authorisation page sends
   * the code there): an https URL, or a loopback `http://127.0.0.1:<port>/<path>` the app listens on.
   */
  redirectUri: redirectUriSchema.optional(),
  /** What the last authorisation or renewal said, as absolute Beijing times; never a token. */
  authorization: authorizationSchema.optional(),
  /** Calls per second the batch engine may make for this account. */
  qps: z.number().int().min(QPS.min).max(QPS.max).default(PROFILE_DEFAULTS.qps),
});
export type Profile = z.infer<typeof profileSchema>;
/** What a caller supplies to add a profile: the rest takes its default. */
export type ProfileInput = z.input<typeof profileSchema>;

/** A whole number within a rule's range (days, minutes, fen). */
const days = (rule: { min: number; max: number }) => z.number().int().min(rule.min).max(rule.max);

export const preferencesSchema = z.object({
  language: z.enum(LANGUAGES).default('zh-CN'),
  /** Fetched records are purged this many days after fetching. */
  retentionDays: days(RETENTION.retentionDays).default(30),
  /** ID images may be purged sooner than the record (unset: same as the record). */
  imageRetentionDays: days(RETENTION.imageRetentionDays).optional(),
  auditRetentionDays: days(RETENTION.auditRetentionDays).default(180),
  /** A credential expiring within this many days is flagged. */
  expiringSoonDays: days(RETENTION.expiringSoonDays).default(30),
  // The export's own check (core/export checkWatermark) applies the same rule and a few more.
  watermarkText: z.string().min(FIELD.watermark.min).max(FIELD.watermark.max).default(DEFAULT_WATERMARK),
  downloadImagesByDefault: z.boolean().default(true),
  /** Combined export PDFs are split every this many orders (unset: one file). */
  exportSplitEvery: z.number().int().min(EXPORT_SPLIT.min).max(EXPORT_SPLIT.max).optional(),
  /** A session known to expire within this many days is flagged (status bar, profile list). */
  sessionWarnDays: days(RETENTION.sessionWarnDays).default(7),
  /** Checks before declaring: one order over this (in fen; ¥5,000.00) is flagged. */
  orderLimitFen: days(CHECK_LIMITS.orderLimitFen).default(500_000),
  /** One person's orders in a calendar year (Beijing time) over this (fen; ¥26,000.00) are flagged. */
  annualLimitFen: days(CHECK_LIMITS.annualLimitFen).default(2_600_000),
  /** One ID number on orders with at least this many different consignee names is flagged. */
  sharedIdNames: days(CHECK_LIMITS.sharedIdNames).default(3),
  /** While the app is open, orders waiting for their identity are asked again this often (0: never). */
  waitingRecheckMinutes: days(CHECK_LIMITS.waitingRecheckMinutes).default(30),
});
export type Preferences = z.infer<typeof preferencesSchema>;

export const settingsSchema = z
  .object({
    profiles: z.array(profileSchema).default([]),
    defaultProfile: profileNameSchema.nullable().default(null),
    preferences: preferencesSchema.prefault({}),
  })
  .superRefine((s, ctx) => {
    const names = s.profiles.map((p) => p.name);
    if (new Set(names).size !== names.length)
      ctx.addIssue({ code: 'custom', message: 'duplicate profile name', path: ['profiles'] });
    if (s.defaultProfile !== null && !names.includes(s.defaultProfile)) {
      ctx.addIssue({ code: 'custom', message: 'default profile does not exist', path: ['defaultProfile'] });
    }
  });
export type Settings = z.infer<typeof settingsSchema>;

export const defaultSettings = (): Settings => settingsSchema.parse({});
