/**
 * What every handler module shares: the desk (settings, keychain, vault), the host, the demo
 * gateway, the active profile's client options, and the app status that follows the gateway's
 * answers. Built once per backend; the handler modules are plain functions of it.
 */
import type { Dispatcher } from 'undici';
// Bundled in: the built files run far from package.json.
import pkg from '../../../package.json' with { type: 'json' };
import type { AppStatus, EventName, EventPayloads } from '../../contract';
import { DEMO_CREDENTIALS, DEMO_PROFILE, type Simulator, startSimulator } from '../../core/demo/simulator';
import type { Desk } from '../../core/desk';
import { type ClearanceError, ClearanceFailure, clearanceError } from '../../core/errors';
import type { ImageSide } from '../../core/gateway/clearance';
import { resolveGatewayUrl, type TopClientOptions } from '../../core/gateway/client';
import { shanghaiDate } from '../../core/gateway/timestamp';
import { secretAccount } from '../../core/secrets';
import { profileClientOptions } from '../../core/settings/connection-test';
import type { StoredRecord, Vault } from '../../core/vault/types';
import { refuse } from './reply';
import { type AccountCheck, checkResultOf, preferencesView, profileView, sessionLesson } from './views';

export interface BackendHost {
  /** The URL the renderer loads an ID image from (served from the vault by the host). */
  imageUrl(orderId: string, side: ImageSide): string;
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void;
  /** Where to save an export (a dialog in the app); null when the user cancelled. */
  chooseExportTarget(kind: 'pdf' | 'zip' | 'xlsx' | 'folder', suggestedName: string): Promise<string | null>;
  chooseImportFile(): Promise<string | null>;
  /** Open a URL in the system browser (the authorize page only; checked before it is called). */
  openExternal?(url: string): Promise<void>;
  /** Shows a folder in the file manager; hosts without one (a bare test) leave it out. */
  openFolder?(path: string): Promise<void>;
}

export interface BackendContext {
  desk: Desk;
  settings: Desk['settings'];
  host: BackendHost;
  clock: () => Date;
  dispatcher: Dispatcher | undefined;
  exportWorkerFile: string | undefined;
  /** Today in Beijing: the day records are validated against. */
  today(): string;
  demoGateway(): Promise<Simulator>;
  ensureDemoProfile(): Promise<void>;
  activeProfileName(): string | null;
  openVault(): Promise<Vault>;
  /** The vault if it is already open (an image request never prompts the keychain by itself). */
  openedVault(): Vault | undefined;
  /** The stored record of an order, or a not-found refusal. */
  stored(orderId: string): Promise<{ vault: Vault; record: StoredRecord }>;
  /** A client for the active profile: the demo gateway for a demo profile, else its gateway and keychain secrets. */
  clientOptions(): Promise<{ profile: string; options: Omit<TopClientOptions, 'onCall'> }>;
  /** Learn from a gateway answer (`null`: success): online state and the profile's session mark. */
  /**
   * Learn from a gateway answer: the session's health for that profile, and (unless `network` is
   * false: a test of an account that is not the active one) whether the app is online.
   */
  learnFrom(
    error: ClearanceError | null,
    profile: string | null,
    opts?: { network?: boolean; via?: AccountCheck['via'] },
  ): void;
  /** Forget what the gateway said about an account (its key, secret or gateway changed). */
  forgetCheck(profile: string): void;
  profiles(): Promise<ReturnType<typeof profileView>[]>;
  preferences(): ReturnType<typeof preferencesView>;
  status(): Promise<AppStatus>;
  /** Tell the renderer the status changed. */
  announceStatus(): Promise<AppStatus>;
  close(): Promise<void>;
}

export function createContext(
  desk: Desk,
  opts: {
    host: BackendHost;
    clock: () => Date;
    dispatcher?: Dispatcher | undefined;
    exportWorkerFile?: string | undefined;
  },
): BackendContext {
  const { settings } = desk;
  const { host, clock } = opts;
  let simulator: Promise<Simulator> | undefined;
  let online = true;
  /** The last answer about each account's key and signature, in this run of the app. */
  const checks = new Map<string, AccountCheck>();
  let vaultNow: Vault | undefined;

  const ctx: BackendContext = {
    desk,
    settings,
    host,
    clock,
    dispatcher: opts.dispatcher,
    exportWorkerFile: opts.exportWorkerFile,
    today: () => shanghaiDate(clock()),
    demoGateway() {
      simulator ??= startSimulator();
      return simulator;
    },
    async ensureDemoProfile() {
      if (!settings.findProfile(DEMO_PROFILE)) {
        await settings.addProfile(
          { name: DEMO_PROFILE, displayName: '演示 Demo', appKey: DEMO_CREDENTIALS.appKey, gateway: 'demo' },
          { appSecret: DEMO_CREDENTIALS.appSecret, session: DEMO_CREDENTIALS.session },
        );
      }
      settings.setDefault(DEMO_PROFILE);
    },
    activeProfileName: () => settings.defaultProfile(),
    async openVault() {
      vaultNow = await desk.vault();
      return vaultNow;
    },
    openedVault: () => vaultNow,
    async stored(orderId) {
      const vault = await ctx.openVault();
      const record = vault.get(orderId);
      if (!record) return refuse(clearanceError('not-found', { orderId }));
      return { vault, record };
    },
    async clientOptions() {
      const name = ctx.activeProfileName();
      if (!name) return refuse(clearanceError('config-missing', { detail: '账号 / account' }));
      const profile = settings.profile(name);
      if (profile.gateway === 'demo') {
        const sim = await ctx.demoGateway();
        // A demo profile authorised through the demo gateway uses the session it was given.
        const session =
          (await desk.secrets.get(secretAccount(name, 'session')).catch(() => null)) ??
          DEMO_CREDENTIALS.session;
        return {
          profile: name,
          options: profileClientOptions(profile, sim.url, { ...DEMO_CREDENTIALS, session }),
        };
      }
      const gateway = resolveGatewayUrl(profile.gateway);
      if (!gateway.ok) return refuse(gateway.error);
      const creds = await settings.credentials(name);
      return {
        profile: name,
        options: {
          ...profileClientOptions(profile, gateway.value, { appKey: profile.appKey, ...creds }),
          ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
        },
      };
    },
    learnFrom(error, profile, learnOpts) {
      const wasOnline = online;
      if (learnOpts?.network !== false) online = error?.kind !== 'network';
      let changed = wasOnline !== online;
      const p = profile ? settings.findProfile(profile) : undefined;
      const lesson = p ? sessionLesson(error, p.needsReauth === true) : null;
      if (p && lesson === 'mark') settings.markNeedsReauth(p.name);
      if (p && lesson === 'clear')
        settings.updateProfile(p.name, { needsReauth: false, needsReauthSince: undefined });
      if (lesson) changed = true;
      const result = p ? checkResultOf(error) : null;
      if (p && result) {
        const before = checks.get(p.name);
        checks.set(p.name, { at: clock().toISOString(), via: learnOpts?.via ?? 'lookup', result });
        if (before?.result !== result) changed = true;
      }
      if (changed) void ctx.announceStatus();
    },
    forgetCheck(profile) {
      if (checks.delete(profile)) void ctx.announceStatus();
    },
    async profiles() {
      try {
        const now = clock();
        return (await settings.views(shanghaiDate(now), now)).map((p) => profileView(p, checks.get(p.name)));
      } catch (err) {
        if (err instanceof ClearanceFailure) return [];
        throw err;
      }
    },
    preferences: () => preferencesView(settings.preferences()),
    async status() {
      const all = await ctx.profiles();
      let blocker: ClearanceError | null = null;
      try {
        await ctx.openVault();
      } catch (err) {
        if (!(err instanceof ClearanceFailure)) throw err;
        blocker = err.error;
      }
      const active = ctx.activeProfileName();
      return {
        version: pkg.version,
        demo: settings.findProfile(active ?? '')?.gateway === 'demo',
        online,
        activeProfile: all.find((p) => p.isDefault) ?? null,
        hasProfiles: all.length > 0,
        preferences: ctx.preferences(),
        blocker,
      };
    },
    async announceStatus() {
      const s = await ctx.status();
      host.emit('app.status', s);
      return s;
    },
    async close() {
      desk.close();
      if (simulator) await (await simulator).close();
    },
  };
  return ctx;
}
