/**
 * A TypeScript entry bundled for a child process (a writer to SIGKILL, a gateway on its own clock,
 * a worker thread). The bundle goes to a fresh folder inside the repository, so that its external
 * packages (native SQLCipher, pdfkit, fonts) resolve from node_modules as in dist/, and two runs
 * on one machine never share a file. The demo gateway's images go beside it, as in dist/.
 */
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { build } from 'esbuild';

const repo = new URL('../../', import.meta.url).pathname;
const cache = join(repo, 'node_modules/.cache');

/** Bundles `entry` (a path from the repository root) and returns the bundle's path. */
export async function bundleForNode(entry: string): Promise<string> {
  mkdirSync(cache, { recursive: true });
  const out = join(mkdtempSync(join(cache, 'cd-test-bundle-')), basename(entry).replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [join(repo, entry)],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    absWorkingDir: repo,
    logLevel: 'warning',
  });
  cpSync(join(repo, 'electron/core/demo/assets'), join(dirname(out), 'assets'), { recursive: true });
  return out;
}
