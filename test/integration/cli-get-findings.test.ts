/**
 * `clearance-desk get` shows the checks before declaring for the order it fetched: the built
 * command, the demo gateway over loopback, a real vault (its key in a file, no keychain needed)
 * and an order sheet this test writes and imports. Each finding is named by its code, on the card
 * and in `--json`, and no message carries an ID number in full.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../electron/core/demo/simulator';
import { openVault } from '../../electron/core/vault/vault';
import { runCli, tempDir } from '../support/cli';
import { gb18030 } from '../support/gb18030';
import { fakeFetch } from '../support/vault-fetch';

const WANG = '3728150192837465928'; // 王芳, valid; the sheet calls the consignee 王小芳
const WANG_ID = '11010519491231002X';
const CHEN = '2000000000000001'; // 陈伟, ID expired 2023-06-30
const LIU = '2000000000000002'; // 刘洋, not on the sheet
const EARLIER = '3900000000000011'; // stored earlier under 王芳's ID number, consignee 王芳
const OTHER = '3900000000000012'; // the same ID number again, a third consignee name

let sim: Simulator;
let env: Record<string, string>;
let dataDir: string;
let work: string;

const json = (stdout: string) => {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] as string);
};

beforeAll(async () => {
  sim = await startSimulator();
  dataDir = tempDir('cd-get-findings-');
  work = tempDir('cd-get-findings-work-');
  const keyFile = join(tempDir('cd-get-findings-key-'), 'vault-key');
  env = {
    CLEARANCE_DATA_DIR: dataDir,
    CLEARANCE_VAULT_KEY_FILE: keyFile,
    CLEARANCE_GATEWAY: sim.url,
    CLEARANCE_APP_KEY: sim.credentials.appKey,
    CLEARANCE_APP_SECRET: sim.credentials.appSecret,
    CLEARANCE_SESSION: sim.credentials.session,
  };
  const made = await runCli(['vault', 'key', '--new', keyFile], env);
  expect(made.code, made.stderr).toBe(0);
  writeFileSync(
    join(work, '订单表.csv'),
    gb18030(
      [
        '交易订单号,物流单号,收货人,手机,实付金额,下单时间',
        `${EARLIER},SF001,王芳,13800000001,"20,000.00",2025-03-01 09:00:00`,
        `${OTHER},SF002,芳芳,13800000002,1500.00,2025-05-01 09:00:00`,
        `${WANG},SF100,王小芳,13812341234,5000.01,2025-06-15 10:00:00`,
        `${CHEN},SF300,陈伟,13900001111,100.00,2025-06-15 10:02:00`,
      ].join('\r\n'),
    ),
  );
  const imported = await runCli(['orders', 'import', '订单表.csv', '--json'], env, { cwd: work });
  expect(imported.code, imported.stderr).toBe(0);
  // Two earlier orders of the same person, as a previous day's lookups would have stored them.
  const vault = openVault({ path: join(dataDir, 'vault.db'), key: readFileSync(keyFile, 'utf8').trim() });
  try {
    for (const id of [EARLIER, OTHER])
      vault.saveFetch(fakeFetch(id, { name: '王芳', idNumber: WANG_ID, expiry: '20340101' }), 'env');
  } finally {
    vault.close();
  }
});
afterAll(() => sim.close());

describe('get: the checks before declaring', () => {
  it('a scanned waybill: name mismatch, both limits and the shared ID on the card, by code, masked', async () => {
    const r = await runCli(['get', 'SF100', '--lang', 'en'], env);
    expect(r.code, r.stderr).toBe(0);
    const found = r.stdout.split('\n').filter((l) => l.startsWith('✗ '));
    expect(found.map((l) => l.match(/\[([a-z-]+)\]$/)?.[1])).toEqual([
      'name-mismatch',
      'over-order-limit',
      'over-annual-limit',
      'shared-id',
    ]);
    expect(r.stdout).toContain(`Order ${WANG}: paid ¥5,000.01, over the per-order limit of ¥5,000.00`);
    expect(r.stdout).toContain('reaches ¥26,500.01 in 2025, over the annual limit of ¥26,000.00');
    expect(r.stdout).toContain('ID 1101**********002X is on 3 orders with 3 different consignee names');
    expect(r.stdout).not.toContain(WANG_ID);
    expect(r.stdout).not.toContain('王小芳');
  });

  it('--json lists the findings by code; the record is revealed (audited), the findings never', async () => {
    const r = await runCli(['get', WANG, '--json', '--lang', 'en'], env);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r.stdout);
    expect(out.record.idNumber).toBe(WANG_ID);
    expect(out.findings.map((f: { code: string }) => f.code)).toEqual([
      'name-mismatch',
      'over-order-limit',
      'over-annual-limit',
      'shared-id',
    ]);
    expect(JSON.stringify(out.findings)).not.toContain(WANG_ID);
    expect(JSON.stringify(out.findings)).not.toMatch(/王小芳|13812341234/);
  });

  it('an ID that expired before today, an order missing from the sheet, and the settings’ limit', async () => {
    const chen = json((await runCli(['get', CHEN, '--json'], env)).stdout);
    expect(chen.findings.map((f: { code: string }) => f.code)).toEqual(['expires-before-declaration']);
    expect(chen.findings[0].message).toContain('证件于 2023-06-30 到期');
    const liu = json((await runCli(['get', LIU, '--json', '--no-store'], env)).stdout);
    expect(liu.findings.map((f: { code: string }) => f.code)).toEqual(['no-sheet-row']);
    // The limit is a setting: raised above the amount, the per-order finding goes.
    const settingsFile = join(dataDir, 'settings.json');
    const settings = existsSync(settingsFile) ? JSON.parse(readFileSync(settingsFile, 'utf8')) : {};
    settings.preferences = { ...settings.preferences, orderLimitFen: 600_000 };
    writeFileSync(settingsFile, JSON.stringify(settings));
    const human = await runCli(['get', 'SF100'], env);
    expect(human.stdout).not.toContain('[over-order-limit]');
    expect(human.stdout).toContain('[name-mismatch]');
  });

  it('without a vault the identity’s own check still runs', async () => {
    const bare = { ...env, CLEARANCE_DATA_DIR: tempDir('cd-get-findings-bare-') };
    delete (bare as Record<string, string | undefined>).CLEARANCE_VAULT_KEY_FILE;
    const r = await runCli(['get', CHEN, '--no-store'], bare);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('[expires-before-declaration]');
    expect(r.stdout).not.toContain('[no-sheet-row]');
  });
});
