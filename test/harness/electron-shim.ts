/**
 * Stand-ins for the two Electron objects the preload uses, for the browser: `ipcRenderer.invoke`
 * becomes a POST to the harness and `ipcRenderer.on` an EventSource subscription. The real preload
 * is bundled against this file (test/harness only; never shipped).
 */
type Listener = (event: unknown, payload: unknown) => void;

const TOKEN_KEY = 'clearance-harness-token';
const fromUrl = new URLSearchParams(location.search).get('token');
if (fromUrl) sessionStorage.setItem(TOKEN_KEY, fromUrl);
const token = sessionStorage.getItem(TOKEN_KEY) ?? '';

export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown) {
    Object.defineProperty(window, key, {
      value: Object.freeze(api),
      enumerable: false,
      configurable: false,
      writable: false,
    });
  },
};

let source: EventSource | undefined;
const wrapped = new Map<Listener, (e: MessageEvent) => void>();

export const ipcRenderer = {
  async invoke(channel: string, payload: unknown): Promise<unknown> {
    const res = await fetch('/__ipc', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-harness-token': token },
      body: JSON.stringify({ channel, payload }),
    });
    if (!res.ok) throw new Error(`harness refused ${channel}: HTTP ${res.status}`);
    return res.json();
  },
  on(channel: string, listener: Listener) {
    source ??= new EventSource(`/__events?token=${encodeURIComponent(token)}`);
    const w = (e: MessageEvent) => listener({}, JSON.parse(e.data as string));
    wrapped.set(listener, w);
    source.addEventListener(channel, w as EventListener);
  },
  removeListener(channel: string, listener: Listener) {
    const w = wrapped.get(listener);
    if (w) source?.removeEventListener(channel, w as EventListener);
    wrapped.delete(listener);
  },
};
