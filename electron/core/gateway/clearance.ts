import type { Dispatcher } from 'undici';
import { type ClearanceError, clearanceError, fail, ok, type Result } from '../errors';
import type { TopClient } from './client';
import { isObject, text } from './envelope';
import { type DownloadedImage, downloadImage, type ImagePolicy } from './images';

export const CLEARANCE_METHOD = 'tmall.hk.clearance.distribution.get';

/** What the gateway says about one order's consignee (ConsigneeCertifyInfo), digits intact. */
export interface ClearanceIdentity {
  orderId: string;
  name: string;
  idNumber: string;
  /** As sent: `20240101`, `2024.01.01`, `2024-01-01`, `长期`, `00000000`… (see core/idcard for its meaning). */
  expiry: string;
  /** Credential type; 1 = resident ID card. Undocumented otherwise, so kept as a number. */
  idType: number | null;
  imageUrls: { front: string | null; back: string | null };
}

export type ImageSide = 'front' | 'back';

export interface ClearanceFetch {
  identity: ClearanceIdentity;
  images: Partial<Record<ImageSide, DownloadedImage>>;
  /** Non-fatal problems: an image that failed. */
  warnings: ClearanceError[];
  requestId?: string;
  raw: string;
  attempts: number;
}

/** Order ids as decimal strings: equal when their digits are, leading zeros aside. */
export function sameOrderId(a: string, b: string): boolean {
  const digits = (s: string) => (/^\d+$/.test(s.trim()) ? s.trim().replace(/^0+(?=\d)/, '') : null);
  const x = digits(a);
  return x !== null && x === digits(b);
}

function identityFrom(module: Record<string, unknown>, requested: string): ClearanceIdentity {
  const field = (k: string) => text(module[k] as never)?.trim() ?? '';
  const typeText = field('type');
  const type = /^\d+$/.test(typeText) ? Number(typeText) : null;
  return {
    orderId: requested,
    name: field('ocr_name'),
    idNumber: field('ocr_id'),
    expiry: field('ocr_exp'),
    idType: type,
    imageUrls: { front: field('credential1') || null, back: field('credential2') || null },
  };
}

/**
 * Fetch one order's clearance identity; with `needImage`, also download both ID images (a failed
 * image is a warning, not a failed lookup: the identity alone is still worth keeping).
 */
export async function fetchClearance(
  client: TopClient,
  orderId: string,
  opts: {
    needImage?: boolean;
    signal?: AbortSignal;
    imagePolicy?: Partial<ImagePolicy>;
    imageDispatcher?: Dispatcher;
  } = {},
): Promise<Result<ClearanceFetch, ClearanceError>> {
  const business = { order_id: orderId, need_image: opts.needImage ? 'true' : 'false' };
  const reply = await client.call(CLEARANCE_METHOD, business, { signal: opts.signal, orderId });
  if (!reply.ok) return reply;
  const { body, requestId, raw, attempts } = reply.value;
  const extra = { orderId, ...(requestId ? { requestId } : {}) };
  const result = body.result;
  if (!isObject(result)) return fail(clearanceError('protocol-malformed', {}, extra));
  const success = text(result.success) === 'true';
  const module = result.module;
  if (!success || !isObject(module)) {
    const errCode = text(result.err_code);
    return fail(clearanceError('business', errCode ? { code: errCode } : {}, extra));
  }
  // A reply about another order (a mixed-up proxy cache, a gateway bug) must never be kept as this one's.
  const echoed = text(module.order_id);
  if (echoed !== undefined && !sameOrderId(echoed, orderId)) {
    return fail(clearanceError('protocol-order-mismatch', { orderId }, extra));
  }
  const identity = identityFrom(module, orderId);
  const warnings: ClearanceError[] = [];
  const images: ClearanceFetch['images'] = {};
  if (opts.needImage) {
    for (const side of ['front', 'back'] as const) {
      const url = identity.imageUrls[side];
      if (!url) continue;
      const got = await downloadImage(url, {
        policy: { gatewayUrl: client.options.gateway, ...opts.imagePolicy },
        dispatcher: opts.imageDispatcher,
        signal: opts.signal,
      });
      if (got.ok) images[side] = got.value;
      else warnings.push({ ...got.error, orderId });
    }
  }
  const fetched: ClearanceFetch = { identity, images, warnings, raw, attempts };
  if (requestId) fetched.requestId = requestId;
  return ok(fetched);
}
