/**
 * The demo gateway's people. All invented; the ID numbers are made up to show each validation
 * case (their check digits are computed, except where a bad one is the point). Listed in the README.
 */

import { shanghaiDate } from '../gateway/timestamp';
import { checkCharacter } from '../idcard';

export interface SampleOrder {
  orderId: string;
  name: string;
  idNumber: string;
  /** Fixed text, or a function of today's Shanghai date for the "expiring soon" case. */
  expiry: string | ((today: string) => string);
  type: number;
  images: boolean;
  note: { zh: string; en: string };
}

const addDays = (ymd: string, days: number) =>
  new Date(Date.parse(`${ymd}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export const SAMPLE_ORDERS: SampleOrder[] = [
  {
    orderId: '1460536261312998',
    name: '张三',
    idNumber: '412921198810201123',
    expiry: '20240101',
    type: 1,
    images: true,
    note: {
      zh: '接口文档中的示例：校验位错误，且已过期',
      en: 'The API documentation sample: bad check digit, expired',
    },
  },
  {
    orderId: '3728150192837465928',
    name: '王芳',
    idNumber: '11010519491231002X',
    expiry: '20340101',
    type: 1,
    images: true,
    note: { zh: '19 位订单号（超过 2^53），证件有效', en: '19-digit order id (above 2^53), valid ID' },
  },
  {
    orderId: '2000000000000001',
    name: '陈伟',
    idNumber: '440304198506123017',
    expiry: '2023.06.30',
    type: 1,
    images: true,
    note: { zh: '证件已过期', en: 'Expired ID card' },
  },
  {
    orderId: '2000000000000002',
    name: '刘洋',
    idNumber: '310115199003074528',
    expiry: '长期',
    type: 1,
    images: true,
    note: { zh: '长期有效', en: 'Long-term validity' },
  },
  {
    orderId: '2000000000000003',
    name: '林静',
    idNumber: '350203197809152810',
    expiry: (today) => addDays(today, 10),
    type: 1,
    images: true,
    note: { zh: '10 天后过期（即将过期）', en: 'Expires in 10 days (expiring soon)' },
  },
  {
    orderId: '2000000000000004',
    name: '黄志明',
    idNumber: '810000199408230021',
    expiry: '2030-05-15',
    type: 1,
    images: true,
    note: { zh: '港澳台居民居住证号码', en: 'HK/Macau/Taiwan residence permit number' },
  },
  {
    orderId: '2000000000000005',
    name: '赵敏',
    idNumber: '510107199211206414',
    expiry: '20320808',
    type: 1,
    images: false,
    note: { zh: '没有证件照片', en: 'No ID images' },
  },
  {
    orderId: '2000000000000006',
    name: '约翰·史密斯',
    idNumber: '911012198501010053',
    expiry: '20331231',
    type: 2,
    images: true,
    note: {
      zh: '外国人永久居留身份证，证件类型 2',
      en: 'Foreign permanent residence card, credential type 2',
    },
  },
  {
    orderId: '2000000000000007',
    name: '王𪚥',
    idNumber: '330106198702223118',
    expiry: '20350301',
    type: 1,
    images: true,
    note: { zh: '姓名含生僻字', en: 'A rare character in the name' },
  },
];

/**
 * Orders that make the demo gateway fail in one particular way, so that every error card can be
 * seen without breaking anything. Unknown order ids get the platform's business failure.
 */
export const SCENARIO_ORDERS = {
  '9000000000000007': 'throttled-long',
  '9000000000000015': 'isp-unavailable',
  '9000000000000011': 'permission',
  '9000000000000027': 'session-invalid',
  '9000000000000041': 'invalid-argument',
  '9000000000000200': 'html',
  '9000000000000206': 'truncated',
  '9000000000000104': 'reset',
} as const;
export type Scenario = (typeof SCENARIO_ORDERS)[keyof typeof SCENARIO_ORDERS];

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗'];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '秀英',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀兰',
  '霞',
];
const REGIONS = ['110105', '310115', '440304', '330106', '320102', '510107', '420106', '370202'];

/**
 * Orders beginning with 3 and 16–19 digits long are "generated": a deterministic invented person
 * per id, valid in every respect. Batch tests and benchmarks use thousands of them.
 */
export function generatedOrder(orderId: string, today = shanghaiDate(new Date())): SampleOrder | undefined {
  if (!/^3\d{15,18}$/.test(orderId) || orderId === '3728150192837465928') return undefined;
  let h = 2166136261;
  for (const c of orderId) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const pick = <T>(list: readonly T[], salt: number) => list[(h >>> salt) % list.length] as T;
  const year = 1950 + (h % 50);
  const month = String(1 + ((h >>> 3) % 12)).padStart(2, '0');
  const day = String(1 + ((h >>> 7) % 28)).padStart(2, '0');
  const seq = String((h >>> 11) % 1000).padStart(3, '0');
  const first17 = `${pick(REGIONS, 5)}${year}${month}${day}${seq}`;
  return {
    orderId,
    name: pick(SURNAMES, 2) + pick(GIVEN, 9),
    idNumber: first17 + checkCharacter(first17),
    expiry: `${Number(today.slice(0, 4)) + 1 + (h % 15)}${month}${day}`,
    type: 1,
    images: true,
    note: { zh: '生成的演示订单', en: 'Generated demo order' },
  };
}

export function findSample(orderId: string, today?: string): SampleOrder | undefined {
  return SAMPLE_ORDERS.find((o) => o.orderId === orderId) ?? generatedOrder(orderId, today);
}

export function expiryOf(order: SampleOrder, today: string): string {
  return typeof order.expiry === 'function' ? order.expiry(today) : order.expiry;
}
