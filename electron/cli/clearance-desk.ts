import { runCli } from './main';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());

const code = await runCli(
  process.argv.slice(2),
  process.env,
  {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stdout.isTTY),
  },
  { cwd: process.cwd(), signal: controller.signal, stdin: process.stdin },
);
// Exit now: keep-alive sockets to the gateway would otherwise hold the process open for seconds.
process.exit(code);
