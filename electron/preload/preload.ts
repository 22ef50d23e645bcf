/**
 * The preload: exposes the contract as `window.clearance` and nothing else. Sandboxed, so it is
 * bundled to one CommonJS file that requires only `electron`. Channel names outside the contract
 * are refused here as well as in main.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { CHANNEL_NAMES, type ClearanceApi, EVENT_NAMES, ipcName } from '../contract';

const channels = new Set<string>(CHANNEL_NAMES);
const events = new Set<string>(EVENT_NAMES);

const api: ClearanceApi = {
  invoke(channel, request) {
    if (!channels.has(channel)) return Promise.reject(new Error(`unknown channel ${String(channel)}`));
    return ipcRenderer.invoke(ipcName(channel), request);
  },
  on(event, listener) {
    if (!events.has(event)) throw new Error(`unknown event ${String(event)}`);
    // Hand the page the payload only, never the IpcRendererEvent (it reaches ipcRenderer).
    const wrapped = (_e: unknown, payload: unknown) => listener(payload as never);
    ipcRenderer.on(ipcName(event), wrapped);
    return () => {
      ipcRenderer.removeListener(ipcName(event), wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('clearance', api);
