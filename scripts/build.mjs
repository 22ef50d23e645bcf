// Builds everything the app and the command run from: esbuild bundles for the Electron main
// process, the preload and the command; Vite for the renderer. Output in dist/.
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};
const demoAssets = 'electron/core/demo/assets';

const entries = [
  // The command and the main process keep node_modules external: native modules and fonts load from there.
  {
    entry: 'electron/cli/clearance-desk.ts',
    out: 'dist/cli/clearance-desk.js',
    format: 'esm',
    packages: 'external',
    banner: '#!/usr/bin/env node',
  },
  {
    entry: 'electron/main/main.ts',
    out: 'dist/main/main.js',
    format: 'esm',
    packages: 'external',
    external: ['electron'],
  },
  // Exports run off the main thread in the app: the worker is its own bundle beside main.js.
  {
    entry: 'electron/core/export/worker.ts',
    out: 'dist/main/export-worker.js',
    format: 'esm',
    packages: 'external',
  },
  // A sandboxed preload may require only `electron`: everything else is bundled in, as CommonJS.
  {
    entry: 'electron/preload/preload.ts',
    out: 'dist/preload/preload.cjs',
    format: 'cjs',
    external: ['electron'],
  },
  // The e2e harness, and the real preload bundled against its browser stand-in for `electron`.
  { entry: 'test/harness/cli.ts', out: 'dist/harness/harness.js', format: 'esm', packages: 'external' },
  {
    entry: 'electron/preload/preload.ts',
    out: 'dist/harness/preload.js',
    format: 'iife',
    platform: 'browser',
    alias: { electron: './test/harness/electron-shim.ts' },
  },
];

rmSync(`${root}dist`, { recursive: true, force: true });
for (const e of entries) {
  if (!existsSync(root + e.entry)) continue;
  await build({
    ...node,
    entryPoints: [e.entry],
    outfile: e.out,
    format: e.format,
    ...(e.packages ? { packages: e.packages } : {}),
    ...(e.external ? { external: e.external } : {}),
    ...(e.banner ? { banner: { js: e.banner } } : {}),
    ...(e.alias ? { alias: e.alias } : {}),
    ...(e.platform ? { platform: e.platform } : {}),
  });
  const dir = e.out.slice(0, e.out.lastIndexOf('/'));
  if (e.format === 'esm') {
    mkdirSync(`${root}${dir}/assets`, { recursive: true });
    cpSync(`${root}${demoAssets}`, `${root}${dir}/assets`, { recursive: true });
  }
}
if (existsSync(`${root}renderer/index.html`)) {
  const { build: vite } = await import('vite');
  await vite({ root: `${root}renderer`, configFile: `${root}vite.config.ts`, logLevel: 'warn' });
}
console.log('built dist/');
