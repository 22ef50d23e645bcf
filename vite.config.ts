// The renderer's build: a static page with hashed assets, loaded by main from its own scheme
// (relative base), under a strict CSP: no inline script, nothing remote, fonts bundled as files.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome130',
    // Inline data: URLs would need a looser CSP; every asset stays a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1000,
    sourcemap: false,
  },
});
