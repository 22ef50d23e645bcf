// Search at 100,000 records: every criterion returns exactly the records it should (checked
// against the same people computed in JS), and its query is answered from an index rather than
// by reading the whole table. Speed itself is measured by bench/vault.ts, not asserted here.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExpiry } from '../../electron/core/idcard';
import type { RecordQuery, Vault } from '../../electron/core/vault/types';
import { openVault, recordOrder, recordWhere } from '../../electron/core/vault/vault';
import { bulkOrderId, fakeFetch, fakeJpeg, person } from '../support/vault-fetch';

const N = 100_000;
const TODAY = '2025-06-15';
const START = Date.parse('2025-05-01T00:00:00Z');
const STEP = 30_000; // one fetch every 30 s: 100,000 of them span about 35 days
let dir: string;
let vault: Vault;
let tick = 0;
const people = Array.from({ length: N }, (_, i) => person(i, TODAY));
const fetchedAt = (i: number) => new Date(START + i * STEP).toISOString();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cd-vault-scale-'));
  vault = openVault({
    path: join(dir, 'vault.db'),
    key: randomBytes(32).toString('hex'),
    clock: () => new Date(START + tick * STEP),
  });
  const db = vault.extend('test', []);
  const img = fakeJpeg('s');
  for (let i = 0; i < N; ) {
    const end = Math.min(N, i + 2000);
    db.transaction(() => {
      for (; i < end; i++, tick = i) {
        vault.saveFetch(
          fakeFetch(bulkOrderId(i), people[i]!, i % 5 === 0 ? { front: img } : {}),
          i % 3 ? 'shop-a' : 'shop-b',
          {
            audit: false,
          },
        );
      }
    })();
  }
  tick = Math.round((Date.parse(`${TODAY}T04:00:00Z`) - START) / STEP); // "now" is noon in Shanghai on TODAY
}, 600_000);
afterAll(() => {
  vault?.close();
  rmSync(dir, { recursive: true, force: true });
});

const all = (q: RecordQuery) => vault.search({ ...q, limit: 10_000 });
const ids = (q: RecordQuery) =>
  all(q)
    .rows.map((r) => r.orderId)
    .sort();
const expected = (pred: (i: number) => boolean) =>
  people
    .map((_, i) => i)
    .filter(pred)
    .map(bulkOrderId)
    .sort();
const expiryDate = (i: number) => (parseExpiry(people[i]!.expiry) as { date: string }).date;

/** The plan of the page query: a bare `SCAN records` means reading every row. */
function plan(q: RecordQuery): string[] {
  const { sql, params } = recordWhere(q, TODAY, 30);
  const db = vault.extend('test', []);
  return (
    db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM records ${sql} ${recordOrder(q)} LIMIT 50`).all(params) as {
      detail: string;
    }[]
  ).map((r) => r.detail);
}

describe(`search at ${N.toLocaleString('en')} records`, () => {
  it('holds them all', () => {
    expect(vault.search({ limit: 1 }).total).toBe(N);
  });

  it('by order id prefix', () => {
    const prefix = bulkOrderId(12_345).slice(0, -1); // 10 orders: …12340 to …12349
    expect(ids({ text: prefix })).toEqual(
      expected((i) => bulkOrderId(i).startsWith(prefix) || people[i]!.idNumber.endsWith(prefix)),
    );
    expect(ids({ text: prefix })).toHaveLength(10);
    expect(ids({ text: bulkOrderId(99_999) })).toEqual([bulkOrderId(99_999)]);
    expect(plan({ text: prefix }).join('|')).toMatch(/USING INDEX sqlite_autoindex_records_1/);
  });

  it('by name substring and by full name', () => {
    const full = people[4321]!.name;
    expect(ids({ text: full })).toEqual(expected((i) => people[i]!.name.includes(full)));
    const part = full.slice(1);
    const hits = all({ text: part });
    expect(hits.total).toBe(expected((i) => people[i]!.name.includes(part)).length);
    expect(hits.rows.every((r) => r.name.includes(part))).toBe(true);
  });

  it('by a substring of every length, through the name index, exactly as a full scan finds it', () => {
    const name = Array.from(people[777]!.name);
    const long = people.find((p) => Array.from(p.name).length >= 4)?.name;
    const queries = [
      name[0]!,
      name.slice(-1)[0]!,
      name.slice(0, 2).join(''),
      name.slice(-2).join(''),
      name.join(''),
    ];
    if (long) queries.push(long, Array.from(long).slice(1).join(''));
    for (const q of queries) {
      const want = expected((i) => people[i]!.name.includes(q));
      expect(want.length, q).toBeGreaterThan(0);
      expect(ids({ text: q }), q).toEqual(want);
      expect(all({ text: q }).total, q).toBe(want.length);
      // The first page in each sort order, whichever plan the number of matches picks (fetch
      // times rise with the order ids here, so both orders agree).
      for (const sort of ['fetchedAt', 'orderId'] as const) {
        const page = vault.search({ text: q, sort, order: 'asc', limit: 5 }).rows.map((r) => r.orderId);
        expect(page, `${q} ${sort}`).toEqual(want.slice(0, 5));
      }
      expect(plan({ text: q }).join('|'), q).toMatch(/name_grams/);
      expect(plan({ text: q }).join('|'), q).not.toMatch(/SCAN name_grams/);
    }
    expect(ids({ text: '不存在的名字' })).toEqual([]);
  });

  it('by the last digits of the ID number', () => {
    const tail = people[777]!.idNumber.slice(-5);
    expect(ids({ text: tail })).toEqual(
      expected(
        (i) =>
          people[i]!.idNumber.endsWith(tail) ||
          bulkOrderId(i).startsWith(tail) ||
          bulkOrderId(i).endsWith(tail),
      ),
    );
    expect(ids({ text: tail }).length).toBeGreaterThan(0);
    expect(plan({ text: tail }).join('|')).toMatch(/records_id_rev/);
  });

  it('by fetch date range (Shanghai days)', () => {
    const from = Date.parse('2025-05-10T00:00:00+08:00');
    const to = Date.parse('2025-05-12T00:00:00+08:00'); // 10 and 11 May, whole days
    const q = { fetchedFrom: '2025-05-10', fetchedTo: '2025-05-11' };
    expect(all(q).total).toBe(
      expected((i) => Date.parse(fetchedAt(i)) >= from && Date.parse(fetchedAt(i)) < to).length,
    );
    expect(all(q).total).toBe((2 * 86_400_000) / STEP);
    expect(plan(q).join('|')).toMatch(/records_fetched/);
  });

  it('by each flag, against today', () => {
    const soon = new Date(Date.parse(`${TODAY}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);
    expect(all({ flags: ['expired'] }).total).toBe(expected((i) => expiryDate(i) < TODAY).length);
    expect(all({ flags: ['expiring'] }).total).toBe(
      expected((i) => expiryDate(i) >= TODAY && expiryDate(i) <= soon).length,
    );
    expect(all({ flags: ['no-images'] }).total).toBe(expected((i) => i % 5 !== 0).length);
    expect(all({ flags: ['invalid'] }).total).toBe(0);
    for (const f of ['expired', 'expiring', 'no-images', 'invalid'] as const) {
      expect(plan({ flags: [f] }).some((line) => line === 'SCAN records')).toBe(false);
    }
    const page = vault.search({ flags: ['expiring'], limit: 50 });
    expect(page.rows.every((r) => r.validation.flags.expiring)).toBe(true);
  });

  it('by profile, combined with other criteria, paged and sorted', () => {
    const q: RecordQuery = {
      profile: 'shop-b',
      flags: ['no-images'],
      fetchedFrom: '2025-05-20',
      fetchedTo: '2025-05-20',
    };
    const dayStart = Date.parse('2025-05-20T00:00:00+08:00');
    const want = expected(
      (i) =>
        i % 3 === 0 &&
        i % 5 !== 0 &&
        Date.parse(fetchedAt(i)) >= dayStart &&
        Date.parse(fetchedAt(i)) < dayStart + 86_400_000,
    );
    expect(ids(q)).toEqual(want);
    const p1 = vault.search({ ...q, sort: 'orderId', order: 'asc', limit: 100, offset: 0 });
    const p2 = vault.search({ ...q, sort: 'orderId', order: 'asc', limit: 100, offset: 100 });
    expect([...p1.rows, ...p2.rows].map((r) => r.orderId)).toEqual(want.slice(0, 200));
    const deep = vault.search({ sort: 'orderId', order: 'asc', offset: 50_000, limit: 3 });
    expect(deep.rows.map((r) => r.orderId)).toEqual([
      bulkOrderId(50_000),
      bulkOrderId(50_001),
      bulkOrderId(50_002),
    ]);
  });
});
