/**
 * The end-to-end harness: the real backend (settings, keychain, vault, gateway client, export,
 * batch) with the real handler registration on a stand-in for `ipcMain`, the built renderer
 * served on 127.0.0.1, and the real preload bundled against a stand-in for `contextBridge` and
 * `ipcRenderer`. Playwright drives it in Debian's Chromium; `npm run harness` starts it by hand.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventName, type EventPayloads, ipcName } from '../../electron/contract';
import { ORDER_ID_DIGITS } from '../../electron/core/rules';
import { type Backend, createBackend } from '../../electron/main/backend';
import { type IpcMainLike, registerHandlers, type SenderInfo } from '../../electron/main/ipc';
import { contentSecurityPolicy } from '../../electron/main/security';
import { CONTENT_TYPES, staticFile } from '../../electron/main/static-files';

const ROOT = new URL('../../', import.meta.url).pathname;
const RENDERER = join(ROOT, 'dist/renderer');
const PRELOAD = join(ROOT, 'dist/harness/preload.js');
const HARNESS_IMAGE_PATH = new RegExp(`^/__image/(${ORDER_ID_DIGITS})/(front|back)$`);

export interface HarnessOptions {
  dataDir?: string;
  demo?: boolean;
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** 'memory' for a run without a keychain (the startup bench); the e2e tests use the real one. */
  secretsMode?: 'keychain' | 'memory';
}

export interface Harness {
  /** Open this (it carries the per-run token). */
  url: string;
  origin: string;
  token: string;
  backend: Backend;
  dataDir: string;
  /** URLs the backend asked the system browser to open (the authorize page), in order. */
  externalUrls: string[];
  /** Folders the page asked the host to show ("open folder" after an export), in order. */
  openedFolders: string[];
  close(): Promise<void>;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  if (!existsSync(join(RENDERER, 'index.html')) || !existsSync(PRELOAD)) {
    throw new Error('Build first: npm run build (dist/renderer and dist/harness/preload.js are missing).');
  }
  const token = randomBytes(16).toString('hex');
  const env = { ...(opts.env ?? process.env) };
  if (opts.dataDir) env.CLEARANCE_DATA_DIR = opts.dataDir;
  const events = new Set<ServerResponse>();
  const externalUrls: string[] = [];
  let origin = '';
  const openedFolders: string[] = [];

  const backend = await createBackend({
    env,
    demo: opts.demo ?? false,
    ...(opts.secretsMode ? { secretsMode: opts.secretsMode } : {}),
    host: {
      imageUrl: (orderId, side) => `/__image/${orderId}/${side}?token=${token}`,
      emit: <E extends EventName>(event: E, payload: EventPayloads[E]) => {
        const frame = `event: ${ipcName(event)}\ndata: ${JSON.stringify(payload)}\n\n`;
        for (const res of events) res.write(frame);
      },
      // No dialogs in a browser: exports go to a folder in the data dir, imports come from a set path.
      chooseExportTarget: async (kind, suggested) =>
        join(env.CLEARANCE_DATA_DIR ?? tmpdir(), 'exports', kind === 'folder' ? '' : suggested),
      chooseImportFile: async () => env.CLEARANCE_HARNESS_IMPORT ?? null,
      // No system browser here: the URL is recorded (a test plays the browser), and printed by hand.
      openExternal: async (url) => {
        externalUrls.push(url);
      },
      // No file manager in a browser: the request is recorded for the tests.
      openFolder: async (path) => {
        openedFolders.push(path);
      },
    },
  });

  // A stand-in for ipcMain: the real registration loop fills it; requests are routed to it.
  const registry = new Map<string, (event: SenderInfo, payload: unknown) => Promise<unknown>>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => registry.set(channel, listener),
    removeHandler: (channel) => registry.delete(channel),
  };

  const csp = () => contentSecurityPolicy({ imageSources: ["'self'"], connectSources: ["'self'"] });
  const tokenOk = (req: IncomingMessage, url: URL) =>
    (req.headers['x-harness-token'] ?? url.searchParams.get('token')) === token;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', origin);
    if (req.method === 'POST' && url.pathname === '/__ipc') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      let body: { channel?: string; payload?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return res.writeHead(400).end();
      }
      const listener = registry.get(String(body.channel));
      if (!listener) return res.writeHead(404).end();
      // Without the token the request is treated as coming from a foreign frame: the real check refuses it.
      const event: SenderInfo = {
        senderFrame: { url: tokenOk(req, url) ? origin : 'http://foreign.invalid' },
      };
      const reply = await listener(event, body.payload);
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    }
    if (!tokenOk(req, url) && (url.pathname === '/__events' || url.pathname.startsWith('/__image/')))
      return res.writeHead(403).end();
    if (url.pathname === '/__events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      events.add(res);
      req.on('close', () => events.delete(res));
      return;
    }
    const image = HARNESS_IMAGE_PATH.exec(url.pathname);
    if (image) {
      const img = backend.image(image[1] as string, image[2] as 'front' | 'back');
      if (!img) return res.writeHead(404).end();
      return res.writeHead(200, { 'content-type': img.mime, 'cache-control': 'no-store' }).end(img.bytes);
    }
    if (url.pathname === '/__preload.js') {
      return res
        .writeHead(200, { 'content-type': CONTENT_TYPES['.js'] as string })
        .end(readFileSync(PRELOAD));
    }
    if (url.pathname === '/' || url.pathname === '/index.html') {
      if (!tokenOk(req, url))
        return res
          .writeHead(403, { 'content-type': 'text/plain; charset=utf-8' })
          .end('Open the URL the harness printed (it carries the token).');
      // The preload runs before the page's own (module, deferred) scripts, as in Electron.
      const html = readFileSync(join(RENDERER, 'index.html'), 'utf8').replace(
        '<head>',
        '<head><script src="/__preload.js"></script>',
      );
      return res
        .writeHead(200, {
          'content-type': CONTENT_TYPES['.html'] as string,
          'content-security-policy': csp(),
          'cache-control': 'no-store',
        })
        .end(html);
    }
    const file = staticFile(RENDERER, url.pathname);
    if (!file) return res.writeHead(404).end();
    return res
      .writeHead(200, { 'content-type': file.type, 'content-security-policy': csp() })
      .end(readFileSync(file.path));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  registerHandlers(ipcMain, backend.handlers, origin);

  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    backend,
    dataDir: env.CLEARANCE_DATA_DIR ?? '',
    externalUrls,
    openedFolders,
    close: async () => {
      for (const res of events) res.end();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await backend.close();
    },
  };
}
