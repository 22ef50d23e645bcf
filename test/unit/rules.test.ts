import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, type Channel, ipcName, type Preferences } from '../../electron/contract';
import { DEFAULT_BATCH_OPTIONS } from '../../electron/core/batch/types';
import { clearanceError, orderFailureMessage } from '../../electron/core/errors';
import { fsError } from '../../electron/core/fsutil';
import { normalizeOrderId } from '../../electron/core/gateway/order-id';
import * as rules from '../../electron/core/rules';
import { defaultSettings, preferencesSchema, profileSchema } from '../../electron/core/settings/schema';
import { type Backend, createBackend } from '../../electron/main/backend';
import { type IpcMainLike, registerHandlers, type SenderInfo } from '../../electron/main/ipc';
import { NEW_PROFILE_DRAFT } from '../../renderer/src/views/settings/ProfileForm';
import { tempDir } from '../support/cli';

describe('the rules module', () => {
  it('imports nothing, so the renderer can take it as it is', () => {
    const source = readFileSync(new URL('../../electron/core/rules.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/^\s*import\s/m);
    expect(source).not.toMatch(/\brequire\(/);
  });

  it('a new profile gets the rules defaults from the settings schema: hmac-sha256, 10 calls/s, production', () => {
    const p = profileSchema.parse({ name: 'shop1', appKey: '12345678' });
    expect(p).toMatchObject({
      signMethod: rules.DEFAULT_SIGN_METHOD,
      qps: rules.QPS.default,
      gateway: rules.DEFAULT_GATEWAY,
    });
    expect(rules.PROFILE_DEFAULTS).toMatchObject({
      signMethod: 'hmac-sha256',
      qps: 10,
      gateway: 'production',
    });
    expect(DEFAULT_BATCH_OPTIONS.qps).toBe(rules.QPS.default);
  });

  it('the new-profile form, the command and the settings file start a profile with the same values', () => {
    const file = profileSchema.parse({ name: 'shop1', appKey: 'k' });
    // The command adds what the user named and lets the settings schema fill in the rest.
    expect(NEW_PROFILE_DRAFT).toMatchObject({
      gatewayChoice: file.gateway,
      signMethod: file.signMethod,
      qps: String(file.qps),
      displayName: file.displayName,
    });
    expect(DEFAULT_BATCH_OPTIONS.qps).toBe(file.qps);
    // The form's name pattern is the rule's, as the browser compiles it (anchored, `v` flag).
    const html = new RegExp(`^(?:${rules.PROFILE_NAME_HTML_PATTERN})$`, 'v');
    for (const name of [
      'shop1',
      'a',
      'A.b_c-d',
      'x'.repeat(40),
      'x'.repeat(41),
      '-a',
      '_a',
      'a b',
      '店',
      'a/b',
      '',
    ]) {
      expect(html.test(name), name).toBe(rules.PROFILE_NAME_PATTERN.test(name));
    }
  });

  it('the contract and the settings schema accept and refuse the same edges of every limit', () => {
    const save = CHANNELS['profile.save'].request;
    const base = {
      name: 'shop1',
      displayName: '',
      appKey: 'k',
      gateway: 'production',
      signMethod: 'md5',
      targetAppKey: null,
      sessionExpiresAt: null,
      qps: 10,
    };
    for (const qps of [rules.QPS.min, rules.QPS.max]) {
      expect(save.safeParse({ ...base, qps }).success).toBe(true);
      expect(
        profileSchema.safeParse({ ...base, targetAppKey: undefined, sessionExpiresAt: undefined, qps })
          .success,
      ).toBe(true);
    }
    for (const qps of [rules.QPS.min - 1, rules.QPS.max + 1]) {
      expect(save.safeParse({ ...base, qps }).success).toBe(false);
      expect(
        profileSchema.safeParse({ ...base, targetAppKey: undefined, sessionExpiresAt: undefined, qps })
          .success,
      ).toBe(false);
    }
    const patch = CHANNELS['settings.setPreferences'].request;
    for (const [key, rule] of Object.entries(rules.RETENTION)) {
      const full = { ...defaultSettings().preferences };
      for (const [v, okay] of [
        [rule.min, true],
        [rule.max, true],
        [rule.min - 1, false],
        [rule.max + 1, false],
      ] as const) {
        expect(patch.safeParse({ [key]: v }).success, `${key}=${v} (contract)`).toBe(okay);
        expect(preferencesSchema.safeParse({ ...full, [key]: v }).success, `${key}=${v} (settings)`).toBe(
          okay,
        );
      }
    }
    // One day of audit is the settings schema's minimum; the contract no longer asks for 30.
    expect(patch.safeParse({ auditRetentionDays: 1 }).success).toBe(true);
    const long = 'x'.repeat(rules.FIELD.watermark.max + 1);
    expect(patch.safeParse({ watermarkText: long }).success).toBe(false);
    expect(preferencesSchema.safeParse({ watermarkText: long }).success).toBe(false);
    expect(defaultSettings().preferences.watermarkText).toBe(rules.DEFAULT_WATERMARK);
  });

  it('one order-id pattern: the normaliser, the contract and the pattern test agree', () => {
    const orderId = CHANNELS['record.reveal'].request;
    for (const s of ['1', '3728150192837465928', '9'.repeat(20), '9'.repeat(21), '12a', '', ' 1']) {
      const n = normalizeOrderId(s);
      expect(orderId.safeParse({ orderId: s }).success, s).toBe(rules.isOrderIdText(s));
      if (rules.isOrderIdText(s)) expect(n.ok && rules.isOrderIdText(n.value)).toBe(true);
    }
    expect(normalizeOrderId('9'.repeat(21)).ok).toBe(false);
  });

  it('diskFull knows the three words for a full disk, and every caller says disk-full for each', () => {
    for (const code of ['ENOSPC', 'EDQUOT', 'SQLITE_FULL']) {
      const err = Object.assign(new Error('full'), { code });
      expect(rules.diskFull(err)).toBe(true);
      expect(fsError(err).reason).toBe('disk-full');
    }
    for (const v of [new Error('x'), { code: 'EACCES' }, null, undefined, 'ENOSPC', { code: 28 }]) {
      expect(rules.diskFull(v)).toBe(false);
    }
  });

  it("an order's failure message keeps its sub-code, for the command and the desk alike", () => {
    const m = orderFailureMessage({
      reason: 'argument-invalid',
      code: '41',
      subCode: 'isv.invalid-parameter',
    });
    expect(m['en-US']).toContain('isv.invalid-parameter');
    expect(m['zh-CN']).toContain('isv.invalid-parameter');
    expect(m).toEqual(
      clearanceError('argument-invalid', { code: '41', subCode: 'isv.invalid-parameter' }).message,
    );
    // A reason a later release wrote reads as internal, not as a crash.
    expect(orderFailureMessage({ reason: 'from-the-future', code: null, subCode: null })).toEqual(
      clearanceError('internal').message,
    );
  });

  it('every state has a label in both languages, and long-term reads 长期有效', () => {
    const tables: [readonly string[], Record<string, rules.Label>][] = [
      [rules.EXPIRY_STATUSES, rules.EXPIRY_STATUS_LABELS],
      [rules.RECORD_FLAGS, rules.RECORD_FLAG_LABELS],
      [rules.SESSION_HEALTHS, rules.SESSION_HEALTH_LABELS],
      [rules.JOB_STATES, rules.JOB_STATE_LABELS],
      [rules.ITEM_STATES, rules.ITEM_STATE_LABELS],
    ];
    for (const [names, labels] of tables) {
      expect(Object.keys(labels).sort()).toEqual([...names].sort());
      for (const l of Object.values(labels)) {
        expect(l.zh).not.toBe('');
        expect(l.en).toMatch(/^[a-z]/);
      }
    }
    expect(rules.EXPIRY_STATUS_LABELS['long-term'].zh).toBe('长期有效');
  });
});

describe('a preferences patch through IPC', () => {
  let backend: Backend;
  const registry = new Map<string, (e: SenderInfo, p: unknown) => Promise<unknown>>();
  const call = async (channel: Channel, request: unknown) =>
    (await (registry.get(ipcName(channel)) as (e: SenderInfo, p: unknown) => Promise<unknown>)(
      { senderFrame: { url: 'app://desk/index.html' } },
      request,
    )) as { ok: boolean; value: unknown };

  beforeAll(async () => {
    const dataDir = tempDir('cd-rules-');
    backend = await createBackend({
      env: { ...process.env, CLEARANCE_DATA_DIR: dataDir },
      secretsMode: 'memory',
      demo: false,
      host: {
        imageUrl: (id, side) => `cd-image://image/${id}/${side}`,
        emit: () => {},
        chooseExportTarget: async () => null,
        chooseImportFile: async () => null,
      },
    });
    const ipc: IpcMainLike = {
      handle: (c, l) => registry.set(c, l),
      removeHandler: (c) => registry.delete(c),
    };
    registerHandlers(ipc, backend.handlers, 'app://desk');
  });
  afterAll(async () => backend?.close());

  it('changes the one field it names and leaves every other as it was', async () => {
    const first = await call('settings.setPreferences', {
      language: 'en-US',
      retentionDays: 7,
      auditRetentionDays: 400,
      expiringSoonDays: 45,
      watermarkText: '仅供海关使用',
      downloadImagesByDefault: false,
      imageRetentionDays: 3,
    });
    expect(first.ok).toBe(true);
    const before = first.value as Preferences;
    const after = await call('settings.setPreferences', { retentionDays: 9 });
    expect(after).toEqual({ ok: true, value: { ...before, retentionDays: 9 } });
    const read = (await call('settings.get', {})) as { value: { preferences: Preferences } };
    expect(read.value.preferences).toEqual({ ...before, retentionDays: 9 });
  });
});
