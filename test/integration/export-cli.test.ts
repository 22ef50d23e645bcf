/**
 * `clearance-desk export` as a user runs it: demo orders fetched with `get --demo --image` into a
 * fresh data folder (vault key in the real Secret Service; a private D-Bus under `npm test`), then
 * exported; the PDF's images must be the very bytes `get` fetched, and every export is audited.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { DEFAULT_BATCH_OPTIONS, SqliteJobStore } from '../../electron/core/batch';
import { openDesk } from '../../electron/core/desk';
import { CLI, runCli, tempDir } from '../support/cli';
import { keychainSuite } from '../support/keychain';
import { bulkOrderId, fakeFetch, person } from '../support/vault-fetch';
import { BACK, extractImages, FRONT, pageText, pdfInfo } from './export-helpers';

const { suite } = await keychainSuite('export CLI tests');

const IDS = ['3728150192837465928', '2000000000000007', '2000000000000005'];

suite('clearance-desk export', () => {
  const dataDir = tempDir('cd-export-data-');
  const fetched = tempDir('cd-export-fetched-');
  const env = { CLEARANCE_DATA_DIR: dataDir, CLEARANCE_LANG: 'en' };

  beforeAll(async () => {
    for (const id of IDS) {
      const r = await runCli(['get', id, '--demo', '--image', '--out', fetched], env);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 60_000);

  it('exports chosen orders to a combined PDF and an XLSX manifest; images are the fetched bytes', async () => {
    const out = tempDir('cd-export-out-');
    const r = await runCli(
      [
        'export',
        '--order',
        IDS[0] as string,
        '--order',
        IDS[1] as string,
        '--pdf',
        'all.pdf',
        '--manifest',
        'm.xlsx',
        '--json',
      ],
      env,
      { cwd: out },
    );
    expect(r.code, r.stderr).toBe(0);
    const { report } = JSON.parse(r.stdout) as {
      report: { count: number; files: string[]; warnings: { orderId: string; code: string }[] };
    };
    expect(report.count).toBe(2);
    expect(report.files.sort()).toEqual([join(out, 'all.pdf'), join(out, 'm.xlsx')]);
    expect(report.warnings).toEqual([
      expect.objectContaining({ orderId: '2000000000000007', code: 'glyph-missing' }),
    ]);
    expect(pdfInfo(join(out, 'all.pdf')).pages).toBe(2);
    expect(pageText(join(out, 'all.pdf'), 1)).toContain('3728150192837465928');
    // Fetched from the demo gateway: every page says the data is invented.
    for (const page of [1, 2]) expect(pageText(join(out, 'all.pdf'), page)).toContain('演示数据 DEMO');
    const images = extractImages(join(out, 'all.pdf'), tempDir('cd-export-x-'));
    const expected = [IDS[0], IDS[0], IDS[1], IDS[1]].map((id, i) =>
      readFileSync(join(fetched, `${id}-${i % 2 ? 'back' : 'front'}.jpg`)),
    );
    expect(images.map((f) => readFileSync(f))).toEqual(expected);
  });

  it('exports everything per order with raw images, masked, and audits each export', async () => {
    const out = tempDir('cd-export-per-');
    const r = await runCli(
      ['export', '--all', '--per-order', out, '--images', '--mask', '--manifest', join(out, 'm.csv')],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Exported 3 order(s)');
    expect(readdirSync(out).sort()).toEqual(
      [
        '2000000000000005.pdf',
        '2000000000000007-back.jpg',
        '2000000000000007-front.jpg',
        '2000000000000007.pdf',
        '3728150192837465928-back.jpg',
        '3728150192837465928-front.jpg',
        '3728150192837465928.pdf',
        'm.csv',
      ].sort(),
    );
    expect(
      readFileSync(join(out, '3728150192837465928-front.jpg')).equals(
        readFileSync(join(fetched, '3728150192837465928-front.jpg')),
      ),
    ).toBe(true);
    const text = pageText(join(out, '3728150192837465928.pdf'), 1);
    expect(text).toContain('1101**********002X');
    expect(text).not.toContain('11010519491231002X');
    expect(readFileSync(join(out, 'm.csv'), 'utf8')).not.toContain('11010519491231002X');

    const desk = openDesk({ env: { ...process.env, ...env }, channel: 'test' });
    try {
      const log = (await desk.vault()).auditLog({ action: 'export' });
      const masked = log.find((e) => e.detail.masked === true && e.detail.outcome === 'ok');
      expect(masked).toMatchObject({
        action: 'export',
        orderIds: [...IDS].sort(),
        detail: { mode: 'per-order+images+manifest', masked: true, count: 3, outcome: 'ok', channel: 'cli' },
      });
      expect(String(masked?.detail.destination)).toContain(out);
      expect(log.some((e) => e.detail.mode === 'pdf+manifest' && e.detail.count === 2)).toBe(true);
      // Who and when come from the vault; no personal data in the entry.
      expect(JSON.stringify(log)).not.toMatch(/王|11010519491231002X/);
    } finally {
      desk.close();
    }
  });

  it('--date sets the declaration day of the expiry check; a bad date is a usage error', async () => {
    const out = tempDir('cd-export-date-');
    const run = (extra: string[]) =>
      runCli(['export', '--order', IDS[0] as string, '--pdf', 'a.pdf', '--json', ...extra], env, {
        cwd: out,
      });
    const codes = (r: { stdout: string }) =>
      (JSON.parse(r.stdout) as { report: { findings: { code: string }[] } }).report.findings.map(
        (f) => f.code,
      );
    // The sample's ID expires on 2034-01-01: fine today, expired for a declaration in 2035.
    const today = await run([]);
    expect(today.code, today.stderr).toBe(0);
    expect(codes(today)).not.toContain('expires-before-declaration');
    const later = await run(['--date', '2035-03-01']);
    expect(later.code, later.stderr).toBe(0);
    expect(codes(later)).toContain('expires-before-declaration');
    const strict = await run(['--date', '2035-03-01', '--strict']);
    expect(strict.code).toBe(3);
    const bad = await run(['--date', '2035-13-01']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('YYYY-MM-DD');
  });

  it('refuses an order that is not stored, and a watermark that says 无效', async () => {
    const out = tempDir('cd-export-bad-');
    const missing = await runCli(['export', '--order', '1234567', '--pdf', 'a.pdf'], env, { cwd: out });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No stored record for order 1234567');
    const wm = await runCli(['export', '--all', '--pdf', 'a.pdf', '--watermark', '复印无效'], env, {
      cwd: out,
    });
    expect(wm.code).toBe(2);
    expect(wm.stderr).toContain('watermark');
    const none = await runCli(['export', '--all'], env, { cwd: out });
    expect(none.code).toBe(2);
    expect(readdirSync(out)).toEqual([]);
  });
});

suite('clearance-desk export: killed mid-way, templates and packages', () => {
  const dataDir = tempDir('cd-export-kill-data-');
  const env = { CLEARANCE_DATA_DIR: dataDir, CLEARANCE_LANG: 'en' };
  const COUNT = 400;
  const open = () => openDesk({ env: { ...process.env, ...env }, channel: 'test' });

  beforeAll(async () => {
    const desk = open();
    try {
      const vault = await desk.vault();
      for (let i = 1; i <= COUNT; i++)
        vault.saveFetch(
          fakeFetch(bulkOrderId(i), person(i), { front: FRONT.bytes as Buffer, back: BACK.bytes as Buffer }),
          'bulk',
          { audit: false },
        );
    } finally {
      desk.close();
    }
  }, 60_000);

  it('a SIGKILLed export leaves its audit entry; the next one sweeps its partial and says so', async () => {
    const out = tempDir('cd-export-kill-out-');
    const base: Record<string, string> = {};
    for (const k of ['PATH', 'HOME', 'DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'XDG_DATA_HOME'])
      if (process.env[k] !== undefined) base[k] = process.env[k] as string;
    const child = spawn(process.execPath, [CLI, 'export', '--all', '--pdf', join(out, 'all.pdf')], {
      env: { ...base, ...env },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_c, sig) => resolve(sig)),
    );
    // Kill once the hidden PDF holds some pages but is far from done (400 orders ≈ 90 MB).
    const partialSize = () => {
      const p = readdirSync(out).find((f) => f.endsWith('.partial'));
      return p ? statSync(join(out, p)).size : 0;
    };
    const deadline = Date.now() + 60_000;
    while (partialSize() < 2_000_000 && child.exitCode === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(child.exitCode).toBeNull();
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const left = readdirSync(out);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(new RegExp(`^\\.all\\.pdf\\.cd-${child.pid}-[0-9a-f]{8}\\.partial$`));

    const desk = open();
    let startedId: unknown;
    try {
      const log = (await desk.vault()).auditLog({ action: 'export' });
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({
        orderIds: Array.from({ length: COUNT }, (_, i) => bulkOrderId(i + 1)),
        detail: { outcome: 'started', mode: 'pdf', destination: join(out, 'all.pdf'), channel: 'cli' },
      });
      startedId = log[0]?.detail.exportId;
      expect(startedId).toMatch(/^EX\d{14}-[0-9A-F]{6}$/);
    } finally {
      desk.close();
    }

    const again = await runCli(['export', '--all', '--pdf', join(out, 'all.pdf'), '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    const { report } = JSON.parse(again.stdout) as { report: { sweptPartials: number; count: number } };
    expect(report).toMatchObject({ sweptPartials: 1, count: COUNT });
    expect(readdirSync(out)).toEqual(['all.pdf']);
    expect(pdfInfo(join(out, 'all.pdf')).pages).toBe(COUNT);
    const text = await runCli(['export', '--order', bulkOrderId(1), '--pdf', join(out, 'one.pdf')], env);
    expect(text.stdout).not.toContain('Removed');

    const desk2 = open();
    try {
      const log = (await desk2.vault()).auditLog({ action: 'export' });
      const outcomes = log.map((e) => [e.detail.exportId, e.detail.outcome]);
      // The killed attempt stays visible: started, never finished.
      expect(outcomes.filter(([id]) => id === startedId)).toEqual([[startedId, 'started']]);
      expect(log.filter((e) => e.detail.outcome === 'ok' && e.detail.sweptPartials === 1)).toHaveLength(1);
      expect(log.filter((e) => e.detail.outcome === 'started')).toHaveLength(3);
    } finally {
      desk2.close();
    }
  }, 120_000);

  it('--package with --template FILE, clear template errors, and refusing a FIFO target', async () => {
    const out = tempDir('cd-export-pkg-');
    writeFileSync(
      join(out, 'broker.json'),
      JSON.stringify({
        name: 'broker-x',
        columns: [
          { field: 'orderId', header: '订单号' },
          { field: 'waybill', header: '运单号' },
        ],
        imageName: '{waybill}-{side}.jpg',
        imageMaxBytes: 512000,
      }),
    );
    const ids = [bulkOrderId(1), bulkOrderId(2)];
    const r = await runCli(
      ['export', '--order', ids.join(','), '--package', 'b.zip', '--template', 'broker.json', '--json'],
      env,
      { cwd: out },
    );
    expect(r.code, r.stderr).toBe(0);
    const { report } = JSON.parse(r.stdout) as { report: { files: string[]; reencodedImages: number } };
    expect(report).toMatchObject({ files: [join(out, 'b.zip')], reencodedImages: 0 });

    const unknown = await runCli(['export', '--all', '--pdf', 'a.pdf', '--template', 'nope'], env, {
      cwd: out,
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no template named "nope"');
    writeFileSync(join(out, 'bad.json'), '{"name":"x","columns":[{"field":"orderId"}],"colour":1}');
    const bad = await runCli(['export', '--all', '--pdf', 'a.pdf', '--template', 'bad.json'], env, {
      cwd: out,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown field "colour"');

    const fifo = join(out, 'fifo.pdf');
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [fifo]);
    const refused = await runCli(['export', '--order', ids[0] as string, '--pdf', fifo], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('not a regular file');
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['b.zip', 'bad.json', 'broker.json', 'fifo.pdf']);
  });

  it('--batch JOB exports the fetched orders and lists the failed ones with their reason', async () => {
    const desk = open();
    let jobId: string;
    try {
      const store = new SqliteJobStore(await desk.vault(), { channel: 'test' });
      const job = store.createJob({
        profile: 'bulk',
        options: DEFAULT_BATCH_OPTIONS,
        source: 'test',
        orderIds: [bulkOrderId(3), '2999999999999999', bulkOrderId(4)],
        invalid: [],
      });
      jobId = job.id;
      const id = bulkOrderId(3);
      store.complete(jobId, id, fakeFetch(id, person(3), { front: FRONT.bytes as Buffer }), 'bulk');
      store.fail(jobId, '2999999999999999', {
        kind: 'business',
        reason: 'business',
        code: null,
        subCode: null,
        requestId: null,
      });
      store.setState(jobId, bulkOrderId(4), 'skipped');
    } finally {
      desk.close();
    }
    const out = tempDir('cd-export-batch-');
    const r = await runCli(['export', '--batch', jobId, '--manifest', 'm.csv', '--json'], env, { cwd: out });
    expect(r.code, r.stderr).toBe(0);
    const { report } = JSON.parse(r.stdout) as { report: { orderIds: string[]; failedListed: number } };
    expect(report).toMatchObject({ orderIds: [bulkOrderId(3), bulkOrderId(4)], failedListed: 1 });
    const lines = readFileSync(join(out, 'm.csv'), 'utf8').trimEnd().split('\r\n');
    // Sorted by order id: the failed order first.
    expect(lines.map((l) => l.split(',')[0]).slice(1)).toEqual([
      '2999999999999999',
      bulkOrderId(3),
      bulkOrderId(4),
    ]);
    expect(lines[1]).toContain('未导出：平台未返回该订单的清关信息');
    const missing = await runCli(['export', '--batch', '20990101-abcdef', '--pdf', 'x.pdf'], env, {
      cwd: out,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no batch job 20990101-abcdef');
  });
});
