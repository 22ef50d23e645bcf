/**
 * The demo gateway in a child process, as a real gateway is elsewhere: a test that holds the
 * client to a calls-per-second cap must not let its own synchronous vault commits stall the
 * gateway's clock (in one process, a stall bunches arrivals the client spaced out).
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { FaultRule, SimulatorCall, SimulatorOptions } from '../../electron/core/demo/simulator';
import { bundleForNode } from './bundle';

export interface SimulatorProcess {
  url: string;
  credentials: { appKey: string; appSecret: string; session: string };
  inject(rule: FaultRule): Promise<void>;
  calls(): Promise<SimulatorCall[]>;
  close(): Promise<void>;
}

let bundled: Promise<string> | undefined;
function childScript(): Promise<string> {
  bundled ??= bundleForNode('test/support/simulator-child.ts');
  return bundled;
}

export async function startSimulatorProcess(opts: SimulatorOptions = {}): Promise<SimulatorProcess> {
  const child: ChildProcess = fork(await childScript(), [JSON.stringify(opts)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    cwd: new URL('../../', import.meta.url).pathname,
  });
  const started = await new Promise<{ url: string; credentials: SimulatorProcess['credentials'] }>(
    (resolve, reject) => {
      child.once('message', (m) => resolve(m as never));
      child.once('exit', (code) => reject(new Error(`simulator process exited (${code})`)));
    },
  );
  let next = 0;
  const ask = (m: object) =>
    new Promise<SimulatorCall[] | undefined>((resolve) => {
      const id = ++next;
      const onMessage = (r: { id: number; calls?: SimulatorCall[] }) => {
        if (r.id !== id) return;
        child.off('message', onMessage);
        resolve(r.calls);
      };
      child.on('message', onMessage);
      child.send({ id, ...m });
    });
  return {
    ...started,
    inject: async (rule) => {
      await ask({ inject: rule });
    },
    calls: async () => (await ask({ calls: true })) ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}
