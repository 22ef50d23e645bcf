/**
 * Figures a bench script hands to `npm run bench`, which gathers them into bench/results.md and
 * bench/results.json. Run alone (no BENCH_RESULTS_DIR), a script only prints.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Figure {
  /** What was measured, in words a reader of the README understands. */
  metric: string;
  value: number;
  unit: string;
  /** The goal this figure is held against, in words ("≤ 5 ms"), if there is one. */
  target?: string;
}

export function record(bench: string, figures: Figure[]): void {
  const dir = process.env.BENCH_RESULTS_DIR;
  if (!dir) return;
  writeFileSync(join(dir, `${bench}.json`), JSON.stringify({ bench, figures }));
}
