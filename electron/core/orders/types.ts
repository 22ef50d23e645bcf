/**
 * The day's order sheet as the app keeps it, and the findings the pre-declaration checks make.
 * These shapes are where the order sheet, the check engine and the export meet.
 */
import type { FindingCode } from '../rules';

export type { FindingCode };

/** One order's facts from the warehouse's order sheet (ERP export). Personal data: kept in the vault. */
export interface OrderFacts {
  orderId: string;
  waybill?: string;
  /** The consignee's name as the sheet has it (compared with the ID's name). */
  consignee?: string;
  phone?: string;
  /** Amount paid, in fen (integer: ¥5,000.01 is 500001), CNY. */
  amountFen?: number;
  paymentNo?: string;
  /** When the order was placed or paid: `YYYY-MM-DD HH:mm:ss`, Beijing time. */
  orderTime?: string;
}

/** What a check found on one order. Never carries an ID number in full. */
export interface Finding {
  orderId: string;
  code: FindingCode;
  message: { zh: string; en: string };
}
