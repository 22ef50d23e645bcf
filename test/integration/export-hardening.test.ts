/**
 * The export against the faults it must survive: a masked export that must not leak the name, a
 * target that is a FIFO or a device, leftovers of a killed export, and an image that would
 * decompress to hundreds of MB (peak memory measured in a child process).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSource } from '../../electron/core/export/memory-source';
import { runExport } from '../../electron/core/export/run';
import { PARTIAL_PATTERN, sweepPartials } from '../../electron/core/export/staging';
import { bundleForNode } from '../support/bundle';
import { BACK, DEMO_IMAGES, makeBombPng, pageText, pdfInfo } from './export-helpers';

const root = mkdtempSync(join(tmpdir(), 'cd-export-hard-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dir = (name: string) => mkdtempSync(join(root, `${name}-`));
const _repo = new URL('../..', import.meta.url).pathname;

describe('masking', () => {
  it('leaves neither the name nor the ID number in the PDF text, the CSV or the XLSX', async () => {
    const out = dir('mask');
    const pdf = join(out, 'all.pdf');
    const ids = ['3728150192837465928', '2000000000000002'];
    const r = await runExport(
      { pdf, manifest: join(out, 'm.csv'), mask: true },
      demoSource(ids, DEMO_IMAGES),
    );
    expect(r.ok).toBe(true);
    const xlsx = join(out, 'm.xlsx');
    expect((await runExport({ manifest: xlsx, mask: true }, demoSource(ids, DEMO_IMAGES))).ok).toBe(true);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(xlsx);
    const cells: string[] = [];
    book.worksheets[0]?.eachRow((row) => {
      row.eachCell((c) => {
        cells.push(String(c.value));
      });
    });
    const texts = {
      pdf: [1, 2].map((p) => pageText(pdf, p)).join('\n'),
      csv: readFileSync(join(out, 'm.csv'), 'utf8'),
      xlsx: cells.join('\n'),
    };
    for (const [where, text] of Object.entries(texts)) {
      for (const secret of ['王芳', '11010519491231002X', '110105 19491231 002X', '19491231'])
        expect(text.includes(secret), `${secret} in the ${where}`).toBe(false);
      // The masked forms are there instead.
      expect(text, where).toContain('王*');
      expect(text, where).toMatch(/1101\*+ ?\**002X|1101\*{10}002X/);
    }
  });
});

describe('targets that are not regular files', () => {
  const fifo = (path: string) => execFileSync('mkfifo', [path]);

  it.each([
    ['pdf', (p: string) => ({ pdf: p })],
    ['manifest', (p: string) => ({ manifest: `${p}.csv` })],
    ['package', (p: string) => ({ package: `${p}.zip` })],
  ] as const)('refuses a FIFO as the %s target and leaves it alone', async (_what, job) => {
    const out = dir('fifo');
    const target = Object.values(job(join(out, 'x')))[0] as string;
    fifo(target);
    const r = await runExport(job(join(out, 'x')), demoSource(['2000000000000002'], DEMO_IMAGES));
    expect(r.ok ? 'ok' : [r.error.reason, r.error.kind]).toEqual(['export-target-not-file', 'invalid-input']);
    expect(r.ok || r.error.message['en-US']).toContain('a FIFO');
    expect(statSync(target).isFIFO()).toBe(true);
    expect(readdirSync(out)).toEqual([basename(target)]);
  });

  it('refuses /dev/null (a device) and a folder where a file goes, and a file where a folder goes', async () => {
    const src = () => demoSource(['2000000000000002'], DEMO_IMAGES);
    const dev = await runExport({ pdf: '/dev/null' }, src());
    expect(dev.ok || dev.error.message['en-US']).toContain('a device');
    const out = dir('kinds');
    mkdirSync(join(out, 'a.pdf'));
    const folder = await runExport({ pdf: join(out, 'a.pdf') }, src());
    expect(folder.ok || folder.error.reason).toBe('export-target-not-file');
    writeFileSync(join(out, 'plain'), 'x');
    const images = await runExport({ imagesDir: join(out, 'plain') }, src());
    expect(images.ok || images.error.reason).toBe('export-target-not-file');
    expect(readdirSync(out).sort()).toEqual(['a.pdf', 'plain']);
    expect(readFileSync(join(out, 'plain'), 'utf8')).toBe('x');
  });

  it('still replaces an existing regular file', async () => {
    const out = dir('regular');
    writeFileSync(join(out, 'a.pdf'), 'older');
    const r = await runExport({ pdf: join(out, 'a.pdf') }, demoSource(['2000000000000002'], DEMO_IMAGES));
    expect(r.ok).toBe(true);
    expect(pdfInfo(join(out, 'a.pdf')).pages).toBe(1);
  });
});

describe('leftovers of killed exports', () => {
  /** A pid that was in use and is not any more. */
  function deadPid(): number {
    const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    return Number(r.stdout);
  }

  it('removes only our pattern, only when its process is dead or the file is older than it', () => {
    const out = dir('sweep');
    const dead = `.all.pdf.cd-${deadPid()}-0123abcd.partial`;
    const oldOwn = `.m.csv.cd-${process.pid}-89abcdef.partial`;
    const liveOwn = `.n.csv.cd-${process.pid}-00000000.partial`;
    const foreign = '.all.pdf.0123abcd.partial';
    const other = 'notes.txt';
    for (const f of [dead, oldOwn, liveOwn, foreign, other]) writeFileSync(join(out, f), 'x');
    // Written before this process started: a previous process that had the same pid.
    const before = (Date.now() - process.uptime() * 1000) / 1000 - 3600;
    utimesSync(join(out, oldOwn), before, before);
    expect([dead, oldOwn, liveOwn].every((f) => PARTIAL_PATTERN.test(f))).toBe(true);
    expect(sweepPartials([out])).toBe(2);
    expect(readdirSync(out).sort()).toEqual([foreign, liveOwn, other].sort());
  });

  it('an export sweeps its target folder first and says how many it removed', async () => {
    const out = dir('sweep-run');
    writeFileSync(join(out, `.all.pdf.cd-${deadPid()}-0123abcd.partial`), '%PDF-1.3 plaintext');
    const r = await runExport({ pdf: join(out, 'all.pdf') }, demoSource(['2000000000000002'], DEMO_IMAGES));
    expect(r.ok && r.value.sweptPartials).toBe(1);
    expect(readdirSync(out)).toEqual(['all.pdf']);
  });
});

describe('an image that decompresses to hundreds of MB', () => {
  let script: string;
  let bomb: string;
  beforeAll(async () => {
    script = await bundleForNode('test/support/export-child.ts');
    bomb = join(root, 'bomb.png');
    writeFileSync(bomb, await makeBombPng(20_000, 20_000));
  }, 60_000);

  it('is refused from its header as damaged; the export goes on; peak RSS stays under 400 MB', async () => {
    expect(statSync(bomb).size).toBeLessThan(600_000);
    const out = dir('bomb');
    const child = spawn(process.execPath, [script, bomb, out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    const r = JSON.parse(stdout) as { ok: boolean; warnings: string[][]; files: number; maxRssMb: number };
    expect(r.ok).toBe(true);
    // Both orders carry the bomb as their front image; the backs are fine.
    expect(r.warnings).toEqual([
      ['2000000000000002', 'image-oversize', 'front'],
      ['2000000000000001', 'image-oversize', 'front'],
    ]);
    expect(r.maxRssMb).toBeLessThan(400);
    const pdf = join(out, 'bomb.pdf');
    expect(pdfInfo(pdf).pages).toBe(2);
    expect(pageText(pdf, 1)).toContain('正面照片尺寸过大，视为损坏');
    expect(pageText(pdf, 1)).toContain('over 8000 × 8000 px');
    // No image file for the refused side; the good back is written as it was.
    expect(existsSync(join(out, '2000000000000002-front.png'))).toBe(false);
    expect(readFileSync(join(out, '2000000000000002-back.jpg')).equals(BACK.bytes)).toBe(true);
  }, 60_000);
});
