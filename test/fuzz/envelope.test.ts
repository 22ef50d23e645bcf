import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClearanceError, Result } from '../../electron/core/errors';
import { type Envelope, parseEnvelope, type ReplyFormat } from '../../electron/core/gateway/envelope';
import { fixture } from '../support/fixtures';
import { params, quick, timeout } from './runs';

const METHOD = 'tmall.hk.clearance.distribution.get';
const KEY = 'tmall_hk_clearance_distribution_get_response';
const FIXTURES = [
  'success-19-digit.json',
  'business-failure.json',
  'invalid-session.json',
  'isp-timeout.json',
  'throttled.json',
  'seed-error.xml',
  'seed-success.xml',
].map(fixture);

/** The only outcomes a reply may have: an envelope, or a protocol failure. Never a throw, never slow. */
function typed(body: string, format: ReplyFormat): Result<Envelope, ClearanceError> {
  const r = quick(3000, () => parseEnvelope(body, format, METHOD));
  if (r.ok) expect(['response', 'error']).toContain(r.value.type);
  else expect(r.error.kind).toBe('protocol');
  return r;
}

const format = fc.constantFrom<ReplyFormat>('json', 'xml');
const text = fc.string({ unit: 'binary', maxLength: 300 });
const name = fc.stringMatching(/^[A-Za-z_][\w.-]{0,12}$/);
const xmlText = fc
  .string({ maxLength: 20 })
  .map((s) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string));

/** A random XML tree under a random or the real root, as the gateway's XML would look. */
const xmlTree: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(name, xmlText).map(([n, t]) => `<${n}>${t}</${n}>`),
    fc
      .tuple(name, fc.array(tie('node'), { maxLength: 4 }))
      .map(([n, kids]) => `<${n}>${kids.join('')}</${n}>`),
  ),
})).node;

/** JSON text with the same key more than once, nested. */
const duplicateKeys = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom('result', 'module', 'order_id', 'success', 'a'), fc.jsonValue()), {
      minLength: 2,
      maxLength: 6,
    }),
  )
  .map(([pairs]) => {
    const inner = pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',');
    return `{"${KEY}":{${inner},${inner}}}`;
  });

describe('reply parsers (fuzz)', () => {
  it(
    'random text in either format',
    () => {
      fc.assert(
        fc.property(text, format, (t, f) => void typed(t, f)),
        params(),
      );
    },
    timeout(),
  );

  it(
    'random JSON values, under the real key and on their own',
    () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 6 }), format, (v, f) => {
          typed(JSON.stringify(v) ?? 'null', f);
          typed(`{"${KEY}":${JSON.stringify(v) ?? 'null'}}`, f);
          typed(`{"error_response":${JSON.stringify(v) ?? 'null'}}`, f);
        }),
        params(),
      );
    },
    timeout(),
  );

  it(
    'duplicate keys',
    () => {
      fc.assert(
        fc.property(duplicateKeys, format, (t, f) => void typed(t, f)),
        params(),
      );
    },
    timeout(),
  );

  it(
    'random XML trees, under the real root and truncated anywhere',
    () => {
      fc.assert(
        fc.property(xmlTree, fc.nat(), fc.boolean(), (tree, cut, decl) => {
          const body = `${decl ? '<?xml version="1.0" encoding="utf-8" ?>' : ''}<${KEY}>${tree}</${KEY}>`;
          typed(body, 'xml');
          typed(body.slice(0, cut % (body.length + 1)), 'xml');
          typed(tree, 'json');
        }),
        params(),
      );
    },
    timeout(),
  );

  it(
    'every fixture cut short at any byte, or with bytes changed',
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...FIXTURES),
          fc.nat(),
          fc.array(fc.tuple(fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })), {
            maxLength: 4,
          }),
          format,
          (fx, cut, edits, f) => {
            typed(fx.slice(0, cut % (fx.length + 1)), f);
            let mutated = fx;
            for (const [at, s] of edits) {
              const i = at % (mutated.length + 1);
              mutated = mutated.slice(0, i) + s + mutated.slice(i + 1);
            }
            typed(mutated, f);
          },
        ),
        params(),
      );
    },
    timeout(),
  );

  it(
    'deep nesting, in both formats, at many depths',
    () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 50_000 }),
          fc.constantFrom('[', '{"a":', '<a>'),
          format,
          (depth, open, f) => {
            typed(open.repeat(depth), f);
            if (open === '<a>') typed(`<${KEY}>${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}</${KEY}>`, f);
            if (open === '[') typed(`{"${KEY}":${'['.repeat(depth)}${']'.repeat(depth)}}`, f);
          },
        ),
        params(0.2),
      );
    },
    timeout(50),
  );
});
