import { type ClearanceError, clearanceError, fail, ok, type Result } from '../errors';
import { isOrderIdText, type OrderId } from '../rules';

/** Labels people paste along with the number, from order lists in Chinese and English back offices. */
const LABEL = /^(?:订单号|订单编号|订单|子订单号|主订单号|order\s*(?:id|no\.?|number)?|tid)\s*[:：#＃]?\s*/i;

/**
 * Full-width forms (U+FF01–FF5E) and the ideographic space to ASCII, and nothing else. NFKC would
 * also turn circled, superscript and mathematical digits (①, ², 𝟏) into digits: those are never
 * what a scanner or an input method types for an order id, so they must stay and be refused.
 */
export function foldFullWidth(s: string): string {
  return s.replace(/[\uff01-\uff5e\u3000]/g, (ch) =>
    ch === '\u3000' ? ' ' : String.fromCharCode(ch.charCodeAt(0) - 0xfee0),
  );
}

/**
 * Normalise what a clerk typed, pasted or scanned into a decimal order id string, or refuse it.
 * Accepts surrounding white space (scanners add CR/LF/tab), full-width digits from Chinese input
 * methods, and a pasted `订单号:` label. Never converts to Number: ids exceed 2^53.
 */
export function normalizeOrderId(input: string): Result<OrderId, ClearanceError> {
  let s = foldFullWidth(input); // full-width digits and colon become ASCII
  s = s.replace(/[\s\u200b\ufeff]+/g, ' ').trim();
  s = s.replace(LABEL, '');
  s = s.replace(/^[(（[【]|[)）\]】]$/g, '').trim();
  if (!isOrderIdText(s)) return fail(clearanceError('order-id-invalid'));
  s = s.replace(/^0+(?=\d)/, '');
  if (s === '0') return fail(clearanceError('order-id-invalid'));
  return ok(s as OrderId);
}

/** Split a pasted list (any separators: new lines, commas, tabs, spaces, Chinese punctuation). */
export function splitOrderIdList(text: string): string[] {
  return foldFullWidth(text)
    .split(/[\s,;，；、|]+/)
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}
