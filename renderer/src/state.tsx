/** App-wide state the views share: status, navigation, notices, dialogs, and the card's shortcut actions. */
import { createContext, type RefObject, useContext } from 'react';
import type { AppStatus } from '../../electron/contract';
import type { ClearanceError } from './api';
import type { RecentScan } from './problems';

export type View = 'lookup' | 'records' | 'batch' | 'settings';
export const VIEWS: View[] = ['lookup', 'records', 'batch', 'settings'];

export interface Notice {
  id: number;
  tone: 'info' | 'success' | 'error';
  text: string;
}

export interface ConfirmRequest {
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean;
  cancelLabel?: string;
}

/** What the card offers to the global shortcuts (Ctrl+R, Ctrl+Shift+R, Ctrl+E, Ctrl+P, Ctrl+Shift+N/C). */
export interface CardActions {
  refresh(): void;
  reveal(): void;
  exportPdf(): void;
  print(): void;
  copyName(): void;
  copyIdNumber(): void;
}

export interface AppCtx {
  status: AppStatus;
  setStatus(s: AppStatus): void;
  online: boolean;
  view: View;
  go(view: View): void;
  notify(tone: Notice['tone'], text: string): void;
  notifyError(error: ClearanceError): void;
  confirm(req: ConfirmRequest): Promise<boolean>;
  /** `batchJob`: the orders are a batch's; its failed orders go into the manifest with their reason. */
  openExport(orderIds: string[] | 'all', opts?: { batchJob?: string }): void;
  lookupInput: RefObject<HTMLInputElement | null>;
  focusLookup(): void;
  /** Set by the card that is showing; read by the global shortcuts. */
  cardActions: RefObject<CardActions | null>;
  /** Ask the lookup view to show an order (from the records list). */
  openOrder(orderId: string): void;
  pendingOrder: RefObject<string | null>;
  /** Settings should open its "add account" form. */
  requestAddProfile(): void;
  addProfileRequested: number;
  /** This session's lookups (kept while the user moves between views). */
  recentScans: RefObject<RecentScan[]>;
}

export const AppContext = createContext<AppCtx | null>(null);

export function useApp(): AppCtx {
  const ctx = useContext(AppContext);
  if (!ctx) throw new Error('useApp outside AppContext');
  return ctx;
}
