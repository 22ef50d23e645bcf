// Runs a TypeScript entry (a bench script, a one-off tool) with Node: esbuild bundles it, with
// node_modules external, next to dist/, then Node runs it with the remaining arguments.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { basename } from 'node:path';
import { build } from 'esbuild';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <file.ts> [args…]');
  process.exit(2);
}
const root = new URL('..', import.meta.url).pathname;
mkdirSync(`${root}dist/run`, { recursive: true });
// Bundled code finds the demo gateway's images beside itself, as in dist/cli.
cpSync(`${root}electron/core/demo/assets`, `${root}dist/run/assets`, { recursive: true });
const out = `${root}dist/run/${basename(entry).replace(/\.ts$/, '')}.mjs`;
await build({
  entryPoints: [entry],
  outfile: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, ['--expose-gc', out, ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
