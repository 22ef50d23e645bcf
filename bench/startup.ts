// Startup to an interactive lookup bar, through the harness: the backend starting (settings,
// demo profile, vault), then the page loading in Chromium until the order-id box has focus and
// takes input. Median and worst of several cold starts, each with a new data folder.
// Needs `npm run build` first (dist/renderer, dist/harness/preload.js).
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { startHarness } from '../test/harness/harness';
import { CHROMIUM } from '../test/support/chromium';

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
const assets = join(new URL('..', import.meta.url).pathname, '..', 'dist/renderer/assets');
const sizes = readdirSync(assets).map(
  (f) => `${f.replace(/-[\w-]{8}\./, '.')} ${(statSync(join(assets, f)).size / 1024).toFixed(0)} KB`,
);
console.log(`renderer bundle: ${sizes.join(', ')}`);
