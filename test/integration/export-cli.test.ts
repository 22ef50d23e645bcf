/**
 * `clearance-desk export` as a user runs it: demo orders fetched with `get --demo --image` into a
 * fresh data folder (vault key in the real Secret Service; a private D-Bus under `npm test`), then
 * exported; the PDF's images must be the very bytes `get` fetched, and every export is audited.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { openDesk } from '../../electron/core/desk';
import { runCli, tempDir } from '../support/cli';
import { keychainSuite } from '../support/keychain';
import { extractImages, pageText, pdfInfo } from './export-helpers';

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
