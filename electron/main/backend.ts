/**
 * The backend behind the IPC contract, composed from one handler module per domain
 * (handlers/*.ts) over a shared context (desk, host, status). No `electron` import: the Electron
 * main process and the e2e harness build it the same way and differ only in their `host`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { type OpenDeskOptions, openDesk } from '../core/desk';
import type { Lang } from '../core/errors';
import { writeFileAtomic } from '../core/fsutil';
import type { ImageSide } from '../core/gateway/clearance';
import type { ImageMime } from '../core/gateway/images';
import { auditHandlers } from './handlers/audit';
import { authHandlers } from './handlers/auth';
import { batchHandlers } from './handlers/batch';
import { type BackendHost, createContext } from './handlers/context';
import { exportHandlers } from './handlers/export';
import { lookupHandlers } from './handlers/lookup';
import { ordersHandlers } from './handlers/orders';
import { profileHandlers } from './handlers/profiles';
import { recordsHandlers } from './handlers/records';
import { settingsHandlers } from './handlers/settings';
import { teamLink } from './handlers/team';
import type { Handlers } from './ipc';

export type { BackendHost } from './handlers/context';

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
  /** How often the waiting list's timer looks whether a recheck is due (tests); default a minute. */
  recheckTickMs?: number;
}

export interface Backend {
  handlers: Handlers;
  image(orderId: string, side: ImageSide): { mime: ImageMime; bytes: Buffer } | undefined;
  language(): Lang;
  windowState(): unknown;
  saveWindowState(bounds: { x: number; y: number; width: number; height: number }): void;
  close(): Promise<void>;
}

export async function createBackend(opts: BackendOptions): Promise<Backend> {
  const clock = opts.clock ?? (() => new Date());
  const desk = openDesk({
    env: opts.env,
    ...(opts.secretsMode ? { secretsMode: opts.secretsMode } : {}),
    ...(opts.createSettings ? { createSettings: opts.createSettings } : {}),
    channel: 'app',
    retentionEveryMs: 6 * 60 * 60 * 1000,
    ...(opts.clock ? { clock } : {}),
  });
  const ctx = createContext(desk, {
    host: opts.host,
    clock,
    dispatcher: opts.dispatcher,
    exportWorkerFile: opts.exportWorkerFile,
  });
  if (opts.demo) await ctx.ensureDemoProfile();

  const team = teamLink(ctx, opts.env);
  const { abortAll, ...exporting } = exportHandlers(ctx);
  const { stopAll, startOrders, busy, ...batching } = batchHandlers(ctx, team);
  const { cancelAll, ...authorizing } = authHandlers(ctx);
  const {
    stopTimer,
    recheckDue: _recheckDue,
    ...ordering
  } = ordersHandlers(ctx, {
    startOrders,
    busy,
    ...(opts.recheckTickMs ? { tickMs: opts.recheckTickMs } : {}),
  });
  const handlers: Handlers = {
    ...profileHandlers(ctx),
    ...authorizing,
    ...lookupHandlers(ctx, team),
    ...recordsHandlers(ctx, team),
    ...exporting,
    ...batching,
    ...ordering,
    ...settingsHandlers(ctx),
    ...auditHandlers(ctx),
    ...team.handlers,
  };
  const windowFile = join(desk.dataDir, 'window-state.json');

  return {
    handlers,
    // Only an already-open vault: an image request never prompts the keychain by itself.
    image: (orderId, side) => ctx.openedVault()?.image(orderId, side),
    language: () => desk.settings.preferences().language,
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
      abortAll();
      stopTimer();
      await stopAll();
      await cancelAll();
      await team.close();
      await ctx.close();
    },
  };
}
