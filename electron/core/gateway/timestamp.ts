/** The gateway keeps Beijing time (UTC+8, no daylight saving since 1991), whatever the host's zone. */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

const pad = (n: number) => String(n).padStart(2, '0');

/** `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai. */
export function shanghaiTimestamp(at: Date): string {
  const t = new Date(at.getTime() + SHANGHAI_OFFSET_MS);
  return (
    `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ` +
    `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`
  );
}

/** Inverse of {@link shanghaiTimestamp}; undefined when the text is not in that form. */
export function parseShanghaiTimestamp(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - SHANGHAI_OFFSET_MS;
  const back = new Date(ms);
  return shanghaiTimestamp(back) === text ? back : undefined;
}

/** Today's date in Shanghai as YYYY-MM-DD (for expiry checks that must not drift with TZ). */
export function shanghaiDate(at: Date): string {
  return shanghaiTimestamp(at).slice(0, 10);
}
