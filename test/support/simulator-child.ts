// The demo gateway in a process of its own, driven by test/support/simulator-process.ts.
import { type FaultRule, type SimulatorOptions, startSimulator } from '../../electron/core/demo/simulator';

type Ask = { id: number; inject: FaultRule } | { id: number; calls: true };

const opts = JSON.parse(process.argv[2] ?? '{}') as SimulatorOptions;
const sim = await startSimulator(opts);
process.send?.({ url: sim.url, credentials: sim.credentials });
process.on('message', (m: Ask) => {
  if ('inject' in m) sim.inject(m.inject);
  process.send?.({ id: m.id, calls: 'calls' in m ? sim.calls : undefined });
});
process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
