import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoImages, type Simulator, startSimulator } from '../../electron/core/demo/simulator';
import { runCli, tempDir } from '../support/cli';

let sim: Simulator;
let env: Record<string, string>;
beforeAll(async () => {
  sim = await startSimulator();
  env = {
    CLEARANCE_DATA_DIR: tempDir('cd-get-data-'),
    CLEARANCE_GATEWAY: sim.url,
    CLEARANCE_APP_KEY: sim.credentials.appKey,
    CLEARANCE_APP_SECRET: sim.credentials.appSecret,
    CLEARANCE_SESSION: sim.credentials.session,
  };
});
afterAll(() => sim.close());

const json = (stdout: string) => {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1); // exactly one JSON object on stdout
  return JSON.parse(lines[0] as string);
};

describe('clearance-desk get', () => {
  it('--json: one object with the record, 19 digits intact, exit 0', async () => {
    const r = await runCli(['get', '3728150192837465928', '--json'], env);
    expect(r.code).toBe(0);
    const out = json(r.stdout);
    expect(out).toMatchObject({
      ok: true,
      record: {
        orderId: '3728150192837465928',
        idNumber: '11010519491231002X',
        expiry: '20340101',
        idType: 1,
        images: { front: null, back: null },
      },
    });
    expect(r.stdout).toContain('"orderId":"3728150192837465928"');
  });

  it('--image saves <order_id>-front.jpg / -back.jpg byte-identical to what the gateway served', async () => {
    const out = tempDir('cd-get-out-');
    const r = await runCli(['get', '2000000000000002', '--image', '--json', '--out', out], env);
    expect(r.code).toBe(0);
    const rec = json(r.stdout).record;
    expect(rec.images.front).toBe(join(out, '2000000000000002-front.jpg'));
    expect(readFileSync(rec.images.front).equals(demoImages().front)).toBe(true);
    expect(readFileSync(rec.images.back).equals(demoImages().back)).toBe(true);
  });

  it('human output masks the ID number and name unless --reveal', async () => {
    const masked = await runCli(['get', '3728150192837465928'], env);
    expect(masked.code).toBe(0);
    expect(masked.stdout).toContain('1101**********002X');
    expect(masked.stdout).not.toContain('11010519491231002X');
    expect(masked.stdout).not.toContain('王芳');
    const shown = await runCli(['get', '3728150192837465928', '--reveal', '--lang', 'en'], env);
    expect(shown.stdout).toContain('11010519491231002X');
    expect(shown.stdout).toContain('Order');
  });

  it('validation warnings are shown: the documentation sample fails its check digit and is expired', async () => {
    const r = await runCli(['get', '1460536261312998', '--json', '--lang', 'en'], env);
    const codes = json(r.stdout).warnings.map((w: { code: string }) => w.code);
    expect(codes).toEqual(expect.arrayContaining(['check-digit', 'expired']));
  });

  it.each([
    [['get', 'abc'], 2, 'invalid-input'],
    [['get', '1234567'], 3, 'business'],
    [['get', '9000000000000027'], 4, 'auth'],
    [['get', '9000000000000011'], 4, 'permission'],
    [['get', '9000000000000007'], 5, 'throttled'],
    [['get', '9000000000000200'], 6, 'protocol'],
  ])('%j exits %i with kind %s, one JSON object, no stack', async (args, code, kind) => {
    const r = await runCli([...(args as string[]), '--json'], env);
    expect(r.code).toBe(code);
    const out = json(r.stdout);
    expect(out).toMatchObject({ ok: false, error: { kind } });
    expect(out.error.message.length).toBeGreaterThan(10);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a wrong secret is exit 4 (signature), and the secret is never printed', async () => {
    const r = await runCli(['get', '1460536261312998', '--json'], {
      ...env,
      CLEARANCE_APP_SECRET: 'not-the-secret-123',
    });
    expect(r.code).toBe(4);
    expect(json(r.stdout).error).toMatchObject({ kind: 'auth', code: 25 });
    expect(r.stdout + r.stderr).not.toContain('not-the-secret-123');
  });

  it('a dead gateway is exit 5 (network) after retries', async () => {
    const r = await runCli(['get', '1', '--json'], {
      ...env,
      CLEARANCE_GATEWAY: 'http://127.0.0.1:9/router/rest',
    });
    expect(r.code).toBe(5);
    expect(json(r.stdout).error.kind).toBe('network');
  }, 60_000);

  it('missing settings say which variable to set; secrets are not taken from argv', async () => {
    const r = await runCli(['get', '1', '--app-key', 'k'], {
      CLEARANCE_DATA_DIR: env.CLEARANCE_DATA_DIR as string,
      CLEARANCE_GATEWAY: sim.url,
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('CLEARANCE_APP_SECRET');
    const bad = await runCli(['get', '1', '--app-secret', 'x'], env);
    expect(bad.code).toBe(2);
  });

  it('--demo runs against the embedded simulator with no settings at all', async () => {
    const r = await runCli(['get', '2000000000000004', '--demo', '--json'], {
      CLEARANCE_DATA_DIR: tempDir(),
    });
    expect(r.code).toBe(0);
    expect(json(r.stdout).record.orderId).toBe('2000000000000004');
  });

  it('no output line ever carries an image URL', async () => {
    const r = await runCli(
      ['get', '2000000000000002', '--image', '--json', '--verbose', '--out', tempDir()],
      env,
    );
    expect(r.stdout + r.stderr).not.toContain('/img/');
  });

  it('unmasked output is audited even with --no-store; with no keychain for the audit, output stays masked (exit 4)', async () => {
    const dataDir = tempDir('cd-get-audit-');
    const shown = await runCli(['get', '3728150192837465928', '--demo', '--no-store', '--json'], {
      CLEARANCE_DATA_DIR: dataDir,
    });
    expect(shown.code).toBe(0);
    expect(json(shown.stdout)).toMatchObject({
      record: { idNumber: '11010519491231002X' },
      masked: false,
      stored: false,
    });
    const audit = await runCli(['audit', 'list', '--json'], { CLEARANCE_DATA_DIR: dataDir });
    expect(audit.stdout).toContain('"reveal"');
    expect(audit.stdout).toContain('3728150192837465928');
    // A real gateway's answer with nowhere to audit stays masked (the demo gets a throwaway vault instead).
    const noKeyring = await runCli(['get', '3728150192837465928', '--no-store', '--json'], {
      ...env,
      CLEARANCE_DATA_DIR: tempDir(),
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent',
    });
    expect(noKeyring.code).toBe(4);
    expect(json(noKeyring.stdout)).toMatchObject({
      record: { idNumber: '1101**********002X', name: '王*' },
      masked: true,
    });
    expect(noKeyring.stdout).not.toContain('11010519491231002X');
  });
});
