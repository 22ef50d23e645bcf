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

/**
 * Text from outside (the gateway's names, codes, request ids and messages; stored records) as it
 * may be printed on a terminal: C0 and C1 controls, DEL and the bidirectional overrides, marks and
 * isolates are shown as escapes, so a reply can neither move the cursor, rewrite or forge a line,
 * retitle the window, nor reorder what is shown. `--json` output is never passed through this.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function shown(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const code = ch.charCodeAt(0);
    return (
      NAMED[ch] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`)
    );
  });
}

export const say = (io: Io, zh: string, en: string) => (io.lang === 'zh-CN' ? zh : en);

/** The one JSON shape of a failure, on stdout (README: The command). */
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
    io.stderr(
      `${say(io, '错误', 'Error')} [${e.kind}] ${shown(`${e.message[io.lang]}${ref ? ` (${ref})` : ''}`)}\n`,
    );
  }
}
