/**
 * How long the property and fuzz tests run: a short run by default (CI), `FUZZ_RUNS=<n>` for the
 * long one (`FUZZ_RUNS=20000 node scripts/test.mjs test/fuzz`). The seed is printed on a failure
 * by fast-check; `FUZZ_SEED=<n>` replays it.
 */
export const RUNS = Math.max(1, Number(process.env.FUZZ_RUNS) || 150);
const seed = Number(process.env.FUZZ_SEED);

export const params = (scale = 1) => ({
  numRuns: Math.max(1, Math.round(RUNS * scale)),
  ...(Number.isFinite(seed) ? { seed } : {}),
});

/** A test's time limit grows with the number of runs (about `perRunMs` each). */
export const timeout = (perRunMs = 20) => 30_000 + RUNS * perRunMs;

/**
 * Fails the property when one call takes longer than `ms`: a hang is a defect too. Limits are
 * generous (a shared, loaded machine pauses for GC and scheduling), far below what a hang or a
 * quadratic blow-up on the inputs takes.
 */
export function quick<T>(ms: number, f: () => T): T {
  const started = performance.now();
  const out = f();
  const took = performance.now() - started;
  if (took > ms) throw new Error(`took ${Math.round(took)} ms (limit ${ms} ms)`);
  return out;
}
