import type { BatchProgress, PreparedOrders } from '../../../../electron/contract';

export type Prepared = PreparedOrders & { fileName?: string };

/** A job in one of these states can still change without being resumed. */
export const LIVE: BatchProgress['state'][] = ['running', 'paused'];

export type JobAction = 'pause' | 'resume' | 'cancel' | 'retry-failed';
