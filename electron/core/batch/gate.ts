import type { CallGate } from '../gateway/client';
import { sleep } from '../gateway/client';

export interface RateGateOptions {
  /** Calls per second allowed. */
  qps: number;
  /**
   * The margin the gate starts with (and narrows back to): the window counted is this much longer
   * than a second. The gateway counts calls when they arrive, and arrival times wobble (network
   * jitter, a busy machine) by tens of milliseconds; the default 5 % absorbs 50 ms, so the gate
   * starts tight (95 % of the cap) and relies on widen() when the wobble is larger.
   */
  slack?: number;
  /** After this long without a throttle the margin narrows one step again (default 30 s). */
  quietMs?: number;
  /** The closest two calls may follow each other, as a fraction of 1/qps (catching up after a stall). */
  minSpacing?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** How far one throttle widens the margin, how far a quiet period narrows it, and the widest it gets. */
const WIDEN_STEP = 0.05;
const NARROW_STEP = 0.01;
const MAX_SLACK = 0.5;

/**
 * What the batch engine spaces its calls with: this desk's RateGate, or in team mode a budget
 * shared by every desk (core/team/budget.ts). `widen` is told of a throttling reply.
 */
export interface BatchGate extends CallGate {
  widen(): void;
  close?(): Promise<void>;
}

/**
 * The calls-per-second cap. Callers pass one at a time, in arrival order, and a call passes only
 * when fewer than `qps` calls passed in the last `1 s × (1 + slack)`, and at least 0.8 of an
 * interval after the previous one. Times are taken when a call actually passes, so a stalled event
 * loop (a slow disk write) can delay calls but never push the count in any window over the cap;
 * what a stall cost is caught up at up to 1.25 times the rate, and a long pause (a ban, a paused job)
 * never becomes a burst of more than that. The margin adapts: it widens on a throttle and narrows
 * back, a step per quiet period, to where it started.
 */
export class RateGate implements BatchGate {
  windowMs: number;
  spacingMs: number;
  slack: number;
  private readonly baseSlack: number;
  private readonly quietMs: number;
  private readonly qps: number;
  private readonly minSpacing: number;
  private widenedAt = Number.NEGATIVE_INFINITY;
  /** When the margin last changed or was last confirmed too narrow. */
  private adjustedAt: number;
  private readonly limit: number;
  /** Pass times of the last `limit` calls, oldest first. */
  private readonly passes: number[] = [];
  private tail: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(opts: RateGateOptions) {
    if (!(opts.qps > 0)) throw new RangeError('qps must be positive');
    this.qps = opts.qps;
    this.baseSlack = opts.slack ?? 0.05;
    this.slack = this.baseSlack;
    this.quietMs = opts.quietMs ?? 30_000;
    this.minSpacing = opts.minSpacing ?? 0.8;
    // A fractional rate (0.5/s) is one call per window stretched to match.
    this.limit = Math.max(1, Math.floor(opts.qps));
    this.windowMs = 0;
    this.spacingMs = 0;
    this.setSlack(this.slack);
    this.now = opts.now ?? (() => performance.now());
    this.sleep = opts.sleep ?? sleep;
    this.adjustedAt = this.now();
  }

  private setSlack(slack: number) {
    this.slack = slack;
    this.windowMs = ((1000 * this.limit) / this.qps) * (1 + slack);
    this.spacingMs = (this.windowMs / this.limit) * this.minSpacing;
  }

  /**
   * The gateway throttled us anyway: arrivals wobble more than the margin allows, so widen it.
   * Replies of the same ban, arriving together, count once.
   */
  widen(): void {
    const now = this.now();
    this.adjustedAt = now;
    if (now - this.widenedAt < this.windowMs) return;
    this.widenedAt = now;
    this.setSlack(Math.min(MAX_SLACK, this.slack + WIDEN_STEP));
  }

  /** A quiet period since the last change: the wobble that widened the margin may be gone. */
  private narrowWhenQuiet(now: number) {
    if (this.slack <= this.baseSlack || now - this.adjustedAt < this.quietMs) return;
    this.adjustedAt = now;
    this.setSlack(Math.max(this.baseSlack, this.slack - NARROW_STEP));
  }

  /** How long until the next call may pass (0: now). */
  private waitMs(): number {
    const now = this.now();
    const last = this.passes.at(-1);
    const spacing = last === undefined ? 0 : last + this.spacingMs - now;
    const oldest = this.passes.length >= this.limit ? (this.passes[0] as number) + this.windowMs - now : 0;
    return Math.max(0, spacing, oldest);
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => {
      release = r;
    });
    try {
      await untilAborted(previous, signal);
    } catch (err) {
      // Leaving the queue early: the turn passes on only once the caller ahead has passed.
      void previous.then(release);
      throw err;
    }
    try {
      for (let wait = this.waitMs(); wait > 0; wait = this.waitMs()) await this.sleep(wait, signal);
      const now = this.now();
      this.narrowWhenQuiet(now);
      this.passes.push(now);
      if (this.passes.length > this.limit) this.passes.shift();
    } finally {
      release();
    }
  }
}

function untilAborted(p: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return p;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** Events per second over a sliding window (calls made, for progress reports). */
export class RateMeter {
  private readonly marks: number[] = [];
  private readonly since: number;

  constructor(
    private readonly windowMs = 5000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.since = now();
  }

  mark(): void {
    this.marks.push(this.now());
  }

  rate(): number {
    const now = this.now();
    while (this.marks.length && (this.marks[0] as number) <= now - this.windowMs) this.marks.shift();
    // Early in a run the window is not full yet: divide by the time actually covered.
    const span = Math.min(this.windowMs, now - this.since);
    return span > 0 ? (this.marks.length * 1000) / span : 0;
  }
}
