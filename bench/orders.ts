// Order sheet figures: importing a 100,000-row sheet (GB 18030 CSV; XLSX at 20,000) into a fresh vault —
// seconds and peak memory, each in its own process — and the checks before declaring over 100,000
// orders with identities (`check --all`). Prints figures; asserts nothing.
// Run: node scripts/run-ts.mjs bench/orders.ts [rows]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { checkAll } from '../electron/core/checks';
import { readSheet } from '../electron/core/orders/sheet';
import { OrderStore } from '../electron/core/orders/store';
import { openVault } from '../electron/core/vault/vault';
import { gb18030 } from '../test/support/gb18030';
import { bulkOrderId, fakeFetch, person } from '../test/support/vault-fetch';
import { type Figure, record } from './report';

// Children are started as `orders.ts import <rows> <file>` and `orders.ts check <rows>`.
const [first, rowsArg, fileArg] = process.argv.slice(2);
const mode = first === 'import' || first === 'check' ? first : 'all';
const N = Number((mode === 'all' ? first : rowsArg) ?? 100_000) || 100_000;
const secs = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** One order's sheet row: every 50th consignee differs from the ID's name; amounts up to ¥6,000. */
function row(i: number): string[] {
  const p = person(i);
  const consignee = i % 50 === 0 ? `${p.name}某` : p.name;
  const fen = 100 + ((i * 7919) % 600_000);
  const amount = `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
  const time = `2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:00`;
  return [
    bulkOrderId(i),
    `SF${String(i).padStart(10, '0')}`,
    consignee,
    `138${String(i).padStart(8, '0')}`,
    amount,
    `P${i}`,
    time,
    '备注',
  ];
}
const HEAD = ['交易订单号', '物流单号', '收货人', '手机', '实付金额', '支付单号', '下单时间', '备注'];

async function importCase(file: string) {
  const dir = mkdtempSync(join(tmpdir(), 'cd-bench-orders-'));
  const vault = openVault({ path: join(dir, 'vault.db'), key: randomBytes(32).toString('hex') });
  const t0 = process.hrtime.bigint();
  const bytes = readFileSync(file);
  const got = await readSheet({ name: file, bytes });
  if (!got.ok) throw new Error('sheet refused');
  const tRead = secs(t0);
  const counts = new OrderStore(vault).import(got.value.rows, {
    source: file,
    profile: null,
    channel: 'bench',
  });
  const total = secs(t0);
  vault.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      file: file.split('/').pop(),
      rows: counts.rows,
      readSeconds: tRead,
      totalSeconds: total,
      peakRssMb: peakMb(),
    }),
  );
}

async function checkCase(n: number) {
  const dir = mkdtempSync(join(tmpdir(), 'cd-bench-check-'));
  const vault = openVault({ path: join(dir, 'vault.db'), key: randomBytes(32).toString('hex') });
  const db = vault.extend('bench', []);
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < n; ) {
    const end = Math.min(n, i + 1000);
    db.transaction(() => {
      for (; i < end; i++) vault.saveFetch(fakeFetch(bulkOrderId(i), person(i)), 'bench', { audit: false });
    })();
  }
  const fill = secs(t0);
  const rows = Array.from({ length: n }, (_, i) => {
    const r = row(i);
    return {
      orderId: r[0] as string,
      waybill: r[1] as string,
      consignee: r[2] as string,
      phone: r[3] as string,
      amountFen: Math.round(Number(r[4]) * 100),
      paymentNo: r[5] as string,
      orderTime: r[6] as string,
    };
  });
  new OrderStore(vault).import(rows, { source: 'bench', profile: null, channel: 'bench' });
  const times: number[] = [];
  let found = 0;
  for (let k = 0; k < 3; k++) {
    t0 = process.hrtime.bigint();
    const all = checkAll(vault, { declarationDate: '2025-06-15' });
    times.push(secs(t0));
    found = [...all.values()].reduce((a, f) => a + f.length, 0);
  }
  const sheet = process.hrtime.bigint();
  checkAll(vault, { declarationDate: '2025-06-15', sheetOnly: true });
  const sheetSeconds = secs(sheet);
  vault.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      orders: n,
      fillSeconds: fill,
      checkAllSeconds: times,
      checkSheetSeconds: sheetSeconds,
      findings: found,
      peakRssMb: peakMb(),
    }),
  );
}

async function main() {
  if (mode === 'import') return importCase(fileArg as string);
  if (mode === 'check') return checkCase(N);
  const rows = N;
  const dir = mkdtempSync(join(tmpdir(), 'cd-bench-sheets-'));
  const csv = join(dir, 'sheet.csv');
  const lines = [HEAD.join(',')];
  for (let i = 0; i < rows; i++) lines.push(row(i).join(','));
  writeFileSync(csv, gb18030(lines.join('\r\n')));
  // An XLSX past the batch reader's 16 MiB (uncompressed) cap is refused unopened: at 8 columns that is
  // about 50,000 rows, so the XLSX case is measured at 20,000.
  const xlsxRows = Math.min(rows, 20_000);
  const xlsx = join(dir, 'sheet.xlsx');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: xlsx });
  const ws = wb.addWorksheet('订单');
  ws.addRow(HEAD).commit();
  for (let i = 0; i < xlsxRows; i++) ws.addRow(row(i)).commit();
  await wb.commit();
  console.log(
    `CSV (GB 18030) ${rows} rows ${(statSync(csv).size / 1e6).toFixed(1)} MB, XLSX ${xlsxRows} rows ${(statSync(xlsx).size / 1e6).toFixed(1)} MB`,
  );
  const child = (args: string[]): Record<string, number | number[]> | undefined => {
    // Without the bench runner's results folder: the children only print.
    const { BENCH_RESULTS_DIR: _, ...env } = process.env;
    const r = spawnSync(process.execPath, ['scripts/run-ts.mjs', 'bench/orders.ts', ...args], {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
      env,
    });
    if (r.status !== 0) console.log(`failed: ${args.join(' ')}\n${r.stderr.slice(0, 2000)}`);
    process.stdout.write(r.stdout);
    const last = r.stdout.trim().split('\n').pop();
    return last?.startsWith('{') ? JSON.parse(last) : undefined;
  };
  const c = child(['import', String(rows), csv]);
  const x = child(['import', String(xlsxRows), xlsx]);
  const k = child(['check', String(rows)]);
  const figures: Figure[] = [];
  const n = (v: unknown) => (Array.isArray(v) ? Math.min(...v) : Number(v));
  if (c) {
    figures.push({ metric: `import ${rows} rows, GB 18030 CSV`, value: n(c.totalSeconds), unit: 's' });
    figures.push({ metric: 'import CSV, peak RSS', value: n(c.peakRssMb), unit: 'MB' });
  }
  if (x) {
    figures.push({ metric: `import ${xlsxRows} rows, XLSX`, value: n(x.totalSeconds), unit: 's' });
    figures.push({ metric: 'import XLSX, peak RSS', value: n(x.peakRssMb), unit: 'MB' });
  }
  if (k)
    figures.push({
      metric: `check --all at ${rows} orders (best of 3)`,
      value: n(k.checkAllSeconds),
      unit: 's',
    });
  record('orders', figures);
  rmSync(dir, { recursive: true, force: true });
}

await main();
