// `npm run harness [-- --demo] [--port N] [--this-run-only]`: the harness by hand, for exploratory
// testing. It takes the command's CLEARANCE_* environment (CLEARANCE_DATA_DIR included).
import { ClearanceFailure, exitCodeFor } from '../../electron/core/errors';
import { type Harness, startHarness } from './harness';

const args = process.argv.slice(2);
const portAt = args.indexOf('--port');
let h: Harness;
try {
  h = await startHarness({
    demo: args.includes('--demo'),
    port: portAt >= 0 ? Number(args[portAt + 1]) : 0,
    ...(args.includes('--this-run-only') ? { secretsMode: 'memory' as const } : {}),
  });
} catch (err) {
  const e = err instanceof ClearanceFailure ? err.error : null;
  console.error(
    e ? `${e.message['zh-CN']}\n${e.message['en-US']}` : `harness failed to start: ${(err as Error).message}`,
  );
  process.exit(e ? exitCodeFor(e.kind) : 1);
}
console.log(
  `Clearance Desk harness (data: ${h.dataDir || 'the default data folder'})\nOpen: ${h.url}\nCtrl+C to stop.`,
);
const stop = async () => {
  await h.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
