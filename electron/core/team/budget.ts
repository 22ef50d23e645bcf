/**
 * One call budget per App Key for the whole team: a token bucket row in PostgreSQL, taken in one
 * short statement (the UPDATE locks the row; the server's clock refills it). Capacity is one
 * call, so grants are spaced at least 1/rate apart across all desks; the rate is the cap less a
 * margin for arrival jitter, as the single-desk gate does. While the server cannot be reached the
 * desk falls back to its share: the cap divided by the desks seen in the last day.
 */
import type { Client } from 'pg';
import type { BatchGate } from '../batch/gate';
import { RateGate } from '../batch/gate';
import { sleep } from '../gateway/client';

export interface TeamBudgetOptions {
  appKey: string;
  /** The profile's calls per second: the cap for every desk together. */
  qps: number;
  /** A connection of its own (calls are taken while the sync uses another). */
  connect: () => Promise<Client>;
  /** Desks seen in the last day (at least 1), for the offline share. */
  desks: () => number;
  slack?: number;
  /** After a failure, how long the fallback runs before the server is tried again. */
  retryMs?: number;
}

const TAKE = `
WITH cur AS (
  SELECT app_key,
         LEAST(1.0, tokens + EXTRACT(EPOCH FROM clock_timestamp() - updated_at)::float8 * $2::float8) AS t
  FROM clearance.budget WHERE app_key = $1 FOR UPDATE
)
UPDATE clearance.budget b
SET tokens = CASE WHEN cur.t >= 1 THEN cur.t - 1 ELSE cur.t END, updated_at = clock_timestamp()
FROM cur WHERE b.app_key = cur.app_key
RETURNING cur.t AS t`;

export class TeamBudgetGate implements BatchGate {
  private client: Client | undefined;
  private fallback: RateGate | undefined;
  private offlineUntil = 0;
  private slack: number;
  private tail: Promise<void> = Promise.resolve();
  /** Calls granted by the server and by the fallback (status and tests). */
  readonly taken = { server: 0, fallback: 0 };

  constructor(private readonly o: TeamBudgetOptions) {
    this.slack = o.slack ?? 0.1;
  }

  private get rate() {
    return this.o.qps / (1 + this.slack);
  }

  widen(): void {
    this.slack = Math.min(0.5, this.slack + 0.1);
    this.fallback?.widen();
  }

  private async serverClient(): Promise<Client | undefined> {
    if (this.client) return this.client;
    if (Date.now() < this.offlineUntil) return undefined;
    try {
      const c = await this.o.connect();
      await c.query(
        `INSERT INTO clearance.budget (app_key, tokens) VALUES ($1, 1) ON CONFLICT (app_key) DO NOTHING`,
        [this.o.appKey],
      );
      this.client = c;
      return c;
    } catch {
      this.offline();
      return undefined;
    }
  }

  private offline() {
    this.offlineUntil = Date.now() + (this.o.retryMs ?? 5000);
    const c = this.client;
    this.client = undefined;
    void c?.end().catch(() => {});
  }

  private share(): RateGate {
    const qps = this.o.qps / Math.max(1, this.o.desks());
    this.fallback ??= new RateGate({ qps, slack: this.slack });
    return this.fallback;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    // One caller at a time per desk: the others wait behind it instead of polling the server.
    const turn = this.tail.then(() => this.take(signal));
    this.tail = turn.catch(() => {});
    return turn;
  }

  private async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const c = await this.serverClient();
      if (!c) {
        await this.share().acquire(signal);
        this.taken.fallback++;
        return;
      }
      let t: number;
      try {
        const r = await c.query(TAKE, [this.o.appKey, this.rate]);
        t = Number(r.rows[0]?.t ?? 0);
      } catch {
        this.offline();
        continue;
      }
      if (t >= 1) {
        this.taken.server++;
        return;
      }
      await sleep(Math.max(1, Math.ceil(((1 - t) / this.rate) * 1000)), signal);
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => {});
  }
}
