// Startup to an interactive lookup bar, through the harness: the backend starting (settings,
// demo profile, vault), then the page loading in Chromium until the order-id box has focus and
// takes input. Median and worst of several cold starts, each with a new data folder.
// Needs `npm run build` first (dist/renderer, dist/harness/preload.js).
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { startHarness } from '../test/harness/harness';
import { CHROMIUM } from '../test/support/chromium';
import { record } from './report';

const RUNS = Number(process.argv[2] ?? 7);
const browser = await chromium.launch(CHROMIUM);
const backendMs: number[] = [];
const pageMs: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  // Memory secrets: a bench must not depend on a keyring; the vault is real (SQLCipher).
  const h = await startHarness({
    dataDir: mkdtempSync(join(tmpdir(), 'cd-bench-start-')),
    demo: true,
    secretsMode: 'memory',
  });
  const t1 = performance.now();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const t2 = performance.now();
  await page.goto(h.url);
  const box = page.getByRole('textbox', { name: /订单号/ });
  await box.waitFor({ state: 'visible' });
  await page.waitForFunction(
    () =>
      document.activeElement?.getAttribute('aria-label')?.includes('订单号') ||
      document.activeElement instanceof HTMLInputElement,
  );
  const t3 = performance.now();
  backendMs.push(t1 - t0);
  pageMs.push(t3 - t2);
  await context.close();
  await h.close();
}
await browser.close();
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)] as number;
const worst = (xs: number[]) => sorted(xs).at(-1) as number;
const total = backendMs.map((b, i) => b + (pageMs[i] as number));
console.log(`startup to an interactive lookup bar, ${RUNS} cold starts (harness, Debian Chromium)`);
console.log(
  `  backend ready (settings, demo profile, vault opened)   median ${median(backendMs).toFixed(0)} ms  worst ${worst(backendMs).toFixed(0)} ms`,
);
console.log(
  `  page load to focused order box                          median ${median(pageMs).toFixed(0)} ms  worst ${worst(pageMs).toFixed(0)} ms`,
);
console.log(
  `  total                                                   median ${median(total).toFixed(0)} ms  worst ${worst(total).toFixed(0)} ms`,
);
// The bundle as the page loads it: the entry and what index.html preloads come first; the other
// views are chunks fetched once the desk is idle. Sizes gzip -9, fonts excluded.
const renderer = join(new URL('..', import.meta.url).pathname, '..', 'dist/renderer');
const html = readFileSync(join(renderer, 'index.html'), 'utf8');
const atStart = new Set([...html.matchAll(/assets\/([^"]+\.(?:js|css))"/g)].map((m) => m[1] as string));
const gz = (f: string) => gzipSync(readFileSync(join(renderer, 'assets', f)), { level: 9 }).length / 1024;
const code = readdirSync(join(renderer, 'assets')).filter((f) => /\.(js|css)$/.test(f));
const startKb = code.filter((f) => atStart.has(f)).reduce((n, f) => n + gz(f), 0);
const allKb = code.reduce((n, f) => n + gz(f), 0);
console.log(
  `renderer bundle (gzip, no fonts): ${startKb.toFixed(1)} KB at start (${[...atStart].join(', ')}), ${allKb.toFixed(1)} KB with every view`,
);
console.log(
  `  files: ${code.map((f) => `${f} ${(statSync(join(renderer, 'assets', f)).size / 1024).toFixed(0)} KB`).join(', ')}`,
);
record('startup', [
  {
    metric: 'harness start to a focused lookup bar, median',
    value: median(total),
    unit: 'ms',
    target: '≤ 700 ms',
  },
  { metric: 'the same, worst of the runs', value: worst(total), unit: 'ms' },
  {
    metric: 'renderer code loaded at start (gzip, no fonts)',
    value: startKb,
    unit: 'KB',
    target: '≤ 110 KB',
  },
  { metric: 'renderer code with every view (gzip, no fonts)', value: allKb, unit: 'KB' },
]);
