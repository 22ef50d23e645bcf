import type { Dispatcher } from 'undici';
import { type ClearanceError, clearanceError, fail, ok, type Result } from '../errors';
import { exchange } from './transport';

export type ImageMime = 'image/jpeg' | 'image/png';

export interface ImagePolicy {
  maxBytes: number;
  timeoutMs: number;
  /**
   * The gateway the identity came from. Only when it is itself on this machine (the demo and test
   * gateways, which serve the images on their own port) may an image come from there, and only
   * from that very origin, plain http included. Otherwise: https to a public host only.
   */
  gatewayUrl?: string;
  maxRedirects: number;
}

export const DEFAULT_IMAGE_POLICY: ImagePolicy = {
  maxBytes: 5 * 1024 * 1024,
  timeoutMs: 20_000,
  maxRedirects: 3,
};

export function sniffImage(bytes: Uint8Array): ImageMime | undefined {
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length > 8 && png.every((b, i) => bytes[i] === b)) return 'image/png';
  return undefined;
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    h === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h)
  );
}

/**
 * A host on this machine or a private network, by its name or address as the URL parser wrote it
 * (it already turned `2130706433` and `0x7f.1` into 127.0.0.1): loopback, 0.0.0.0, RFC 1918,
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, IPv6 unique-local and
 * link-local, and IPv4-mapped forms of any of them.
 */
export function isPrivateHost(hostname: string): boolean {
  if (isLoopbackHost(hostname)) return true;
  let h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
  if (mapped) {
    const hi = Number.parseInt(mapped[1] as string, 16);
    const lo = Number.parseInt(mapped[2] as string, 16);
    h = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(h);
  if (v4) {
    const a = Number(v4[1]);
    const b = Number(v4[2]);
    return (
      a === 0 ||
      a === 10 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168)
    );
  }
  if (h.includes(':')) return h === '::' || /^f[cd][0-9a-f]{0,2}:/.test(h) || /^fe[89ab][0-9a-f]?:/.test(h);
  return !h.includes('.'); // a single-label name is resolved on the local network
}

const refuse = (detail: string) => fail(clearanceError('image-failed', { detail }));

/** The gateway's origin when the gateway is on this machine (the demo and test gateways); else null. */
function loopbackGatewayOrigin(policy: ImagePolicy): string | null {
  if (!policy.gatewayUrl) return null;
  try {
    const g = new URL(policy.gatewayUrl);
    return isLoopbackHost(g.hostname) ? g.origin : null;
  } catch {
    return null;
  }
}

/**
 * Is this URL one we may fetch? https to a public host; a private or loopback host (any port on
 * this machine, the LAN, cloud metadata) only as the loopback gateway's own origin; never with
 * credentials in it. Error texts name the rule, never the URL (it can identify a person).
 */
export function checkImageUrl(raw: string, policy: ImagePolicy): Result<URL, ClearanceError> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('not a URL / 地址无效');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return refuse('not https / 非 https 地址');
  if (url.username || url.password) return refuse('credentials in the address / 地址含账号密码');
  const own = loopbackGatewayOrigin(policy);
  if (own !== null && url.origin === own) return ok(url);
  if (isPrivateHost(url.hostname)) return refuse('local or private host / 本机或内网地址');
  if (url.protocol !== 'https:') return refuse('not https / 非 https 地址');
  return ok(url);
}

export interface DownloadedImage {
  bytes: Buffer;
  mime: ImageMime;
}

/** Download one ID image: the address rule above at every hop, size cap, timeout, and the bytes must really be JPEG or PNG. */
export async function downloadImage(
  raw: string,
  opts: { policy?: Partial<ImagePolicy>; dispatcher?: Dispatcher; signal?: AbortSignal } = {},
): Promise<Result<DownloadedImage, ClearanceError>> {
  const policy = { ...DEFAULT_IMAGE_POLICY, ...opts.policy };
  let target = raw;
  for (let hop = 0; hop <= policy.maxRedirects; hop++) {
    const checked = checkImageUrl(target, policy);
    if (!checked.ok) return checked;
    const res = await exchange(
      { method: 'GET', url: checked.value.toString(), headers: { accept: 'image/jpeg, image/png' } },
      {
        maxBytes: policy.maxBytes,
        totalTimeoutMs: policy.timeoutMs,
        dispatcher: opts.dispatcher,
        signal: opts.signal,
      },
    );
    if (!res.ok) {
      const r = res.error.error.reason;
      if (r === 'cancelled') return fail(res.error.error);
      return refuse(
        r === 'protocol-oversized'
          ? 'too large / 文件过大'
          : r === 'network-timeout'
            ? 'timed out / 超时'
            : 'network / 网络错误',
      );
    }
    const { status, body } = res.value;
    if (status >= 300 && status < 400) {
      const location = res.value.location;
      if (!location) return refuse(`HTTP ${status}`);
      const next = new URL(location, checked.value);
      // A redirect never downgrades to plain http (checkImageUrl also keeps it off this machine).
      if (checked.value.protocol === 'https:' && next.protocol !== 'https:')
        return refuse('redirect to http / 重定向到 http');
      target = next.toString();
      continue;
    }
    if (status !== 200) return refuse(`HTTP ${status}`);
    const mime = sniffImage(body);
    if (!mime) return refuse('not a JPEG or PNG / 非图片数据');
    return ok({ bytes: body, mime });
  }
  return refuse('too many redirects / 重定向过多');
}
