/**
 * `clearance-desk batch` as a user runs it: the built command against the demo gateway on
 * loopback, its vault key in the real Secret Service (a private D-Bus under `npm test`). The core
 * of it: a job killed with SIGKILL mid-way resumes with no completed order asked for again and
 * none left out, as the gateway's own call log shows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../electron/core/demo/simulator';
import { CLI, runCli, tempDir } from '../support/cli';
import { keychainSuite } from '../support/keychain';

const { suite } = await keychainSuite('batch CLI tests');

const generated = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => `3${String(from + i).padStart(15, '0')}`);
const JOB = /\b(\d{8}-[0-9a-f]{6})\b/;

interface OrderState {
  orderId: string;
  state: string;
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ latencyMs: 40 });
});
afterAll(async () => {
  await sim?.close();
});

function envFor(dataDir: string, session = sim.credentials.session): Record<string, string> {
  return {
    CLEARANCE_DATA_DIR: dataDir,
    CLEARANCE_GATEWAY: sim.url,
    CLEARANCE_APP_KEY: sim.credentials.appKey,
    CLEARANCE_APP_SECRET: sim.credentials.appSecret,
    CLEARANCE_SESSION: session,
    CLEARANCE_LANG: 'en',
  };
}

function spawnCli(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; stderr: () => string } {
  const keep = ['PATH', 'HOME', 'DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'XDG_DATA_HOME', 'TZ', 'LANG'];
  const base = Object.fromEntries(
    keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k] as string]),
  );
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  child.stdout?.resume();
  return { child, stderr: () => err };
}

const waitFor = async (cond: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

async function show(job: string, env: Record<string, string>) {
  const r = await runCli(['batch', 'show', job, '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as {
    job: { status: string; counts: Record<string, number> };
    orders: OrderState[];
  };
}

suite('clearance-desk batch', () => {
  it('resumes a job killed mid-way: no completed order is asked for again, none is left out', async () => {
    const dataDir = tempDir('cd-batch-kill-');
    const orders = generated(200, 7000);
    const list = join(dataDir, 'orders.txt');
    // Mixed separators, a heading, and a duplicate, as a pasted list would have.
    writeFileSync(
      list,
      `订单号\n${orders.slice(0, 100).join('\n')}\n${orders.slice(100).join(', ')}\n${orders[5]}\n`,
    );
    const env = envFor(dataDir);
    const start = sim.calls.length;
    const okCalls = () => sim.calls.slice(start).filter((c) => c.outcome === 'ok').length;

    const first = spawnCli(['batch', list, '--concurrency', '4', '--qps', '40', '--json'], env);
    const exited = new Promise<NodeJS.Signals | null>((r) => first.child.on('exit', (_c, s) => r(s)));
    await waitFor(() => okCalls() >= 60 || first.child.exitCode !== null);
    expect(first.child.exitCode).toBeNull(); // still running: the kill lands mid-job
    first.child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const job = JOB.exec(first.stderr())?.[1] as string;
    expect(job).toMatch(JOB);
    // Requests on the wire at the kill reach the gateway's log after its latency.
    await new Promise((r) => setTimeout(r, 300));
    const firstRun = sim.calls.slice(start);
    const boundary = sim.calls.length;

    const atKill = await show(job, env);
    expect(atKill.orders.map((o) => o.orderId)).toEqual(orders); // input order, duplicate dropped
    const doneAtKill = new Set(atKill.orders.filter((o) => o.state === 'done').map((o) => o.orderId));
    expect(doneAtKill.size).toBeGreaterThanOrEqual(50);
    expect(doneAtKill.size).toBeLessThan(200);
    expect(atKill.job.status).toBe('running'); // it never got to say otherwise
    // Every order marked done had been answered by the gateway.
    const answered = new Set(firstRun.filter((c) => c.outcome === 'ok').map((c) => c.orderId));
    for (const id of doneAtKill) expect(answered.has(id), id).toBe(true);

    const resumed = await runCli(['batch', '--resume', job, '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    expect(summary).toMatchObject({
      ok: true,
      job,
      ended: 'finished',
      counts: { done: 200, failed: 0, pending: 0, running: 0 },
    });

    const second = sim.calls.slice(boundary).map((c) => c.orderId as string);
    // No completed order was requested again…
    expect(second.filter((id) => doneAtKill.has(id))).toEqual([]);
    // …each remaining order exactly once…
    expect(new Set(second).size).toBe(second.length);
    expect(new Set([...doneAtKill, ...second])).toEqual(new Set(orders));
    // …and the only orders asked twice overall are those in flight at the kill (at most the concurrency).
    const askedFirst = new Set(firstRun.map((c) => c.orderId));
    expect(second.filter((id) => askedFirst.has(id)).length).toBeLessThanOrEqual(4);

    const after = await show(job, env);
    expect(after.job.status).toBe('finished');
    expect(after.orders.every((o) => o.state === 'done')).toBe(true);
    const listed = await runCli(['batch', 'list', '--json'], env);
    expect(JSON.parse(listed.stdout).jobs).toEqual([
      expect.objectContaining({
        id: job,
        status: 'finished',
        counts: expect.objectContaining({ done: 200 }),
      }),
    ]);
  }, 60_000);

  it('one runner per job: a second --resume is refused (exit 5) while one runs; a SIGKILLed holder is taken over', async () => {
    const dataDir = tempDir('cd-batch-lock-');
    const orders = generated(120, 20000);
    const list = join(dataDir, 'orders.txt');
    writeFileSync(list, orders.join('\n'));
    const env = envFor(dataDir);
    const start = sim.calls.length;
    const okCalls = () => sim.calls.slice(start).filter((c) => c.outcome === 'ok').length;

    // A job whose runner died by SIGKILL: its claim is left behind in the vault.
    const first = spawnCli(['batch', list, '--concurrency', '2', '--qps', '30'], env);
    const killed = new Promise((r) => first.child.on('exit', r));
    await waitFor(() => okCalls() >= 10);
    first.child.kill('SIGKILL');
    await killed;
    const job = JOB.exec(first.stderr())?.[1] as string;
    await new Promise((r) => setTimeout(r, 300));
    const boundary = sim.calls.length;
    const doneAtKill = new Set(
      (await show(job, env)).orders.filter((o) => o.state === 'done').map((o) => o.orderId),
    );

    // Two resumes at once: exactly one takes the job over, the other is refused and asks nothing.
    const [a, b] = await Promise.all([
      runCli(['batch', '--resume', job, '--json'], env),
      runCli(['batch', '--resume', job, '--json'], { ...env, CLEARANCE_LANG: 'zh-CN' }),
    ]);
    const codes = [a.code, b.code].sort();
    expect(codes, `${a.stderr}\n${b.stderr}`).toEqual([0, 5]);
    const refused = a.code === 5 ? a : b;
    const error = JSON.parse(refused.stdout).error;
    expect(error).toMatchObject({ kind: 'transient', reason: 'batch-busy' });
    expect(error.message).toMatch(refused === a ? /another process/ : /另一个进程/);
    const second = sim.calls.slice(boundary).map((c) => c.orderId as string);
    // Every order still pending was asked once: no order twice, none already done again.
    expect(second.length).toBe(new Set(second).size);
    expect(second.filter((id) => doneAtKill.has(id))).toEqual([]);
    const after = await show(job, env);
    expect(after.job.status).toBe('finished');
    expect(after.orders.every((o) => o.state === 'done')).toBe(true);

    // While a run holds the job, a resume from elsewhere is refused; once it ends, the job is free.
    const more = join(dataDir, 'more.txt');
    writeFileSync(more, generated(60, 21000).join('\n'));
    const third = spawnCli(['batch', more, '--concurrency', '1', '--qps', '20'], env);
    await waitFor(() => JOB.test(third.stderr()));
    const job2 = JOB.exec(third.stderr())?.[1] as string;
    const busy = await runCli(['batch', '--resume', job2], env);
    expect(busy.code).toBe(5);
    expect(busy.stderr).toMatch(/another process \(pid \d+/);
    await new Promise((r) => third.child.on('exit', r));
    const free = await runCli(['batch', '--resume', job2, '--json'], env);
    expect(free.code, free.stderr).toBe(0);
  }, 90_000);

  it('exit 3 and a JSON summary with the failures when some orders fail for business reasons', async () => {
    const dataDir = tempDir('cd-batch-biz-');
    const input = `${generated(3, 8000).join(' ')} 4000000000000001 9000000000000041 12a34`;
    const r = await runCli(['batch', '-', '--json'], envFor(dataDir), { input });
    expect(r.code, r.stderr).toBe(3);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ ok: false, ended: 'finished', counts: { done: 3, failed: 2 } });
    expect(s.invalid).toEqual([{ line: 1, reason: 'order-id-invalid', preview: '‹5›' }]);
    expect(s.failures.map((f: { orderId: string; kind: string }) => [f.orderId, f.kind])).toEqual([
      ['4000000000000001', 'business'],
      ['9000000000000041', 'invalid-input'],
    ]);
    // Nothing personal in the summary: no names or ID numbers of the orders that succeeded.
    expect(r.stdout).not.toMatch(/\d{17}[\dX]/);
  });

  it('exit 4 when the session is refused: the job stops with a clear message and resumes once fixed', async () => {
    const dataDir = tempDir('cd-batch-auth-');
    const input = generated(20, 9000).join('\n');
    const r = await runCli(['batch', '-'], envFor(dataDir, 'stale-session'), { input });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('session key is invalid or has expired');
    expect(r.stderr).toMatch(/batch --resume \d{8}-[0-9a-f]{6}/);
    expect(r.stdout).toMatch(/done 0, failed 0, skipped \(already stored\) 0, pending 20/);
    const job = JOB.exec(r.stderr)?.[1] as string;
    const again = await runCli(['batch', '--resume', job, '--json'], envFor(dataDir));
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).counts.done).toBe(20);
  });

  it('reads the order column of a CSV by its heading, and lists the candidates when it cannot tell', async () => {
    const dataDir = tempDir('cd-batch-csv-');
    const ids = generated(3, 9100);
    const csv = join(dataDir, 'orders.csv');
    writeFileSync(csv, `收件人,订单号,金额\nA,${ids[0]},1\nB,${ids[1]},2\nC,${ids[2]},3\nD,${ids[0]},4\n`);
    const r = await runCli(['batch', csv, '--json'], envFor(dataDir));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ counts: { done: 3 }, duplicates: 1 });

    const two = join(dataDir, 'two.csv');
    writeFileSync(two, `订单号,主订单号\n${ids[0]},${ids[1]}\n`);
    const amb = await runCli(['batch', two, '--json'], envFor(dataDir));
    expect(amb.code).toBe(2);
    expect(JSON.parse(amb.stdout)).toMatchObject({
      ok: false,
      error: { kind: 'invalid-input' },
      columns: ['1: 订单号', '2: 主订单号'],
    });
    const chosen = await runCli(['batch', two, '--column', '主订单号', '--json'], envFor(dataDir));
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(JSON.parse(chosen.stdout).counts).toMatchObject({ skipped: 1 }); // already stored by the first run
  });

  it('refuses bad options and unknown jobs with exit 2', async () => {
    const dataDir = tempDir('cd-batch-usage-');
    const env = envFor(dataDir);
    expect((await runCli(['batch', '-', '--qps', '0'], env, { input: generated(1).join('') })).code).toBe(2);
    expect(
      (await runCli(['batch', '-', '--concurrency', 'many'], env, { input: generated(1).join('') })).code,
    ).toBe(2);
    expect((await runCli(['batch', '--resume', '20990101-abcdef'], env)).code).toBe(2);
    expect((await runCli(['batch', 'show', 'nope'], env)).code).toBe(2);
    expect((await runCli(['batch'], env)).code).toBe(2);
  });
});
