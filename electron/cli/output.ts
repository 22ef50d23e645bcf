import type { ClearanceError, Lang } from '../core/errors';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  lang: Lang;
  isTTY: boolean;
}

export function langFrom(flag: string | undefined, env: NodeJS.ProcessEnv): Lang {
  const v = flag ?? env.CLEARANCE_LANG ?? '';
  if (/^en/i.test(v)) return 'en-US';
  return 'zh-CN';
}

export const say = (io: Io, zh: string, en: string) => (io.lang === 'zh-CN' ? zh : en);

/** The one JSON shape of a failure, on stdout (issue 2). */
export function errorJson(e: ClearanceError, lang: Lang) {
  return {
    ok: false,
    error: {
      kind: e.kind,
      reason: e.reason,
      code: e.code ?? null,
      subCode: e.subCode ?? null,
      message: e.message[lang],
      requestId: e.requestId ?? null,
      ...(e.retryAfterSeconds !== undefined ? { retryAfterSeconds: e.retryAfterSeconds } : {}),
    },
  };
}

export function printError(io: Io, e: ClearanceError, json: boolean) {
  if (json) io.stdout(`${JSON.stringify(errorJson(e, io.lang))}\n`);
  else {
    const ref = [
      e.code !== undefined ? `code ${e.code}` : '',
      e.subCode ?? '',
      e.requestId ? `request ${e.requestId}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    io.stderr(`${say(io, '错误', 'Error')} [${e.kind}] ${e.message[io.lang]}${ref ? ` (${ref})` : ''}\n`);
  }
}
