import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeOrderId, splitOrderIdList } from '../../electron/core/gateway/order-id';
import { params, quick, timeout } from './runs';

/** Any code points, lone surrogates included: what a paste or a broken decoder can produce. */
const anyText = fc.string({ unit: 'binary', maxLength: 60 });
const FULL_WIDTH = '０１２３４５６７８９';
const OTHER_DIGITS = ['①', '④', '⑥', '⓪', '𝟏', '𝟒', '²', '³', '¹', '٣', '۴', '४', '൧', '⑴', '⒈', 'Ⅻ', '㊀'];

const idDigits = fc.stringMatching(/^[1-9]\d{0,18}$/);
const decorated = fc
  .tuple(
    idDigits,
    fc.constantFrom('', '订单号:', '订单号：', 'Order ID: ', '订单编号 ', 'tid#'),
    fc.constantFrom('', ' ', '\t', '\r\n', '\u3000', '\ufeff'),
    fc.constantFrom('', '0', '000'),
    fc.boolean(),
  )
  .map(([digits, label, space, zeros, wide]) => {
    const shown = wide ? [...(zeros + digits)].map((d) => FULL_WIDTH[Number(d)]).join('') : zeros + digits;
    return { digits, input: `${space}${label}${shown}${space}` };
  });

describe('order-id normalisation (property)', () => {
  it(
    'any input: never throws, and an accepted id is 1–20 ASCII digits without a leading zero',
    () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), anyText, fc.stringMatching(/^[\d\s０-９:：]{0,30}$/)), (s) => {
          const r = quick(500, () => normalizeOrderId(s));
          if (r.ok) expect(r.value).toMatch(/^[1-9]\d{0,19}$/);
          else expect(r.error).toMatchObject({ kind: 'invalid-input', reason: 'order-id-invalid' });
        }),
        params(),
      );
    },
    timeout(),
  );

  it(
    'ids with labels, white space, leading zeros and full-width digits come back as their digits; normalising is idempotent',
    () => {
      fc.assert(
        fc.property(decorated, ({ digits, input }) => {
          const r = normalizeOrderId(input);
          expect(r.ok && r.value).toBe(digits);
          if (r.ok) expect(normalizeOrderId(r.value)).toEqual(r);
        }),
        params(),
      );
    },
    timeout(),
  );

  it(
    'a digit that is neither ASCII nor full-width anywhere in the id means refusal',
    () => {
      fc.assert(
        fc.property(idDigits, fc.nat(), fc.constantFrom(...OTHER_DIGITS), (digits, at, odd) => {
          const i = at % (digits.length + 1);
          const r = normalizeOrderId(digits.slice(0, i) + odd + digits.slice(i));
          expect(r.ok).toBe(false);
        }),
        params(),
      );
    },
    timeout(),
  );

  it(
    'splitting a list never throws and gives tokens without separators; joined ids split back',
    () => {
      fc.assert(
        fc.property(anyText, (s) => {
          for (const t of quick(500, () => splitOrderIdList(s))) {
            expect(t.length).toBeGreaterThan(0);
            expect(t).not.toMatch(/[\s,;，；、|]/);
          }
        }),
        params(),
      );
      fc.assert(
        fc.property(
          fc.array(idDigits, { maxLength: 20 }),
          fc.constantFrom(',', '，', '\n', '、', ' | ', '；'),
          (ids, sep) => {
            expect(splitOrderIdList(ids.join(sep))).toEqual(ids);
          },
        ),
        params(),
      );
    },
    timeout(),
  );
});
