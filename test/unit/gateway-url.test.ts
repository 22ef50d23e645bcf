import { describe, expect, it } from 'vitest';
import { GATEWAYS, resolveGatewayUrl } from '../../electron/core/gateway/client';

describe('resolveGatewayUrl', () => {
  it('names the two public gateways', () => {
    expect(resolveGatewayUrl('production')).toEqual({ ok: true, value: GATEWAYS.production });
    expect(resolveGatewayUrl('overseas')).toEqual({ ok: true, value: GATEWAYS.overseas });
  });
  it('takes https anywhere, plain http only to this machine (the session key would travel in clear)', () => {
    expect(resolveGatewayUrl('https://eco.taobao.com/router/rest').ok).toBe(true);
    expect(resolveGatewayUrl('http://127.0.0.1:8080/router/rest').ok).toBe(true);
    expect(resolveGatewayUrl('http://localhost/router/rest').ok).toBe(true);
    for (const bad of [
      'http://10.1.2.3/router/rest',
      'http://gw.api.taobao.com/router/rest',
      'ftp://x/y',
      'gw.api.taobao.com',
    ]) {
      const r = resolveGatewayUrl(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.kind).toBe('invalid-input');
    }
  });
});
