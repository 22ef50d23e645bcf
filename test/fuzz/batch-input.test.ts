import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type InputResult, ordersFromText, readOrders } from '../../electron/core/batch';
import { readLines } from '../../electron/core/batch/input';
import { ERRORS } from '../../electron/core/errors';
import { params, timeout } from './runs';

/** A result is typed: ids that are ids, invalid entries with a line and a known reason, or a problem. */
function typed(r: InputResult) {
  if (!r.ok) {
    expect(r.error.error.kind).toBe('invalid-input');
    expect(Array.isArray(r.error.columns)).toBe(true);
    return;
  }
  for (const id of r.value.orderIds) expect(id).toMatch(/^[1-9]\d{0,19}$/);
  expect(new Set(r.value.orderIds).size).toBe(r.value.orderIds.length);
  for (const e of r.value.invalid) {
    expect(e.line).toBeGreaterThan(0);
    expect(e.reason in ERRORS).toBe(true);
    expect(typeof e.preview).toBe('string');
  }
}

async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let t: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, hang]);
  } finally {
    clearTimeout(t);
  }
}

async function* chunked(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const c of [...new Set(cuts.map((x) => x % (bytes.length + 1)))].sort((a, b) => a - b)) {
    yield bytes.subarray(at, c);
    at = c;
  }
  yield bytes.subarray(at);
}

const bytes = fc.uint8Array({ maxLength: 600 });
const line = fc.oneof(
  fc.stringMatching(/^[1-9]\d{0,18}$/),
  fc.constantFrom(
    '订单号',
    'Order ID: 3000000000000001',
    '李四 440524188001010014',
    '1.23457E+18',
    '',
    '"a,b"',
    '"x\ny"',
  ),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
const csvLike = fc
  .tuple(
    fc.array(fc.array(line, { minLength: 1, maxLength: 4 }), { maxLength: 30 }),
    fc.constantFrom(',', '\t', ';'),
    fc.constantFrom('\n', '\r\n', '\r'),
  )
  .map(([rows, d, nl]) => ['订单号,姓名', ...rows.map((r) => r.join(d))].join(nl));
const sheet = fc.array(
  fc.array(fc.oneof(line, fc.double(), fc.integer(), fc.constant(null)), { maxLength: 4 }),
  { maxLength: 15 },
);

async function xlsx(rows: unknown[][]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('s');
  for (const r of rows) ws.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

describe('batch import (fuzz)', () => {
  it(
    'random bytes as a text list, a CSV and an XLSX: typed results, no crash, no hang',
    async () => {
      await fc.assert(
        fc.asyncProperty(bytes, fc.constantFrom('l.txt', 'l.csv', 'l.xlsx', 'stdin'), async (b, name) => {
          typed(await within(5000, readOrders({ name, bytes: b })));
        }),
        params(),
      );
    },
    timeout(40),
  );

  it(
    'CSV-like text, in UTF-8 or UTF-16, whole or in any chunks: typed, and chunking changes nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          csvLike,
          fc.array(fc.nat(), { maxLength: 6 }),
          fc.constantFrom('utf8', 'utf16le', 'utf16le-bom'),
          async (t, cuts, enc) => {
            const b =
              enc === 'utf8'
                ? Buffer.from(t)
                : Buffer.concat([
                    Buffer.from(enc === 'utf16le-bom' ? [0xff, 0xfe] : []),
                    Buffer.from(t, 'utf16le'),
                  ]);
            const whole = await within(5000, readOrders({ name: 'l.csv', bytes: b }));
            typed(whole);
            const pieces = await within(5000, readOrders({ name: 'l.csv', chunks: chunked(b, cuts) }));
            expect(pieces).toEqual(whole);
            const asText = await within(5000, readOrders({ name: 'l.txt', chunks: chunked(b, cuts) }));
            typed(asText);
          },
        ),
        params(),
      );
    },
    timeout(40),
  );

  it(
    'a streamed text list gives what the same text gives in memory',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(line, { maxLength: 40 }),
          fc.constantFrom('\n', '\r\n', '\r'),
          fc.array(fc.nat(), { maxLength: 8 }),
          async (lines, nl, cuts) => {
            const t = lines.join(nl);
            const streamed = await readOrders({ name: 'l.txt', chunks: chunked(Buffer.from(t), cuts) });
            expect(streamed.ok && streamed.value).toEqual(ordersFromText(t));
          },
        ),
        params(),
      );
    },
    timeout(40),
  );

  it(
    'readLines: lines and their numbers do not depend on where the chunks were cut',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ maxLength: 200 }),
          fc.array(fc.nat(), { maxLength: 10 }),
          async (t, cuts) => {
            const b = Buffer.from(t);
            const got: unknown[] = [];
            for await (const l of readLines(chunked(b, cuts), 64)) got.push(l);
            const expected = t
              .split(/\r\n|\r|\n/)
              .map((text, i) =>
                Buffer.byteLength(text) > 64 ? { line: i + 1, tooLong: true } : { line: i + 1, text },
              );
            if (t === '' || /(\r\n|\r|\n)$/.test(t)) expected.pop();
            expect(got).toEqual(expected);
          },
        ),
        params(),
      );
    },
    timeout(),
  );

  it(
    'random workbooks, and workbooks with bytes changed: typed results',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          sheet,
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 5 }),
          async (rows, edits) => {
            const b = await xlsx(rows);
            typed(await within(10_000, readOrders({ name: 'l.xlsx', bytes: b })));
            const broken = Buffer.from(b);
            for (const [at, v] of edits) broken[at % broken.length] = v;
            typed(await within(10_000, readOrders({ name: 'l.xlsx', bytes: broken })));
          },
        ),
        params(0.3),
      );
    },
    timeout(200),
  );
});
