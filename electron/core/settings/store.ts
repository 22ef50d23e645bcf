import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import Conf from 'conf';
import { DEMO_PROFILE } from '../demo/simulator';
import { type ClearanceError, ClearanceFailure, clearanceError, fail, ok, type Result } from '../errors';
import { fsError } from '../fsutil';
import { beijingIso } from '../gateway/auth';
import type { SessionHealth } from '../rules';
import { PROFILE_SECRET_KINDS, type ProfileSecretKind, secretAccount } from '../secrets';
import type { SecretStore } from '../secrets/types';
import { ensureDataDir } from './paths';
import {
  type Authorization,
  defaultSettings,
  type Preferences,
  type Profile,
  type ProfileInput,
  preferencesSchema,
  profileSchema,
  type Settings,
  sameGatewayServer,
  settingsSchema,
} from './schema';

/** The settings file in the data folder: `settings.json`. */
export const SETTINGS_NAME = 'settings';
export const settingsFilePath = (dataDir: string) => join(dataDir, `${SETTINGS_NAME}.json`);

/** What the store needs of `conf` / `electron-store` (the app hands in an electron-store instance). */
export interface ConfLike {
  readonly path: string;
  store: Record<string, unknown>;
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

export type { SessionHealth };

/** A session known to expire within this many days is flagged ahead of time (the preference's default). */
export const SESSION_WARN_DAYS = 7;

/** The reasons that mean the gateway no longer accepts the profile's session key. */
export const needsReauthFor = (e: Pick<ClearanceError, 'reason'>) =>
  e.reason === 'session-invalid' || e.reason === 'session-missing';

/**
 * What the renderer and `profile list` may see of a profile: its settings plus flags saying whether
 * its secrets are in the keychain (`null`: the keychain could not be asked). Never the values.
 */
export interface ProfileView extends Profile {
  hasSecret: boolean | null;
  hasSession: boolean | null;
  /** A refresh token is stored (renewal is worth trying); null: the keychain could not be asked. */
  hasRefreshToken: boolean | null;
  isDefault: boolean;
  health: SessionHealth | null;
  /** The earliest relevant expiry (see `sessionExpiryOf`), and whole days left until it (0: under a day). */
  sessionExpiry: string | null;
  sessionDaysLeft: number | null;
}

/** A calendar date's first instant in Beijing: a key "valid until day D" is gone on day D (as before). */
const beijingMidnight = (isoDate: string) => Date.parse(`${isoDate}T00:00:00+08:00`);

/**
 * The earliest instant the session stops serving this app: the session key's own expiry and the
 * sensitive-read level (r2: the clearance API returns ID numbers) when an authorisation said so,
 * else the day the user entered.
 * The refresh token's and the write levels' expiries do not stop a lookup, so they do not count.
 */
export function sessionExpiryOf(p: Pick<Profile, 'sessionExpiresAt' | 'authorization'>): number | null {
  const a = p.authorization;
  const fromToken = [
    a?.expiresAt ? Date.parse(a.expiresAt) : Number.NaN,
    a?.r2ExpiresAt ? Date.parse(a.r2ExpiresAt) : Number.NaN,
  ].filter((t) => Number.isFinite(t));
  // What the platform said beats a day typed by hand.
  const candidates = fromToken.length
    ? fromToken
    : p.sessionExpiresAt
      ? [beijingMidnight(p.sessionExpiresAt)]
      : [];
  return candidates.length ? Math.min(...candidates) : null;
}

/**
 * A session's health from what is known, in order: no key stored, the gateway refused it, the
 * earliest relevant expiry passed, or comes within `warnDays` (the `sessionWarnDays` preference).
 * `today` is the gateway's calendar date (Asia/Shanghai, `shanghaiDate`); `now`, when given, the
 * instant (a token's expiry has a time of day); without it, the start of `today` in Beijing.
 */
export function healthOf(
  p: Pick<Profile, 'needsReauth' | 'sessionExpiresAt' | 'authorization'>,
  hasSession: boolean,
  today: string,
  opts: { now?: Date; warnDays?: number } = {},
): SessionHealth {
  if (!hasSession) return 'missing';
  if (p.needsReauth) return 'needs-reauth';
  const exp = sessionExpiryOf(p);
  if (exp !== null) {
    const left = exp - (opts.now?.getTime() ?? beijingMidnight(today));
    if (left <= 0) return 'expired';
    if (left <= (opts.warnDays ?? SESSION_WARN_DAYS) * 86_400_000) return 'expiring';
  }
  return 'ok';
}

/** Whole days from `now` to the earliest relevant expiry (0 within the last day; negative once past). */
export function sessionDaysLeft(
  p: Pick<Profile, 'sessionExpiresAt' | 'authorization'>,
  now: Date,
): number | null {
  const exp = sessionExpiryOf(p);
  return exp === null ? null : Math.floor((exp - now.getTime()) / 86_400_000);
}

const backupStamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('.', '');

/**
 * Copy a damaged settings file aside (`settings.damaged-<UTC time>.json`) and return its name.
 * The copy is made before anything is overwritten, so the user's data can still be recovered by hand.
 */
function backupDamaged(path: string, now: Date): string {
  const backup = `${path.replace(/\.json$/, '')}.damaged-${backupStamp(now)}.json`;
  copyFileSync(path, backup);
  return basename(backup);
}

const isDamage = (err: unknown) =>
  (err as { name?: string })?.name === 'SyntaxError' ||
  /schema violation|decrypt/i.test(String((err as Error)?.message));

/**
 * Profiles and preferences over a Conf-compatible store, validated by the one schema on every
 * read. A damaged file (not JSON, or not the schema) is copied to a timestamped backup and replaced
 * by the defaults, and `recovered` says so: the app starts, it never loops on a crash.
 * Secrets go to the `SecretStore`, never to the file.
 */
export class SettingsStore {
  /** Set when a damaged settings file was set aside during this run. */
  recovered: ClearanceError | null = null;

  constructor(
    private readonly conf: ConfLike,
    readonly secrets: SecretStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  get path(): string {
    return this.conf.path;
  }

  /** The whole settings, validated; damage is repaired (backup + defaults), never thrown. */
  read(): Settings {
    let raw: unknown;
    try {
      raw = this.conf.store;
    } catch (err) {
      if (!isDamage(err)) throw new ClearanceFailure(fsError(err));
      return this.repair();
    }
    const parsed = settingsSchema.safeParse(raw);
    return parsed.success ? parsed.data : this.repair();
  }

  private repair(): Settings {
    const fresh = defaultSettings();
    try {
      const backup = existsSync(this.conf.path) ? backupDamaged(this.conf.path, this.clock()) : 'settings';
      this.recovered = clearanceError('settings-damaged', { detail: backup });
      this.conf.store = { ...fresh };
    } catch (err) {
      throw new ClearanceFailure(fsError(err));
    }
    return fresh;
  }

  private write(next: Settings) {
    const valid = settingsSchema.parse(next); // one schema guards writes too
    try {
      this.conf.store = { ...valid };
    } catch (err) {
      throw new ClearanceFailure(fsError(err));
    }
  }

  profiles(): Profile[] {
    return this.read().profiles;
  }

  /** Accounts whose records are invented (the demo gateway's): exports mark them DEMO / 演示. */
  demoProfileNames(): string[] {
    return [
      ...new Set([
        DEMO_PROFILE,
        ...this.profiles()
          .filter((p) => p.gateway === 'demo')
          .map((p) => p.name),
      ]),
    ];
  }

  profile(name: string): Profile {
    const p = this.read().profiles.find((x) => x.name === name);
    if (!p) throw new ClearanceFailure(clearanceError('profile-not-found', { detail: name }));
    return p;
  }

  findProfile(name: string): Profile | undefined {
    return this.read().profiles.find((x) => x.name === name);
  }

  defaultProfile(): string | null {
    return this.read().defaultProfile;
  }

  /**
   * Add a profile and its secrets. The secrets go to the keychain first: if it fails, nothing is
   * written to the file and nothing is left in the keychain. The first profile becomes the default.
   */
  async addProfile(
    input: ProfileInput,
    secrets: { appSecret?: string; session?: string } = {},
  ): Promise<Profile> {
    const parsed = profileSchema.safeParse(input);
    if (!parsed.success)
      throw new ClearanceFailure(clearanceError('usage', { detail: describeIssues(parsed.error) }));
    const profile = parsed.data;
    const settings = this.read();
    if (settings.profiles.some((p) => p.name === profile.name)) {
      throw new ClearanceFailure(clearanceError('profile-exists', { detail: profile.name }));
    }
    try {
      if (secrets.appSecret)
        await this.secrets.set(secretAccount(profile.name, 'app-secret'), secrets.appSecret);
      if (secrets.session) await this.secrets.set(secretAccount(profile.name, 'session'), secrets.session);
    } catch (err) {
      await this.dropSecrets(profile.name).catch(() => {});
      throw err;
    }
    const now = this.read();
    this.write({
      ...now,
      profiles: [...now.profiles.filter((p) => p.name !== profile.name), profile],
      defaultProfile: now.defaultProfile ?? profile.name,
    });
    return profile;
  }

  /** Change a profile's non-secret settings (the name is its id and stays). */
  updateProfile(name: string, patch: Partial<Omit<ProfileInput, 'name'>>): Profile {
    const settings = this.read();
    const current = this.profile(name);
    const parsed = profileSchema.safeParse({ ...current, ...patch, name });
    if (!parsed.success)
      throw new ClearanceFailure(clearanceError('usage', { detail: describeIssues(parsed.error) }));
    this.write({ ...settings, profiles: settings.profiles.map((p) => (p.name === name ? parsed.data : p)) });
    return parsed.data;
  }

  /**
   * Change a profile's settings. When the gateway moves to another server (another origin) its
   * App Secret and session are deleted from the keychain first, unless `keepSecrets`: whoever can
   * edit a profile (a compromised page, a mistyped URL) must not be able to send its session key and
   * valid signatures to a server of their choosing. If the keychain refuses, nothing changes.
   */
  async changeProfile(
    name: string,
    patch: Partial<Omit<ProfileInput, 'name'>>,
    opts: { keepSecrets?: boolean } = {},
  ): Promise<{ profile: Profile; secretsCleared: boolean }> {
    const current = this.profile(name);
    const parsed = profileSchema.safeParse({ ...current, ...patch, name });
    if (!parsed.success)
      throw new ClearanceFailure(clearanceError('usage', { detail: describeIssues(parsed.error) }));
    const moved = !sameGatewayServer(current.gateway, parsed.data.gateway);
    const clear = moved && !opts.keepSecrets;
    if (clear) await this.dropSecrets(name);
    const profile = this.updateProfile(name, {
      ...patch,
      ...(clear ? { needsReauth: false, needsReauthSince: undefined, sessionExpiresAt: undefined } : {}),
    });
    return { profile, secretsCleared: clear };
  }

  /**
   * Remove a profile and its keychain entries. The keychain goes first: if it cannot be reached the
   * profile stays, so no entry is orphaned where no screen could reach it.
   */
  async removeProfile(name: string): Promise<void> {
    this.profile(name);
    await this.dropSecrets(name);
    const settings = this.read();
    const profiles = settings.profiles.filter((p) => p.name !== name);
    const defaultProfile =
      settings.defaultProfile === name ? (profiles[0]?.name ?? null) : settings.defaultProfile;
    this.write({ ...settings, profiles, defaultProfile });
  }

  private async dropSecrets(name: string) {
    for (const kind of PROFILE_SECRET_KINDS) await this.secrets.delete(secretAccount(name, kind));
  }

  setDefault(name: string): void {
    this.profile(name);
    this.write({ ...this.read(), defaultProfile: name });
  }

  /** Write-only: a secret can be replaced, never read back through this API (see `credentials`). */
  async setSecret(name: string, kind: ProfileSecretKind, value: string): Promise<void> {
    this.profile(name);
    if (!value) throw new ClearanceFailure(clearanceError('usage', { detail: `${kind}: empty` }));
    await this.secrets.set(secretAccount(name, kind), value);
  }

  /**
   * A new session key entered by hand: stored, the re-authorisation flag cleared, the known expiry
   * replaced. What an earlier authorisation said about its token no longer applies, so it goes,
   * and so does its refresh token (it belongs to that grant).
   */
  async setSession(name: string, session: string, expiresAt?: string | null): Promise<Profile> {
    await this.setSecret(name, 'session', session);
    await this.secrets.delete(secretAccount(name, 'refresh-token'));
    const current = this.profile(name);
    const next: Record<string, unknown> = { ...current, needsReauth: false };
    delete next.needsReauthSince;
    delete next.authorization;
    if (expiresAt === null) delete next.sessionExpiresAt;
    else if (expiresAt !== undefined) next.sessionExpiresAt = expiresAt;
    const parsed = profileSchema.safeParse(next);
    if (!parsed.success)
      throw new ClearanceFailure(clearanceError('usage', { detail: describeIssues(parsed.error) }));
    const settings = this.read();
    this.write({ ...settings, profiles: settings.profiles.map((p) => (p.name === name ? parsed.data : p)) });
    return parsed.data;
  }

  /**
   * Keep what a token call returned: the session key and the refresh token in the secret store, the
   * expiries and the account's nick on the profile, the re-authorisation flag cleared. A renewal
   * without a new refresh token keeps the old one; a new authorisation without one drops the old.
   * Called only after the platform said yes: a refusal changes nothing stored.
   */
  async storeToken(
    name: string,
    token: {
      accessToken: string;
      refreshToken: string | null;
      userNick: string | null;
      userId: string | null;
    },
    expiries: Omit<Authorization, 'via' | 'userNick' | 'userId'>,
    via: 'authorize' | 'refresh',
  ): Promise<Profile> {
    const current = this.profile(name);
    const authorization: Authorization = { ...expiries, via };
    const nick = token.userNick ?? (via === 'refresh' ? current.authorization?.userNick : undefined);
    const uid = token.userId ?? (via === 'refresh' ? current.authorization?.userId : undefined);
    if (nick) authorization.userNick = nick.slice(0, 200);
    if (uid) authorization.userId = uid.slice(0, 40);
    const next: Record<string, unknown> = { ...current, needsReauth: false, authorization };
    delete next.needsReauthSince;
    // The hand-entered day gives way to the token's own expiry.
    delete next.sessionExpiresAt;
    const parsed = profileSchema.safeParse(next);
    if (!parsed.success)
      throw new ClearanceFailure(
        clearanceError('auth-reply-invalid', { detail: describeIssues(parsed.error) }),
      );
    await this.secrets.set(secretAccount(name, 'session'), token.accessToken);
    if (token.refreshToken) await this.secrets.set(secretAccount(name, 'refresh-token'), token.refreshToken);
    else if (via === 'authorize') await this.secrets.delete(secretAccount(name, 'refresh-token'));
    const settings = this.read();
    this.write({ ...settings, profiles: settings.profiles.map((p) => (p.name === name ? parsed.data : p)) });
    return parsed.data;
  }

  /** The refresh token of a profile, for the main process and the command only (never the renderer). */
  async refreshTokenOf(name: string): Promise<string | null> {
    this.profile(name);
    return this.secrets.get(secretAccount(name, 'refresh-token'));
  }

  /** The App Secret alone (an authorisation needs no session yet). */
  async appSecretOf(name: string): Promise<string> {
    this.profile(name);
    const appSecret = await this.secrets.get(secretAccount(name, 'app-secret'));
    if (!appSecret) throw new ClearanceFailure(clearanceError('secret-missing'));
    return appSecret;
  }

  /** Call on a 'session-invalid' / 'session-missing' failure: the profile shows "re-authorise". */
  markNeedsReauth(name: string): void {
    const settings = this.read();
    if (!settings.profiles.some((p) => p.name === name)) return;
    const since = this.clock().toISOString();
    this.write({
      ...settings,
      profiles: settings.profiles.map((p) =>
        p.name === name && !p.needsReauth ? { ...p, needsReauth: true, needsReauthSince: since } : p,
      ),
    });
  }

  /** The session health of one profile (asks the keychain whether a session key is stored). */
  async sessionHealth(name: string, today: string, now?: Date): Promise<SessionHealth> {
    const p = this.profile(name);
    const has = (await this.secrets.get(secretAccount(name, 'session'))) !== null;
    return healthOf(p, has, today, { ...(now ? { now } : {}), warnDays: this.preferences().sessionWarnDays });
  }

  /**
   * Profiles as the renderer and `profile list` may see them: flags, never secret values. `now`
   * (default: the start of `today` in Beijing) places a token's expiry to the hour.
   */
  async views(today: string, now?: Date): Promise<ProfileView[]> {
    const settings = this.read();
    const at = now ?? new Date(beijingMidnight(today));
    const warnDays = settings.preferences.sessionWarnDays;
    const out: ProfileView[] = [];
    for (const p of settings.profiles) {
      const [hasSecret, hasSession, hasRefreshToken] = await Promise.all(
        PROFILE_SECRET_KINDS.map((k) =>
          this.secrets.get(secretAccount(p.name, k)).then(
            (v) => v !== null,
            () => null,
          ),
        ),
      );
      const exp = sessionExpiryOf(p);
      out.push({
        ...p,
        hasSecret: hasSecret ?? null,
        hasSession: hasSession ?? null,
        hasRefreshToken: hasRefreshToken ?? null,
        isDefault: settings.defaultProfile === p.name,
        health:
          hasSession === null || hasSession === undefined
            ? null
            : healthOf(p, hasSession, today, { now: at, warnDays }),
        sessionExpiry: exp === null ? null : beijingIso(new Date(exp)),
        sessionDaysLeft: sessionDaysLeft(p, at),
      });
    }
    return out;
  }

  /**
   * The secrets of a profile, for the main process and the command only: never send this to the
   * renderer. Missing entries fail with 'secret-missing' (or 'session-missing' for the session).
   */
  async credentials(name: string): Promise<{ profile: Profile; appSecret: string; session: string }> {
    const profile = this.profile(name);
    const appSecret = await this.secrets.get(secretAccount(name, 'app-secret'));
    if (!appSecret) throw new ClearanceFailure(clearanceError('secret-missing'));
    const session = await this.secrets.get(secretAccount(name, 'session'));
    if (!session) throw new ClearanceFailure(clearanceError('session-missing'));
    return { profile, appSecret, session };
  }

  preferences(): Preferences {
    return this.read().preferences;
  }

  setPreferences(patch: Partial<Preferences>): Preferences {
    const settings = this.read();
    const parsed = preferencesSchema.safeParse({ ...settings.preferences, ...patch });
    if (!parsed.success)
      throw new ClearanceFailure(clearanceError('usage', { detail: describeIssues(parsed.error) }));
    this.write({ ...settings, preferences: parsed.data });
    return parsed.data;
  }
}

/** Field names and rule texts only: a rejected value is never echoed (it might be a pasted secret). */
function describeIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');
}

/**
 * Open the settings of a data folder. `create` builds the Conf-compatible store (the app passes
 * `(o) => new ElectronStore({ cwd: o.cwd, name: o.configName })`); by default it is `conf` itself.
 * A file too damaged for the store's constructor is backed up and set aside first.
 */
export function openSettings(
  dataDir: string,
  secrets: SecretStore,
  opts: { create?: (o: { cwd: string; configName: string }) => ConfLike; clock?: () => Date } = {},
): Result<SettingsStore, ClearanceError> {
  const clock = opts.clock ?? (() => new Date());
  const create =
    opts.create ??
    ((o: { cwd: string; configName: string }) =>
      new Conf<Record<string, unknown>>({
        cwd: o.cwd,
        configName: o.configName,
        configFileMode: 0o600,
      }) as unknown as ConfLike);
  const o = { cwd: dataDir, configName: SETTINGS_NAME };
  let recovered: ClearanceError | null = null;
  let conf: ConfLike;
  try {
    // Before the store's own mkdir, which would make it world-readable (0755).
    ensureDataDir(dataDir);
    try {
      conf = create(o);
    } catch (err) {
      const path = settingsFilePath(dataDir);
      if (!isDamage(err) || !existsSync(path)) throw err;
      recovered = clearanceError('settings-damaged', { detail: backupDamaged(path, clock()) });
      rmSync(path);
      conf = create(o);
    }
  } catch (err) {
    return fail(fsError(err));
  }
  const store = new SettingsStore(conf, secrets, clock);
  try {
    store.read();
  } catch (err) {
    if (err instanceof ClearanceFailure) return fail(err.error);
    throw err;
  }
  store.recovered ??= recovered;
  return ok(store);
}
