import { runCli } from './main';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());

/**
 * Resolves once everything written to the stream so far has been handed to the OS. On a pipe
 * Node writes asynchronously: exiting before this would cut the output at the pipe's size (64 KiB).
 */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) return resolve();
    // The reader went away (EPIPE): nothing more can be delivered, so do not wait.
    stream.once('error', () => resolve());
    stream.write('', () => resolve());
  });
}

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
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// Exit now: keep-alive sockets to the gateway would otherwise hold the process open for seconds.
process.exit(code);
