import type { Dispatcher } from 'undici';
import { type ClearanceError, clearanceError, fail, ok, type Result } from '../errors';
import { exchange } from './transport';

export type ImageMime = 'image/jpeg' | 'image/png';

export interface ImagePolicy {
  maxBytes: number;
  timeoutMs: number;
  /** Plain http is refused except to loopback hosts (the demo gateway), unless this is false. */
  allowLoopbackHttp: boolean;
  maxRedirects: number;
}

export const DEFAULT_IMAGE_POLICY: ImagePolicy = {
  maxBytes: 5 * 1024 * 1024,
  timeoutMs: 20_000,
  allowLoopbackHttp: true,
  maxRedirects: 3,
};

export function sniffImage(bytes: Uint8Array): ImageMime | undefined {
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length > 8 && png.every((b, i) => bytes[i] === b)) return 'image/png';
  return undefined;
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const refuse = (detail: string) => fail(clearanceError('image-failed', { detail }));

/** Is this URL one we may fetch? Error texts name the rule, never the URL (it can identify a person). */
export function checkImageUrl(raw: string, policy: ImagePolicy): Result<URL, ClearanceError> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('not a URL / 地址无效');
  }
  if (url.protocol === 'https:') return ok(url);
  if (url.protocol === 'http:' && policy.allowLoopbackHttp && isLoopbackHost(url.hostname)) return ok(url);
  return refuse('not https / 非 https 地址');
}

export interface DownloadedImage {
  bytes: Buffer;
  mime: ImageMime;
}

/** Download one ID image: https only, size cap, timeout, and the bytes must really be JPEG or PNG. */
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
      target = new URL(location, checked.value).toString();
      continue;
    }
    if (status !== 200) return refuse(`HTTP ${status}`);
    const mime = sniffImage(body);
    if (!mime) return refuse('not a JPEG or PNG / 非图片数据');
    return ok({ bytes: body, mime });
  }
  return refuse('too many redirects / 重定向过多');
}
