// The built command against a hostile gateway (test/support/hostile-gateway.ts): for each fault,
// what the user sees (exit status, kind of message), that nothing was kept for a failed order, and
// that no stack trace is ever printed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli';
import {
  HOSTILE_NAME,
  HOSTILE_REQUEST_ID,
  type HostileFault,
  type HostileGateway,
  startHostileGateway,
} from '../support/hostile-gateway';

// One order id per fault, so each call's answer is fixed by the id alone.
const ORDER: Record<HostileFault, string> = {
  ok: '3100000000000001',
  html: '3100000000000002',
  half: '3100000000000003',
  'gzip-garbage': '3100000000000004',
  slowloris: '3100000000000005',
  'wrong-content-type': '3100000000000006',
  'length-mismatch': '3100000000000007',
  'doctype-xml': '3100000000000008',
  'external-entity-xml': '3100000000000009',
  'other-order': '3100000000000010',
  'control-chars': '3100000000000011',
  reset: '3100000000000012',
  'padded-echo': '3100000000000013',
  'trickle-forever': '3100000000000014',
};

/** What the user must see for each fault: exit status, error kind and reason (null on success). */
const EXPECTED: [HostileFault, number, string | null, string | null][] = [
  ['html', 6, 'protocol', 'protocol-html'],
  ['half', 6, 'protocol', 'protocol-malformed'],
  ['gzip-garbage', 6, 'protocol', 'protocol-malformed'],
  ['doctype-xml', 6, 'protocol', 'protocol-malformed'],
  ['external-entity-xml', 6, 'protocol', 'protocol-malformed'],
  ['other-order', 6, 'protocol', 'protocol-order-mismatch'],
  ['length-mismatch', 5, 'network', 'network-unreachable'],
  ['reset', 5, 'network', 'network-unreachable'],
  ['slowloris', 0, null, null],
  ['wrong-content-type', 0, null, null],
  ['control-chars', 0, null, null],
];

const STACK = /\n\s+at .+:\d+:\d+|\bat (?:async )?\w+ \(|node:internal/;
// Raw terminal controls, C1 and bidi overrides: never in human output.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

let gw: HostileGateway;
let env: Record<string, string>;
beforeAll(async () => {
  gw = await startHostileGateway(
    Object.fromEntries(Object.entries(ORDER).map(([fault, id]) => [id, fault as HostileFault])),
  );
  env = {
    CLEARANCE_DATA_DIR: tempDir('cd-hostile-data-'),
    CLEARANCE_GATEWAY: gw.url,
    CLEARANCE_APP_KEY: 'hostile-app-key',
    CLEARANCE_APP_SECRET: 'hostile-app-secret',
    CLEARANCE_SESSION: 'hostile-session',
    CLEARANCE_LANG: 'en',
  };
});
afterAll(() => gw.close());

async function stored(orderId: string): Promise<boolean> {
  const r = await runCli(['records', 'show', orderId, '--json'], env);
  if (r.code === 0) return true;
  expect(JSON.parse(r.stdout).error.reason, r.stderr).toBe('not-found');
  return false;
}

describe('get against a hostile gateway', () => {
  it.each(EXPECTED)(
    '%s: exit %i, kind %s (%s)',
    async (fault, code, kind, reason) => {
      const id = ORDER[fault];
      const json = await runCli(['get', id, '--json'], env);
      expect(json.code, json.stderr).toBe(code);
      expect(json.stdout.trim().split('\n')).toHaveLength(1);
      const body = JSON.parse(json.stdout);
      expect(`${json.stdout}${json.stderr}`).not.toMatch(STACK);
      if (kind) {
        expect(body).toMatchObject({ ok: false, error: { kind, reason } });
        expect(await stored(id)).toBe(false);
      } else {
        expect(body.ok).toBe(true);
        expect(body.record.orderId).toBe(id);
        expect(await stored(id)).toBe(true);
      }
      const human = await runCli(['get', id], env);
      expect(human.code).toBe(code);
      expect(`${human.stdout}${human.stderr}`).not.toMatch(STACK);
      expect(human.stdout + human.stderr.replace(/\n$/, '')).not.toMatch(RAW_CONTROL);
      if (kind) expect(human.stderr).toContain(`[${kind}]`);
    },
    60_000,
  );

  it('control characters in fields: --json keeps them exact, the card shows them escaped', async () => {
    const id = ORDER['control-chars'];
    const json = JSON.parse((await runCli(['get', id, '--json'], env)).stdout);
    expect(json.record.name).toBe(HOSTILE_NAME.trim());
    expect(json.requestId).toBe(HOSTILE_REQUEST_ID);
    const human = await runCli(['get', id, '--reveal'], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('\\x1b[2J\\x1b]0;pwned\\x07王\\r\\n伪造行\\x00\\x9b31m\\u202eabc\\u2066');
    expect(human.stdout).toContain('2034\\x1b[5m0101');
    expect(human.stdout).not.toMatch(RAW_CONTROL);
    // Every line of the card is one the command wrote: none was forged by a CR/LF in a field.
    expect(human.stdout.split('\n').some((l) => l.startsWith('伪造行'))).toBe(false);
    const list = await runCli(['records', 'list', '--reveal'], env);
    expect(list.stdout).not.toMatch(RAW_CONTROL);
    const show = await runCli(['records', 'show', id, '--reveal'], env);
    expect(show.stdout).not.toMatch(RAW_CONTROL);
    expect(show.stdout).toContain('rid\\x1b[31m\\r\\nforged');
  }, 60_000);
});

describe('batch against a hostile gateway', () => {
  it('every fault fails its own order only; the job finishes, and --resume finishes too', async () => {
    const dir = tempDir('cd-hostile-batch-');
    const faults = EXPECTED.map(([f]) => f);
    writeFileSync(join(dir, 'orders.txt'), `${[...faults.map((f) => ORDER[f]), ORDER.ok].join('\n')}\n`);
    const batchEnv = { ...env, CLEARANCE_DATA_DIR: tempDir('cd-hostile-batch-data-') };
    const r = await runCli(['batch', 'orders.txt', '--json', '--qps', '100'], batchEnv, { cwd: dir });
    expect(`${r.stdout}${r.stderr}`).not.toMatch(STACK);
    const out = JSON.parse(r.stdout);
    expect(out.ended).toBe('finished');
    expect(r.code).toBe(6); // the worst per-order failure: protocol
    const failures = new Map<string, { kind: string; reason: string }>(
      out.failures.map((f: { orderId: string; kind: string; reason: string }) => [f.orderId, f]),
    );
    for (const [fault, , kind, reason] of EXPECTED) {
      if (kind) expect(failures.get(ORDER[fault]), fault).toMatchObject({ kind, reason });
      else expect(failures.has(ORDER[fault]), fault).toBe(false);
    }
    expect(out.counts.done).toBe(EXPECTED.filter(([, , k]) => !k).length + 1);
    const resumed = await runCli(['batch', '--resume', out.job, '--json'], batchEnv, { cwd: dir });
    expect(`${resumed.stdout}${resumed.stderr}`).not.toMatch(STACK);
    expect(JSON.parse(resumed.stdout).ended).toBe('finished');
    const human = await runCli(['batch', 'show', out.job], batchEnv, { cwd: dir });
    expect(human.code).toBe(0);
    expect(human.stdout).not.toMatch(RAW_CONTROL);
  }, 120_000);
});
