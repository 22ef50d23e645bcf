/**
 * The preload: exposes the contract as `window.clearance` and nothing else. Sandboxed, so it is
 * bundled to one CommonJS file that requires only `electron`. The page can reach only
 * `clearance:*` channels, and main registers those from the contract alone (and validates every
 * payload), so the preload needs the naming rule, not the schemas.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ClearanceApi } from '../contract';
import { ipcName, isContractName } from '../ipc-wire';

const api: ClearanceApi = {
  invoke(channel, request) {
    if (!isContractName(channel)) return Promise.reject(new Error(`unknown channel ${String(channel)}`));
    return ipcRenderer.invoke(ipcName(channel), request);
  },
  on(event, listener) {
    if (!isContractName(event)) throw new Error(`unknown event ${String(event)}`);
    // Hand the page the payload only, never the IpcRendererEvent (it reaches ipcRenderer).
    const wrapped = (_e: unknown, payload: unknown) => listener(payload as never);
    ipcRenderer.on(ipcName(event), wrapped);
    return () => {
      ipcRenderer.removeListener(ipcName(event), wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('clearance', api);
