/**
 * The order sheet and the checks before declaring: import (the host's file dialog, or a dropped
 * file's bytes), the waiting list and its recheck (a batch job, also on a timer while the app is
 * open), and the findings.
 */
import { readFileSync } from 'node:fs';
import type { FindingCode } from '../../contract';
import { checkAll, limitsFrom, orderContext } from '../../core/checks';
import { clearanceError, ERRORS } from '../../core/errors';
import { fsError } from '../../core/fsutil';
import { badRowText, readSheet } from '../../core/orders/sheet';
import { OrderStore } from '../../core/orders/store';
import type { Finding } from '../../core/orders/types';
import { CHECK_LIMITS, FINDING_CODES } from '../../core/rules';
import type { Handlers } from '../ipc';
import type { BackendContext } from './context';
import { guard, refuse } from './reply';
import { findingView } from './views';

type OrdersHandlers = Pick<Handlers, 'orders.import' | 'orders.waiting' | 'orders.recheck' | 'checks.list'>;

/** Sheets are lists of orders: anything larger is the wrong file. */
const MAX_SHEET_BYTES = 50 * 1024 * 1024;
const TICK_MS = 60_000;

export interface OrdersDeps {
  startOrders(orderIds: string[], source: string): Promise<string>;
  busy(): boolean;
  /** How often the timer looks whether a recheck is due (tests make it short); default a minute. */
  tickMs?: number;
}

export function ordersHandlers(
  ctx: BackendContext,
  deps: OrdersDeps,
): OrdersHandlers & { stopTimer(): void; recheckDue(): Promise<string | null> } {
  const both = (f: (lang: 'zh-CN' | 'en-US') => string) => ({ 'zh-CN': f('zh-CN'), 'en-US': f('en-US') });
  let lastRecheck = ctx.clock().getTime();

  async function recheck(): Promise<{ jobId: string | null; orders: number }> {
    const vault = await ctx.openVault();
    const ids = new OrderStore(vault).waiting().map((w) => w.orderId);
    lastRecheck = ctx.clock().getTime();
    if (ids.length === 0) return { jobId: null, orders: 0 };
    return { jobId: await deps.startOrders(ids, 'waiting'), orders: ids.length };
  }

  /**
   * The timer's work: only with the vault already open (never a keychain prompt by itself), only
   * when no other job runs (one job at a time stays within the account's rate limit), and the
   * interval counts anew while a job runs, so rechecks never follow other work back to back.
   */
  async function recheckDue(): Promise<string | null> {
    const set = ctx.settings.preferences().waitingRecheckMinutes;
    const vault = ctx.openedVault();
    if (!set || !vault) return null;
    if (deps.busy()) {
      lastRecheck = ctx.clock().getTime();
      return null;
    }
    // A settings file edited by hand may say less than the shortest interval the app offers.
    const minutes = Math.max(set, CHECK_LIMITS.waitingRecheckMinutes.shortest);
    if (ctx.clock().getTime() - lastRecheck < minutes * 60_000) return null;
    if (!ctx.activeProfileName()) return null;
    return (await recheck()).jobId;
  }
  const timer = setInterval(() => {
    recheckDue().catch(() => {
      // A failed start (keychain locked, no account) is tried again at the next tick.
    });
  }, deps.tickMs ?? TICK_MS);
  timer.unref?.();

  return {
    stopTimer: () => clearInterval(timer),
    recheckDue,
    'orders.import': ({ map, dropped }) =>
      guard(async () => {
        let fileName: string;
        let bytes: Buffer;
        if (dropped) {
          fileName = dropped.name.split(/[\\/]/).pop() ?? dropped.name;
          bytes = Buffer.from(dropped.base64, 'base64');
        } else {
          const path = await ctx.host.chooseImportFile();
          if (!path) return { cancelledByUser: true as const };
          fileName = path.split(/[\\/]/).pop() ?? path;
          try {
            bytes = readFileSync(path);
          } catch (err) {
            return refuse(fsError(err));
          }
        }
        if (bytes.length > MAX_SHEET_BYTES)
          return refuse(clearanceError('usage', { detail: `${fileName}: over 50 MB` }));
        const got = await readSheet({ name: fileName, bytes }, map ?? []);
        if (!got.ok) {
          if (got.badRows.length)
            return {
              kind: 'bad-rows' as const,
              fileName,
              rows: got.badRows.slice(0, 1000).map((b) => ({
                row: b.row,
                field: b.field,
                text: both((lang) => badRowText(b, lang)),
              })),
            };
          if (got.error.columns.length)
            return {
              kind: 'choose-column' as const,
              fileName,
              message: got.error.error.message,
              columns: got.error.columns,
            };
          return refuse(got.error.error);
        }
        const store = new OrderStore(await ctx.openVault());
        const counts = store.import(got.value.rows, {
          source: fileName,
          profile: ctx.activeProfileName(),
          channel: 'app',
        });
        return {
          kind: 'imported' as const,
          fileName,
          ...counts,
          repeated: got.value.repeated,
          ignored: got.value.ignored,
          withoutIdentity: store.withoutIdentity(),
        };
      }),
    'orders.waiting': () =>
      guard(async () => {
        const store = new OrderStore(await ctx.openVault());
        return {
          items: store.waiting().map((w) => ({
            orderId: w.orderId,
            since: w.since,
            checkedAt: w.checkedAt,
            checks: w.checks,
            onSheet: store.get(w.orderId) !== undefined,
            message: clearanceError(
              w.reason in ERRORS ? (w.reason as keyof typeof ERRORS) : 'business',
              w.code ? { code: w.code } : {},
            ).message,
          })),
        };
      }),
    'orders.recheck': () => guard(recheck),
    'checks.list': ({ scope, orderIds }) =>
      guard(async () => {
        const vault = await ctx.openVault();
        const opts = { declarationDate: ctx.today(), limits: limitsFrom(ctx.settings.preferences()) };
        const found: Map<string, Finding[]> =
          scope === 'orders'
            ? new Map([...orderContext(vault, orderIds ?? [], opts)].map(([id, c]) => [id, c.findings]))
            : checkAll(vault, { ...opts, sheetOnly: scope === 'sheet' });
        const findings = [...found.values()].flat();
        const counts = Object.fromEntries(FINDING_CODES.map((c) => [c, 0])) as Record<FindingCode, number>;
        for (const f of findings) counts[f.code]++;
        return {
          declarationDate: opts.declarationDate,
          orders: found.size,
          counts,
          // The list is for reading; the counts are whole.
          findings: findings.slice(0, 10_000).map(findingView),
        };
      }),
  };
}
