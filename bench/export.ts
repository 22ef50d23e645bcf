/**
 * Export benchmark: seconds and peak memory for a combined PDF of 10, 100 and 1,000 orders with
 * two ~110–120 KB JPEGs each, made by our pdfkit export and, for comparison, by headless Chromium
 * printing the same pages from HTML (what a developer would reach for first).
 *
 *   node scripts/run-ts.mjs bench/export.ts            all sizes, both engines
 *   node scripts/run-ts.mjs bench/export.ts 10 100     chosen sizes
 *
 * Every case runs in its own child process, so "peak RSS" is that case's own high-water mark
 * (for Chromium: the Node driver plus the sampled sum of the browser's processes). "CPU s" is the
 * pdfkit case's own user + system time: on a shared, loaded machine it moves far less than the
 * wall clock does.
 */

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findSample } from '../electron/core/demo/samples';
import { bundledFontPaths } from '../electron/core/export/fonts';
import { demoSource } from '../electron/core/export/memory-source';
import { runExport } from '../electron/core/export/run';
import type { ExportImage } from '../electron/core/export/types';
import { CHROMIUM } from '../test/support/chromium';
import { type Figure, record } from './report';

const ASSETS = 'electron/core/demo/assets';
const FRONT = readFileSync(join(ASSETS, 'id-front.jpg'));
const BACK = readFileSync(join(ASSETS, 'id-back.jpg'));
const CHROMIUM_BUDGET_MS = 240_000;

const ids = (n: number) => Array.from({ length: n }, (_, i) => `3${String(i + 1).padStart(15, '0')}`);

/** Each order gets its own bytes (a JPEG comment with the order id), as real orders do. */
function variant(base: Buffer, orderId: string): Buffer {
  const text = Buffer.from(`order ${orderId}`, 'latin1');
  const com = Buffer.alloc(4);
  com.writeUInt16BE(0xfffe, 0);
  com.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([base.subarray(0, 2), com, text, base.subarray(2)]);
}

const mb = (bytes: number) => Math.round(bytes / 1048576);

async function casePdfkit(n: number, out: string) {
  const baseline = process.memoryUsage().rss;
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  const src = demoSource(ids(n), {
    front: { mime: 'image/jpeg', bytes: FRONT },
    back: { mime: 'image/jpeg', bytes: BACK },
  });
  const r = await runExport(
    { pdf: join(out, 'pdfkit.pdf'), exporter: 'bench' },
    {
      ...src,
      image: (id, side): ExportImage => ({
        mime: 'image/jpeg',
        bytes: variant(side === 'front' ? FRONT : BACK, id),
      }),
    },
  );
  if (!r.ok) throw new Error(r.error.message['en-US']);
  const seconds = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakMb: Math.round(process.resourceUsage().maxRSS / 1024),
    baselineMb: mb(baseline),
    fileMb: mb(statSync(join(out, 'pdfkit.pdf')).size),
  };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function html(n: number, dir: string): string {
  const font = pathToFileURL(bundledFontPaths().regular).href;
  const pages = ids(n).map((id, i) => {
    const s = findSample(id);
    writeFileSync(join(dir, `${id}-front.jpg`), variant(FRONT, id));
    writeFileSync(join(dir, `${id}-back.jpg`), variant(BACK, id));
    const card = (side: string) =>
      `<div class="label">${side === 'front' ? '证件正面（人像面）' : '证件背面（国徽面）'}</div><div class="card"><img src="${id}-${side}.jpg"><div class="wm">仅供清关使用</div></div>`;
    return `<section><h1>清关身份信息 <small>Customs clearance identity</small></h1><table>
<tr><th>订单号</th><td>${id}</td></tr><tr><th>姓名</th><td>${esc(s?.name ?? '')}</td></tr>
<tr><th>证件号码</th><td>${s?.idNumber}</td></tr><tr><th>证件类型</th><td>居民身份证 / Resident ID card</td></tr>
<tr><th>有效期至</th><td>${s?.expiry}</td></tr><tr><th>获取时间</th><td>2026-01-01 10:00:00</td></tr><tr><th>账号</th><td>bench</td></tr></table>
${card('front')}${card('back')}<footer>导出编号 Export BENCH · 导出人 bench · 第 ${i + 1} / ${n} 页</footer></section>`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><style>
@font-face { font-family: 'Noto Sans SC'; src: url('${font}'); }
@page { size: A4; margin: 0; }
body { margin: 0; font-family: 'Noto Sans SC'; }
section { width: 210mm; height: 297mm; padding: 15mm; box-sizing: border-box; position: relative; page-break-after: always; }
h1 { font-size: 16pt; border-bottom: 1px solid #333; } small { font-size: 10pt; color: #666; }
th { text-align: left; width: 30mm; font-size: 9pt; } td { font-size: 11pt; }
.label { margin: 4mm auto 1mm; width: 85.6mm; font-size: 9pt; font-weight: bold; }
.card { width: 85.6mm; height: 54mm; margin: 0 auto; position: relative; overflow: hidden; border: 0.5px solid #999; }
.card img { width: 100%; height: 100%; object-fit: contain; }
.wm { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; transform: rotate(-32deg);
      font-size: 30pt; color: rgba(208, 0, 0, 0.32); font-weight: bold; }
footer { position: absolute; bottom: 15mm; font-size: 7.5pt; color: #666; }
</style></head><body>${pages.join('\n')}</body></html>`;
}

/** RSS of a process and all its descendants, from /proc (Linux). */
function treeRss(root: number): number {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  let total = 0;
  for (const pid of parent.keys()) {
    let p: number | undefined = pid;
    while (p && p !== root) p = parent.get(p);
    if (p !== root) continue;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += Number(m?.[1] ?? 0) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

async function caseChromium(n: number, out: string) {
  const { chromium } = await import('@playwright/test');
  const t = performance.now();
  const page = join(out, 'index.html');
  writeFileSync(page, html(n, out));
  const browser = await chromium.launch(CHROMIUM);
  let peakBrowser = 0;
  const timer = setInterval(() => {
    peakBrowser = Math.max(peakBrowser, treeRss(process.pid) - process.memoryUsage().rss);
  }, 100);
  try {
    const tab = await browser.newPage();
    tab.setDefaultTimeout(CHROMIUM_BUDGET_MS);
    await tab.goto(pathToFileURL(page).href, { waitUntil: 'load', timeout: CHROMIUM_BUDGET_MS });
    await tab.pdf({
      path: join(out, 'chromium.pdf'),
      format: 'A4',
      printBackground: true,
    });
  } finally {
    clearInterval(timer);
    await browser.close();
  }
  const seconds = (performance.now() - t) / 1000;
  const driver = process.resourceUsage().maxRSS * 1024;
  return {
    seconds,
    peakMb: mb(driver + peakBrowser),
    baselineMb: mb(driver),
    fileMb: mb(statSync(join(out, 'chromium.pdf')).size),
  };
}

async function child(engine: string, n: number) {
  const out = mkdtempSync(join(tmpdir(), `cd-bench-${engine}-`));
  try {
    const r = engine === 'pdfkit' ? await casePdfkit(n, out) : await caseChromium(n, out);
    process.stdout.write(`${JSON.stringify(r)}\n`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function parent(sizes: number[]) {
  const self = fileURLToPath(import.meta.url);
  const rows: string[][] = [];
  const figures: Figure[] = [];
  const seconds: Record<string, number> = {};
  for (const n of sizes) {
    for (const engine of ['pdfkit', 'chromium']) {
      process.stderr.write(`${engine} ${n}… `);
      const r = spawnSync(process.execPath, [self, '--case', engine, String(n)], {
        encoding: 'utf8',
        timeout: CHROMIUM_BUDGET_MS + 60_000,
        maxBuffer: 1 << 20,
      });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      if (r.status !== 0 || !line.startsWith('{')) {
        const why = r.error
          ? `stopped after ${Math.round((CHROMIUM_BUDGET_MS + 60_000) / 1000)} s`
          : (r.stderr.split('\n').find((l) => /Error|heap/i.test(l)) ?? `exit ${r.status ?? r.signal}`);
        process.stderr.write(`failed: ${why}\n`);
        rows.push([engine, String(n), '—', '—', '—', '—', why.slice(0, 60)]);
        continue;
      }
      const v = JSON.parse(line) as {
        seconds: number;
        cpuSeconds?: number;
        peakMb: number;
        baselineMb: number;
        fileMb: number;
      };
      process.stderr.write(`${v.seconds.toFixed(1)} s\n`);
      seconds[`${engine} ${n}`] = v.seconds;
      rows.push([
        engine,
        String(n),
        v.seconds.toFixed(2),
        v.cpuSeconds === undefined ? '' : v.cpuSeconds.toFixed(2),
        String(v.peakMb),
        String(v.fileMb),
        '',
      ]);
      if (engine === 'pdfkit')
        figures.push(
          {
            metric: `combined PDF of ${n} orders, seconds`,
            value: v.seconds,
            unit: 's',
            ...(n === 1000 ? { target: '≤ 1.3 s' } : {}),
          },
          {
            metric: `combined PDF of ${n} orders, peak RSS`,
            value: v.peakMb,
            unit: 'MB',
            ...(n === 1000 ? { target: '≤ 200 MB' } : {}),
          },
        );
    }
    const ours = seconds[`pdfkit ${n}`];
    const theirs = seconds[`chromium ${n}`];
    if (ours && theirs)
      figures.push({
        metric: `combined PDF of ${n} orders, times faster than Chromium in the same run`,
        value: theirs / ours,
        unit: '×',
        ...(n === 1000 ? { target: '≥ 10×' } : {}),
      });
  }
  record('export', figures);
  const head = ['engine', 'orders', 'seconds', 'CPU s', 'peak RSS MB', 'PDF MB', 'note'];
  const table = [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  console.log(`\nCombined PDF, two ~115 KB JPEGs per order (node ${process.version})\n\n${table}`);
}

const argv = process.argv.slice(2);
if (argv[0] === '--case') await child(argv[1] as string, Number(argv[2]));
else {
  mkdirSync(tmpdir(), { recursive: true });
  parent(argv.length ? argv.map(Number) : [10, 100, 1000]);
}
