import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signParams } from '../../electron/core/gateway/sign';

describe('signParams', () => {
  const officialVector = {
    method: 'taobao.item.seller.get',
    app_key: '12345678',
    session: 'test',
    timestamp: '2016-01-01 12:00:00',
    format: 'json',
    v: '2.0',
    sign_method: 'md5',
    fields: 'num_iid,title,nick,price,num',
    num_iid: '11223344',
  };

  it('reproduces the official md5 vector from the signing document', () => {
    expect(signParams(officialVector, 'helloworld', 'md5')).toBe('66987CB115214E59E6EC978214934FB8');
  });

  // Independent computation: the base string written out by hand, in sorted order.
  const base =
    'app_key12345678fieldsnum_iid,title,nick,price,numformatjsonmethodtaobao.item.seller.get' +
    'num_iid11223344sessiontestsign_methodmd5timestamp2016-01-01 12:00:00v2.0';

  it('the hand-written base string is the one the vector was computed from', () => {
    const md5 = createHash('md5').update(`helloworld${base}helloworld`).digest('hex').toUpperCase();
    expect(md5).toBe('66987CB115214E59E6EC978214934FB8');
  });

  it('hmac is HMAC-MD5 keyed by the secret over the sorted name+value string, upper-case hex', () => {
    const expected = createHmac('md5', 'helloworld').update(base).digest('hex').toUpperCase();
    expect(signParams(officialVector, 'helloworld', 'hmac')).toBe(expected);
  });

  it('hmac-sha256 is HMAC-SHA256 keyed by the secret, upper-case hex', () => {
    const expected = createHmac('sha256', 'helloworld').update(base).digest('hex').toUpperCase();
    expect(signParams(officialVector, 'helloworld', 'hmac-sha256')).toBe(expected);
    expect(expected).toMatch(/^[0-9A-F]{64}$/);
  });

  it('drops empty values and the sign parameter itself', () => {
    const withNoise = { ...officialVector, sign: 'WHATEVER', target_app_key: '', partner_id: undefined };
    expect(signParams(withNoise, 'helloworld', 'md5')).toBe('66987CB115214E59E6EC978214934FB8');
  });

  it('does not depend on the order the parameters were given in', () => {
    const reversed = Object.fromEntries(Object.entries(officialVector).reverse());
    expect(signParams(reversed, 'helloworld', 'md5')).toBe('66987CB115214E59E6EC978214934FB8');
  });

  it('signs Chinese values as UTF-8 bytes', () => {
    const params = { method: 'x', q: '张三 订单' };
    const expected = createHash('md5')
      .update(Buffer.concat([Buffer.from('s'), Buffer.from('methodxq张三 订单', 'utf8'), Buffer.from('s')]))
      .digest('hex')
      .toUpperCase();
    expect(signParams(params, 's', 'md5')).toBe(expected);
    // A Latin-1 reading of the same text would give another digest: the bug that caused "Invalid Signature".
    const latin1 = createHash('md5')
      .update(Buffer.from('smethodxq张三 订单s', 'latin1'))
      .digest('hex')
      .toUpperCase();
    expect(signParams(params, 's', 'md5')).not.toBe(latin1);
  });
});
