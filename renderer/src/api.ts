/**
 * The renderer's only door to the backend: `window.clearance`, typed by the IPC contract.
 * Types only come from electron/contract.ts; nothing else from electron/ is imported.
 */
import type {
  Bilingual,
  Channel,
  ClearanceApi,
  EventName,
  EventPayloads,
  Reply,
  ReplyOf,
  RequestOf,
} from '../../electron/contract';

declare global {
  interface Window {
    clearance: ClearanceApi;
  }
}

export type ClearanceError = Extract<Reply<unknown>, { ok: false }>['error'];
export type ErrorKind = ClearanceError['kind'];
export type Lang = keyof Bilingual;

/** A reply for a channel; a missing bridge or a thrown IPC failure also comes back as a typed error. */
export async function invoke<C extends Channel>(
  channel: C,
  request: RequestOf<C>,
): Promise<Reply<ReplyOf<C>>> {
  try {
    if (!window.clearance) return { ok: false, error: bridgeError('The backend bridge is missing') };
    return await window.clearance.invoke(channel, request);
  } catch {
    return { ok: false, error: bridgeError('The backend did not answer') };
  }
}

export function subscribe<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) {
  if (!window.clearance) return () => {};
  return window.clearance.on(event, listener);
}

function bridgeError(en: string): ClearanceError {
  return {
    kind: 'internal',
    reason: 'internal',
    message: { 'zh-CN': '界面与后台的连接中断。请重启应用。', 'en-US': `${en}. Restart the app.` },
  };
}
