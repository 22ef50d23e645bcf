/**
 * An export source held in memory: records built from the demo gateway's people and one shared
 * pair of images. For tests, benchmarks and the demo; the app exports from the vault (vault-source.ts).
 */

import { expiryOf, findSample, type SampleOrder } from '../demo/samples';
import type { ImageSide } from '../gateway/clearance';
import { shanghaiDate } from '../gateway/timestamp';
import { validateIdentity } from '../idcard';
import type { StoredRecord } from '../vault/types';
import type { ExportImage, ExportItem, ExportSource } from './types';
import type { OrderFactsLookup } from './vault-source';

export function recordFromSample(
  s: SampleOrder,
  opts: { profile?: string; fetchedAt?: string; images?: Partial<Record<ImageSide, ExportImage>> } = {},
): StoredRecord {
  const fetchedAt = opts.fetchedAt ?? new Date().toISOString();
  const today = shanghaiDate(new Date(fetchedAt));
  const meta = (side: ImageSide) => {
    const img = s.images ? opts.images?.[side] : undefined;
    return img ? { mime: img.mime, bytes: img.bytes.byteLength } : null;
  };
  const images = { front: meta('front'), back: meta('back') };
  const expiry = expiryOf(s, today);
  return {
    orderId: s.orderId,
    profile: opts.profile ?? 'demo',
    firstFetchedAt: fetchedAt,
    fetchedAt,
    name: s.name,
    idNumber: s.idNumber,
    expiry,
    idType: s.type,
    images,
    validation: validateIdentity(
      {
        name: s.name,
        idNumber: s.idNumber,
        expiry,
        idType: s.type,
        hasImages: Boolean(images.front || images.back),
      },
      today,
    ),
    requestId: null,
  };
}

/**
 * Records for the given demo order ids (sample or generated ones), made one at a time as the export
 * asks, so a large selection costs no memory up front. `imagesFor` may override an order's images
 * (a damaged one in tests).
 */
export function demoSource(
  orderIds: string[],
  images: Partial<Record<ImageSide, ExportImage>>,
  opts: {
    profile?: string;
    fetchedAt?: string;
    imagesFor?: (orderId: string) => Partial<Record<ImageSide, ExportImage>> | undefined;
    /** Order sheet facts and findings per order, as the vault source takes them. */
    facts?: OrderFactsLookup;
  } = {},
): ExportSource {
  const imagesOf = (id: string) => opts.imagesFor?.(id) ?? (findSample(id)?.images ? images : {});
  return {
    count: () => orderIds.length,
    *records(): Generator<ExportItem> {
      for (const id of orderIds) {
        const s = findSample(id);
        if (!s) continue;
        const r = recordFromSample(s, { ...opts, images: imagesOf(id) });
        const f = opts.facts?.(id);
        yield {
          ...r,
          ...(f?.order ? { order: f.order } : {}),
          ...(f?.findings ? { findings: f.findings } : {}),
        };
      }
    },
    image: (orderId: string, side: ImageSide) => imagesOf(orderId)[side],
  };
}
