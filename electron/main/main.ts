/**
 * The Electron main process: the thin glue between Electron and the backend. Everything it
 * decides is in modules without an `electron` import (backend, ipc, security, window), which the
 * tests and the harness use as they are.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  type Session,
  screen,
  session,
  shell,
} from 'electron';
import ElectronStore from 'electron-store';
import { Agent, ProxyAgent } from 'undici';
import { type EventName, type EventPayloads, ipcName } from '../contract';
import { ClearanceFailure, clearanceError, type Lang } from '../core/errors';
import { isAuthorizeUrl } from '../core/gateway/oauth';
import { createDispatcher } from '../core/gateway/transport';
import { ORDER_ID_DIGITS } from '../core/rules';
import { resolveDataDir } from '../core/settings/paths';
import { type Backend, createBackend } from './backend';
import { registerHandlers } from './ipc';
import { buildMenu } from './menu';
import {
  APP_CSP,
  APP_HOST,
  APP_ORIGIN,
  APP_SCHEME,
  IMAGE_SCHEME,
  isAllowedExternalLink,
  isAllowedNavigation,
  isAllowedPermission,
  isAllowedRendererRequest,
} from './security';
import { staticFile } from './static-files';
import { mainWindowOptions, restoreBounds } from './window';

const DEV = !app.isPackaged && process.env.CLEARANCE_DEV === '1';
const RENDERER_DIR = join(import.meta.dirname, '../renderer');
const PRELOAD = join(import.meta.dirname, '../preload/preload.cjs');
/** The path of an image URL: cd-image://image/<order id>/<side> */
const IMAGE_PATH = new RegExp(`^/(${ORDER_ID_DIGITS})/(front|back)$`);

// The command and the app share one data folder (CLEARANCE_DATA_DIR overrides both).
app.setPath('userData', resolveDataDir(process.env));

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  { scheme: IMAGE_SCHEME, privileges: { standard: true, secure: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let win: BrowserWindow | null = null;
  let backend: Backend | null = null;

  let menuLang: Lang | undefined;
  const setMenu = (lang: Lang) => {
    if (lang === menuLang) return;
    menuLang = lang;
    Menu.setApplicationMenu(buildMenu(lang, { dev: DEV, reload: () => win?.reload() }));
  };

  app.on('second-instance', () => {
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });

  /** Proxy from the OS (session.resolveProxy), HTTPS_PROXY if set, and an optional extra CA. */
  async function proxyDispatcher(s: Session) {
    const ca = process.env.CLEARANCE_EXTRA_CA
      ? (await import('node:fs')).readFileSync(process.env.CLEARANCE_EXTRA_CA)
      : undefined;
    const tls = ca ? { ca } : {};
    // HTTP(S)_PROXY with NO_PROXY, as the command does, when set; else the system's proxy.
    if (
      process.env.HTTPS_PROXY ??
      process.env.https_proxy ??
      process.env.HTTP_PROXY ??
      process.env.http_proxy
    ) {
      return createDispatcher({ ...(ca ? { ca } : {}) });
    }
    const rule = await s.resolveProxy('https://gw.api.taobao.com/router/rest');
    const m = /^(?:PROXY|HTTPS)\s+([^;\s]+)/.exec(rule);
    if (m) return new ProxyAgent({ uri: `http://${m[1]}`, requestTls: tls, proxyTls: tls });
    return new Agent({ connect: { timeout: 15_000, ...tls } });
  }

  function harden(s: Session) {
    // The renderer has no network of its own: only the app and image schemes.
    s.webRequest.onBeforeRequest((details, callback) =>
      callback({ cancel: !isAllowedRendererRequest(details.url) }),
    );
    // Every permission is refused but writing to the clipboard (the audited copy buttons).
    s.setPermissionRequestHandler((_wc, permission, callback) => callback(isAllowedPermission(permission)));
    s.setPermissionCheckHandler((_wc, permission) => isAllowedPermission(permission));
    s.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [APP_CSP] } });
    });
  }

  async function createWindow() {
    const settings = backend?.windowState();
    const bounds = restoreBounds(
      settings,
      screen.getAllDisplays().map((d) => d.workArea),
    );
    win = new BrowserWindow(mainWindowOptions(PRELOAD, bounds, DEV));
    const wc = win.webContents;
    wc.setWindowOpenHandler(({ url }) => {
      if (isAllowedExternalLink(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    wc.on('will-navigate', (e, url) => {
      if (!isAllowedNavigation(url)) e.preventDefault();
    });
    wc.on('will-redirect', (e, url) => {
      if (!isAllowedNavigation(url)) e.preventDefault();
    });
    wc.on('will-attach-webview', (e) => e.preventDefault());
    win.once('ready-to-show', () => win?.show());
    win.on('close', () => {
      if (win) backend?.saveWindowState(win.getNormalBounds());
    });
    await win.loadURL(`${APP_ORIGIN}/index.html`);
  }

  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });

  app
    .whenReady()
    .then(async () => {
      const s = session.defaultSession;
      harden(s);
      protocol.handle(APP_SCHEME, (request) => {
        const url = new URL(request.url);
        if (url.host !== APP_HOST) return new Response(null, { status: 404 });
        const file = staticFile(RENDERER_DIR, url.pathname);
        if (!file) return new Response(null, { status: 404 });
        return new Response(readFileSync(file.path), {
          headers: { 'content-type': file.type, 'content-security-policy': APP_CSP },
        });
      });
      backend = await createBackend({
        env: process.env,
        demo: process.argv.includes('--demo'),
        // "This run only": secrets (and so the vault) live in memory until the app quits.
        ...(process.argv.includes('--this-run-only') ? { secretsMode: 'memory' as const } : {}),
        exportWorkerFile: join(import.meta.dirname, 'export-worker.js'),
        // electron-store in the app (conf in Node): the same settings.json, the same schema.
        createSettings: (o) => new ElectronStore({ cwd: o.cwd, name: o.configName }),
        dispatcher: await proxyDispatcher(s),
        host: {
          imageUrl: (orderId, side) => `${IMAGE_SCHEME}://image/${orderId}/${side}`,
          emit: <E extends EventName>(event: E, payload: EventPayloads[E]) => {
            win?.webContents.send(ipcName(event), payload);
            // The menu follows the language setting as soon as it changes.
            if (event === 'app.status')
              setMenu((payload as EventPayloads['app.status']).preferences.language);
          },
          chooseExportTarget: async (kind, suggested) => {
            if (!win) return null;
            if (kind !== 'folder') {
              const r = await dialog.showSaveDialog(win, {
                defaultPath: suggested,
                filters: [
                  kind === 'zip'
                    ? { name: 'ZIP', extensions: ['zip'] }
                    : kind === 'xlsx'
                      ? { name: 'Excel', extensions: ['xlsx'] }
                      : { name: 'PDF', extensions: ['pdf'] },
                ],
              });
              return r.canceled ? null : (r.filePath ?? null);
            }
            const r = await dialog.showOpenDialog(win, { properties: ['openDirectory', 'createDirectory'] });
            return r.canceled ? null : (r.filePaths[0] ?? null);
          },
          // The system browser, for the authorize page only (https to the platform, or the loopback demo gateway).
          openExternal: async (url) => {
            if (!isAuthorizeUrl(url)) throw new Error('not an authorize URL');
            await shell.openExternal(url);
          },
          openFolder: async (path) => {
            const problem = await shell.openPath(path);
            if (problem) throw new Error('the folder could not be opened');
          },
          chooseImportFile: async () => {
            if (!win) return null;
            const r = await dialog.showOpenDialog(win, {
              properties: ['openFile'],
              filters: [{ name: 'CSV / Excel / Text', extensions: ['csv', 'xlsx', 'txt'] }],
            });
            return r.canceled ? null : (r.filePaths[0] ?? null);
          },
        },
      });
      protocol.handle(IMAGE_SCHEME, (request) => {
        const m = IMAGE_PATH.exec(new URL(request.url).pathname);
        const img = m ? backend?.image(m[1] as string, m[2] as 'front' | 'back') : undefined;
        if (!img) return new Response(null, { status: 404 });
        return new Response(new Uint8Array(img.bytes), {
          headers: { 'content-type': img.mime, 'cache-control': 'no-store' },
        });
      });
      registerHandlers(ipcMain, backend.handlers, APP_ORIGIN);
      setMenu(backend.language());
      await createWindow();
    })
    .catch((err: unknown) => {
      // Nothing may fail silently at start: say what is wrong (the table's words, never a stack) and quit,
      // releasing the single-instance lock so the next launch can try again.
      const e =
        err instanceof ClearanceFailure
          ? err.error
          : clearanceError('internal', { detail: (err as Error)?.name });
      dialog.showErrorBox('清关助手 Clearance Desk', `${e.message['zh-CN']}\n\n${e.message['en-US']}`);
      app.exit(1);
    });

  app.on('window-all-closed', () => app.quit());
  let closing = false;
  app.on('will-quit', (event) => {
    // Finish open work (batch runs checkpoint, the vault closes cleanly) before the process goes.
    if (closing || !backend) return;
    closing = true;
    event.preventDefault();
    void backend.close().finally(() => app.exit(0));
  });
}
