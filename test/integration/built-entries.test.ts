/**
 * The built entries (dist/) as they ship: each runs from its own folder, so anything it loads at
 * run time by a relative path must be there. The app's main bundle cannot be started here (no
 * Electron binary), so its run-time loads are checked statically; the harness is started for real.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/cli';

const DIST = resolve(__dirname, '../../dist');
const bundles = ['main', 'cli', 'harness', 'preload'].flatMap((d) =>
  existsSync(join(DIST, d))
    ? readdirSync(join(DIST, d))
        .filter((f) => /\.(m|c)?js$/.test(f))
        .map((f) => join(DIST, d, f))
    : [],
);

describe('built entries', () => {
  it('were built', () => {
    expect(bundles.some((b) => b.endsWith(join('main', 'main.js')))).toBe(true);
  });

  it.each(bundles.map((b) => [b.slice(DIST.length + 1), b]))(
    '%s loads nothing by a relative path that is not beside it',
    (_name, file) => {
      const text = readFileSync(file, 'utf8');
      const relative = [...text.matchAll(/(?:require|\))\(\s*["'](\.\.?\/[^"']+)["']\s*\)/g)].map(
        (m) => m[1] as string,
      );
      const missing = relative.filter((p) => !existsSync(resolve(dirname(file), p)));
      expect(missing).toEqual([]);
    },
  );

  it('the harness starts from dist/ and serves the desk', { timeout: 30_000 }, async () => {
    const child = spawn(
      process.execPath,
      [join(DIST, 'harness', 'harness.js'), '--demo', '--this-run-only'],
      {
        env: { ...process.env, CLEARANCE_DATA_DIR: tempDir('cd-built-harness-') },
        cwd: tempDir('cd-built-cwd-'),
      },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    try {
      const url = await new Promise<string>((ok, fail) => {
        child.stdout.on('data', (d) => {
          out += d;
          const m = /Open: (http:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(out);
          if (m) ok(m[1] as string);
        });
        child.on('exit', (code) => fail(new Error(`harness exited ${code}: ${err}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
