/** Builds `ClearanceFetch` values for vault tests without a gateway: invented people, real-looking replies. */

import type { ClearanceFetch } from '../../electron/core/gateway/clearance';
import { checkCharacter } from '../../electron/core/idcard';

export interface Person {
  name: string;
  idNumber: string;
  expiry: string;
  idType?: number | null;
}

/** A JPEG-looking blob with a marker inside, so a test can search for its bytes. */
export function fakeJpeg(marker: string): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
    Buffer.from(`JPEGBODY-${marker}-`.repeat(8)),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** The gateway's JSON reply with the order id as a bare number (above 2^53 for 19 digits). */
export function rawReply(orderId: string, p: Person): string {
  return `{"tmall_hk_clearance_distribution_get_response":{"result":{"success":true,"module":{"order_id":${orderId},"ocr_name":${JSON.stringify(p.name)},"ocr_id":"${p.idNumber}","ocr_exp":${JSON.stringify(p.expiry)},"type":${p.idType ?? 1}}},"request_id":"req-${orderId}"}}`;
}

export function fakeFetch(
  orderId: string,
  p: Person,
  images: { front?: Buffer; back?: Buffer } = {},
): ClearanceFetch {
  const f: ClearanceFetch = {
    identity: {
      orderId,
      name: p.name,
      idNumber: p.idNumber,
      expiry: p.expiry,
      idType: p.idType === undefined ? 1 : p.idType,
      imageUrls: {
        front: images.front ? 'https://img.example/f.jpg' : null,
        back: images.back ? 'https://img.example/b.jpg' : null,
      },
    },
    images: {},
    warnings: [],
    requestId: `req-${orderId}`,
    raw: rawReply(orderId, p),
    attempts: 1,
  };
  if (images.front) f.images.front = { bytes: images.front, mime: 'image/jpeg' };
  if (images.back) f.images.back = { bytes: images.back, mime: 'image/jpeg' };
  return f;
}

const SURNAMES = [...'赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂'];

/** The i-th invented person: distinct ID numbers with correct check characters, varied names and expiries. */
export function person(i: number, today = '2025-06-15'): Person {
  const birth = `${1950 + (i % 50)}${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}`;
  const first17 = `110105${birth}${String(i % 1000).padStart(3, '0')}`;
  const name = `${SURNAMES[i % SURNAMES.length]}${GIVEN[Math.floor(i / SURNAMES.length) % GIVEN.length]}${GIVEN[Math.floor(i / 7) % GIVEN.length]}`;
  const t = Date.parse(`${today}T00:00:00Z`);
  const days = (i % 10) * 20 - 60; // from 60 days ago to 120 days ahead
  const expiry = new Date(t + days * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  return { name, idNumber: first17 + checkCharacter(first17), expiry };
}

/** Order ids of the demo gateway's generated people: `3` and 15+ digits. */
export const bulkOrderId = (i: number) => `3${String(i).padStart(15, '0')}`;
