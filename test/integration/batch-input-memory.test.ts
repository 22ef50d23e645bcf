// Bounded memory for hostile batch input, measured in the command's own process: peak RSS from
// process.resourceUsage().maxRSS, written on exit by a preloaded script.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, outputOf, tempDir } from '../support/cli';
import { zipBomb } from '../support/zip-bomb';

const PRELOAD = new URL('../support/max-rss.cjs', import.meta.url).pathname;
const MiB = 1024 * 1024;

async function runMeasured(
  args: string[],
  cwd: string,
): Promise<{ code: number | null; out: string; err: string; rssMiB: number }> {
  const rssFile = join(cwd, `rss-${Math.random().toString(36).slice(2)}`);
  const child = spawn(process.execPath, ['--require', PRELOAD, CLI, ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      CLEARANCE_DATA_DIR: join(cwd, 'data'),
      CLEARANCE_LANG: 'en',
      MAX_RSS_FILE: rssFile,
    },
  });
  child.stdin.end();
  const r = await outputOf(child);
  return { code: r.code, out: r.stdout, err: r.stderr, rssMiB: Number(readFileSync(rssFile, 'utf8')) / 1024 };
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('batch input memory stays bounded', () => {
  const dir = tempDir('cd-mem-');
  beforeAll(async () => {
    // 50 MB on one line: ids and commas, as a runaway paste or a wrong file would be.
    const out = createWriteStream(join(dir, 'one-line.txt'));
    const piece = '3000000000000001,'.repeat(64 * 1024);
    for (let written = 0; written < 50_000_000; written += piece.length) {
      if (!out.write(piece)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
    writeFileSync(join(dir, 'bomb.xlsx'), zipBomb(1024));
    writeFileSync(join(dir, 'liar.xlsx'), zipBomb(1024, { declaredSheetSize: 4096 }));
  }, 60_000);

  it('a 50 MB single-line file: the line is refused with its number, peak RSS well under 400 MB', async () => {
    const r = await runMeasured(['batch', 'one-line.txt', '--demo'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/line 1 /);
    expect(r.err).toContain('longer than 1 MiB');
    noStack(r.err + r.out);
    console.log(`50 MB single line: peak RSS ${r.rssMiB.toFixed(0)} MiB`);
    expect(r.rssMiB).toBeLessThan(200);
  }, 60_000);

  it('the same with --json: one object that lists the refused line', async () => {
    const r = await runMeasured(['batch', 'one-line.txt', '--demo', '--json'], dir);
    expect(r.code).toBe(2);
    const body = JSON.parse(r.out);
    expect(body.invalid).toEqual([{ line: 1, reason: 'input-line-too-long', preview: expect.any(String) }]);
  }, 60_000);

  it.each([
    ['an XLSX that expands to 1 GiB', 'bomb.xlsx'],
    ['an XLSX that declares 4 KiB and expands to 1 GiB', 'liar.xlsx'],
  ])(
    '%s is refused before it is expanded',
    async (_what, file) => {
      const r = await runMeasured(['batch', file, '--demo', '--json'], dir);
      expect(r.code).toBe(2);
      expect(JSON.parse(r.out).error).toMatchObject({ kind: 'invalid-input', reason: 'input-too-large' });
      expect(JSON.parse(r.out).error.message).toContain('16 MiB');
      console.log(`${file}: peak RSS ${r.rssMiB.toFixed(0)} MiB`);
      expect(r.rssMiB).toBeLessThan(200);
      expect(r.rssMiB * MiB).toBeLessThan(1024 * MiB);
    },
    60_000,
  );
});
