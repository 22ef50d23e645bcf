/**
 * The backend behind the IPC contract: one handler per channel, composed from core (settings,
 * keychain, vault, gateway client, export, batch). No `electron` import: the Electron main
 * process and the e2e harness build it the same way and differ only in their `host`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Dispatcher } from 'undici';
import type {
  AppStatus,
  BatchProgress as BatchProgressView,
  CardView,
  EventName,
  EventPayloads,
  PreparedOrders,
  ProfileView as ProfileViewDto,
  RecordRow,
} from '../contract';
import { BatchRun, createJob, ordersFromText, readOrders, SqliteJobStore } from '../core/batch';
import type { BatchProgress, JobInfo } from '../core/batch/types';
import { DEMO_CREDENTIALS, DEMO_PROFILE, type Simulator, startSimulator } from '../core/demo/simulator';
import { type Desk, type OpenDeskOptions, openDesk } from '../core/desk';
import { type ClearanceError, ClearanceFailure, clearanceError, type Lang } from '../core/errors';
import { checkWatermark, runExport } from '../core/export/run';
import type { ExportJob } from '../core/export/types';
import { auditExport, vaultSource } from '../core/export/vault-source';
import { runExportInWorker } from '../core/export/worker';
import { fsError, writeFileAtomic } from '../core/fsutil';
import { credentialTypeLabel, ID_FORM_LABELS, maskIdNumber, maskName, WARNINGS } from '../core/idcard';
import { profileClientOptions, testConnection } from '../core/settings/connection-test';
import { needsReauthFor, type ProfileView } from '../core/settings/store';
import { fetchClearance, type ImageSide } from '../core/top/clearance';
import { resolveGatewayUrl, TopClient, type TopClientOptions } from '../core/top/client';
import type { ImageMime } from '../core/top/images';
import { normalizeOrderId } from '../core/top/order-id';
import { shanghaiDate } from '../core/top/timestamp';
import type { RecordFlag, RecordQuery, StoredRecord, Vault } from '../core/vault/types';
import type { Handlers } from './ipc';

export interface BackendHost {
  /** The URL the renderer loads an ID image from (served from the vault by the host). */
  imageUrl(orderId: string, side: ImageSide): string;
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void;
  /** Where to save an export (a dialog in the app); null when the user cancelled. */
  chooseExportTarget(kind: 'pdf' | 'folder', suggestedName: string): Promise<string | null>;
  chooseImportFile(): Promise<string | null>;
}

export interface BackendOptions {
  env: NodeJS.ProcessEnv;
  /** `--demo`: start with the demo profile (created if missing). */
  demo: boolean;
  host: BackendHost;
  /** The app's proxy-aware dispatcher; the default honours HTTP(S)_PROXY/NO_PROXY. */
  dispatcher?: Dispatcher;
  /** The bundled export worker (the app); without it exports run on this thread (the harness). */
  exportWorkerFile?: string;
  /** The settings file's store: electron-store in the app; `conf` (its base) when omitted. */
  createSettings?: OpenDeskOptions['createSettings'];
  /** 'memory': the explicit "this run only" mode — secrets and the vault key live in this process only. */
  secretsMode?: 'keychain' | 'memory';
  clock?: () => Date;
}

export interface Backend {
  handlers: Handlers;
  image(orderId: string, side: ImageSide): { mime: ImageMime; bytes: Buffer } | undefined;
  language(): Lang;
  windowState(): unknown;
  saveWindowState(bounds: { x: number; y: number; width: number; height: number }): void;
  close(): Promise<void>;
}

const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

type R<T> = Promise<{ ok: true; value: T } | { ok: false; error: ClearanceError }>;
const ok = <T>(value: T) => ({ ok: true as const, value });
const failed = (error: ClearanceError) => ({ ok: false as const, error });

/** Run a handler body, turning a ClearanceFailure thrown inside core into a typed reply. */
async function guard<T>(body: () => Promise<T>): R<T> {
  try {
    return ok(await body());
  } catch (err) {
    if (err instanceof ClearanceFailure) return failed(err.error);
    const code = (err as { code?: string }).code;
    if (code === 'ENOSPC' || code === 'SQLITE_FULL') return failed(fsError(err));
    throw err;
  }
}

const fail = (e: ClearanceError): never => {
  throw new ClearanceFailure(e);
};

export async function createBackend(opts: BackendOptions): Promise<Backend> {
  const clock = opts.clock ?? (() => new Date());
  const desk: Desk = openDesk({
    env: opts.env,
    ...(opts.secretsMode ? { secretsMode: opts.secretsMode } : {}),
    ...(opts.createSettings ? { createSettings: opts.createSettings } : {}),
    channel: 'app',
    retentionEveryMs: 6 * 60 * 60 * 1000,
    ...(opts.clock ? { clock } : {}),
  });
  const { settings } = desk;
  const host = opts.host;
  let simulator: Promise<Simulator> | undefined;
  let online = true;
  const exports = new Map<string, AbortController>();
  const runs = new Map<string, { run: BatchRun; done: Promise<unknown>; cancel: AbortController }>();
  let jobStore: SqliteJobStore | undefined;

  const today = () => shanghaiDate(clock());
  const demoGateway = () => {
    simulator ??= startSimulator();
    return simulator;
  };
  const windowFile = join(desk.dataDir, 'window-state.json');
  let vaultNow: Vault | undefined;
  const openVault = async (): Promise<Vault> => {
    vaultNow = await desk.vault();
    return vaultNow;
  };

  async function ensureDemoProfile() {
    if (!settings.findProfile(DEMO_PROFILE)) {
      await settings.addProfile(
        { name: DEMO_PROFILE, displayName: '演示 Demo', appKey: DEMO_CREDENTIALS.appKey, gateway: 'demo' },
        { appSecret: DEMO_CREDENTIALS.appSecret, session: DEMO_CREDENTIALS.session },
      );
    }
    settings.setDefault(DEMO_PROFILE);
  }
  if (opts.demo) await ensureDemoProfile();

  const activeProfileName = () => settings.defaultProfile();
  const isDemo = () => settings.findProfile(activeProfileName() ?? '')?.gateway === 'demo';

  /** A client for the active profile: the demo gateway for a demo profile, else its gateway and keychain secrets. */
  async function clientOptions(): Promise<{ profile: string; options: Omit<TopClientOptions, 'onCall'> }> {
    const name = activeProfileName();
    if (!name) return fail(clearanceError('config-missing', { detail: '账号 / account' }));
    const profile = settings.profile(name);
    const dispatcher = opts.dispatcher ? { dispatcher: opts.dispatcher } : {};
    if (profile.gateway === 'demo') {
      const sim = await demoGateway();
      return {
        profile: name,
        options: { ...profileClientOptions(profile, sim.url, { ...DEMO_CREDENTIALS }) },
      };
    }
    const gateway = resolveGatewayUrl(profile.gateway);
    if (!gateway.ok) return fail(gateway.error);
    const creds = await settings.credentials(name);
    return {
      profile: name,
      options: {
        ...profileClientOptions(profile, gateway.value, { appKey: profile.appKey, ...creds }),
        ...dispatcher,
      },
    };
  }

  /**
   * What every gateway answer teaches (`null`: the call succeeded): a network failure means offline;
   * a refused session marks the profile, and any answer that got past the session check clears the mark.
   */
  function learnFrom(error: ClearanceError | null, profile: string | null) {
    const wasOnline = online;
    online = error?.kind !== 'network';
    let changed = wasOnline !== online;
    const p = profile ? settings.findProfile(profile) : undefined;
    if (p && error && needsReauthFor(error)) {
      settings.markNeedsReauth(p.name);
      changed = true;
    } else if (p?.needsReauth && (!error || error.kind === 'business')) {
      settings.updateProfile(p.name, { needsReauth: false, needsReauthSince: undefined });
      changed = true;
    }
    if (changed) void status().then((s) => host.emit('app.status', s));
  }

  function profileView(p: ProfileView): ProfileViewDto {
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
      health: p.health ?? 'missing',
      isDefault: p.isDefault,
    };
  }

  function preferences() {
    const p = settings.preferences();
    return {
      language: p.language,
      retentionDays: p.retentionDays,
      imageRetentionDays: p.imageRetentionDays ?? null,
      auditRetentionDays: p.auditRetentionDays,
      expiringSoonDays: p.expiringSoonDays,
      watermarkText: p.watermarkText,
      downloadImagesByDefault: p.downloadImagesByDefault,
    };
  }

  async function profiles() {
    try {
      return (await settings.views(today())).map(profileView);
    } catch (err) {
      if (err instanceof ClearanceFailure) return [];
      throw err;
    }
  }

  async function status(): Promise<AppStatus> {
    const all = await profiles();
    let blocker: ClearanceError | null = null;
    try {
      await openVault();
    } catch (err) {
      if (!(err instanceof ClearanceFailure)) throw err;
      blocker = err.error;
    }
    return {
      version: VERSION,
      demo: isDemo(),
      online,
      activeProfile: all.find((p) => p.isDefault) ?? null,
      hasProfiles: all.length > 0,
      preferences: preferences(),
      blocker,
    };
  }

  function card(r: StoredRecord, source: CardView['source']): CardView {
    // The vault validates every record as it reads it, against today: one verdict for card, list and search.
    const v = r.validation;
    const both = (t: { zh: string; en: string }) => ({ 'zh-CN': t.zh, 'en-US': t.en });
    return {
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
        front: r.images.front ? host.imageUrl(r.orderId, 'front') : null,
        back: r.images.back ? host.imageUrl(r.orderId, 'back') : null,
      },
      fetchedAt: r.fetchedAt,
      firstFetchedAt: r.firstFetchedAt,
      profile: r.profile,
      source,
      demo: settings.findProfile(r.profile)?.gateway === 'demo',
    };
  }

  function row(r: StoredRecord): RecordRow {
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

  async function stored(orderId: string) {
    const v = await openVault();
    const r = v.get(orderId);
    if (!r) fail(clearanceError('not-found', { orderId }));
    return { vault: v, record: r as StoredRecord };
  }

  async function jobs() {
    jobStore ??= new SqliteJobStore(await openVault());
    return jobStore;
  }

  function progressView(
    p: BatchProgress | null,
    job: JobInfo,
    stopped: ClearanceError | null = null,
  ): BatchProgressView {
    const counts = p?.counts ?? job.counts;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const active = runs.has(job.id);
    const state: BatchProgressView['state'] = active
      ? p?.paused
        ? 'paused'
        : 'running'
      : job.status === 'finished'
        ? 'finished'
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
    };
  }

  async function startRun(jobId: string) {
    const store = await jobs();
    const { profile, options } = await clientOptions();
    const cancel = new AbortController();
    const run = new BatchRun({ store, client: options }, jobId, {
      signal: cancel.signal,
      onProgress: (p) => {
        const job = store.getJob(jobId);
        if (job) host.emit('batch.progress', progressView(p, job));
      },
      progressIntervalMs: 250,
    });
    const done = run.run().then(
      (outcome) => {
        runs.delete(jobId);
        learnFrom(outcome.stopError, profile);
        host.emit('batch.progress', progressView(run.progress(), outcome.job, outcome.stopError));
        return outcome;
      },
      (err: unknown) => {
        // The run itself broke (the vault refused a write): say so instead of leaving the job "running".
        runs.delete(jobId);
        const job = store.getJob(jobId);
        const e =
          err instanceof ClearanceFailure
            ? err.error
            : clearanceError('vault-failed', { detail: (err as Error)?.name });
        if (job) host.emit('batch.progress', { ...progressView(null, job, e), state: 'stopped' });
      },
    );
    runs.set(jobId, { run, done, cancel });
  }

  const prepared = (p: {
    orderIds: string[];
    duplicates: number;
    invalid: { line: number; preview: string }[];
  }): PreparedOrders => ({
    valid: p.orderIds,
    duplicates: p.duplicates,
    invalid: p.invalid.map(({ line, preview }) => ({ line, preview })),
  });

  const handlers: Handlers = {
    'app.status': () => guard(status),
    'demo.enable': () =>
      guard(async () => {
        await ensureDemoProfile();
        return status();
      }),

    'lookup.get': (req) =>
      guard(async () => {
        const id = normalizeOrderId(req.input);
        if (!id.ok) return fail(id.error);
        const vault = await openVault();
        const existing = vault.get(id.value);
        if (existing && !req.refresh) return card(existing, 'vault');
        const { profile, options } = await clientOptions();
        const got = await fetchClearance(new TopClient(options), id.value, {
          needImage: req.needImage,
          // Images take the same way out as the gateway call (system proxy, extra CA).
          ...(opts.dispatcher ? { imageDispatcher: opts.dispatcher } : {}),
        });
        if (!got.ok) {
          learnFrom(got.error, profile);
          return fail(got.error);
        }
        learnFrom(null, profile);
        // The vault keeps stored images on a refetch without them (same person), and audits the fetch.
        const saved = vault.saveFetch(got.value, profile, { channel: 'app' });
        return card(saved, 'gateway');
      }),
    'record.reveal': ({ orderId }) =>
      guard(async () => {
        const { vault, record } = await stored(orderId);
        vault.audit({
          action: 'reveal',
          profile: record.profile,
          orderIds: [orderId],
          detail: { fields: 'name,idNumber', channel: 'app' },
        });
        return { name: record.name, idNumber: record.idNumber };
      }),
    'record.copy': ({ orderId, field }) =>
      guard(async () => {
        const { vault, record } = await stored(orderId);
        if (field !== 'orderId')
          vault.audit({
            action: 'copy',
            profile: record.profile,
            orderIds: [orderId],
            detail: { field, channel: 'app' },
          });
        return {
          text: field === 'orderId' ? record.orderId : field === 'name' ? record.name : record.idNumber,
        };
      }),
    'record.print': ({ orderId }) =>
      guard(async () => {
        const { vault, record } = await stored(orderId);
        vault.audit({
          action: 'print',
          profile: record.profile,
          orderIds: [orderId],
          detail: { channel: 'app' },
        });
        return { audited: true as const };
      }),
    'records.search': (q) =>
      guard(async () => {
        const page = (await openVault()).search({ ...vaultQuery(q), offset: q.offset, limit: q.limit });
        return { rows: page.rows.map(row), total: page.total };
      }),
    'records.ids': (q) =>
      guard(async () => ({
        orderIds: (await openVault()).orderIds(vaultQuery(q)),
      })),
    'records.forget': ({ orderIds }) =>
      guard(async () => ({
        count: (await openVault()).forget(orderIds, { profile: activeProfileName(), channel: 'app' }),
      })),

    'export.start': (req) =>
      guard(async () => {
        const vault = await openVault();
        const ids = req.orderIds === 'all' ? vault.orderIds({ sort: 'orderId', order: 'asc' }) : req.orderIds;
        if (ids.length === 0)
          return fail(clearanceError('usage', { detail: '没有可导出的记录 / nothing to export' }));
        const stamp = clock().toISOString().slice(0, 19).replace(/[-:T]/g, '');
        const suggested = ids.length === 1 ? `${ids[0]}.pdf` : `clearance-${stamp}.pdf`;
        const target = await host.chooseExportTarget(req.mode === 'combined' ? 'pdf' : 'folder', suggested);
        if (!target) return { cancelledByUser: true as const };
        const folder = req.mode === 'combined' ? dirname(target) : target;
        const job: ExportJob = {
          ...(req.mode === 'combined' ? { pdf: target } : { perOrderDir: target }),
          ...(req.images ? { imagesDir: folder } : {}),
          ...(req.manifest !== 'none' ? { manifest: join(folder, `manifest-${stamp}.${req.manifest}`) } : {}),
          mask: req.mask,
          watermark: settings.preferences().watermarkText,
          demoProfiles: settings.demoProfileNames(),
          ...(activeProfileName() ? { profile: activeProfileName() as string } : {}),
        };
        const exportId = `${stamp}-${Math.random().toString(16).slice(2, 8)}`;
        const controller = new AbortController();
        exports.set(exportId, controller);
        const source = vaultSource(vault, ids);
        const onProgress = (p: { done: number; total: number }) =>
          host.emit('export.progress', {
            exportId,
            done: p.done,
            total: p.total,
            state: 'running',
            destination: null,
            warnings: [],
          });
        const running = opts.exportWorkerFile
          ? runExportInWorker(job, source, {
              workerFile: opts.exportWorkerFile,
              signal: controller.signal,
              onProgress,
            })
          : runExport(job, source, { signal: controller.signal, onProgress });
        void running.then((r) => {
          exports.delete(exportId);
          auditExport(
            vault,
            job,
            r.ok ? { report: r.value, orderIds: ids } : { orderIds: ids, error: r.error.reason },
            {
              profile: activeProfileName(),
              channel: 'app',
            },
          );
          host.emit('export.progress', {
            exportId,
            done: r.ok ? r.value.count : 0,
            total: ids.length,
            state: r.ok ? 'finished' : r.error.kind === 'cancelled' ? 'cancelled' : 'failed',
            destination: r.ok ? target : null,
            warnings: r.ok ? r.value.warnings.map((w) => w.message) : [r.error.message],
          });
        });
        return { exportId };
      }),
    'export.cancel': ({ exportId }) =>
      guard(async () => {
        const c = exports.get(exportId);
        c?.abort();
        return { cancelled: Boolean(c) };
      }),

    'batch.prepare': ({ text }) => guard(async () => prepared(ordersFromText(text))),
    'batch.importFile': ({ column }) =>
      guard(async () => {
        const path = await host.chooseImportFile();
        if (!path) return { cancelledByUser: true as const };
        const fileName = path.split(/[\\/]/).pop() ?? path;
        let bytes: Buffer;
        try {
          bytes = readFileSync(path);
        } catch (err) {
          return fail(fsError(err));
        }
        const r = await readOrders({ name: fileName, bytes }, column ? { column } : {});
        if (!r.ok) {
          if (r.error.columns.length > 0)
            return { kind: 'choose-column' as const, fileName, columns: r.error.columns };
          return fail(r.error.error);
        }
        return { kind: 'ids' as const, fileName, ...prepared(r.value) };
      }),
    'batch.start': (req) =>
      guard(async () => {
        const store = await jobs();
        const name = activeProfileName();
        if (!name) return fail(clearanceError('config-missing', { detail: '账号 / account' }));
        const qps = settings.profile(name).qps;
        const job = createJob(store, {
          profile: name,
          options: { needImage: req.needImage, refresh: req.refresh, concurrency: 4, qps },
          source: 'app',
          orderIds: req.orderIds,
          invalid: [],
        });
        await startRun(job.id);
        return { jobId: job.id };
      }),
    'batch.control': ({ jobId, action }) =>
      guard(async () => {
        const store = await jobs();
        const job = store.getJob(jobId);
        if (!job) return fail(clearanceError('usage', { detail: `batch ${jobId}` }));
        const active = runs.get(jobId);
        if (action === 'pause') active?.run.pause();
        if (action === 'resume') {
          if (active) active.run.resume();
          else await startRun(jobId); // a stopped or interrupted job picks up where it left off
        }
        if (action === 'cancel' && active) {
          active.cancel.abort();
          await active.done;
        }
        const now = runs.get(jobId);
        const view = progressView(now ? now.run.progress() : null, store.getJob(jobId) as JobInfo);
        // A cancelled job keeps its pending orders and can be resumed; the reply says what the user did.
        return action === 'cancel' && !now ? { ...view, state: 'cancelled' as const } : view;
      }),
    'batch.list': () =>
      guard(async () => {
        const store = await jobs();
        return store.listJobs(50).map((j) => progressView(runs.get(j.id)?.run.progress() ?? null, j));
      }),
    'batch.items': ({ jobId, offset, limit }) =>
      guard(async () => {
        const all = (await jobs()).orders(jobId);
        return {
          total: all.length,
          items: all.slice(offset, offset + limit).map((o) => ({
            orderId: o.orderId,
            state: o.state,
            errorKind: o.failure?.kind ?? null,
            message: o.failure
              ? clearanceError(o.failure.reason, o.failure.code ? { code: o.failure.code } : {}).message
              : null,
          })),
        };
      }),

    'settings.get': () => guard(async () => ({ profiles: await profiles(), preferences: preferences() })),
    'settings.setPreferences': (patch) =>
      guard(async () => {
        const { imageRetentionDays, ...rest } = patch;
        // A watermark the export would refuse (…无效, a glyph the font lacks) is refused here, at the source.
        if (rest.watermarkText !== undefined) {
          const wm = checkWatermark(rest.watermarkText);
          if (!wm.ok) return fail(wm.error);
        }
        settings.setPreferences({
          ...rest,
          ...(imageRetentionDays !== undefined
            ? { imageRetentionDays: imageRetentionDays ?? undefined }
            : {}),
        });
        // The card, the list and the search all follow the new "expiring soon" window at once.
        if (rest.expiringSoonDays !== undefined) vaultNow?.setExpiringDays(rest.expiringSoonDays);
        const s = await status();
        host.emit('app.status', s);
        return preferences();
      }),
    'profile.save': (p) =>
      guard(async () => {
        const fields = {
          displayName: p.displayName,
          appKey: p.appKey,
          gateway: p.gateway,
          signMethod: p.signMethod,
          targetAppKey: p.targetAppKey ?? undefined,
          sessionExpiresAt: p.sessionExpiresAt ?? undefined,
          qps: p.qps,
        };
        if (settings.findProfile(p.name)) settings.updateProfile(p.name, fields);
        else await settings.addProfile({ name: p.name, ...fields });
        if (!settings.defaultProfile()) settings.setDefault(p.name);
        const view = (await profiles()).find((x) => x.name === p.name);
        host.emit('app.status', await status());
        return view as ProfileViewDto;
      }),
    'profile.setSecrets': ({ name, appSecret, session }) =>
      guard(async () => {
        settings.profile(name);
        if (appSecret) await settings.setSecret(name, 'app-secret', appSecret);
        if (session) await settings.setSession(name, session);
        host.emit('app.status', await status());
        return (await profiles()).find((x) => x.name === name) as ProfileViewDto;
      }),
    'profile.remove': ({ name }) =>
      guard(async () => {
        if (!settings.findProfile(name)) return { removed: false };
        await settings.removeProfile(name);
        host.emit('app.status', await status());
        return { removed: true };
      }),
    'profile.use': ({ name }) =>
      guard(async () => {
        settings.setDefault(name);
        const s = await status();
        host.emit('app.status', s);
        return s;
      }),
    'profile.test': ({ name }) =>
      guard(async () => {
        const profile = settings.profile(name);
        const demo = profile.gateway === 'demo' ? await demoGateway() : undefined;
        const r = await testConnection(profile, desk.secrets, {
          ...(demo ? { gatewayUrl: demo.url, credentials: { ...DEMO_CREDENTIALS } } : {}),
          ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
        });
        if (!r.ok) return fail(r.error);
        const rep = r.value;
        learnFrom(rep.error ?? null, name);
        const messages = [
          ...(rep.error ? [rep.error.message] : []),
          ...(rep.clockWarning
            ? [
                {
                  'zh-CN': `本机时钟与网关相差 ${rep.clockSkewSeconds} 秒，请校准时钟。`,
                  'en-US': `This computer's clock is ${rep.clockSkewSeconds} s off the gateway's: set it right.`,
                },
              ]
            : []),
        ];
        return {
          reachable: rep.reachable,
          signatureAccepted: rep.signatureAccepted === true,
          sessionValid: rep.sessionValid === true,
          clockSkewSeconds: rep.clockSkewSeconds,
          messages,
        };
      }),

    'audit.list': (q) =>
      guard(async () =>
        (await openVault()).auditLog({
          ...(q.since ? { since: q.since } : {}),
          ...(q.action ? { action: q.action } : {}),
          ...(q.orderId ? { orderId: q.orderId } : {}),
          limit: q.limit,
        }),
      ),
    'vault.purge': () =>
      guard(async () => {
        await openVault();
        return desk.applyRetention();
      }),
  };

  return {
    handlers,
    image(orderId, side) {
      // Only an already-open vault: an image request never prompts the keychain by itself.
      return vaultNow?.image(orderId, side);
    },
    language: () => settings.preferences().language,
    windowState() {
      try {
        return JSON.parse(readFileSync(windowFile, 'utf8'));
      } catch {
        return undefined;
      }
    },
    saveWindowState(bounds) {
      try {
        writeFileAtomic(windowFile, JSON.stringify(bounds));
      } catch {
        // Losing the window position is not worth an error dialog on quit.
      }
    },
    async close() {
      for (const c of exports.values()) c.abort();
      for (const { cancel, done } of runs.values()) {
        cancel.abort();
        await done;
      }
      desk.close();
      if (simulator) await (await simulator).close();
    },
  };
}

/** The records list's filter, as the vault's query. */
function vaultQuery(q: {
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
