import { describe, expect, it } from 'vitest';
import { banSeconds, classifyPlatformError } from '../../electron/core/gateway/classify';
import { parseEnvelope } from '../../electron/core/gateway/envelope';
import { fixture } from '../support/fixtures';

const METHOD = 'tmall.hk.clearance.distribution.get';

const parse = (name: string, format: 'json' | 'xml' = name.endsWith('.xml') ? 'xml' : 'json') => {
  const r = parseEnvelope(fixture(name), format, METHOD);
  if (!r.ok) throw new Error(`${name}: ${r.error.reason}`);
  return r.value;
};

describe('parseEnvelope on the fixtures', () => {
  it('success-19-digit.json: the 19-digit order_id comes back exactly (JSON.parse would round it)', () => {
    const env = parse('success-19-digit.json');
    expect(env.type).toBe('response');
    if (env.type !== 'response') return;
    const module = (env.body.result as Record<string, Record<string, unknown>>).module as Record<
      string,
      unknown
    >;
    expect(module.order_id).toBe('3728150192837465928');
    const rounded = JSON.parse(fixture('success-19-digit.json')).tmall_hk_clearance_distribution_get_response
      .result.module.order_id;
    expect(String(rounded)).not.toBe('3728150192837465928');
    expect(module.ocr_name).toBe('张三');
    expect(env.requestId).toBe('1f0abcd2e3f4');
  });

  it('seed-success.xml (the documentation page) parses with success true and string fields', () => {
    const env = parse('seed-success.xml');
    expect(env.type).toBe('response');
    if (env.type !== 'response') return;
    const result = env.body.result as Record<string, unknown>;
    expect(result.success).toBe('true');
    const module = result.module as Record<string, unknown>;
    expect(module).toMatchObject({
      order_id: '1460536261312998',
      ocr_id: '412921198810201123',
      ocr_exp: '20240101',
      type: '1',
    });
  });

  it('business-failure.json is a response whose result.success is false', () => {
    const env = parse('business-failure.json');
    expect(env.type).toBe('response');
    if (env.type === 'response')
      expect(env.body.result).toMatchObject({ success: false, err_code: 'Wrong order_id' });
  });

  it.each([
    [
      'invalid-session.json',
      { code: 27, subCode: 'invalid-sessionkey', requestId: '4c3d2e1f0a9b' },
      'session-invalid',
    ],
    ['throttled.json', { code: 7, subCode: 'accesscontrol.limited-by-app-access-count' }, 'throttled'],
    ['isp-timeout.json', { code: 15, subCode: 'isp.top-remote-connection-timeout' }, 'transient'],
    [
      'seed-error.xml',
      { code: 50, subCode: 'isv.invalid-parameter', subMsg: '非法参数' },
      'argument-invalid',
    ],
  ])('%s is a platform error classified as %s', (name, fields, reason) => {
    const env = parse(name);
    expect(env.type).toBe('error');
    if (env.type !== 'error') return;
    expect(env.error).toMatchObject(fields);
    expect(classifyPlatformError(env.error).reason).toBe(reason);
  });

  it('reads the ban length from the throttling sub_msg', () => {
    const env = parse('throttled.json');
    if (env.type !== 'error') throw new Error('expected error');
    expect(classifyPlatformError(env.error).advice).toEqual({ retry: 'ban', seconds: 2 });
    expect(banSeconds('This ban will last 71 more seconds')).toBe(71);
    expect(banSeconds('还有 30 秒解除')).toBe(30);
  });

  it('a ban longer than an hour is a spent quota, not a pause', () => {
    const c = classifyPlatformError({
      code: 7,
      subCode: 'accesscontrol.limited-by-api-access-count',
      subMsg: 'This ban will last for 71292 more seconds',
    });
    expect(c).toEqual({ reason: 'quota-exhausted', advice: { retry: 'no' } });
  });
});

describe('parseEnvelope refuses what is not an envelope', () => {
  it.each([
    ['<!DOCTYPE html><html><body>login</body></html>', 'protocol-html'],
    ['<html><head></head></html>', 'protocol-html'],
    ['{"tmall_hk_clearance_distribution_get_response":{"result":{"module"', 'protocol-malformed'],
    ['<tmall_hk_clearance_distribution_get_response><result>', 'protocol-malformed'],
    ['{"something_else":{}}', 'protocol-malformed'],
    ['[]', 'protocol-malformed'],
    ['', 'protocol-malformed'],
    ['OK', 'protocol-malformed'],
  ])('%j → %s', (body, reason) => {
    const r = parseEnvelope(body, 'json', METHOD);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.reason).toBe(reason);
      expect(r.error.kind).toBe('protocol');
    }
  });
});

describe('classifyPlatformError', () => {
  it.each([
    [{ code: 25, msg: 'Invalid Signature' }, 'signature-invalid', 'auth'],
    [{ code: 24 }, 'signature-invalid', 'auth'],
    [{ code: 26 }, 'session-missing', 'auth'],
    [{ code: 27 }, 'session-invalid', 'auth'],
    [{ code: 28 }, 'app-key-invalid', 'auth'],
    [{ code: 29 }, 'app-key-invalid', 'auth'],
    [{ code: 11 }, 'permission', 'permission'],
    [{ code: 12 }, 'permission', 'permission'],
    [{ code: 13 }, 'permission', 'permission'],
    [{ code: 42 }, 'permission', 'permission'],
    [{ code: 31 }, 'timestamp-invalid', 'auth'],
    [{ code: 40, subCode: 'isv.missing-parameter' }, 'argument-invalid', 'invalid-input'],
    [{ code: 41 }, 'argument-invalid', 'invalid-input'],
    [{ code: 10, subCode: 'isp.service-unavailable' }, 'transient', 'transient'],
    [{ code: 50, subCode: 'isp.unknown-error' }, 'transient', 'transient'],
    [{ code: 11, subCode: 'isv.permission-api-package-limit' }, 'permission', 'permission'],
    [{ code: 5 }, 'throttled', 'throttled'],
  ])('%j → %s', (error, reason, kind) => {
    const c = classifyPlatformError(error);
    expect(c.reason).toBe(reason);
    const retryable = kind === 'transient' || kind === 'throttled';
    expect(c.advice.retry !== 'no').toBe(retryable);
  });
});
