import { describe, expect, it } from 'vitest';
import { RateGate, RateMeter } from '../../electron/core/batch';

/** A virtual clock: sleep advances time (plus an optional stall), so the test takes no time. */
function virtualTime(stall: (n: number) => number = () => 0) {
  let now = 0;
  let sleeps = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms + stall(sleeps++);
    },
    set: (t: number) => {
      now = t;
    },
  };
}

/** The most passes in any window of `ms`. */
function peak(at: number[], ms = 1000): number {
  const s = [...at].sort((a, b) => a - b);
  let best = 0;
  for (let lo = 0, hi = 0; hi < s.length; hi++) {
    while ((s[hi] as number) - (s[lo] as number) >= ms) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

async function passes(gate: RateGate, n: number, now: () => number): Promise<number[]> {
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    await gate.acquire();
    at.push(now());
  }
  return at;
}

describe('RateGate', () => {
  it('lets no more than qps calls through in any one-second window, and uses most of the allowance', async () => {
    const t = virtualTime();
    const gate = new RateGate({ qps: 20, now: t.now, sleep: t.sleep });
    const at = await passes(gate, 400, t.now);
    expect(peak(at)).toBeLessThanOrEqual(20);
    expect(peak(at, 1049)).toBeLessThanOrEqual(20); // the 5 % margin for arrival jitter
    // 400 calls at 20/s with 5 % slack: about 21 s, not much more.
    expect(at.at(-1) as number).toBeLessThan(21_000 * 1.02);
    // Never two calls closer than 0.8 of an interval.
    for (let i = 1; i < at.length; i++)
      expect((at[i] as number) - (at[i - 1] as number)).toBeGreaterThanOrEqual(0.8 * 52.5 - 1e-9);
  });

  it('holds the cap when waiters wake late, and catches up what a stall cost', async () => {
    // Every fifth sleep overruns by 150 ms, as a blocked event loop would make it.
    const t = virtualTime((n) => (n % 5 === 4 ? 150 : 0));
    const gate = new RateGate({ qps: 10, now: t.now, sleep: t.sleep });
    const at = await passes(gate, 200, t.now);
    expect(peak(at)).toBeLessThanOrEqual(10);
    // Plain spacing would lose every stall for good (≈ 200 × 110 ms + 40 × 150 ms = 28 s).
    expect(at.at(-1) as number).toBeLessThan(25_000);
  });

  it('starts tight, widens its margin once per ban, and narrows back after quiet periods', async () => {
    const t = virtualTime();
    const gate = new RateGate({ qps: 10, now: t.now, sleep: t.sleep });
    expect(gate.windowMs).toBeCloseTo(1050);
    gate.widen();
    gate.widen(); // a second reply of the same ban
    expect(gate.windowMs).toBeCloseTo(1100);
    for (let i = 0; i < 10; i++) {
      t.set(t.now() + 2000);
      gate.widen();
    }
    expect(gate.windowMs).toBeCloseTo(1500);
    // Calls keep passing without a throttle: one narrowing step per 30 s quiet period, down to the start.
    await passes(gate, 10, t.now);
    expect(gate.windowMs).toBeCloseTo(1500);
    t.set(t.now() + 30_000);
    await passes(gate, 1, t.now);
    expect(gate.windowMs).toBeCloseTo(1490);
    for (let i = 0; i < 100; i++) {
      t.set(t.now() + 30_000);
      await passes(gate, 1, t.now);
    }
    expect(gate.windowMs).toBeCloseTo(1050);
  });

  it('never bursts after an idle pause', async () => {
    const t = virtualTime();
    const gate = new RateGate({ qps: 10, now: t.now, sleep: t.sleep });
    await passes(gate, 10, t.now);
    t.set(60_000);
    const at = await passes(gate, 30, t.now);
    for (let i = 1; i < at.length; i++)
      expect((at[i] as number) - (at[i - 1] as number)).toBeGreaterThanOrEqual(0.8 * 105 - 1e-9);
    expect(peak(at)).toBeLessThanOrEqual(10);
  });

  it('keeps real passes apart when the event loop is blocked, with real timers', async () => {
    const gate = new RateGate({ qps: 50 });
    const at: number[] = [];
    const busy = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end) {}
    };
    await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        await gate.acquire();
        at.push(performance.now());
        if (i === 1) busy(120); // past several turns: the waiters must not all rush through after it
      }),
    );
    at.sort((a, b) => a - b);
    for (let i = 1; i < at.length; i++)
      expect((at[i] as number) - (at[i - 1] as number)).toBeGreaterThanOrEqual(16);
    expect(peak(at)).toBeLessThanOrEqual(50);
  });

  it('a caller that gives up is refused, and does not break the queue behind it', async () => {
    const gate = new RateGate({ qps: 1 });
    await gate.acquire();
    const ac = new AbortController();
    const quitter = gate.acquire(ac.signal);
    ac.abort(new Error('gone'));
    await expect(quitter).rejects.toThrow('gone');
    await expect(gate.acquire(ac.signal)).rejects.toThrow('gone');
    const fast = new RateGate({ qps: 20 });
    await fast.acquire();
    const ac2 = new AbortController();
    const q2 = fast.acquire(ac2.signal);
    const next = fast.acquire();
    ac2.abort(new Error('gone'));
    await expect(q2).rejects.toThrow('gone');
    const t0 = performance.now();
    await next;
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('handles fractional rates and rejects nonsensical ones', async () => {
    const t = virtualTime();
    const gate = new RateGate({ qps: 0.5, now: t.now, sleep: t.sleep });
    const at = await passes(gate, 4, t.now);
    for (let i = 1; i < at.length; i++)
      expect((at[i] as number) - (at[i - 1] as number)).toBeGreaterThanOrEqual(2000);
    expect(() => new RateGate({ qps: 0 })).toThrow(RangeError);
  });
});

describe('RateMeter', () => {
  it('measures events per second over its window, including early in a run', () => {
    const t = virtualTime();
    const m = new RateMeter(5000, t.now);
    for (let i = 0; i < 10; i++) {
      t.set(i * 100);
      m.mark();
    }
    t.set(1000);
    expect(m.rate()).toBeCloseTo(10, 5);
    t.set(20_000);
    expect(m.rate()).toBe(0);
  });
});
