import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../electron/core/gateway/envelope';

const METHOD = 'tmall.hk.clearance.distribution.get';
const KEY = 'tmall_hk_clearance_distribution_get_response';
const ok = (name: string) =>
  `<${KEY}><result><success>true</success><module><order_id>1</order_id><ocr_name>${name}</ocr_name></module></result></${KEY}>`;

describe('parseEnvelope on hostile replies', () => {
  it.each([
    [
      'an external entity',
      `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${ok('&x;')}`,
    ],
    ['an internal entity', `<!DOCTYPE r [<!ENTITY a "x">]>${ok('&a;')}`],
    ['nested entities', `<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>${ok('&b;')}`],
    ['a bare DOCTYPE', `<?xml version="1.0"?><!DOCTYPE ${KEY}>${ok('x')}`],
    ['a DOCTYPE after a comment', `<!-- hi --><!doctype r SYSTEM "http://127.0.0.1/x.dtd">${ok('x')}`],
  ])('XML with %s is a protocol failure, never a throw', (_what, body) => {
    let r: ReturnType<typeof parseEnvelope> | undefined;
    expect(() => {
      r = parseEnvelope(body, 'xml', METHOD);
    }).not.toThrow();
    expect(r?.ok).toBe(false);
    if (r && !r.ok) {
      expect(r.error.kind).toBe('protocol');
      expect(r.error.reason).toBe('protocol-malformed');
    }
  });

  it.each([
    ['deep JSON arrays', '['.repeat(200_000)],
    ['deep JSON objects', '{"a":'.repeat(100_000)],
    ['deep valid XML', `${'<a>'.repeat(100_000)}x${'</a>'.repeat(100_000)}`],
    ['a lone surrogate escape', `{"${KEY}":{"x":"\\ud800"}}`],
    ['NUL bytes', `{"${KEY}":\u0000}`],
  ])('%s: a protocol failure or an envelope, never a throw', (_what, body) => {
    for (const format of ['json', 'xml'] as const) {
      const r = parseEnvelope(body, format, METHOD);
      if (!r.ok) expect(r.error.kind).toBe('protocol');
    }
  });

  it('the documented XML still parses (entities of XML itself are kept)', () => {
    const r = parseEnvelope(`<?xml version="1.0" encoding="utf-8" ?>${ok('A&amp;B')}`, 'xml', METHOD);
    expect(r.ok).toBe(true);
    if (r.ok && r.value.type === 'response') {
      expect((r.value.body.result as { module: { ocr_name: string } }).module.ocr_name).toBe('A&B');
    }
  });
});
