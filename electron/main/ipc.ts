/**
 * Registers one handler per contract channel, in one loop. Every request is checked twice before
 * a handler sees it: the sender must be the app's own frame, and the payload must match the
 * channel's schema. A bad payload gets a typed refusal; a handler that throws gets an internal
 * error without its stack. No `electron` import: the harness registers the same handlers.
 */
import type { z } from 'zod';
import { CHANNEL_NAMES, CHANNELS, type Channel, ipcName, type Reply, type ReplyOf } from '../contract';
import { clearanceError } from '../core/errors';
import { originOf } from './security';

export type Handlers = {
  [C in Channel]: (request: z.output<(typeof CHANNELS)[C]['request']>) => Promise<Reply<ReplyOf<C>>>;
};

/** The part of an IPC event the trust check reads (Electron's IpcMainInvokeEvent has it). */
export interface SenderInfo {
  senderFrame?: { url: string } | null;
}

/** The part of `ipcMain` used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: SenderInfo, payload: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export function isTrustedSender(event: SenderInfo, appOrigin: string): boolean {
  const url = event.senderFrame?.url;
  return Boolean(url) && originOf(url as string) === appOrigin;
}

export async function dispatch<C extends Channel>(
  handlers: Handlers,
  channel: C,
  event: SenderInfo,
  payload: unknown,
  appOrigin: string,
): Promise<Reply<ReplyOf<C>>> {
  if (!isTrustedSender(event, appOrigin)) {
    return {
      ok: false,
      error: clearanceError('permission', { detail: 'untrusted sender', code: 'ipc-sender' }),
    };
  }
  const parsed = CHANNELS[channel].request.safeParse(payload ?? {});
  if (!parsed.success) {
    // Name the fields at fault, never their values (they may be personal data).
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    return { ok: false, error: clearanceError('usage', { detail: `${channel}: ${fields}` }) };
  }
  try {
    const handler = handlers[channel] as (r: unknown) => Promise<Reply<ReplyOf<C>>>;
    return await handler(parsed.data);
  } catch (err) {
    return { ok: false, error: clearanceError('internal', { detail: (err as Error)?.name ?? 'Error' }) };
  }
}

export function registerHandlers(ipc: IpcMainLike, handlers: Handlers, appOrigin: string): () => void {
  for (const channel of CHANNEL_NAMES) {
    ipc.handle(ipcName(channel), (event, payload) => dispatch(handlers, channel, event, payload, appOrigin));
  }
  return () => {
    for (const channel of CHANNEL_NAMES) ipc.removeHandler(ipcName(channel));
  };
}
